"""ProjectWorkflow end to end under the time-skipping test server: every stage of SPEC §3, every refusal."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from clients.project import ProjectClient
from domain.commands import (
    CancelInvitation,
    Evaluate,
    InvitationResponse,
    Note,
    RequestReminder,
    Review,
    ReviseProposal,
    VerifyHours,
    Withdraw,
)
from domain.errors import Code, RuleViolation
from domain.project import ProjectView
from domain.stages import Stage
from domain.vocabulary import Channel, EvaluationResult, HourKind, HourSource, Rank, ReviewDecision
from domain.work import HoursInput
from store import credits
from store import projects as project_store
from store.db import session
from tests.support.course import CENTER, OSA, Course, faculty_actor, proposal, student_actor
from workflows.messages import Act
from workflows.project import ProjectWorkflow, workflow_id

# A full lifecycle (submit .. pass, 36 h in 5 entries, 4 evidence items) stays below this many events.
FULL_LIFECYCLE_EVENT_BOUND = 100


async def refused(coro: object) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        await coro  # type: ignore[misc]
    return caught.value


async def eventually(projects: ProjectClient, project_id: str, predicate: Callable[[ProjectView], bool]) -> ProjectView:
    """The view once the workflow's own background work (activities) has caught up."""
    async with asyncio.timeout(10):
        while not predicate(view := await projects.view(project_id)):
            await asyncio.sleep(0.05)
    return view


async def history_length(client: Client, project_id: str) -> int:
    history = await client.get_workflow_handle(workflow_id(project_id)).fetch_history()
    return len(history.events)


async def test_full_lifecycle_passes_with_credit(
    course: Course, projects: ProjectClient, engine: Engine, client: Client
) -> None:
    """R1-R21: proposal, review, supervision, hours, evidence, closure, pass; credit recorded once (R2)."""
    project_id, student_id, faculty = await course.to_evaluation()
    outcome = await course.evaluate(project_id, faculty, EvaluationResult.PASS)

    assert outcome.summary.stage is Stage.PASSED
    assert outcome.credit is not None and outcome.credit.granted
    assert outcome.credit.semester_id == "2026-fall" or outcome.credit.semester_id.endswith(("-fall", "-spring"))
    final = await client.get_workflow_handle(workflow_id(project_id), result_type=ProjectView).result()
    assert final.stage is Stage.PASSED
    with session(engine) as s:
        row = project_store.get_project(s, project_id)
        ledger = credits.credit_of(s, student_id)
    assert row is not None and row.stage is Stage.PASSED and row.credit_granted is True
    assert ledger is not None and ledger.granted
    actions = [entry.action for entry in final.audit if entry.action != "standing_checked"]
    assert actions[:4] == ["proposal_submitted", "proposal_approve", "supervisor_invited", "supervision_accepted"]
    assert actions[-2:] == ["evaluation_pass", "credit_recorded"]
    assert await history_length(client, project_id) <= FULL_LIFECYCLE_EVENT_BOUND


async def test_refusal_leaves_no_trace_in_history(course: Course, projects: ProjectClient, client: Client) -> None:
    """A refused update is rejected by its validator and writes nothing to history (SPEC §4, STYLE)."""
    student_id = course.add_student()
    project_id = await course.submit(student_id)
    violation = await refused(
        projects.act(
            project_id, ProjectWorkflow.review, student_actor(student_id), Review(decision=ReviewDecision.APPROVE)
        )
    )
    assert violation.code is Code.FORBIDDEN
    violation = await refused(course.invite(project_id, student_id, course.add_faculty()))
    assert violation.code is Code.INVALID_STAGE
    await course.approve(project_id)
    history = await client.get_workflow_handle(workflow_id(project_id)).fetch_history()
    accepted = [e for e in history.events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED]
    assert len(accepted) == 1, "only the center's approval may appear in history"


async def test_changes_requested_then_revised_then_approved(course: Course, projects: ProjectClient) -> None:
    """R8: request_changes sends the proposal back; the revision returns to review and can be approved."""
    student_id = course.add_student()
    project_id = await course.submit(student_id)
    review = Review(decision=ReviewDecision.REQUEST_CHANGES, comment="Say where and how often.")
    outcome = await projects.act(project_id, ProjectWorkflow.review, CENTER, review)
    assert outcome.summary.stage is Stage.CHANGES_REQUESTED
    revised = ReviseProposal(proposal=proposal(plan="Every Tuesday and Thursday at Wanhua library, 2 hours each."))
    outcome = await projects.act(project_id, ProjectWorkflow.revise_proposal, student_actor(student_id), revised)
    assert outcome.summary.stage is Stage.PROPOSAL_REVIEW
    assert (await course.projects.view(project_id)).proposal.plan.startswith("Every Tuesday")
    outcome = await course.approve(project_id)
    assert outcome.summary.stage is Stage.NEEDS_SUPERVISOR
    assert [r.proposal_version for r in (await course.projects.view(project_id)).reviews] == [1, 2]


