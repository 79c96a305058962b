"""Records the histories CI replays (tests/workflows/test_replay.py): every stage of a project
and every signal path, the group, the semester, the digest and a teacher's departure.

    .venv/bin/python -m tests.workflows.record_histories            # every scenario
    .venv/bin/python -m tests.workflows.record_histories semester   # only the named ones

It starts what the test session starts (a time-skipping Temporal test server with the search attributes,
an SMTP sink, a fresh SQLite database, a worker with today's code and the tests' fixed payload key) and writes
`tests/workflows/histories/<name>.json`, overwriting what is there. Record once, when a workflow gains a path
or a new history shape; never to make a failing replay pass: a history that no longer replays is a running
project that the change would break (docs/upgrades.md).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import sys
import tempfile
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from sqlalchemy.engine import Engine
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from clients.connect import data_converter
from clients.departure import announce_departure
from clients.group import GroupClient, new_group_id
from clients.project import ProjectClient
from clients.semester import schedule_semester
from config.settings import Settings
from domain.actors import Actor
from domain.calendar import Semester, taipei_date
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
    WithdrawItem,
)
from domain.digest import next_digest_at
from domain.groups import GroupProposal, ReviseGroup
from domain.leaving import SupervisorLeaving, SupervisorStaying
from domain.steering import ExtendDeadline, Reassign
from domain.vocabulary import Channel, EvaluationResult, EvidenceKind, HourKind, HourSource, ReviewDecision, Role
from domain.work import EvidenceInput, HoursInput
from store import directory
from store.db import make_engine, migrate, session
from tests.conftest import SEARCH_ATTRIBUTES, TEST_PAYLOAD_KEYS
from tests.support.course import CENTER, OSA, Course, faculty_actor, link, photo, proposal, student_actor, unique
from tests.support.mailbox import advance_to
from tests.support.mailsink import MailSink
from workers.main import build_worker
from workflows.departure import workflow_id as departure_id
from workflows.digest import DailyReviewDigestWorkflow, DigestRun
from workflows.group import GroupWorkflow
from workflows.group import workflow_id as group_workflow_id
from workflows.messages import Act
from workflows.project import ProjectWorkflow
from workflows.project import workflow_id as project_workflow_id
from workflows.semester import workflow_id as semester_workflow_id

HISTORIES = Path(__file__).parent / "histories"
BIN = Path(sys.executable).parent
SETTLE = 0.5  # real seconds for a signal's workflow task to run before the history is read


@dataclass
class Recorder:
    env: WorkflowEnvironment
    settings: Settings
    engine: Engine
    course: Course
    groups: GroupClient

    @property
    def client(self) -> Client:
        return self.env.client

    async def later(self, days: float) -> None:
        await advance_to(self.env, await self.env.get_current_time() + timedelta(days=days))

    async def signal(self, project_id: str, signal: Any, arg: object) -> None:
        """A signal as the Temporal UI, the directory or an emailed link sends it, then a moment to apply it."""
        await self.client.get_workflow_handle(project_workflow_id(project_id)).signal(signal, arg)
        await asyncio.sleep(SETTLE)

    async def withdraw(self, project_id: str, student_id: str) -> None:
        await self.course.projects.act(project_id, ProjectWorkflow.withdraw, student_actor(student_id), Withdraw())
        await self.client.get_workflow_handle(project_workflow_id(project_id)).result()

    async def finished(self, project_id: str) -> str:
        await self.client.get_workflow_handle(project_workflow_id(project_id)).result()
        return project_workflow_id(project_id)


Scenario = Callable[[Recorder], Awaitable[dict[str, str]]]


async def review_loop(r: Recorder) -> dict[str, str]:
    """PROPOSAL_REVIEW → CHANGES_REQUESTED → (revised) PROPOSAL_REVIEW → NEEDS_SUPERVISOR → WITHDRAWN, with an
    operator's note; and a proposal REJECTED."""
    c = r.course
    student_id = c.add_student()
    project_id = await c.submit(student_id)
    changes = Review(decision=ReviewDecision.REQUEST_CHANGES, comment="Say where and when you will read.")
    await c.projects.act(project_id, ProjectWorkflow.review, CENTER, changes)
    revised = ReviseProposal(proposal=proposal(plan="Tuesdays and Thursdays 16:00 at Wanhua library, 12 weeks."))
    await c.projects.act(project_id, ProjectWorkflow.revise_proposal, student_actor(student_id), revised)
    await r.signal(project_id, ProjectWorkflow.note, Note(text="Called the student about the new plan"))
    await c.approve(project_id)
    await r.withdraw(project_id, student_id)

    rejected = await c.submit(c.add_student())
    reject = Review(decision=ReviewDecision.REJECT, comment="Paid work is not social practice.")
    await c.projects.act(rejected, ProjectWorkflow.review, CENTER, reject)
    return {"review_loop_withdrawn": await r.finished(project_id), "proposal_rejected": await r.finished(rejected)}


