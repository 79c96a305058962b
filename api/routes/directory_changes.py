"""The directory's own audit trail (R24): who created or changed which faculty, student or semester entry,
and when, for the center."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api.auth import Center
from api.deps import StoreDep
from api.errors import AUTH, problems
from api.schemas.directory_changes import DirectoryChangePage, DirectoryChangePublic
from store import directory_changes

router = APIRouter(prefix="/v1/directory", tags=["directory"])


@router.get("/changes", summary="The directory's audit trail", responses=problems(*AUTH))
async def list_directory_changes(
    user: Center,
    store: StoreDep,
    kind: Literal["faculty", "student", "semester"] | None = None,
    entry_id: Annotated[str | None, Query(max_length=64, description="A faculty, student or semester id.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> DirectoryChangePage:
    """R24: every created or changed entry, newest first: who (`actor_id`, `role`), when, through which
    channel (`portal` for these routes and the portal's sign-in, `cli` for `praxis import` and
    `praxis semester`), and each changed field as `[before, after]`. Writing an entry again unchanged
    leaves no trace."""
    items, total = await store.run(
        directory_changes.list_changes, kind=kind, entry_id=entry_id, limit=limit, offset=offset
    )
    return DirectoryChangePage(
        items=[DirectoryChangePublic.model_validate(i.model_dump()) for i in items],
        total=total,
        limit=limit,
        offset=offset,
    )
