"""The office's desk (SPEC §7, `domain.desk`): counts by stage, who is stuck and why, each reason's clock and
threshold (R8, R12, R20, R22, idle weeks), and read-model rows as the impact review's records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from domain.desk import StuckReason, impact_record, stage_counts, stuck
from domain.impact import impact_figures
from domain.project import ProjectSummary
from domain.stages import Stage
from domain.vocabulary import Category, Indicator, Priority, PriorityTag

T0 = datetime(2026, 9, 7, 2, 0, tzinfo=UTC)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def row(n: int = 1, stage: Stage = Stage.IN_PROGRESS, **changes: Any) -> ProjectSummary:
    fields: dict[str, Any] = {
        "id": f"p{n}",
        "student_id": f"B{n:08d}",
        "semester_id": "2026-fall",
        "stage": stage,
        "title": "Reading hour",
        "category": "external",
        "priority": "high",
        "group_id": None,
        "supervisor_id": None,
        "invited_faculty_id": None,
        "counted_hours": Decimal(0),
        "created_at": T0,
        "stage_since": T0,
        "updated_at": T0,
        "revision": 1,
        "credit_granted": None,
        "tags": ["volunteer"],
        "indicators_planned": ["usr"],
    }
    fields.update(changes)
    return ProjectSummary.model_validate(fields)


def reasons(rows: list[ProjectSummary], now: datetime, **kwargs: Any) -> list[tuple[str, StuckReason, int]]:
    return [
        (i.project_id, i.reason, i.age_days) for i in stuck(rows, leaving=kwargs.pop("leaving", {}), now=now, **kwargs)
    ]


def test_counts_cover_every_stage_with_zeros() -> None:
    """SPEC §3's stages in order, each counted, none left out."""
    counts = stage_counts([row(1, Stage.PASSED), row(2, Stage.PASSED), row(3, Stage.PROPOSAL_REVIEW)])
    assert [c.stage for c in counts] == list(Stage)
    assert {c.stage: c.projects for c in counts if c.projects} == {Stage.PASSED: 2, Stage.PROPOSAL_REVIEW: 1}


def test_unreviewed_proposal_after_r8s_three_days() -> None:
    """R8: a proposal in review for 3 days is stuck, aged from when it entered review; 2.9 days is not."""
    proposal = row(stage=Stage.PROPOSAL_REVIEW, stage_since=day(1))
    assert reasons([proposal], day(3.9)) == []
    assert reasons([proposal], day(6.5)) == [("p1", StuckReason.UNREVIEWED_PROPOSAL, 5)]


def test_unanswered_invitation_after_r12s_first_reminder() -> None:
    """R12: an invitation unanswered past its first reminder (3 days) names the invited teacher."""
    invited = row(stage=Stage.SUPERVISOR_INVITED, stage_since=day(0), invited_faculty_id="T1")
    assert reasons([invited], day(2)) == []
    [item] = stuck([invited], leaving={}, now=day(4))
    assert (item.reason, item.age_days, item.faculty_id) == (StuckReason.UNANSWERED_INVITATION, 4, "T1")


def test_no_hours_for_idle_weeks_counts_from_the_last_hours() -> None:
    """IN_PROGRESS with no hours for N weeks (3 by default), from the last hours or the confirmation."""
    quiet = row(1, supervised_at=day(0), stage_since=day(0), supervisor_id="T1")
    busy = row(2, supervised_at=day(0), stage_since=day(0), last_hours_at=day(15), supervisor_id="T1")
    assert reasons([quiet, busy], day(22)) == [("p1", StuckReason.NO_HOURS, 22)]
    assert reasons([quiet, busy], day(22), idle_weeks=1) == [
        ("p1", StuckReason.NO_HOURS, 22),
        ("p2", StuckReason.NO_HOURS, 7),
    ]


def test_overdue_evaluation_by_r20_day_and_the_center_told_from_day_21() -> None:
    """R20: overdue from the first reminder (day 7); the age is R20's day; from day 21 the center was told."""
    pending = row(stage=Stage.EVALUATION_PENDING, evaluation_started_at=day(10), supervisor_id="T1")
    assert reasons([pending], day(16)) == []
    [early] = stuck([pending], leaving={}, now=day(17))
    [late] = stuck([pending], leaving={}, now=day(31))
    assert (early.reason, early.age_days, early.center_told) == (StuckReason.EVALUATION_OVERDUE, 7, False)
    assert (late.age_days, late.center_told) == (21, True)


def test_handed_over_project_awaits_reassignment_since_its_deadline() -> None:
    """R22: a handed-over project is listed once, as awaiting reassignment, aged from the passed deadline."""
    handed = row(
        stage=Stage.EVALUATION_PENDING,
        supervisor_id="T9",
        supervised_at=day(0),
        evaluation_started_at=day(40),
        deadline=day(44),
        needs_reassignment=True,
    )
    assert reasons([handed], day(45), leaving={"T9": "2026-fall"}) == [
        ("p1", StuckReason.AWAITING_REASSIGNMENT, 1),
    ]


def test_leaving_teacher_with_open_project_is_listed_with_the_deadline() -> None:
    """R13/R22: an open project of a leaving teacher, with its deadline as `due`; a staying teacher's is not."""
    leaving = row(1, supervisor_id="T9", supervised_at=day(1), last_hours_at=day(20), deadline=day(100))
    staying = row(2, supervisor_id="T1", supervised_at=day(1), last_hours_at=day(20))
    finished = row(3, Stage.PASSED, supervisor_id="T9")
    [item] = stuck([leaving, staying, finished], leaving={"T9": "2026-fall"}, now=day(21))
    assert (item.project_id, item.reason, item.age_days, item.due) == (
        "p1",
        StuckReason.LEAVING_SUPERVISOR,
        20,
        day(100),
    )


def test_final_stages_are_never_stuck() -> None:
    """A finished project owes nobody anything."""
    rows = [row(n, stage, stage_since=day(0)) for n, stage in enumerate(Stage) if stage.is_final]
    assert stuck(rows, leaving={}, now=day(400)) == []


def test_longest_waiting_first() -> None:
    """The list is ordered by when each clock started."""
    young = row(1, Stage.PROPOSAL_REVIEW, stage_since=day(5))
    old = row(2, Stage.PROPOSAL_REVIEW, stage_since=day(1))
    assert [i.project_id for i in stuck([young, old], leaving={}, now=day(30))] == ["p2", "p1"]


@pytest.mark.parametrize("stage", list(Stage))
def test_row_becomes_an_impact_record(stage: Stage) -> None:
    """Codes, counted hours and dates carry over; the submission date is the row's creation."""
    record = impact_record(
        row(
            stage=stage,
            tags=["volunteer", "teaching_assistant"],
            indicators_reported=["usr", "problem_solving"],
            counted_hours=Decimal("36.5"),
            department="Design",
            approved_at=day(2),
            exempt=True,
        )
    )
    assert record.category is Category.EXTERNAL and record.priority is Priority.HIGH
    assert record.tags == [PriorityTag.VOLUNTEER, PriorityTag.TEACHING_ASSISTANT]
    assert record.indicators_reported == [Indicator.USR, Indicator.PROBLEM_SOLVING]
    assert (record.execution_hours, record.department, record.exempt) == (Decimal("36.5"), "Design", True)
    assert (record.submitted_at, record.approved_at) == (T0, day(2))
    assert impact_figures([record]).totals.tally.projects == 1
