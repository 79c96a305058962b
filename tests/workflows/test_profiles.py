"""Course profiles in the workflow (SPEC §7): a project's timers follow the schedule of the profile it started
with, its whole lifecycle under NTNU's profile replays from a recorded history, and so does NTUST's recorded
before profiles existed (test_durability)."""

from __future__ import annotations

import json
import os
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from temporalio.client import Client, WorkflowHistory
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer

from clients.project import ProjectClient
from config.settings import Settings
from domain.commands import Withdraw
from domain.project import ProjectView
from domain.proposal import IndicatorClaim, Proposal
from domain.stages import Stage
from domain.vocabulary import Category, EvaluationResult, EvidenceKind, HourKind, Rank
from domain.work import ClosureReport, EvidenceInput, HoursInput
from tests.support.course import Course, photo, proposal, student_actor
from tests.support.mailbox import Mailbox, advance_to, kinds
from tests.support.mailsink import MailSink
from workers.main import SANDBOX, WORKFLOWS
from workflows.project import ProjectWorkflow, workflow_id

HISTORIES = Path(__file__).parent / "histories"
JUST_AFTER = timedelta(minutes=1)
COMPETENCY = "practical_engagement"


@pytest.fixture
def ntnu_course(client: Client, settings: Settings, engine: Engine, worker: None) -> Course:
    """The course's services, with projects started under NTNU's example profile."""
    return Course(ProjectClient(client, settings.model_copy(update={"course_profile": "ntnu"})), engine)


def ntnu_proposal() -> Proposal:
    return proposal(
        title="Homework corner at the Wenshan community centre",
        category=Category.PUBLIC_SERVICE,
        indicators=[IndicatorClaim(indicator=COMPETENCY, how="I turn up every week and see the plan through.")],
    )


async def test_invitation_lapses_on_the_profiles_day(
    ntnu_course: Course, temporal_env: WorkflowEnvironment, mail_sink: MailSink
) -> None:
    """R12 under NTNU's profile: the teacher is reminded on days 2 and 5 and the invitation lapses on day 10,
    not NTUST's 3, 7 and 14; the lapse mail says 10 days."""
    student_id = ntnu_course.add_student()
    project_id = await ntnu_course.submit(student_id, ntnu_proposal())
    await ntnu_course.approve(project_id)
    lecturer = ntnu_course.add_faculty(Rank.LECTURER)
    await ntnu_course.invite(project_id, student_id, lecturer)
    teacher = Mailbox(mail_sink, str(lecturer.email))
    await teacher.next("invitation")
    view = await ntnu_course.projects.view(project_id)
    assert view.invitation is not None
    start = view.invitation.invited_at

    await advance_to(temporal_env, start + timedelta(days=5) + JUST_AFTER)
    await teacher.wait_for(3)
    await advance_to(temporal_env, start + timedelta(days=10) + JUST_AFTER)
    view = await ntnu_course.projects.view(project_id)
    assert view.stage is Stage.NEEDS_SUPERVISOR
    reminded = [(e.action, e.detail, round((e.at - start) / timedelta(days=1), 2)) for e in view.audit[-3:]]
    assert reminded == [
        ("invitation_reminded", "day 2", 2.0),
        ("invitation_reminded", "day 5", 5.0),
        ("invitation_expired", lecturer.id, 10.0),
    ]
    assert kinds(teacher.received()) == ["invitation", "invitation_reminder", "invitation_reminder"]
    await ntnu_course.projects.act(project_id, ProjectWorkflow.withdraw, student_actor(student_id), Withdraw())


async def test_ntnu_lifecycle_history_replays(ntnu_course: Course, client: Client) -> None:
    """A project under NTNU's profile runs to PASSED (24 hours, reflection hours counted, two photos and two
    records, a note on its competency), and its history, fresh and as recorded, replays with today's code.

    Set PRAXIS_RECORD_HISTORIES=1 to record a fresh history into tests/workflows/histories/.
    """
    course = ntnu_course
    student_id = course.add_student()
    project_id = await course.submit(student_id, ntnu_proposal())
    await course.approve(project_id)
    lecturer = course.add_faculty(Rank.LECTURER)
    await course.invite(project_id, student_id, lecturer)
    await course.accept(project_id, lecturer)
    student = student_actor(student_id)
    for n, kind in enumerate((HourKind.EXECUTION, HourKind.REFLECTION)):
        day = date(2026, 9, 1) + timedelta(days=n)
        hours = HoursInput(date=day, hours=Decimal(12), kind=kind, description="Homework corner")
        await course.projects.act(project_id, ProjectWorkflow.log_hours, student, hours)
    for n, evidence_kind in enumerate(
        (EvidenceKind.PARTICIPATION, EvidenceKind.PARTICIPATION, EvidenceKind.REFLECTION)
    ):
        caption = f"At the homework corner, session {n + 1}; I am the one at the whiteboard on the right."
        evidence = EvidenceInput(kind=evidence_kind, caption=caption, blob=photo(200 + n))
        await course.projects.act(project_id, ProjectWorkflow.add_evidence, student, evidence)
    second = EvidenceInput(kind=EvidenceKind.REFLECTION, caption="Second reflection talk", blob=photo(299))
    await course.projects.act(project_id, ProjectWorkflow.add_evidence, student, second)
    report = ClosureReport(
        narrative="Ten weeks of homework help taught me to plan and keep going. " * 2,
        indicators={COMPETENCY: "I did not miss a week, even in exam time."},
    )
    await course.projects.act(project_id, ProjectWorkflow.submit_closure, student, report)
    passed = await course.evaluate(project_id, lecturer, EvaluationResult.PASS)
    assert passed.summary.stage is Stage.PASSED and passed.summary.counted_hours == 24

    handle = client.get_workflow_handle(workflow_id(project_id), result_type=ProjectView)
    final = await handle.result()
    assert (final.profile.name, final.required_hours) == ("ntnu", Decimal(24))
    assert final.credit is not None and final.credit.granted
    fresh = await handle.fetch_history()
    target = HISTORIES / "ntnu_lifecycle.json"
    if os.environ.get("PRAXIS_RECORD_HISTORIES") == "1":
        target.write_text(json.dumps(json.loads(fresh.to_json()), indent=1) + "\n")
    replayer = Replayer(workflows=WORKFLOWS, data_converter=client.data_converter, workflow_runner=SANDBOX)
    await replayer.replay_workflow(fresh)
    recorded = json.loads(target.read_text())
    await replayer.replay_workflow(WorkflowHistory.from_json("project-ntnu-recorded", recorded))
