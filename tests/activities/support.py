"""Builders for the mail activity tests: a real SMTP server, directory entries, summaries and notices."""

from __future__ import annotations

import email
import re
import socket
from datetime import UTC, datetime
from decimal import Decimal
from email.message import EmailMessage
from email.policy import default

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from domain.people import Faculty, Student
from domain.project import Notice, ProjectSummary
from domain.stages import Stage
from domain.vocabulary import Rank, Role

T0 = datetime(2026, 9, 7, 2, 0, tzinfo=UTC)  # Monday 10:00 in Taipei
PROJECT_ID = "5f1d2c3b-0a9e-4d8c-b7a6-112233445566"
STUDENT = Student(id="B11200001", name="Lin Mei-Hua", email="b11200001@mail.example.edu")
FACULTY = Faculty(id="T0001", name="Chen Wei", email="chen.wei@mail.example.edu", rank=Rank.PROFESSOR)
PUBLIC_URL = "https://praxis.example.edu"
LINK = re.compile(re.escape(PUBLIC_URL) + r"/a/[A-Za-z0-9_.-]+")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Sink:
    """A real SMTP server that keeps what it accepts.

    `refuse_next` answers the next N DATA commands with 451 (try again later); addresses in `unknown` are
    refused at RCPT with 550 (no such mailbox), as a real server does.
    """

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse_next = 0
        self.unknown: set[str] = set()
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.unknown:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.refuse_next > 0:
            self.refuse_next -= 1
            return "451 4.3.0 Try again later"
        raw = envelope.original_content or envelope.content
        assert isinstance(raw, bytes)
        message = email.message_from_bytes(raw, policy=default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 OK"

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()


def summary(stage: Stage = Stage.NEEDS_SUPERVISOR, *, since: datetime = T0, **changes: object) -> ProjectSummary:
    values: dict[str, object] = {
        "id": PROJECT_ID,
        "student_id": STUDENT.id,
        "semester_id": "2026-fall",
        "stage": stage,
        "title": "Reading with children in Wanhua",
        "category": "public_service",
        "priority": "high",
        "group_id": None,
        "supervisor_id": FACULTY.id if stage in (Stage.IN_PROGRESS, Stage.EVALUATION_PENDING) else None,
        "invited_faculty_id": FACULTY.id if stage is Stage.SUPERVISOR_INVITED else None,
        "counted_hours": Decimal(0),
        "created_at": T0,
        "stage_since": since,
        "updated_at": since,
        "revision": 3,
        "credit_granted": None,
    }
    values.update(changes)
    return ProjectSummary.model_validate(values)


def notice(template: str, to_role: Role, to_id: str, revision: int = 3, **context: str) -> Notice:
    """A notice keyed exactly as ProjectState.notify keys it."""
    return Notice(
        key=f"{PROJECT_ID}:{template}:{revision}:{to_role.value}:{to_id}",
        template=template,
        to_role=to_role,
        to_id=to_id,
        context=context,
    )


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert isinstance(part, EmailMessage)
    return str(part.get_content())


def html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert isinstance(part, EmailMessage)
    return str(part.get_content())
