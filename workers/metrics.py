"""The worker's Prometheus endpoint: a Temporal runtime that serves the SDK's metrics and the course's
(telemetry/course.py) on `PRAXIS_WORKER_METRICS_ADDRESS`, and the watcher that keeps the outbox depth current."""

from __future__ import annotations

import asyncio

import structlog
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from temporalio.common import MetricMeter
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from config.settings import Settings
from store import outbox
from store.db import session
from telemetry import course

log = structlog.get_logger(__name__)

OUTBOX_WATCH_SECONDS = 15.0


def metrics_runtime(settings: Settings) -> Runtime | None:
    """A runtime serving Prometheus at the configured address, or None (the SDK's default runtime, no endpoint)."""
    if not settings.worker_metrics_address:
        return None
    # Durations in seconds, as Prometheus' conventions (and the API's histograms) have them.
    prometheus = PrometheusConfig(bind_address=settings.worker_metrics_address, durations_as_seconds=True)
    return Runtime(telemetry=TelemetryConfig(metrics=prometheus))


def pending_mails(engine: Engine) -> int:
    with session(engine) as s:
        return outbox.count_pending(s)


async def watch_outbox(engine: Engine, meter: MetricMeter, interval: float = OUTBOX_WATCH_SECONDS) -> None:
    """Every `interval`, the number of mails owed; a database that does not answer is logged and asked again."""
    while True:
        try:
            course.outbox_depth(meter, await asyncio.to_thread(pending_mails, engine))
        except SQLAlchemyError as error:
            log.warning("outbox depth not read", error=f"{type(error).__name__}: {error}")
        await asyncio.sleep(interval)
