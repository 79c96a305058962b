"""Projects over HTTP (SPEC §4): submit (R1), read from the workflow, list from the read model, withdraw (R24)."""

from __future__ import annotations

from typing import Any

from tests.api.portal import Portal, proposal, unique
from tests.api.support import eventually


async def test_submitting_a_proposal_answers_201_with_the_project(portal: Portal) -> None:
    """R1: a proposal is all it takes; the answer is the project in PROPOSAL_REVIEW and where to find it."""
    student_id = unique("B")
    response = await portal.http.post(
        "/v1/projects", json=proposal(), headers={**portal.student(student_id), "Idempotency-Key": unique("k")}
    )
    assert response.status_code == 201
    view = response.json()["project"]
    assert response.json()["created_id"] == view["id"]
    assert view["stage"] == "PROPOSAL_REVIEW"
    assert view["student_id"] == student_id
    assert view["priority"] == "high"  # R6: `volunteer` is a high-priority tag
    assert response.headers["location"] == f"/v1/projects/{view['id']}"
    assert (await portal.view(view["id"], portal.student(student_id)))["proposal"]["title"] == proposal()["title"]


async def test_a_retried_submission_maps_to_the_same_project(portal: Portal) -> None:
    """Idempotency-Key: the same key twice starts one project; another key starts another."""
    student_id = unique("B")
    first = await portal.submit(student_id, key="submit-once")
    retry = await portal.submit(student_id, key="submit-once")
    other = await portal.submit(student_id, key="submit-twice")
    assert retry["id"] == first["id"]
    assert other["id"] != first["id"]
    page = await eventually(
        lambda: portal.http.get("/v1/projects", headers=portal.student(student_id)),
        lambda r: r.json()["total"] == 2,
    )
    assert sorted(item["id"] for item in page.json()["items"]) == sorted([first["id"], other["id"]])


async def test_the_same_key_from_two_students_starts_two_projects(portal: Portal) -> None:
    """Keys are scoped by caller: two students who happen to send the same key do not share a project."""
    one = await portal.submit(unique("B"), key="shared-key")
    two = await portal.submit(unique("B"), key="shared-key")
    assert one["id"] != two["id"]


async def test_an_invalid_proposal_names_every_offending_field(portal: Portal) -> None:
    """R4: title, plan and at least one indicator are required; FastAPI's validation answers VALIDATION_ERROR
    as problem+json with each field's location and message."""
    body = proposal(title="  ", indicators=[])
    response = await portal.http.post("/v1/projects", json=body, headers=portal.student(unique("B")))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "VALIDATION_ERROR"
    locations = {tuple(error["loc"]) for error in problem["errors"]}
    assert locations == {("body", "title"), ("body", "indicators")}
    assert all(error["msg"] for error in problem["errors"])


async def test_a_low_priority_proposal_without_justification_is_refused(portal: Portal) -> None:
    """R6: a low-priority proposal must carry a justification."""
    body = proposal(tags=["reception_work"])
    response = await portal.http.post("/v1/projects", json=body, headers=portal.student(unique("B")))
    assert response.status_code == 422
    assert "justification" in response.json()["errors"][0]["msg"]


async def test_malformed_json_is_a_validation_error(portal: Portal) -> None:
    """Even a body that is not JSON at all answers problem+json, not FastAPI's default shape."""
    headers = {**portal.student(unique("B")), "Content-Type": "application/json"}
    response = await portal.http.post("/v1/projects", content=b"{not json", headers=headers)
    assert response.status_code == 422
    assert response.json()["code"] == "VALIDATION_ERROR"


async def test_the_project_view_has_everything_the_portal_shows(portal: Portal) -> None:
    """GET /v1/projects/{id}: stage, proposal, supervisor, hours counted and required, evidence, what is
    missing for closure (R18), deadlines and the audit trail (R24) with the portal as channel."""
    project_id, student_id = await portal.approved()
    view = await portal.view(project_id, portal.student(student_id))
    for field in ("stage", "proposal", "supervisor", "hours", "evidence", "missing", "deadlines", "audit"):
        assert field in view
    assert view["counted_hours"] == 0 and view["required_hours"] == 36
    assert {p["code"] for p in view["missing"]} >= {"SUPERVISOR_NOT_CONFIRMED", "HOURS_BELOW_MINIMUM"}
    review = next(entry for entry in view["audit"] if entry["action"] == "proposal_approve")
    assert review["channel"] == "portal" and review["role"] == "center" and review["actor_id"] == "cge-1"


