"""The worker's interceptor for what every activity shares: its workflow's ids in each log line it writes
through structlog (config/log.py lifts the same ids from temporalio's own loggers), and a count of the
attempts that failed (`praxis_activity_failures`, by activity and error type)."""

from __future__ import annotations

from typing import Any

import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError
from temporalio.worker import ActivityInboundInterceptor, ExecuteActivityInput, Interceptor

from config.log import workflow_ids
from telemetry import course


class ActivityContext(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        info = activity.info()
        fields = workflow_ids(info.workflow_id, info.workflow_run_id) if info.workflow_id else {}
        # Each activity runs in a task of its own, so what is bound here reaches only its own lines.
        with structlog.contextvars.bound_contextvars(**fields, activity=info.activity_type):
            try:
                return await super().execute_activity(input)
            except Exception as error:
                course.activity_failed(_error_type(error))
                raise


def _error_type(error: Exception) -> str:
    """A bounded label: the ApplicationError's type (e.g. MailNotSent) or the exception's class name."""
    if isinstance(error, ApplicationError) and error.type:
        return error.type
    return type(error).__name__


class WorkerContext(Interceptor):
    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return ActivityContext(next)
