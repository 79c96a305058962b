"""The semester impact report (SPEC §7): a bilingual A4 PDF of aggregates, read back with pypdf."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from domain.impact import ImpactFigures, ImpactRecord
from reports.impact_pdf import impact_report_filename
from tests.reports.conftest import LONE_HOURS

A4 = (595, 842)  # points


@pytest.fixture(scope="module")
def pages(report: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(report)).pages]


def test_a4_pages_numbered_page_x_of_y_in_both_languages(report: bytes, pages: list[str]) -> None:
    """SPEC §7: every page says which of how many it is, in English and Chinese."""
    reader = PdfReader(io.BytesIO(report))
    total = len(reader.pages)
    assert total >= 7  # a title page and six sections
    for number, (page, text) in enumerate(zip(reader.pages, pages, strict=True), start=1):
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == A4
        assert f"Page {number} of {total}" in text and f"第 {number} 頁，共 {total} 頁" in text  # noqa: RUF001


def test_title_page_names_course_semesters_and_date(pages: list[str]) -> None:
    """SPEC §7: the title page says which course, which semesters, and when the figures were drawn (Taipei)."""
    title = pages[0]
    for phrase in ("USR impact review", "大學社會責任實踐成效報告", "Social Practice (TC1010)", "社會實踐"):
        assert phrase in title
    assert "2026-spring \u2013 2026-fall" in title and "2027-02-02" in title
    assert "Pass rate = passed / (passed + failed)" in title


def test_figures_appear_as_bilingual_tables(pages: list[str], figures: ImpactFigures) -> None:
    """SPEC §7: outcomes by category, priority, tag, partner, department, indicator and semester, with the
    funnel; English and Traditional Chinese side by side."""
    text = "\n".join(pages)
    for phrase in (
        "Outcomes by category",
        "各類別成果",
        "Outcomes by priority tag",
        "Outcomes by partner type",
        "校內單位",
        "Outcomes by supervisor's department",
        "電機工程系",
        "Indicators planned and reported",
        "一致率",
        "From proposal to pass",
        "Days in each stage",
        "天數中位數",
        "Semester by semester",
    ):
        assert phrase in text, phrase
    assert f"{figures.totals.tally.pass_rate:.1%}" in text


def test_the_font_embedded_is_noto_sans_tc(report: bytes) -> None:
    """The Chinese half is set in the project's Noto Sans TC, embedded so any reader shows it."""
    fonts: set[str] = set()
    for page in PdfReader(io.BytesIO(report)).pages:
        resources = page["/Resources"].get_object()
        assert isinstance(resources, DictionaryObject)
        used = resources["/Font"].get_object()
        assert isinstance(used, DictionaryObject)
        fonts |= {str(font.get_object()["/BaseFont"]) for font in used.values()}
    assert fonts and all("NotoSansTC" in name for name in fonts)


def test_charts_are_embedded(report: bytes) -> None:
    """SPEC §7: the charts are in the report (as images: five, the trend drawn as there are two semesters)."""
    images = [image for page in PdfReader(io.BytesIO(report)).pages for image in page.images]
    assert len(images) == 5


def test_no_personal_data_and_small_groups_suppressed(pages: list[str], records: list[ImpactRecord]) -> None:
    """Privacy: aggregates only, no student id anywhere, and a department of one student shows <3 instead
    of that student's hours and outcome."""
    text = "\n".join(pages)
    for record in records:
        assert record.student_id not in text and record.project_id not in re.findall(r"p-\d+", text)
    assert "Design" in text and "<3" in text
    assert str(LONE_HOURS) not in text


def test_filename_names_the_semesters(figures: ImpactFigures) -> None:
    """SPEC §7: a download says which semesters it covers."""
    assert impact_report_filename(figures) == "usr-impact-2026-spring-to-2026-fall.pdf"
