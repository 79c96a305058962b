"""Every nudge of R12 and R20 under the time-skipping test server, checked on the real mails that arrive
(tests.support.mailbox) and in the audit trail."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

import pytest
from sqlalchemy.engine import Engine
from temporalio.testing import WorkflowEnvironment

from clients.project import ProjectClient
from config.settings import Settings
from domain.commands import CancelInvitation, RequestReminder, Withdraw
from domain.errors import Code, RuleViolation
from domain.people import Faculty
from domain.project import ProjectView
from domain.stages import Stage
from domain.vocabulary import EvaluationResult
from store.db import session
from store.directory import get_student
from store.projects import audit_for
from tests.activities.support import text_of
from tests.support.course import Course, student_actor
from tests.support.mailbox import Mailbox, advance_to, kind, kinds, no_new_mail
from tests.support.mailsink import MailSink
from workflows.project import ProjectWorkflow

JUST_AFTER = timedelta(minutes=1)
JUST_BEFORE = timedelta(hours=1)
NUDGE_ACTIONS = {"invitation_reminded", "invitation_expired", "evaluation_reminded", "reminder_requested"}


# --- helpers ------------------------------------------------------------------------------------------


def nudges(view: ProjectView, start: datetime) -> list[tuple[str, str, float]]:
    """The nudges in the audit trail (R24): action, detail and days after `start` (to ~a minute)."""
    return [
        (e.action, e.detail, round((e.at - start) / timedelta(days=1), 3))
        for e in view.audit
        if e.action in NUDGE_ACTIONS
    ]


def stored_nudges(engine: Engine, project_id: str) -> list[tuple[str, str]]:
    """The nudges in the audit table the portal reads."""
    with session(engine) as s:
        return [(e.action, e.detail) for e in audit_for(s, project_id) if e.action in NUDGE_ACTIONS]


def action_link(settings: Settings, message: EmailMessage) -> str:
    match = re.search(re.escape(settings.public_url.rstrip("/")) + r"/a/[A-Za-z0-9_.-]+", text_of(message))
    assert match is not None, f"no action link in {kind(message)}"
    return match.group(0)


@dataclass
class Cast:
    """One test's student, teacher and project, with their mailboxes."""

    project_id: str
    student_id: str
    faculty: Faculty
    student: Mailbox
    teacher: Mailbox


def cast(course: Course, sink: MailSink, project_id: str, student_id: str, faculty: Faculty) -> Cast:
    with session(course.engine) as s:
        student = get_student(s, student_id)
    assert student is not None
    return Cast(
        project_id,
        student_id,
        faculty,
        student=Mailbox(sink, str(student.email)),
        teacher=Mailbox(sink, str(faculty.email)),
    )


async def invited(course: Course, sink: MailSink) -> Cast:
    """A project approved and its invitation sent, the invitation mail received."""
    student_id = course.add_student()
    project_id = await course.submit(student_id)
    await course.approve(project_id)
    faculty = course.add_faculty()
    await course.invite(project_id, student_id, faculty)
    people = cast(course, sink, project_id, student_id, faculty)
    await people.student.next("proposal_approved")
    await people.teacher.next("invitation")
    return people


async def evaluation_pending(course: Course, sink: MailSink) -> Cast:
    """A closure report submitted, the evaluation request received by the supervisor."""
    project_id, student_id, faculty = await course.to_evaluation()
    people = cast(course, sink, project_id, student_id, faculty)
    await people.student.next("proposal_approved")
    await people.student.next("invitation_accepted")
    await people.teacher.next("invitation")
    await people.teacher.next("evaluation_requested")
    return people


async def withdraw(course: Course, people: Cast, last_kind: str) -> None:
    """Ends the project so it sets no more timers for later tests; its last mail to the teacher arrives
    after any earlier one the workflow sent, so the teacher's mailbox is complete once it is there."""
    await course.projects.act(people.project_id, ProjectWorkflow.withdraw, student_actor(people.student_id), Withdraw())
    await people.teacher.next(last_kind)


# --- R12: invitations -------------------------------------------------------------------------------