async def invitations(r: Recorder) -> dict[str, str]:
    """SUPERVISOR_INVITED declined, cancelled, then reminded at 3 and 7 days and expired at 14 (back to
    NEEDS_SUPERVISOR); then accepted by an emailed link (a signal) → IN_PROGRESS; club hours verified by OSA in
    the portal and by link; an hours entry taken back; withdrawn."""
    c = r.course
    student_id = c.add_student()
    project_id = await c.submit(student_id)
    await c.approve(project_id)
    declining = c.add_faculty()
    await c.invite(project_id, student_id, declining)
    decline = InvitationResponse(accept=False, reason="On sabbatical")
    await c.projects.act(project_id, ProjectWorkflow.respond_invitation, faculty_actor(declining.id), decline)
    await c.invite(project_id, student_id, c.add_faculty())
    await c.projects.act(project_id, ProjectWorkflow.cancel_invitation, student_actor(student_id), CancelInvitation())
    await c.invite(project_id, student_id, c.add_faculty())
    await r.later(15)
    faculty = c.add_faculty()
    await c.invite(project_id, student_id, faculty)
    by_link = faculty_actor(faculty.id, Channel.EMAIL)
    await r.signal(
        project_id,
        ProjectWorkflow.respond_invitation_by_link,
        Act(actor=by_link, command=InvitationResponse(accept=True)),
    )
    entries = []
    for day in (2, 3):
        club = HoursInput(
            date=date(2026, 9, day),
            hours=Decimal(4),
            kind=HourKind.EXECUTION,
            description="Campus service club beach clean-up",
            source=HourSource.CAMPUS_CLUB,
        )
        outcome = await c.projects.act(project_id, ProjectWorkflow.log_hours, student_actor(student_id), club)
        assert outcome.created_id is not None
        entries.append(outcome.created_id)
    await c.projects.act(project_id, ProjectWorkflow.verify_hours, OSA, VerifyHours(entry_id=entries[0], verified=True))
    osa_link = Actor(id=OSA.id, role=Role.OSA, channel=Channel.EMAIL)
    verify = VerifyHours(entry_id=entries[1], verified=False, note="Not on the roster")
    await r.signal(project_id, ProjectWorkflow.verify_hours_by_link, Act(actor=osa_link, command=verify))
    mistake = HoursInput(date=date(2026, 9, 4), hours=Decimal(2), kind=HourKind.EXECUTION, description="Wrong day")
    logged = await c.projects.act(project_id, ProjectWorkflow.log_hours, student_actor(student_id), mistake)
    assert logged.created_id is not None
    take_back = WithdrawItem(item="hours", item_id=logged.created_id, reason="Logged twice")
    await c.projects.act(project_id, ProjectWorkflow.withdraw_item, student_actor(student_id), take_back)
    await r.withdraw(project_id, student_id)
    return {"invitations_expiry_and_links": await r.finished(project_id)}


async def revision_loop(r: Recorder) -> dict[str, str]:
    """EVALUATION_PENDING → REVISION_REQUESTED → resubmitted → FAILED."""
    c = r.course
    project_id, student_id, faculty = await c.to_evaluation()
    await c.evaluate(project_id, faculty, EvaluationResult.REVISE, "Say what the pupils learned.")
    await c.submit_closure(project_id, student_id)
    await c.evaluate(project_id, faculty, EvaluationResult.FAIL, "The hours were not with the pupils.")
    return {"revision_loop_failed": await r.finished(project_id)}


