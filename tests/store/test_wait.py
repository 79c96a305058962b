"""Start-up waiting for the database (deploy item 5): the worker and the API outlast a database that
comes up after them, and give up after the bound with an error that names the server, not its password."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import make_url
from structlog.testing import capture_logs

from config.startup import Unavailable
from store.db import make_engine, wait_for_database
from tests.support.net import LateServer, free_port


@pytest.mark.postgres
def test_waits_for_a_database_that_starts_listening_later(postgres_url: str) -> None:
    """A PostgreSQL whose port opens a second after the process starts is awaited, with a log line per wait."""
    real = make_url(postgres_url)
    late = LateServer(free_port(), (real.host or "127.0.0.1", real.port or 5432))
    url = real.set(host="127.0.0.1", port=late.port).render_as_string(hide_password=False)
    started = time.monotonic()
    late.start_after(1.0)
    try:
        with capture_logs() as logs:
            wait_for_database(url, timedelta(seconds=60))
        assert time.monotonic() - started >= 1.0
        waits = [entry for entry in logs if entry["event"].startswith("waiting for the database at")]
        assert waits, logs
        assert all(f"127.0.0.1:{late.port}" in entry["event"] for entry in waits)
        assert any(entry["event"].endswith("answered") for entry in logs)
    finally:
        make_engine(url).dispose()
        late.stop()


def test_gives_up_after_the_bound_naming_the_server_not_the_password() -> None:
    """Nothing listening: an `Unavailable` after about the bound, with the address and the driver's reason."""
    port = free_port()
    url = f"postgresql+psycopg://praxis:s3cret-password@127.0.0.1:{port}/praxis"
    started = time.monotonic()
    with pytest.raises(Unavailable) as raised:
        wait_for_database(url, timedelta(seconds=1.5))
    elapsed = time.monotonic() - started
    message = str(raised.value)
    assert f"127.0.0.1:{port}" in message
    assert "did not answer within 1.5 s" in message
    assert "Connection refused" in message
    assert "s3cret-password" not in message
    assert elapsed < 1.5 + 1.0


def test_sqlite_answers_at_once(tmp_path: pytest.TempPathFactory) -> None:
    """The dev default needs no server: the wait returns on the first attempt and logs no wait."""
    with capture_logs() as logs:
        wait_for_database(f"sqlite:///{tmp_path}/praxis.db", timedelta(seconds=1))
    assert logs == []
