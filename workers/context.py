"""The worker's interceptor for what every activity shares: its workflow's ids in each log line it writes
through structlog (config/log.py lifts the same ids from temporalio's own loggers)."""

from __future__ import annotations

from typing import Any

import structlog
from temporalio import activity
from temporalio.worker import ActivityInboundInterceptor, ExecuteActivityInput, Interceptor

from config.log import workflow_ids


class ActivityContext(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        info = activity.info()
        fields = workflow_ids(info.workflow_id, info.workflow_run_id) if info.workflow_id else {}
        # Each activity runs in a task of its own, so what is bound here reaches only its own lines.
        with structlog.contextvars.bound_contextvars(**fields, activity=info.activity_type):
            return await super().execute_activity(input)


class WorkerContext(Interceptor):
    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return ActivityContext(next)
