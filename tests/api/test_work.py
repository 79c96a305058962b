"""Step 3 over HTTP: logging hours (R14), idempotent retries, and OSA's verification of club hours (R15)."""

from __future__ import annotations

from datetime import date

from tests.api.portal import Portal, unique

HOURS = {"date": "2026-03-02", "hours": 2.5, "kind": "execution", "description": "Reading session"}


async def test_logging_hours_answers_201_with_the_entry_id(portal: Portal) -> None:
    """R14: POST /hours creates an entry; `created_id` names it and the view counts it."""
    project_id, student_id = await portal.approved()
    response = await portal.http.post(
        f"/v1/projects/{project_id}/hours", json=HOURS, headers=portal.student(student_id)
    )
    assert response.status_code == 201
    outcome = response.json()
    assert outcome["created_id"]
    assert [entry["id"] for entry in (await portal.view(project_id))["hours"]] == [outcome["created_id"]]
    assert outcome["project"]["counted_hours"] == 2.5


async def test_the_same_idempotency_key_logs_hours_once(portal: Portal) -> None:
    """A retried call with the same Idempotency-Key acts once and answers the first outcome."""
    project_id, student_id = await portal.approved()
    headers = {**portal.student(student_id), "Idempotency-Key": unique("retry")}
    url = f"/v1/projects/{project_id}/hours"
    first = await portal.http.post(url, json=HOURS, headers=headers)
    retry = await portal.http.post(url, json=HOURS, headers=headers)
    assert first.status_code == retry.status_code == 201
    assert retry.json()["created_id"] == first.json()["created_id"]
    assert len((await portal.view(project_id))["hours"]) == 1
    other_key = await portal.http.post(url, json=HOURS, headers={**headers, "Idempotency-Key": unique("other")})
    assert other_key.json()["created_id"] != first.json()["created_id"]
    assert len((await portal.view(project_id))["hours"]) == 2


async def test_reusing_a_key_for_a_different_request_is_422(portal: Portal) -> None:
    """SPEC §4, the IETF Idempotency-Key draft: a key names one request; sent again with another body it is
    refused (422 IDEMPOTENCY_KEY_REUSED), not replayed, and nothing is applied twice."""
    project_id, student_id = await portal.approved()
    headers = {**portal.student(student_id), "Idempotency-Key": unique("reuse")}
    url = f"/v1/projects/{project_id}/hours"
    assert (await portal.http.post(url, json=HOURS, headers=headers)).status_code == 201
    changed = await portal.http.post(url, json={**HOURS, "hours": 3}, headers=headers)
    assert changed.status_code == 422
    assert changed.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert len((await portal.view(project_id))["hours"]) == 1


async def test_hours_the_model_refuses_name_the_field(portal: Portal) -> None:
    """R14: more than 12 hours, or not in half hours, is refused before the workflow is asked."""
    project_id, student_id = await portal.approved()
    url = f"/v1/projects/{project_id}/hours"
    for hours in (13, 0.25, 0):
        response = await portal.http.post(url, json={**HOURS, "hours": hours}, headers=portal.student(student_id))
        assert response.status_code == 422, hours
        assert response.json()["errors"][0]["loc"] == ["body", "hours"]


async def test_more_than_twelve_hours_a_day_is_refused_by_the_rules(portal: Portal) -> None:
    """R14: at most 12 hours a day across entries; the workflow's refusal is a VALIDATION_ERROR too."""
    project_id, student_id = await portal.approved()
    await portal.log_hours(project_id, student_id, 12, date(2026, 3, 3))
    url = f"/v1/projects/{project_id}/hours"
    body = {**HOURS, "date": "2026-03-03", "hours": 1}
    response = await portal.http.post(url, json=body, headers=portal.student(student_id))
    assert response.status_code == 422
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert "At most 12" in response.json()["detail"]


async def test_hours_before_approval_are_409(portal: Portal) -> None:
    """SPEC §3: hours are logged from NEEDS_SUPERVISOR on, so not while the proposal is in review."""
    student_id = unique("B")
    project_id = (await portal.submit(student_id))["id"]
    response = await portal.http.post(
        f"/v1/projects/{project_id}/hours", json=HOURS, headers=portal.student(student_id)
    )
    assert response.status_code == 409
    assert response.json()["code"] == "INVALID_STAGE"


async def test_osa_verifies_club_hours_which_then_count(portal: Portal) -> None:
    """R15: campus club hours count only once the Office of Student Affairs verified them."""
    project_id, student_id = await portal.approved()
    logged = await portal.log_hours(project_id, student_id, 4, date(2026, 3, 4), source="campus_club")
    assert logged["project"]["counted_hours"] == 0
    url = f"/v1/projects/{project_id}/hours/{logged['created_id']}/verification"
    by_student = await portal.http.post(url, json={"verified": True}, headers=portal.student(student_id))
    assert by_student.status_code == 403
    response = await portal.http.post(url, json={"verified": True, "note": "Club roster checked"}, headers=portal.osa)
    assert response.status_code == 200
    view = await portal.view(project_id)
    assert view["counted_hours"] == 4
    assert view["hours"][0]["verification"]["by"] == "osa-1"


async def test_verifying_an_unknown_or_self_reported_entry_is_refused(portal: Portal) -> None:
    """An entry the project does not have is 404 NOT_FOUND; a self-reported one needs no verification (422).
    (OSA knows the project through its club hours: without any, every call of OSA's is 404, issue 9.)"""
    project_id, student_id = await portal.approved()
    await portal.log_hours(project_id, student_id, 2, date(2026, 3, 4), source="campus_club")
    unknown = await portal.http.post(
        f"/v1/projects/{project_id}/hours/nope/verification", json={"verified": True}, headers=portal.osa
    )
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "NOT_FOUND"
    logged = await portal.log_hours(project_id, student_id, 1, date(2026, 3, 5))
    own = await portal.http.post(
        f"/v1/projects/{project_id}/hours/{logged['created_id']}/verification",
        json={"verified": True},
        headers=portal.osa,
    )
    assert own.status_code == 422
    assert own.json()["code"] == "VALIDATION_ERROR"
