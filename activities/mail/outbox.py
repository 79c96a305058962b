"""Delivery through the outbox: each mail is sent at most once per key, except in one narrow window.

- Every mail is recorded by its key (`store.outbox`) before it is sent, and a key already `sent` is skipped, so
  a retried batch (a later notice failed, the worker restarted) sends only what is still owed.
- A crash after the SMTP server accepted a mail and before the outbox row is marked `sent` re-sends that one
  mail on retry. Its Message-ID is derived from the key, so receivers can drop the duplicate.
- An SMTP failure counts an attempt, keeps the error on the outbox row and raises: Temporal retries the
  activity with the workflow's backoff, and operators see the error as the activity's last failure.
- A mail that can never be delivered (the person is not in the directory, the server refuses the address for
  good) is recorded as `undeliverable` with a warning and skipped: retrying could not help, and it must not
  hold back the notices after it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage

import structlog
from sqlalchemy.engine import Engine
from temporalio.exceptions import ApplicationError

from activities.mail.sending import MailSender, refused_for_good
from store import outbox
from store.db import session
from telemetry import course

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class OutboxMail:
    """One mail to send at most once: its outbox key, what it belongs to, and how logs and errors name it."""

    key: str
    project_id: str  # "" for a mail about no single project (the review digest)
    template: str
    description: str  # e.g. "mail invitation for project 1a2b": the failed attempt's error starts with it
    log_context: dict[str, str] = field(default_factory=dict)


# Prepares the message to send, given the outbox row's token id (a retry re-sends the same link) and the
# time of this attempt; None if the mail turned out undeliverable (it must then say so in the outbox).
Prepare = Callable[[str | None, datetime], EmailMessage | None]


class Outbox:
    """Sends mails through the outbox, each at most once per key (see the module docstring)."""

    def __init__(self, engine: Engine, sender: MailSender) -> None:
        self._engine = engine
        self._sender = sender

    async def send_once(self, mail: OutboxMail, prepare: Prepare) -> None:
        """Send unless the key was sent or given up already; an SMTP failure raises ApplicationError to retry."""
        bound = log.bind(**mail.log_context)
        now = datetime.now(UTC)
        entry = await asyncio.to_thread(self._open, mail, now)
        if entry.status is not outbox.OutboxStatus.PENDING:
            bound.debug("mail already handled", status=entry.status.value)
            return
        try:
            message = await asyncio.to_thread(prepare, entry.token_id, now)
            if message is None:
                return
            await self._sender.send(message)
        except Exception as error:
            reason = f"{type(error).__name__}: {error}"
            if refused_for_good(error):
                await asyncio.to_thread(self._give_up, mail.key, f"recipient refused: {reason}")
                bound.warning("mail undeliverable", reason=reason)
                course.mail("undeliverable", mail.template)
                return
            attempts = await asyncio.to_thread(self._count_failure, mail.key, reason)
            bound.warning("mail not sent; the activity will be retried", attempts=attempts, error=reason)
            course.mail("failed", mail.template)
            raise ApplicationError(
                f"{mail.description} not sent (attempt {attempts}): {reason}", type="MailNotSent"
            ) from error
        await asyncio.to_thread(self._sent, mail.key, datetime.now(UTC))
        bound.info("mail sent")
        course.mail("sent", mail.template)

    # Blocking database work, run in a thread.

    def _open(self, mail: OutboxMail, now: datetime) -> outbox.OutboxEntry:
        with session(self._engine) as s:
            return outbox.open_entry(s, key=mail.key, project_id=mail.project_id, template=mail.template, now=now)

    def _count_failure(self, key: str, reason: str) -> int:
        with session(self._engine) as s:
            return outbox.record_failure(s, key, reason)

    def _give_up(self, key: str, reason: str) -> None:
        with session(self._engine) as s:
            outbox.mark_undeliverable(s, key, reason)

    def _sent(self, key: str, now: datetime) -> None:
        with session(self._engine) as s:
            outbox.mark_sent(s, key, now)
