"""Directory import from CSV (`praxis import faculty|students FILE.csv`; formats in docs/import.md).

Every row is validated first, with the domain's own models (domain.people) and the same limits as the
directory's PUT routes; any error in the file, each reported with its row and column, means nothing is
written. A good file is written in one transaction, so a failure part-way leaves the directory as it was.
A dry run validates and reports what would change, and writes nothing. Rows equal to the stored entry
are left alone, so importing the same file twice changes nothing the second time.

Faculty whose `leaving_after` changed are listed in the report, and `import_and_announce` starts the
departures of R22 for them (clients.departure) once the import is committed. It reaches Temporal before
writing whenever the file changes a `leaving_after`, so an unreachable Temporal leaves the directory as
it was rather than changed with nobody told.

Past ~300 lines on purpose: both files' parsing (Big5 or UTF-8, Chinese rank names), validation and the
one-transaction write are one all-or-nothing rule, and each step answers the row and column of the one before.
"""

from __future__ import annotations

import csv
import getpass
import io
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, StringConstraints, ValidationError, field_validator
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from temporalio.client import Client

from clients.departure import announce_departure
from config.settings import Settings
from domain.actors import at_the_command_line
from domain.entries import EntryId, OneLine, PersonName
from domain.labels import RANKS
from domain.people import Faculty, Student
from domain.vocabulary import MailLanguage, Rank
from store import directory
from store.db import session

# The same limits as PUT /v1/faculty/{id} and /v1/students/{id} (api/routes/directory.py, domain.entries).
Name = PersonName
Department = OneLine
SemesterId = Annotated[str, StringConstraints(pattern=r"^\d{4}-(spring|fall|summer)$")]

HEADER_ROW = 1  # rows are numbered as a spreadsheet shows them: the header is row 1, the first entry row 2
TRUE = frozenset({"true", "yes", "y", "1"})
FALSE = frozenset({"false", "no", "n", "0", ""})


class NotText(ValueError):
    """The file is neither UTF-8 nor Big5 text."""


