"""`praxis health worker`: the worker container's health check (deploy item 2) says healthy only while a
worker on this host polls the task queue, and names what is wrong otherwise."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.engine import Engine
from temporalio.testing import WorkflowEnvironment
from typer.testing import CliRunner

from cli.health import check_worker
from cli.main import app
from config.settings import Settings, get_settings
from tests.support.net import free_port
from workers.main import build_worker


@pytest.fixture(scope="module")
def at_test_server(settings: Settings, dev_temporal: WorkflowEnvironment) -> Settings:
    """The dev server, since the time-skipping test server does not implement DescribeTaskQueue."""
    return settings.model_copy(update={"temporal_address": dev_temporal.client.service_client.config.target_host})


@pytest.fixture(scope="module")
async def worker(at_test_server: Settings, dev_temporal: WorkflowEnvironment, engine: Engine) -> AsyncIterator[None]:
    async with build_worker(dev_temporal.client, at_test_server, engine):
        yield


async def test_healthy_while_a_worker_on_this_host_polls(at_test_server: Settings, worker: None) -> None:
    """The module's worker runs in this process, so its identity is `pid@<this hostname>`; healthy once its
    first poll reaches the server (as a container is, after its start period)."""
    deadline = asyncio.get_running_loop().time() + 20
    while (problem := await check_worker(at_test_server)) is not None and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.2)
    assert problem is None


async def test_unhealthy_when_no_worker_on_this_host_polls(at_test_server: Settings, worker: None) -> None:
    """Another container's worker polling the queue does not make this one healthy."""
    problem = await check_worker(at_test_server, host="another-container")
    assert problem is not None
    assert "no worker on another-container polled task queue" in problem
    assert at_test_server.task_queue in problem


async def test_unhealthy_when_no_worker_polls_the_queue(at_test_server: Settings) -> None:
    """A task queue nobody polls (the worker died or never connected) is unhealthy."""
    idle = at_test_server.model_copy(update={"task_queue": "praxis-nobody-polls-this"})
    problem = await check_worker(idle, host=socket.gethostname())
    assert problem is not None
    assert "praxis-nobody-polls-this" in problem


def test_the_command_exits_1_naming_an_unreachable_temporal(monkeypatch: pytest.MonkeyPatch) -> None:
    """`praxis health worker` exits 1 and says which Temporal address did not answer."""
    address = f"127.0.0.1:{free_port()}"
    monkeypatch.setenv("PRAXIS_TEMPORAL_ADDRESS", address)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["health", "worker"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert f"unhealthy: Temporal at {address} did not answer" in result.output
