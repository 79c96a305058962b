"""Start-up waiting for Temporal (deploy item 5): `connect(settings, retry_for=...)` outlasts a cluster
that starts after the worker or the API, and gives up after the bound with an error naming the address."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from structlog.testing import capture_logs
from temporalio.testing import WorkflowEnvironment

from clients.connect import connect
from config.settings import Settings
from config.startup import Unavailable
from tests.support.net import LateServer, free_port


async def test_waits_for_a_temporal_server_that_starts_later(temporal_env: WorkflowEnvironment) -> None:
    """The frontend's port opens a second late: the connection is retried, then the client works."""
    host, _, port = temporal_env.client.service_client.config.target_host.rpartition(":")
    late = LateServer(free_port(), (host, int(port)))
    settings = Settings(env="test", temporal_address=f"127.0.0.1:{late.port}")
    started = time.monotonic()
    late.start_after(1.0)
    try:
        with capture_logs() as logs:
            client = await connect(settings, retry_for=timedelta(seconds=60))
        assert time.monotonic() - started >= 1.0
        assert await client.service_client.check_health()
        waits = [
            entry
            for entry in logs
            if entry["event"] == f"waiting for Temporal at 127.0.0.1:{late.port} (namespace default)"
        ]
        assert waits, logs
    finally:
        late.stop()


async def test_gives_up_after_the_bound_with_a_clear_error() -> None:
    """Nothing behind the address: `Unavailable` within about the bound, naming address, namespace and cause."""
    port = free_port()
    settings = Settings(env="test", temporal_address=f"127.0.0.1:{port}", temporal_namespace="praxis")
    started = time.monotonic()
    with pytest.raises(Unavailable) as raised:
        await connect(settings, retry_for=timedelta(seconds=2))
    message = str(raised.value)
    assert message.startswith(f"Temporal at 127.0.0.1:{port} (namespace praxis) did not answer within 2 s:")
    assert "Connection refused" in message
    assert time.monotonic() - started < 2 + 1.0


async def test_without_a_bound_the_first_refusal_raises() -> None:
    """The CLI keeps answering at once when Temporal is down: no retry unless asked for."""
    settings = Settings(env="test", temporal_address=f"127.0.0.1:{free_port()}")
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="Failed client connect"):
        await connect(settings)
    assert time.monotonic() - started < 1.0
