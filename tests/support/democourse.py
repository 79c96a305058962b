"""`praxis demo`'s course for the tests that look at it (tests/devstack/test_demo.py, the office's page in
tests/browser): one app, database, task queue and worker for the whole session, loaded as a pytest plugin so
every test shares the same ones. The demo's ids are fixed, so two such courses on the one Temporal server
would collide; and its workflows keep timers, so its worker lives as long as the session: a workflow task
nobody polls would stop the time-skipping server for the tests that follow."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from temporalio.testing import WorkflowEnvironment

from api.main import create_app
from config.settings import Settings
from store.db import make_engine, migrate
from workers.main import build_worker

# An id of its own: `semester-<id>` is one workflow for the whole test server.
DEMO_SEMESTER = "2098-fall"


@pytest.fixture(scope="session")
def demo_settings(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A course of its own: its database, blobs and task queue, so the demo's fixed ids and its semester dated
    around today stay out of the store the other tests share."""
    var: Path = tmp_path_factory.mktemp("demo")
    return settings.model_copy(
        update={
            "var_dir": var,
            "database_url": f"sqlite:///{(var / 'demo.db').as_posix()}",
            "task_queue": f"{settings.task_queue}-demo",
        }
    )


@pytest.fixture(scope="session")
async def demo_app(temporal_env: WorkflowEnvironment, demo_settings: Settings) -> AsyncIterator[FastAPI]:
    """The app, started, with a worker on the demo's queue."""
    migrate(demo_settings.db_url)
    engine = make_engine(demo_settings.db_url)
    app = create_app(demo_settings, temporal_client=temporal_env.client)
    async with build_worker(temporal_env.client, demo_settings, engine), app.router.lifespan_context(app):
        yield app


@pytest.fixture(scope="session")
async def demo_http(demo_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=demo_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://praxis.test", timeout=30) as http:
        yield http
