"""SemesterWorkflow: one per semester (`semester-<id>`), living by the office's calendar (R22, R23, R25).

It does what `domain.semesters.next_step` says: re-announce departures when the end is new, sleep until
final exam week, mail every supervisor their passing list in bounded batches, then sleep until the end.
`clients.semester.schedule_semester` starts it or, when the calendar is edited, signals `dates_changed`
to the running one, which re-arms its timer. Progress is workflow state (carried across continue-as-new)
and every mail has an outbox key, so a crash part-way through the mailing resumes where it stopped.

R22's handover at the semester's end is not done here: each project's deadline is its own timer (the
deadline may be extended per project), and this workflow only keeps those deadlines on the calendar.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

from pydantic import BaseModel, Field
from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.departures import DepartureActivities, LeavingRequest
    from activities.semester import ExamWeekBatch, SemesterActivities, SemesterRef
    from domain.calendar import Semester
    from domain.semesters import SemesterProgress, StepKind, next_step
    from workflows.departure import start_or_nudge

QUICK_TIMEOUT = timedelta(minutes=1)
BATCH_TIMEOUT = timedelta(minutes=10)  # 50 mails, each with a PDF of ~0.3 s, through a slow SMTP server
HEARTBEAT = timedelta(minutes=2)
RETRY = RetryPolicy(maximum_interval=timedelta(minutes=10))


def workflow_id(semester_id: str) -> str:
    return f"semester-{semester_id}"


class SemesterStart(BaseModel):
    semester: Semester
    batch_size: int = 50
    progress: SemesterProgress = Field(default_factory=SemesterProgress)


@workflow.defn
class SemesterWorkflow:
    @workflow.init
    def __init__(self, start: SemesterStart) -> None:
        self._semester = start.semester
        self._progress = start.progress
        self._changed = False

    @workflow.run
    async def run(self, start: SemesterStart) -> SemesterProgress:
        while True:
            step = next_step(self._semester, self._progress, workflow.now())
            if step.kind is StepKind.DONE:
                await workflow.wait_condition(workflow.all_handlers_finished)
                return self._progress
            if step.kind is StepKind.ANNOUNCE_DEPARTURES:
                await self._announce_departures()
            elif step.kind is StepKind.EXAM_WEEK:
                await self._exam_week(start.batch_size)
            elif step.kind is StepKind.SKIP_EXAM_WEEK:
                self._progress.exam_week_skipped = True
                workflow.logger.info("semester %s entered after it ended: no final-exam-week mail", self._semester.id)
            else:
                assert step.until is not None
                self._changed = False
                workflow.set_current_details(f"Waiting for {step.why} at {step.until.isoformat()}")
                with contextlib.suppress(asyncio.TimeoutError):
                    await workflow.wait_condition(
                        lambda: self._changed,
                        timeout=max(step.until - workflow.now(), timedelta(seconds=1)),
                        timeout_summary=step.why,
                    )
            if workflow.info().is_continue_as_new_suggested() and workflow.all_handlers_finished():
                workflow.continue_as_new(
                    start.model_copy(update={"semester": self._semester, "progress": self._progress})
                )

    async def _announce_departures(self) -> None:
        """R22: the teachers leaving after this semester get its (new) end as their projects' deadline."""
        end = self._semester.ends_at
        leaving = await workflow.execute_activity_method(
            DepartureActivities.faculty_leaving_after,
            LeavingRequest(semester_id=self._semester.id),
            start_to_close_timeout=QUICK_TIMEOUT,
            retry_policy=RETRY,
            summary=f"deadline {end.isoformat()} (R22)",
        )
        for faculty_id in leaving:
            await start_or_nudge(faculty_id)
        self._progress.announced_end = end

    async def _exam_week(self, batch_size: int) -> None:
        progress = self._progress
        if progress.exam_week_recipients is None:
            found = await workflow.execute_activity_method(
                SemesterActivities.exam_week_supervisors,
                SemesterRef(semester_id=self._semester.id),
                start_to_close_timeout=QUICK_TIMEOUT,
                retry_policy=RETRY,
            )
            progress.exam_week_recipients = found.faculty_ids
        recipients = progress.exam_week_recipients
        while progress.exam_week_done < len(recipients):
            batch = recipients[progress.exam_week_done : progress.exam_week_done + batch_size]
            workflow.set_current_details(
                f"Final exam week (R23): mailing supervisors, {progress.exam_week_done} of {len(recipients)} done"
            )
            await workflow.execute_activity_method(
                SemesterActivities.send_exam_week_mails,
                ExamWeekBatch(semester=self._semester, faculty_ids=batch),
                start_to_close_timeout=BATCH_TIMEOUT,
                heartbeat_timeout=HEARTBEAT,
                retry_policy=RETRY,
                summary=f"supervisors {progress.exam_week_done + 1}-{progress.exam_week_done + len(batch)}",
            )
            progress.exam_week_done += len(batch)
        progress.exam_week_finished_at = workflow.now()

    @workflow.signal
    def dates_changed(self, semester: Semester) -> None:
        """The office edited the calendar (R25): timers re-arm to the new dates."""
        if semester.id == self._semester.id:
            self._semester = semester
            self._changed = True

    @workflow.query
    def semester(self) -> Semester:
        return self._semester