async def withdrawals(r: Recorder) -> dict[str, str]:
    """R16: an hours entry and a photo entered by mistake, withdrawn by the student (kept, uncounted), then the
    closure report and PASSED."""
    c = r.course
    project_id, student_id, faculty = await c.to_in_progress()
    student = student_actor(student_id)
    await c.log_hours(project_id, student_id)
    extra = HoursInput(date=date(2026, 9, 30), hours=Decimal(2), kind=HourKind.EXECUTION, description="Typo")
    logged = await c.projects.act(project_id, ProjectWorkflow.log_hours, student, extra)
    assert logged.created_id is not None
    mistake = WithdrawItem(item="hours", item_id=logged.created_id, reason="Entered twice")
    await c.projects.act(project_id, ProjectWorkflow.withdraw_item, student, mistake)
    wrong = EvidenceInput(kind=EvidenceKind.PARTICIPATION, caption="Not our session: wrong photo", blob=photo(7))
    added = await c.projects.act(project_id, ProjectWorkflow.add_evidence, student, wrong)
    assert added.created_id is not None
    await c.projects.act(
        project_id, ProjectWorkflow.withdraw_item, student, WithdrawItem(item="evidence", item_id=added.created_id)
    )
    await c.add_evidence(project_id, student_id)
    await c.submit_closure(project_id, student_id)
    await c.evaluate(project_id, faculty, EvaluationResult.PASS)
    return {"withdrawals_passed": await r.finished(project_id)}


async def evaluation_reminders(r: Recorder) -> dict[str, str]:
    """Evaluation reminders at 7, 14 and 21 days, the center told at 21, the student's own reminder request,
    then PASSED by an emailed link (a signal), with the credit."""
    c = r.course
    project_id, student_id, faculty = await c.to_evaluation()
    await r.later(22)
    await c.projects.act(project_id, ProjectWorkflow.request_reminder, student_actor(student_id), RequestReminder())
    by_link = faculty_actor(faculty.id, Channel.EMAIL)
    passed: Act[Evaluate] = Act(actor=by_link, command=Evaluate(result=EvaluationResult.PASS))
    await r.signal(project_id, ProjectWorkflow.evaluate_by_link, passed)
    return {"evaluation_reminders_passed": await r.finished(project_id)}


async def leaving(r: Recorder) -> dict[str, str]:
    """R22 by the directory: a teacher marked leaving (their DepartureWorkflow tells their open projects),
    the deadline extended by the center, the teacher staying after all; then leaving again, the deadline
    passing, a reassignment by signal and a pass by the successor."""
    c = r.course
    today = taipei_date(await r.env.get_current_time())
    semester = Semester(
        id=f"{2500 + int(uuid.uuid4().int % 400)}-fall",
        starts_on=today - timedelta(days=30),
        final_exam_week_starts_on=today + timedelta(days=20),
        ends_on=today + timedelta(days=30),
    )
    with session(r.engine) as s:
        directory.upsert_semester(s, semester)
    project_id, _, faculty = await c.to_evaluation()
    with session(r.engine) as s:
        directory.upsert_faculty(s, faculty.model_copy(update={"leaving_after": semester.id}))
    await announce_departure(r.client, r.engine, r.settings, faculty.id)
    departure = departure_id(faculty.id)
    await r.client.get_workflow_handle(departure).result()
    extended = ExtendDeadline(deadline=semester.ends_at + timedelta(days=14), reason="Exams abroad")
    await r.signal(project_id, ProjectWorkflow.extend_deadline, extended)
    await r.signal(project_id, ProjectWorkflow.supervisor_staying, SupervisorStaying(faculty_id=faculty.id))
    deadline = await r.env.get_current_time() + timedelta(days=2)
    news = SupervisorLeaving(faculty_id=faculty.id, semester_id=semester.id, deadline=deadline)
    await r.signal(project_id, ProjectWorkflow.supervisor_leaving, news)
    await r.later(3)
    successor = c.add_faculty()
    await r.signal(project_id, ProjectWorkflow.reassign_supervisor, Reassign(faculty=successor, reason="Handover"))
    await c.evaluate(project_id, successor, EvaluationResult.PASS)
    return {"leaving_extended_reassigned": await r.finished(project_id), "departure": departure}


