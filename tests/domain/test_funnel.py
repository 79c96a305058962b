"""The funnel (SPEC §7): submitted → approved → supervised → closure report → passed, and median days per stage."""

from __future__ import annotations

import itertools

from hypothesis import given

from domain.funnel import FunnelStage, FunnelStep, funnel
from domain.impact import ImpactRecord
from domain.stages import Stage
from tests.domain.impact_records import IMPACT_PROPERTY, day, record, record_lists


def _counts(records: list[ImpactRecord]) -> dict[FunnelStep, int]:
    return {step.step: step.projects for step in funnel(records).steps}


def _medians(records: list[ImpactRecord]) -> dict[FunnelStage, float | None]:
    return {stage.stage: stage.median_days for stage in funnel(records).stages}


def test_each_project_counts_up_to_the_furthest_step_it_reached() -> None:
    """R8/R11/R18/R19: counts at each step of the funnel, from the dates and the stage."""
    records = [
        record(1),
        record(2, stage=Stage.FAILED),
        record(3, stage=Stage.IN_PROGRESS, closure_submitted_at=None, decided_at=None),
        record(4, stage=Stage.NEEDS_SUPERVISOR, supervised_at=None, closure_submitted_at=None, decided_at=None),
        record(5, stage=Stage.PROPOSAL_REVIEW, approved_at=None, supervised_at=None, closure_submitted_at=None),
    ]
    assert list(_counts(records).values()) == [5, 4, 3, 2, 1]


def test_a_later_step_implies_the_earlier_ones() -> None:
    """R9: a group member's proposal is approved without a review of its own; it still passed through approval."""
    assert _counts([record(approved_at=None)])[FunnelStep.APPROVED] == 1


def test_median_days_in_each_stage() -> None:
    """Stage times: the median of the days between the dates that close each stage."""
    records = [
        record(1, approved_at=day(1)),
        record(2, approved_at=day(2)),
        record(3, approved_at=day(10)),
    ]
    medians = _medians(records)
    assert medians[FunnelStage.REVIEW] == 2.0
    assert medians[FunnelStage.IMPLEMENTATION] == 50.0  # day 10 → day 60
    assert medians[FunnelStage.EVALUATION] == 7.0


def test_only_a_verdict_closes_the_evaluation_stage() -> None:
    """R19/R24: a withdrawal after the closure report is not an evaluation, and open stages are not measured."""
    withdrawn = record(stage=Stage.WITHDRAWN)
    stages = {s.stage: s for s in funnel([withdrawn]).stages}
    assert stages[FunnelStage.EVALUATION].measured == 0 and stages[FunnelStage.EVALUATION].median_days is None


def test_dates_out_of_order_are_left_out() -> None:
    """Stage times: an approval dated before its submission is a data error, not a stage of 0 days."""
    stages = {s.stage: s for s in funnel([record(approved_at=day(-3))]).stages}
    assert stages[FunnelStage.REVIEW].measured == 0


@IMPACT_PROPERTY
@given(record_lists)
def test_the_funnel_never_widens(records: list[ImpactRecord]) -> None:
    """Funnel: every project was submitted, and no step counts more projects than the one before it."""
    counts = list(_counts(records).values())
    assert counts[0] == len(records)
    assert all(a >= b for a, b in itertools.pairwise(counts))
    assert counts[-1] == sum(r.stage is Stage.PASSED for r in records)
    for stage in funnel(records).stages:
        assert stage.measured <= len(records)
        assert (stage.median_days is None) == (stage.measured == 0)
        assert stage.median_days is None or stage.median_days >= 0
