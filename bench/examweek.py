"""Part `examweek` (R23): final exam week mails to 1,000 supervisors, from the calendar PUT to the last mail.

Seeding: the teachers and their students go into the directory through the API (`PUT /v1/faculty`,
`PUT /v1/students`); each teacher's project is written straight into the read model and, for a pass,
the credit ledger, with `store.projects.save_project` and `store.credits.record_credit`, because those
rows are all the fan-out reads and driving 1,000 projects through hours, evidence and evaluation over
HTTP would take far longer than the fan-out itself. Even-numbered teachers have a student who passed in
the semester (their mail carries the PDF and CSV passing list), odd-numbered ones an evaluation pending.

Timed: from sending `PUT /v1/semesters/{id}` with final exam week already begun to the arrival of the
last teacher's mail at the SMTP sink. Then, after a short grace for late duplicates, every teacher must
have exactly one.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bench.portal import Portal
from bench.praxis import bounded
from bench.stack import Stack
from domain.calendar import default_semester_id, taipei_date
from domain.project import ProjectSummary
from domain.stages import Stage
from store import credits, projects
from store.db import make_engine, session

DUPLICATE_GRACE_SECONDS = 3.0


@dataclass(frozen=True)
class ExamWeekFigures:
    supervisors: int
    seed_seconds: float
    until_first_mail: float
    until_last_mail: float
    mails_per_second: float
    with_one: int
    with_none: int
    with_several: int

    def as_dict(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def _seed_projects(stack: Stack, semester_id: str, pairs: list[tuple[str, str]], run: str) -> None:
    now = datetime.now(UTC)
    engine = make_engine(stack.settings.db_url)
    with session(engine) as s:
        for n, (faculty_id, student_id) in enumerate(pairs):
            passed = n % 2 == 0
            summary = ProjectSummary(
                id=f"bench-exam-{run}-{n:05d}",
                student_id=student_id,
                semester_id=semester_id,
                stage=Stage.PASSED if passed else Stage.EVALUATION_PENDING,
                title="Reading club at Wanhua community library",
                category="external",
                priority="high",
                group_id=None,
                supervisor_id=faculty_id,
                invited_faculty_id=None,
                counted_hours=Decimal(36),
                created_at=now - timedelta(days=60),
                stage_since=now - timedelta(days=3),
                updated_at=now - timedelta(days=3),
                revision=1,
                credit_granted=True if passed else None,
            )
            projects.save_project(s, summary, [])
            if passed:
                credits.record_credit(s, student_id=student_id, project_id=summary.id, semester_id=semester_id, at=now)


async def run_exam_week(
    stack: Stack, portal: Portal, supervisors: int, concurrency: int, give_up_after: float
) -> ExamWeekFigures:
    run = uuid.uuid4().hex[:6]
    now = datetime.now(UTC)
    semester_id = default_semester_id(now)
    pairs = [(f"X{run}{n:05d}", f"Y{run}{n:05d}") for n in range(supervisors)]
    emails: dict[str, str] = {}

    async def seed_people(n: int) -> None:
        faculty_id, student_id = pairs[n]
        emails[faculty_id] = await portal.put_faculty(faculty_id)
        await portal.put_student(student_id)

    began = time.perf_counter()
    await bounded(supervisors, concurrency, seed_people)
    await asyncio.to_thread(_seed_projects, stack, semester_id, pairs, run)
    seed_seconds = time.perf_counter() - began
    print(f"    seeded {supervisors} supervisors in {seed_seconds:.1f} s; exam week starts now", flush=True)

    recipients = {email.lower() for email in emails.values()}
    today = taipei_date(now)
    sent = time.perf_counter()
    await portal.put_semester(
        semester_id, today - timedelta(days=100), today - timedelta(days=1), today + timedelta(days=6)
    )
    step = max(supervisors // 10, 1)
    reported = 0
    while len(reached := stack.sink.count_by_recipient(recipients)) < len(recipients):
        stack.ensure_running()
        if time.perf_counter() - sent > give_up_after:
            print(
                f"    timed out after {give_up_after:.0f} s with {len(reached)} of {len(recipients)} mailed", flush=True
            )
            break
        if len(reached) // step > reported:
            reported = len(reached) // step
            print(f"    {len(reached)}/{len(recipients)} mailed, {time.perf_counter() - sent:.0f} s", flush=True)
        await asyncio.sleep(0.2)
    await asyncio.sleep(DUPLICATE_GRACE_SECONDS)
    arrivals = stack.sink.arrivals_to(recipients)
    counts = stack.sink.count_by_recipient(recipients)
    first = min((at for at, _ in arrivals), default=sent) - sent
    last_by_recipient: dict[str, float] = {}
    for at, rcpt in arrivals:
        last_by_recipient.setdefault(rcpt, at)  # the first mail each recipient got
    last = max(last_by_recipient.values(), default=sent) - sent
    return ExamWeekFigures(
        supervisors=supervisors,
        seed_seconds=seed_seconds,
        until_first_mail=first,
        until_last_mail=last,
        mails_per_second=len(last_by_recipient) / last if last > 0 else 0.0,
        with_one=sum(1 for r in recipients if counts[r] == 1),
        with_none=sum(1 for r in recipients if counts[r] == 0),
        with_several=sum(1 for r in recipients if counts[r] > 1),
    )
