"""The dependencies handlers declare: settings, the project and group clients, the store, the blob store, who calls.

Authentication and role checks live here so every route says who may call it in its signature, and the
ownership check (`readable_project`) answers 404 for a project the caller may not know exists.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Concatenate, ParamSpec, TypeVar

from fastapi import Depends, Header, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from temporalio.client import Client

from api.auth import Claims, TokenError, decode_token
from blobs import BlobStore
from clients.group import GroupClient
from clients.project import ProjectClient
from config.settings import Settings
from domain.errors import Code, RuleViolation
from domain.project import Actor, ProjectView
from domain.vocabulary import Channel, Role
from store import idempotency
from store.db import session
from workflows.messages import Outcome

P = ParamSpec("P")
T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


class Store:
    """Runs one unit of store work in a thread and commits it before the handler answers.

    Sessions are synchronous (store/); running each unit in the thread pool keeps the event loop, and so
    every other request's Temporal call, free while SQLite or PostgreSQL works.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    async def run(self, work: Callable[Concatenate[Session, P], T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        def unit() -> T:
            with session(self.engine) as s:
                return work(s, *args, **kwargs)

        return await run_in_threadpool(unit)


@dataclass(frozen=True)
class Resources:
    """What the app's lifespan opens once and every request shares."""

    projects: ProjectClient
    store: Store
    blobs: BlobStore


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _resources(request: Request) -> Resources:
    resources: Resources = request.app.state.resources
    return resources


def get_projects(request: Request) -> ProjectClient:
    return _resources(request).projects


def get_store(request: Request) -> Store:
    return _resources(request).store


def get_blobs(request: Request) -> BlobStore:
    return _resources(request).blobs


def get_temporal(request: Request) -> Client:
    """For what has no client of its own: the semester's and a departure's workflows (clients.semester,
    clients.departure)."""
    return _resources(request).projects.client


def get_groups(request: Request) -> GroupClient:
    """R9's client; it holds only references, so one per request costs nothing."""
    resources = _resources(request)
    return GroupClient(resources.projects.client, get_settings(request), resources.store.engine)


SettingsDep = Annotated[Settings, Depends(get_settings)]
ProjectsDep = Annotated[ProjectClient, Depends(get_projects)]
GroupsDep = Annotated[GroupClient, Depends(get_groups)]
TemporalDep = Annotated[Client, Depends(get_temporal)]
StoreDep = Annotated[Store, Depends(get_store)]
BlobsDep = Annotated[BlobStore, Depends(get_blobs)]

# --- who calls ---------------------------------------------------------------------------------------

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="An HS256 JWT with `sub`, `role` (student, faculty, center, osa) and `exp`; "
    "`praxis token --role R --sub ID` prints one for local use.",
)


def current_user(
    settings: SettingsDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Claims:
    """401 UNAUTHENTICATED without a bearer token, or with one that is forged, malformed or expired."""
    if credentials is None:
        raise RuleViolation(Code.UNAUTHENTICATED, "Send `Authorization: Bearer <token>`.")
    try:
        return decode_token(settings, credentials.credentials)
    except TokenError as error:
        raise RuleViolation(Code.UNAUTHENTICATED, f"The bearer token was refused: {error.detail}.") from None


CurrentUser = Annotated[Claims, Depends(current_user)]


def require(*roles: Role) -> Callable[[Claims], Claims]:
    """A dependency admitting only `roles`: 403 FORBIDDEN for any other authenticated caller."""
    allowed = frozenset(roles)

    def guard(user: CurrentUser) -> Claims:
        if user.role not in allowed:
            names = " or ".join(sorted(r.value for r in allowed))
            raise RuleViolation(Code.FORBIDDEN, f"Only {names} may do this; you are signed in as {user.role.value}.")
        return user

    return guard


Student = Annotated[Claims, Depends(require(Role.STUDENT))]
Faculty = Annotated[Claims, Depends(require(Role.FACULTY))]
Center = Annotated[Claims, Depends(require(Role.CENTER))]
Osa = Annotated[Claims, Depends(require(Role.OSA))]
FacultyOrCenter = Annotated[Claims, Depends(require(Role.FACULTY, Role.CENTER))]
Reader = Annotated[Claims, Depends(require(Role.STUDENT, Role.FACULTY, Role.CENTER, Role.OSA))]


def actor(user: Claims) -> Actor:
    """The audit trail's who and how (R24): every API call arrives through the portal."""
    return Actor(id=user.sub, role=user.role, channel=Channel.PORTAL)


# --- which project --------------------------------------------------------------------------------

ProjectId = Annotated[
    str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="The project id `POST /v1/projects` returned.")
]

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="Any unique string (a UUID is fine). A retried call with the same key acts once and "
        "answers the first outcome.",
    ),
]


