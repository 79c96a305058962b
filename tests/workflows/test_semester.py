"""A semester walked under time skipping (R21, R23, R25): final-exam-week mails with each supervisor's
passing list (the PDF parsed, the CSV read), a calendar edited while the workflow waits, and a mailing
that fails part-way and resumes without mailing anyone twice.

The first test redefines `2026-fall` around the test server's clock: the credit ledger files a pass under
the calendar's semester containing it (R21), so passes made now belong to it.
"""

from __future__ import annotations

import csv
import io
import itertools
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage

import pytest
from pypdf import PdfReader
from sqlalchemy.engine import Engine
from temporalio.client import Client
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment

from activities.mail.sending import SmtpSender
from activities.passing_list import CSV_COLUMNS, SIGNATURE_LINE
from activities.semester import ExamWeekBatch, SemesterActivities
from clients.semester import schedule_open_semesters, schedule_semester
from config.settings import Settings
from domain.calendar import Semester, taipei_date
from domain.links import LinkAction, token_id_of
from domain.people import Faculty, Student
from domain.semesters import SemesterProgress
from domain.vocabulary import EvaluationResult
from store import directory, passing, tokens
from store.db import session
from tests.activities.support import text_of
from tests.support.course import Course, proposal
from tests.support.mailbox import Mailbox, advance_to
from tests.support.mailsink import MailSink
from workflows.semester import SemesterWorkflow, workflow_id

EXAM_WEEK = "Final exam week"
_ids = itertools.count(1)


def exam_week_mails(sink: MailSink, faculty: Faculty, semester_id: str) -> list[EmailMessage]:
    return [
        m
        for m in Mailbox(sink, str(faculty.email)).received()
        if EXAM_WEEK in str(m["Subject"]) and semester_id in str(m["Subject"])
    ]


def attachments(message: EmailMessage) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for part in message.iter_attachments():
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        found[part.get_content_type()] = payload
    return found


def save(engine: Engine, semester: Semester) -> Semester:
    with session(engine) as s:
        directory.upsert_semester(s, semester)
    return semester


async def to_evaluation(course: Course, faculty: Faculty, title: str) -> tuple[str, str]:
    """A project with its own title (mails and lists name projects by title), waiting for evaluation."""
    student_id = course.add_student()
    project_id = await course.submit(student_id, proposal(title))
    await course.approve(project_id)
    await course.invite(project_id, student_id, faculty)
    await course.accept(project_id, faculty)
    await course.log_hours(project_id, student_id)
    await course.add_evidence(project_id, student_id)
    await course.submit_closure(project_id, student_id)
    return project_id, student_id


async def passed(course: Course, faculty: Faculty, title: str, name: str | None = None) -> tuple[str, str]:
    project_id, student_id = await to_evaluation(course, faculty, title)
    if name is not None:
        with session(course.engine) as s:
            directory.upsert_student(
                s, Student(id=student_id, name=name, email=f"{student_id.lower()}@mail.example.edu")
            )
    await course.evaluate(project_id, faculty, EvaluationResult.PASS)
    return project_id, student_id


