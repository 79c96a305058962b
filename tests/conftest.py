"""Shared fixtures: a real SMTP sink, a real SQLite store, Temporal (time-skipping by default) and a worker.

Set PRAXIS_TEST_TEMPORAL=local to run the suite against the Temporal dev server instead of the time-skipping
test server.

One Temporal test server serves the whole session, so a test must never leave a workflow with work on a task
queue that no worker polls: the time-skipping server holds its clock while any task is outstanding (even
after a terminate), and every later `env.sleep` would time out. Give such a test a worker of its own.
"""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy.engine import Engine
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from clients.connect import data_converter
from clients.project import ProjectClient
from config.settings import Settings
from store.db import make_engine, migrate
from tests.support.mailsink import MailSink
from workers.main import build_worker
from workflows import attributes

# The session's S3-compatible server (moto), started only when a test asks for `s3_server`; `praxis demo`'s
# course, started only when a test asks for it.
pytest_plugins = ["tests.support.s3server", "tests.support.democourse"]

BIN = Path(sys.executable).parent
SEARCH_ATTRIBUTES = attributes.ALL
# A fixed payload key (clients/codec.py), so a history recorded by one run opens in the next.
TEST_PAYLOAD_KEYS = "test-1:cHJheGlzLXRlc3QtcGF5bG9hZC1rZXktMzItYnl0ZXM="


def _binary(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} is not installed: run `make install`")
    return found


@pytest.fixture(scope="session")
async def temporal_env(settings: Settings) -> AsyncIterator[WorkflowEnvironment]:
    if os.environ.get("PRAXIS_TEST_TEMPORAL") == "local":
        env = await WorkflowEnvironment.start_local(
            data_converter=data_converter(settings),
            dev_server_existing_path=_binary("temporal"),
            search_attributes=SEARCH_ATTRIBUTES,
        )
    else:
        env = await WorkflowEnvironment.start_time_skipping(
            data_converter=data_converter(settings), test_server_existing_path=_binary("temporal-test-server")
        )
        await env.client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(
                namespace=env.client.namespace,
                search_attributes={key.name: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD for key in SEARCH_ATTRIBUTES},
            )
        )
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
async def dev_temporal(settings: Settings) -> AsyncIterator[WorkflowEnvironment]:
    """A Temporal dev server (the real frontend, as in production) with no search attributes of ours yet:
    for what the time-skipping server does not implement (task queue descriptions, namespace admin)."""
    env = await WorkflowEnvironment.start_local(
        data_converter=data_converter(settings), dev_server_existing_path=_binary("temporal"), ui=False
    )
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
def mail_sink() -> Iterator[MailSink]:
    sink = MailSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory, mail_sink: MailSink) -> Settings:
    var = tmp_path_factory.mktemp("var")
    return Settings(
        env="test",
        var_dir=var,
        database_url=f"sqlite:///{var / 'praxis.db'}",
        smtp_port=mail_sink.port,
        task_queue=f"praxis-test-{uuid.uuid4().hex[:8]}",
        update_timeout_seconds=5,
        payload_keys=SecretStr(TEST_PAYLOAD_KEYS),
        # An in-process client's answer waits for the app's after-answer work: rows are written at once
        # (the gathering itself is pinned in tests/api/test_rows.py).
        read_model_linger_seconds=0,
        # Production runs workflows outside the sandbox (workers/main.py); every test runs them inside it, so a
        # non-deterministic call in workflow code fails a test.
        worker_sandbox=True,
    )


@pytest.fixture(scope="session")
def engine(settings: Settings) -> Engine:
    migrate(settings.db_url)
    return make_engine(settings.db_url)


@pytest.fixture(scope="session")
async def worker(temporal_env: WorkflowEnvironment, settings: Settings, engine: Engine) -> AsyncIterator[None]:
    async with build_worker(temporal_env.client, settings, engine):
        yield


@pytest.fixture(scope="session")
def client(temporal_env: WorkflowEnvironment) -> Client:
    return temporal_env.client


@pytest.fixture(scope="session")
def projects(client: Client, settings: Settings, worker: None) -> ProjectClient:
    return ProjectClient(client, settings)
