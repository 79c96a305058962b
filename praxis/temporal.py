"""The client side of ProjectWorkflow, shared by the API, the CLI and tests.

It starts projects idempotently, runs updates with the caller's idempotency key as the update id, and turns
every failure back into a domain `RuleViolation` (a refusal) or `Unavailable` (no worker answered in time).
That plumbing is `WorkflowGateway`, which `praxis.groups.GroupClient` uses for GroupWorkflow too.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from pydantic import BaseModel
from temporalio.client import (
    Client,
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode
from temporalio.types import MethodAsyncSingleParam

from domain.errors import Code, Problem, RuleViolation
from domain.project import Actor, ProjectView
from domain.proposal import Proposal
from praxis.settings import Settings
from workflows.attributes import SEMESTER, STAGE, STUDENT
from workflows.messages import Act, Outcome, ProjectStart, Refusal
from workflows.project import ProjectWorkflow, workflow_id


class Unavailable(Exception):
    """No worker answered within the configured bound: the caller should retry later (HTTP 503)."""


async def connect(settings: Settings) -> Client:
    return await Client.connect(
        settings.temporal_address, namespace=settings.temporal_namespace, data_converter=pydantic_data_converter
    )


def new_project_id(student_id: str, idempotency_key: str | None) -> str:
    """A retried submission with the same key maps to the same project; the id reveals nothing about the student."""
    if idempotency_key is None:
        return uuid.uuid4().hex[:16]
    return hashlib.sha256(f"project:{student_id}:{idempotency_key}".encode()).hexdigest()[:16]


def refusal_from(error: ApplicationError) -> RuleViolation:
    """Rebuild the domain refusal a workflow validator raised (workflows.messages.refusing)."""
    try:
        code = Code(error.type or "")
    except ValueError:
        code = Code.CONFLICT
    refusal = Refusal.model_validate(error.details[0]) if error.details else Refusal(problems=[])
    return RuleViolation(
        code,
        error.message,
        problems=refusal.problems or [Problem(code=code, detail=error.message)],
        retry_after=refusal.retry_after,
    )


Result = TypeVar("Result", bound=BaseModel)
Start = TypeVar("Start", bound=BaseModel)


class WorkflowGateway:
    """The Temporal plumbing of one kind of workflow (`noun`: "project", "group"), named so in its messages.

    Starts are idempotent, an update's id is made from the caller's idempotency key, and every failure comes
    back as a `RuleViolation` (a refusal) or `Unavailable` (no worker answered in time).
    """

    def __init__(self, client: Client, settings: Settings, *, noun: str, workflow_id: Callable[[str], str]) -> None:
        self.client = client
        self._noun = noun
        self._workflow_id = workflow_id
        self._queue = settings.task_queue
        self._timeout = timedelta(seconds=settings.update_timeout_seconds)

    def handle(self, entity_id: str) -> WorkflowHandle[Any, Any]:
        return self.client.get_workflow_handle(self._workflow_id(entity_id))

    async def start(
        self,
        workflow: MethodAsyncSingleParam[Any, Start, Any],
        start: Start,
        *,
        entity_id: str,
        search_attributes: list[SearchAttributePair[str]],
        summary: str,
    ) -> None:
        """Start the workflow for `entity_id`; the same id again (a retried request) is a no-op."""
        try:
            await self.client.start_workflow(
                workflow,
                start,
                id=self._workflow_id(entity_id),
                task_queue=self._queue,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                search_attributes=TypedSearchAttributes(search_attributes),
                static_summary=summary,
                rpc_timeout=self._timeout,
            )
        except RPCError as error:
            if error.status is RPCStatusCode.ALREADY_EXISTS:
                return  # the same key after the workflow closed: the first outcome stands
            raise self._translate_rpc(error) from error

    async def query(self, entity_id: str, query: Any, *args: Any) -> Any:
        try:
            return await self.handle(entity_id).query(query, *args, rpc_timeout=self._timeout)
        except WorkflowQueryFailedError as error:
            raise Unavailable(str(error)) from error
        except RPCError as error:
            raise self._translate_rpc(error) from error

    async def update(
        self,
        entity_id: str,
        update: str,
        argument: BaseModel,
        *,
        actor: Actor,
        key: str | None,
        result_type: type[Result],
    ) -> Result:
        """Run one update. The idempotency key becomes the update id, so a retry returns the first outcome."""
        update_id = f"{update}:{actor.id}:{key}" if key else None
        try:
            result = await self.handle(entity_id).execute_update(
                update, argument, id=update_id, result_type=result_type, rpc_timeout=self._timeout
            )
        except WorkflowUpdateFailedError as error:
            if isinstance(error.cause, ApplicationError):
                raise refusal_from(error.cause) from error
            raise
        except WorkflowUpdateRPCTimeoutOrCancelledError as error:
            raise Unavailable(f"The {self._noun} did not answer in time; nothing was changed. Try again.") from error
        except RPCError as error:
            raise await self._closed_or(entity_id, error) from error
        assert isinstance(result, result_type)
        return result

    async def _closed_or(self, entity_id: str, error: RPCError) -> Exception:
        """An update to a finished workflow is refused as INVALID_STAGE, not as a missing one."""
        if error.status is RPCStatusCode.NOT_FOUND:
            try:
                description = await self.handle(entity_id).describe(rpc_timeout=self._timeout)
            except RPCError:
                return self._translate_rpc(error)
            if description.close_time is not None:
                stage = description.typed_search_attributes.get(STAGE) or "closed"
                return RuleViolation(Code.INVALID_STAGE, f"The {self._noun} is {stage}; it accepts no further actions.")
        return self._translate_rpc(error)

    def _translate_rpc(self, error: RPCError) -> Exception:
        if error.status is RPCStatusCode.NOT_FOUND:
            return RuleViolation(Code.NOT_FOUND, f"No such {self._noun}.")
        if error.status in (RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.UNAVAILABLE, RPCStatusCode.CANCELLED):
            return Unavailable(f"Praxis could not reach the {self._noun} in time; nothing was changed. Try again.")
        return error


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
