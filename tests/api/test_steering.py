"""The center steers from the portal (R22, SPEC §7): more time before a leaving teacher's deadline over HTTP,
the same rule as the operators' `extend_deadline` signal, answered at once and refused without a trace."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from domain.calendar import default_semester_id
from tests.api.portal import Portal, unique
from tests.api.support import eventually


async def leaving_project(portal: Portal) -> tuple[str, str, str, datetime]:
    """An IN_PROGRESS project whose supervisor the directory now says leaves this semester: it holds R22's
    deadline (the semester's end)."""
    project_id, student_id, faculty_id = await portal.in_progress()
    entry = (await portal.view(project_id))["supervisor"]["faculty"]
    body = {k: entry[k] for k in ("name", "email", "rank", "department")}
    leaving = {**body, "leaving_after": default_semester_id(datetime.now(UTC))}
    portal.ok(await portal.http.put(f"/v1/faculty/{faculty_id}", json=leaving, headers=portal.center))
    view = await eventually(lambda: portal.view(project_id), lambda v: v["deadlines"]["semester_deadline"] is not None)
    deadline = datetime.fromisoformat(view["deadlines"]["semester_deadline"])
    return project_id, student_id, faculty_id, deadline


async def test_center_extends_a_leaving_teachers_deadline_once(portal: Portal) -> None:
    """R22: POST /v1/projects/{id}/deadline-extension moves the deadline later and keeps the reason in the
    audit trail; a retry with the same Idempotency-Key answers the first outcome and extends once."""
    project_id, _student_id, _faculty_id, deadline = await leaving_project(portal)
    later = deadline + timedelta(days=14)
    body = {"deadline": later.isoformat(), "reason": "Exams abroad until March"}
    headers = {**portal.center, "Idempotency-Key": unique("extend")}
    url = f"/v1/projects/{project_id}/deadline-extension"

    outcome = portal.ok(await portal.http.post(url, json=body, headers=headers))
    assert outcome["project"]["stage"] == "IN_PROGRESS"
    assert portal.ok(await portal.http.post(url, json=body, headers=headers)) == outcome
    view = await portal.view(project_id)
    assert datetime.fromisoformat(view["deadlines"]["semester_deadline"]) == later
    extended = [e for e in view["audit"] if e["action"] == "deadline_extended"]
    assert len(extended) == 1 and body["reason"] in extended[0]["detail"]


async def test_every_refusal_of_an_extension_leaves_the_project_as_it_was(portal: Portal) -> None:
    """R22: only the center (403); only later than the current deadline (422 VALIDATION_ERROR), with a time
    zone (422); only a project with a leaving teacher's deadline (409 INVALID_STAGE); an unknown project is
    404. No refusal reaches the audit trail."""
    project_id, student_id, faculty_id, deadline = await leaving_project(portal)
    url = f"/v1/projects/{project_id}/deadline-extension"
    before = await portal.view(project_id)

    async def refused(body: dict[str, Any], headers: dict[str, str] | None = None, path: str = url) -> tuple[int, str]:
        response = await portal.http.post(path, json=body, headers=headers or portal.center)
        assert response.headers["content-type"] == "application/problem+json"
        return response.status_code, response.json()["code"]

    later = {"deadline": (deadline + timedelta(days=7)).isoformat()}
    assert await refused({"deadline": (deadline - timedelta(days=1)).isoformat()}) == (422, "VALIDATION_ERROR")
    assert await refused({"deadline": deadline.isoformat()}) == (422, "VALIDATION_ERROR")
    assert await refused({"deadline": "2099-01-01T00:00:00"}) == (422, "VALIDATION_ERROR")
    for headers in (portal.student(student_id), portal.faculty(faculty_id), portal.osa):
        assert await refused(later, headers) == (403, "FORBIDDEN")
    staying, _, _ = await portal.in_progress()
    assert await refused(later, path=f"/v1/projects/{staying}/deadline-extension") == (409, "INVALID_STAGE")
    assert await refused(later, path="/v1/projects/nosuchproject/deadline-extension") == (404, "NOT_FOUND")

    after = await portal.view(project_id)
    assert after["deadlines"] == before["deadlines"] and after["audit"] == before["audit"]