async def test_rejected_proposal_is_final(course: Course, projects: ProjectClient, client: Client) -> None:
    """R8/§3: a rejected proposal ends the project; later actions are refused as INVALID_STAGE."""
    student_id = course.add_student()
    project_id = await course.submit(student_id)
    review = Review(decision=ReviewDecision.REJECT, comment="Not a social practice activity.")
    outcome = await projects.act(project_id, ProjectWorkflow.review, CENTER, review)
    assert outcome.summary.stage is Stage.REJECTED
    handle = client.get_workflow_handle(workflow_id(project_id))
    await handle.result()
    assert (await handle.describe()).status is WorkflowExecutionStatus.COMPLETED
    violation = await refused(course.approve(project_id))
    assert violation.code is Code.INVALID_STAGE
    assert (await projects.view(project_id)).stage is Stage.REJECTED


async def test_supervisor_eligibility(course: Course) -> None:
    """R10: staff can never supervise; a lecturer is refused too; an adjunct assistant professor may."""
    student_id = course.add_student()
    project_id = await course.submit(student_id)
    await course.approve(project_id)
    for rank in (Rank.STAFF, Rank.LECTURER):
        violation = await refused(course.invite(project_id, student_id, course.add_faculty(rank)))
        assert violation.code is Code.SUPERVISOR_NOT_ELIGIBLE
    outcome = await course.invite(project_id, student_id, course.add_faculty(Rank.ADJUNCT_ASSISTANT_PROFESSOR))
    assert outcome.summary.stage is Stage.SUPERVISOR_INVITED


async def test_invitation_declined_cancelled_and_reinvited(course: Course, projects: ProjectClient) -> None:
    """R11/R12: one invitation at a time; decline and cancel free the slot; a leaving teacher warns (R13)."""
    student_id = course.add_student()
    project_id = await course.submit(student_id)
    await course.approve(project_id)
    first = course.add_faculty()
    await course.invite(project_id, student_id, first)
    violation = await refused(course.invite(project_id, student_id, course.add_faculty()))
    assert violation.code is Code.INVALID_STAGE
    decline = InvitationResponse(accept=False, reason="On sabbatical")
    outcome = await projects.act(project_id, ProjectWorkflow.respond_invitation, faculty_actor(first.id), decline)
    assert outcome.summary.stage is Stage.NEEDS_SUPERVISOR
    leaving = course.add_faculty(leaving_after="2026-fall")
    outcome = await course.invite(project_id, student_id, leaving)
    assert outcome.warning is not None and "2026-fall" in outcome.warning
    outcome = await projects.act(
        project_id, ProjectWorkflow.cancel_invitation, student_actor(student_id), CancelInvitation()
    )
    assert outcome.summary.stage is Stage.NEEDS_SUPERVISOR
    assert (await course.projects.view(project_id)).invitation is None
    violation = await refused(course.accept(project_id, leaving))
    assert violation.code is Code.NOT_FOUND  # no longer invited: not told the project exists (SPEC §4)


async def test_only_the_invited_teacher_answers(course: Course) -> None:
    """R11, SPEC §4: another teacher cannot accept an invitation meant for someone else; not attached to the
    project, they are not told it exists."""
    student_id = course.add_student()
    project_id = await course.submit(student_id)
    await course.approve(project_id)
    await course.invite(project_id, student_id, course.add_faculty())
    violation = await refused(course.accept(project_id, course.add_faculty()))
    assert violation.code is Code.NOT_FOUND


async def test_closure_refusal_names_every_missing_item(course: Course, projects: ProjectClient) -> None:
    """R18: with nothing done, the refusal lists the supervisor, hours, photos and reflection record."""
    student_id = course.add_student()
    project_id = await course.submit(student_id)
    await course.approve(project_id)
    violation = await refused(
        projects.act(project_id, ProjectWorkflow.submit_closure, student_actor(student_id), course.report())
    )
    assert {p.code for p in violation.problems} == {
        Code.SUPERVISOR_NOT_CONFIRMED,
        Code.HOURS_BELOW_MINIMUM,
        Code.PHOTOS_MISSING,
        Code.REFLECTION_RECORD_MISSING,
    }


