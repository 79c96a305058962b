"""Course profiles end to end (SPEC §7): a deployment set to NTNU's example profile runs a project from proposal
to credit under NTNU's competency frame and numbers, and a running project keeps the profile it started with
when the deployment's setting changes (the same workflows, served by an API started with the other setting)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine
from temporalio.testing import WorkflowEnvironment

from activities.mail.links import project_url
from api.main import create_app
from config.settings import Settings
from tests.api.portal import REFLECTION_CAPTION, Portal, jpeg, png, unique
from tests.api.support import eventually
from tests.support.actionlinks import mailed_link
from tests.support.mailsink import MailSink

COMPETENCY = "compassion_empathy"


def ntnu_proposal(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Companions at the Da'an elder care centre",
        "plan": "Each week I visit residents, listen to their stories and write them down with them.",
        "category": "public_service",
        "tags": ["volunteer"],
        "indicators": [{"indicator": COMPETENCY, "how": "I learn to listen to residents before I act."}],
    }
    body.update(changes)
    return body


@pytest.fixture(scope="module")
async def ntnu(
    temporal_env: WorkflowEnvironment, settings: Settings, engine: Engine, worker: None
) -> AsyncIterator[Portal]:
    """The same course's services (Temporal, worker, database, mail) behind an API set to NTNU's profile."""
    ntnu_settings = settings.model_copy(update={"course_profile": "ntnu"})
    assert ntnu_settings.profile.name == "ntnu"
    application = create_app(ntnu_settings, temporal_client=temporal_env.client)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://praxis.test", timeout=30) as http:
            yield Portal(http, ntnu_settings)


def key() -> dict[str, str]:
    return {"Idempotency-Key": unique("k")}


async def call(portal: Portal, method: str, path: str, headers: dict[str, str], status: int = 200, **kw: Any) -> Any:
    response = await portal.http.request(method, path, headers={**headers, **key()}, **kw)
    assert response.status_code == status, response.text
    return response.json()


async def test_ntnu_profile_runs_a_project_from_proposal_to_credit(ntnu: Portal, mail_sink: MailSink) -> None:
    """Under NTNU's profile: NTUST's indicators and a category NTNU does not accept are refused, a lecturer
    may supervise (and is invited in NTNU's course's name), 24 hours count with reflection hours among them,
    two photos and two reflection records complete the evidence, the closure report notes the chosen
    competency, and the project passes with the credit; the view names the profile throughout."""
    student_id = await ntnu.add_student()
    lecturer = await ntnu.add_faculty(rank="lecturer")
    student, teacher = ntnu.student(student_id), ntnu.faculty(lecturer["id"])

    ntust_frame = await ntnu.http.post(
        "/v1/projects",
        json=ntnu_proposal(
            indicators=[{"indicator": "civic_consciousness", "how": "Residents and students meet every week."}]
        ),
        headers={**student, **key()},
    )
    assert (ntust_frame.status_code, ntust_frame.json()["code"]) == (422, "VALIDATION_ERROR")
    assert "among this course's competencies: civic_consciousness" in ntust_frame.json()["detail"]
    skill = await ntnu.http.post(
        "/v1/projects", json=ntnu_proposal(category="skill_building"), headers={**student, **key()}
    )
    assert (skill.status_code, skill.json()["code"]) == (422, "VALIDATION_ERROR")

    project = (await call(ntnu, "POST", "/v1/projects", student, 201, json=ntnu_proposal()))["project"]
    base = f"/v1/projects/{project['id']}"
    await call(ntnu, "POST", f"{base}/review", ntnu.center, json={"decision": "approve", "comment": "Go ahead."})
    invitation = {"faculty_email": lecturer["email"], "reflection_format": "conversation"}
    invited = await call(ntnu, "POST", f"{base}/invitation", student, json=invitation)
    assert invited["project"]["stage"] == "SUPERVISOR_INVITED"
    view = await ntnu.view(project["id"])
    invited_at = datetime.fromisoformat(view["invitation"]["invited_at"])
    assert datetime.fromisoformat(view["deadlines"]["invitation_expires_at"]) == invited_at + timedelta(days=10)
    assert datetime.fromisoformat(view["next_nudge"]["at"]) == invited_at + timedelta(days=2)
    mails = await eventually(lambda: _mails(mail_sink, lecturer["email"]), bool)
    text = _text(mails[0])
    assert "(course SPC-101, 2 credits, pass/fail)" in text
    assert "（課程 SPC-101，2 學分" in text  # noqa: RUF001 (full-width punctuation is right in Chinese)
    assert "Social Practice (SPC-101) · Social Practice Center, NTNU." in text
    assert "TC1010" not in text and "NTUST" not in text
    page = await ntnu.http.get(await mailed_link(mail_sink, lecturer["email"], "Invitation"))
    assert page.status_code == 200
    assert "(course SPC-101, 2 credits, pass/fail)" in page.text and "Social Practice (SPC-101) · NTNU" in page.text
    assert "Social practice competencies the project serves" in page.text and "Compassion and empathy" in page.text
    await call(ntnu, "POST", f"{base}/invitation/response", teacher, json={"accept": True})

    start = date(2026, 3, 2)
    for n, kind in enumerate(("execution", "reflection", "skill_learning")):
        entry = {"date": (start + timedelta(days=n)).isoformat(), "hours": 12, "kind": kind, "description": "Visit"}
        await call(ntnu, "POST", f"{base}/hours", student, 201, json=entry)
    await call(
        ntnu,
        "POST",
        f"{base}/evidence",
        student,
        201,
        files={"file": ("p.jpg", jpeg(color="red"), "image/jpeg")},
        data={"kind": "participation", "caption": "Listening to Mrs Chen's story; I am on the right, taking notes."},
    )
    await call(
        ntnu,
        "POST",
        f"{base}/evidence",
        student,
        201,
        files={"file": ("r.png", png(), "image/png")},
        data={"kind": "reflection", "caption": REFLECTION_CAPTION},
    )
    view = await ntnu.view(project["id"])
    assert (view["counted_hours"], view["required_hours"]) == (24, 24)
    assert view["profile"] == {"name": "ntnu", "version": 1}
    assert {p["code"]: p["detail"] for p in view["missing"]} == {
        "PHOTOS_MISSING": "1 of 2 captioned participation photos uploaded.",
        "REFLECTION_RECORD_MISSING": "1 of 2 records of the reflection sessions with the supervisor uploaded.",
    }
    await call(
        ntnu,
        "POST",
        f"{base}/evidence",
        student,
        201,
        files={"file": ("q.jpg", jpeg(color="blue"), "image/jpeg")},
        data={"kind": "participation", "caption": "Writing the story down with Mr Lin; I hold the notebook."},
    )
    await call(
        ntnu,
        "POST",
        f"{base}/evidence",
        student,
        201,
        files={"file": ("s.jpg", jpeg(color="green"), "image/jpeg")},
        data={"kind": "reflection", "caption": REFLECTION_CAPTION},
    )
    assert (await ntnu.view(project["id"]))["missing"] == []
    student_email = f"{student_id.lower()}@mail.example.edu"
    accepted = await eventually(lambda: _mails(mail_sink, student_email), lambda found: len(found) >= 2)
    told = _text(next(m for m in accepted if "accepted" in str(m["Subject"])))
    assert "at least 24 counted execution and reflection hours" in told and "24 小時採計的執行與反思時數" in told

    narrative = "Twelve weeks of visits taught me to listen before acting. " * 2
    other = [{"indicator": "critical_reflection", "how": "I kept a journal of every visit all term."}]
    report: dict[str, Any] = {"narrative": narrative, "indicators": other}
    missing_note = await ntnu.http.post(f"{base}/closure-report", json=report, headers={**student, **key()})
    assert missing_note.status_code == 422
    assert f"Add a note for each competency the proposal chose: {COMPETENCY}" in missing_note.json()["detail"]
    report["indicators"] = [{"indicator": COMPETENCY, "how": "Residents asked for me by name after a month."}]
    submitted = await call(ntnu, "POST", f"{base}/closure-report", student, json=report)
    assert submitted["project"]["stage"] == "EVALUATION_PENDING"
    passed = await call(ntnu, "POST", f"{base}/evaluation", teacher, json={"result": "pass", "feedback": "Well done."})
    assert passed["project"]["stage"] == "PASSED"

    page = await ntnu.http.get(project_url(ntnu.settings, project["id"]).removeprefix(ntnu.settings.public_url))
    assert page.status_code == 200 and "Social practice competencies" in page.text
    assert "Compassion and empathy" in page.text and "關懷與同理" in page.text

    final = await ntnu.view(project["id"])
    assert final["credit"]["granted"] is True
    assert final["profile"] == {"name": "ntnu", "version": 1}
    credit = next(entry for entry in final["audit"] if entry["action"] == "credit_recorded")
    assert credit["detail"].startswith("SPC-101 credit recorded in")


async def test_running_project_keeps_its_profile_when_the_setting_changes(portal: Portal, ntnu: Portal) -> None:
    """A project started under NTUST keeps NTUST's rules when acted on through an API set to NTNU (reflection
    hours do not count, a lecturer cannot supervise, a proposal revision must use NTUST's indicators), and
    one started under NTNU keeps NTNU's rules through the NTUST API (a lecturer may supervise)."""
    ntust_student = await portal.add_student()
    ntust_project = await portal.submit(ntust_student)
    assert (await portal.view(ntust_project["id"]))["profile"] == {"name": "ntust", "version": 1}
    base = f"/v1/projects/{ntust_project['id']}"
    changes = {"decision": "request_changes", "comment": "Say where you read."}
    await call(ntnu, "POST", f"{base}/review", ntnu.center, json=changes)
    as_ntnu = await ntnu.http.put(
        f"{base}/proposal", json=ntnu_proposal(), headers={**ntnu.student(ntust_student), **key()}
    )
    assert (as_ntnu.status_code, as_ntnu.json()["code"]) == (422, "VALIDATION_ERROR")
    assert "among this course's indicators: compassion_empathy" in as_ntnu.json()["detail"]
    await call(
        ntnu,
        "PUT",
        f"{base}/proposal",
        ntnu.student(ntust_student),
        json={
            "title": "Reading club at Wanhua community library",
            "plan": "Twice a week at the Wanhua library, read with primary school pupils and lend donated books.",
            "category": "external",
            "tags": ["volunteer"],
            "indicators": [{"indicator": "civic_consciousness", "how": "Pupils learn to share and look after books."}],
        },
    )
    await call(ntnu, "POST", f"{base}/review", ntnu.center, json={"decision": "approve", "comment": ""})
    lecturer = await ntnu.add_faculty(rank="lecturer")
    refused = await ntnu.http.post(
        f"{base}/invitation",
        json={"faculty_email": lecturer["email"], "reflection_format": "conversation"},
        headers={**ntnu.student(ntust_student), **key()},
    )
    assert (refused.status_code, refused.json()["code"]) == (422, "SUPERVISOR_NOT_ELIGIBLE")
    professor = await ntnu.add_faculty()
    await ntnu.invite(ntust_project["id"], ntust_student, professor)
    await ntnu.accept(ntust_project["id"], professor["id"])
    await ntnu.log_hours(ntust_project["id"], ntust_student, 12, date(2026, 3, 2), kind="reflection")
    kept = await ntnu.view(ntust_project["id"])
    assert (kept["counted_hours"], kept["required_hours"], kept["profile"]["name"]) == (0, 36, "ntust")

    ntnu_student = await ntnu.add_student()
    ntnu_project = await call(ntnu, "POST", "/v1/projects", ntnu.student(ntnu_student), 201, json=ntnu_proposal())
    project_id = ntnu_project["project"]["id"]
    await portal.approve(project_id)
    invited = await portal.invite(project_id, ntnu_student, lecturer)
    assert invited["project"]["stage"] == "SUPERVISOR_INVITED"
    view = await portal.view(project_id)
    assert (view["required_hours"], view["profile"]["name"]) == (24, "ntnu")


