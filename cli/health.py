"""`praxis health api|worker`: the container health checks (deploy/Dockerfile, compose, Kubernetes probes).

The image is slim (no curl), so the checks are the project's own command. Each returns a problem
sentence, or None when healthy; the command prints it and exits 1. Imports stay inside the checks: a
probe runs every few seconds, and `praxis health api` need not load the Temporal SDK.
"""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from temporalio.client import Client

    from config.settings import Settings

# A long poll lasts up to about 70 s before the worker polls again, so a healthy poller's last
# access can be that old; three minutes without one means this process has stopped polling.
POLL_FRESHNESS = timedelta(minutes=3)
CHECK_TIMEOUT_SECONDS = 10.0


class Component(StrEnum):
    API = "api"
    WORKER = "worker"


def check_api(url: str, timeout: float = CHECK_TIMEOUT_SECONDS) -> str | None:
    """The API answers `GET url` (its `/healthz`) with 200."""
    import httpx

    try:
        response = httpx.get(url, timeout=timeout)
    except httpx.HTTPError as exc:
        return f"{url}: {exc.__class__.__name__}: {exc}"
    if response.status_code != 200:
        return f"{url} answered {response.status_code}"
    return None


async def polling_identities(client: Client, settings: Settings, now: datetime) -> list[str]:
    """Identities (`pid@host`) that polled the workflow task queue within POLL_FRESHNESS."""
    from temporalio.api.enums.v1 import TaskQueueType
    from temporalio.api.taskqueue.v1 import TaskQueue
    from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest

    response = await client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(
            namespace=settings.temporal_namespace,
            task_queue=TaskQueue(name=settings.task_queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        )
    )
    return [
        poller.identity
        for poller in response.pollers
        if now - poller.last_access_time.ToDatetime(tzinfo=UTC) <= POLL_FRESHNESS
    ]


async def check_worker(settings: Settings, host: str | None = None) -> str | None:
    """A worker on this host (the container's or pod's hostname) polls the task queue: it is connected
    to Temporal and taking work, which a live process alone does not prove."""
    from temporalio.service import RPCError

    from clients.connect import connect

    host = host or socket.gethostname()
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
            client = await connect(settings)
            identities = await polling_identities(client, settings, datetime.now(UTC))
    except (RuntimeError, TimeoutError, RPCError) as exc:
        return f"Temporal at {settings.temporal_address} did not answer: {exc}"
    if not any(identity.endswith(f"@{host}") for identity in identities):
        return (
            f"no worker on {host} polled task queue {settings.task_queue} in namespace "
            f"{settings.temporal_namespace} within {POLL_FRESHNESS.total_seconds():g} s"
        )
    return None
