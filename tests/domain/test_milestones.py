"""The dates a project's list row carries for the office's desk and the impact review (SPEC §7), read from
the audit trail (`domain.milestones`), and the row a running project writes equal to the row its archived
view gives (`summarize` and `summary_of_view`)."""

from __future__ import annotations

import pytest

from domain.stages import Stage
from domain.view import build_view, summarize, summary_of_view
from domain.vocabulary import Indicator
from tests.domain.factories import (
    ACCEPTED_AT,
    EVALUATED_AT,
    REVIEWED_AT,
    SUBMITTED_AT,
    T0,
    WORKED_AT,
    project_at,
)


def test_passed_project_carries_every_step_date() -> None:
    """Approved at the review, supervised at the acceptance, reported at the closure report, decided at the pass."""
    row = summarize(project_at(Stage.PASSED))
    assert (row.approved_at, row.supervised_at, row.closure_submitted_at, row.decided_at) == (
        REVIEWED_AT,
        ACCEPTED_AT,
        SUBMITTED_AT,
        EVALUATED_AT,
    )
    assert row.last_hours_at == WORKED_AT
    assert row.indicators_planned == [Indicator.CIVIC_CONSCIOUSNESS.value]
    assert row.indicators_reported == [Indicator.CIVIC_CONSCIOUSNESS.value]
    assert row.department == "Civil Engineering"
    assert row.evaluation_started_at is None  # R20's clock stops with the verdict


def test_open_project_has_no_decision_date_and_runs_r20s_clock() -> None:
    """EVALUATION_PENDING: reported but undecided, and R20 counts from the submission."""
    row = summarize(project_at(Stage.EVALUATION_PENDING))
    assert row.closure_submitted_at == SUBMITTED_AT
    assert row.decided_at is None
    assert row.evaluation_started_at == SUBMITTED_AT


def test_revision_keeps_the_first_report_date() -> None:
    """A returned report (R19 revise) leaves the closure date at the first submission."""
    row = summarize(project_at(Stage.REVISION_REQUESTED))
    assert row.closure_submitted_at == SUBMITTED_AT
    assert row.decided_at is None


def test_rejected_project_is_decided_but_never_approved() -> None:
    """R8 reject: a final stage with no approval or later step."""
    row = summarize(project_at(Stage.REJECTED))
    assert row.approved_at is None and row.supervised_at is None
    assert row.decided_at == REVIEWED_AT
    assert row.created_at == T0


@pytest.mark.parametrize("stage", list(Stage))
def test_archived_view_gives_the_same_row(stage: Stage) -> None:
    """The row a finished project's archived view gives (`praxis desk backfill`) is the row its state wrote."""
    state = project_at(stage)
    assert summary_of_view(build_view(state, EVALUATED_AT)) == summarize(state)
