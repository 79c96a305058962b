"""The real app over ASGI, wired to the session's Temporal test server, worker, SQLite store and SMTP sink."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import Engine
from temporalio.testing import WorkflowEnvironment

from api.main import create_app
from config.settings import Settings
from tests.api.portal import Portal


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
