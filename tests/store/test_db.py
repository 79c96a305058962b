"""Engines, sessions, migrations and the column types every query relies on."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect
from sqlalchemy.exc import StatementError

from store import directory, projects
from store.db import alembic_config, make_engine, migrate, session
from store.models import metadata
from tests.store import samples
from tests.store.conftest import fresh_postgres_database, sqlite_url

REPO = Path(__file__).resolve().parents[2]
HEAD = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def _revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def test_make_engine_is_cached_per_url(tmp_path: Path) -> None:
    """One engine, hence one connection pool, per database URL in a process."""
    url = sqlite_url(tmp_path)
    assert make_engine(url) is make_engine(url)
    assert make_engine(url) is not make_engine(sqlite_url(tmp_path / "other"))


def test_sqlite_engine_creates_its_directory_and_uses_wal(tmp_path: Path) -> None:
    """The dev default (var/praxis.db) works on a fresh checkout, and readers do not block the writer."""
    url = sqlite_url(tmp_path / "var" / "nested")
    engine = make_engine(url)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    assert (tmp_path / "var" / "nested" / "praxis.db").exists()
    engine.dispose()


def test_migrate_twice_is_a_no_op(db_url: str, db: Engine) -> None:
    """migrate() runs at every process start: the second call finds the schema at head and leaves it."""
    migrate(db_url)
    migrate(db_url)
    assert _revision(db) == HEAD
    assert set(inspect(db).get_table_names()) == set(metadata.tables) | {"alembic_version"}


def test_migrations_match_the_models(db: Engine) -> None:
    """The revisions create exactly the tables, columns, types and indexes the models declare."""
    with db.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []


def _migrate_from_processes(url: str) -> None:
    # Three processes: without the lock, two of them collide in most runs (measured), three in nearly all.
    code = "import sys; from store.db import migrate; migrate(sys.argv[1])"
    runs = [
        subprocess.Popen([sys.executable, "-c", code, url], cwd=REPO, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    failures = [run.communicate(timeout=60)[1] for run in runs if run.wait(timeout=60) != 0]
    assert failures == []


def test_concurrent_migrations_on_sqlite(tmp_path: Path) -> None:
    """Processes starting at once on a fresh SQLite file all succeed; the schema is created once."""
    url = sqlite_url(tmp_path)
    _migrate_from_processes(url)
    assert _revision(make_engine(url)) == HEAD
    make_engine(url).dispose()


@pytest.mark.postgres
def test_concurrent_migrations_on_postgres() -> None:
    """Processes starting at once on a fresh PostgreSQL database serialize on the advisory lock."""
    with fresh_postgres_database() as url:
        _migrate_from_processes(url)
        assert _revision(make_engine(url)) == HEAD


def test_session_commits_on_success(db: Engine) -> None:
    """A unit of work that ends normally is committed."""
    with session(db) as s:
        directory.upsert_student(s, samples.student())
    with session(db) as s:
        assert directory.get_student(s, "B11200001") == samples.student()


def _write_then_fail(db: Engine) -> None:
    with session(db) as s:
        directory.upsert_student(s, samples.student())
        raise RuntimeError("the activity failed half-way")


def test_session_rolls_back_on_error(db: Engine) -> None:
    """A unit of work that raises leaves nothing behind."""
    with pytest.raises(RuntimeError, match="half-way"):
        _write_then_fail(db)
    with session(db) as s:
        assert directory.get_student(s, "B11200001") is None


def test_datetimes_come_back_aware_in_utc(db: Engine) -> None:
    """Instants are stored in UTC and read back timezone-aware, whatever offset they were written with."""
    taipei = timezone(timedelta(hours=8))
    written = datetime(2026, 9, 7, 10, 30, 15, 123456, tzinfo=taipei)
    with session(db) as s:
        projects.save_project(s, samples.summary(created_at=written), [])
    with session(db) as s:
        read = projects.get_project(s, "p-1")
    assert read is not None
    assert read.created_at == written
    assert read.created_at.tzinfo is UTC


def test_naive_datetimes_are_refused(db: Engine) -> None:
    """A naive datetime is a bug upstream; storing it would silently shift deadlines (R25)."""
    with pytest.raises(StatementError, match="naive datetime"), session(db) as s:
        projects.save_project(s, samples.summary(created_at=datetime(2026, 9, 7, 10, 30)), [])


@pytest.mark.parametrize("hours", [Decimal(0), Decimal("0.5"), Decimal("36"), Decimal("37.5"), Decimal("123456.5")])
def test_hours_round_trip_exactly(db: Engine, hours: Decimal) -> None:
    """R15: counted hours are compared with 36, so they must come back exactly as written."""
    with session(db) as s:
        projects.save_project(s, samples.summary(counted_hours=hours), [])
    with session(db) as s:
        read = projects.get_project(s, "p-1")
    assert read is not None
    assert read.counted_hours == hours


def test_hours_that_would_be_rounded_are_refused(db: Engine) -> None:
    """A value the column cannot hold exactly is an error, not a silently different number."""
    with pytest.raises(StatementError, match="would be rounded"), session(db) as s:
        projects.save_project(s, samples.summary(counted_hours=Decimal("1.125")), [])
