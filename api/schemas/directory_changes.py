"""The directory's audit trail as the center reads it (R24)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class DirectoryChangePublic(BaseModel):
    """One created or changed directory entry."""

    seq: int
    at: datetime
    actor_id: str = Field(
        description="Who made the change: a center staff id, a student (their own entry, "
        "from the portal's sign-in), or the operator who ran `praxis`."
    )
    role: str
    channel: str
    kind: Literal["faculty", "student", "semester"]
    entry_id: str
    action: Literal["created", "updated"]
    changes: dict[str, list[object]] = Field(description="Each changed field: `[before, after]`.")


class DirectoryChangePage(BaseModel):
    items: list[DirectoryChangePublic]
    total: int
    limit: int
    offset: int
