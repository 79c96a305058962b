"""Action links (SPEC §4, issue 4) against the real app, worker and Temporal test server: the pages a
supervisor or the Office of Student Affairs opens from a mail, and what their forms do.

Every link here is the one the mail activity sent to the test SMTP sink, except the expired one, which is
issued through the same store and signing path with a past expiry.
"""

from __future__ import annotations

import html
import io
import re
import secrets
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from PIL import Image
from sqlalchemy.engine import Engine
from temporalio.testing import WorkflowEnvironment

from api.main import create_app
from config.settings import Settings
from domain.links import LinkAction, LinkClaims, issue_link_token
from store import tokens
from store.db import session
from tests.api.portal import Portal
from tests.api.support import eventually
from tests.support.actionlinks import Links, faculty_email, mailed_link
from tests.support.mailsink import MailSink
from workers.main import build_worker


@pytest.fixture
def links(portal: Portal, mail_sink: MailSink) -> Links:
    return Links(portal, mail_sink)


async def stage(portal: Portal, project_id: str) -> str:
    view = await portal.view(project_id)
    return str(view["stage"])


def page_code(response: httpx.Response) -> str | None:
    """The problem code a refusal page names (`Problem code: <code>X</code>`, in whichever languages)."""
    found = re.search(r"Problem code:.*?<code>([A-Z_]+)</code>", response.text, re.DOTALL)
    return found.group(1) if found else None


# --- invitations (R11) ----------------------------------------------------------------------------------


async def test_opening_an_invitation_link_only_shows_and_the_form_accepts(links: Links, portal: Portal) -> None:
    """SPEC §4 + R11: GET shows the proposal, the proposed reflection format and the form, on a phone-ready
    page with strict headers, and changes nothing however often a scanner fetches it. The form's POST
    accepts with another format, as the teacher by email; the page says what happened and what comes next."""
    linked = await links.invitation()
    before = await portal.view(linked.project_id)
    for _ in range(2):
        page = await portal.http.get(linked.path)
        assert page.status_code == 200, page.text
    html = page.text
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "Reading club at Wanhua community library" in html
    assert "Twice a week, read with primary school pupils" in html
    assert "Civic consciousness" in html and "Pupils learn to share" in html
    assert 'value="conversation" checked' in html and "Proposed by the student" in html
    assert '<label class="field" for="reason">' in html
    assert page.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    after = await portal.view(linked.project_id)
    assert after["stage"] == "SUPERVISOR_INVITED" and after["revision"] == before["revision"]

    answer = {"decision": "accept", "reflection_format": "oral_presentation"}
    done = await portal.http.post(linked.path, data=answer)
    assert done.status_code == 200, done.text
    assert "You are now the supervisor" in done.text and "an oral presentation" in done.text
    assert "you receive an email with a link to evaluate" in done.text
    view = await portal.view(linked.project_id)
    assert view["stage"] == "IN_PROGRESS"
    assert view["supervisor"]["faculty"]["id"] == linked.holder_id
    assert view["supervisor"]["reflection_format"] == "oral_presentation"
    last = view["audit"][-1]
    assert (last["action"], last["actor_id"], last["role"], last["channel"]) == (
        "supervision_accepted",
        linked.holder_id,
        "faculty",
        "email",
    )


async def test_declining_by_link_and_then_the_link_is_spent(links: Links, portal: Portal) -> None:
    """R11: declining takes an optional reason and frees the student to invite someone else. The link then
    works no more: opening or posting it again answers 410 with a page naming TOKEN_USED, and changes nothing."""
    linked = await links.invitation()
    done = await portal.http.post(linked.path, data={"decision": "decline", "reason": "On sabbatical this year."})
    assert done.status_code == 200, done.text
    assert "You declined the invitation" in done.text and "invite another teacher" in done.text
    view = await portal.view(linked.project_id)
    assert view["stage"] == "NEEDS_SUPERVISOR"
    assert view["audit"][-1]["detail"] == "On sabbatical this year."

    for again in (
        await portal.http.get(linked.path),
        await portal.http.post(linked.path, data={"decision": "accept"}),
    ):
        assert again.status_code == 410
        assert page_code(again) == "TOKEN_USED"
        assert "already used" in again.text and "declined" in again.text
        assert "Nothing was changed" in again.text
    assert (await portal.view(linked.project_id))["revision"] == view["revision"]