async def test_invitation_reminded_at_3_and_7_days_and_expires_at_14(
    course: Course,
    projects: ProjectClient,
    temporal_env: WorkflowEnvironment,
    mail_sink: MailSink,
    settings: Settings,
    engine: Engine,
) -> None:
    """R12: the invited teacher is reminded after 3 and 7 days, each time with the action link; after 14 days
    the invitation lapses, the project needs a supervisor again and the student is told. The view names the
    next nudge and the expiry deadline; every nudge is in the audit trail."""
    people = await invited(course, mail_sink)
    view = await projects.view(people.project_id)
    assert view.invitation is not None
    start = view.invitation.invited_at
    assert view.deadlines["invitation_expires_at"] == start + timedelta(days=14)
    assert view.next_nudge == {"kind": "invitation_reminder", "at": (start + timedelta(days=3)).isoformat()}

    await no_new_mail(temporal_env, [people.teacher], start + timedelta(days=3) - JUST_BEFORE)
    await advance_to(temporal_env, start + timedelta(days=3) + JUST_AFTER)
    first = await people.teacher.next("invitation_reminder")
    view = await projects.view(people.project_id)
    assert view.next_nudge == {"kind": "invitation_reminder", "at": (start + timedelta(days=7)).isoformat()}

    await advance_to(temporal_env, start + timedelta(days=7) + JUST_AFTER)
    second = await people.teacher.next("invitation_reminder")
    assert action_link(settings, first) != action_link(settings, second)  # each link works once
    view = await projects.view(people.project_id)
    assert view.next_nudge == {"kind": "invitation_expiry", "at": (start + timedelta(days=14)).isoformat()}

    await advance_to(temporal_env, start + timedelta(days=14) + JUST_AFTER)
    expired = await people.student.next("invitation_expired")
    assert "invite another teacher" in text_of(expired)
    view = await projects.view(people.project_id)
    assert view.stage is Stage.NEEDS_SUPERVISOR and view.invitation is None
    assert view.next_nudge is None and "invitation_expires_at" not in view.deadlines
    assert nudges(view, start) == [
        ("invitation_reminded", "day 3", 3.0),
        ("invitation_reminded", "day 7", 7.0),
        ("invitation_expired", people.faculty.id, 14.0),
    ]
    assert stored_nudges(engine, people.project_id) == [(a, d) for a, d, _ in nudges(view, start)]
    assert kinds(people.teacher.received()) == ["invitation", "invitation_reminder", "invitation_reminder"]
    assert kinds(people.student.received()) == ["proposal_approved", "invitation_expired"]
    await course.projects.act(people.project_id, ProjectWorkflow.withdraw, student_actor(people.student_id), Withdraw())


async def test_accepting_stops_the_invitation_reminders(
    course: Course, projects: ProjectClient, temporal_env: WorkflowEnvironment, mail_sink: MailSink
) -> None:
    """R12: a teacher who accepts on day 4 gets no day-7 reminder and the invitation never expires."""
    people = await invited(course, mail_sink)
    view = await projects.view(people.project_id)
    assert view.invitation is not None
    start = view.invitation.invited_at
    await advance_to(temporal_env, start + timedelta(days=3) + JUST_AFTER)
    await people.teacher.next("invitation_reminder")

    await advance_to(temporal_env, start + timedelta(days=4))
    outcome = await course.accept(people.project_id, people.faculty)
    view = await course.projects.view(people.project_id)
    assert outcome.summary.stage is Stage.IN_PROGRESS and view.next_nudge is None
    await people.student.next("invitation_accepted")

    await no_new_mail(temporal_env, [people.teacher, people.student], start + timedelta(days=15))
    view = await projects.view(people.project_id)
    assert view.stage is Stage.IN_PROGRESS
    assert nudges(view, start) == [("invitation_reminded", "day 3", 3.0)]
    await withdraw(course, people, "project_withdrawn")
    assert kinds(people.teacher.received()) == ["invitation", "invitation_reminder", "project_withdrawn"]


