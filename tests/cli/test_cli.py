"""The `praxis` command line: `praxis token` (SPEC §4) and `praxis dev` refusing busy ports (SPEC §5)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.auth import decode_token
from cli.main import app
from config.course_profile import SHIPPED
from config.settings import get_settings
from domain.vocabulary import Role

SECRET = "cli-test-secret-that-is-long-enough-0123456789"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Settings from a controlled environment; the cached Settings is rebuilt around the test."""
    monkeypatch.setenv("PRAXIS_JWT_SECRET", SECRET)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_token_prints_a_jwt_signed_with_the_settings_secret(env: None) -> None:
    """`praxis token --role R --sub ID` prints one token that decode_token accepts, with the given claims."""
    result = CliRunner().invoke(
        app, ["token", "--role", "center", "--sub", "cge-7", "--name", "Wang", "--email", "w@x.tw", "--ttl-hours", "1"]
    )
    assert result.exit_code == 0, result.output
    claims = decode_token(get_settings(), result.output.strip())
    assert (claims.sub, claims.role, claims.name, claims.email) == ("cge-7", Role.CENTER, "Wang", "w@x.tw")


def test_token_refuses_the_system_role(env: None) -> None:
    """No token can be issued for the workflows' own `system` actor."""
    result = CliRunner().invoke(app, ["token", "--role", "system", "--sub", "x"])
    assert result.exit_code != 0


def test_dev_refuses_a_busy_port_clearly(env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """`praxis dev` names the port in use and exits 1 instead of half-starting."""
    # The root logger must keep pytest's handlers, not one bound to CliRunner's short-lived stream.
    monkeypatch.setattr("cli.main.configure_logging", lambda settings: None)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        monkeypatch.setenv("PRAXIS_API_PORT", str(port))
        get_settings.cache_clear()
        result = CliRunner().invoke(app, ["dev"])
    assert result.exit_code == 1
    assert f"API (127.0.0.1:{port})" in result.output


def test_profile_check_prints_what_a_profile_sets_or_why_it_stops(tmp_path: Path, env: None) -> None:
    """`praxis profile check`: the configured profile (NTUST's by default) or a named one, one line per part;
    a broken file exits 1 naming the field, as the processes would refuse to start."""
    runner = CliRunner()
    default = runner.invoke(app, ["profile", "check"])
    assert default.exit_code == 0, default.output
    assert "profile ntust v1: Social Practice (TC1010)" in default.output and "hours: 36 of execution" in default.output
    ntnu = runner.invoke(app, ["profile", "check", "ntnu"])
    assert ntnu.exit_code == 0 and "competencies: interdisciplinary_action" in ntnu.output
    broken = tmp_path / "broken.toml"
    broken.write_text((SHIPPED / "ntnu.toml").read_text(encoding="utf-8").replace("required = 24", "required = 0"))
    refused = runner.invoke(app, ["profile", "check", str(broken)])
    assert refused.exit_code == 1
    assert "hours.required: Input should be greater than 0" in refused.output
