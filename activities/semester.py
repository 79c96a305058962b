"""What a semester's workflow asks of the world (R23, R25).

- Final exam week (R23): one mail to every supervisor with a student passed or an evaluation pending,
  with their passing list attached as PDF and CSV (`activities.passing_list`) and their pending
  evaluations listed. The workflow hands over a bounded batch of supervisors per call; every mail goes
  through the outbox as `exam-week:<semester>:<faculty>`, so a retried batch, a resumed workflow or a
  semester scheduled twice never mails anyone twice.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from email.message import EmailMessage
from functools import partial
from typing import Any

import structlog
from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlmodel import Session
from temporalio import activity

from activities.drawing import PdfDrawer
from activities.mail.links import evaluation_link, project_url
from activities.mail.outbox import Outbox, OutboxMail
from activities.mail.rendering import render_mail
from activities.mail.sending import MailSender, SmtpSender, build_message, mail_language, person_recipient
from activities.passing_list import CSV_ENCODING, passing_list_csv, passing_list_filename
from config.settings import Settings
from domain.calendar import TAIPEI, Semester
from domain.passing import PassingList
from store import outbox, passing
from store.db import session

log = structlog.get_logger(__name__)

TEMPLATE = "exam_week"
SENDING_AT_ONCE = 8  # mails of a batch in flight at once: SMTP round trips overlap the PDFs being drawn


class SemesterRef(BaseModel):
    semester_id: str


class Supervisors(BaseModel):
    faculty_ids: list[str]


class ExamWeekBatch(BaseModel):
    """A bounded slice of the supervisors to mail; the semester as the workflow knows it (latest dates)."""

    semester: Semester
    faculty_ids: list[str]


class BatchSent(BaseModel):
    handled: int


def exam_week_key(semester_id: str, faculty_id: str) -> str:
    return f"exam-week:{semester_id}:{faculty_id}"


def _en_day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _zh_day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


class SemesterActivities:
    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        sender: MailSender | None = None,
        drawer: PdfDrawer | None = None,
    ) -> None:
        self._settings = settings
        self._engine = engine
        self._outbox = Outbox(engine, sender or SmtpSender(settings))
        self._drawer = drawer or PdfDrawer(settings.pdf_processes)

    # --- R23: final exam week ------------------------------------------------------------------------

    @activity.defn
    async def exam_week_supervisors(self, request: SemesterRef) -> Supervisors:
        """Every supervisor with a student passed in the semester or an evaluation pending, by id."""
        return Supervisors(faculty_ids=await asyncio.to_thread(self._supervisors, request.semester_id))

    def _supervisors(self, semester_id: str) -> list[str]:
        with session(self._engine) as s:
            return passing.supervisors_with_students(s, semester_id)

    @activity.defn
    async def send_exam_week_mails(self, batch: ExamWeekBatch) -> BatchSent:
        """One mail per supervisor of the batch, each at most once (outbox key `exam-week:<sem>:<faculty>`).

        Several at a time, so one mail's SMTP round trip overlaps the next one's PDF; a failed one fails the
        batch once every other has had its try, and the retry sends only what the outbox still owes.
        """
        gate = asyncio.Semaphore(SENDING_AT_ONCE)

        async def send(faculty_id: str) -> None:
            key = exam_week_key(batch.semester.id, faculty_id)
            mail = OutboxMail(
                key=key,
                project_id="",
                template=TEMPLATE,
                description=f"final-exam-week mail {key}",
                log_context={"template": TEMPLATE, "semester_id": batch.semester.id, "faculty_id": faculty_id},
            )
            async with gate:
                await self._outbox.send_once(mail, partial(self._prepare, batch.semester, faculty_id, key))
            activity.heartbeat(faculty_id)

        failures = [
            result
            for result in await asyncio.gather(*(send(f) for f in batch.faculty_ids), return_exceptions=True)
            if isinstance(result, BaseException)
        ]
        if failures:
            raise failures[0]
        return BatchSent(handled=len(batch.faculty_ids))

    def _prepare(
        self, semester: Semester, faculty_id: str, key: str, _token_id: str | None, now: datetime
    ) -> EmailMessage | None:
        with session(self._engine) as s:
            found = passing.passing_list(s, semester, faculty_id)
            if found is None:
                reason = f"no faculty {faculty_id} to send to (not in the directory)"
                outbox.mark_undeliverable(s, key, reason)
                log.warning("mail undeliverable", key=key, reason=reason)
                return None
            variables = self._variables(s, found, now)
        settings = self._settings
        recipient = person_recipient(found.faculty)
        content = render_mail(
            TEMPLATE,
            variables,
            language=mail_language(settings, recipient),  # issue 4: the teacher's own, if they chose one
            center_email=settings.center_email,
            project=None,
            course=settings.profile.course,
            link=None,
        )
        message = build_message(settings, key, recipient, content, now=now)
        if found.students:
            message.add_attachment(
                self._drawer.passing_list(found, settings.profile),
                maintype="application",
                subtype="pdf",
                filename=passing_list_filename(found, "pdf"),
            )
            message.add_attachment(
                passing_list_csv(found).encode(CSV_ENCODING),
                maintype="text",
                subtype="csv",
                filename=passing_list_filename(found, "csv"),
            )
        return message

    def _variables(self, db: Session, found: PassingList, now: datetime) -> dict[str, Any]:
        return {
            "recipient_name": found.faculty.name,
            "semester": found.semester,
            "office": self._settings.profile.signed_lists_office,
            "ends_on_en": _en_day(found.semester.ends_on),
            "ends_on_zh": _zh_day(found.semester.ends_on),
            "students": [
                {**s.model_dump(), "passed_on": s.passed_at.astimezone(TAIPEI).date().isoformat()}
                for s in found.students
            ],
            "pending": [
                {
                    **p.model_dump(),
                    "since": p.submitted_at.astimezone(TAIPEI).date().isoformat(),
                    # R23: the teacher acts from the mail: a signed link to the evaluation page, not the API.
                    "url": evaluation_link(
                        self._settings, db, faculty_id=found.faculty.id, project_id=p.project_id, now=now
                    )
                    or project_url(self._settings, p.project_id),
                }
                for p in found.pending
            ],
        }
