"""Steps 4-5 over HTTP: the closure report (R18), its evaluation (R19) and reminders (R20)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.api.portal import Portal, closure_report, jpeg, unique

CHECKLIST = ["SUPERVISOR_NOT_CONFIRMED", "HOURS_BELOW_MINIMUM", "PHOTOS_MISSING", "REFLECTION_RECORD_MISSING"]


async def test_a_closure_report_refused_for_four_reasons_lists_all_four(portal: Portal) -> None:
    """R18: no supervisor, no hours, no photos, no reflection record: one 422 naming every missing item."""
    project_id, student_id = await portal.approved()
    response = await portal.http.post(
        f"/v1/projects/{project_id}/closure-report", json=closure_report(), headers=portal.student(student_id)
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "SUPERVISOR_NOT_CONFIRMED"
    assert [p["code"] for p in problem["problems"]] == CHECKLIST
    assert all(p["detail"] for p in problem["problems"])
    assert "0 of 36" in problem["detail"]


async def test_a_closure_report_missing_one_item_names_that_item(portal: Portal) -> None:
    """R18: with a supervisor, hours and photos but no reflection record, the refusal names just that."""
    project_id, student_id, _faculty = await portal.in_progress()
    await portal.log_required_hours(project_id, student_id)
    for color in ("red", "green", "blue"):
        portal.ok(await portal.upload(project_id, student_id, jpeg(color=color)), 201)
    response = await portal.http.post(
        f"/v1/projects/{project_id}/closure-report", json=closure_report(), headers=portal.student(student_id)
    )
    assert response.status_code == 422
    assert response.json()["code"] == "REFLECTION_RECORD_MISSING"
    assert "problems" not in response.json()


async def test_a_complete_project_submits_and_its_supervisor_passes_it(portal: Portal) -> None:
    """R18/R19/R21: the report goes to EVALUATION_PENDING; the supervisor's pass records the credit."""
    project_id, _student_id, faculty_id = await portal.under_evaluation()
    assert (await portal.view(project_id))["stage"] == "EVALUATION_PENDING"
    outcome = await portal.evaluate(project_id, faculty_id, "pass")
    assert outcome["project"]["stage"] == "PASSED"
    assert (await portal.view(project_id))["credit"]["granted"] is True


async def test_only_the_supervisor_evaluates(portal: Portal) -> None:
    """R19: another teacher cannot see the project (404); a fail without feedback is a VALIDATION_ERROR."""
    project_id, _student_id, faculty_id = await portal.under_evaluation()
    other = await portal.add_faculty()
    url = f"/v1/projects/{project_id}/evaluation"
    stranger = await portal.http.post(url, json={"result": "pass"}, headers=portal.faculty(other["id"]))
    assert stranger.status_code == 404
    bare = await portal.http.post(url, json={"result": "fail"}, headers=portal.faculty(faculty_id))
    assert bare.status_code == 422
    assert "feedback" in bare.json()["errors"][0]["msg"]
    assert (await portal.view(project_id))["stage"] == "EVALUATION_PENDING"


async def test_revise_returns_the_report_and_the_student_resubmits(portal: Portal) -> None:
    """R19: `revise` with feedback returns the report (REVISION_REQUESTED); resubmitting asks again."""
    project_id, student_id, faculty_id = await portal.under_evaluation()
    outcome = await portal.evaluate(project_id, faculty_id, "revise", "Describe what the pupils did themselves.")
    assert outcome["project"]["stage"] == "REVISION_REQUESTED"
    again = await portal.submit_closure(project_id, student_id)
    assert again["project"]["stage"] == "EVALUATION_PENDING"
    assert (await portal.view(project_id))["submission"]["seq"] == 2


async def test_evaluating_before_submission_is_409(portal: Portal) -> None:
    """An evaluation is possible only while one is pending."""
    project_id, _student_id, faculty_id = await portal.in_progress()
    response = await portal.http.post(
        f"/v1/projects/{project_id}/evaluation", json={"result": "pass"}, headers=portal.faculty(faculty_id)
    )
    assert response.status_code == 409
    assert response.json()["code"] == "INVALID_STAGE"


async def test_a_second_reminder_within_three_days_is_429_with_retry_after(portal: Portal) -> None:
    """R20: the student may ask for a reminder at most once every 3 days; 429 RATE_LIMITED says when again."""
    project_id, student_id, _faculty_id = await portal.under_evaluation()
    url = f"/v1/projects/{project_id}/supervisor-reminder"
    first = await portal.http.post(url, headers={**portal.student(student_id), "Idempotency-Key": unique("r")})
    assert first.status_code == 200
    deadlines = (await portal.view(project_id))["deadlines"]
    assert deadlines["reminder_request_allowed_from"] is not None
    second = await portal.http.post(url, headers={**portal.student(student_id), "Idempotency-Key": unique("r")})
    assert second.status_code == 429
    assert second.json()["code"] == "RATE_LIMITED"
    seconds = int(second.headers["retry-after"])
    three_days = int(timedelta(days=3).total_seconds())
    assert three_days - 120 < seconds <= three_days
    allowed = datetime.fromisoformat(deadlines["reminder_request_allowed_from"])
    assert abs((allowed - datetime.now(UTC)).total_seconds() - seconds) < 120


async def test_a_reminder_with_nothing_to_evaluate_is_409(portal: Portal) -> None:
    """R20 applies while an evaluation is pending only."""
    project_id, student_id, _faculty_id = await portal.in_progress()
    response = await portal.http.post(
        f"/v1/projects/{project_id}/supervisor-reminder", headers=portal.student(student_id)
    )
    assert response.status_code == 409
    assert response.json()["code"] == "INVALID_STAGE"
