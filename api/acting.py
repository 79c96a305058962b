"""An action from the portal, in one straight line: the route names the workflow's update, the facade runs it
(`clients`), and the answer's row goes into the read model the lists come from.

No read precedes the update: who may see and do what is the update validator's first check, the
Idempotency-Key is the update's id, and the request's fingerprint travels with it. Only when the project has
finished does a retried key need the archive (`store.archive`): its outcome was kept when the project closed.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel
from temporalio.workflow import UpdateMethodMultiParam

from api.auth import Claims, actor
from api.db import Store
from api.schemas.projects import ActionResult
from clients.gateway import fingerprint
from clients.project import ProjectClient
from store import projects as read_model
from workflows.messages import Act, Outcome
from workflows.project import ProjectWorkflow

C = TypeVar("C", bound=BaseModel)


class ProjectActions:
    """Runs a person's action on a project; one instance per request (it only holds references)."""

    def __init__(self, projects: ProjectClient, store: Store) -> None:
        self.projects = projects
        self.store = store

    async def __call__(
        self,
        user: Claims,
        project_id: str,
        update: UpdateMethodMultiParam[[ProjectWorkflow, Act[C]], Outcome],
        command: C,
        key: str | None,
        *,
        request: BaseModel | None = None,
        if_revision: int | None = None,
    ) -> ActionResult:
        """`request` is the HTTP body when the command adds what the API looked up (a directory entry): a
        retry is recognised by what the caller sent."""
        name = getattr(update, "__name__", "update")
        outcome = await self.projects.act(
            project_id,
            update,
            actor(user),
            command,
            key=key,
            fingerprint=fingerprint(name, request) if request is not None else None,
            if_revision=if_revision,
        )
        await self.record(outcome)
        return ActionResult.of(outcome)

    async def record(self, outcome: Outcome) -> None:
        """The lists follow at once; the revision guard keeps a late write from undoing a newer one."""
        await self.store.run(read_model.save_project, outcome.summary, outcome.audit)
