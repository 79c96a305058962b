"""`GET /readyz` (SPEC §6, issue 11 item 4): ready when Temporal, the database, the object store and SMTP all
answer; 503 naming every one that does not. `/healthz` stays liveness."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from temporalio.client import Client

from api.db import Store
from api.deps import Resources
from api.main import create_app
from blobs import LocalBlobStore
from clients.project import ProjectClient
from config.settings import Settings
from store.db import make_engine
from tests.support.net import free_port


async def _get(app: FastAPI, path: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://praxis.test") as http:
        return await http.get(path)


@pytest.fixture
async def broken(app: FastAPI, settings: Settings, tmp_path: Path) -> FastAPI:
    """An app whose every dependency is down: Temporal and PostgreSQL addresses nothing listens on, a blob
    directory that cannot be made (its parent is a file), an SMTP port nothing listens on."""
    down = settings.model_copy(update={"smtp_port": free_port()})
    resources: Resources = app.state.resources
    temporal = await Client.connect(f"127.0.0.1:{free_port()}", lazy=True)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    broken_app = create_app(down, temporal_client=temporal)
    broken_app.state.resources = dataclasses.replace(
        resources,
        projects=ProjectClient(temporal, down),
        store=Store(make_engine(f"postgresql+psycopg://praxis@127.0.0.1:{free_port()}/nothing")),
        blobs=LocalBlobStore(blocker / "blobs"),
    )
    return broken_app


async def test_ready_when_every_dependency_answers(http: httpx.AsyncClient) -> None:
    """Item 4: with the test server, SQLite, the local blob store and the SMTP sink up, /readyz is 200."""
    response = await http.get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json() == {
        "status": "ready",
        "checks": {"temporal": "up", "database": "up", "object_store": "up", "smtp": "up"},
        "down": [],
    }


async def test_not_ready_names_every_dependency_down(broken: FastAPI) -> None:
    """Item 4: 503 names each dependency that is down; the reasons stay in the log, not the public answer;
    /healthz (liveness) is still 200."""
    response = await _get(broken, "/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not_ready"
    assert sorted(body["down"]) == ["database", "object_store", "smtp", "temporal"]
    assert set(body["checks"].values()) == {"down"}
    assert "127.0.0.1" not in response.text
    assert (await _get(broken, "/healthz")).status_code == 200


async def test_only_smtp_down_is_named_alone(app: FastAPI, settings: Settings) -> None:
    """Item 4: SMTP is checked by a connection: with only its port wrong, only `smtp` is down."""
    no_smtp = create_app(settings.model_copy(update={"smtp_port": free_port()}), temporal_client=None)
    no_smtp.state.resources = app.state.resources
    response = await _get(no_smtp, "/readyz")
    assert response.status_code == 503
    assert response.json()["down"] == ["smtp"]
    assert response.json()["checks"]["temporal"] == "up"
