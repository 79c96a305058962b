"""The dependencies handlers declare, as `Annotated` aliases: settings, the Temporal facades, the store, the
blob store, and the path and header parameters every route shares. Who calls is `api.auth`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import BackgroundTasks, Depends, Header, Path, Request
from temporalio.client import Client

from api.acting import GroupActions, ProjectActions
from api.auth import get_settings
from api.db import Store
from api.rows import RowWriter
from blobs import BlobStore
from clients.group import GroupClient
from clients.project import ProjectClient
from config.settings import Settings
from domain.entries import ENTRY_ID_PATTERN, ITEM_ID_PATTERN


@dataclass(frozen=True)
class Resources:
    """What the app's lifespan opens once and every request shares."""

    projects: ProjectClient
    groups: GroupClient
    store: Store
    rows: RowWriter
    blobs: BlobStore


def _resources(request: Request) -> Resources:
    resources: Resources = request.app.state.resources
    return resources


async def get_projects(request: Request) -> ProjectClient:
    return _resources(request).projects


async def get_groups(request: Request) -> GroupClient:
    return _resources(request).groups


async def get_store(request: Request) -> Store:
    return _resources(request).store


async def get_rows(request: Request) -> RowWriter:
    return _resources(request).rows


async def get_blobs(request: Request) -> BlobStore:
    return _resources(request).blobs


async def get_temporal(request: Request) -> Client:
    """For the workflows with no facade of their own to keep: a semester's, a departure's."""
    return _resources(request).projects.client


IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=200,
        description='The project\'s `ETag` as `GET /v1/projects/{id}` gave it (its revision, e.g. `"7"`): the '
        "action is refused with 412 PRECONDITION_FAILED if the project changed since. `*` or none: act on "
        "whatever revision it is at.",
    ),
]


async def get_actions(request: Request, background: BackgroundTasks, if_match: IfMatch = None) -> ProjectActions:
    resources = _resources(request)
    return ProjectActions(resources.projects, resources.store, resources.rows, background, if_match=if_match)


async def get_group_actions(request: Request, if_match: IfMatch = None) -> GroupActions:
    resources = _resources(request)
    return GroupActions(resources.groups, resources.store, if_match=if_match)


async def get_group_linker(request: Request) -> GroupActions:
    """A member's proposal linking to a group (`POST /v1/projects`): no If-Match, the project is new."""
    resources = _resources(request)
    return GroupActions(resources.groups, resources.store)


SettingsDep = Annotated[Settings, Depends(get_settings)]
ProjectsDep = Annotated[ProjectClient, Depends(get_projects)]
GroupsDep = Annotated[GroupClient, Depends(get_groups)]
TemporalDep = Annotated[Client, Depends(get_temporal)]
StoreDep = Annotated[Store, Depends(get_store)]
RowsDep = Annotated[RowWriter, Depends(get_rows)]
BlobsDep = Annotated[BlobStore, Depends(get_blobs)]
Acting = Annotated[ProjectActions, Depends(get_actions)]
GroupActing = Annotated[GroupActions, Depends(get_group_actions)]
GroupLinking = Annotated[GroupActions, Depends(get_group_linker)]

ProjectId = Annotated[str, Path(pattern=ITEM_ID_PATTERN, description="The project id `POST /v1/projects` returned.")]

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="Any unique string (a UUID is fine). A retried call with the same key acts once and "
        "answers the first outcome; the same key with another request is refused (IDEMPOTENCY_KEY_REUSED).",
    ),
]

EntryId = Annotated[str, Path(pattern=ENTRY_ID_PATTERN, description="The university's id.")]
SemesterId = Annotated[str, Path(pattern=r"^\d{4}-(spring|fall|summer)$", description="e.g. `2026-fall`.")]
