"""deploy/initdb/10-praxis.sh (deploy item 3): PostgreSQL's first-start script makes a Praxis role that owns
the Praxis database and nothing else; Praxis waits for it, migrates it and works in it as that role."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import inspect, make_url

from store.db import make_engine, migrate, wait_for_database
from tests.deploy.conftest import DEPLOY, run
from tests.store.conftest import PG_BASE_URL

pytestmark = pytest.mark.postgres


@pytest.fixture
def created() -> Iterator[tuple[str, str, str]]:
    """Runs the script as the entrypoint would (psql as the superuser), under fresh names; drops them after."""
    base = make_url(PG_BASE_URL)
    suffix = secrets.token_hex(4)
    name, role, password = f"praxis_initdb_{suffix}", f"praxis_initdb_{suffix}", secrets.token_hex(16)
    env = {
        **os.environ,
        "PGHOST": base.host or "127.0.0.1",
        "PGPORT": str(base.port or 5432),
        "POSTGRES_USER": base.username or "postgres",
        "POSTGRES_DB": base.database or "postgres",
        "PRAXIS_DB_NAME": name,
        "PRAXIS_DB_USER": role,
        "PRAXIS_DB_PASSWORD": password,
    }
    if base.password:
        env["PGPASSWORD"] = base.password
    done = run("sh", str(DEPLOY / "initdb" / "10-praxis.sh"), env=env)
    assert done.returncode == 0, done.stderr
    url = base.set(username=role, password=password, database=name).render_as_string(hide_password=False)
    yield url, name, role
    make_engine(url).dispose()
    admin = make_engine(PG_BASE_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.exec_driver_sql(f'DROP ROLE IF EXISTS "{role}"')


def test_the_praxis_role_owns_its_database_and_can_migrate_it(created: tuple[str, str, str]) -> None:
    """As the new role: the database answers, Alembic creates every table, and the role is no superuser."""
    url, name, role = created
    wait_for_database(url, timedelta(seconds=10))
    migrate(url)
    engine = make_engine(url)
    assert "project" in inspect(engine).get_table_names()
    with engine.connect() as connection:
        owner = connection.exec_driver_sql(
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()"
        ).scalar()
        superuser = connection.exec_driver_sql("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").scalar()
    assert (owner, superuser) == (role, False)
    assert name in url
