"""The Temporal plumbing every workflow facade shares.

Starts are idempotent. An action is one update whose id is made from the caller's Idempotency-Key, so Temporal
answers a retry with the first outcome; the request's fingerprint travels with it, so the same key with another
body is refused instead of answered with the first outcome. Every failure comes back as a domain
`RuleViolation` (a refusal), `WorkflowClosed` (the workflow finished: its archive may still answer) or
`Unavailable` (no worker answered in time).
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Protocol, TypeVar

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
from temporalio.workflow import UpdateMethodMultiParam

from config.settings import Settings
from domain.errors import Code, Problem, RuleViolation
from workflows.attributes import STAGE
from workflows.messages import Act, Refusal

Result = TypeVar("Result", bound="Fingerprinted")

# What Temporal answers when no worker takes the task in time, or it cannot be reached: time-outs, a dropped
# stream, FAILED_PRECONDITION "no poller seen for task queue recently" (once the worker has been gone for a
# while), RESOURCE_EXHAUSTED (busy). Each means "try again later", never a fault in the request.
NO_WORKER = frozenset(
    {
        RPCStatusCode.DEADLINE_EXCEEDED,
        RPCStatusCode.UNAVAILABLE,
        RPCStatusCode.CANCELLED,
        RPCStatusCode.FAILED_PRECONDITION,
        RPCStatusCode.RESOURCE_EXHAUSTED,
    }
)
Start = TypeVar("Start", bound=BaseModel)


class Fingerprinted(Protocol):
    fingerprint: str | None


class Unavailable(Exception):
    """No worker answered within the configured bound: the caller should retry later (HTTP 503).

    `maybe_applied` is set when an action reached Temporal and may still be applied once a worker takes it:
    the caller must then retry with the same Idempotency-Key to learn its outcome, not assume it failed.
    """

    def __init__(self, detail: str, *, maybe_applied: bool = False) -> None:
        super().__init__(detail)
        self.maybe_applied = maybe_applied


class WorkflowClosed(RuleViolation):
    """The workflow has finished: it takes no more actions (INVALID_STAGE). `update_id` names the action, so
    the caller can answer a retried one from the archive."""

    def __init__(self, detail: str, update_id: str | None) -> None:
        super().__init__(Code.INVALID_STAGE, detail)
        self.update_id = update_id


def update_id(name: str, actor_id: str, key: str | None) -> str | None:
    """The update id of an action: its name, who asks and their Idempotency-Key (scoped, so keys never collide)."""
    return f"{name}:{actor_id}:{key}" if key else None


def fingerprint(name: str, payload: BaseModel | None) -> str:
    """What a request asks for, as a digest: the same key with another body is recognised by it."""
    body = payload.model_dump_json() if payload is not None else ""
    return "sha256:" + hashlib.sha256(f"{name}\n{body}".encode()).hexdigest()


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


def reused_key() -> RuleViolation:
    return RuleViolation(
        Code.IDEMPOTENCY_KEY_REUSED,
        "This Idempotency-Key was already used for a different request; send a new key for a new request.",
    )


class WorkflowGateway:
    """The Temporal plumbing of one kind of workflow (`noun`: "project", "group"), named so in its messages."""

    def __init__(self, client: Client, settings: Settings, *, noun: str, workflow_id: Callable[[str], str]) -> None:
        self.client = client
        self._noun = noun
        self._workflow_id = workflow_id
        self._queue = settings.task_queue
        self._timeout = timedelta(seconds=settings.update_timeout_seconds)
        self._grace = timedelta(seconds=settings.update_outcome_grace_seconds)

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
            raise self._translate_rpc(error, maybe_applied=True) from error

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
        update: UpdateMethodMultiParam[[Any, Act[Any]], Result],
        act: Act[Any],
        *,
        key: str | None,
        result_type: type[Result],
    ) -> Result:
        """Run one action. The key makes the update id, so a retry answers the first outcome; the same key with
        another request is refused (IDEMPOTENCY_KEY_REUSED)."""
        name = getattr(update, "__name__", "update")
        # An id even without a key, so an answer that comes late can still be looked up by it.
        uid = update_id(name, act.actor.id, key) or f"{name}:{act.actor.id}:{uuid.uuid4().hex}"
        if act.fingerprint is None:  # the API fingerprints the HTTP request itself; other callers, the command
            act = act.model_copy(update={"fingerprint": fingerprint(name, act.command)})
        try:
            # The SDK asks again, each call bounded by rpc_timeout, while Temporal answers "not accepted yet" (as it
            # does when no worker takes the update): only a bound on the whole call keeps the request from hanging.
            async with asyncio.timeout(self._timeout.total_seconds()):
                result = await self.handle(entity_id).execute_update(update, act, id=uid, rpc_timeout=self._timeout)
        except WorkflowUpdateFailedError as error:
            if isinstance(error.cause, ApplicationError):
                raise refusal_from(error.cause) from error
            raise
        except (WorkflowUpdateRPCTimeoutOrCancelledError, TimeoutError) as error:
            result = await self._late_outcome(entity_id, uid, result_type, error, key=key)
        except RPCError as error:
            if error.status not in NO_WORKER:
                raise await self._closed_or(entity_id, error, uid) from error
            # The request may have reached Temporal before the answer was lost: find out rather than guess.
            result = await self._late_outcome(entity_id, uid, result_type, error, key=key)
        if result.fingerprint is not None and result.fingerprint != act.fingerprint:
            raise reused_key()
        return result

    async def _late_outcome(
        self, entity_id: str, uid: str, result_type: type[Result], error: Exception, *, key: str | None
    ) -> Result:
        """The update was sent but no answer came in time: it may be accepted once a worker takes it. Wait a
        little longer for its outcome, by its id, so that most slow calls still answer what really happened."""
        try:
            handle = self.handle(entity_id).get_update_handle(uid, result_type=result_type)
            # The handle polls until an outcome comes, retrying its own time-outs: the bound is ours to set.
            async with asyncio.timeout(self._grace.total_seconds()):
                late: Result = await handle.result(rpc_timeout=self._grace)
            return late
        except WorkflowUpdateFailedError as failed:
            if isinstance(failed.cause, ApplicationError):
                raise refusal_from(failed.cause) from failed
            raise
        except RPCError as lookup:
            if lookup.status is RPCStatusCode.NOT_FOUND and not isinstance(
                error, (WorkflowUpdateRPCTimeoutOrCancelledError, TimeoutError)
            ):
                # Temporal answered and knows no such update: the request never reached the workflow.
                raise Unavailable(
                    f"Praxis could not reach the {self._noun} in time; nothing was changed. Try again."
                ) from error
            raise self._maybe_applied(key) from error
        except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
            raise self._maybe_applied(key) from error

    def _maybe_applied(self, key: str | None) -> Unavailable:
        retry = (
            "Retry with the same Idempotency-Key to learn its outcome: it is never applied twice."
            if key
            else "Read the project before sending it again (with an Idempotency-Key, a retry is always safe)."
        )
        return Unavailable(
            f"The {self._noun} did not answer in time; the action may have been applied, or may still be applied once "
            f"it answers. {retry}",
            maybe_applied=True,
        )

    async def _closed_or(self, entity_id: str, error: RPCError, uid: str | None) -> Exception:
        """An update to a finished workflow is refused as INVALID_STAGE, not as a missing one."""
        if error.status is RPCStatusCode.NOT_FOUND:
            try:
                description = await self.handle(entity_id).describe(rpc_timeout=self._timeout)
            except RPCError:
                return self._translate_rpc(error)
            if description.close_time is not None:
                stage = description.typed_search_attributes.get(STAGE) or "closed"
                return WorkflowClosed(f"The {self._noun} is {stage}; it accepts no further actions.", uid)
        return self._translate_rpc(error)

    def _translate_rpc(self, error: RPCError, *, maybe_applied: bool = False) -> Exception:
        if error.status is RPCStatusCode.NOT_FOUND:
            return RuleViolation(Code.NOT_FOUND, f"No such {self._noun}.")
        if error.status in NO_WORKER:
            if maybe_applied:
                return Unavailable(
                    f"Praxis could not reach the {self._noun} in time; it may still have started. Retry with the "
                    "same Idempotency-Key to learn the outcome: it is never started twice.",
                    maybe_applied=True,
                )
            return Unavailable(f"Praxis could not reach the {self._noun} in time; nothing was changed. Try again.")
        return error
