"""A student missing from the directory is told why no mail reaches them, and the portal's JWT `name` and
`email` claims fill a missing directory entry (issue 12)."""

from __future__ import annotations

from typing import Any

from tests.api.portal import Portal, proposal, unique
from tests.api.support import eventually
from tests.support.mailsink import MailSink


async def test_missing_directory_student_sees_why_no_mail_reached_them(portal: Portal) -> None:
    """A student the directory does not know gets no mail; their project view says so (`mail_warning`),
    naming the mail that could not be sent, instead of silence. Known students see no warning."""
    student_id = unique("B")
    project_id = (await portal.submit(student_id))["id"]
    await portal.approve(project_id)

    async def read() -> dict[str, Any]:
        return await portal.view(project_id, headers=portal.student(student_id))

    view = await eventually(read, lambda v: "proposal_approved" in (v["mail_warning"] or ""))
    assert view["mail_warning"] is not None
    assert "not in the student directory" in view["mail_warning"] and "proposal_approved" in view["mail_warning"]
    known_id, known = await portal.approved()
    assert (await portal.view(known_id))["mail_warning"] is None and known


async def test_jwt_name_and_email_claims_fill_a_missing_directory_entry(portal: Portal, mail_sink: MailSink) -> None:
    """The portal's token carries `name` and `email`: a student missing from the directory is added from
    them (kept in the directory's trail as their own change) and then gets their mail; an entry the center
    keeps is never overwritten by claims."""
    student_id = unique("B")
    email = f"{student_id.lower()}@mail.example.edu"
    headers = {**portal.auth("student", student_id, name="Chen Wei", email=email), "Idempotency-Key": unique("k")}
    submitted = await portal.http.post("/v1/projects", json=proposal(), headers=headers)
    assert submitted.status_code == 201, submitted.text
    project_id = submitted.json()["created_id"]
    trail = portal.ok(
        await portal.http.get(
            "/v1/directory/changes", params={"kind": "student", "entry_id": student_id}, headers=portal.center
        )
    )
    [created] = trail["items"]
    assert (created["actor_id"], created["role"], created["changes"]["email"]) == (student_id, "student", [None, email])
    await portal.approve(project_id)
    assert await eventually(lambda: _mails_to(mail_sink, email), lambda n: n >= 1) >= 1
    assert (await portal.view(project_id))["mail_warning"] is None

    kept_id = await portal.add_student()
    other = {**portal.auth("student", kept_id, name="Someone Else", email="else@example.edu"), "Idempotency-Key": "x"}
    assert (await portal.http.post("/v1/projects", json=proposal(), headers=other)).status_code == 201
    kept = portal.ok(
        await portal.http.get("/v1/directory/changes", params={"entry_id": kept_id}, headers=portal.center)
    )
    assert [c["actor_id"] for c in kept["items"]] == ["cge-1"]


async def _mails_to(sink: MailSink, address: str) -> int:
    return len(sink.to(address))
