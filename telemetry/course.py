"""The course's own counters, recorded through Temporal's metric meter so the worker serves them on the same
Prometheus endpoint as the SDK's metrics (`PRAXIS_WORKER_METRICS_ADDRESS`, workers/main.py).

Workflow code counts through `workflow.metric_meter()`, which records nothing while a history replays, so a
nudge is counted once however often its workflow is reloaded; activities through `activity.metric_meter()`.
Outside a worker (a test calling an activity class directly) the meters record nothing.
"""

from __future__ import annotations

from opentelemetry import trace
from temporalio import activity, workflow
from temporalio.common import MetricMeter

NUDGES = "praxis_nudges"
MAILS = "praxis_mails"
ACTIVITY_FAILURES = "praxis_activity_failures"
OUTBOX_DEPTH = "praxis_outbox_depth"


def nudge(kind: str) -> None:
    """From workflow code: a nudge fell due (an invitation reminder, an evaluation reminder, a deadline...)."""
    counter = workflow.metric_meter().create_counter(NUDGES, "Nudges that fell due, by kind.")
    counter.add(1, {"kind": kind})


def _activity_meter() -> MetricMeter | None:
    return activity.metric_meter() if activity.in_activity() else None


def mail(result: str, template: str) -> None:
    """From an activity: a mail `sent`, `failed` (to be retried) or `undeliverable` (given up), by template."""
    # In a trace (telemetry/tracing.py) the activity's span shows each mail; without one this does nothing.
    trace.get_current_span().add_event(f"mail {result}", {"template": template})
    meter = _activity_meter()
    if meter is not None:
        counter = meter.create_counter(MAILS, "Mails handed to SMTP or not, by result and template.")
        counter.add(1, {"result": result, "template": template})


def activity_failed(error: str) -> None:
    """From the worker's interceptor: one attempt of an activity raised (it may be retried). The meter adds
    the `activity_type` label itself."""
    meter = _activity_meter()
    if meter is not None:
        counter = meter.create_counter(ACTIVITY_FAILURES, "Failed activity attempts, by activity and error type.")
        counter.add(1, {"error": error})


def outbox_depth(meter: MetricMeter, depth: int) -> None:
    """From the worker's watcher: mails recorded in the outbox and not sent yet (nor given up)."""
    meter.create_gauge(OUTBOX_DEPTH, "Mails owed: recorded in the outbox, neither sent nor given up.").set(depth)
