"""Issue 9, item 1: one bad name must not silence a project. A mail that can never be delivered (a name the
`To:` header cannot carry, an address the server refuses for good) is not retried: the project records it in
its audit trail, the center hears of it, and the notices after it still go out. A server that is down for now
is still waited out."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from activities.contracts import SyncProject
from activities.mail.sending import SmtpSender
from activities.records import RecordsActivities
from clients.project import ProjectClient
from config.settings import Settings
from domain.commands import CancelInvitation
from domain.notices import Notice
from domain.people import Faculty, Student
from domain.project import ProjectView
from domain.stages import Stage
from domain.vocabulary import Rank, Role
from store import directory, outbox
from store import projects as project_store
from store.db import session
from tests.activities.support import summary
from tests.support.course import Course, student_actor, unique
from tests.support.mailsink import MailSink
from workflows.project import ProjectWorkflow


async def eventually(projects: ProjectClient, project_id: str, predicate: Callable[[ProjectView], bool]) -> ProjectView:
    async with asyncio.timeout(20):
        while not predicate(view := await projects.view(project_id)):
            await asyncio.sleep(0.05)
    return view


def legacy_faculty(engine: Engine, name: str, email: str | None = None) -> Faculty:
    """A teacher stored before names were checked at the door (the store takes what it is given)."""
    faculty_id = unique("T")
    faculty = Faculty(
        id=faculty_id,
        name=name,
        email=email or f"{faculty_id.lower()}@staff.example.edu",
        rank=Rank.PROFESSOR,
    )
    with session(engine) as s:
        directory.upsert_faculty(s, faculty)
    return faculty


async def test_a_line_break_in_a_teachers_name_does_not_silence_the_project(
    projects: ProjectClient, engine: Engine, mail_sink: MailSink, settings: Settings
) -> None:
    """The invitation to a teacher whose stored name has a line break cannot be built: it is given up at once
    (not retried forever), the invitation still stands, the audit trail (in the view and the read model) says
    which mail was lost and why, the center is mailed about it, and the project's later mail still goes out."""
    course = Course(projects, engine)
    student_id = course.add_student()
    teacher = legacy_faculty(engine, "Prof Lin\nBcc: everyone@example.edu")
    project_id = await course.submit(student_id)
    await course.approve(project_id)
    invited = await course.invite(project_id, student_id, teacher)
    assert invited.summary.stage is Stage.SUPERVISOR_INVITED

    view = await eventually(projects, project_id, lambda v: any(a.action == "mail_undeliverable" for a in v.audit))
    [lost] = [a for a in view.audit if a.action == "mail_undeliverable"]
    assert lost.detail.startswith(f"invitation to faculty {teacher.id}: ")
    assert "CR or LF" in lost.detail
    with session(engine) as s:
        entries = outbox.list_entries(s, project_id)
    [invitation] = [e for e in entries if e.template == "invitation"]
    assert invitation.status is outbox.OutboxStatus.UNDELIVERABLE
    assert invitation.attempts == 0  # given up at once, never counted as a failure to retry

    async with asyncio.timeout(20):
        while not [m for m in mail_sink.to(settings.center_email) if project_id in m.get_body().get_content()]:  # type: ignore[union-attr]
            await asyncio.sleep(0.05)
    [told] = [m for m in mail_sink.to(settings.center_email) if project_id in m.get_body().get_content()]  # type: ignore[union-attr]
    assert "could not be delivered" in str(told["Subject"])
    assert teacher.id in told.get_body().get_content()  # type: ignore[union-attr]

    async with asyncio.timeout(20):
        while True:
            with session(engine) as s:
                trail = project_store.audit_for(s, project_id)
            if any(entry.action == "mail_undeliverable" for entry in trail):
                break
            await asyncio.sleep(0.05)

    # Later mail still goes out: cancelling the invitation is recorded, and the student's mail flows on.
    good = course.add_faculty()
    await projects.act(project_id, ProjectWorkflow.cancel_invitation, student_actor(student_id), CancelInvitation())
    await course.invite(project_id, student_id, good)
    async with asyncio.timeout(20):
        while not mail_sink.to(good.email):
            await asyncio.sleep(0.05)


async def test_a_batch_goes_on_past_a_mail_that_can_never_be_sent(
    engine: Engine, mail_sink: MailSink, settings: Settings
) -> None:
    """In one sync, a notice to an address the server refuses for good (550) and one whose recipient's name
    cannot go in a header are both reported undeliverable, and the notices after them are still sent; a server
    that answers 451 (try later) leaves the rest for the retries, as before."""
    course_student = Student(id=unique("B"), name="Good Student", email=f"{unique('b').lower()}@mail.example.edu")
    refused = legacy_faculty(engine, "Prof Refused")
    broken = legacy_faculty(engine, "Prof\r\nBroken")
    with session(engine) as s:
        directory.upsert_student(s, course_student)
    mail_sink.unknown.add(str(refused.email))
    records = RecordsActivities(settings, engine, SmtpSender(settings, timeout=5))
    project_id = unique("p")
    row = summary(Stage.SUPERVISOR_INVITED).model_copy(update={"id": project_id, "student_id": course_student.id})
    notices = [
        Notice(key=f"{project_id}:a", template="invitation", to_role=Role.FACULTY, to_id=refused.id),
        Notice(key=f"{project_id}:b", template="invitation", to_role=Role.FACULTY, to_id=broken.id),
        Notice(key=f"{project_id}:c", template="proposal_approved", to_role=Role.STUDENT, to_id=course_student.id),
    ]
    try:
        synced = await records.sync_project(SyncProject(summary=row, audit=[], notices=notices, at=datetime.now(UTC)))
    finally:
        mail_sink.unknown.discard(str(refused.email))
    assert synced.unsent == []
    assert [u.key for u in synced.undeliverable] == [f"{project_id}:a", f"{project_id}:b"]
    assert "550" in synced.undeliverable[0].reason
    assert "CR or LF" in synced.undeliverable[1].reason
    assert mail_sink.to(str(course_student.email))

    # A temporary refusal is no permanent failure: the rest waits for the retries.
    mail_sink.refuse_next = 1
    later = [
        Notice(key=f"{project_id}:d", template="proposal_approved", to_role=Role.STUDENT, to_id=course_student.id),
        Notice(key=f"{project_id}:e", template="proposal_approved", to_role=Role.STUDENT, to_id=course_student.id),
    ]
    synced = await records.sync_project(SyncProject(summary=row, audit=[], notices=later, at=datetime.now(UTC)))
    assert synced.unsent == [f"{project_id}:d", f"{project_id}:e"]
    assert synced.undeliverable == []
