"""The real app over ASGI, wired to the session's Temporal test server, worker, SQLite store and SMTP sink."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import Engine
from temporalio.testing import WorkflowEnvironment

from api.main import create_app
from clients.connect import data_converter
from config.settings import Settings
from tests.api.portal import Portal
from tests.conftest import SEARCH_ATTRIBUTES, _binary


@pytest.fixture(scope="session")
async def app(
    temporal_env: WorkflowEnvironment, settings: Settings, engine: Engine, worker: None
) -> AsyncIterator[FastAPI]:
    application = create_app(settings, temporal_client=temporal_env.client)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture(scope="session")
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://praxis.test", timeout=30) as client:
        yield client


@pytest.fixture
def portal(http: httpx.AsyncClient, settings: Settings) -> Portal:
    return Portal(http, settings)


@pytest.fixture(scope="session")
async def dev_server(settings: Settings) -> AsyncIterator[WorkflowEnvironment]:
    """The Temporal dev server (the real frontend) with Praxis's search attributes: for what the time-skipping
    server does not do like production (pollers it misses, updates admitted while no worker runs)."""
    env = await WorkflowEnvironment.start_local(
        data_converter=data_converter(settings),
        dev_server_existing_path=_binary("temporal"),
        search_attributes=SEARCH_ATTRIBUTES,
        ui=False,
    )
    yield env
    await env.shutdown()
