"""Exports of the impact review (SPEC §7): one row per project as CSV and XLSX, and a data dictionary."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from decimal import Decimal

from openpyxl import load_workbook

from domain.impact import ImpactRecord
from domain.vocabulary import Category, Indicator, PriorityTag
from reports.exports import (
    COLUMNS,
    CSV_ENCODING,
    DICTIONARY_HEADINGS,
    DICTIONARY_SHEET,
    LIST_SEPARATOR,
    PROJECTS_SHEET,
    dictionary_csv,
    export_filename,
    projects_csv,
    projects_xlsx,
)
from tests.domain.impact_records import record

CJK = re.compile(r"[\u4e00-\u9fff]")
LISTS = ("tags", "indicators_planned", "indicators_reported")
FLAGS = ("credit_granted", "exempt")


def _read_back(row: dict[str, str]) -> ImpactRecord:
    """A CSV row as the record it came from: empty is None, lists split, flags and dates parsed."""
    fields: dict[str, object] = {}
    for name, text in row.items():
        if name in LISTS:
            fields[name] = text.split(LIST_SEPARATOR) if text else []
        elif text == "":
            fields[name] = None
        elif name in FLAGS:
            fields[name] = text == "true"
        elif name.endswith("_at"):
            fields[name] = datetime.fromisoformat(text)
        else:
            fields[name] = text
    fields.pop("partner_type")  # derived from the category and tags
    return ImpactRecord.model_validate(fields)


def test_csv_round_trips_every_record(records: list[ImpactRecord]) -> None:
    """SPEC §7: the CSV holds everything the review is computed from; Excel reads it as UTF-8 (BOM)."""
    data = projects_csv(records)

    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode(CSV_ENCODING))))
    assert list(rows[0]) == [c.name for c in COLUMNS]
    assert [_read_back(row) for row in rows] == records
    assert rows[3]["department"] == "電機工程系" and rows[3]["partner_type"] == "club"


def test_csv_dates_are_taipei_time(records: list[ImpactRecord]) -> None:
    """R25: dates are shown where the course runs, with the offset, so they read back as the same instants."""
    first = next(csv.DictReader(io.StringIO(projects_csv(records[:1]).decode(CSV_ENCODING))))
    assert first["submitted_at"] == "2026-09-07T10:00:00+08:00"


def test_xlsx_opens_with_a_projects_sheet_and_a_dictionary(records: list[ImpactRecord]) -> None:
    """SPEC §7: an XLSX with the same rows (numbers as numbers, dates as dates) and the data dictionary."""
    book = load_workbook(io.BytesIO(projects_xlsx(records)))

    assert book.sheetnames == [PROJECTS_SHEET, DICTIONARY_SHEET]
    projects = list(book[PROJECTS_SHEET].iter_rows(values_only=True))
    assert list(projects[0]) == [c.name for c in COLUMNS] and len(projects) == len(records) + 1
    first = dict(zip(projects[0], projects[1], strict=True))
    assert first["execution_hours"] == 36 and first["credit_granted"] is True
    assert first["submitted_at"] == datetime(2026, 9, 7, 10, 0)  # Taipei wall clock
    assert first["tags"] == PriorityTag.VOLUNTEER.value and first["category"] == Category.EXTERNAL.value
    dictionary = list(book[DICTIONARY_SHEET].iter_rows(values_only=True))
    assert dictionary[0] == DICTIONARY_HEADINGS and len(dictionary) == len(COLUMNS) + 1


def test_dictionary_names_and_explains_every_column_in_both_languages() -> None:
    """SPEC §7: every exported column is in the dictionary, named and described in English and Chinese, and
    every code a coded column can hold is listed with its labels."""
    rows = list(csv.DictReader(io.StringIO(dictionary_csv().decode(CSV_ENCODING))))

    assert [row["column"] for row in rows] == [c.name for c in COLUMNS]
    for row in rows:
        assert row["name_en"] and row["description_en"].endswith("."), row["column"]
        assert CJK.search(row["name_zh"]) and CJK.search(row["description_zh"]), row["column"]
    codes = {row["column"]: row["codes"] for row in rows}
    assert all(f"{i.value}: " in codes["indicators_planned"] for i in Indicator)
    assert "club: Social club / 社團" in codes["partner_type"]
    assert "PASSED: Passed / 通過" in codes["stage"]


def test_hours_keep_their_half_hours(records: list[ImpactRecord]) -> None:
    """R14: hours are logged in half hours; the export keeps them exact."""
    rows = list(csv.DictReader(io.StringIO(projects_csv(records).decode(CSV_ENCODING))))
    assert Decimal(rows[6]["execution_hours"]) == Decimal("41.5")


def test_hours_are_written_as_the_api_writes_them() -> None:
    """Issue 12: hours are one shape everywhere: `36` and `4.5` in the CSV as in JSON, never `36.00` (the
    database's two decimal places)."""
    rows = [record(1, execution_hours=Decimal("36.00")), record(2, execution_hours=Decimal("4.50"))]
    written = list(csv.DictReader(io.StringIO(projects_csv(rows).decode(CSV_ENCODING))))
    assert [row["execution_hours"] for row in written] == ["36", "4.5"]


def test_filenames_name_the_semesters() -> None:
    """SPEC §7: a download says what it covers."""
    assert export_filename(["2026-fall"], "csv") == "usr-impact-projects-2026-fall.csv"
    assert export_filename(["2026-spring", "2026-fall"], "xlsx") == "usr-impact-projects-2026-spring-to-2026-fall.xlsx"
    assert export_filename([], "csv", "dictionary") == "usr-impact-dictionary-all.csv"
