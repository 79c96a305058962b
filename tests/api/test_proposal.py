"""Step 1 over HTTP: the center's review (R8) and the student's revision."""

from __future__ import annotations

from tests.api.portal import Portal, proposal, unique


async def test_changes_requested_then_revised_goes_back_to_review(portal: Portal) -> None:
    """R8: `request_changes` with a comment returns the proposal; PUT /proposal resubmits it for review."""
    student_id = unique("B")
    project_id = (await portal.submit(student_id))["id"]
    body = {"decision": "request_changes", "comment": "Say which school and how often."}
    asked = await portal.http.post(f"/v1/projects/{project_id}/review", json=body, headers=portal.center)
    assert asked.status_code == 200
    assert asked.json()["project"]["stage"] == "CHANGES_REQUESTED"
    revised = proposal(title="Reading club at Wanhua Elementary, Tuesdays and Thursdays")
    response = await portal.http.put(
        f"/v1/projects/{project_id}/proposal", json=revised, headers=portal.student(student_id)
    )
    assert response.status_code == 200
    view = await portal.view(project_id)
    assert view["stage"] == "PROPOSAL_REVIEW"
    assert view["proposal"]["title"] == revised["title"]


async def test_rejection_needs_a_reason(portal: Portal) -> None:
    """R8: rejecting or requesting changes without a comment is a VALIDATION_ERROR; with one, REJECTED."""
    project_id = (await portal.submit(unique("B")))["id"]
    url = f"/v1/projects/{project_id}/review"
    bare = await portal.http.post(url, json={"decision": "reject"}, headers=portal.center)
    assert bare.status_code == 422
    assert bare.json()["code"] == "VALIDATION_ERROR"
    assert "comment is required" in bare.json()["errors"][0]["msg"]
    rejected = await portal.http.post(
        url, json={"decision": "reject", "comment": "Paid work is not social practice."}, headers=portal.center
    )
    assert rejected.status_code == 200
    assert rejected.json()["project"]["stage"] == "REJECTED"


async def test_reviewing_twice_is_409_invalid_stage(portal: Portal) -> None:
    """An action the current stage does not allow is 409 INVALID_STAGE, and the detail says why."""
    project_id, _student = await portal.approved()
    response = await portal.http.post(
        f"/v1/projects/{project_id}/review", json={"decision": "approve"}, headers=portal.center
    )
    assert response.status_code == 409
    problem = response.json()
    assert problem["code"] == "INVALID_STAGE"
    assert "NEEDS_SUPERVISOR" in problem["detail"]


async def test_revising_without_being_asked_is_409(portal: Portal) -> None:
    """PUT /proposal only after `request_changes`."""
    student_id = unique("B")
    project_id = (await portal.submit(student_id))["id"]
    response = await portal.http.put(
        f"/v1/projects/{project_id}/proposal", json=proposal(), headers=portal.student(student_id)
    )
    assert response.status_code == 409
    assert response.json()["code"] == "INVALID_STAGE"
