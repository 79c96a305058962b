"""Delivery through the outbox: each mail is sent at most once per key, except in one narrow window.

- Every mail is recorded by its key (`store.outbox`) before it is sent, and a key already `sent` is skipped, so
  a retried batch (a later notice failed, the worker restarted) sends only what is still owed.
- A crash after the SMTP server accepted a mail and before the outbox row is marked `sent` re-sends that one
  mail on retry. Its Message-ID is derived from the key, so receivers can drop the duplicate.
- An SMTP failure counts an attempt, keeps the error on the outbox row and raises: Temporal retries the
  activity with the workflow's backoff, and operators see the error as the activity's last failure.
- A mail that can never be delivered (the person is not in the directory, their name or address cannot go in a
  header, the server refuses the address for good) is recorded as `undeliverable` with a warning and skipped:
  retrying could not help, and it must not hold back the notices after it. `send_once` says why, so the
  project can record it and tell the center.
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

from activities.mail.sending import MailSender, cannot_be_built, refused_for_good
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

    async def send_once(self, mail: OutboxMail, prepare: Prepare) -> str | None:
        """Send unless the key was sent or given up already; an SMTP failure raises ApplicationError to retry.

        Returns why the mail can never be delivered, when it cannot (now or on an earlier attempt), else None:
        the project records that and tells the center (`domain.mailing`)."""
        bound = log.bind(**mail.log_context)
        now = datetime.now(UTC)
        entry = await asyncio.to_thread(self._open, mail, now)
        if entry.status is outbox.OutboxStatus.UNDELIVERABLE:
            return entry.last_error or "undeliverable"
        if entry.status is not outbox.OutboxStatus.PENDING:
            bound.debug("mail already handled", status=entry.status.value)
            return None
        try:
            message = await asyncio.to_thread(prepare, entry.token_id, now)
        except Exception as error:
            if not cannot_be_built(error):
                raise await self._to_retry(mail, error) from error
            return await self._undeliverable(mail, f"the message cannot be built: {type(error).__name__}: {error}")
        if message is None:
            return await asyncio.to_thread(self._reason, mail.key)
        try:
            await self._sender.send(message)
        except Exception as error:
            if refused_for_good(error):
                return await self._undeliverable(mail, f"recipient refused: {type(error).__name__}: {error}")
            raise await self._to_retry(mail, error) from error
        await asyncio.to_thread(self._sent, mail.key, datetime.now(UTC))
        bound.info("mail sent")
        course.mail("sent", mail.template)
        return None

    async def _undeliverable(self, mail: OutboxMail, reason: str) -> str:
        """Retrying cannot help: keep why, and let the notices after it go out."""
        await asyncio.to_thread(self._give_up, mail.key, reason)
        log.bind(**mail.log_context).warning("mail undeliverable", reason=reason)
        course.mail("undeliverable", mail.template)
        return reason

    async def _to_retry(self, mail: OutboxMail, error: Exception) -> ApplicationError:
        """A failure that may pass (the server is down, slow or busy): count it, and let Temporal retry."""
        reason = f"{type(error).__name__}: {error}"
        attempts = await asyncio.to_thread(self._count_failure, mail.key, reason)
        log.bind(**mail.log_context).warning(
            "mail not sent; the activity will be retried", attempts=attempts, error=reason
        )
        course.mail("failed", mail.template)
        return ApplicationError(f"{mail.description} not sent (attempt {attempts}): {reason}", type="MailNotSent")

    # Blocking database work, run in a thread.

    def _open(self, mail: OutboxMail, now: datetime) -> outbox.OutboxEntry:
        with session(self._engine) as s:
            return outbox.open_entry(s, key=mail.key, project_id=mail.project_id, template=mail.template, now=now)

    def _count_failure(self, key: str, reason: str) -> int:
        with session(self._engine) as s:
            return outbox.record_failure(s, key, reason)

    def _reason(self, key: str) -> str:
        with session(self._engine) as s:
            entry = outbox.get_entry(s, key)
        return (entry.last_error if entry else None) or "undeliverable"

    def _give_up(self, key: str, reason: str) -> None:
        with session(self._engine) as s:
            outbox.mark_undeliverable(s, key, reason)

    def _sent(self, key: str, now: datetime) -> None:
        with session(self._engine) as s:
            outbox.mark_sent(s, key, now)
