"""The USR impact review (SPEC §7): one anonymous record per project in, the office's figures out.

The Ministry of Education asks universities to assess the impact of their social engagement; the course
office reports it per semester and across semesters. Everything here is a pure function of
`ImpactRecord`s, which carry ids but no names, so the figures, charts, report and exports are reproducible
from the same rows.

Rules the figures follow (each pinned by a test in tests/domain/test_impact.py):
- A project belongs to the semester it was submitted in (`semester_id`): the figures of a semester are
  its cohort, followed to whatever became of it, even when it passed in a later semester (R25 "no need
  to rush").
- Credits granted count by the semester of the pass (`credit_semester_id`, R21), like the credit ledger
  and the passing lists, so they can differ from the cohort's passes.
- Pass rate = passed / decided, where decided = passed + failed; rejected, withdrawn and open projects
  are no verdict on the work, and a tally with nothing decided has no pass rate (None, not 0).
- Breakdowns cover every category, priority, tag, partner type and indicator, zeros included, so charts
  and tables keep their shape from one semester to the next.

One module, a little past ~300 lines: every figure is a tally over the same records under the rules above,
and keeping them together keeps one definition of "passed", "decided" and "the semester's cohort".
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from decimal import Decimal
from enum import StrEnum
from typing import Generic, TypeVar

from pydantic import AwareDatetime, BaseModel, Field, computed_field

from domain.funnel import Funnel, funnel
from domain.profile import NTUST_V1, Frame
from domain.stages import Stage
from domain.vocabulary import Category, Priority, PriorityTag


class PartnerType(StrEnum):
    """Who the student works with or for, as the USR programme asks ("local communities", "non-profits",
    "industries", "venues for practice" and the university's own units).

    Derived from the R5 category, which says who offers the activity, except that the R6 tags naming
    on-campus work (office, department or library service, teaching or lab assistance, departmental
    reception) place the project on campus whatever category was picked.
    """

    ON_CAMPUS = "on_campus"  # R5 internal: offered by the school or teachers; R6 on-campus service tags
    EXTERNAL_ORGANISATION = "external_organisation"  # R5 external, and off-campus skill building
    CLUB = "club"  # R5 club: on- or off-campus social clubs
    COMMUNITY = "community"  # R5 public service, on or off campus: the public is the partner


ON_CAMPUS_TAGS = frozenset(
    {
        PriorityTag.CAMPUS_OFFICE_SERVICE,
        PriorityTag.TEACHING_ASSISTANT,
        PriorityTag.COURSE_OR_LAB_ASSISTANT,
        PriorityTag.RECEPTION_WORK,
    }
)
_PARTNER_BY_CATEGORY = {
    Category.INTERNAL: PartnerType.ON_CAMPUS,
    Category.EXTERNAL: PartnerType.EXTERNAL_ORGANISATION,
    Category.CLUB: PartnerType.CLUB,
    Category.PUBLIC_SERVICE: PartnerType.COMMUNITY,
    Category.SKILL_BUILDING: PartnerType.EXTERNAL_ORGANISATION,
}


def partner_type_of(category: Category, tags: Iterable[PriorityTag]) -> PartnerType:
    """On campus if any on-campus service tag, else what the category says."""
    if any(tag in ON_CAMPUS_TAGS for tag in tags):
        return PartnerType.ON_CAMPUS
    return _PARTNER_BY_CATEGORY[category]


class ImpactRecord(BaseModel):
    """One project as the impact review sees it: ids, classifications, counted hours and outcome dates.

    `closure_submitted_at` is the first closure report's submission (revisions keep the supervisor's
    clock running); `decided_at` is when the project reached its final stage.
    """

    project_id: str
    student_id: str
    semester_id: str
    credit_semester_id: str | None = None
    stage: Stage
    category: Category
    tags: list[PriorityTag] = Field(default_factory=list)
    priority: Priority
    department: str | None = None  # the supervisor's, from the faculty directory
    # Ids of the course profile's frame (NTUST's indicators, or a profile's competencies).
    indicators_planned: list[str] = Field(default_factory=list)
    indicators_reported: list[str] = Field(default_factory=list)
    execution_hours: Decimal = Field(default=Decimal(0), ge=0)
    credit_granted: bool | None = None
    exempt: bool = False
    submitted_at: AwareDatetime | None = None
    approved_at: AwareDatetime | None = None
    supervised_at: AwareDatetime | None = None
    closure_submitted_at: AwareDatetime | None = None
    decided_at: AwareDatetime | None = None

    @property
    def partner_type(self) -> PartnerType:
        return partner_type_of(self.category, self.tags)

    @property
    def has_report(self) -> bool:
        return self.closure_submitted_at is not None or bool(self.indicators_reported)


class Tally(BaseModel):
    """Projects and their outcomes; every field but `students` adds up across a partition."""

    projects: int = 0
    students: int = 0  # distinct students
    passed: int = 0
    failed: int = 0
    rejected: int = 0
    withdrawn: int = 0
    open: int = 0  # not in a final stage yet
    exempt: int = 0  # projects by students exempt through internship credit (R3)
    execution_hours: Decimal = Decimal(0)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def decided(self) -> int:
        return self.passed + self.failed

    @computed_field  # type: ignore[prop-decorator]
    @property
    def pass_rate(self) -> float | None:
        """passed / (passed + failed); None when nothing is decided."""
        return self.passed / self.decided if self.decided else None

    def suppressed(self, min_students: int) -> bool:
        """Whether a published table should hide this row: drawn from some, but fewer than `min_students`."""
        return 0 < self.students < min_students


_OUTCOME = {Stage.PASSED: "passed", Stage.FAILED: "failed", Stage.REJECTED: "rejected", Stage.WITHDRAWN: "withdrawn"}


def tally(records: Iterable[ImpactRecord]) -> Tally:
    counts = {"passed": 0, "failed": 0, "rejected": 0, "withdrawn": 0, "open": 0}
    projects = exempt = 0
    students: set[str] = set()
    hours = Decimal(0)
    for record in records:
        projects += 1
        students.add(record.student_id)
        counts[_OUTCOME.get(record.stage, "open")] += 1
        exempt += record.exempt
        hours += record.execution_hours
    return Tally(projects=projects, students=len(students), exempt=exempt, execution_hours=hours, **counts)


K = TypeVar("K")


class Row(BaseModel, Generic[K]):
    key: K
    tally: Tally


class IndicatorRow(BaseModel):
    """R7: an indicator as planned in proposals and as reported in closure reports.

    `kept`, `dropped` and `added` count only projects that filed a report: planned and reported,
    planned but not reported, reported without being planned.
    """

    indicator: str  # an id of the course profile's frame
    en: str = ""  # its names in the frame (the id itself for one the frame no longer has)
    zh: str = ""
    planned: Tally  # projects that planned it, and what became of them
    reported: int
    kept: int
    dropped: int
    added: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def agreement(self) -> float | None:
        """kept / (kept + dropped + added): 1 when every report says what its proposal planned."""
        either = self.kept + self.dropped + self.added
        return self.kept / either if either else None


class IndicatorFigures(BaseModel):
    rows: list[IndicatorRow]
    reporting_projects: int
    kind: str = "indicators"  # the course profile's frame: "indicators" or "competencies"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def agreement(self) -> float | None:
        """Over all reports: indicators both planned and reported / indicators planned or reported."""
        kept = sum(row.kept for row in self.rows)
        either = kept + sum(row.dropped + row.added for row in self.rows)
        return kept / either if either else None


class SemesterPoint(BaseModel):
    semester_id: str
    tally: Tally  # the semester's cohort (projects submitted in it)
    credits_granted: int  # credits recorded in it (R21), whichever semester the project was submitted in


class Totals(BaseModel):
    tally: Tally
    credits_granted: int  # by the semester of the pass (R21)
    passed_without_credit: int  # R2: the student already held the credit
    exempt_students: int  # R3


class ImpactFigures(BaseModel):
    semesters: list[str]
    totals: Totals
    by_category: list[Row[Category]]
    by_priority: list[Row[Priority]]
    by_tag: list[Row[PriorityTag]]  # a project with several tags counts under each
    by_partner_type: list[Row[PartnerType]]
    by_department: list[Row[str | None]]  # most projects first; None (no supervisor yet) last
    indicators: IndicatorFigures
    series: list[SemesterPoint]
    funnel: Funnel


def semester_order(semester_id: str) -> tuple[int, int, str]:
    """`2026-spring` before `2026-fall` (R25 ids); ids of another shape after, alphabetically."""
    year, _, term = semester_id.partition("-")
    if year.isdigit() and term in ("spring", "fall"):
        return (int(year), 0 if term == "spring" else 1, "")
    return (1_000_000, 0, semester_id)


def _rows(
    records: Sequence[ImpactRecord], keys: Iterable[K], keys_of: Callable[[ImpactRecord], Collection[K]]
) -> list[Row[K]]:
    return [Row(key=key, tally=tally(r for r in records if key in keys_of(r))) for key in keys]


def _by_department(records: Sequence[ImpactRecord]) -> list[Row[str | None]]:
    departments = {r.department for r in records}
    rows = [Row[str | None](key=name, tally=tally(r for r in records if r.department == name)) for name in departments]
    return sorted(rows, key=lambda row: (row.key is None, -row.tally.projects, row.key or ""))


def _indicator_row(indicator: str, en: str, zh: str, records: Sequence[ImpactRecord]) -> IndicatorRow:
    pairs = [(indicator in r.indicators_planned, indicator in r.indicators_reported) for r in records if r.has_report]
    return IndicatorRow(
        indicator=indicator,
        en=en,
        zh=zh,
        planned=tally(r for r in records if indicator in r.indicators_planned),
        reported=sum(reported for _, reported in pairs),
        kept=sum(planned and reported for planned, reported in pairs),
        dropped=sum(planned and not reported for planned, reported in pairs),
        added=sum(reported and not planned for planned, reported in pairs),
    )


def indicator_figures(records: Sequence[ImpactRecord], frame: Frame = NTUST_V1.frame) -> IndicatorFigures:
    """R7 per the course profile's frame: every item, zeros included, in the frame's order; then any id the
    records name that the frame does not (a project that started under another profile), by its id."""
    rows = [_indicator_row(item.id, item.en, item.zh, records) for item in frame.items]
    named = set(frame.ids)
    others = sorted({i for r in records for i in (*r.indicators_planned, *r.indicators_reported)} - named)
    rows += [_indicator_row(other, other, other, records) for other in others]
    return IndicatorFigures(rows=rows, reporting_projects=sum(r.has_report for r in records), kind=frame.kind)


def _credits(records: Iterable[ImpactRecord], semesters: set[str] | None) -> int:
    return sum(bool(r.credit_granted) and (semesters is None or r.credit_semester_id in semesters) for r in records)


def impact_figures(
    records: Sequence[ImpactRecord], semesters: Sequence[str] | None = None, frame: Frame = NTUST_V1.frame
) -> ImpactFigures:
    """The review of the projects submitted in `semesters` (all semesters when None), its indicators those of
    the course profile's `frame`.

    Pass every record, not only the selected semesters': credits granted in a selected semester may
    belong to projects submitted earlier.
    """
    selected = None if semesters is None else set(semesters)
    cohort = [r for r in records if selected is None or r.semester_id in selected]
    if semesters is None:
        found = {r.semester_id for r in records} | {r.credit_semester_id for r in records if r.credit_semester_id}
        ordered = sorted(found, key=semester_order)
    else:
        ordered = sorted(dict.fromkeys(semesters), key=semester_order)
    overall = tally(cohort)
    series = [
        SemesterPoint(
            semester_id=semester,
            tally=tally(r for r in cohort if r.semester_id == semester),
            credits_granted=_credits(records, {semester}),
        )
        for semester in ordered
    ]
    return ImpactFigures(
        semesters=ordered,
        totals=Totals(
            tally=overall,
            credits_granted=_credits(records, selected),
            passed_without_credit=sum(r.stage is Stage.PASSED and r.credit_granted is False for r in cohort),
            exempt_students=len({r.student_id for r in cohort if r.exempt}),
        ),
        by_category=_rows(cohort, Category, lambda r: (r.category,)),
        by_priority=_rows(cohort, Priority, lambda r: (r.priority,)),
        by_tag=_rows(cohort, PriorityTag, lambda r: r.tags),
        by_partner_type=_rows(cohort, PartnerType, lambda r: (r.partner_type,)),
        by_department=_by_department(cohort),
        indicators=indicator_figures(cohort, frame),
        series=series,
        funnel=funnel(cohort),
    )
