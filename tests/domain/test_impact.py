"""The USR impact review's figures (SPEC §7): outcomes by category, priority, tag, indicator, department and
partner type, per semester and across semesters."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from pydantic import ValidationError

from domain.impact import (
    ImpactRecord,
    PartnerType,
    Tally,
    impact_figures,
    partner_type_of,
    semester_order,
    tally,
)
from domain.stages import Stage
from domain.vocabulary import Category, Indicator, Priority, PriorityTag
from tests.domain.impact_records import IMPACT_PROPERTY, record, record_lists

USR = Indicator.USR
ADDITIVE = ("projects", "passed", "failed", "rejected", "withdrawn", "open", "exempt", "execution_hours")


def _sum(tallies: list[Tally], field: str) -> object:
    return sum((getattr(t, field) for t in tallies), Decimal(0) if field == "execution_hours" else 0)


@pytest.mark.parametrize(
    ("category", "expected"),
    [
        (Category.INTERNAL, PartnerType.ON_CAMPUS),
        (Category.EXTERNAL, PartnerType.EXTERNAL_ORGANISATION),
        (Category.CLUB, PartnerType.CLUB),
        (Category.PUBLIC_SERVICE, PartnerType.COMMUNITY),
        (Category.SKILL_BUILDING, PartnerType.EXTERNAL_ORGANISATION),
    ],
)
def test_partner_type_follows_the_category(category: Category, expected: PartnerType) -> None:
    """R5: the category says who offers the activity, so it names the partner when no tag says otherwise."""
    assert partner_type_of(category, [PriorityTag.VOLUNTEER]) is expected


@pytest.mark.parametrize(
    "tag",
    [
        PriorityTag.CAMPUS_OFFICE_SERVICE,
        PriorityTag.TEACHING_ASSISTANT,
        PriorityTag.COURSE_OR_LAB_ASSISTANT,
        PriorityTag.RECEPTION_WORK,
    ],
)
def test_on_campus_service_tags_place_the_partner_on_campus(tag: PriorityTag) -> None:
    """R6: service at campus offices, departments and labs is on-campus work whatever category was picked."""
    assert partner_type_of(Category.EXTERNAL, [tag]) is PartnerType.ON_CAMPUS
    assert record(category=Category.CLUB, tags=[tag]).partner_type is PartnerType.ON_CAMPUS


def test_pass_rate_is_passed_over_decided() -> None:
    """Pass rate = passed / (passed + failed): rejected, withdrawn and open projects are no verdict on the work."""
    stages = [*[Stage.PASSED] * 3, Stage.FAILED, Stage.REJECTED, Stage.WITHDRAWN, Stage.IN_PROGRESS]
    counted = tally(record(n, stage=stage) for n, stage in enumerate(stages))

    assert (counted.passed, counted.failed, counted.rejected, counted.withdrawn, counted.open) == (3, 1, 1, 1, 1)
    assert counted.decided == 4 and counted.pass_rate == 0.75


def test_nothing_decided_has_no_pass_rate() -> None:
    """Pass rate: with nothing decided there is no rate, which is not the same as a rate of 0."""
    assert tally([record(stage=Stage.IN_PROGRESS)]).pass_rate is None
    assert tally([record(stage=Stage.FAILED)]).pass_rate == 0


def test_students_are_counted_once_however_many_projects() -> None:
    """R2: a student may run several projects (credit once); the student count is of distinct students."""
    counted = tally([record(1), record(2, student_id="B11200001"), record(3, student_id="B11200001")])
    assert counted.projects == 3 and counted.students == 1


def test_every_category_priority_partner_and_indicator_is_listed_even_at_zero() -> None:
    """R5/R6/R7: breakdowns keep their shape from semester to semester, so tables and charts compare."""
    figures = impact_figures([record()])

    assert [row.key for row in figures.by_category] == list(Category)
    assert [row.key for row in figures.by_priority] == list(Priority)
    assert [row.key for row in figures.by_tag] == list(PriorityTag)
    assert [row.key for row in figures.by_partner_type] == list(PartnerType)
    assert [row.indicator for row in figures.indicators.rows] == list(Indicator)
    assert sum(row.tally.projects for row in figures.by_category) == 1


def test_a_project_with_several_tags_counts_under_each() -> None:
    """R6: tags are not exclusive; its priority is still one (high wins)."""
    figures = impact_figures([record(tags=[PriorityTag.VOLUNTEER, PriorityTag.TEACHING_ASSISTANT])])
    counted = {row.key: row.tally.projects for row in figures.by_tag}

    assert counted[PriorityTag.VOLUNTEER] == counted[PriorityTag.TEACHING_ASSISTANT] == 1
    assert {row.key: row.tally.projects for row in figures.by_priority}[Priority.HIGH] == 1


def test_departments_most_projects_first_and_unsupervised_last() -> None:
    """Departments (the supervisor's) by size; projects without a supervisor yet form their own row, last."""
    records = [
        record(1, department="Design"),
        record(2, department=None, stage=Stage.NEEDS_SUPERVISOR),
        record(3, department="Civil Engineering"),
        record(4, department="Civil Engineering"),
    ]
    rows = impact_figures(records).by_department
    assert [(row.key, row.tally.projects) for row in rows] == [("Civil Engineering", 2), ("Design", 1), (None, 1)]


def test_hours_add_up_per_department() -> None:
    """R14/R15: only counted execution hours are fed in; they add up per department and overall."""
    records = [
        record(1, execution_hours=Decimal("36.5")),
        record(2, execution_hours=Decimal(40)),
        record(3, department="Design", execution_hours=Decimal(12)),
    ]
    figures = impact_figures(records)
    assert {row.key: row.tally.execution_hours for row in figures.by_department} == {
        "Civil Engineering": Decimal("76.5"),
        "Design": Decimal(12),
    }
    assert figures.totals.tally.execution_hours == Decimal("88.5")


def test_a_semester_is_its_cohort_and_credits_count_where_they_were_granted() -> None:
    """R21/R25: a project submitted in spring and passed in fall belongs to spring's cohort, and its credit
    to fall's credits, as in the credit ledger and the passing lists."""
    late = record(1, semester_id="2026-spring", credit_semester_id="2026-fall")
    fall = record(2)

    spring_figures = impact_figures([late, fall], ["2026-spring"])
    fall_figures = impact_figures([late, fall], ["2026-fall"])

    assert spring_figures.totals.tally.passed == 1 and spring_figures.totals.credits_granted == 0
    assert fall_figures.totals.tally.passed == 1 and fall_figures.totals.credits_granted == 2
    both = impact_figures([late, fall])
    assert both.semesters == ["2026-spring", "2026-fall"]
    assert [(p.semester_id, p.tally.projects, p.credits_granted) for p in both.series] == [
        ("2026-spring", 1, 0),
        ("2026-fall", 1, 2),
    ]


def test_passes_without_credit_and_exemptions() -> None:
    """R2: a pass by a student who already held the credit grants none; R3: exempt students are counted once."""
    records = [
        record(1, credit_granted=False, exempt=True),
        record(2, student_id="B11200001", stage=Stage.IN_PROGRESS, credit_granted=None, exempt=True),
        record(3),
    ]
    totals = impact_figures(records).totals
    assert totals.passed_without_credit == 1 and totals.credits_granted == 1
    assert totals.exempt_students == 1 and totals.tally.exempt == 2


def test_indicators_planned_against_reported() -> None:
    """R7/R18: per indicator, how many proposals planned it, and among filed reports which planned indicators
    were kept, dropped, or added; projects without a report do not count as dropping anything."""
    records = [
        record(1, indicators_planned=[USR], indicators_reported=[USR, Indicator.PROBLEM_SOLVING]),
        record(2, indicators_planned=[USR, Indicator.CIVIC_CONSCIOUSNESS], indicators_reported=[USR]),
        record(
            3,
            stage=Stage.IN_PROGRESS,
            indicators_planned=[USR],
            indicators_reported=[],
            closure_submitted_at=None,
            decided_at=None,
        ),
    ]
    figures = impact_figures(records).indicators
    rows = {row.indicator: row for row in figures.rows}

    assert (rows[Indicator.USR].planned.projects, rows[Indicator.USR].reported, rows[Indicator.USR].kept) == (3, 2, 2)
    assert rows[Indicator.USR].dropped == 0 and rows[Indicator.USR].agreement == 1
    assert (rows[Indicator.CIVIC_CONSCIOUSNESS].dropped, rows[Indicator.CIVIC_CONSCIOUSNESS].agreement) == (1, 0)
    assert (rows[Indicator.PROBLEM_SOLVING].added, rows[Indicator.PROBLEM_SOLVING].planned.projects) == (1, 0)
    assert rows[Indicator.CROSS_DISCIPLINARY].agreement is None
    assert figures.reporting_projects == 2
    assert figures.agreement == pytest.approx(2 / 4)  # USR twice kept; one dropped, one added


def test_semester_ids_sort_by_academic_calendar() -> None:
    """R25: `2026-spring` (February) comes before `2026-fall` (August); ids of another shape come last."""
    ids = ["2026-fall", "custom", "2025-fall", "2026-spring"]
    assert sorted(ids, key=semester_order) == ["2025-fall", "2026-spring", "2026-fall", "custom"]


def test_selected_semesters_are_listed_in_order_even_when_empty() -> None:
    """Across semesters: the series covers what was asked for, in calendar order, once each."""
    figures = impact_figures([record()], ["2026-fall", "2025-fall", "2026-fall"])
    assert figures.semesters == ["2025-fall", "2026-fall"]
    assert [p.tally.projects for p in figures.series] == [0, 1]


def test_records_carry_no_names_and_need_zoned_dates() -> None:
    """SPEC §6: the review is fed ids, never names; dates without a zone would shift the Taipei calendar."""
    assert not {"name", "student_name", "email", "title"} & set(ImpactRecord.model_fields)
    with pytest.raises(ValidationError):
        record(submitted_at=record().submitted_at.replace(tzinfo=None))  # type: ignore[union-attr]


def test_small_rows_are_flagged_for_suppression() -> None:
    """Privacy: a published row drawn from fewer than the threshold of students is hidden; an empty one is not."""
    assert tally([record(1), record(2)]).suppressed(3)
    assert not tally([record(n) for n in range(3)]).suppressed(3)
    assert not tally([]).suppressed(3)


@IMPACT_PROPERTY
@given(record_lists)
def test_totals_equal_the_sum_of_every_partition(records: list[ImpactRecord]) -> None:
    """Totals: each additive figure of the whole equals the sum over categories, priorities, partner types,
    departments and semesters (each project sits in exactly one of each)."""
    figures = impact_figures(records)
    for partition in (
        [row.tally for row in figures.by_category],
        [row.tally for row in figures.by_priority],
        [row.tally for row in figures.by_partner_type],
        [row.tally for row in figures.by_department],
        [point.tally for point in figures.series],
    ):
        for field in ADDITIVE:
            assert _sum(partition, field) == getattr(figures.totals.tally, field), field
        assert max((t.students for t in partition), default=0) <= figures.totals.tally.students
        assert sum(t.students for t in partition) >= figures.totals.tally.students
    assert figures.totals.credits_granted == sum(point.credits_granted for point in figures.series)


@IMPACT_PROPERTY
@given(record_lists)
def test_outcomes_partition_each_tally_and_rates_are_rates(records: list[ImpactRecord]) -> None:
    """Pass rate: every project is passed, failed, rejected, withdrawn or open; the rate lies in [0, 1] and
    is None exactly when nothing is decided."""
    figures = impact_figures(records)
    tallies = [row.tally for row in figures.by_category] + [row.tally for row in figures.by_tag]
    for t in [*tallies, *(row.tally for row in figures.by_department), figures.totals.tally]:
        assert t.passed + t.failed + t.rejected + t.withdrawn + t.open == t.projects
        assert (t.pass_rate is None) == (t.decided == 0)
        assert t.pass_rate is None or 0 <= t.pass_rate <= 1


@IMPACT_PROPERTY
@given(record_lists)
def test_tags_and_indicators_count_each_project_once_per_label(records: list[ImpactRecord]) -> None:
    """R6/R7: multi-valued labels: a tag row counts the projects carrying it, an indicator row the projects
    planning it; kept + dropped is what the reporting projects planned."""
    figures = impact_figures(records)
    assert sum(row.tally.projects for row in figures.by_tag) == sum(len(r.tags) for r in records)
    for row in figures.indicators.rows:
        assert row.planned.projects == sum(row.indicator in r.indicators_planned for r in records)
        reporting = [r for r in records if r.has_report]
        assert row.kept + row.dropped == sum(row.indicator in r.indicators_planned for r in reporting)
        assert row.kept + row.added == row.reported
    agreement = figures.indicators.agreement
    assert agreement is None or 0 <= agreement <= 1


@IMPACT_PROPERTY
@given(record_lists)
def test_a_selection_is_the_figures_of_its_cohort(records: list[ImpactRecord]) -> None:
    """Per semester: the figures of a selection are those of the projects submitted in it."""
    figures = impact_figures(records, ["2026-spring"])
    assert figures.totals.tally == tally(r for r in records if r.semester_id == "2026-spring")
    assert figures.totals.credits_granted == sum(
        bool(r.credit_granted) and r.credit_semester_id == "2026-spring" for r in records
    )
