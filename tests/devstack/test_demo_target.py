"""`praxis demo` seeds the instance the settings name (issue 12, item 5), never whatever answers on port 8000."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cli.main import app
from config.settings import Settings, get_settings
from devstack.demo import demo_api_url
from tests.support.mailsink import free_port


def test_the_demo_targets_the_configured_api(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 12: the API's own host and port when set (an any-address host is reached on loopback), the public
    URL when only it was set, and `praxis dev`'s default otherwise."""
    assert demo_api_url(Settings(env="test")) == "http://127.0.0.1:8000"
    assert demo_api_url(Settings(env="test", api_port=8123)) == "http://127.0.0.1:8123"
    assert demo_api_url(Settings(env="test", public_url="http://localhost:9000/")) == "http://localhost:9000"
    both = Settings(env="test", api_host="0.0.0.0", api_port=8001, public_url="https://praxis.example.edu")  # noqa: S104
    assert demo_api_url(both) == "http://127.0.0.1:8001"
    monkeypatch.setenv("PRAXIS_API_PORT", "8124")
    assert demo_api_url(Settings(env="test")) == "http://127.0.0.1:8124"


def test_praxis_demo_goes_to_the_port_the_environment_names(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 12: with PRAXIS_API_PORT naming a port nothing listens on, `praxis demo` reports that address, not
    8000."""
    port = free_port()
    monkeypatch.setenv("PRAXIS_API_PORT", str(port))
    monkeypatch.setenv("PRAXIS_ENV", "test")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["demo"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert f"127.0.0.1:{port}" in result.output and ":8000" not in result.output
