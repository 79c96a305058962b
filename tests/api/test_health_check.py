"""`praxis health api`: the API container's health check (deploy item 2) against the real app over HTTP."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from fastapi import FastAPI

from cli.health import check_api
from tests.support.net import free_port


@pytest.fixture(scope="module")
def served(app: FastAPI) -> Iterator[str]:
    """The session's app on a real loopback port (its lifespan already ran in the `app` fixture)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_config=None))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_healthy_when_healthz_answers(served: str) -> None:
    """GET /healthz answers 200: healthy."""
    assert check_api(f"{served}/healthz") is None


def test_unhealthy_names_the_status(served: str) -> None:
    """A path that is not 200 is unhealthy and the status is named."""
    assert check_api(f"{served}/no-such-path") == f"{served}/no-such-path answered 404"


def test_unhealthy_when_nothing_listens() -> None:
    """A stopped API is a connection error, named."""
    url = f"http://127.0.0.1:{free_port()}/healthz"
    problem = check_api(url, timeout=2)
    assert problem is not None
    assert problem.startswith(f"{url}: ConnectError")
