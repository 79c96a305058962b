"""Issue 3's bar: a project goes from `POST /v1/projects` to PASSED with credit through HTTP alone."""

from __future__ import annotations

from typing import Any

from tests.api.portal import (
    PARTICIPATION_CAPTION,
    REFLECTION_CAPTION,
    Portal,
    closure_report,
    jpeg,
    png,
    proposal,
    unique,
)
from tests.api.support import eventually
from tests.support.mailsink import MailSink


async def test_proposal_to_credit_over_http_only(portal: Portal, mail_sink: MailSink) -> None:
    """R1-R21 end to end, every step an HTTP call with the caller's own token: the center fills the directory
    and approves; the student invites by email; the teacher accepts and evaluates through the faculty JWT
    routes; 36 hours, three photos and a reflection record later the report passes and the credit is granted."""
    http = portal.http
    center = portal.center
    student_id, faculty_id = unique("B"), unique("T")
    faculty_email = f"{faculty_id.lower()}@staff.example.edu"

    teacher = {"name": "Prof Wang", "email": faculty_email, "rank": "assistant_professor", "department": "EE"}
    assert (await http.put(f"/v1/faculty/{faculty_id}", json=teacher, headers=center)).status_code == 201
    learner = {"name": "Lin", "email": f"{student_id.lower()}@mail.example.edu"}
    assert (await http.put(f"/v1/students/{student_id}", json=learner, headers=center)).status_code == 201

    student = portal.student(student_id)
    faculty = portal.faculty(faculty_id)

    def key() -> dict[str, str]:
        return {"Idempotency-Key": unique("k")}

    async def call(method: str, path: str, headers: dict[str, str], status: int = 200, **kw: Any) -> Any:
        response = await http.request(method, path, headers={**headers, **key()}, **kw)
        assert response.status_code == status, response.text
        return response.json()

    project = (await call("POST", "/v1/projects", student, 201, json=proposal()))["project"]
    base = f"/v1/projects/{project['id']}"
    assert project["stage"] == "PROPOSAL_REVIEW"

    approved = await call("POST", f"{base}/review", center, json={"decision": "approve", "comment": "Good plan."})
    assert approved["project"]["stage"] == "NEEDS_SUPERVISOR"

    invited = await call(
        "POST",
        f"{base}/invitation",
        student,
        json={"faculty_email": faculty_email, "reflection_format": "conversation"},
    )
    assert invited["project"]["stage"] == "SUPERVISOR_INVITED"
    await mail_sink.wait_for(1)
    await eventually(lambda: _mails(mail_sink, faculty_email), bool)

    accepted = await call("POST", f"{base}/invitation/response", faculty, json={"accept": True})
    assert accepted["project"]["stage"] == "IN_PROGRESS"

    for day in ("2026-03-02", "2026-03-03", "2026-03-04"):
        entry = {"date": day, "hours": 12, "kind": "execution", "description": "Reading with pupils"}
        await call("POST", f"{base}/hours", student, 201, json=entry)

    for n, color in enumerate(("red", "green", "blue")):
        files = {"file": (f"p{n}.jpg", jpeg(color=color), "image/jpeg")}
        data = {"kind": "participation", "caption": PARTICIPATION_CAPTION}
        await call("POST", f"{base}/evidence", student, 201, files=files, data=data)
    reflection = {"file": ("talk.png", png(), "image/png")}
    last = await call(
        "POST",
        f"{base}/evidence",
        student,
        201,
        files=reflection,
        data={"kind": "reflection", "caption": REFLECTION_CAPTION},
    )
    assert (await portal.view(project["id"]))["missing"] == []
    assert last["project"]["counted_hours"] == 36

    submitted = await call("POST", f"{base}/closure-report", student, json=closure_report())
    assert submitted["project"]["stage"] == "EVALUATION_PENDING"

    passed = await call("POST", f"{base}/evaluation", faculty, json={"result": "pass", "feedback": "Well done."})
    assert passed["project"]["stage"] == "PASSED"

    final = await call("GET", base, student)
    assert final["stage"] == "PASSED"
    assert final["credit"]["granted"] is True
    by_action = {entry["action"]: entry for entry in final["audit"]}
    for action, role, actor_id in (
        ("proposal_submitted", "student", student_id),
        ("proposal_approve", "center", "cge-1"),
        ("supervisor_invited", "student", student_id),
        ("supervision_accepted", "faculty", faculty_id),
        ("closure_submitted", "student", student_id),
        ("evaluation_pass", "faculty", faculty_id),
    ):  # R24: who did what, through which channel
        entry = by_action[action]
        assert (entry["role"], entry["actor_id"], entry["channel"]) == (role, actor_id, "portal"), action
    listed = await eventually(
        lambda: call("GET", "/v1/projects", student), lambda page: page["items"][0]["stage"] == "PASSED"
    )
    assert listed["items"][0]["credit_granted"] is True


async def _mails(sink: MailSink, address: str) -> list[object]:
    return list(sink.to(address))
