"""R8: each morning at 09:00 Taipei time, the center hears which proposals have waited 3 days or more for
review (the course profile's `review_digest_after_days`), group proposals included.

`DailyReviewDigestWorkflow` sends one day's digest and ends. The Temporal Schedule `review-digest`
(clients/digest.py) starts one at 09:00 Taipei every day, so operators see, pause and trigger it on the
Temporal UI's Schedules page. Which proposals wait is read from the read model by the activity when the
digest is due, so nothing here changes when projects do; the outbox key (`domain.digest.digest_key`, one per
Taipei day) keeps a second run of the same day, a trigger or a retry, from mailing again.

`ReviewDigestWorkflow` is the long-lived sleeping workflow the schedule replaced. It is kept, unchanged, only
so a run still open on upgrade day replays (docs/upgrades.md, "The review digest became a schedule"); the
worker terminates it at start-up, and nothing starts it any more.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from pydantic import BaseModel
from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeKey

with workflow.unsafe.imports_passed_through():
    from activities.contracts import DigestRequest
    from activities.digest import DigestActivities
    from domain.calendar import taipei_date
    from domain.digest import next_digest_at

WORKFLOW_ID = "review-digest"  # the retired long-lived workflow's id
# Like a project's mail, the digest waits out an SMTP outage: retried with backoff, visible as pending.
MAIL_TIMEOUT = timedelta(minutes=2)
MAIL_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=10))
# Temporal sets it on every workflow a schedule starts: the time the run was due (a trigger's: its own time).
SCHEDULED_START = SearchAttributeKey.for_datetime("TemporalScheduledStartTime")


class DigestRun(BaseModel):
    """The input the schedule starts every run with. No fields yet: the day is the run's scheduled time."""


class DigestSent(BaseModel):
    """What one run did: the Taipei day it was the digest of, and the proposals listed (none: no mail)."""

    day: date
    project_ids: list[str]


@workflow.defn
class DailyReviewDigestWorkflow:
    @workflow.run
    async def run(self, request: DigestRun) -> DigestSent:
        at = due_at()
        day = taipei_date(at)
        workflow.set_current_details(f"Review digest (R8) of {day.isoformat()}, due {at.isoformat()}")
        result = await workflow.execute_activity_method(
            DigestActivities.send_review_digest,
            DigestRequest(at=at),
            summary=f"review digest of {day.isoformat()}",
            start_to_close_timeout=MAIL_TIMEOUT,
            retry_policy=MAIL_RETRY,
        )
        workflow.logger.info("review digest listed %d proposals", len(result.project_ids))
        return DigestSent(day=day, project_ids=result.project_ids)


def due_at() -> datetime:
    """When the digest was due: the schedule's time for this run, so a run a worker picks up late (or a
    catch-up after a Temporal outage) lists what was waiting at 09:00 and is keyed by that day; a run
    started by hand, outside a schedule, is due when it starts."""
    scheduled = workflow.info().typed_search_attributes.get(SCHEDULED_START)
    return scheduled.astimezone(UTC) if scheduled is not None else workflow.now()


class DigestStart(BaseModel):
    days_per_run: int = 30


@workflow.defn
class ReviewDigestWorkflow:
    """Retired (replaced by the `review-digest` schedule). Keep byte for byte: open runs replay through it."""

    @workflow.run
    async def run(self, start: DigestStart) -> None:
        for _ in range(start.days_per_run):
            at = next_digest_at(workflow.now())
            workflow.set_current_details(f"Next review digest (R8) at {at.isoformat()}, 09:00 in Taipei")
            await workflow.sleep(at - workflow.now(), summary="until 09:00 in Taipei")
            result = await workflow.execute_activity_method(
                DigestActivities.send_review_digest,
                DigestRequest(at=at),
                summary=f"review digest of {taipei_date(at).isoformat()}",
                start_to_close_timeout=MAIL_TIMEOUT,
                retry_policy=MAIL_RETRY,
            )
            workflow.logger.info("review digest listed %d proposals", len(result.project_ids))
            if workflow.info().is_continue_as_new_suggested():
                break
        workflow.continue_as_new(start)
