"""Leaving supervisors (R13, R22) end to end under time skipping: the directory changes, the departure
fan-out tells each open project, the deadline runs, the center reassigns; the real mails are checked.

Each test makes its own semester (a unique id, dates around the test server's clock) and walks as far
as it needs; the session's SMTP sink is shared, so each test reads only its own people's mail.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy.engine import Engine
from temporalio.client import Client, WorkflowHistory
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer

from clients.departure import announce_departure
from clients.project import ProjectClient
from config.settings import Settings
from domain.calendar import Semester, taipei_date
from domain.leaving import SUPERVISOR_MAILED, SupervisorLeaving
from domain.people import Faculty
from domain.project import ProjectView
from domain.stages import Stage
from domain.steering import Reassign
from domain.vocabulary import EvaluationResult
from store import directory
from store.db import session
from tests.activities.support import text_of
from tests.support.course import CENTER, Course, proposal
from tests.support.mailbox import Mailbox, advance_to
from tests.support.mailsink import MailSink
from workers.main import SANDBOX, WORKFLOWS
from workflows.attributes import SUPERVISOR
from workflows.departure import DepartureReport
from workflows.departure import workflow_id as departure_id
from workflows.project import ProjectWorkflow, workflow_id

_semesters = itertools.count(1)
HISTORIES = Path(__file__).parent / "histories"

# The R22 mails by the start of their English subject (activities/templates/*.j2).
SUBJECTS = {
    "deadline_set": ("Date to submit", "New date to submit"),
    "deadline_reminder": ("Before you leave NTUST",),
    "evaluation_reminder": ("Reminder: closure report awaiting",),
    "reassignment_needed": ("New supervisor needed",),
    "supervisor_departed": ("Your supervisor has left", "The teacher you invited has left"),
    "evaluation_assigned": ("You now supervise this project",),
    "supervisor_changed": ("Your project has a new supervisor",),
    "deadline_lifted": ("No more deadline",),
}


def kind(message: EmailMessage) -> str:
    subject = str(message["Subject"]).removeprefix("[Praxis] ")
    return next((name for name, starts in SUBJECTS.items() if subject.startswith(starts)), subject)


async def semester_around(env: WorkflowEnvironment, engine: Engine, *, ends_in_days: int) -> Semester:
    """A semester of the office's calendar that began a month ago and ends `ends_in_days` from now."""
    today = taipei_date(await env.get_current_time())
    semester = Semester(
        id=f"{2100 + next(_semesters)}-fall",
        starts_on=today - timedelta(days=30),
        final_exam_week_starts_on=today + timedelta(days=ends_in_days - 7),
        ends_on=today + timedelta(days=ends_in_days),
    )
    with session(engine) as s:
        directory.upsert_semester(s, semester)
    return semester


async def set_leaving(
    course: Course, client: Client, settings: Settings, faculty: Faculty, leaving_after: str | None
) -> int:
    """The center edits the directory entry (API or CSV import), then announces the change (R22)."""
    with session(course.engine) as s:
        changed = directory.upsert_faculty(s, faculty.model_copy(update={"leaving_after": leaving_after}))
    assert changed
    expected = await announce_departure(client, course.engine, settings, faculty.id)
    report: DepartureReport = await client.get_workflow_handle(
        departure_id(faculty.id), result_type=DepartureReport
    ).result()
    assert report.told == expected
    return report.told


async def eventually(projects: ProjectClient, project_id: str, predicate: Callable[[ProjectView], bool]) -> ProjectView:
    async with asyncio.timeout(10):
        while not predicate(view := await projects.view(project_id)):
            await asyncio.sleep(0.05)
    return view


def box(sink: MailSink, address: str, about: str | None = None) -> Mailbox:
    """A mailbox that has read everything already there."""
    mailbox = Mailbox(sink, address, about=about)
    mailbox.read = len(mailbox.received())
    return mailbox


async def next_kind(mailbox: Mailbox) -> tuple[str, EmailMessage]:
    message = (await mailbox.wait_for(mailbox.read + 1))[mailbox.read]
    mailbox.read += 1
    return kind(message), message


async def next_of(mailbox: Mailbox, wanted: str) -> EmailMessage:
    """The next mail of the wanted kind, passing over others (this test does not check those)."""
    for _ in range(10):
        found, message = await next_kind(mailbox)
        if found == wanted:
            return message
    raise AssertionError(f"no {wanted} mail to {mailbox.address}")


