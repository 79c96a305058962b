"""A teacher's pending invitations over HTTP (R11, R12): GET /v1/invitations lists what waits for the signed-in
teacher's answer, with the very invitation page their mail carries."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.api.portal import Portal
from tests.api.support import eventually
from tests.support.actionlinks import Links
from tests.support.mailsink import MailSink


async def _listed(portal: Portal, faculty_id: str) -> list[dict[str, object]]:
    items = portal.ok(await portal.http.get("/v1/invitations", headers=portal.faculty(faculty_id)))["items"]
    assert isinstance(items, list)
    return items


async def test_pending_invitation_lists_the_mailed_page_until_answered(portal: Portal, mail_sink: MailSink) -> None:
    """R11: the invited teacher sees the project, when it was invited and the same signed `/a/{token}` page as
    the invitation mail, and the API route that answers; another teacher sees nothing of it. Once accepted it
    is no longer pending."""
    linked = await Links(portal, mail_sink).invitation()
    items = await eventually(
        lambda: _listed(portal, linked.holder_id), lambda found: bool(found and found[0]["action_url"])
    )
    assert [item["project_id"] for item in items] == [linked.project_id]
    item = items[0]
    assert urlsplit(str(item["action_url"])).path == linked.path
    assert item["student_id"] == linked.student_id and item["action_url_expires_at"] is not None
    assert item["respond_path"] == f"/v1/projects/{linked.project_id}/invitation/response"
    page = await portal.http.get(linked.path)
    assert page.status_code == 200

    stranger = await portal.add_faculty()
    assert await _listed(portal, stranger["id"]) == []
    await portal.accept(linked.project_id, linked.holder_id)
    assert await _listed(portal, linked.holder_id) == []


async def test_only_faculty_list_invitations(portal: Portal) -> None:
    """Only a teacher has invitations: a student, the center and OSA are 403, no token is 401."""
    for role, sub in (("student", "B1"), ("center", "C1"), ("osa", "O1")):
        refused = await portal.http.get("/v1/invitations", headers=portal.auth(role, sub))
        assert refused.status_code == 403 and refused.json()["code"] == "FORBIDDEN", role
    assert (await portal.http.get("/v1/invitations")).status_code == 401