async def test_club_hours_count_once_verified(course: Course, projects: ProjectClient) -> None:
    """R15: on-campus club hours count only after the Office of Student Affairs verifies them."""
    project_id, student_id, _ = await course.to_in_progress()
    club = HoursInput(
        date=date(2026, 9, 2),
        hours=Decimal(6),
        kind=HourKind.EXECUTION,
        description="Campus service club beach clean-up",
        source=HourSource.CAMPUS_CLUB,
    )
    outcome = await projects.act(project_id, ProjectWorkflow.log_hours, student_actor(student_id), club)
    assert outcome.created_id is not None and outcome.summary.counted_hours == 0
    violation = await refused(
        projects.act(
            project_id,
            ProjectWorkflow.verify_hours,
            student_actor(student_id),
            VerifyHours(entry_id=outcome.created_id, verified=True),
        )
    )
    assert violation.code is Code.FORBIDDEN
    verify = VerifyHours(entry_id=outcome.created_id, verified=True, note="Club roster checked")
    outcome = await projects.act(project_id, ProjectWorkflow.verify_hours, OSA, verify)
    assert outcome.summary.counted_hours == 6


async def test_revise_then_fail(course: Course, projects: ProjectClient) -> None:
    """R19: revise returns the report with feedback; the student resubmits; fail is final and needs feedback."""
    project_id, student_id, faculty = await course.to_evaluation()
    outcome = await course.evaluate(project_id, faculty, EvaluationResult.REVISE, "Describe the pupils' progress.")
    assert outcome.summary.stage is Stage.REVISION_REQUESTED
    outcome = await course.submit_closure(project_id, student_id)
    assert outcome.summary.stage is Stage.EVALUATION_PENDING
    submission = (await course.projects.view(project_id)).submission
    assert submission is not None and submission.seq == 2
    violation = await refused(course.evaluate(project_id, course.add_faculty(), EvaluationResult.PASS))
    assert violation.code is Code.NOT_FOUND  # another teacher: not told the project exists (SPEC §4)
    outcome = await course.evaluate(
        project_id, faculty, EvaluationResult.FAIL, "The project did not happen as described."
    )
    assert outcome.summary.stage is Stage.FAILED and outcome.credit is None


async def test_second_pass_of_same_student_gets_no_credit(course: Course, projects: ProjectClient) -> None:
    """R2: the credit is granted once per student; a second passing project ends PASSED without credit, saying why."""
    faculty = course.add_faculty()
    project_id, student_id, _ = await course.to_evaluation(faculty)
    await course.evaluate(project_id, faculty, EvaluationResult.PASS)
    second = await course.submit(student_id, proposal("Beach clean-up at Bali, New Taipei"))
    assert (await projects.view(second)).stage is Stage.PROPOSAL_REVIEW
    await course.approve(second)
    await course.invite(second, student_id, faculty)
    await course.accept(second, faculty)
    await course.log_hours(second, student_id)
    await course.add_evidence(second, student_id)
    await course.submit_closure(second, student_id)
    outcome = await course.evaluate(second, faculty, EvaluationResult.PASS)
    assert outcome.summary.stage is Stage.PASSED
    assert outcome.credit is not None and not outcome.credit.granted
    assert outcome.credit.reason is not None and project_id in outcome.credit.reason


async def test_exempt_student_may_still_run_a_project(course: Course, projects: ProjectClient) -> None:
    """R3: a student with internship credit is exempt; the project runs and its view shows the exemption."""
    student_id = course.add_student(internship_credit=True)
    project_id = await course.submit(student_id)
    await course.approve(project_id)
    view = await eventually(projects, project_id, lambda v: any(e.action == "standing_checked" for e in v.audit))
    assert view.exempt and view.stage is Stage.NEEDS_SUPERVISOR
    assert "exempt" in next(e.detail for e in view.audit if e.action == "standing_checked")