async def _mails(sink: MailSink, address: str) -> list[EmailMessage]:
    return sink.to(address)


def _text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


async def test_portal_reads_the_profile_new_projects_start_under(portal: Portal, ntnu: Portal) -> None:
    """GET /v1/profile: the deployment's profile for the portal's proposal form (frame ids and names, the
    numbers, what the course accepts); any signed-in role may read it, nobody anonymous."""
    ntust = portal.ok(await portal.http.get("/v1/profile", headers=portal.student("B1")))
    assert (ntust["name"], ntust["course_code"], ntust["required_hours"]) == ("ntust", "TC1010", 36)
    assert [item["id"] for item in ntust["frame"]][:2] == ["knowledge_into_practice", "civic_consciousness"]
    other = ntnu.ok(await ntnu.http.get("/v1/profile", headers=ntnu.faculty("T1")))
    assert (other["frame_kind"], other["frame"][1]) == (
        "competencies",
        {"id": COMPETENCY, "en": "Compassion and empathy", "zh": "關懷與同理"},
    )
    assert "skill_building" not in other["categories"] and "lecturer" in other["eligible_ranks"]
    assert (await portal.http.get("/v1/profile")).status_code == 401


async def test_impact_review_counts_the_profiles_frame(ntnu: Portal) -> None:
    """The USR impact review under NTNU's profile: its rows are NTNU's five competencies with their names, in
    the JSON, and the report PDF renders (no NTUST indicator expected of an NTNU project)."""
    student_id = await ntnu.add_student()
    await call(ntnu, "POST", "/v1/projects", ntnu.student(student_id), 201, json=ntnu_proposal())
    review = ntnu.ok(await ntnu.http.get("/v1/desk/impact", headers=ntnu.center))
    indicators = review["indicators"]
    assert indicators["kind"] == "competencies"
    rows = {row["indicator"]: row for row in indicators["rows"]}
    assert list(rows)[:5] == [item.id for item in ntnu.settings.profile.frame.items]
    assert rows[COMPETENCY]["en"] == "Compassion and empathy" and rows[COMPETENCY]["planned"]["projects"] >= 1
    pdf = await ntnu.http.get("/v1/desk/impact.pdf", headers=ntnu.center)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
