"""Time-outs (issue 3): a workflow no worker answers gives 503 with Retry-After within the bound, never a hung
request, and nothing the caller sent is half-applied."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy.engine import Engine
from temporalio.testing import WorkflowEnvironment

from api.main import create_app
from clients.project import ProjectClient
from config.settings import Settings
from domain.proposal import Proposal
from tests.api.portal import Portal, proposal, unique
from tests.support.course import student_actor
from workers.main import build_worker

BOUND = 1.0


@dataclass
class Unanswered:
    portal: Portal
    settings: Settings
    project_id: str
    student_id: str


@pytest.fixture
async def unanswered(temporal_env: WorkflowEnvironment, settings: Settings) -> AsyncIterator[Unanswered]:
    """An app whose task queue no worker polls yet, and a project started there (it has run no task)."""
    lonely = settings.model_copy(
        update={"task_queue": f"nobody-polls-{unique('q')}", "update_timeout_seconds": BOUND, "retry_after_seconds": 7}
    )
    student_id = unique("B")
    project_id = unique("p")
    await ProjectClient(temporal_env.client, lonely).start(
        project_id=project_id,
        student_id=student_id,
        semester_id="2026-fall",
        proposal=Proposal.model_validate(proposal()),
        actor=student_actor(student_id),
    )
    app = create_app(lonely, temporal_client=temporal_env.client)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://praxis.test") as http:
            yield Unanswered(Portal(http, lonely), lonely, project_id, student_id)


async def test_no_worker_means_503_with_retry_after_and_nothing_applied(
    unanswered: Unanswered, temporal_env: WorkflowEnvironment, engine: Engine
) -> None:
    """Reading and acting on a project no worker serves answer 503 UNAVAILABLE with `Retry-After` from
    settings, within a small multiple of `update_timeout_seconds`. Once a worker is back, none of the refused
    actions has happened, and a retried submission (same Idempotency-Key) finds the project it started."""
    portal, project_id, student = (
        unanswered.portal,
        unanswered.project_id,
        unanswered.portal.student(unanswered.student_id),
    )
    hours = {"date": "2026-03-02", "hours": 2, "kind": "execution", "description": "Reading session"}
    submission = {**student, "Idempotency-Key": unique("k")}
    calls = [
        portal.http.build_request("GET", f"/v1/projects/{project_id}", headers=student),
        portal.http.build_request("POST", f"/v1/projects/{project_id}/hours", json=hours, headers=student),
        portal.http.build_request(
            "POST", f"/v1/projects/{project_id}/review", json={"decision": "approve"}, headers=portal.center
        ),
        portal.http.build_request("POST", "/v1/projects", json=proposal(), headers=submission),
    ]
    for request in calls:
        started = time.monotonic()
        response = await portal.http.send(request)
        elapsed = time.monotonic() - started
        assert response.status_code == 503, response.text
        assert response.headers["retry-after"] == "7"
        assert response.json()["code"] == "UNAVAILABLE"
        assert "nothing was changed" in response.json()["detail"]
        assert elapsed < 3 * BOUND + 1, request.url

    async with build_worker(temporal_env.client, unanswered.settings, engine):
        view = await portal.view(project_id, student)
        assert view["stage"] == "PROPOSAL_REVIEW"
        assert view["hours"] == [] and view["reviews"] == []
        retried = await portal.http.post("/v1/projects", json=proposal(), headers=submission)
        assert retried.status_code == 201
        assert retried.json()["stage"] == "PROPOSAL_REVIEW"
