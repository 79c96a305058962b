"""ReviewDigestWorkflow: each morning at 09:00 Taipei time, the center hears which proposals have waited
3 days or more for review (R8).

One workflow for the whole course (id `review-digest`), started by the worker if it is not running yet.
It only keeps time: which proposals wait is read from the read model by the activity, when the digest is
due, so nothing here changes when projects do. A fresh run every `days_per_run` days keeps history short.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel
from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.contracts import DigestRequest
    from activities.digest import DigestActivities
    from domain.calendar import taipei_date
    from domain.digest import next_digest_at

WORKFLOW_ID = "review-digest"
DAYS_PER_RUN = 30  # a timer and an activity a day: under 400 events per run
# Like a project's mail, the digest waits out an SMTP outage: retried with backoff, visible as pending.
MAIL_TIMEOUT = timedelta(minutes=2)
MAIL_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=10))


class DigestStart(BaseModel):
    days_per_run: int = DAYS_PER_RUN


@workflow.defn
class ReviewDigestWorkflow:
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