async def test_a_cancelled_then_superseded_invitation_link_is_refused(
    links: Links, portal: Portal, mail_sink: MailSink
) -> None:
    """R12 + SPEC §4: after the student cancels, the link says the invitation was cancelled (409) and its
    POST changes nothing; once the student invites the same teacher again, the old link is stale and refused
    as TOKEN_INVALID (404), while the new mail's link works."""
    linked = await links.invitation()
    cancel = await portal.http.delete(
        f"/v1/projects/{linked.project_id}/invitation", headers=portal.student(linked.student_id)
    )
    assert cancel.status_code == 200
    for response in (
        await portal.http.get(linked.path),
        await portal.http.post(linked.path, data={"decision": "accept"}),
    ):
        assert response.status_code == 409
        assert "The student cancelled this invitation" in response.text
        assert page_code(response) == "INVALID_STAGE"
    assert await stage(portal, linked.project_id) == "NEEDS_SUPERVISOR"

    email = faculty_email(linked.holder_id)
    body = {"faculty_email": email, "reflection_format": "written_report"}
    student = portal.student(linked.student_id)
    portal.ok(await portal.http.post(f"/v1/projects/{linked.project_id}/invitation", json=body, headers=student))
    fresh = await mailed_link(mail_sink, email, "Invitation to supervise", nth=2)
    stale = await portal.http.post(linked.path, data={"decision": "accept"})
    assert stale.status_code == 404
    assert page_code(stale) == "TOKEN_INVALID"
    assert "earlier invitation" in stale.text
    assert await stage(portal, linked.project_id) == "SUPERVISOR_INVITED"
    current = await portal.http.get(fresh)
    assert current.status_code == 200
    assert 'value="written_report" checked' in current.text


# --- evaluation (R19) -----------------------------------------------------------------------------------


async def test_the_evaluation_page_shows_everything_and_passes(links: Links, portal: Portal) -> None:
    """R19: the page shows the closure report, the indicator notes, the hours against the 36 required and
    the photos, served as thumbnails through the link itself; `pass` records the credit (R21)."""
    linked = await links.evaluation(photo_size=(1200, 900))
    page = await portal.http.get(linked.path)
    assert page.status_code == 200, page.text
    html = page.text
    assert "We ran a reading club for twelve weeks" in html
    assert "Pupils now run the book exchange themselves." in html
    assert "36 of 36 required hours counted" in html
    assert "I am the one in the blue shirt" in html and "Reflection talk with my supervisor" in html
    view = await portal.view(linked.project_id)
    photos = [e for e in view["evidence"] if e["kind"] == "participation"]
    assert len(photos) == 3
    for photo in photos:
        assert f'src="{linked.path}/evidence/{photo["id"]}"' in html
    thumb = await portal.http.get(f"{linked.path}/evidence/{photos[0]['id']}")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    assert max(Image.open(io.BytesIO(thumb.content)).size) == 480
    full = await portal.http.get(f"{linked.path}/evidence/{photos[0]['id']}", params={"size": "full"})
    assert Image.open(io.BytesIO(full.content)).size == (1200, 900)

    done = await portal.http.post(linked.path, data={"result": "pass", "feedback": ""})
    assert done.status_code == 200, done.text
    assert "Passed" in done.text and "credit is recorded" in done.text
    view = await portal.view(linked.project_id)
    assert view["stage"] == "PASSED" and view["credit"]["granted"] is True
    assert view["evaluations"][-1]["by"] == linked.holder_id
    gone = await portal.http.get(f"{linked.path}/evidence/{photos[0]['id']}")
    assert gone.status_code == 410  # a spent link shows nothing more