async def test_cancel_and_invite_again_rearms_from_the_new_invitation(
    course: Course, projects: ProjectClient, temporal_env: WorkflowEnvironment, mail_sink: MailSink
) -> None:
    """R12: a cancelled invitation sends no more reminders; a new one is reminded 3 and 7 days after *it*
    was sent and expires 14 days after it, not after the first."""
    people = await invited(course, mail_sink)
    view = await projects.view(people.project_id)
    assert view.invitation is not None
    first = view.invitation.invited_at
    await advance_to(temporal_env, first + timedelta(days=2))
    await projects.act(
        people.project_id, ProjectWorkflow.cancel_invitation, student_actor(people.student_id), CancelInvitation()
    )
    await people.teacher.next("invitation_cancelled")
    # Past the first invitation's 3-day reminder: nothing, it was cancelled.
    await no_new_mail(temporal_env, [people.teacher], first + timedelta(days=5))

    await course.invite(people.project_id, people.student_id, people.faculty)
    view = await course.projects.view(people.project_id)
    assert view.invitation is not None
    again = view.invitation.invited_at
    assert view.deadlines["invitation_expires_at"] == again + timedelta(days=14)
    assert view.next_nudge == {"kind": "invitation_reminder", "at": (again + timedelta(days=3)).isoformat()}
    await people.teacher.next("invitation")
    # Past the first invitation's 7-day reminder and just short of the new one's 3-day reminder.
    await no_new_mail(temporal_env, [people.teacher], again + timedelta(days=3) - JUST_BEFORE)
    await advance_to(temporal_env, again + timedelta(days=3) + JUST_AFTER)
    await people.teacher.next("invitation_reminder")

    view = await projects.view(people.project_id)
    assert view.stage is Stage.SUPERVISOR_INVITED
    assert nudges(view, again) == [("invitation_reminded", "day 3", 3.0)]
    await withdraw(course, people, "invitation_cancelled")
    assert kinds(people.teacher.received()) == [
        "invitation",
        "invitation_cancelled",
        "invitation",
        "invitation_reminder",
        "invitation_cancelled",
    ]


# --- R20: evaluations --------------------------------------------------------------------------------


async def test_evaluation_reminded_at_7_and_14_then_weekly_and_the_center_told_at_21(
    course: Course,
    projects: ProjectClient,
    temporal_env: WorkflowEnvironment,
    mail_sink: MailSink,
    settings: Settings,
    engine: Engine,
) -> None:
    """R20: the supervisor is reminded 7 and 14 days after submission, then weekly (21, 28), each time with
    the evaluation link; at 21 days the center is told too, once. Evaluating stops the reminders."""
    people = await evaluation_pending(course, mail_sink)
    center = Mailbox(mail_sink, settings.center_email, about=people.project_id)
    view = await projects.view(people.project_id)
    assert view.submission is not None
    start = view.submission.submitted_at
    assert view.next_nudge == {"kind": "evaluation_reminder", "at": (start + timedelta(days=7)).isoformat()}

    await no_new_mail(temporal_env, [people.teacher], start + timedelta(days=7) - JUST_BEFORE)
    for day in (7, 14, 21, 28):
        await advance_to(temporal_env, start + timedelta(days=day) + JUST_AFTER)
        reminder = await people.teacher.next("evaluation_reminder")
        assert action_link(settings, reminder)
        assert f"({day} days)" in text_of(reminder)
        if day == 14:
            view = await projects.view(people.project_id)
            assert view.next_nudge == {
                "kind": "evaluation_escalation",
                "at": (start + timedelta(days=21)).isoformat(),
            }
        if day == 21:
            overdue = await center.next("evaluation_overdue")
            assert "21 days" in text_of(overdue)
    assert kinds(center.received()) == ["evaluation_overdue"]  # told once, not every week

    view = await projects.view(people.project_id)
    assert view.next_nudge == {"kind": "evaluation_reminder", "at": (start + timedelta(days=35)).isoformat()}
    assert nudges(view, start) == [("evaluation_reminded", f"day {d}", float(d)) for d in (7, 14, 21, 28)]
    assert stored_nudges(engine, people.project_id) == [("evaluation_reminded", f"day {d}") for d in (7, 14, 21, 28)]

    outcome = await course.evaluate(people.project_id, people.faculty, EvaluationResult.PASS)
    view = await course.projects.view(people.project_id)
    assert outcome.summary.stage is Stage.PASSED and view.next_nudge is None
    await people.student.next("evaluation_pass")
    await no_new_mail(temporal_env, [people.teacher, center], start + timedelta(days=43))
    assert kinds(people.teacher.received()) == ["invitation", "evaluation_requested"] + ["evaluation_reminder"] * 4


