"""The semester impact report (SPEC §7): a bilingual A4 PDF of the USR impact review.

    figures = impact_figures(records, ["2026-fall"])
    pdf = impact_report_pdf(figures, generated_at=now)     # application/pdf
    name = impact_report_filename(figures)                  # usr-impact-2026-fall.pdf

A title page (course, semesters, generated date, how to read the figures), then totals, the funnel, and
outcomes by category, priority, tag, partner type, department, indicator and semester, each as a table
with its chart where it has one, and "page x of y" on every page. Aggregates only: the figures carry no
student ids or names, and groups of fewer than `min_students` students are suppressed (see
`reports.impact_tables` for why). Rendering takes a few seconds, most of it drawing the charts.
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from domain.calendar import taipei_date
from domain.impact import ImpactFigures
from domain.labels import Label
from reports import charts
from reports.impact_tables import (
    DEFAULT_MIN_STUDENTS,
    Table,
    funnel_tables,
    indicator_table,
    outcome_tables,
    totals_table,
)
from reports.pdf_fonts import truetype_subset

FONT = "NotoSansTC"
COURSE = Label("Social Practice (TC1010)", "社會實踐（TC1010）")  # noqa: RUF001
TITLE = Label("USR impact review", "大學社會責任實踐成效報告")
PAGE = Label("Page {page} of {{nb}}", "第 {page} 頁，共 {{nb}} 頁")  # noqa: RUF001
CHART_WIDTH_MM = 170


@dataclass(frozen=True)
class Chart:
    png: bytes


Block = Table | Chart


def impact_report_filename(figures: ImpactFigures) -> str:
    found = figures.semesters
    span = "none" if not found else found[0] if len(found) == 1 else f"{found[0]}-to-{found[-1]}"
    return f"usr-impact-{span}.pdf"


def _semesters(figures: ImpactFigures) -> str:
    if not figures.semesters:
        return "\u2013"
    if len(figures.semesters) == 1:
        return figures.semesters[0]
    return f"{figures.semesters[0]} \u2013 {figures.semesters[-1]} ({len(figures.semesters)})"


def _title_lines(figures: ImpactFigures, generated_at: datetime, min_students: int) -> list[str]:
    return [
        f"Semester / 學期: {_semesters(figures)}",
        f"Generated / 產製日期: {taipei_date(generated_at).isoformat()} (Taipei / 臺北)",
        "",
        "For the Ministry of Education's University Social Responsibility programme: outcomes of the course's "
        "social engagement by category, priority, indicator, partner and department.",
        "配合教育部大學社會責任實踐計畫，呈現本課程社會參與之成果，依類別、優先等級、指標、合作對象及系所分列。",  # noqa: RUF001
        "",
        "How to read it: a semester's figures are the projects submitted in it, followed to their outcome; "
        "credits count in the semester they were granted. Pass rate = passed / (passed + failed). Hours are "
        "counted execution hours.",
        "閱讀說明：各學期數據為該學期提交之計畫及其結果；學分依授予學期計算。"  # noqa: RUF001
        "通過率 = 通過 / （通過 + 未通過）。時數為認列之執行時數。",  # noqa: RUF001
        "",
        f"Aggregates only, no personal data. Groups of fewer than {min_students} students show <{min_students}.",
        f"本報告僅含統計數據，不含個人資料；少於 {min_students} 名學生之組別以 <{min_students} 表示。",  # noqa: RUF001
    ]


def _sections(figures: ImpactFigures, min_students: int) -> list[list[Block]]:
    """Each inner list starts on a new page."""
    specs = charts.impact_charts(figures, min_students)
    if len(figures.series) < 2:
        del specs["semester_trend"]  # one point is no trend
    png = {name: Chart(drawn) for name, drawn in charts.render(specs, "png").items()}
    outcomes = outcome_tables(figures, min_students)
    steps, stage_days = funnel_tables(figures)
    trend = [png["semester_trend"]] if "semester_trend" in png else []
    return [
        [totals_table(figures, min_students), stage_days],
        [steps, png["funnel"]],
        [outcomes["category"], png["pass_rate_by_category"], outcomes["priority"]],
        [outcomes["tag"], outcomes["partner"]],
        [indicator_table(figures, min_students), png["indicators"]],
        [outcomes["department"], png["hours_by_department"]],
        [outcomes["semester"], *trend],
    ]


class _Report(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        page = f"{PAGE.en} / {PAGE.zh}".format(page=self.page_no())
        self.cell(0, 6, page, align="C")


def _table(pdf: FPDF, table: Table) -> None:
    if pdf.will_page_break(40):
        pdf.add_page()
    pdf.set_font(FONT, size=12)
    pdf.multi_cell(0, 6, table.title.both("  "), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.set_font(FONT, size=8)
    first = 40 if len(table.headings) > 3 else 70
    rest = (pdf.epw - first) / (len(table.headings) - 1)
    with pdf.table(
        col_widths=(first, *[rest] * (len(table.headings) - 1)),
        text_align=("LEFT", *["RIGHT"] * (len(table.headings) - 1)),
        headings_style=FontFace(emphasis=None, fill_color=(230, 230, 230)),
        line_height=4,
        repeat_headings=1,
    ) as rendered:
        for cells in [table.headings, *table.rows]:
            row = rendered.row()
            for cell in cells:
                row.cell(cell)
    if table.note:
        pdf.ln(1)
        pdf.set_font(FONT, size=7)
        pdf.multi_cell(0, 4, table.note, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(5)


def _text(lines: list[str], sections: list[list[Block]]) -> str:
    tables = [block.text() for section in sections for block in section if isinstance(block, Table)]
    return "".join([COURSE.both(), TITLE.both(), PAGE.both(), *lines, *tables, "0123456789<>%.,:/()\u2013-"])


def impact_report_pdf(
    figures: ImpactFigures, *, generated_at: datetime, min_students: int = DEFAULT_MIN_STUDENTS
) -> bytes:
    lines = _title_lines(figures, generated_at, min_students)
    sections = _sections(figures, min_students)
    pdf = _Report(format="A4")
    pdf.set_title(f"{TITLE.en} {_semesters(figures)}")
    pdf.set_creator("Praxis")
    pdf.set_creation_date(generated_at)
    pdf.set_auto_page_break(auto=True, margin=16)
    with tempfile.TemporaryDirectory() as scratch:
        font_path = Path(scratch) / f"{FONT}.ttf"
        font_path.write_bytes(truetype_subset(_text(lines, sections)))
        pdf.add_font(FONT, "", str(font_path))
        pdf.add_page()
        pdf.ln(50)
        pdf.set_font(FONT, size=22)
        pdf.multi_cell(0, 11, f"{TITLE.en}\n{TITLE.zh}", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, size=14)
        pdf.ln(4)
        pdf.multi_cell(0, 8, f"{COURSE.en}\n{COURSE.zh}", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(16)
        pdf.set_font(FONT, size=10)
        for line in lines:
            pdf.multi_cell(0, 5.5, line, align="L", new_x="LMARGIN", new_y="NEXT")
        for section in sections:
            pdf.add_page()
            for block in section:
                if isinstance(block, Table):
                    _table(pdf, block)
                else:
                    pdf.image(io.BytesIO(block.png), w=CHART_WIDTH_MM, x=(pdf.w - CHART_WIDTH_MM) / 2)
                    pdf.ln(5)
        return bytes(pdf.output())