async def test_fail_without_feedback_shows_the_form_again_and_the_link_still_works(
    links: Links, portal: Portal
) -> None:
    """R19: failing needs feedback. Without it the form comes back (422) with the error and the choice kept,
    nothing changes and the link is not spent; with feedback the project fails and the student is told why."""
    linked = await links.evaluation()
    bare = await portal.http.post(linked.path, data={"result": "fail", "feedback": "  "})
    assert bare.status_code == 422
    assert "Feedback is required" in bare.text
    assert 'value="fail" required checked' in bare.text and 'aria-invalid="true"' in bare.text
    assert "your link still works" in bare.text
    assert await stage(portal, linked.project_id) == "EVALUATION_PENDING"

    feedback = "The report does not show the hours were spent with the pupils."
    done = await portal.http.post(linked.path, data={"result": "fail", "feedback": feedback})
    assert done.status_code == 200, done.text
    assert "Not passed" in done.text
    view = await portal.view(linked.project_id)
    assert view["stage"] == "FAILED"
    assert view["evaluations"][-1]["feedback"] == feedback


async def test_revise_returns_the_report_and_the_resubmission_gets_a_new_link(
    links: Links, portal: Portal, mail_sink: MailSink
) -> None:
    """R19: `revise` (feedback required) sends the report back; the resubmission mails a new link whose page
    shows the earlier feedback, while the first link is spent."""
    linked = await links.evaluation()
    no_choice = await portal.http.post(linked.path, data={"feedback": "More detail please."})
    assert no_choice.status_code == 422 and "Choose pass, fail or revise." in no_choice.text
    feedback = "Describe what the pupils did themselves."
    done = await portal.http.post(linked.path, data={"result": "revise", "feedback": feedback})
    assert done.status_code == 200, done.text
    assert "Returned for revision" in done.text
    assert await stage(portal, linked.project_id) == "REVISION_REQUESTED"

    await portal.submit_closure(linked.project_id, linked.student_id)
    fresh = await mailed_link(mail_sink, faculty_email(linked.holder_id), "Closure report to evaluate", nth=2)
    again = await portal.http.get(fresh)
    assert again.status_code == 200
    assert "resubmission 2" in again.text and feedback in again.text
    spent = await portal.http.get(linked.path)
    assert spent.status_code == 410 and page_code(spent) == "TOKEN_USED"


# --- club hours (R15) -----------------------------------------------------------------------------------


async def test_osa_verifies_club_hours_by_link(links: Links, portal: Portal, settings: Settings) -> None:
    """R15: the Office of Student Affairs sees the club-hours entry and verifies it; the hours then count."""
    linked, entry = await links.club_hours(settings.osa_email)
    page = await portal.http.get(linked.path)
    assert page.status_code == 200, page.text
    assert "Campus tutoring club" in page.text and "Mon 9 Mar 2026" in page.text
    assert entry["id"] in page.text
    done = await portal.http.post(linked.path, data={"verified": "yes", "note": "Confirmed with the club."})
    assert done.status_code == 200, done.text
    assert "Hours verified" in done.text
    view = await portal.view(linked.project_id)
    checked = next(e for e in view["hours"] if e["id"] == entry["id"])
    assert checked["verification"]["verified"] is True
    assert checked["verification"]["note"] == "Confirmed with the club."
    assert view["counted_hours"] == 4


