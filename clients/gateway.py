"""The Temporal plumbing every workflow facade shares.

Starts are idempotent, an update's id is made from the caller's idempotency key, and every failure comes
back as a domain `RuleViolation` (a refusal) or `Unavailable` (no worker answered in time).
"""

from __future__ import annotations

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
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode
from temporalio.types import MethodAsyncSingleParam

from config.settings import Settings
from domain.errors import Code, Problem, RuleViolation
from domain.project import Actor
from workflows.attributes import STAGE
from workflows.messages import Refusal


class Unavailable(Exception):
    """No worker answered within the configured bound: the caller should retry later (HTTP 503)."""


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
