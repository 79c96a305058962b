"""R23: a supervisor's printable passing list (PDF with a signature line) and the same list as CSV.

Pure functions of a `domain.passing.PassingList`: the final-exam-week mail attaches them, and the API
serves them (`GET /v1/semesters/{id}/passing-lists/{faculty_id}.pdf|.csv`) from the same code:

    with session(engine) as s:
        found = store.passing.passing_list(s, semester_id, faculty_id)
    pdf = passing_list_pdf(found)          # application/pdf, filename from passing_list_filename(found, "pdf")
    csv = passing_list_csv(found).encode(CSV_ENCODING)   # text/csv; charset=utf-8

The PDF is set in Noto Sans TC (names and labels are Traditional Chinese), subset and converted for
embedding as `reports.pdf_fonts` explains.
"""

from __future__ import annotations

import csv
import io
import tempfile
from datetime import datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from domain.calendar import TAIPEI, academic_term
from domain.passing import PassingList
from domain.profile import NTUST_V1, CourseProfile
from reports.pdf_fonts import truetype_subset

OFFICE = NTUST_V1.signed_lists_office  # the default profile's; a deployment's is its profile's (R23)
CSV_ENCODING = "utf-8-sig"  # with a byte order mark, so Excel opens the Chinese names correctly
CSV_COLUMNS = ("semester_id", "supervisor_id", "student_id", "name", "project_id", "title", "passed_on")
SIGNATURE_LINE = "Signature / 簽名 ____________________    Date / 日期 ____________"
FONT = "NotoSansTC"


def _day(instant: datetime) -> str:
    return instant.astimezone(TAIPEI).date().isoformat()


def passing_list_filename(found: PassingList, extension: str) -> str:
    return f"passing-list-{found.semester.id}-{found.faculty.id}.{extension}"


def passing_list_csv(found: PassingList) -> str:
    """One row per passing student; dates are Taipei calendar days (R25)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for student in found.students:
        writer.writerow(
            (
                found.semester.id,
                found.faculty.id,
                student.student_id,
                student.name,
                student.project_id,
                student.title,
                _day(student.passed_at),
            )
        )
    return out.getvalue()


# --- the PDF -----------------------------------------------------------------------------------------


def _lines(found: PassingList, profile: CourseProfile) -> tuple[list[str], list[list[str]], list[str]]:
    """Header lines, table rows and closing lines, as printed."""
    semester = found.semester
    faculty = found.faculty
    course, office = profile.course, profile.signed_lists_office
    header = [
        f"{course.title.en} ({course.code}) — Passing list",
        f"{course.title.zh}課程 通過名單",
        f"Semester / 學期: {_term(semester.id)} ({semester.starts_on.isoformat()} to {semester.ends_on.isoformat()})",
        f"Supervisor / 指導老師: {faculty.name} ({faculty.id})"
        + (f", {faculty.department}" if faculty.department else ""),
    ]
    rows = [[str(n), s.student_id, s.name, s.title, _day(s.passed_at)] for n, s in enumerate(found.students, start=1)]
    closing = [
        f"Please print, sign and send to Office {office} before the semester ends on {semester.ends_on.isoformat()}.",
        # Full-width punctuation is correct in Chinese text.
        f"請列印、簽名後，於 {semester.ends_on.isoformat()} 學期結束前送至 {office} 辦公室。",  # noqa: RUF001
    ]
    return header, rows, closing


def _term(semester_id: str) -> str:
    """`115學年度第1學期 / Academic year 115 (2026-27), first semester (2026-fall)`: as the professor who signs
    it names the term, with Praxis's id beside it."""
    named = academic_term(semester_id)
    return f"{named[1]} / {named[0]} ({semester_id})" if named else semester_id


def page_footer(page: int) -> str:
    """Each page says which it is and of how many (`{nb}` is the page count, filled in when the PDF is written),
    so a page that comes loose from a signed list is noticed."""
    return f"Page {page} of {{nb}} / 第 {page} 頁，共 {{nb}} 頁"  # noqa: RUF001


class _Pdf(FPDF):
    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FONT, size=9)
        self.cell(0, 8, page_footer(self.page_no()), align="C")


TABLE_HEADINGS = ["#", "Student ID / 學號", "Name / 姓名", "Project / 計畫名稱", "Passed on / 通過日期"]
NONE_PASSED = "No student passed with you this semester. / 本學期無通過學生。"


def passing_list_pdf(found: PassingList, profile: CourseProfile = NTUST_V1) -> bytes:
    """R23: A4, title, semester, supervisor, one row per student, a signature line, where to send it (the
    course and the office are the deployment's profile's)."""
    header, rows, closing = _lines(found, profile)
    text = "".join([*header, *TABLE_HEADINGS, *(c for row in rows for c in row), *closing, SIGNATURE_LINE, NONE_PASSED])
    text += page_footer(0)
    pdf = _Pdf(format="A4")
    pdf.set_title(f"Passing list {found.semester.id} {found.faculty.id}")
    pdf.set_creator("Praxis")
    with tempfile.TemporaryDirectory() as scratch:
        font_path = Path(scratch) / f"{FONT}.ttf"
        font_path.write_bytes(truetype_subset(text + "0123456789"))
        pdf.add_font(FONT, "", str(font_path))
        pdf.add_page()
        pdf.set_font(FONT, size=16)
        pdf.multi_cell(0, 9, header[0] + "\n" + header[1], new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, size=11)
        pdf.ln(2)
        for line in header[2:]:
            pdf.multi_cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
        pdf.set_font(FONT, size=10)
        if rows:
            with pdf.table(
                col_widths=(8, 26, 30, 64, 32),
                text_align="LEFT",
                headings_style=FontFace(emphasis=None, fill_color=(230, 230, 230)),
            ) as table:
                for cells in [TABLE_HEADINGS, *rows]:
                    row = table.row()
                    for cell in cells:
                        row.cell(cell)
        else:
            pdf.multi_cell(0, 7, NONE_PASSED, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(14)
        pdf.set_font(FONT, size=11)
        pdf.multi_cell(0, 8, SIGNATURE_LINE, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(8)
        for line in closing:
            pdf.multi_cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())