async def test_leaving_supervisor_walked_to_the_semester_end_then_reassigned(
    course: Course,
    projects: ProjectClient,
    client: Client,
    settings: Settings,
    engine: Engine,
    mail_sink: MailSink,
    temporal_env: WorkflowEnvironment,
) -> None:
    """R13/R22: a supervisor leaves mid-semester. The student without a closure report is told the date to
    submit by; the pending evaluation is reminded 14, 7, 3 and 1 days before the end, never two mails a day;
    at the end the center is asked to reassign and the students are told; the center reassigns (update and
    operator signal), PraxisSupervisorId follows, and the new supervisor evaluates."""
    semester = await semester_around(temporal_env, engine, ends_in_days=21)
    faculty = course.add_faculty()
    working, working_student, _ = await course.to_in_progress(faculty)
    pending_student = course.add_student()
    pending = await course.submit(pending_student, proposal("Pending: tutoring at Xinyi elementary school"))
    await course.approve(pending)
    await course.invite(pending, pending_student, faculty)
    await course.accept(pending, faculty)
    await course.log_hours(pending, pending_student)
    await course.add_evidence(pending, pending_student)
    await course.submit_closure(pending, pending_student)
    submitted_on = taipei_date(await temporal_env.get_current_time())
    working_mail = box(mail_sink, f"{working_student.lower()}@mail.example.edu")
    pending_mail = box(mail_sink, f"{pending_student.lower()}@mail.example.edu")
    teacher_mail = box(mail_sink, str(faculty.email), about="Pending: tutoring")
    center_mail = box(mail_sink, settings.center_email, about=pending)

    assert await set_leaving(course, client, settings, faculty, semester.id) == 2

    assert semester.id in text_of(await next_of(working_mail, "deadline_set"))
    view = await eventually(projects, working, lambda v: "submit_by" in v.deadlines)
    assert view.deadlines["semester_deadline"] == semester.ends_at
    assert view.deadlines["submit_by"] == semester.ends_at - timedelta(days=14)
    assert (await projects.view(pending)).deadlines["semester_deadline"] == semester.ends_at

    # A teacher invited a week later (R13): the invitation outlives the deadline, so it lapses at the end.
    await advance_to(temporal_env, await temporal_env.get_current_time() + timedelta(days=8))
    invited_student = course.add_student()
    invited = await course.submit(invited_student, proposal("Invited: river clean-up in Keelung"))
    invited_mail = box(mail_sink, f"{invited_student.lower()}@mail.example.edu")
    await course.approve(invited)
    outcome = await course.invite(invited, invited_student, faculty.model_copy(update={"leaving_after": semester.id}))
    assert outcome.warning is not None and semester.id in outcome.warning
    await eventually(projects, invited, lambda v: v.deadlines.get("semester_deadline") == semester.ends_at)
    assert "the teacher you invited" in text_of(await next_of(invited_mail, "deadline_set"))

    await advance_to(temporal_env, semester.ends_at + timedelta(hours=1))

    # Mails carry the real clock; the audit trail (R24) says on which (virtual) Taipei day each was owed.
    mailed = [
        (taipei_date(e.at), e.action) for e in (await projects.view(pending)).audit if e.action in SUPERVISOR_MAILED
    ]
    assert max(Counter(day for day, _ in mailed).values()) == 1, mailed
    reminders = [day for day, action in mailed if action == "deadline_reminded"]
    r20 = {day for day, action in mailed if action == "evaluation_reminded"}
    owed = {semester.ends_on - timedelta(days=n - 1) for n in (14, 7, 3, 1)}
    assert owed <= set(reminders) | r20, f"every leaving reminder day has a mail: {mailed}"
    assert set(reminders) <= owed and len(reminders) >= 2
    assert all((day - submitted_on).days % 7 == 0 for day in r20)
    received = Counter(kind(m) for m in teacher_mail.received()[teacher_mail.read :])
    assert (received["deadline_reminder"], received["evaluation_reminder"]) == (len(reminders), len(r20))

    await next_of(center_mail, "reassignment_needed")
    await next_of(pending_mail, "supervisor_departed")
    invited_view = await projects.view(invited)
    assert invited_view.stage is Stage.NEEDS_SUPERVISOR and invited_view.invitation is None
    handed = await projects.view(pending)
    assert handed.stage is Stage.EVALUATION_PENDING and handed.needs_reassignment
    assert handed.supervisor is not None and handed.supervisor.faculty.id == faculty.id
    assert (await projects.view(working)).needs_reassignment

    # The center reassigns through the portal (update) ...
    successor = course.add_faculty()
    successor_mail = box(mail_sink, str(successor.email))
    outcome = await projects.act(pending, ProjectWorkflow.reassign, CENTER, Reassign(faculty=successor, reason="left"))
    assert (
        not (await projects.view(pending)).needs_reassignment
        and (await projects.view(pending)).former_supervisors[0].faculty.id == faculty.id
    )
    assert f"{settings.public_url}/a/" in text_of(await next_of(successor_mail, "evaluation_assigned"))
    handle = client.get_workflow_handle(workflow_id(pending))
    async with asyncio.timeout(10):
        while (await handle.describe()).typed_search_attributes.get(SUPERVISOR) != successor.id:
            await asyncio.sleep(0.05)
    outcome = await course.evaluate(pending, successor, EvaluationResult.PASS)
    assert outcome.summary.stage is Stage.PASSED

    # ... and an operator from the Temporal UI's signal dialog (plain JSON).
    other = course.add_faculty()
    await client.get_workflow_handle(workflow_id(working)).signal(
        "reassign_supervisor", {"faculty": other.model_dump(mode="json"), "reason": "left NTUST"}
    )
    view = await eventually(
        projects, working, lambda v: v.supervisor is not None and v.supervisor.faculty.id == other.id
    )
    assert not view.needs_reassignment and "semester_deadline" not in view.deadlines
    assert view.audit[-1].channel.value == "temporal_ui"
    await next_of(working_mail, "supervisor_changed")