async def deadline_extension(r: Recorder) -> dict[str, str]:
    """R22 from the portal: a leaving teacher's deadline extended by the center's `extend_deadline` update (the
    operators' signal of that name is in `leaving`), then the teacher passes the report in time."""
    c = r.course
    today = taipei_date(await r.env.get_current_time())
    semester = Semester(
        id=f"{2500 + int(uuid.uuid4().int % 400)}-fall",
        starts_on=today - timedelta(days=30),
        final_exam_week_starts_on=today + timedelta(days=20),
        ends_on=today + timedelta(days=30),
    )
    with session(r.engine) as s:
        directory.upsert_semester(s, semester)
    project_id, _, faculty = await c.to_evaluation()
    with session(r.engine) as s:
        directory.upsert_faculty(s, faculty.model_copy(update={"leaving_after": semester.id}))
    await announce_departure(r.client, r.engine, r.settings, faculty.id)
    await r.client.get_workflow_handle(departure_id(faculty.id)).result()
    extended = ExtendDeadline(deadline=semester.ends_at + timedelta(days=10), reason="Teaches until March")
    await c.projects.act(project_id, ProjectWorkflow.extend, CENTER, extended)
    await c.evaluate(project_id, faculty, EvaluationResult.PASS)
    return {"leaving_extended_by_center": await r.finished(project_id)}


async def group(r: Recorder) -> dict[str, str]:
    """R9: a group proposal with changes requested, revised, approved; each member's linked project starts
    approved (NEEDS_SUPERVISOR); the group closes once all linked. Another group withdrawn before review."""
    c = r.course
    members = [c.add_student() for _ in range(2)]
    group_id = new_group_id(members[0], unique("gkey"))
    fields = {**proposal("Beach clean-up at Fulong").model_dump(exclude={"group_id"}), "members": members}
    await r.groups.start(group_id=group_id, applicant=student_actor(members[0]), proposal=GroupProposal(**fields))
    changes = Review(decision=ReviewDecision.REQUEST_CHANGES, comment="Name the beach section.")
    await r.groups.act(group_id, GroupWorkflow.review, CENTER, changes)
    revised = GroupProposal(**{**fields, "plan": "Fulong north beach, every other Saturday, with the township."})
    await r.groups.act(group_id, GroupWorkflow.revise, student_actor(members[0]), ReviseGroup(proposal=revised))
    await r.groups.act(group_id, GroupWorkflow.review, CENTER, Review(decision=ReviewDecision.APPROVE))
    linked = [await link(r.groups, r.engine, group_id, member, f"k-{member}") for member in members]
    await r.client.get_workflow_handle(group_workflow_id(group_id)).result()
    # The linked projects stay open: the time-skipping test server stops skipping time once a child workflow
    # (these are the group's, abandoned when it closed) completes after its parent, which a real server does not.
    await r.signal(linked[0], ProjectWorkflow.note, Note(text="Linked by the group's second member too"))
    other = [c.add_student() for _ in range(2)]
    withdrawn = new_group_id(other[0], unique("gkey"))
    fields = {**fields, "members": other}
    await r.groups.start(group_id=withdrawn, applicant=student_actor(other[0]), proposal=GroupProposal(**fields))
    await r.groups.act(withdrawn, GroupWorkflow.withdraw, student_actor(other[0]), Withdraw())
    await r.client.get_workflow_handle(group_workflow_id(withdrawn)).result()
    return {
        "group": group_workflow_id(group_id),
        "group_linked_project": project_workflow_id(linked[0]),
        "group_withdrawn": group_workflow_id(withdrawn),
    }


async def group_linked_plan(r: Recorder) -> dict[str, str]:
    """R9 under the `r9-linked-plan-review` marker: one member's linked proposal keeps the group's plan and
    starts approved, the other's has a plan of its own and goes to review; the group then closes."""
    members = [r.course.add_student() for _ in range(2)]
    group_id = new_group_id(members[0], unique("gkey"))
    fields = {**proposal("Beach clean-up at Fulong").model_dump(exclude={"group_id"}), "members": members}
    await r.groups.start(group_id=group_id, applicant=student_actor(members[0]), proposal=GroupProposal(**fields))
    await r.groups.act(group_id, GroupWorkflow.review, CENTER, Review(decision=ReviewDecision.APPROVE))
    await link(r.groups, r.engine, group_id, members[0], "k-same")
    own = proposal("My part: the sorting station", plan="I sort and weigh what we collect, every month.")
    await link(r.groups, r.engine, group_id, members[1], "k-own", own)
    await r.client.get_workflow_handle(group_workflow_id(group_id)).result()
    return {"group_linked_plan": group_workflow_id(group_id)}


