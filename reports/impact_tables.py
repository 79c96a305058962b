"""The impact review's figures as bilingual tables of strings, with small groups suppressed.

Pure: `reports.impact_pdf` lays these out; a page could show them as they are.

Suppression: the report leaves the office (the university's USR review, the Ministry), and a row about
one or two students, say the only project supervised in a department, tells a reader who failed. So a
row drawn from fewer than `min_students` distinct students shows its group and `<k` instead of figures.
Rows are suppressed on their own (no complementary suppression): the totals stay exact, so with one row
suppressed its figures could be worked out by subtraction; the threshold keeps single students out of
plain view, which is what aggregate course reporting needs, not a disclosure-control guarantee.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from domain.impact import ImpactFigures, Row, Tally
from domain.labels import FRAME_FIGURES, FRAME_ITEM, FUNNEL_STAGES, FUNNEL_STEPS, Label, label

E = TypeVar("E", bound=StrEnum)
DEFAULT_MIN_STUDENTS = 3
NO_SUPERVISOR = Label("No supervisor yet", "尚無指導老師")
DASH = "\u2013"  # an en dash: no figure


@dataclass(frozen=True)
class Table:
    title: Label
    headings: list[str]
    rows: list[list[str]]
    note: str = ""

    def text(self) -> str:
        cells = [self.title.both(), *self.headings, *(cell for row in self.rows for cell in row), self.note]
        return "".join(cells)


def heading(en: str, zh: str) -> str:
    return f"{en}\n{zh}"


def count(value: int) -> str:
    return f"{value:,}"


def hours(value: Decimal) -> str:
    text = f"{value.quantize(Decimal('0.1')):,}"
    return text.removesuffix(".0")


def rate(value: float | None) -> str:
    return DASH if value is None else f"{value:.1%}"


def days(value: float | None) -> str:
    return DASH if value is None else f"{value:.1f}"


OUTCOME_HEADINGS = [
    heading("Projects", "計畫數"),
    heading("Students", "學生數"),
    heading("Passed", "通過"),
    heading("Failed", "未通過"),
    heading("Rejected or withdrawn", "未核准或撤回"),
    heading("Open", "進行中"),
    heading("Pass rate", "通過率"),
    heading("Hours", "執行時數"),
]


def outcome_cells(tally: Tally, min_students: int) -> list[str]:
    if tally.suppressed(min_students):
        return [DASH, f"<{min_students}", *[DASH] * (len(OUTCOME_HEADINGS) - 2)]
    return [
        count(tally.projects),
        count(tally.students),
        count(tally.passed),
        count(tally.failed),
        count(tally.rejected + tally.withdrawn),
        count(tally.open),
        rate(tally.pass_rate),
        hours(tally.execution_hours),
    ]


def _outcomes(
    title: Label, group: Label, rows: Iterable[tuple[str, Tally]], min_students: int, note: str = ""
) -> Table:
    return Table(
        title=title,
        headings=[group.both("\n"), *OUTCOME_HEADINGS],
        rows=[[name, *outcome_cells(tally, min_students)] for name, tally in rows],
        note=note,
    )


def _enum_rows(rows: Iterable[Row[E]]) -> list[tuple[str, Tally]]:
    return [(label(row.key).both("\n"), row.tally) for row in rows]


def totals_table(figures: ImpactFigures, min_students: int) -> Table:
    t = figures.totals
    hidden = t.tally.suppressed(min_students)
    lines = [
        (Label("Projects submitted", "提交計畫數"), count(t.tally.projects)),
        (Label("Students", "學生數"), count(t.tally.students)),
        (Label("Passed", "通過"), count(t.tally.passed)),
        (Label("Failed", "未通過"), count(t.tally.failed)),
        (Label("Rejected or withdrawn", "未核准或撤回"), count(t.tally.rejected + t.tally.withdrawn)),
        (Label("Still open", "進行中"), count(t.tally.open)),
        (Label("Pass rate (passed / decided)", "通過率（通過 / 已評定）"), rate(t.tally.pass_rate)),  # noqa: RUF001
        (Label("Execution hours served", "執行服務時數"), hours(t.tally.execution_hours)),
        (Label("Credits granted in the semester(s)", "本期授予學分數"), count(t.credits_granted)),
        (Label("Passed without credit (held already)", "通過但已取得學分"), count(t.passed_without_credit)),
        (Label("Exempt students (internship credit)", "免修學生（校外實習學分）"), count(t.exempt_students)),  # noqa: RUF001
    ]
    return Table(
        title=Label("Totals", "總覽"),
        headings=[heading("Figure", "項目"), heading("Value", "數值")],
        rows=[[name.both("\n"), f"<{min_students}" if hidden else value] for name, value in lines],
    )


def funnel_tables(figures: ImpactFigures) -> list[Table]:
    steps = figures.funnel.steps
    first = steps[0].projects if steps else 0
    step_rows = [
        [FUNNEL_STEPS[s.step].both("\n"), count(s.projects), rate(s.projects / first if first else None)] for s in steps
    ]
    stage_rows = [
        [FUNNEL_STAGES[s.stage].both("\n"), count(s.measured), days(s.median_days)] for s in figures.funnel.stages
    ]
    return [
        Table(
            title=Label("From proposal to pass", "從計畫書到通過"),
            headings=[heading("Step", "階段"), heading("Projects", "計畫數"), heading("Of submitted", "占提交比例")],
            rows=step_rows,
        ),
        Table(
            title=Label("Days in each stage", "各階段所需天數"),
            headings=[
                heading("Stage", "階段"),
                heading("Measured", "已完成計畫數"),
                heading("Median days", "天數中位數"),
            ],
            rows=stage_rows,
            note=("Measured over the projects that have left the stage. / 僅計入已完成該階段之計畫。"),
        ),
    ]


def outcome_tables(figures: ImpactFigures, min_students: int) -> dict[str, Table]:
    departments = [(row.key or NO_SUPERVISOR.both("\n"), row.tally) for row in figures.by_department]
    semesters = [(point.semester_id, point.tally) for point in figures.series]
    return {
        "category": _outcomes(
            Label("Outcomes by category", "各類別成果"),
            Label("Category", "類別"),
            _enum_rows(figures.by_category),
            min_students,
        ),
        "priority": _outcomes(
            Label("Outcomes by priority", "各優先等級成果"),
            Label("Priority", "優先等級"),
            _enum_rows(figures.by_priority),
            min_students,
        ),
        "tag": _outcomes(
            Label("Outcomes by priority tag", "各優先標籤成果"),
            Label("Tag", "標籤"),
            _enum_rows(figures.by_tag),
            min_students,
            note="A project with several tags counts under each. / 具多個標籤之計畫分別計入各標籤。",
        ),
        "partner": _outcomes(
            Label("Outcomes by partner type", "各合作對象類型成果"),
            Label("Partner", "合作對象"),
            _enum_rows(figures.by_partner_type),
            min_students,
            note=(
                "Partner type follows the category; service at campus offices, departments and labs counts as "
                "on campus. / 合作對象類型依計畫類別判定；校內單位、系所及實驗室之服務計為校內單位。"  # noqa: RUF001
            ),
        ),
        "department": _outcomes(
            Label("Outcomes by supervisor's department", "各指導老師系所成果"),
            Label("Department", "系所"),
            departments,
            min_students,
        ),
        "semester": _outcomes(
            Label("Semester by semester (projects submitted in each)", "各學期（依提交學期）"),  # noqa: RUF001
            Label("Semester", "學期"),
            semesters,
            min_students,
        ),
    }


def indicator_table(figures: ImpactFigures, min_students: int) -> Table:
    rows = []
    for row in figures.indicators.rows:
        name = Label(row.en, row.zh).both("\n")
        if row.planned.suppressed(min_students):
            rows.append([name, f"<{min_students}", *[DASH] * 5])
            continue
        cells = [count(row.planned.projects), rate(row.planned.pass_rate), count(row.reported), count(row.kept)]
        rows.append([name, *cells, count(row.dropped + row.added), rate(row.agreement)])
    overall = rate(figures.indicators.agreement)
    return Table(
        title=FRAME_FIGURES[figures.indicators.kind],
        headings=[
            heading(FRAME_ITEM[figures.indicators.kind].en, FRAME_ITEM[figures.indicators.kind].zh),
            heading("Planned", "計畫書預定"),
            heading("Pass rate", "通過率"),
            heading("Reported", "成果報告呈現"),
            heading("Both", "兩者皆有"),
            heading("Only one", "僅其一"),
            heading("Agreement", "一致率"),
        ],
        rows=rows,
        note=(
            f"Agreement = indicators both planned and reported / planned or reported, over "
            f"{figures.indicators.reporting_projects} closure reports; overall {overall}. / "
            f"一致率 = 計畫與成果皆有之指標 / 任一有之指標，計 {figures.indicators.reporting_projects} "  # noqa: RUF001
            f"份成果報告；整體 {overall}。"  # noqa: RUF001
        ),
    )
