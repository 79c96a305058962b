"""Directory import from CSV (issue 5 step 4): validation by row and column, all or nothing, dry runs,
idempotent re-imports, and R22's departures for changed `leaving_after`."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from temporalio.client import Client, WorkflowExecutionStatus
from typer.testing import CliRunner

from cli.importer import Kind, RowError, TemporalUnreachable, import_and_announce, import_directory
from cli.main import app
from config.settings import Settings, get_settings
from domain.people import Faculty, Student
from domain.vocabulary import MailLanguage, Rank
from store import directory
from store.db import make_engine, migrate, session
from workers.main import build_worker
from workflows.departure import workflow_id as departure_workflow_id

FACULTY_CSV = """id,name,email,rank,department,leaving_after
T0001,Chen Wei,Chen.Wei@mail.example.edu,professor,Civil Engineering,
T0002,Lin Ya-Ting,lin.yt@mail.example.edu,adjunct_assistant_professor,Design,2026-fall
S0001,Wu Mei,wu.mei@mail.example.edu,staff,Center for General Education,
"""
STUDENTS_CSV = """id,name,email,has_internship_credit
B11200001,Lin Mei-Hua,b11200001@mail.example.edu,false
B11200002,Wang Chih-Ming,b11200002@mail.example.edu,yes
B11200003,Huang Yu,b11200003@mail.example.edu,
"""


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{(tmp_path / 'praxis.db').as_posix()}"
    migrate(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


def everyone(engine: Engine) -> tuple[list[Faculty], list[Student]]:
    with session(engine) as s:
        faculty = directory.list_faculty(s)
        students = [st for st_id in ("B11200001", "B11200002", "B11200003") if (st := directory.get_student(s, st_id))]
    return faculty, students


def replace_line(text: str, number: int, line: str) -> str:
    """The CSV with its `number`th line (the header is 1) replaced."""
    lines = text.splitlines()
    lines[number - 1] = line
    return "\n".join(lines) + "\n"


def test_good_faculty_file_is_imported(db: Engine) -> None:
    """A valid faculty file creates every entry (emails stored lowercased, empty leaving_after = none); a new
    entry that already names a semester counts as a leaving_after change (R13, R22)."""
    report = import_directory(db, Kind.FACULTY, FACULTY_CSV)

    assert report.ok and report.written
    assert (report.rows, report.created, report.updated) == (3, ["T0001", "T0002", "S0001"], [])
    assert report.leaving_changed == ["T0002"]
    with session(db) as s:
        chen = directory.get_faculty(s, "T0001")
        lin = directory.get_faculty(s, "T0002")
        staff = directory.get_faculty(s, "S0001")
    assert chen is not None and chen.email == "chen.wei@mail.example.edu" and chen.leaving_after is None
    assert lin is not None and lin.rank is Rank.ADJUNCT_ASSISTANT_PROFESSOR and lin.leaving_after == "2026-fall"
    assert staff is not None and staff.rank is Rank.STAFF
    assert report.summary() == (
        "faculty: 3 rows were imported: 3 created, 0 updated, 0 unchanged; leaving_after changed for T0002"
    )


def test_good_students_file_is_imported(db: Engine) -> None:
    """A valid students file creates every student; internship credit (R3) reads yes/no, true/false, 1/0,
    and empty as false."""
    report = import_directory(db, Kind.STUDENTS, STUDENTS_CSV)

    assert report.ok and report.created == ["B11200001", "B11200002", "B11200003"]
    _, students = everyone(db)
    assert [st.has_internship_credit for st in students] == [False, True, False]


@pytest.mark.parametrize(
    ("line", "column", "message"),
    [
        ("T0009,Ho Jia,ho@mail.example.edu,dean,Physics,", "rank", "Input should be 'professor'"),
        ("T0009,Ho Jia,ho-at-example,professor,Physics,", "email", "not a valid email address"),
        ("T0009,Ho Jia,ho@mail.example.edu,professor,Physics,next-year", "leaving_after", "should match pattern"),
        ("T 9,Ho Jia,ho@mail.example.edu,professor,Physics,", "id", "should match pattern"),
        ("T0009,,ho@mail.example.edu,professor,Physics,", "name", "at least 1 character"),
        # Issue 9: a quoted cell may hold a line break; a name with one would break every mail to the teacher.
        ('T0009,"Ho\nJia",ho@mail.example.edu,professor,Physics,', "name", "without control characters"),
        ('T0009,Ho Jia,ho@mail.example.edu,professor,"Phy\tsics",', "department", "without control characters"),
        ("T0001,Chen again,chen.2@mail.example.edu,professor,Physics,", "id", "T0001 is already on row 2"),
        ("T0009,Ho Jia,CHEN.WEI@mail.example.edu,professor,Physics,", "email", "already on row 2"),
    ],
)
def test_malformed_row_changes_nothing_and_is_reported(db: Engine, line: str, column: str, message: str) -> None:
    """A bad row anywhere in the file writes nothing (not even the good rows before it) and is reported with
    its row number (the header is row 1) and column."""
    import_directory(db, Kind.FACULTY, FACULTY_CSV)
    before = everyone(db)
    changed = replace_line(FACULTY_CSV, 2, "T0001,Chen Wei,chen.wei@mail.example.edu,professor,Civil Eng,2027-spring")
    bad = changed + line + "\n"

    report = import_directory(db, Kind.FACULTY, bad)

    assert not report.ok and not report.written
    [error] = report.errors
    assert (error.row, error.column) == (5, column)
    assert message in error.message
    assert everyone(db) == before
    assert report.created == report.updated == report.leaving_changed == []


def test_missing_column_is_reported_on_the_header(db: Engine) -> None:
    """A file without a required column (or with an unknown one) is refused whole, naming the column."""
    report = import_directory(db, Kind.FACULTY, "id,name,email,department,leavng_after\nT1,A,a@x.example.edu,,\n")

    assert set(report.errors) == {
        RowError(1, "rank", "missing column"),
        RowError(1, "leaving_after", "missing column"),
        RowError(1, "leavng_after", "unknown column"),
    }
    assert everyone(db) == ([], [])


def test_row_with_wrong_cell_count_is_reported(db: Engine) -> None:
    """A row with more or fewer cells than the header is reported by row; nothing is imported."""
    text = STUDENTS_CSV + "B11200004,Extra,b4@mail.example.edu,no,surplus\nB11200005,Short\n"

    report = import_directory(db, Kind.STUDENTS, text)

    assert [(e.row, e.column) for e in report.errors] == [(5, None), (6, None)]
    assert "5 cells, but the header names 4 columns" in report.errors[0].message
    assert everyone(db) == ([], [])


def test_every_error_is_reported_at_once(db: Engine) -> None:
    """The report lists every problem in the file, so one correction pass fixes them all."""
    text = replace_line(STUDENTS_CSV, 3, "B11200002,Wang Chih-Ming,not-an-email,maybe")

    report = import_directory(db, Kind.STUDENTS, text)

    assert [(e.row, e.column) for e in report.errors] == [(3, "email"), (3, "has_internship_credit")]
    assert [str(e) for e in report.errors][1].startswith("row 3, column has_internship_credit: write true or false")


def test_email_of_another_teacher_in_the_directory_is_refused(db: Engine) -> None:
    """R10 finds teachers by email, so a row may not take the email of another teacher already in the
    directory; nothing is written."""
    import_directory(db, Kind.FACULTY, FACULTY_CSV)
    text = "id,name,email,rank,department,leaving_after\nT0100,New,Lin.YT@mail.example.edu,professor,Design,\n"

    report = import_directory(db, Kind.FACULTY, text)

    assert [(e.row, e.column) for e in report.errors] == [(2, "email")]
    assert "belongs to faculty T0002" in report.errors[0].message
    with session(db) as s:
        assert directory.get_faculty(s, "T0100") is None


def test_dry_run_reports_and_writes_nothing(db: Engine) -> None:
    """`--dry-run` validates, reports what a real import would create, update and leave alone, and writes
    nothing."""
    import_directory(db, Kind.FACULTY, FACULTY_CSV)
    before = everyone(db)
    text = replace_line(FACULTY_CSV, 2, "T0001,Chen Wei,chen.wei@mail.example.edu,professor,Civil Eng,2027-spring")
    text += "T0003,Ho Jia,ho@mail.example.edu,lecturer,Physics,\n"

    report = import_directory(db, Kind.FACULTY, text, dry_run=True)

    assert report.ok and not report.written
    assert (report.created, report.updated, report.unchanged) == (["T0003"], ["T0001"], ["T0002", "S0001"])
    assert report.leaving_changed == ["T0001"]
    assert everyone(db) == before
    assert report.summary().startswith("faculty: 4 rows would be imported: 1 created, 1 updated, 2 unchanged")
    assert "(dry run: nothing was written)" in report.summary()


def test_reimport_is_idempotent(db: Engine) -> None:
    """Importing the same file again changes nothing: every row is unchanged, no leaving_after change is
    reported (so no departure is announced twice), and entries are not rewritten."""
    import_directory(db, Kind.FACULTY, FACULTY_CSV)
    import_directory(db, Kind.STUDENTS, STUDENTS_CSV)
    before = everyone(db)

    again = import_directory(db, Kind.FACULTY, FACULTY_CSV)
    students = import_directory(db, Kind.STUDENTS, STUDENTS_CSV)

    assert (again.created, again.updated, again.leaving_changed) == ([], [], [])
    assert again.unchanged == ["T0001", "T0002", "S0001"]
    assert students.unchanged == ["B11200001", "B11200002", "B11200003"]
    assert everyone(db) == before


def test_clearing_leaving_after_is_a_change(db: Engine) -> None:
    """R22: an empty leaving_after for a teacher who was leaving undoes the departure, so it is reported."""
    import_directory(db, Kind.FACULTY, FACULTY_CSV)
    text = replace_line(FACULTY_CSV, 3, "T0002,Lin Ya-Ting,lin.yt@mail.example.edu,adjunct_assistant_professor,Design,")

    report = import_directory(db, Kind.FACULTY, text)

    assert report.updated == report.leaving_changed == ["T0002"]


def test_byte_order_mark_and_header_case_are_accepted(db: Engine) -> None:
    """Spreadsheets save CSV with a byte-order mark and their own header case; both are accepted."""
    text = "\ufeffID, Name ,EMAIL,Has_Internship_Credit\nB11200001,Lin Mei-Hua,b11200001@mail.example.edu,TRUE\n"

    report = import_directory(db, Kind.STUDENTS, text)

    assert report.ok and report.created == ["B11200001"]


async def test_changed_leaving_after_announces_departures(db: Engine, client: Client, settings: Settings) -> None:
    """R22: after the import is committed, each teacher whose leaving_after changed gets a departure started
    (clients.departure); an unchanged re-import announces nothing."""
    # Its own task queue and worker on this test's directory. (Work left on a queue nobody polls would hold
    # the time-skipping server's clock for every later test, even after a terminate.)
    own = settings.model_copy(update={"task_queue": f"import-test-{uuid.uuid4().hex[:8]}"})

    async def connect() -> Client:
        return client

    async with build_worker(client, own, db):
        report = await import_and_announce(db, own, Kind.FACULTY, FACULTY_CSV, connect=connect)
        assert report.leaving_changed == ["T0002"] and report.announced == {"T0002": 0}
        assert report.not_announced == {}
        handle = client.get_workflow_handle(departure_workflow_id("T0002"))
        assert (await handle.describe()).status in (WorkflowExecutionStatus.RUNNING, WorkflowExecutionStatus.COMPLETED)
        again = await import_and_announce(db, own, Kind.FACULTY, FACULTY_CSV, connect=connect)
        assert again.ok and again.announced == {}
        await handle.result()


async def test_unreachable_temporal_writes_nothing(db: Engine, settings: Settings) -> None:
    """R22: when the file changes a leaving_after and Temporal cannot be reached, nothing is written, so no
    teacher's departure goes untold; a file with no such change imports without Temporal."""

    async def unreachable() -> Client:
        raise RuntimeError("Temporal is down")

    with pytest.raises(TemporalUnreachable, match="Temporal is down"):
        await import_and_announce(db, settings, Kind.FACULTY, FACULTY_CSV, connect=unreachable)
    assert everyone(db) == ([], [])
    staying = FACULTY_CSV.replace("2026-fall", "")
    report = await import_and_announce(db, settings, Kind.FACULTY, staying, connect=unreachable)
    assert report.written and report.leaving_changed == []


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """The CLI's settings point at a database of this test's own."""
    url = f"sqlite:///{(tmp_path / 'cli.db').as_posix()}"
    monkeypatch.setenv("PRAXIS_DATABASE_URL", url)
    monkeypatch.setattr("cli.main.configure_logging", lambda settings: None)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_cli_reports_errors_by_row_and_exits_1(cli_env: str, tmp_path: Path) -> None:
    """`praxis import students FILE.csv` prints each error as `FILE: row N, column C: message`, says nothing
    was imported, and exits 1."""
    path = tmp_path / "students.csv"
    path.write_text(replace_line(STUDENTS_CSV, 4, "B11200003,Huang Yu,huang-at-example,no"), encoding="utf-8")

    result = CliRunner().invoke(app, ["import", "students", str(path)])

    assert result.exit_code == 1
    assert f"{path}: row 4, column email: value is not a valid email address" in result.output
    assert "1 error(s); nothing was imported." in result.output
    with session(make_engine(cli_env)) as s:
        assert directory.get_student(s, "B11200001") is None


