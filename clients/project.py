"""The client side of ProjectWorkflow, shared by the API, the CLI and tests: start, read, act."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from pydantic import BaseModel
from temporalio.client import (
    Client,
    WorkflowHandle,
)
from temporalio.common import (
    SearchAttributePair,
)

from clients.gateway import WorkflowGateway
from config.settings import Settings
from domain.project import Actor, ProjectView
from domain.proposal import Proposal
from workflows.attributes import SEMESTER, STAGE, STUDENT
from workflows.messages import Act, Outcome, ProjectStart
from workflows.project import ProjectWorkflow, workflow_id


def new_project_id(student_id: str, idempotency_key: str | None) -> str:
    """A retried submission with the same key maps to the same project; the id reveals nothing about the student."""
    if idempotency_key is None:
        return uuid.uuid4().hex[:16]
    return hashlib.sha256(f"project:{student_id}:{idempotency_key}".encode()).hexdigest()[:16]


class ProjectClient:
    def __init__(self, client: Client, settings: Settings) -> None:
        self._gateway = WorkflowGateway(client, settings, noun="project", workflow_id=workflow_id)

    @property
    def client(self) -> Client:
        return self._gateway.client

    def handle(self, project_id: str) -> WorkflowHandle[Any, Any]:
        return self._gateway.handle(project_id)

    async def start(
        self,
        *,
        project_id: str,
        student_id: str,
        semester_id: str,
        proposal: Proposal,
        actor: Actor,
        group_approved: bool = False,
        history_limit: int | None = None,
    ) -> None:
        """R1: a proposal starts a project. Starting the same id again (a retried request) is a no-op."""
        start = ProjectStart(
            project_id=project_id,
            student_id=student_id,
            semester_id=semester_id,
            proposal=proposal,
            submitted_by=actor,
            group_approved=group_approved,
        )
        if history_limit is not None:
            start.history_limit = history_limit
        await self._gateway.start(
            ProjectWorkflow.run,
            start,
            entity_id=project_id,
            search_attributes=[
                SearchAttributePair(STAGE, "PROPOSAL_REVIEW"),
                SearchAttributePair(SEMESTER, semester_id),
                SearchAttributePair(STUDENT, student_id),
            ],
            summary=f"Social Practice project {project_id}",
        )

    async def view(self, project_id: str) -> ProjectView:
        result = await self._gateway.query(project_id, ProjectWorkflow.view)
        assert isinstance(result, ProjectView)
        return result

    async def act(
        self, project_id: str, update: str, actor: Actor, command: BaseModel | None, key: str | None
    ) -> Outcome:
        """Run one action. The idempotency key becomes the update id, so a retry returns the first outcome."""
        argument: BaseModel = actor if command is None else Act[Any](actor=actor, command=command)
        return await self._gateway.update(project_id, update, argument, actor=actor, key=key, result_type=Outcome)