async def test_clearing_leaving_after_undoes_the_deadline(
    course: Course,
    projects: ProjectClient,
    client: Client,
    settings: Settings,
    engine: Engine,
    mail_sink: MailSink,
    temporal_env: WorkflowEnvironment,
) -> None:
    """R22: leaving_after set, then cleared: the student is told the deadline is lifted, no leaving reminder
    is left to fire, and nothing reaches the center."""
    semester = await semester_around(temporal_env, engine, ends_in_days=16)
    faculty = course.add_faculty()
    working, working_student, _ = await course.to_in_progress(faculty)
    pending, _, _ = await course.to_evaluation(faculty)
    working_mail = box(mail_sink, f"{working_student.lower()}@mail.example.edu")
    teacher_mail = box(mail_sink, str(faculty.email))

    await set_leaving(course, client, settings, faculty, semester.id)
    await next_of(working_mail, "deadline_set")
    view = await eventually(projects, pending, lambda v: v.departure is not None)
    assert view.next_nudge is not None and view.next_nudge["kind"] == "deadline_reminder"

    assert await set_leaving(course, client, settings, faculty, None) == 2

    await next_of(working_mail, "deadline_lifted")
    for project_id in (working, pending):
        view = await eventually(projects, project_id, lambda v: v.departure is None)
        assert "semester_deadline" not in view.deadlines and not view.needs_reassignment
        assert view.next_nudge is None or not view.next_nudge["kind"].startswith("deadline")
    first_reminder = semester.ends_at - timedelta(days=14)
    await advance_to(temporal_env, first_reminder + timedelta(days=1))
    assert "deadline_reminder" not in [kind(m) for m in teacher_mail.received()[teacher_mail.read :]]
    view = await projects.view(pending)
    assert [e.action for e in view.audit if e.action.startswith("supervisor_")][-2:] == [
        "supervisor_leaving",
        "supervisor_staying",
    ]


async def test_leaving_and_reassigned_history_replays(
    course: Course, client: Client, temporal_env: WorkflowEnvironment
) -> None:
    """Running projects survive code changes: a committed history with the R22 signals, the deadline's
    handover and a reassignment replays with today's code (PRAXIS_RECORD_HISTORIES=1 records it afresh)."""
    project_id, _, faculty = await course.to_evaluation()
    handle = client.get_workflow_handle(workflow_id(project_id))
    deadline = await temporal_env.get_current_time() + timedelta(days=2)
    news = SupervisorLeaving(faculty_id=faculty.id, semester_id="2026-fall", deadline=deadline)
    await handle.signal(ProjectWorkflow.supervisor_leaving, news)
    await advance_to(temporal_env, deadline + timedelta(minutes=1))
    successor = course.add_faculty()
    await course.projects.act(project_id, ProjectWorkflow.reassign, CENTER, Reassign(faculty=successor))
    await course.evaluate(project_id, successor, EvaluationResult.PASS)
    await handle.result()
    fresh = await handle.fetch_history()
    target = HISTORIES / "leaving_reassigned.json"
    if os.environ.get("PRAXIS_RECORD_HISTORIES") == "1":
        target.write_text(json.dumps(json.loads(fresh.to_json()), indent=1) + "\n")
    replayer = Replayer(workflows=WORKFLOWS, data_converter=client.data_converter, workflow_runner=SANDBOX)
    await replayer.replay_workflow(fresh)
    recorded = WorkflowHistory.from_json("project-leaving-recorded", json.loads(target.read_text()))
    assert any(
        e.workflow_execution_signaled_event_attributes.signal_name == "supervisor_leaving" for e in recorded.events
    )
    await replayer.replay_workflow(recorded)