async def _list(portal: Portal, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    response = await portal.http.get("/v1/projects", params=params, headers=headers)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


async def test_listing_is_scoped_by_role(portal: Portal) -> None:
    """Students list their own projects, faculty the ones they supervise, the center all of them."""
    project_id, student_id, faculty_id = await portal.in_progress()
    other_id, _other_student = await portal.approved()
    mine = await eventually(
        lambda: _list(portal, portal.student(student_id)), lambda p: p["items"] and p["items"][0]["supervisor_id"]
    )
    assert [item["id"] for item in mine["items"]] == [project_id]
    supervised = await _list(portal, portal.faculty(faculty_id))
    assert [item["id"] for item in supervised["items"]] == [project_id]
    assert (await _list(portal, portal.faculty(faculty_id), supervisor="someone-else"))["total"] == 0
    everything = await eventually(
        lambda: _list(portal, portal.center, limit=200), lambda p: other_id in {i["id"] for i in p["items"]}
    )
    assert project_id in {item["id"] for item in everything["items"]}


async def test_listing_filters_and_paginates(portal: Portal) -> None:
    """Filters stage, semester and supervisor combine; `limit`/`offset` page through `total` matches."""
    faculty = await portal.add_faculty()
    ids = []
    for _ in range(3):
        project_id, student_id = await portal.approved()
        await portal.invite(project_id, student_id, faculty)
        await portal.accept(project_id, faculty["id"])
        ids.append(project_id)
    supervised = await eventually(
        lambda: _list(portal, portal.center, supervisor=faculty["id"]), lambda p: p["total"] == 3
    )
    semester = supervised["items"][0]["semester_id"]
    pages = [
        await _list(portal, portal.center, supervisor=faculty["id"], stage="IN_PROGRESS", semester=semester, limit=2),
        await _list(
            portal, portal.center, supervisor=faculty["id"], stage="IN_PROGRESS", semester=semester, limit=2, offset=2
        ),
    ]
    assert [page["total"] for page in pages] == [3, 3]
    assert [len(page["items"]) for page in pages] == [2, 1]
    assert sorted(item["id"] for page in pages for item in page["items"]) == sorted(ids)
    none = await _list(portal, portal.center, supervisor=faculty["id"], stage="PASSED")
    assert none == {"items": [], "total": 0, "limit": 50, "offset": 0}
    bad = await portal.http.get("/v1/projects", params={"stage": "DONE", "limit": 0}, headers=portal.center)
    assert bad.status_code == 422
    assert {tuple(e["loc"]) for e in bad.json()["errors"]} == {("query", "stage"), ("query", "limit")}


async def test_withdrawal_closes_the_project_and_cannot_repeat(portal: Portal) -> None:
    """R24: a student may withdraw before credit, with an optional reason; a closed project answers 409."""
    project_id, student_id = await portal.approved()
    url = f"/v1/projects/{project_id}/withdrawal"
    response = await portal.http.post(url, json={"reason": "Moving abroad"}, headers=portal.student(student_id))
    assert response.status_code == 200
    assert response.json()["project"]["stage"] == "WITHDRAWN"
    again = await portal.http.post(url, headers=portal.student(student_id))
    assert again.status_code == 409
    assert again.json()["code"] == "INVALID_STAGE"
    assert (await portal.view(project_id))["audit"][-1]["detail"] == "Moving abroad"


async def test_a_retried_withdrawal_answers_the_first_outcome_after_the_project_closed(portal: Portal) -> None:
    """Idempotency-Key on an action that ends the workflow: the retry still answers the first outcome."""
    project_id, student_id = await portal.approved()
    headers = {**portal.student(student_id), "Idempotency-Key": unique("bye")}
    url = f"/v1/projects/{project_id}/withdrawal"
    first = await portal.http.post(url, json={"reason": "Changed my mind"}, headers=headers)
    retry = await portal.http.post(url, json={"reason": "Changed my mind"}, headers=headers)
    assert first.status_code == retry.status_code == 200
    assert retry.json() == first.json()
    assert [e["action"] for e in (await portal.view(project_id))["audit"]].count("withdrawn") == 1