def decode_csv(data: bytes) -> str:
    """The file's text: UTF-8 (with or without Excel's byte-order mark), else Big5 as Excel on a Traditional
    Chinese Windows writes "CSV" (Microsoft's code page 950, a superset of Big5).

    UTF-8 is tried first and strictly: Big5 bytes almost never form valid UTF-8. Many byte strings are valid
    code page 950, though, so a file read as Big5 must also contain Chinese; otherwise it was some other
    encoding and guessing would import garbled names.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode("cp950")
        except UnicodeDecodeError:
            text = ""
        if any("\u4e00" <= char <= "\u9fff" for char in text):
            return text
        raise NotText(
            f"not UTF-8 or Big5 text ({utf8_error.reason} at byte {utf8_error.start}); save the CSV as "
            '"CSV UTF-8" (or as CSV on a Traditional Chinese Windows)'
        ) from utf8_error


class TemporalUnreachable(Exception):
    """The file changes a `leaving_after` but Temporal could not be reached to announce it: nothing was written."""


class Kind(StrEnum):
    FACULTY = "faculty"
    STUDENTS = "students"


def _language(value: object) -> object:
    """Issue 4: an empty cell follows the course default; case and spaces do not matter."""
    if isinstance(value, str):
        word = value.strip().lower()
        if not word:
            return None
        if word not in set(MailLanguage):
            raise ValueError(f"write one of {', '.join(MailLanguage)}, or leave it empty for the course default")
        return word
    return value


# Issue 12: the rank as the personnel office writes it: 教授, 副教授, 助理教授, 兼任…, 講師 (專任, "full-time", may
# precede a rank and changes nothing), or the English words in any case ("Associate Professor").
RANK_WORDS: dict[str, Rank] = {
    **{label.zh: rank for rank, label in RANKS.items()},
    **{f"專任{label.zh}": rank for rank, label in RANKS.items() if not label.zh.startswith("兼任")},
    **{"研究員": Rank.RESEARCHER, "行政人員": Rank.STAFF},
}


def _rank(value: object) -> object:
    if not isinstance(value, str):
        return value
    word = "".join(value.split())
    if word in RANK_WORDS:
        return RANK_WORDS[word]
    return "_".join(value.strip().lower().replace("-", " ").split())


class FacultyRecord(Faculty):
    """A faculty row (R10, R13): the directory entry, with the limits the API applies to one."""

    id: EntryId
    name: Name
    department: Department = ""
    leaving_after: SemesterId | None = None

    @field_validator("rank", mode="before")
    @classmethod
    def _rank(cls, value: object) -> object:
        return _rank(value)

    @field_validator("leaving_after", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("language", mode="before")
    @classmethod
    def _language(cls, value: object) -> object:
        return _language(value)


class StudentRecord(Student):
    """A student row (R3: internship credit exempts)."""

    id: EntryId
    name: Name

    @field_validator("has_internship_credit", mode="before")
    @classmethod
    def _yes_or_no(cls, value: object) -> object:
        if isinstance(value, str):
            word = value.strip().lower()
            if word in TRUE:
                return True
            if word in FALSE:
                return False
            raise ValueError("write true or false (yes/no, 1/0; empty means false)")
        return value

    @field_validator("language", mode="before")
    @classmethod
    def _language(cls, value: object) -> object:
        return _language(value)


COLUMNS: dict[Kind, tuple[str, ...]] = {
    Kind.FACULTY: ("id", "name", "email", "rank", "department", "leaving_after"),
    Kind.STUDENTS: ("id", "name", "email", "has_internship_credit"),
}
# Columns a file may leave out. Without `language` the file leaves everyone's mail language as it is.
OPTIONAL_COLUMNS: dict[Kind, tuple[str, ...]] = {Kind.FACULTY: ("language",), Kind.STUDENTS: ("language",)}
RECORDS: dict[Kind, type[BaseModel]] = {Kind.FACULTY: FacultyRecord, Kind.STUDENTS: StudentRecord}


@dataclass(frozen=True)
class RowError:
    """One problem in the file: its row (the header is row 1), the column if there is one, and what is wrong."""

    row: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class ImportReport:
    kind: Kind
    dry_run: bool
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    leaving_changed: list[str] = field(default_factory=list)  # faculty ids: start R22's departures for these
    announced: dict[str, int] = field(default_factory=dict)  # faculty id -> open projects being told (R22)
    not_announced: dict[str, str] = field(default_factory=dict)  # faculty id -> why announcing failed

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run

    def summary(self) -> str:
        """One line for the operator, e.g. `faculty: 12 rows: 3 created, 2 updated, 7 unchanged`."""
        counts = f"{len(self.created)} created, {len(self.updated)} updated, {len(self.unchanged)} unchanged"
        verb = "would be" if self.dry_run else "were"
        tail = " (dry run: nothing was written)" if self.dry_run else ""
        line = f"{self.kind.value}: {self.rows} rows {verb} imported: {counts}{tail}"
        if self.leaving_changed:
            line += f"; leaving_after changed for {', '.join(self.leaving_changed)}"
        return line


_NAMELESS = RowError(HEADER_ROW, None, "a column has no name")


def parse(kind: Kind, text: str) -> tuple[list[tuple[int, BaseModel]], list[RowError]]:
    """Every row of the file as a validated record with its row number, and every error found."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")), restkey="\0extra")
    header = [name.strip().lower() for name in reader.fieldnames or []]
    expected = COLUMNS[kind]
    allowed = expected + OPTIONAL_COLUMNS[kind]
    if not header:
        return [], [RowError(HEADER_ROW, None, f"the file is empty; its first row is the header {','.join(expected)}")]
    errors = [RowError(HEADER_ROW, c, "missing column") for c in expected if c not in header]
    errors += [RowError(HEADER_ROW, c, "unknown column") if c else _NAMELESS for c in header if c not in allowed]
    errors += [RowError(HEADER_ROW, c, "column named twice") for c in sorted(set(header)) if header.count(c) > 1]
    if errors:
        return [], errors
    reader.fieldnames = header
    records: list[tuple[int, BaseModel]] = []
    for number, raw in enumerate(reader, start=HEADER_ROW + 1):
        if "\0extra" in raw or any(value is None for value in raw.values()):
            cells = len(header) + len(raw.get("\0extra") or []) - sum(1 for v in raw.values() if v is None)
            errors.append(RowError(number, None, f"{cells} cells, but the header names {len(header)} columns"))
            continue
        values = {name: str(value).strip() for name, value in raw.items()}
        if not any(values.values()):
            continue  # a blank line (a spreadsheet's trailing commas)
        try:
            records.append((number, RECORDS[kind].model_validate(values)))
        except ValidationError as error:
            errors += [_row_error(number, problem) for problem in error.errors(include_url=False)]
    errors += _duplicates(kind, records)
    return records, errors


def _row_error(number: int, problem: Any) -> RowError:
    column = str(problem["loc"][0]) if problem["loc"] else None
    message = str(problem["msg"]).removeprefix("Value error, ")
    return RowError(number, column, message)


