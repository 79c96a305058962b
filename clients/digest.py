"""R8 as a Temporal Schedule: `review-digest` starts a `DailyReviewDigestWorkflow` at 09:00 Taipei every day.

Every worker calls `schedule_review_digest` at start-up. It creates the schedule; if it is there and has the
shape this code and these settings give it (the clock, the workflow, its task queue and timeout, the policies),
that is all: nothing is written. If the shape differs (a release changed it, `PRAXIS_TASK_QUEUE` changed,
someone edited the schedule in the UI), it is put back, with the schedule's state as it is: an operator's
pause, and the note that says why, survive every restart and deploy. The course profile's
`review_digest_after_days` is not part of the schedule: each run reads it, so changing the profile needs no
schedule change.

Then it ends the long-lived `ReviewDigestWorkflow` the schedule replaced, if one still runs
(docs/upgrades.md).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import timedelta

import structlog
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    ScheduleHandle,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
)
from temporalio.service import RPCError, RPCStatusCode

from config.settings import Settings
from domain.calendar import TAIPEI
from domain.digest import DIGEST_CLOCK
from workflows.digest import WORKFLOW_ID as RETIRED_WORKFLOW_ID
from workflows.digest import DailyReviewDigestWorkflow, DigestRun

log = structlog.get_logger(__name__)

SCHEDULE_ID = "review-digest"
# Each run's workflow id is this plus the time it was due, e.g. `review-digest-run-2026-12-02T01:00:00Z`.
RUN_WORKFLOW_ID = "review-digest-run"
# A digest missed while Temporal itself was down is still sent if Temporal is back within 6 hours, the
# office's working morning (by 15:00 Taipei); later than that it would only come shortly before the next
# morning's, which lists the same proposals, so it is left out.
CATCHUP_WINDOW = timedelta(hours=6)
# A run never outlives the Taipei day it is for (09:00 + 15 h = midnight): a run stuck on an SMTP outage or on
# a queue no worker polls gives way, and the next morning's run (not skipped as an overlap) lists the same.
RUN_TIMEOUT = timedelta(hours=15)
SUMMARY = "Daily digest of proposals waiting for review (R8)"


def digest_schedule(settings: Settings) -> Schedule:
    """09:00 every day on Taipei's clock (the time zone by name, so the server follows the zone's rules); a
    run still going at the next one skips that one rather than running beside it."""
    return Schedule(
        action=ScheduleActionStartWorkflow(
            DailyReviewDigestWorkflow.run,
            DigestRun(),
            id=RUN_WORKFLOW_ID,
            task_queue=settings.task_queue,
            execution_timeout=RUN_TIMEOUT,
            static_summary=SUMMARY,
        ),
        spec=ScheduleSpec(
            calendars=[
                ScheduleCalendarSpec(
                    hour=[ScheduleRange(DIGEST_CLOCK.hour)],
                    minute=[ScheduleRange(DIGEST_CLOCK.minute)],
                    second=[ScheduleRange(0)],
                    comment="09:00 in Taipei: in the inbox when the office opens",
                )
            ],
            time_zone_name=TAIPEI.key,
        ),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=CATCHUP_WINDOW),
    )


async def schedule_review_digest(client: Client, settings: Settings) -> ScheduleHandle:
    """At worker start-up: the schedule first, then the sleeping workflow it replaces goes, so no morning is
    left without a digest. Safe to call from any number of workers at once."""
    handle = await _put_on_schedule(client, settings)
    await retire_digest_workflow(client)
    return handle


async def _put_on_schedule(client: Client, settings: Settings) -> ScheduleHandle:
    """Create the schedule, or bring an existing one's spec, action and policies up to date, keeping its state
    (paused or not, the operator's note)."""
    schedule = digest_schedule(settings)
    try:
        handle = await client.create_schedule(SCHEDULE_ID, schedule)
        log.info("review digest schedule created", schedule_id=SCHEDULE_ID)
        return handle
    except ScheduleAlreadyRunningError:
        pass
    handle = client.get_schedule_handle(SCHEDULE_ID)

    def keep_state(current: ScheduleUpdateInput) -> ScheduleUpdate | None:
        described = current.description.schedule
        if _shape(described) == _shape(schedule):
            return None
        log.info("review digest schedule brought up to date", schedule_id=SCHEDULE_ID, paused=described.state.paused)
        return ScheduleUpdate(schedule=dataclasses.replace(schedule, state=described.state))

    # The SDK writes back the whole schedule, state included, without a conflict token: a pause made between
    # its read and its write would be lost. Writing only when the shape differs keeps that window to the one
    # start-up after a change of shape, never an ordinary restart.
    await handle.update(keep_state)
    return handle


def _shape(schedule: Schedule) -> tuple[object, ...]:
    """What start-up owns of a schedule, comparable between the one the code builds and the one the server
    describes (ranges normalised as the server stores them)."""
    spec, action, policy = schedule.spec, schedule.action, schedule.policy
    calendars = [
        [_ranges(part) for part in (c.second, c.minute, c.hour, c.day_of_month, c.month, c.year, c.day_of_week)]
        for c in spec.calendars
    ]
    spec_shape = (calendars, list(spec.cron_expressions), list(spec.intervals), list(spec.skip), spec.time_zone_name)
    if not isinstance(action, ScheduleActionStartWorkflow):
        return (spec_shape, None)
    action_shape = (action.workflow, action.id, action.task_queue, action.execution_timeout, action.run_timeout)
    return (spec_shape, action_shape, policy.overlap, policy.catchup_window, policy.pause_on_failure)


def _ranges(ranges: Sequence[ScheduleRange]) -> list[tuple[int, int, int]]:
    return [(r.start, max(r.start, r.end), r.step or 1) for r in ranges]


async def retire_digest_workflow(client: Client) -> bool:
    """Terminate the long-lived `review-digest` workflow if it still runs; True if it did. Even while both
    exist a day's digest goes out once (the same outbox key), but only the schedule should send it."""
    try:
        await client.get_workflow_handle(RETIRED_WORKFLOW_ID).terminate(
            reason=f"Replaced by the Temporal Schedule {SCHEDULE_ID!r} (R8)"
        )
    except RPCError as error:
        if error.status is RPCStatusCode.NOT_FOUND:  # never started, or already closed
            return False
        raise
    log.info("retired the long-lived review digest workflow", workflow_id=RETIRED_WORKFLOW_ID)
    return True
