"""The impact review's rows as spreadsheets (SPEC §7): one row per project, and a data dictionary.

    projects_csv(records)     # bytes, UTF-8 with a byte order mark so Excel shows the Chinese
    dictionary_csv()          # bytes, the same encoding: every column named and explained in both languages
    projects_xlsx(records)    # bytes: sheet "Projects 計畫" and sheet "Dictionary 資料字典"

Cells hold the codes (`external`, `PASSED`), which stay stable for formulas and pivot tables; the
dictionary gives each code's English and Chinese label. Ids but no names: the export is for the office,
which already holds the ids; names stay in the directory. Dates are Taipei time (R25), ISO 8601 with the
offset in the CSV, and as spreadsheet dates (without a zone, which Excel cannot hold) in the XLSX.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from domain.calendar import TAIPEI
from domain.impact import ImpactRecord, PartnerType
from domain.labels import Label, label
from domain.stages import Stage
from domain.vocabulary import Category, Indicator, Priority, PriorityTag
from domain.work import hours_number

CSV_ENCODING = "utf-8-sig"
LIST_SEPARATOR = ";"
PROJECTS_SHEET = "Projects 計畫"
DICTIONARY_SHEET = "Dictionary 資料字典"

Cell = str | int | bool | Decimal | datetime | None


@dataclass(frozen=True)
class Column:
    name: str
    title: Label
    about: Label
    value: Callable[[ImpactRecord], Cell]
    codes: type[StrEnum] | None = None  # the vocabulary of a coded column


def _codes(values: Sequence[str]) -> str:
    return LIST_SEPARATOR.join(str(value) for value in values)


def _at(name: str) -> Callable[[ImpactRecord], Cell]:
    def read(record: ImpactRecord) -> Cell:
        found: datetime | None = getattr(record, name)
        return found.astimezone(TAIPEI) if found is not None else None

    return read


def _date(en: str, zh: str) -> Label:
    return Label(f"{en}, Taipei time.", f"{zh}（臺北時間）。")  # noqa: RUF001


COLUMNS: tuple[Column, ...] = (
    Column(
        "project_id",
        Label("Project", "計畫編號"),
        Label("The project's id.", "計畫之系統編號。"),
        lambda r: r.project_id,
    ),
    Column(
        "student_id",
        Label("Student id", "學號"),
        Label("The student's id (no name).", "學生學號（不含姓名）。"),  # noqa: RUF001
        lambda r: r.student_id,
    ),
    Column(
        "semester_id",
        Label("Semester submitted", "提交學期"),
        Label("Semester the proposal was submitted in (R25).", "計畫書提交之學期。"),
        lambda r: r.semester_id,
    ),
    Column(
        "credit_semester_id",
        Label("Semester credited", "授予學分學期"),
        Label("Semester of the pass, where the credit is recorded (R21).", "通過並登錄學分之學期。"),
        lambda r: r.credit_semester_id,
    ),
    Column(
        "stage",
        Label("Stage", "目前階段"),
        Label("Where the project is now (SPEC §3).", "計畫目前所在階段。"),
        lambda r: r.stage.value,
        Stage,
    ),
    Column(
        "category",
        Label("Category", "類別"),
        Label("The kind of activity (R5).", "活動類別。"),
        lambda r: r.category.value,
        Category,
    ),
    Column(
        "tags",
        Label("Priority tags", "優先標籤"),
        Label("R6 tags, separated by ';'.", "優先認列標籤，以分號分隔。"),  # noqa: RUF001
        lambda r: _codes(r.tags),
        PriorityTag,
    ),
    Column(
        "priority",
        Label("Priority", "優先等級"),
        Label("High if any high tag, else low if any low tag, else normal (R6).", "依標籤判定之優先等級。"),
        lambda r: r.priority.value,
        Priority,
    ),
    Column(
        "department",
        Label("Supervisor's department", "指導老師系所"),
        Label("From the faculty directory; empty before a supervisor confirms.", "依教師名錄；尚無指導老師者空白。"),  # noqa: RUF001
        lambda r: r.department,
    ),
    Column(
        "partner_type",
        Label("Partner type", "合作對象類型"),
        Label(
            "Who the student works with: from the category; campus office, department or lab service is on campus.",
            "依類別判定之合作對象；校內單位、系所或實驗室服務計為校內單位。",  # noqa: RUF001
        ),
        lambda r: r.partner_type.value,
        PartnerType,
    ),
    Column(
        "indicators_planned",
        Label("Indicators planned", "計畫書預定指標"),
        Label("Indicators the proposal chose (R7), separated by ';'.", "計畫書所選之社會參與指標，以分號分隔。"),  # noqa: RUF001
        lambda r: _codes(r.indicators_planned),
        Indicator,
    ),
    Column(
        "indicators_reported",
        Label("Indicators reported", "成果報告呈現指標"),
        Label("Indicators the closure report notes (R18), separated by ';'.", "成果報告所述之指標，以分號分隔。"),  # noqa: RUF001
        lambda r: _codes(r.indicators_reported),
        Indicator,
    ),
    Column(
        "execution_hours",
        Label("Execution hours", "執行時數"),
        Label("Counted execution hours (R14, R15).", "認列之執行時數。"),
        lambda r: r.execution_hours,
    ),
    Column(
        "credit_granted",
        Label("Credit granted", "授予學分"),
        Label("On pass: true, or false if the student held the credit (R2); empty before.", "通過時是否授予學分。"),
        lambda r: r.credit_granted,
    ),
    Column(
        "exempt",
        Label("Exempt", "免修"),
        Label("The student holds internship credit (R3).", "學生已有校外實習學分。"),
        lambda r: r.exempt,
    ),
    Column(
        "submitted_at",
        Label("Submitted", "提交時間"),
        _date("Proposal submitted", "計畫書提交時間"),
        _at("submitted_at"),
    ),
    Column(
        "approved_at",
        Label("Approved", "核准時間"),
        _date("Proposal approved (R8)", "計畫書核准時間"),
        _at("approved_at"),
    ),
    Column(
        "supervised_at",
        Label("Supervisor confirmed", "指導老師確認時間"),
        _date("The supervisor accepted (R11)", "指導老師確認指導時間"),
        _at("supervised_at"),
    ),
    Column(
        "closure_submitted_at",
        Label("Closure report submitted", "成果報告提交時間"),
        _date("First closure report submitted (R18)", "首次提交成果報告時間"),
        _at("closure_submitted_at"),
    ),
    Column(
        "decided_at",
        Label("Closed", "結案時間"),
        _date("Reached its final stage: passed, failed, rejected or withdrawn", "進入最終階段之時間"),
        _at("decided_at"),
    ),
)
DICTIONARY_HEADINGS = ("column", "name_en", "name_zh", "description_en", "description_zh", "codes")


def _code_list(vocabulary: type[StrEnum] | None) -> str:
    if vocabulary is None:
        return ""
    return "\n".join(f"{member.value}: {label(member).both()}" for member in vocabulary)


def dictionary_rows() -> list[tuple[str, ...]]:
    return [(c.name, c.title.en, c.title.zh, c.about.en, c.about.zh, _code_list(c.codes)) for c in COLUMNS]


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(hours_number(value))  # the only decimals are hours: `36`, `4.5`, as the API writes them
    return str(value)


def _csv(header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_csv_text(cell) for cell in row] for row in rows)
    return out.getvalue().encode(CSV_ENCODING)


def project_rows(records: Sequence[ImpactRecord]) -> list[list[Cell]]:
    return [[column.value(record) for column in COLUMNS] for record in records]


def projects_csv(records: Sequence[ImpactRecord]) -> bytes:
    return _csv([c.name for c in COLUMNS], project_rows(records))


def dictionary_csv() -> bytes:
    return _csv(DICTIONARY_HEADINGS, dictionary_rows())


def _xlsx_cell(value: Cell) -> Cell:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)  # already Taipei time; the dictionary says so
    return value


def projects_xlsx(records: Sequence[ImpactRecord]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = PROJECTS_SHEET
    sheet.append([c.name for c in COLUMNS])
    for row in project_rows(records):
        sheet.append([_xlsx_cell(cell) for cell in row])
    for index, column in enumerate(COLUMNS, start=1):
        if column.name.endswith("_at"):
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "yyyy-mm-dd hh:mm"
    sheet.freeze_panes = "B2"
    dictionary = book.create_sheet(DICTIONARY_SHEET)
    dictionary.append(list(DICTIONARY_HEADINGS))
    for entry in dictionary_rows():
        dictionary.append(list(entry))
    for row in dictionary.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for sheet_ in (sheet, dictionary):
        for cell in sheet_[1]:
            cell.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_filename(semesters: Sequence[str], extension: str, kind: str = "projects") -> str:
    span = "all" if not semesters else semesters[0] if len(semesters) == 1 else f"{semesters[0]}-to-{semesters[-1]}"
    return f"usr-impact-{kind}-{span}.{extension}"