def may_read(user: Claims, view: ProjectView) -> bool:
    """SPEC §4: the owner, its supervisor (or the teacher invited to supervise it), the center, OSA."""
    if user.role in (Role.CENTER, Role.OSA):
        return True
    if user.role is Role.STUDENT:
        return view.student_id == user.sub
    if user.role is Role.FACULTY:
        supervisor = view.supervisor.faculty.id if view.supervisor else None
        invited = view.invitation.faculty.id if view.invitation else None
        return user.sub in (supervisor, invited)
    return False


async def readable_project(projects: ProjectClient, user: Claims, project_id: str) -> ProjectView:
    """The project as it stands now, or 404 NOT_FOUND for callers who may not know it exists."""
    view = await projects.view(project_id)
    if not may_read(user, view):
        raise RuleViolation(Code.NOT_FOUND, "No such project.")
    return view


class Actions:
    """Runs a person's action on a project: visible to them or 404, then the workflow update.

    The Idempotency-Key is the update id, so Temporal answers a retry with the first outcome while the
    workflow runs. The outcome is also kept in the store, so a retry still answers it after the action
    closed the workflow (a pass, a withdrawal), where Temporal no longer knows the update.
    """

    def __init__(self, projects: ProjectClient, store: Store) -> None:
        self.projects = projects
        self.store = store

    async def run(
        self, user: Claims, project_id: str, update: str, command: BaseModel | None, key: str | None
    ) -> Outcome:
        """Check the project is the caller's to see, then act."""
        await self.visible(user, project_id)
        return await self.act(user, project_id, update, command, key)

    async def visible(self, user: Claims, project_id: str) -> ProjectView:
        """For routes with work to do between the check and the action (a directory lookup, an upload)."""
        return await readable_project(self.projects, user, project_id)

    async def act(
        self, user: Claims, project_id: str, update: str, command: BaseModel | None, key: str | None
    ) -> Outcome:
        """The update itself; call `visible` first."""
        return await once(
            self.store,
            user,
            f"{update} {project_id}",
            command,
            key,
            lambda: self.projects.act(project_id, update, actor(user), command, key),
            Outcome,
        )


async def once(
    store: Store,
    user: Claims,
    scope: str,
    command: BaseModel | None,
    key: str | None,
    act: Callable[[], Awaitable[M]],
    result: type[M],
) -> M:
    """Act once per Idempotency-Key: a retry with the same key and request answers the stored outcome
    (even after the action closed its workflow, where Temporal no longer knows the update); the same key
    with another request is a 409 CONFLICT. `scope` names the action and its target (`"review <id>"`)."""
    if key is None:
        return await act()
    scoped = f"{user.role.value}:{user.sub}:{scope}:{key}"
    request_hash = (
        "sha256:" + hashlib.sha256((command.model_dump_json() if command is not None else "").encode()).hexdigest()
    )
    stored = await store.run(idempotency.get_response, scoped)
    if stored is not None:
        if stored.request_hash != request_hash:
            raise RuleViolation(
                Code.CONFLICT, "This Idempotency-Key was already used for a different request; use a new key."
            )
        return result.model_validate_json(stored.response_json)
    outcome = await act()
    await store.run(idempotency.put_response, scoped, request_hash, 200, outcome.model_dump_json())
    return outcome


def get_actions(request: Request) -> Actions:
    resources = _resources(request)
    return Actions(resources.projects, resources.store)


ActionsDep = Annotated[Actions, Depends(get_actions)]