async def test_final_exam_week_mails_every_supervisor_their_passing_list(
    course: Course,
    client: Client,
    settings: Settings,
    engine: Engine,
    mail_sink: MailSink,
    temporal_env: WorkflowEnvironment,
) -> None:
    """R23: at the start of final exam week each supervisor with a student passed or pending this semester
    gets one mail: the passing list as a PDF (students, titles, pass dates, signature line, Office T4-832 and
    the end date) and as CSV, and their pending evaluations listed; a supervisor with neither gets none."""
    today = taipei_date(await temporal_env.get_current_time())
    semester = save(
        engine,
        Semester(
            id="2026-fall",
            starts_on=min(date(2026, 8, 1), today),
            final_exam_week_starts_on=today + timedelta(days=10),
            ends_on=today + timedelta(days=20),
        ),
    )
    await schedule_semester(client, settings, semester)
    both = course.add_faculty()
    first, first_student = await passed(course, both, "Reading club at Wanhua library", name="林美華")
    second, second_student = await passed(course, both, "Beach clean-up at Bali")
    waiting, _ = await to_evaluation(course, both, "Elderly care visits in Daan")
    only_pending = course.add_faculty()
    elsewhere, _ = await to_evaluation(course, only_pending, "Community garden in Beitou")
    neither = course.add_faculty()
    await course.to_in_progress(neither)
    await schedule_semester(client, settings, semester)  # the office saves the same dates again: harmless

    await advance_to(temporal_env, semester.final_exam_week_starts_at - timedelta(hours=1))
    assert exam_week_mails(mail_sink, both, semester.id) == []
    await advance_to(temporal_env, semester.final_exam_week_starts_at + timedelta(minutes=1))

    [mail] = exam_week_mails(mail_sink, both, semester.id)
    body = text_of(mail)
    assert "Elderly care visits in Daan" in body and "/v1/projects" not in body
    assert evaluation_link_in(engine, body, "Elderly care visits in Daan") == (waiting, both.id)
    files = attachments(mail)
    pdf = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(files["application/pdf"])).pages)
    for expected in (first_student, second_student, "林美華", "Reading club at Wanhua library", both.name):
        assert expected in pdf
    assert SIGNATURE_LINE in pdf and "Signature / 簽名" in pdf
    assert "Office T4-832" in pdf and semester.ends_on.isoformat() in pdf and semester.id in pdf
    assert "Elderly care" not in pdf, "pending evaluations are in the mail, not on the list to sign"
    rows = list(csv.DictReader(io.StringIO(files["text/csv"].decode("utf-8-sig"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [(r["student_id"], r["project_id"], r["passed_on"]) for r in rows] == sorted(
        [(first_student, first, today.isoformat()), (second_student, second, today.isoformat())]
    )

    [mail] = exam_week_mails(mail_sink, only_pending, semester.id)
    assert attachments(mail) == {}
    assert evaluation_link_in(engine, text_of(mail), "Community garden in Beitou") == (elsewhere, only_pending.id)
    assert exam_week_mails(mail_sink, neither, semester.id) == []

    # A pass during exam week joins this semester's list (the API serves it from the same store query).
    await course.evaluate(waiting, both, EvaluationResult.PASS)
    with session(engine) as s:
        found = passing.passing_list(s, semester.id, both.id)
    assert found is not None and len(found.students) == 3 and found.pending == []

    await advance_to(temporal_env, semester.ends_at + timedelta(minutes=1))
    progress = await client.get_workflow_handle(workflow_id(semester.id), result_type=SemesterProgress).result()
    assert progress.exam_week_finished_at is not None and progress.announced_end == semester.ends_at
    assert len(exam_week_mails(mail_sink, both, semester.id)) == 1


def evaluation_link_in(engine: Engine, body: str, title: str) -> tuple[str, str]:
    """Issue 12: the pending evaluation's line carries a signed link to the evaluation page (not the JSON API):
    the project and the teacher its stored claims name."""
    line = next(line for line in body.splitlines() if title in line)
    token = line.rsplit("/a/", 1)[1].strip()
    with session(engine) as s:
        claims = tokens.get_link(s, token_id_of(token))
    assert claims is not None and claims.action is LinkAction.EVALUATE and claims.used_at is None
    return claims.project_id, claims.subject_id


async def test_calendar_edited_after_start_mails_at_the_new_date_only(
    course: Course,
    client: Client,
    settings: Settings,
    engine: Engine,
    mail_sink: MailSink,
    temporal_env: WorkflowEnvironment,
) -> None:
    """R25/R23: the office moves final exam week later after the SemesterWorkflow started: its timer re-arms,
    and the supervisor is mailed at the new date, not the old one."""
    today = taipei_date(await temporal_env.get_current_time())
    semester = save(
        engine,
        Semester(
            id=f"{2300 + next(_ids)}-spring",
            starts_on=today,
            final_exam_week_starts_on=today + timedelta(days=5),
            ends_on=today + timedelta(days=30),
        ),
    )
    teacher = course.add_faculty()
    await to_evaluation(course, teacher, "Night market food-waste survey")
    await schedule_semester(client, settings, semester)
    moved = save(engine, semester.model_copy(update={"final_exam_week_starts_on": today + timedelta(days=9)}))
    await schedule_semester(client, settings, moved)

    await advance_to(temporal_env, semester.final_exam_week_starts_at + timedelta(hours=2))
    assert exam_week_mails(mail_sink, teacher, semester.id) == []
    handle = client.get_workflow_handle(workflow_id(semester.id), result_type=SemesterProgress)
    assert await handle.query(SemesterWorkflow.semester) == moved

    await advance_to(temporal_env, moved.final_exam_week_starts_at + timedelta(minutes=1))
    assert len(exam_week_mails(mail_sink, teacher, semester.id)) == 1


class FailingOnce:
    """An SMTP sender that refuses the `nth` mail once, as a worker dying mid-batch would leave it."""

    def __init__(self, settings: Settings, nth: int) -> None:
        self._smtp = SmtpSender(settings)
        self._calls = 0
        self._nth = nth

    async def send(self, message: EmailMessage) -> None:
        self._calls += 1
        if self._calls == self._nth:
            raise ConnectionError("connection lost")
        await self._smtp.send(message)


async def test_exam_week_batch_fails_part_way_and_the_retry_mails_nobody_twice(
    course: Course, client: Client, settings: Settings, engine: Engine, mail_sink: MailSink
) -> None:
    """R23: the mailing is resumable: a batch that fails after its first mail is retried by Temporal, and
    the outbox (`exam-week:<semester>:<faculty>`) keeps the first supervisor from a second mail."""
    semester = Semester(
        id=f"{2400 + next(_ids)}-fall",
        starts_on=date(2026, 9, 1),
        final_exam_week_starts_on=date(2027, 1, 11),
        ends_on=date(2027, 1, 31),
    )
    teachers = [course.add_faculty(), course.add_faculty()]
    work = SemesterActivities(settings, engine, sender=FailingOnce(settings, nth=2))
    batch = ExamWeekBatch(semester=semester, faculty_ids=[t.id for t in teachers])

    with pytest.raises(ApplicationError, match="not sent"):
        await ActivityEnvironment().run(work.send_exam_week_mails, batch)
    # A batch sends several mails at once, so which of the two was the second send is not fixed.
    assert sorted(len(exam_week_mails(mail_sink, t, semester.id)) for t in teachers) == [0, 1]
    await ActivityEnvironment().run(work.send_exam_week_mails, batch)
    await ActivityEnvironment().run(work.send_exam_week_mails, batch)

    assert [len(exam_week_mails(mail_sink, t, semester.id)) for t in teachers] == [1, 1]


async def test_worker_start_puts_every_open_semester_on_schedule(
    client: Client, settings: Settings, engine: Engine
) -> None:
    """R25: a semester entered while no worker ran gets its workflow when a worker starts; an ended one not."""
    today = datetime.now(UTC).date()
    upcoming = save(
        engine,
        Semester(
            id=f"{2500 + next(_ids)}-spring",
            starts_on=today,
            final_exam_week_starts_on=today + timedelta(days=40),
            ends_on=today + timedelta(days=60),
        ),
    )
    ended = save(
        engine,
        Semester(
            id=f"{1900 + next(_ids)}-spring",
            starts_on=date(2020, 2, 1),
            final_exam_week_starts_on=date(2020, 6, 20),
            ends_on=date(2020, 7, 1),
        ),
    )

    scheduled = await schedule_open_semesters(client, settings, engine)

    assert upcoming.id in scheduled and ended.id not in scheduled
    description = await client.get_workflow_handle(workflow_id(upcoming.id)).describe()
    assert description.id == workflow_id(upcoming.id)
