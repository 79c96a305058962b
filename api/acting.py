"""An action from the portal, in one straight line: the route names the workflow's update, the facade runs it
(`clients`), and the answer's row goes into the read model the lists come from.

No read precedes the update: who may see and do what is the update validator's first check, the
Idempotency-Key is the update's id, and the request's fingerprint travels with it. The row is written to the
read model just after the answer is sent, so no database write holds the caller either. Only when the project has
finished is the archive asked (`store.archive`): its last actions' outcomes were kept when it closed, so a
retried key answers the same, and any other action is INVALID_STAGE, never NOT_FOUND, whatever Temporal
still remembers.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

from fastapi import BackgroundTasks
from pydantic import BaseModel
from temporalio.workflow import UpdateMethodMultiParam

from api.auth import Claims, actor
from api.db import Store
from api.etags import revision_of
from api.reading import may_see_group
from api.rows import RowWriter
from api.schemas.projects import ActionResult
from clients.gateway import Unavailable, WorkflowClosed, fingerprint, reused_key, update_id
from clients.group import GroupClient
from clients.project import ProjectClient
from domain.access import may_read
from domain.errors import Code, RuleViolation
from store import archive
from store import groups as group_lists
from telemetry import metrics
from workflows.group import GroupWorkflow
from workflows.messages import Act, GroupOutcome, Outcome
from workflows.project import ProjectWorkflow

C = TypeVar("C", bound=BaseModel)
Answer = TypeVar("Answer", Outcome, GroupOutcome)


class ProjectActions:
    """Runs a person's action on a project; one instance per request (it only holds references, and the
    request's `If-Match`, read once the request itself was found valid)."""

    def __init__(
        self,
        projects: ProjectClient,
        store: Store,
        rows: RowWriter,
        background: BackgroundTasks | None = None,
        *,
        if_match: str | None = None,
    ) -> None:
        self.projects = projects
        self.store = store
        self.rows = rows
        self.background = background
        self.if_match = if_match

    async def __call__(
        self,
        user: Claims,
        project_id: str,
        update: UpdateMethodMultiParam[[ProjectWorkflow, Act[C]], Outcome],
        command: C,
        key: str | None,
        *,
        request: BaseModel | None = None,
    ) -> ActionResult:
        """`request` is the HTTP body when the command adds what the API looked up (a directory entry): a
        retry is recognised by what the caller sent."""
        name = getattr(update, "__name__", "update")
        digest = fingerprint(name, request if request is not None else command)
        revision = revision_of(self.if_match)
        try:
            with timed_update(name):
                outcome = await self.projects.act(
                    project_id, update, actor(user), command, key=key, fingerprint=digest, if_revision=revision
                )
        except RuleViolation as refused:
            outcome = await self.archived(refused, user, project_id, update_id(name, user.sub, key), digest)
        if self.background is not None:
            # Right after the answer is sent: the caller does not wait for the database, and the lists follow
            # within moments. The revision guard keeps writes in order; one lost to a crash is made good by
            # the project's next sync.
            self.background.add_task(self.record, outcome)
        else:
            await self.record(outcome)
        return ActionResult.of(outcome)

    async def archived(
        self, refused: RuleViolation, user: Claims, project_id: str, uid: str | None, digest: str
    ) -> Outcome:
        """A refusal that may mean the project has finished: a retried key answers its kept outcome; any other
        action on a finished project is INVALID_STAGE. Strangers still learn nothing."""
        if not isinstance(refused, WorkflowClosed) and refused.code is not Code.NOT_FOUND:
            raise refused
        view = await self.store.run(archive.archived_project, project_id)
        if view is None:
            raise refused
        if not may_read(actor(user), view):
            raise RuleViolation(Code.NOT_FOUND, "No such project.") from refused
        return await kept_outcome(self.store, Outcome, uid, digest, f"The project is {view.stage.value}")

    async def record(self, outcome: Outcome) -> None:
        """The lists follow at once (in a group commit with the actions beside it); the revision guard keeps a
        late write from undoing a newer one."""
        await self.rows.save(outcome.summary, outcome.audit)


@contextmanager
def timed_update(name: str) -> Iterator[None]:
    """The update's round trip into `praxis_update_duration_seconds`, by how it ended."""
    started = time.perf_counter()
    outcome = "error"
    try:
        yield
        outcome = "accepted"
    except RuleViolation:
        outcome = "refused"
        raise
    except Unavailable:
        outcome = "unavailable"
        raise
    finally:
        metrics.UPDATE_SECONDS.labels(update=name, outcome=outcome).observe(time.perf_counter() - started)


async def kept_outcome(store: Store, kind: type[Answer], uid: str | None, digest: str, what: str) -> Answer:
    """The outcome a finished project's or group's action answered, kept with its update id, or INVALID_STAGE."""
    kept = await store.run(archive.kept_outcome, uid) if uid else None
    if kept is None:
        raise RuleViolation(Code.INVALID_STAGE, f"{what}; it accepts no further actions.")
    outcome = kind.model_validate_json(kept)
    if outcome.fingerprint is not None and outcome.fingerprint != digest:
        raise reused_key()
    return outcome


class GroupActions:
    """Runs a person's action on a group (R9), with the same archive fallback (and If-Match) as a project's."""

    def __init__(self, groups: GroupClient, store: Store, *, if_match: str | None = None) -> None:
        self.groups = groups
        self.store = store
        self.if_match = if_match

    async def __call__(
        self,
        user: Claims,
        group_id: str,
        update: UpdateMethodMultiParam[[GroupWorkflow, Act[C]], GroupOutcome],
        command: C,
        key: str | None,
        *,
        request: BaseModel | None = None,
    ) -> GroupOutcome:
        name = getattr(update, "__name__", "update")
        digest = fingerprint(name, request if request is not None else command)
        revision = revision_of(self.if_match)
        try:
            with timed_update(name):
                outcome = await self.groups.act(
                    group_id, update, actor(user), command, key=key, fingerprint=digest, if_revision=revision
                )
        except RuleViolation as refused:
            if not isinstance(refused, WorkflowClosed) and refused.code is not Code.NOT_FOUND:
                raise
            view = await self.store.run(archive.archived_group, group_id)
            if view is None:
                raise
            if not may_see_group(user, view):
                raise RuleViolation(Code.NOT_FOUND, "No such group.") from refused
            uid = update_id(name, user.sub, key)
            return await kept_outcome(self.store, GroupOutcome, uid, digest, f"The group is {view.stage.value}")
        # The group lists and the review digest follow at once (newest revision wins).
        await self.store.run(group_lists.save_group, outcome.view)
        return outcome
