"""Issue 9, item 8: a crash log never prints a bearer token or what the request sent. The database fails
under a request (its table is gone): the answer is 503, and the log line, in JSON (production) or on the
console (dev), names the error without the caller's token or body. A refused production start prints no
secret either."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import structlog
from sqlalchemy import text
from temporalio.testing import WorkflowEnvironment

from api.auth import issue_token
from api.main import create_app
from config.log import configure_logging
from config.settings import Settings
from store.db import make_engine
from tests.api.portal import unique


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    config = structlog.get_config()
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.configure(**config)


@pytest.mark.parametrize("log_format", ["json", "console"])
async def test_a_crash_log_carries_no_token_and_no_body(
    temporal_env: WorkflowEnvironment,
    settings: Settings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    restore_logging: None,
    log_format: str,
) -> None:
    """PUT a student while the database has lost its table: 503 UNAVAILABLE, and nothing logged holds the
    bearer token, the name or the address the request carried."""
    own = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'praxis.db'}", "log_format": log_format})
    configure_logging(own)
    # No logger may keep this test's configuration once it is over (later tests capture logs their own way).
    structlog.configure(cache_logger_on_first_use=False)
    token = issue_token(own, sub="cge-1", role="center")
    marker = f"Marker{unique('n')}"
    app = create_app(own, temporal_client=temporal_env.client)
    async with app.router.lifespan_context(app):
        with make_engine(own.db_url).begin() as connection:
            connection.execute(text("DROP TABLE student"))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://praxis.test") as http:
            response = await http.put(
                f"/v1/students/{unique('B')}",
                json={"name": marker, "email": f"{marker.lower()}@mail.example.edu"},
                headers={"Authorization": f"Bearer {token}"},
            )
    assert response.status_code == 503, response.text
    logged = capsys.readouterr().err
    assert "student" in logged  # the failure is logged, naming what failed
    assert token not in logged and token.split(".")[2] not in logged
    assert marker not in logged and marker.lower() not in logged


def test_a_refused_production_start_prints_no_secret(tmp_path: Path) -> None:
    """The API refusing to start in production (no payload keys) says why and never prints a secret it was
    given: the SMTP password, the database password, the signing secrets, the object store's key."""
    secrets = {
        "PRAXIS_SMTP_PASSWORD": "smtp-" + unique("secret"),
        "PRAXIS_JWT_SECRET": "jwt-" + unique("secret") * 4,
        "PRAXIS_ACTION_LINK_SECRET": "link-" + unique("secret") * 4,
        "PRAXIS_S3_SECRET_ACCESS_KEY": "s3-" + unique("secret"),
    }
    env = {key: value for key, value in os.environ.items() if not key.startswith("PRAXIS_")}
    env |= secrets | {
        "PRAXIS_ENV": "production",
        "PRAXIS_VAR_DIR": str(tmp_path),
        "PRAXIS_DATABASE_URL": "postgresql+psycopg://praxis:db-" + unique("secret") + "@127.0.0.1:1/praxis",
    }
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", "api"], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "PRAXIS_PAYLOAD_KEYS" in output
    for value in [*secrets.values(), env["PRAXIS_DATABASE_URL"].split(":")[2].split("@")[0]]:
        assert value not in output
