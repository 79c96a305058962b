"""Engines, sessions and migrations.

SQLite (the dev default) and PostgreSQL (production) behave alike here: both serialize the writes that
matter, both are migrated by the same Alembic revisions, and both hand back aware UTC datetimes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from config.startup import wait

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
# Any constant shared by every process that migrates the same database; this one spells "praxis".
MIGRATION_LOCK_KEY = 0x707261786973
CONNECT_TIMEOUT_SECONDS = 10

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def make_engine(url: str) -> Engine:
    """The one engine (and connection pool) of this process for `url`."""
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = _create(url)
        return engine


def _create(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        # A bare postgresql:// would pick psycopg2, which is not installed; psycopg 3 is.
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() != "sqlite":
        if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
            # A host that drops packets would otherwise hold a connection attempt for minutes.
            parsed = parsed.update_query_dict({"connect_timeout": str(CONNECT_TIMEOUT_SECONDS)})
        return create_engine(parsed, pool_pre_ping=True, hide_parameters=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    # hide_parameters: an error (and so a log line) names the statement, never the values a request sent.
    engine = create_engine(parsed, connect_args={"check_same_thread": False}, hide_parameters=True)
    event.listen(engine, "connect", _configure_sqlite)
    event.listen(engine, "begin", _begin_immediate)
    return engine


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control away from the sqlite3 module, which would BEGIN only before the first
    # write; SQLAlchemy's "begin" event below starts every transaction instead.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        # The timeout first: switching to WAL needs a lock another process may hold for a moment.
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        # WAL lets the API read while a worker writes.
        cursor.execute("PRAGMA journal_mode = WAL")
    finally:
        cursor.close()


def _begin_immediate(connection: Any) -> None:
    # IMMEDIATE takes the write lock up front, so concurrent writers wait (busy_timeout) instead of
    # failing with "database is locked" when a read transaction tries to become a write transaction.
    # Unique-constraint races (credits R2, the read model's revision guard) then resolve in order.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def session(engine: Engine) -> Iterator[Session]:
    """A unit of work: commits when the block ends normally, rolls back if it raises.

    Objects stay readable after the commit (`expire_on_commit=False`), though the query functions
    return domain models anyway.
    """
    with Session(engine, expire_on_commit=False) as s:
        try:
            yield s
        except BaseException:
            s.rollback()
            raise
        s.commit()


def ping(engine: Engine) -> None:
    """One query in a transaction of its own; raises if the database does not answer (or, for SQLite, while
    another process holds its write lock past the busy timeout)."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def wait_for_database(url: str, timeout: timedelta) -> None:
    """Return once the database at `url` answers a query, retrying with backoff for at most `timeout`.

    Raises `config.startup.Unavailable` naming the server (never the password) and the last error.
    """
    engine = make_engine(url)
    where = make_url(url).render_as_string(hide_password=True)
    wait(lambda: ping(engine), f"the database at {where}", timeout, (DBAPIError,))


def alembic_config(url: str) -> Config:
    """Alembic's configuration without an alembic.ini: the scripts live inside this package.

    To write a new revision: `alembic.command.revision(alembic_config(url), message, autogenerate=True)`
    against a database at head.
    """
    config = Config()
    config.set_main_option("script_location", MIGRATIONS_DIR.as_posix())
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str) -> None:
    """Bring the schema to the newest revision; a no-op when it is there already.

    Safe at every process start, from several processes at once: on PostgreSQL a transaction-scoped
    advisory lock makes the second migrator wait and then find the schema current; on SQLite the
    `BEGIN IMMEDIATE` of every transaction does the same. All DDL runs in that one transaction, so a
    crash half-way leaves the previous revision intact.
    """
    engine = make_engine(url)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        config = alembic_config(url)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
