"""What a SemesterWorkflow does next (R22, R23, R25), from the calendar, its progress and the time."""

from __future__ import annotations

from datetime import date, timedelta

from domain.calendar import Semester
from domain.semesters import SemesterProgress, StepKind, next_step

FALL = Semester(
    id="2026-fall", starts_on=date(2026, 9, 1), final_exam_week_starts_on=date(2027, 1, 11), ends_on=date(2027, 1, 31)
)
EXAM = FALL.final_exam_week_starts_at
MID = FALL.starts_at + timedelta(days=30)


def announced(**changes: object) -> SemesterProgress:
    return SemesterProgress.model_validate({"announced_end": FALL.ends_at, **changes})


def test_a_new_end_is_announced_to_leaving_teachers_first() -> None:
    """R22/R25: on a first run, and whenever the calendar moves the end, the deadlines follow."""
    assert next_step(FALL, SemesterProgress(), MID).kind is StepKind.ANNOUNCE_DEPARTURES
    moved = FALL.model_copy(update={"ends_on": date(2027, 2, 7)})
    assert next_step(moved, announced(), MID).kind is StepKind.ANNOUNCE_DEPARTURES


def test_sleeps_until_final_exam_week_then_mails() -> None:
    """R23: the passing lists go out at the start of final exam week (Taipei midnight, R25)."""
    step = next_step(FALL, announced(), MID)
    assert (step.kind, step.until) == (StepKind.WAIT, EXAM)
    assert next_step(FALL, announced(), EXAM).kind is StepKind.EXAM_WEEK


def test_after_the_mailing_sleeps_until_the_end_then_done() -> None:
    """The workflow lives until the semester ends, so calendar edits reach it."""
    progress = announced(exam_week_finished_at=EXAM)
    step = next_step(FALL, progress, EXAM + timedelta(hours=1))
    assert (step.kind, step.until) == (StepKind.WAIT, FALL.ends_at)
    assert next_step(FALL, progress, FALL.ends_at).kind is StepKind.DONE


def test_a_mailing_under_way_goes_on_even_if_the_calendar_moves() -> None:
    """R23: a crash part-way resumes with the recipients fixed at the start, whatever the dates say now."""
    progress = announced(exam_week_recipients=["T1", "T2"], exam_week_done=1)
    later = FALL.model_copy(update={"final_exam_week_starts_on": date(2027, 1, 18)})
    assert next_step(later, progress.model_copy(update={"announced_end": later.ends_at}), EXAM).kind is (
        StepKind.EXAM_WEEK
    )


def test_a_semester_entered_after_its_end_sends_no_exam_week_mail() -> None:
    """R23: the lists are for signing before the end; too late is skipped, not sent."""
    assert next_step(FALL, announced(), FALL.ends_at + timedelta(days=1)).kind is StepKind.SKIP_EXAM_WEEK
    assert next_step(FALL, announced(exam_week_skipped=True), FALL.ends_at).kind is StepKind.DONE


def test_exam_week_moved_later_re_arms_the_timer() -> None:
    """R25: the office moves final exam week a week later; the workflow waits for the new date."""
    later = FALL.model_copy(update={"final_exam_week_starts_on": date(2027, 1, 18)})
    step = next_step(later, announced(), EXAM)
    assert (step.kind, step.until) == (StepKind.WAIT, later.final_exam_week_starts_at)
