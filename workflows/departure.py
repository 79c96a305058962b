"""DepartureWorkflow: tell every open project of one teacher that they leave NTUST, or stay (R13, R22).

A workflow rather than a plain function, because a teacher may supervise hundreds of projects and a
fan-out that dies half-way (an API process restarted mid-request) must go on, not stop or start over:

- one per teacher, id `departure-<faculty_id>`, started or signalled (`directory_changed`) each time their
  `leaving_after` changes, so changes to one teacher reach the projects in order;
- each pass reads the directory as it is when the pass runs, so a quick leave-then-stay ends with "stay"
  everywhere, and a change during a pass starts a fresh pass;
- the pass signals the projects in batches of `batch_size` through activities; the last project id told
  is in history, so after a worker crash the pass resumes at the next batch. Projects ignore news they
  already have, so a batch retried after a crash is harmless.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel
from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.departures import DepartureActivities, DepartureBatch, DepartureNews, DepartureRequest

TIMEOUT = timedelta(minutes=2)
RETRY = RetryPolicy(maximum_interval=timedelta(minutes=1))


def workflow_id(faculty_id: str) -> str:
    return f"departure-{faculty_id}"


class DepartureStart(BaseModel):
    faculty_id: str
    batch_size: int = 50
    # Carried across continue-as-new: the pass under way and how many projects were told so far.
    news: DepartureNews | None = None
    after: str | None = None
    told: int = 0


class DepartureReport(BaseModel):
    faculty_id: str
    told: int


@workflow.defn
class DepartureWorkflow:
    @workflow.init
    def __init__(self, start: DepartureStart) -> None:
        self._changed = start.news is None  # a fresh start is itself a change to tell

    @workflow.run
    async def run(self, start: DepartureStart) -> DepartureReport:
        news, after, told = start.news, start.after, start.told
        while True:
            if self._changed or news is None:
                self._changed = False
                news = await workflow.execute_activity_method(
                    DepartureActivities.departure_news,
                    DepartureRequest(faculty_id=start.faculty_id, at=workflow.now()),
                    start_to_close_timeout=TIMEOUT,
                    retry_policy=RETRY,
                )
                after = None
            what = f"leaves after {news.semester_id}" if news.leaving else "stays"
            workflow.set_current_details(f"Telling the open projects of {start.faculty_id} that they {what}: {told}")
            done = await workflow.execute_activity_method(
                DepartureActivities.signal_departure_batch,
                DepartureBatch(news=news, after=after, limit=start.batch_size),
                start_to_close_timeout=TIMEOUT,
                retry_policy=RETRY,
                summary=f"after {after}" if after else "first batch",
            )
            told, after = told + done.told, done.next_after
            if after is None and not self._changed:
                await workflow.wait_condition(workflow.all_handlers_finished)
                if not self._changed:
                    return DepartureReport(faculty_id=start.faculty_id, told=told)
            if workflow.info().is_continue_as_new_suggested():
                resume = None if self._changed else news
                workflow.continue_as_new(start.model_copy(update={"news": resume, "after": after, "told": told}))

    @workflow.signal
    def directory_changed(self) -> None:
        """The teacher's leaving_after changed again: tell their projects the directory's latest word."""
        self._changed = True