async def semester(r: Recorder) -> dict[str, str]:
    """R23/R25: a semester's calendar moved after its workflow started; final exam week mails the supervisor
    with a project pending; the semester ends."""
    c = r.course
    today = taipei_date(await r.env.get_current_time())
    first = Semester(
        id=f"{2900 + int(uuid.uuid4().int % 90)}-spring",
        starts_on=today,
        final_exam_week_starts_on=today + timedelta(days=5),
        ends_on=today + timedelta(days=12),
    )
    with session(r.engine) as s:
        directory.upsert_semester(s, first)
    project_id, student_id, _ = await c.to_evaluation()
    await schedule_semester(r.client, r.settings, first)
    moved = first.model_copy(update={"final_exam_week_starts_on": today + timedelta(days=7)})
    with session(r.engine) as s:
        directory.upsert_semester(s, moved)
    await schedule_semester(r.client, r.settings, moved)
    await r.later(13)
    handle = r.client.get_workflow_handle(semester_workflow_id(first.id))
    await handle.result()
    await r.withdraw(project_id, student_id)
    return {"semester": semester_workflow_id(first.id)}


async def digest(r: Recorder) -> dict[str, str]:
    """R8: one morning's run of the review digest, as the `review-digest` schedule starts it, mails the center
    the proposals waiting 3+ days. (`review_digest.json` is the retired long-lived ReviewDigestWorkflow,
    recorded before the schedule replaced it: kept, never re-recorded, while a run of it may be open.)"""
    c = r.course
    await c.submit(c.add_student())
    await r.later(4)
    await advance_to(r.env, next_digest_at(await r.env.get_current_time()) + timedelta(minutes=1))
    with r.env.auto_time_skipping_disabled():  # the projects' timers stay put while the run is awaited
        handle = await r.client.start_workflow(
            DailyReviewDigestWorkflow.run, DigestRun(), id="review-digest-run", task_queue=r.settings.task_queue
        )
        await handle.result()
    return {"review_digest_run": handle.id}


# The semester first: its exam week mails every supervisor with a passing or pending student, and the fewer
# earlier scenarios have made, the sooner its passing lists are rendered.
SCENARIOS: dict[str, Scenario] = {
    "semester": semester,
    "review_loop": review_loop,
    "invitations": invitations,
    "revision_loop": revision_loop,
    "evaluation_reminders": evaluation_reminders,
    "withdrawals": withdrawals,
    "leaving": leaving,
    "deadline_extension": deadline_extension,
    "group": group,
    "group_linked_plan": group_linked_plan,
    "digest": digest,
}


async def write(client: Client, name: str, workflow_id: str) -> Path:
    """The latest run's history, in the JSON the Temporal CLI and UI export."""
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    target = HISTORIES / f"{name}.json"
    target.write_text(json.dumps(json.loads(history.to_json()), indent=1) + "\n")
    return target


async def record(names: list[str]) -> list[Path]:
    sink = MailSink()
    sink.start()
    var = Path(tempfile.mkdtemp(prefix="praxis-histories-"))
    settings = Settings(
        env="test",
        var_dir=var,
        database_url=f"sqlite:///{var / 'praxis.db'}",
        smtp_port=sink.port,
        task_queue="praxis-histories",
        payload_keys=SecretStr(TEST_PAYLOAD_KEYS),
    )
    migrate(settings.db_url)
    engine = make_engine(settings.db_url)
    test_server = shutil.which("temporal-test-server", path=str(BIN)) or "temporal-test-server"
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=data_converter(settings), test_server_existing_path=test_server
    )
    written: list[Path] = []
    try:
        await env.client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(
                namespace=env.client.namespace,
                search_attributes={key.name: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD for key in SEARCH_ATTRIBUTES},
            )
        )
        recorder = Recorder(
            env,
            settings,
            engine,
            Course(ProjectClient(env.client, settings), engine),
            GroupClient(env.client, settings),
        )
        async with build_worker(env.client, settings, engine):
            for name in names:
                for history, workflow_id in (await SCENARIOS[name](recorder)).items():
                    written.append(await write(env.client, history, workflow_id))
                    print(f"{name}: {written[-1].relative_to(Path.cwd())}")
    finally:
        await env.shutdown()
        sink.stop()
        engine.dispose()
        shutil.rmtree(var, ignore_errors=True)
    return written


def main() -> None:
    names = sys.argv[1:] or list(SCENARIOS)
    unknown = set(names) - set(SCENARIOS)
    if unknown:
        raise SystemExit(f"unknown scenarios {sorted(unknown)}; known: {', '.join(SCENARIOS)}")
    asyncio.run(record(names))


if __name__ == "__main__":
    main()