def test_cli_dry_run_then_import(cli_env: str, tmp_path: Path) -> None:
    """`--dry-run` prints what would change and writes nothing; the real run then imports."""
    path = tmp_path / "students.csv"
    path.write_text(STUDENTS_CSV, encoding="utf-8-sig")

    dry = CliRunner().invoke(app, ["import", "students", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "students: 3 rows would be imported: 3 created" in dry.output
    with session(make_engine(cli_env)) as s:
        assert directory.get_student(s, "B11200001") is None

    real = CliRunner().invoke(app, ["import", "students", str(path)])
    assert real.exit_code == 0, real.output
    assert "students: 3 rows were imported: 3 created, 0 updated, 0 unchanged" in real.output
    with session(make_engine(cli_env)) as s:
        assert directory.get_student(s, "B11200002") is not None


def test_import_with_a_language_column_sets_each_preference(db: Engine) -> None:
    """Issue 4: an optional `language` column sets each person's mail language; an empty cell is the default."""
    faculty_csv = "id,name,email,rank,department,leaving_after,language\n" + (
        "T0001,Chen Wei,chen.wei@mail.example.edu,professor,Civil Engineering,,EN\n"
        "T0002,Lin Ya-Ting,lin.yt@mail.example.edu,professor,Design,,\n"
    )
    students_csv = "id,name,email,has_internship_credit,language\nB11200001,Lin Mei-Hua,b1@mail.example.edu,no,zh\n"
    assert import_directory(db, Kind.FACULTY, faculty_csv).ok
    assert import_directory(db, Kind.STUDENTS, students_csv).ok
    with session(db) as s:
        assert {f.id: f.language for f in directory.list_faculty(s)} == {"T0001": MailLanguage.EN, "T0002": None}
        student = directory.get_student(s, "B11200001")
        assert student is not None and student.language is MailLanguage.ZH
    again = import_directory(db, Kind.FACULTY, faculty_csv)
    assert again.unchanged == ["T0001", "T0002"]


def test_import_without_the_language_column_keeps_stored_preferences(db: Engine) -> None:
    """Issue 4: the column is optional; a file without it imports as before and leaves each stored mail language."""
    with session(db) as s:
        directory.upsert_student(
            s, Student(id="B11200001", name="Lin Mei-Hua", email="b11200001@mail.example.edu", language="en")
        )
    report = import_directory(db, Kind.STUDENTS, STUDENTS_CSV)
    assert report.ok and report.unchanged == ["B11200001"]
    with session(db) as s:
        kept = directory.get_student(s, "B11200001")
        new = directory.get_student(s, "B11200002")
    assert kept is not None and kept.language is MailLanguage.EN
    assert new is not None and new.language is None


def test_an_unknown_language_is_reported_by_row_and_column(db: Engine) -> None:
    """Issue 4: a language other than bilingual, en or zh refuses the file, naming row and column."""
    text = "id,name,email,has_internship_credit,language\nB11200001,Lin Mei-Hua,b1@mail.example.edu,no,fr\n"
    report = import_directory(db, Kind.STUDENTS, text)
    assert [(e.row, e.column) for e in report.errors] == [(2, "language")]
    with session(db) as s:
        assert directory.get_student(s, "B11200001") is None


BIG5_FACULTY = """id,name,email,rank,department,leaving_after
T0101,陳偉,chen.wei@mail.example.edu,教授,營建工程系,
T0102,林雅婷,lin.yt@mail.example.edu,兼任助理教授,設計系,
T0103,王小明,wang.xm@mail.example.edu,專任副教授,機械工程系,
T0104,吳美,wu.mei@mail.example.edu,職員,通識教育中心,
T0105,黃宇,huang.yu@mail.example.edu,Associate Professor,電機工程系,
"""


def test_cli_imports_big5_with_chinese_rank_names(cli_env: str, tmp_path: Path) -> None:
    """Issue 12: the CSV Excel writes on a Traditional Chinese Windows (Big5, code page 950) is read as such, and
    the personnel office's rank names (教授, 兼任助理教授, 專任副教授, 職員, or English words) are understood."""
    path = tmp_path / "faculty.csv"
    path.write_bytes(BIG5_FACULTY.encode("cp950"))

    result = CliRunner().invoke(app, ["import", "faculty", str(path)])

    assert result.exit_code == 0, result.output
    with session(make_engine(cli_env)) as s:
        imported = {f.id: f for f in directory.list_faculty(s)}
    assert imported["T0101"].name == "陳偉" and imported["T0101"].department == "營建工程系"
    assert [imported[f"T010{n}"].rank for n in range(1, 6)] == [
        Rank.PROFESSOR,
        Rank.ADJUNCT_ASSISTANT_PROFESSOR,
        Rank.ASSOCIATE_PROFESSOR,
        Rank.STAFF,
        Rank.ASSOCIATE_PROFESSOR,
    ]


def test_cli_refuses_a_file_that_is_neither_utf8_nor_big5(cli_env: str, tmp_path: Path) -> None:
    """Issue 12: bytes that are not UTF-8 and hold no Chinese when read as Big5 (here Latin-1) are refused with
    what to do, rather than imported as garbled names."""
    path = tmp_path / "students.csv"
    path.write_bytes(STUDENTS_CSV.replace("Lin Mei-Hua", "Léa Müller").encode("latin-1"))

    result = CliRunner().invoke(app, ["import", "students", str(path)])

    assert result.exit_code == 1
    assert "not UTF-8 or Big5 text" in result.output and "CSV UTF-8" in result.output
