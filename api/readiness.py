"""Readiness (`GET /readyz`): can this instance serve the portal now? Each dependency is asked once, all at
the same time, each within a bound, and the answer names every one that is down.

What each check proves, and nothing more: Temporal answers for the namespace (DescribeNamespace), the database
answers a query, the object store can be listed (S3) or written to (local disk), and the SMTP server takes a
connection (no mail is sent). Why one is down goes to the log, never into the public answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta

import structlog
from starlette.concurrency import run_in_threadpool
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest

from activities.mail.sending import SmtpSender
from api.deps import Resources
from config.settings import Settings
from store.db import ping
from telemetry import metrics

log = structlog.get_logger(__name__)

CHECK_TIMEOUT_SECONDS = 3.0

Check = Callable[[], Awaitable[None]]


def checks(resources: Resources, settings: Settings) -> dict[str, Check]:
    """The checks ask the very clients the app's lifespan opened, not fresh ones."""
    client = resources.projects.client

    async def temporal() -> None:
        request = DescribeNamespaceRequest(namespace=client.namespace)
        await client.workflow_service.describe_namespace(request, timeout=timedelta(seconds=CHECK_TIMEOUT_SECONDS))

    async def database() -> None:
        await run_in_threadpool(ping, resources.store.engine)

    async def smtp() -> None:
        await SmtpSender(settings, timeout=CHECK_TIMEOUT_SECONDS).probe()

    return {"temporal": temporal, "database": database, "object_store": resources.blobs.check, "smtp": smtp}


async def _up(name: str, check: Check) -> bool:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
            await check()
    except Exception as exc:  # any failure means "down"; the log says which and why
        log.warning("dependency down", dependency=name, error=f"{exc.__class__.__name__}: {exc}")
        return False
    return True


async def probe(named: dict[str, Check]) -> dict[str, bool]:
    """Every check at once; each True when up."""
    results = await asyncio.gather(*(_up(name, check) for name, check in named.items()))
    states = dict(zip(named, results, strict=True))
    for name, up in states.items():
        metrics.DEPENDENCY_UP.labels(dependency=name).set(1 if up else 0)
    return states
