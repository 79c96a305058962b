"""What a semester's workflow does next (R22, R23, R25): a pure step from the calendar, progress and time.

In order: when the semester's end is new (first run, or the calendar moved it), re-announce the departures
of teachers leaving after it, so their projects' deadlines follow the calendar (R22); from the first day
of final exam week until the semester ends, mail every supervisor their passing list (R23), once; a
semester entered after it ended sends no final-exam-week mail. The workflow lives until the semester
ends so that calendar edits reach it, and each project hands itself over at its own deadline (R22).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel

from domain.calendar import Semester


class SemesterProgress(BaseModel):
    """What is done, carried across continue-as-new."""

    announced_end: datetime | None = None  # the end the departures were last announced for (R22)
    exam_week_recipients: list[str] | None = None  # fixed when the mailing starts (R23)
    exam_week_done: int = 0  # recipients handled so far: a crash resumes after them
    exam_week_finished_at: datetime | None = None
    exam_week_skipped: bool = False  # the semester was entered (or moved) after it ended


class StepKind(StrEnum):
    ANNOUNCE_DEPARTURES = "announce_departures"
    EXAM_WEEK = "exam_week"
    SKIP_EXAM_WEEK = "skip_exam_week"
    WAIT = "wait"
    DONE = "done"


class Step(BaseModel):
    kind: StepKind
    until: datetime | None = None  # for WAIT
    why: str = ""


def exam_week_finished(progress: SemesterProgress) -> bool:
    return progress.exam_week_finished_at is not None or progress.exam_week_skipped


def next_step(semester: Semester, progress: SemesterProgress, now: datetime) -> Step:
    if progress.announced_end != semester.ends_at:
        return Step(kind=StepKind.ANNOUNCE_DEPARTURES)
    if not exam_week_finished(progress):
        if progress.exam_week_recipients is not None:
            return Step(kind=StepKind.EXAM_WEEK)  # a mailing under way goes on, whatever the calendar says now
        if now >= semester.ends_at:
            return Step(kind=StepKind.SKIP_EXAM_WEEK)
        if now >= semester.final_exam_week_starts_at:
            return Step(kind=StepKind.EXAM_WEEK)
        return Step(kind=StepKind.WAIT, until=semester.final_exam_week_starts_at, why="final exam week (R23)")
    if now < semester.ends_at:
        return Step(kind=StepKind.WAIT, until=semester.ends_at, why="semester end")
    return Step(kind=StepKind.DONE)
