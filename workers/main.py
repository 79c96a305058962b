"""Builds the Praxis worker: every workflow and activity on one task queue, tuned for update latency."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import structlog
import uvloop
from sqlalchemy.engine import Engine
from temporalio.client import Client
from temporalio.worker import UnsandboxedWorkflowRunner, Worker, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.departures import DepartureActivities
from activities.digest import DigestActivities
from activities.directory import DirectoryActivities
from activities.groupmail import GroupMailActivities
from activities.ledger import LedgerActivities
from activities.mail.notices import MailActivities
from activities.records import RecordsActivities
from activities.semester import SemesterActivities
from clients.connect import connect
from clients.digest import schedule_review_digest
from clients.semester import schedule_open_semesters
from config.log import configure_logging
from config.settings import Settings, get_settings
from store.db import make_engine, migrate, wait_for_database
from telemetry.tracing import tracer_provider
from workers.context import WorkerContext
from workers.metrics import metrics_runtime, watch_outbox
from workflows.departure import DepartureWorkflow
from workflows.digest import DailyReviewDigestWorkflow, ReviewDigestWorkflow
from workflows.group import GroupWorkflow
from workflows.project import ProjectWorkflow
from workflows.semester import SemesterWorkflow

log = structlog.get_logger(__name__)

# ReviewDigestWorkflow is retired (the `review-digest` schedule runs DailyReviewDigestWorkflow instead), and
# registered only so a run still open on upgrade day replays until start-up terminates it (docs/upgrades.md).
WORKFLOWS = [
    ProjectWorkflow,
    DailyReviewDigestWorkflow,
    ReviewDigestWorkflow,
    GroupWorkflow,
    DepartureWorkflow,
    SemesterWorkflow,
]

# `domain` is pure and deterministic, so the sandbox may share it instead of re-importing it per run.
SANDBOX = SandboxedWorkflowRunner(
    # opentelemetry: the tracing interceptor's workflow side (telemetry/tracing.py) shares the process's tracer.
    restrictions=SandboxRestrictions.default.with_passthrough_modules(
        "domain", "email_validator", "dns", "idna", "opentelemetry"
    )
)


def workflow_runner(settings: Settings) -> WorkflowRunner:
    """The sandbox (PRAXIS_WORKER_SANDBOX) or plain Python.

    The sandbox re-imports a workflow's modules for every run it loads and runs each activation, and each
    payload's serialization context, through its import guards: about 0.4 ms of the worker's CPU per portal
    action on the benchmark box (a sixth of the worker's share), and memory for every cached project. What it
    guards against, workflow code that reads the clock, randomness or I/O or keeps state between runs, is
    kept out another way: the workflows call only `domain` (pure, no I/O, time passed in) and the SDK's
    `workflow` API, and the test suite runs every workflow, and replays every committed history, inside the
    sandbox, so such a call fails a test before it can reach a worker.
    """
    return SANDBOX if settings.worker_sandbox else UnsandboxedWorkflowRunner()


def activities(settings: Settings, engine: Engine) -> list[Callable[..., Any]]:
    """Every activity, each class given its clients (a database engine, the settings for mail)."""
    directory = DirectoryActivities(engine)
    ledger = LedgerActivities(engine)
    records = RecordsActivities(settings, engine)
    mail = MailActivities(settings, engine)
    digest = DigestActivities(settings, engine)
    group_mail = GroupMailActivities(settings, engine)
    departures = DepartureActivities(engine)
    semester = SemesterActivities(settings, engine)
    return [
        directory.semester_end,
        ledger.record_credit,
        records.sync_project,
        records.archive_group,
        mail.deliver_notices,
        digest.send_review_digest,
        group_mail.deliver_group_notices,
        departures.departure_news,
        departures.open_projects,
        departures.faculty_leaving_after,
        semester.exam_week_supervisors,
        semester.send_exam_week_mails,
    ]


def build_worker(client: Client, settings: Settings, engine: Engine) -> Worker:
    """Poller counts matter: with the SDK defaults p99 update latency at 50 callers was ~6 s, with 16 ~0.75 s."""
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=WORKFLOWS,
        activities=activities(settings, engine),
        workflow_runner=workflow_runner(settings),
        max_concurrent_workflow_task_polls=settings.worker_workflow_task_polls,
        max_concurrent_activity_task_polls=settings.worker_activity_task_polls,
        max_concurrent_activities=settings.worker_max_concurrent_activities,
        max_cached_workflows=settings.worker_max_cached_workflows,
        interceptors=[WorkerContext()],
    )


async def run(settings: Settings) -> None:
    startup_wait = timedelta(seconds=settings.startup_wait_seconds)
    await asyncio.to_thread(wait_for_database, settings.db_url, startup_wait)
    migrate(settings.db_url)
    engine = make_engine(settings.db_url)
    runtime = metrics_runtime(settings)
    provider = tracer_provider(settings, "praxis-worker")
    client = await connect(settings, retry_for=startup_wait, runtime=runtime, tracer_provider=provider)
    worker = build_worker(client, settings, engine)
    await schedule_review_digest(client, settings)
    await schedule_open_semesters(client, settings, engine)
    log.info(
        "worker started",
        task_queue=settings.task_queue,
        temporal=settings.temporal_address,
        metrics=settings.worker_metrics_address,
    )
    watcher = asyncio.create_task(watch_outbox(engine, runtime.metric_meter)) if runtime else None
    try:
        await worker.run()
    finally:
        if watcher is not None:
            watcher.cancel()
        if provider is not None:
            provider.shutdown()  # sends the spans still batched


def main() -> None:
    settings = get_settings()
    configure_logging(settings)
    # uvloop (which uvicorn already runs the API on) hands activations between the SDK's threads and its loop
    # for less CPU than asyncio's own loop; workflow code runs on the SDK's deterministic loop either way.
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(run(settings))


if __name__ == "__main__":
    main()
