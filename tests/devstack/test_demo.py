"""`praxis demo` (issue 5 step 6) through the public API of the real app, worker and Temporal test server:
every stage of SPEC §3 left behind, and a second run that creates nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from temporalio.testing import WorkflowEnvironment

from api.auth import issue_token
from api.main import create_app
from config.settings import Settings
from devstack.demo import CENTER_ID, PROJECTS, WANG, run_demo, where_to_look
from domain.calendar import taipei_date
from domain.stages import Stage
from domain.vocabulary import Role
from store.db import make_engine, migrate
from tests.api.support import eventually
from workers.main import build_worker

# An id of its own: `semester-<id>` is one workflow for the whole test server.
SEMESTER = "2098-fall"


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
async def demo_http(temporal_env: WorkflowEnvironment, demo_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app with a worker on the demo's queue. Both live as long as the session: a workflow task nobody
    polls would stop the test server from skipping time for the tests that follow."""
    migrate(demo_settings.db_url)
    engine = make_engine(demo_settings.db_url)
    app = create_app(demo_settings, temporal_client=temporal_env.client)
    async with (
        build_worker(temporal_env.client, demo_settings, engine),
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://praxis.test", timeout=30) as http,
    ):
        yield http


async def listing(http: httpx.AsyncClient, settings: Settings) -> dict[str, Any]:
    token = issue_token(settings, sub=CENTER_ID, role=Role.CENTER)
    response = await http.get("/v1/projects", params={"limit": 200}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


async def test_demo_leaves_every_stage_and_a_second_run_creates_nothing(
    demo_http: httpx.AsyncClient, demo_settings: Settings, temporal_env: WorkflowEnvironment
) -> None:
    """Issue 5: the demo seeds, over HTTP only, one project in each of the eleven stages plus a group member's
    linked project (R9); the one waiting for the leaving professor carries the semester deadline (R13, R22);
    evidence photos are real images. Run again, it takes no step and the project count stays the same."""
    today = taipei_date(await temporal_env.get_current_time())
    first = await run_demo(demo_http, demo_settings, today=today, semester_id=SEMESTER)

    assert set(first.projects) == set(Stage)
    page = await eventually(
        lambda: listing(demo_http, demo_settings),
        lambda p: p["total"] == len(Stage) + 1 and {i["stage"] for i in p["items"]} == {s.value for s in Stage},
    )
    assert {i["stage"] for i in page["items"]} == {s.value for s in Stage}
    assert page["total"] == len(Stage) + 1  # and the linked project
    linked = next(i for i in page["items"] if i["id"] == first.linked_project_id)
    assert (linked["stage"], linked["group_id"]) == ("NEEDS_SUPERVISOR", first.group_id)

    token = issue_token(demo_settings, sub=CENTER_ID, role=Role.CENTER)
    auth = {"Authorization": f"Bearer {token}"}
    waiting = (await demo_http.get(f"/v1/projects/{first.projects[Stage.EVALUATION_PENDING]}", headers=auth)).json()
    assert waiting["supervisor"]["faculty"]["id"] == WANG.id and waiting["deadlines"]["semester_deadline"] is not None
    assert [e["kind"] for e in waiting["evidence"]] == ["participation"] * 3 + ["reflection"]
    assert all(e["blob"]["content_type"] == "image/jpeg" and e["blob"]["width"] == 640 for e in waiting["evidence"])
    passed = (await demo_http.get(f"/v1/projects/{first.projects[Stage.PASSED]}", headers=auth)).json()
    assert passed["credit"]["granted"] and passed["counted_hours"] == 36

    second = await run_demo(demo_http, demo_settings, today=today, semester_id=SEMESTER)
    assert second.done == []
    assert (second.projects, second.group_id, second.linked_project_id) == (
        first.projects,
        first.group_id,
        first.linked_project_id,
    )
    assert (await listing(demo_http, demo_settings))["total"] == len(Stage) + 1

    printed = "\n".join(where_to_look(second, demo_settings))
    assert 'WorkflowType="ProjectWorkflow" AND PraxisStage="EVALUATION_PENDING"' in printed
    assert f'PraxisSupervisorId="{WANG.id}"' in printed and "/dev/mail/ui" in printed
    assert f"/v1/projects/{first.projects[Stage.EVALUATION_PENDING]}" in printed
    assert len(PROJECTS) == len(Stage)
