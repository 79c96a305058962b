"""R23: the printable passing list (PDF with a signature line, parsed back with pypdf) and its CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

from pypdf import PdfReader

from activities.passing_list import (
    CSV_COLUMNS,
    CSV_ENCODING,
    SIGNATURE_LINE,
    passing_list_csv,
    passing_list_filename,
    passing_list_pdf,
)
from config.course_profile import load_profile
from domain.calendar import Semester, academic_term
from domain.passing import PassingList, PassingStudent
from domain.people import Faculty
from domain.vocabulary import Rank

FALL = Semester(
    id="2026-fall", starts_on=date(2026, 9, 1), final_exam_week_starts_on=date(2027, 1, 11), ends_on=date(2027, 1, 31)
)
TEACHER = Faculty(id="T0001", name="陳偉 Chen Wei", email="chen.wei@mail.ntust.edu.tw", rank=Rank.PROFESSOR)
LONG_TITLE = "萬華社區圖書館閱讀陪伴: a reading club with pupils at the Wanhua community library, twice a week"


def listed(*students: PassingStudent) -> PassingList:
    return PassingList(semester=FALL, faculty=TEACHER, students=list(students), pending=[])


def student(n: int, name: str, title: str) -> PassingStudent:
    # 16:30 UTC is 00:30 the next day in Taipei: the list shows the Taipei date (R25).
    return PassingStudent(
        student_id=f"B1120000{n}",
        name=name,
        project_id=f"p-{n}",
        title=title,
        passed_at=datetime(2026, 12, n, 16, 30, tzinfo=UTC),
    )


def text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_pdf_lists_students_and_carries_the_signature_line_and_where_to_send_it() -> None:
    """R23: title, semester, supervisor, each student with id, name, title and pass date, a signature line,
    and "send to Office T4-832 before" the semester's end; Chinese text survives extraction."""
    found = listed(student(1, "林美華", LONG_TITLE), student(2, "Wang Da-Ming", "Beach clean-up at Bali"))

    page = text(passing_list_pdf(found))

    for expected in ("Passing list", "社會實踐課程", "2026-fall", "陳偉 Chen Wei (T0001)", "B11200001", "林美華"):
        assert expected in page
    assert "Wang Da-Ming" in page and "Beach clean-up at Bali" in page and "2026-12-03" in page
    assert SIGNATURE_LINE in page
    assert "send to Office T4-832 before the semester ends on 2027-01-31" in page


def test_pdf_of_an_empty_list_says_so() -> None:
    """R23: a supervisor with only pending evaluations can still download a (signed-nothing) list."""
    page = text(passing_list_pdf(listed()))
    assert "No student passed with you this semester" in page and SIGNATURE_LINE in page


def test_many_students_run_over_pages() -> None:
    """R23: hundreds of students still make a complete list: every row is there, the signature at the end."""
    many = [student(n % 9 + 1, f"Student {n}", f"Project {n}") for n in range(80)]
    pages = PdfReader(io.BytesIO(passing_list_pdf(listed(*many)))).pages
    assert len(pages) > 1
    assert SIGNATURE_LINE in pages[-1].extract_text()
    assert all(f"Project {n}" in "\n".join(p.extract_text() for p in pages) for n in (0, 79))


def test_csv_has_a_row_per_student_with_taipei_dates() -> None:
    """R23: the same list as CSV, UTF-8 with a byte order mark so spreadsheets show the names."""
    found = listed(student(1, "林美華", LONG_TITLE), student(2, "Wang Da-Ming", "Beach clean-up, Bali"))

    data = passing_list_csv(found).encode(CSV_ENCODING)

    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode(CSV_ENCODING))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [(r["student_id"], r["name"], r["title"], r["passed_on"]) for r in rows] == [
        ("B11200001", "林美華", LONG_TITLE, "2026-12-02"),
        ("B11200002", "Wang Da-Ming", "Beach clean-up, Bali", "2026-12-03"),
    ]
    assert {r["semester_id"] for r in rows} == {"2026-fall"} and {r["supervisor_id"] for r in rows} == {"T0001"}
    assert passing_list_filename(found, "csv") == "passing-list-2026-fall-T0001.csv"


def test_pdf_names_the_academic_year_and_numbers_its_pages() -> None:
    """Issue 12: the list names the term as a Taiwanese professor does (115學年度第1學期 for 2026-fall) beside
    the id, and every page says "Page x of y" in both languages, so a loose page is noticed."""
    found = listed(*(student(n % 9 + 1, f"學生{n}", LONG_TITLE) for n in range(60)))
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(passing_list_pdf(found))).pages]
    assert len(pages) >= 2
    assert "115學年度第1學期" in pages[0] and "Academic year 115 (2026-27), first semester (2026-fall)" in pages[0]
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page and f"第 {number} 頁，共 {len(pages)} 頁" in page  # noqa: RUF001


def test_academic_terms_count_from_august() -> None:
    """Issue 12: fall opens the academic year (ROC year = year - 1911); spring and summer belong to the year
    that began the previous August; an id that names no term has no academic name."""
    assert academic_term("2026-fall") == ("Academic year 115 (2026-27), first semester", "115學年度第1學期")
    assert academic_term("2027-spring") == ("Academic year 115 (2026-27), second semester", "115學年度第2學期")
    assert academic_term("2027-summer") == ("Academic year 115 (2026-27), summer session", "115學年度暑期")
    assert academic_term("2026-winter") is None and academic_term("fall") is None


def test_pdf_names_the_course_and_office_of_the_profile() -> None:
    """R23 per course profile: the list's title carries the profile's course code and the closing line its
    office, here NTNU's example profile instead of NTUST's TC1010 and T4-832."""
    page = text(passing_list_pdf(listed(student(1, "林美華", LONG_TITLE)), load_profile("ntnu")))

    assert "Social Practice (SPC-101)" in page and "Social Practice Center office" in page
    assert "TC1010" not in page and "T4-832" not in page
