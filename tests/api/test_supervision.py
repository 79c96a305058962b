"""Step 2 over HTTP: inviting a supervisor by email (R10-R13) and the teacher's answer (R11)."""

from __future__ import annotations

from tests.api.portal import Portal


async def test_inviting_an_unknown_email_is_supervisor_not_found(portal: Portal) -> None:
    """R10: the teacher must be in the faculty directory; the project stays as it was."""
    project_id, student_id = await portal.approved()
    body = {"faculty_email": "nobody@example.edu", "reflection_format": "conversation"}
    response = await portal.http.post(
        f"/v1/projects/{project_id}/invitation", json=body, headers=portal.student(student_id)
    )
    assert response.status_code == 422
    assert response.json()["code"] == "SUPERVISOR_NOT_FOUND"
    assert (await portal.view(project_id))["stage"] == "NEEDS_SUPERVISOR"


async def test_inviting_staff_is_supervisor_not_eligible(portal: Portal) -> None:
    """R10: staff can never supervise, nor can lecturers; the detail says who can."""
    project_id, student_id = await portal.approved()
    for rank in ("staff", "lecturer"):
        faculty = await portal.add_faculty(rank=rank)
        body = {"faculty_email": faculty["email"].upper(), "reflection_format": "conversation"}
        response = await portal.http.post(
            f"/v1/projects/{project_id}/invitation", json=body, headers=portal.student(student_id)
        )
        assert response.status_code == 422, rank
        assert response.json()["code"] == "SUPERVISOR_NOT_ELIGIBLE"
        assert "professor" in response.json()["detail"]


async def test_inviting_a_leaving_teacher_warns_the_student(portal: Portal) -> None:
    """R13: the invitation goes out, and the answer carries a warning about the teacher leaving."""
    project_id, student_id = await portal.approved()
    faculty = await portal.add_faculty(leaving_after="2026-fall")
    outcome = await portal.invite(project_id, student_id, faculty)
    assert outcome["project"]["stage"] == "SUPERVISOR_INVITED"
    assert outcome["warning"] and "2026-fall" in outcome["warning"]
    assert (await portal.view(project_id))["invitation"]["faculty"]["id"] == faculty["id"]


async def test_one_pending_invitation_at_a_time_and_cancelling_it(portal: Portal) -> None:
    """R12: a second invitation while one is pending is 409; DELETE cancels it and frees the slot."""
    project_id, student_id = await portal.approved()
    first, second = await portal.add_faculty(), await portal.add_faculty()
    outcome = await portal.invite(project_id, student_id, first)
    assert outcome["warning"] is None
    body = {"faculty_email": second["email"], "reflection_format": "written_report"}
    url = f"/v1/projects/{project_id}/invitation"
    twice = await portal.http.post(url, json=body, headers=portal.student(student_id))
    assert twice.status_code == 409
    assert twice.json()["code"] == "INVALID_STAGE"
    cancelled = await portal.http.delete(url, headers=portal.student(student_id))
    assert cancelled.status_code == 200
    assert cancelled.json()["project"]["stage"] == "NEEDS_SUPERVISOR"
    again = await portal.http.delete(url, headers=portal.student(student_id))
    assert again.status_code == 409
    # The cancelled teacher no longer sees the project.
    gone = await portal.http.get(f"/v1/projects/{project_id}", headers=portal.faculty(first["id"]))
    assert gone.status_code == 404
    assert (await portal.invite(project_id, student_id, second))["project"]["stage"] == "SUPERVISOR_INVITED"


async def test_the_invited_teacher_accepts_with_another_format(portal: Portal) -> None:
    """R11 through the faculty JWT route: accepting agrees on a format, the teacher may pick another."""
    project_id, student_id = await portal.approved()
    faculty = await portal.add_faculty()
    await portal.invite(project_id, student_id, faculty)
    response = await portal.http.post(
        f"/v1/projects/{project_id}/invitation/response",
        json={"accept": True, "reflection_format": "oral_presentation"},
        headers=portal.faculty(faculty["id"]),
    )
    assert response.status_code == 200
    view = await portal.view(project_id)
    assert view["stage"] == "IN_PROGRESS"
    assert view["supervisor"]["reflection_format"] == "oral_presentation"
    assert view["audit"][-1]["channel"] == "portal"


async def test_the_invited_teacher_declines_with_a_reason(portal: Portal) -> None:
    """R11: declining takes an optional reason and sends the student back to inviting someone."""
    project_id, student_id = await portal.approved()
    faculty = await portal.add_faculty()
    await portal.invite(project_id, student_id, faculty)
    response = await portal.http.post(
        f"/v1/projects/{project_id}/invitation/response",
        json={"accept": False, "reason": "On sabbatical this year."},
        headers=portal.faculty(faculty["id"]),
    )
    assert response.status_code == 200
    assert response.json()["project"]["stage"] == "NEEDS_SUPERVISOR"


async def test_only_the_invited_teacher_may_answer(portal: Portal) -> None:
    """Another teacher cannot see the project (404); the student cannot answer for the teacher (403)."""
    project_id, student_id = await portal.approved()
    invited, other = await portal.add_faculty(), await portal.add_faculty()
    await portal.invite(project_id, student_id, invited)
    url = f"/v1/projects/{project_id}/invitation/response"
    stranger = await portal.http.post(url, json={"accept": True}, headers=portal.faculty(other["id"]))
    assert stranger.status_code == 404
    student = await portal.http.post(url, json={"accept": True}, headers=portal.student(student_id))
    assert student.status_code == 403
    assert (await portal.view(project_id))["stage"] == "SUPERVISOR_INVITED"