def _duplicates(kind: Kind, records: Sequence[tuple[int, BaseModel]]) -> list[RowError]:
    """An entry id once per file; a faculty email once per file (the directory keeps them unique)."""
    columns = ("id", "email") if kind is Kind.FACULTY else ("id",)
    errors: list[RowError] = []
    for column in columns:
        first: dict[str, int] = {}
        for number, record in records:
            value = str(getattr(record, column)).lower() if column == "email" else str(getattr(record, column))
            if value in first:
                errors.append(RowError(number, column, f"{value} is already on row {first[value]}"))
            else:
                first[value] = number
    return errors


def import_directory(engine: Engine, kind: Kind, text: str, *, dry_run: bool = False) -> ImportReport:
    """Validate every row; if all are good, write them in one transaction (or, for a dry run, none)."""
    report = ImportReport(kind=kind, dry_run=dry_run)
    records, report.errors = parse(kind, text)
    report.rows = len(records)
    if report.errors:
        return report
    faculty = [(n, Faculty.model_validate(r.model_dump())) for n, r in records] if kind is Kind.FACULTY else []
    students = [Student.model_validate(r.model_dump()) for _, r in records] if kind is Kind.STUDENTS else []
    # Issue 4: a file without the `language` column keeps each stored entry's preference.
    keep_language = {str(r.model_dump()["id"]) for _, r in records if "language" not in r.model_fields_set}
    try:
        with session(engine) as s:
            report.errors = _email_conflicts(s, faculty)
            if report.errors:
                return report
            faculty = [(n, _kept_language(s, f, keep_language)) for n, f in faculty]
            students = [_kept_language(s, st, keep_language) for st in students]
            outcome = directory.import_rows(
                s, faculty=[f for _, f in faculty], students=students, by=at_the_command_line(getpass.getuser())
            )
            if dry_run:
                s.rollback()  # what a real import would do, found by doing it, then undone
    except IntegrityError as error:
        # Another writer took an email between the check and the write: the transaction rolled back whole.
        report.errors = [RowError(HEADER_ROW, None, f"the directory refused the import: {error.orig}")]
        return report
    report.created, report.updated = outcome.created, outcome.updated
    report.unchanged, report.leaving_changed = outcome.unchanged, outcome.leaving_changed
    return report


Person = TypeVar("Person", Faculty, Student)


def _kept_language(s: Session, person: Person, keep: set[str]) -> Person:
    """The entry with the stored `language` when its row did not give one (the file has no such column)."""
    if person.id not in keep:
        return person
    stored = directory.get_faculty(s, person.id) if isinstance(person, Faculty) else directory.get_student(s, person.id)
    return person.model_copy(update={"language": stored.language}) if stored is not None else person


def _email_conflicts(s: Session, faculty: Sequence[tuple[int, Faculty]]) -> list[RowError]:
    """R10 looks teachers up by email, so one email names one teacher: refuse rows taking another's."""
    owners = directory.faculty_email_owners(s, [f.email for _, f in faculty])
    ids_in_file = {f.id for _, f in faculty}
    errors = []
    for number, f in faculty:
        owner = owners.get(f.email.lower())
        # The owner may give up this email further down the same file; the transaction settles that case.
        if owner is not None and owner != f.id and owner not in ids_in_file:
            errors.append(RowError(number, "email", f"{f.email} belongs to faculty {owner} in the directory"))
    return errors


async def import_and_announce(
    engine: Engine,
    settings: Settings,
    kind: Kind,
    text: str,
    *,
    dry_run: bool = False,
    connect: Callable[[], Awaitable[Client]],
) -> ImportReport:
    """`import_directory`, then R22's departures for every faculty entry whose `leaving_after` changed.

    Temporal is reached first (a dry run of the same file says whether it will be needed), so it being
    down writes nothing and raises TemporalUnreachable. A departure that still fails to start after the
    commit is reported in `not_announced`; the directory change stands.
    """
    client: Client | None = None
    if kind is Kind.FACULTY and not dry_run:
        plan = import_directory(engine, kind, text, dry_run=True)
        if not plan.ok:
            return plan
        if plan.leaving_changed:
            try:
                client = await connect()
            except Exception as error:
                raise TemporalUnreachable(f"{type(error).__name__}: {error}") from error
    report = import_directory(engine, kind, text, dry_run=dry_run)
    if report.written and report.leaving_changed:
        for faculty_id in report.leaving_changed:
            try:
                client = client or await connect()
                report.announced[faculty_id] = await announce_departure(client, engine, settings, faculty_id)
            except Exception as error:  # one teacher's failure must not hide the others' outcome
                report.not_announced[faculty_id] = f"{type(error).__name__}: {error}"
    return report