async def test_withdraw_before_credit(course: Course, projects: ProjectClient) -> None:
    """R24: a student may withdraw before credit; a withdrawn project refuses further actions."""
    project_id, student_id, _ = await course.to_in_progress()
    outcome = await projects.act(
        project_id, ProjectWorkflow.withdraw, student_actor(student_id), Withdraw(reason="Moved abroad")
    )
    assert outcome.summary.stage is Stage.WITHDRAWN
    assert outcome.audit[-1].action == "withdrawn" and outcome.audit[-1].actor_id == student_id
    violation = await refused(projects.act(project_id, ProjectWorkflow.withdraw, student_actor(student_id), Withdraw()))
    assert violation.code is Code.INVALID_STAGE


async def test_retried_update_acts_once(course: Course, projects: ProjectClient) -> None:
    """SPEC §4 Idempotency-Key: the same key is the same update; logging hours twice with it adds one entry."""
    project_id, student_id, _ = await course.to_in_progress()
    entry = HoursInput(date=date(2026, 9, 3), hours=Decimal(2), kind=HourKind.EXECUTION, description="Reading")
    first = await projects.act(
        project_id, ProjectWorkflow.log_hours, student_actor(student_id), entry, key="retry-key-1"
    )
    second = await projects.act(
        project_id, ProjectWorkflow.log_hours, student_actor(student_id), entry, key="retry-key-1"
    )
    assert first.created_id == second.created_id
    assert len((await projects.view(project_id)).hours) == 1


async def test_reminder_request_is_rate_limited(
    course: Course, projects: ProjectClient, temporal_env: WorkflowEnvironment
) -> None:
    """R20: the student may ask for a reminder at most once every 3 days."""
    project_id, student_id, _ = await course.to_evaluation()
    await projects.act(project_id, ProjectWorkflow.request_reminder, student_actor(student_id), RequestReminder())
    violation = await refused(
        projects.act(project_id, ProjectWorkflow.request_reminder, student_actor(student_id), RequestReminder())
    )
    assert violation.code is Code.RATE_LIMITED and violation.retry_after is not None
    await temporal_env.sleep(timedelta(days=3, minutes=1))
    outcome = await projects.act(
        project_id, ProjectWorkflow.request_reminder, student_actor(student_id), RequestReminder()
    )
    assert outcome.audit[-1].action == "reminder_requested"


async def test_operator_note_reaches_the_audit_trail(course: Course, projects: ProjectClient, client: Client) -> None:
    """R24: an operator's signal from the Temporal UI is kept in the audit trail with its channel."""
    student_id = course.add_student()
    project_id = await course.submit(student_id)
    await client.get_workflow_handle(workflow_id(project_id)).signal(
        ProjectWorkflow.note, Note(text="Called the student")
    )
    await course.approve(project_id)
    view = await projects.view(project_id)
    note = next(e for e in view.audit if e.action == "operator_note")
    assert note.channel.value == "temporal_ui" and note.detail == "Called the student"


async def test_link_clicks_sent_as_signals_apply_the_same_rules(
    course: Course, projects: ProjectClient, client: Client
) -> None:
    """A click on an emailed link while no worker answers is kept as a signal, applied once a worker runs:
    the same rules hold, and a click that is no longer valid is recorded as refused, never lost."""
    student_id = course.add_student()
    project_id = await course.submit(student_id)
    await course.approve(project_id)
    faculty = course.add_faculty()
    await course.invite(project_id, student_id, faculty)
    handle = client.get_workflow_handle(workflow_id(project_id))
    email = faculty_actor(faculty.id, Channel.EMAIL)
    await handle.signal(
        ProjectWorkflow.respond_invitation_by_link, Act(actor=email, command=InvitationResponse(accept=True))
    )
    await handle.signal(
        ProjectWorkflow.respond_invitation_by_link, Act(actor=email, command=InvitationResponse(accept=False))
    )
    view = await eventually(projects, project_id, lambda v: any(e.action == "link_action_refused" for e in v.audit))
    assert view.stage is Stage.IN_PROGRESS
    assert view.supervisor is not None and view.supervisor.faculty.id == faculty.id
    accepted = next(e for e in view.audit if e.action == "supervision_accepted")
    assert accepted.channel is Channel.EMAIL
    await course.log_hours(project_id, student_id)
    await course.add_evidence(project_id, student_id)
    await course.submit_closure(project_id, student_id)
    passed: Act[Evaluate] = Act(actor=email, command=Evaluate(result=EvaluationResult.PASS))
    await handle.signal(ProjectWorkflow.evaluate_by_link, passed)
    final = await client.get_workflow_handle(workflow_id(project_id), result_type=ProjectView).result()
    assert final.stage is Stage.PASSED and final.credit is not None and final.credit.granted
