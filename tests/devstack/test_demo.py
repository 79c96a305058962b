"""`praxis demo` (issue 5 step 6) through the public API of the real app, worker and Temporal test server:
every stage of SPEC §3 left behind, and a second run that creates nothing."""

from __future__ import annotations

from typing import Any

import httpx
from temporalio.testing import WorkflowEnvironment

from api.auth import issue_token
from config.settings import Settings
from devstack.demo import CENTER_ID, run_demo, where_to_look
from devstack.demo_course import PROJECTS, WANG
from domain.calendar import taipei_date
from domain.stages import Stage
from domain.vocabulary import Role
from tests.api.support import eventually
from tests.support.democourse import DEMO_SEMESTER

SEMESTER = DEMO_SEMESTER


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
