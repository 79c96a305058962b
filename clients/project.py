"""The client side of ProjectWorkflow, shared by the API, the CLI and tests: start, read, act.

An action names its update by method (`projects.act(project_id, ProjectWorkflow.log_hours, actor, command)`),
so the type checker and a reader can follow it from the route to the handler.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta
from typing import Any, TypeVar

from pydantic import BaseModel
from temporalio.client import Client
from temporalio.common import SearchAttributePair
from temporalio.service import RPCError, RPCStatusCode
from temporalio.workflow import UpdateMethodMultiParam

from clients.gateway import Unavailable, WorkflowGateway
from config.settings import Settings
from domain.actors import Actor
from domain.commands import Evaluate, InvitationResponse, VerifyHours
from domain.errors import Code, RuleViolation
from domain.links import LinkAction
from domain.people import StudentStanding
from domain.project import ProjectView
from domain.proposal import Proposal
from domain.stages import Stage
from workflows.attributes import SEMESTER, STAGE, STUDENT, project_summary
from workflows.messages import Act, Outcome, ProjectStart
from workflows.project import ProjectWorkflow, workflow_id

C = TypeVar("C", bound=BaseModel)


def new_project_id(student_id: str, idempotency_key: str | None) -> str:
    """A retried submission with the same key maps to the same project; the id reveals nothing about the student."""
    if idempotency_key is None:
        return uuid.uuid4().hex[:16]
    return hashlib.sha256(f"project:{student_id}:{idempotency_key}".encode()).hexdigest()[:16]


class ProjectClient:
    def __init__(self, client: Client, settings: Settings) -> None:
        self._gateway = WorkflowGateway(client, settings, noun="project", workflow_id=workflow_id)
        self._timeout = timedelta(seconds=settings.update_timeout_seconds)
        self._profile = settings.profile

    @property
    def client(self) -> Client:
        return self._gateway.client

    async def start(
        self,
        *,
        project_id: str,
        student_id: str,
        semester_id: str,
        proposal: Proposal,
        actor: Actor,
        standing: StudentStanding,
        fingerprint: str | None = None,
        group_approved: bool = False,
        history_limit: int | None = None,
    ) -> None:
        """R1: a proposal starts a project, with the student's standing (R2, R3) as the directory and the ledger
        give it (`store.standing`), under the course profile of the settings, which it keeps (SPEC §7).
        Starting the same id again (a retried request) is a no-op."""
        start = ProjectStart(
            project_id=project_id,
            student_id=student_id,
            semester_id=semester_id,
            proposal=proposal,
            submitted_by=actor,
            group_approved=group_approved,
            standing=standing,
            fingerprint=fingerprint,
            profile=self._profile,
        )
        if history_limit is not None:
            start.history_limit = history_limit
        await self._gateway.start(
            ProjectWorkflow.run,
            start,
            entity_id=project_id,
            search_attributes=[
                SearchAttributePair(STAGE, Stage.PROPOSAL_REVIEW.value),
                SearchAttributePair(SEMESTER, semester_id),
                SearchAttributePair(STUDENT, student_id),
            ],
            summary=project_summary(project_id, semester_id, proposal.category.value),
        )

    async def view(self, project_id: str) -> ProjectView:
        result = await self._gateway.query(project_id, ProjectWorkflow.view)
        assert isinstance(result, ProjectView)
        return result

    async def act(
        self,
        project_id: str,
        update: UpdateMethodMultiParam[[ProjectWorkflow, Act[C]], Outcome],
        actor: Actor,
        command: C,
        *,
        key: str | None = None,
        fingerprint: str | None = None,
        if_revision: int | None = None,
        link_use: str | None = None,
    ) -> Outcome:
        """Run one action. The idempotency key becomes the update id, so a retry returns the first outcome.
        `link_use` names the emailed link it comes from (its token id), if any."""
        act = Act[Any](
            actor=actor, command=command, fingerprint=fingerprint, if_revision=if_revision, link_use=link_use
        )
        return await self._gateway.update(project_id, update, act, key=key, result_type=Outcome)

    async def send_by_link(
        self, project_id: str, action: LinkAction, actor: Actor, command: BaseModel, *, link_use: str
    ) -> None:
        """An emailed link's click while no worker answered: the matching durable signal, applied by the
        workflow when it gets to it (the same rules; a click no longer valid is kept as refused, one whose
        update was applied after all, recognised by `link_use`, is dropped)."""
        handle = self._gateway.handle(project_id)
        try:
            if action is LinkAction.RESPOND_INVITATION:
                assert isinstance(command, InvitationResponse)
                await handle.signal(
                    ProjectWorkflow.respond_invitation_by_link,
                    Act[InvitationResponse](actor=actor, command=command, link_use=link_use),
                    rpc_timeout=self._timeout,
                )
            elif action is LinkAction.EVALUATE:
                assert isinstance(command, Evaluate)
                await handle.signal(
                    ProjectWorkflow.evaluate_by_link,
                    Act[Evaluate](actor=actor, command=command, link_use=link_use),
                    rpc_timeout=self._timeout,
                )
            else:
                assert isinstance(command, VerifyHours)
                await handle.signal(
                    ProjectWorkflow.verify_hours_by_link,
                    Act[VerifyHours](actor=actor, command=command, link_use=link_use),
                    rpc_timeout=self._timeout,
                )
        except RPCError as error:
            if error.status is RPCStatusCode.NOT_FOUND:
                raise RuleViolation(Code.INVALID_STAGE, "The project is closed; it accepts no more changes.") from error
            raise Unavailable(f"The click could not be recorded: {error.message}") from error
