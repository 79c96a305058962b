"""Time-outs: a workflow no worker answers gives 503 with Retry-After within the bound, never a hung request;
the answer never claims nothing changed when the action may still be applied."""

from __future__ import annotations

import asyncio
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
from domain.people import StudentStanding
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
async def unanswered(
    temporal_env: WorkflowEnvironment, settings: Settings, engine: Engine
) -> AsyncIterator[Unanswered]:
    """An app whose task queue no worker polls yet, and a project started there (it has run no task)."""
    lonely = settings.model_copy(
        update={
            "task_queue": f"nobody-polls-{unique('q')}",
            "update_timeout_seconds": BOUND,
            "update_outcome_grace_seconds": BOUND / 2,
            "retry_after_seconds": 7,
        }
    )
    student_id = unique("B")
    project_id = unique("p")
    await ProjectClient(temporal_env.client, lonely).start(
        project_id=project_id,
        student_id=student_id,
        semester_id="2026-fall",
        proposal=Proposal.model_validate(proposal()),
        actor=student_actor(student_id),
        standing=StudentStanding(student_id=student_id),
    )
    app = create_app(lonely, temporal_client=temporal_env.client)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://praxis.test") as http:
            try:
                yield Unanswered(Portal(http, lonely), lonely, project_id, student_id)
            finally:
                # Whatever the test left on the lonely queue is taken now: the shared time-skipping server holds
                # its clock while any task waits for a worker, which would stall every later test.
                # (A query here would itself be a task, for the sticky queue of the test's stopped worker.)
                async with build_worker(temporal_env.client, lonely, engine):
                    await asyncio.sleep(2)


async def test_no_worker_means_503_and_a_retried_key_answers_the_real_outcome(
    unanswered: Unanswered, temporal_env: WorkflowEnvironment, engine: Engine
) -> None:
    """Reading and acting on a project no worker serves answer 503 UNAVAILABLE with `Retry-After` from
    settings, within a small multiple of `update_timeout_seconds`. A read says nothing was changed; an action
    that reached Temporal says it may still be applied and to retry with the same Idempotency-Key (it must
    not claim that nothing changed). Once a worker is back, retrying each action with its key answers its
    real outcome and acts once; a retried submission finds the project it started."""
    portal, project_id, student = (
        unanswered.portal,
        unanswered.project_id,
        unanswered.portal.student(unanswered.student_id),
    )
    review = {**portal.center, "Idempotency-Key": unique("r")}
    submission = {**student, "Idempotency-Key": unique("k")}
    read = portal.http.build_request("GET", f"/v1/projects/{project_id}", headers=student)
    act = portal.http.build_request(
        "POST", f"/v1/projects/{project_id}/review", json={"decision": "approve"}, headers=review
    )
    for request, says in ((read, "nothing was changed"), (act, "may still be applied")):
        started = time.monotonic()
        response = await portal.http.send(request)
        elapsed = time.monotonic() - started
        assert response.status_code == 503, response.text
        assert response.headers["retry-after"] == "7"
        assert response.json()["code"] == "UNAVAILABLE"
        assert says in response.json()["detail"]
        # Bounded: the call's own timeout, the grace spent looking for a late outcome, and a loaded machine.
        assert elapsed < 5 * BOUND + 5, request.url

    async with build_worker(temporal_env.client, unanswered.settings, engine):
        retried = await portal.http.post(
            f"/v1/projects/{project_id}/review", json={"decision": "approve"}, headers=review
        )
        assert retried.status_code == 200, retried.text
        assert retried.json()["project"]["stage"] == "NEEDS_SUPERVISOR"
        view = await portal.view(project_id, student)
        assert len(view["reviews"]) == 1  # applied once, whether by the first call or the retry
        first = await portal.http.post("/v1/projects", json=proposal(), headers=submission)
        again = await portal.http.post("/v1/projects", json=proposal(), headers=submission)
        assert first.status_code == again.status_code == 201
        assert first.json()["project"]["id"] == again.json()["project"]["id"]
