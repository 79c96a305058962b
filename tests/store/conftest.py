"""The store under test, on both databases it supports: a fresh SQLite file and a PostgreSQL database.

PostgreSQL comes from PRAXIS_TEST_POSTGRES_URL (default: the local `test` database). The suite creates
its own database beside it for the session and drops it afterwards. An unreachable server fails the run
rather than skipping, so a green run always means both databases were exercised.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, make_url
from sqlalchemy.exc import OperationalError

from store.db import make_engine, migrate, session
from store.models import metadata

PG_BASE_URL = os.environ.get("PRAXIS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A new empty database on the test server, dropped (even with connections left open) on exit."""
    admin = make_engine(PG_BASE_URL).execution_options(isolation_level="AUTOCOMMIT")
    name = f"praxis_test_{secrets.token_hex(6)}"
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except OperationalError as error:
        pytest.fail(f"PostgreSQL is required (PRAXIS_TEST_POSTGRES_URL={PG_BASE_URL}): {error}")
    url = make_url(PG_BASE_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        make_engine(url).dispose()
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.dispose()


def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{(directory / 'praxis.db').as_posix()}"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """One migrated PostgreSQL database for the whole session; tests empty it after themselves."""
    with fresh_postgres_database() as url:
        migrate(url)
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a migrated, empty store database."""
    if request.param == "sqlite":
        url = sqlite_url(tmp_path)
        migrate(url)
        yield url
        make_engine(url).dispose()
        return
    url = request.getfixturevalue("postgres_url")
    yield url
    with session(make_engine(url)) as s:
        s.connection().exec_driver_sql(f"TRUNCATE {', '.join(metadata.tables)} RESTART IDENTITY")


@pytest.fixture
def db(db_url: str) -> Engine:
    return make_engine(db_url)
