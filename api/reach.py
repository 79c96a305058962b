"""Whether Praxis can mail a student at all: the portal's JWT `name`/`email` fill a missing student entry,
and a project whose student is still missing says why no mail reaches them (instead of silence)."""

from __future__ import annotations

from pydantic import ValidationError
from sqlmodel import Session

from api.auth import Claims, actor
from api.db import Store
from domain.people import Student, unreachable_student
from domain.vocabulary import Role
from store import directory, outbox
from store.outbox import OutboxStatus


async def fill_from_claims(store: Store, user: Claims) -> None:
    """A student the directory does not know yet is added from their token's `name` and `email` claims; an
    existing entry (the center's) is left as it is. Without both claims nothing is added."""
    if user.role is not Role.STUDENT or not user.name or not user.email:
        return
    try:
        student = Student(id=user.sub, name=user.name, email=user.email)
    except ValidationError:
        return  # a malformed email claim: the student stays unknown, and their project says so
    await store.run(directory.add_student_if_missing, student, actor(user))


def mail_warning(s: Session, project_id: str, student_id: str) -> str | None:
    """None when the student is in the directory; else why no mail reaches them, naming what was not sent."""
    if directory.get_student(s, student_id) is not None:
        return None
    unsent = [
        entry.template
        for entry in outbox.list_entries(s, project_id)
        if entry.status is OutboxStatus.UNDELIVERABLE and f"student {student_id}" in (entry.last_error or "")
    ]
    return unreachable_student(student_id, unsent)
