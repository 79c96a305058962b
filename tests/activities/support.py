"""Builders for the mail activity tests: directory entries, summaries and notices (the SMTP server is
`tests.support.mailsink.MailSink`)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from email.message import EmailMessage

from domain.notices import Notice
from domain.people import Faculty, Student
from domain.project import ProjectSummary
from domain.stages import Stage
from domain.vocabulary import Rank, Role

T0 = datetime(2026, 9, 7, 2, 0, tzinfo=UTC)  # Monday 10:00 in Taipei
PROJECT_ID = "5f1d2c3b-0a9e-4d8c-b7a6-112233445566"
STUDENT = Student(id="B11200001", name="Lin Mei-Hua", email="b11200001@mail.example.edu")
FACULTY = Faculty(id="T0001", name="Chen Wei", email="chen.wei@mail.example.edu", rank=Rank.PROFESSOR)
PUBLIC_URL = "https://praxis.example.edu"
LINK = re.compile(re.escape(PUBLIC_URL) + r"/a/[A-Za-z0-9_.-]+")


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