async def test_a_refused_answer_from_the_page_says_why_in_english_and_chinese(
    links: Links, portal: Portal, settings: Settings
) -> None:
    """Issue 12, R15: OSA decides the club hours in the portal while the mailed link's page is open; the
    page's answer is then refused by the project's own rule (409 CONFLICT, the update's validator), and the
    bilingual refusal page gives its title and its detail in English and in Traditional Chinese. Nothing
    changes, and the first decision stands."""
    linked, entry = await links.club_hours(settings.osa_email)
    assert (await portal.http.get(linked.path)).status_code == 200
    decided = await portal.http.post(
        f"/v1/projects/{linked.project_id}/hours/{entry['id']}/verification",
        json={"verified": True, "note": "Checked with the club."},
        headers={**portal.osa, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert decided.status_code == 200, decided.text
    refused = await portal.http.post(linked.path, data={"verified": "no", "note": "Not a club activity."})
    assert refused.status_code == 409, refused.text
    assert page_code(refused) == "CONFLICT"
    text = html.unescape(refused.text)
    assert "Already decided" in text and "已有決定" in text
    assert re.search(r"These hours were already verified by \S+ on \d{4}-\d{2}-\d{2}; change that decision", text)
    assert re.search(r"這些時數已於 \d{4}-\d{2}-\d{2} 由 \S+ 認證；如需更改，請至校務系統辦理。", text)  # noqa: RUF001
    view = await portal.view(linked.project_id)
    assert next(e for e in view["hours"] if e["id"] == entry["id"])["verification"]["verified"] is True


# --- links that must not act ----------------------------------------------------------------------------


async def test_an_expired_link_is_410_token_expired_and_says_what_to_do(
    links: Links, portal: Portal, settings: Settings, engine: Engine
) -> None:
    """SPEC §4: a link past its expiry (issued through the real store and signing path) answers 410 with a
    page naming TOKEN_EXPIRED and telling the teacher to ask for a new invitation; it changes nothing."""
    linked = await links.invitation()
    token_id = secrets.token_urlsafe(18)
    claims = LinkClaims(
        token_id=token_id,
        subject_id=linked.holder_id,
        action=LinkAction.RESPOND_INVITATION,
        project_id=linked.project_id,
        ref="1",
        expires_at=(datetime.now(UTC) - timedelta(hours=1)).replace(microsecond=0),
    )
    with session(engine) as s:
        tokens.save_link(s, claims, issued_at=claims.expires_at - timedelta(days=14))
    token = issue_link_token(
        settings.action_link_secret.get_secret_value(),
        subject_id=claims.subject_id,
        action=claims.action,
        project_id=claims.project_id,
        ref=claims.ref,
        expires_at=claims.expires_at,
        nonce=token_id,
    )
    for response in (
        await portal.http.get(f"/a/{token}"),
        await portal.http.post(f"/a/{token}", data={"decision": "accept"}),
    ):
        assert response.status_code == 410
        assert page_code(response) == "TOKEN_EXPIRED"
        assert "ask the student to send you a new invitation" in response.text
    assert await stage(portal, linked.project_id) == "SUPERVISOR_INVITED"


async def test_a_tampered_or_malformed_link_is_404_token_invalid(links: Links, portal: Portal) -> None:
    """SPEC §4: a link whose signature was altered, or that is not a link at all, answers 404 with a page
    naming TOKEN_INVALID, says to use the link as mailed, and changes nothing."""
    linked = await links.invitation()
    last = linked.path[-1]
    tampered = linked.path[:-1] + ("A" if last != "A" else "B")
    for path in (tampered, "/a/not-a-token", f"{linked.path}x"):
        for response in (await portal.http.get(path), await portal.http.post(path, data={"decision": "accept"})):
            assert response.status_code == 404, path
            assert page_code(response) == "TOKEN_INVALID"
            assert "exactly as it appears" in response.text
    assert await stage(portal, linked.project_id) == "SUPERVISOR_INVITED"
    assert (await portal.http.get(linked.path)).status_code == 200  # the genuine link still works


async def test_a_link_reaches_only_its_own_project(links: Links, portal: Portal) -> None:
    """SPEC §4: a link is bound to one action on one project. An evaluation link serves only its own
    project's photos, an invitation link none; a form posted from another site is refused (403)."""
    mine = await links.evaluation()
    other = await links.evaluation()
    theirs = (await portal.view(other.project_id))["evidence"][0]["id"]
    ours = (await portal.view(mine.project_id))["evidence"][0]["id"]
    assert (await portal.http.get(f"{mine.path}/evidence/{ours}")).status_code == 200
    foreign = await portal.http.get(f"{mine.path}/evidence/{theirs}")
    assert foreign.status_code == 404 and foreign.json()["code"] == "NOT_FOUND"
    invitation = await links.invitation()
    assert (await portal.http.get(f"{invitation.path}/evidence/{ours}")).status_code == 404

    forged = await portal.http.post(mine.path, data={"result": "pass"}, headers={"Origin": "https://evil.example.com"})
    assert forged.status_code == 403 and page_code(forged) == "FORBIDDEN"
    same_site = await portal.http.post(
        invitation.path, data={"decision": "decline"}, headers={"Origin": "http://praxis.test"}
    )
    assert same_site.status_code == 200
    assert await stage(portal, mine.project_id) == "EVALUATION_PENDING"


# --- no worker in time ----------------------------------------------------------------------------------


@pytest.fixture
async def lonely(temporal_env: WorkflowEnvironment, settings: Settings) -> AsyncIterator[tuple[Portal, Settings]]:
    """An app on a task queue only this test's worker polls, answering within one second."""
    own = settings.model_copy(
        update={
            "task_queue": f"links-{uuid.uuid4().hex[:8]}",
            "update_timeout_seconds": 1.0,
            # No sticky cache: a stopped worker leaves nothing on a queue only it polled.
            "worker_max_cached_workflows": 0,
        }
    )
    app = create_app(own, temporal_client=temporal_env.client)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://praxis.test", timeout=30) as http:
            yield Portal(http, own), own


async def test_a_click_while_no_worker_answers_is_recorded_as_a_signal_and_applied_later(
    lonely: tuple[Portal, Settings], temporal_env: WorkflowEnvironment, engine: Engine, mail_sink: MailSink
) -> None:
    """SPEC §4 / issue 4: when no worker answers in time, the POST sends the durable `*_by_link` signal,
    spends the link and says the answer is recorded (202). Once a worker polls again the answer is applied
    by the same rules, as the teacher by email."""
    portal, own = lonely
    links = Links(portal, mail_sink)
    async with build_worker(temporal_env.client, own, engine):
        linked = await links.invitation()

    answer = {"decision": "accept", "reflection_format": "written_report"}
    recorded = await portal.http.post(linked.path, data=answer)
    assert recorded.status_code == 202, recorded.text
    assert "Answer recorded" in recorded.text and "will be applied shortly" in recorded.text
    spent = await portal.http.post(linked.path, data=answer)
    assert spent.status_code == 410 and "recorded while Praxis was busy" in spent.text

    async with build_worker(temporal_env.client, own, engine):
        view = await eventually(
            lambda: view_if_answered(portal, linked.project_id), lambda v: v.get("stage") == "IN_PROGRESS"
        )
        assert view["supervisor"]["reflection_format"] == "written_report"
        accepted = next(e for e in view["audit"] if e["action"] == "supervision_accepted")
        assert (accepted["actor_id"], accepted["channel"]) == (linked.holder_id, "email")
        # Let the worker send what the answer owes before it stops: nothing may wait on an unpolled queue.
        student_email = f"{linked.student_id.lower()}@mail.example.edu"
        told = await eventually(lambda: received(mail_sink, student_email), lambda subjects: len(subjects) >= 2)
        assert any("Your supervisor accepted" in subject for subject in told)
        # Closed while its worker still polls: a running project's timers would later fire on a queue nobody
        # polls and hold the shared time-skipping server's clock for every later test.
        withdrawal = f"/v1/projects/{linked.project_id}/withdrawal"
        withdrawn = await portal.http.post(withdrawal, json={}, headers=portal.student(linked.student_id))
        assert withdrawn.status_code == 200, withdrawn.text
        await temporal_env.client.get_workflow_handle(f"project-{linked.project_id}").result()


async def view_if_answered(portal: Portal, project_id: str) -> dict[str, Any]:
    """The project, or {} while the worker is still catching up (503 within the one-second bound)."""
    response = await portal.http.get(f"/v1/projects/{project_id}", headers=portal.center)
    return dict(response.json()) if response.status_code == 200 else {}


async def received(sink: MailSink, address: str) -> list[str]:
    return [str(m["Subject"]) for m in sink.to(address)]


async def test_the_page_offers_its_form_when_the_project_does_not_answer_in_time(
    links: Links, temporal_env: WorkflowEnvironment, settings: Settings
) -> None:
    """Issue 4: a page opened while the project cannot answer in time still offers the form, says the
    details cannot be shown right now, and changes nothing (the read model still guards the link)."""
    linked = await links.invitation()
    hurried = settings.model_copy(update={"update_timeout_seconds": 0.001})
    app = create_app(hurried, temporal_client=temporal_env.client)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://praxis.test") as http:
            page = await http.get(linked.path)
    assert page.status_code == 200, page.text
    assert "cannot be shown right now" in page.text and "Accept and supervise" in page.text
    assert "Reading club at Wanhua community library" in page.text  # the title, from the read model
    assert await stage(links.portal, linked.project_id) == "SUPERVISOR_INVITED"