async def test_revise_and_resubmit_rearms_the_evaluation_reminders(
    course: Course, projects: ProjectClient, temporal_env: WorkflowEnvironment, mail_sink: MailSink
) -> None:
    """R20: returning the report for revision stops the reminders; the resubmission is reminded 7 days after
    it was resubmitted, not on the first submission's schedule; a pass then stops them for good."""
    people = await evaluation_pending(course, mail_sink)
    view = await projects.view(people.project_id)
    assert view.submission is not None
    first = view.submission.submitted_at
    await advance_to(temporal_env, first + timedelta(days=7) + JUST_AFTER)
    await people.teacher.next("evaluation_reminder")

    await advance_to(temporal_env, first + timedelta(days=10))
    outcome = await course.evaluate(people.project_id, people.faculty, EvaluationResult.REVISE, "Add the pupils' view.")
    view = await course.projects.view(people.project_id)
    assert outcome.summary.stage is Stage.REVISION_REQUESTED and view.next_nudge is None
    await people.student.next("evaluation_revise")
    # Past the first submission's 14-day reminder: none while the student revises.
    await no_new_mail(temporal_env, [people.teacher], first + timedelta(days=16))

    await course.submit_closure(people.project_id, people.student_id)
    view = await course.projects.view(people.project_id)
    assert view.submission is not None and view.submission.seq == 2
    again = view.submission.submitted_at
    assert view.next_nudge == {"kind": "evaluation_reminder", "at": (again + timedelta(days=7)).isoformat()}
    await people.teacher.next("evaluation_requested")
    # Past the first submission's 21-day escalation and just short of the resubmission's 7-day reminder.
    await no_new_mail(temporal_env, [people.teacher], again + timedelta(days=7) - JUST_BEFORE)
    await advance_to(temporal_env, again + timedelta(days=7) + JUST_AFTER)
    await people.teacher.next("evaluation_reminder")

    await course.evaluate(people.project_id, people.faculty, EvaluationResult.PASS)
    await people.student.next("evaluation_pass")
    await no_new_mail(temporal_env, [people.teacher], again + timedelta(days=15))
    view = await projects.view(people.project_id)
    assert [n[:2] for n in nudges(view, first)] == [("evaluation_reminded", "day 7")] * 2
    assert nudges(view, first)[0][2] == 7.0 and nudges(view, again)[1][2] == 7.0
    assert kinds(people.teacher.received()) == [
        "invitation",
        "evaluation_requested",
        "evaluation_reminder",
        "evaluation_requested",
        "evaluation_reminder",
    ]


async def test_student_reminder_request_mails_at_once_and_is_rate_limited(
    course: Course,
    projects: ProjectClient,
    temporal_env: WorkflowEnvironment,
    mail_sink: MailSink,
    settings: Settings,
) -> None:
    """R20: the student's request reminds the supervisor at once, by mail with the evaluation link; another
    within 3 days is refused as RATE_LIMITED, saying when it will be allowed; after 3 days it works again."""
    people = await evaluation_pending(course, mail_sink)
    student = student_actor(people.student_id)
    outcome = await projects.act(people.project_id, ProjectWorkflow.request_reminder, student, RequestReminder())
    asked = outcome.audit[-1]
    assert asked.action == "reminder_requested" and asked.actor_id == people.student_id
    allowed = asked.at + timedelta(days=3)
    view = await course.projects.view(people.project_id)
    assert view.deadlines["reminder_request_allowed_from"] == allowed
    reminder = await people.teacher.next("evaluation_reminder")
    assert "asked us to remind you" in text_of(reminder)
    assert action_link(settings, reminder)

    with pytest.raises(RuleViolation) as refused:
        await projects.act(people.project_id, ProjectWorkflow.request_reminder, student, RequestReminder())
    assert refused.value.code is Code.RATE_LIMITED and refused.value.retry_after == allowed
    await no_new_mail(temporal_env, [people.teacher], allowed - JUST_BEFORE)
    with pytest.raises(RuleViolation) as refused:
        await projects.act(people.project_id, ProjectWorkflow.request_reminder, student, RequestReminder())
    assert refused.value.code is Code.RATE_LIMITED

    await advance_to(temporal_env, allowed + JUST_AFTER)
    outcome = await projects.act(people.project_id, ProjectWorkflow.request_reminder, student, RequestReminder())
    assert outcome.audit[-1].action == "reminder_requested"
    await people.teacher.next("evaluation_reminder")
    view = await projects.view(people.project_id)
    assert [e.action for e in view.audit if e.action in NUDGE_ACTIONS] == ["reminder_requested"] * 2
    await withdraw(course, people, "project_withdrawn")
    assert kinds(people.teacher.received()) == [
        "invitation",
        "evaluation_requested",
        "evaluation_reminder",
        "evaluation_reminder",
        "project_withdrawn",
    ]
