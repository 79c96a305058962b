"""The mail outbox: one row per notice (`Notice.key`), so a retried batch never sends a mail twice.

Delivery is at-least-once, narrowed by this table to "once, except after a crash in one narrow window":
the row is looked up before sending and a `sent` row is skipped, but a worker that dies after the SMTP
server accepted a mail and before `mark_sent` commits will send that mail again on retry. Receivers can
drop that duplicate: the Message-ID header is derived from the key (activities.mail).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel
from sqlalchemy import func, update
from sqlmodel import Session, col, select

from store.models import OutboxRow
from store.upsert import FRESH, insert


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    UNDELIVERABLE = "undeliverable"


class OutboxEntry(BaseModel):
    """An outbox row as the rest of the system sees it."""

    key: str
    project_id: str
    template: str
    recipient: str
    subject: str
    status: OutboxStatus
    attempts: int
    last_error: str | None
    token_id: str | None
    created_at: datetime
    sent_at: datetime | None


def _entry(row: OutboxRow) -> OutboxEntry:
    return OutboxEntry.model_validate(row, from_attributes=True)


def open_entry(s: Session, *, key: str, project_id: str, template: str, now: datetime) -> OutboxEntry:
    """The entry for `key`, created pending if it is new; an existing one is returned as it stands.

    INSERT … ON CONFLICT DO NOTHING, so two attempts racing on the same key agree on one row.
    """
    values = {"key": key, "project_id": project_id, "template": template, "created_at": now}
    s.exec(insert(s, OutboxRow).values(values).on_conflict_do_nothing(index_elements=["key"]))
    row = s.exec(select(OutboxRow).where(OutboxRow.key == key).execution_options(**FRESH)).one()
    return _entry(row)


def get_entry(s: Session, key: str) -> OutboxEntry | None:
    row = s.get(OutboxRow, key, populate_existing=True)
    return _entry(row) if row is not None else None


def list_entries(s: Session, project_id: str) -> list[OutboxEntry]:
    """A project's mails in the order they were first attempted."""
    rows = s.exec(
        select(OutboxRow)
        .where(OutboxRow.project_id == project_id)
        .order_by(col(OutboxRow.created_at), col(OutboxRow.key))
        .execution_options(**FRESH)
    )
    return [_entry(row) for row in rows]


def set_prepared(s: Session, key: str, *, recipient: str, subject: str, token_id: str | None) -> None:
    """Record what is about to be sent: the address, the subject and the action link's token id."""
    s.exec(
        update(OutboxRow)
        .where(col(OutboxRow.key) == key)
        .values(recipient=recipient, subject=subject, token_id=token_id)
    )


def record_failure(s: Session, key: str, error: str) -> int:
    """Count a failed attempt and keep its error; returns the attempts so far."""
    s.exec(
        update(OutboxRow)
        .where(col(OutboxRow.key) == key)
        .values(attempts=col(OutboxRow.attempts) + 1, last_error=error[:4000])
    )
    attempts = s.exec(select(OutboxRow.attempts).where(OutboxRow.key == key)).one()
    return int(attempts)


def mark_sent(s: Session, key: str, now: datetime) -> None:
    """The SMTP server accepted the mail. A previous `last_error` is kept: it says the mail needed retries."""
    s.exec(
        update(OutboxRow)
        .where(col(OutboxRow.key) == key)
        .values(status=OutboxStatus.SENT.value, attempts=col(OutboxRow.attempts) + 1, sent_at=now)
    )


def mark_undeliverable(s: Session, key: str, reason: str, *, recipient: str = "") -> None:
    """The mail can never be delivered (no such person, address refused for good); it is not retried."""
    values: dict[str, object] = {"status": OutboxStatus.UNDELIVERABLE.value, "last_error": reason[:4000]}
    if recipient:
        values["recipient"] = recipient
    s.exec(update(OutboxRow).where(col(OutboxRow.key) == key).values(**values))


def count_pending(s: Session) -> int:
    """Mails owed: recorded, neither sent nor given up (the worker's `praxis_outbox_depth`)."""
    pending = select(func.count()).select_from(OutboxRow).where(col(OutboxRow.status) == OutboxStatus.PENDING.value)
    return s.exec(pending).one()
