"""A project's records outside Temporal: the read model the portal lists from, the audit trail (R24), the
archive of its final view when it closes (SPEC §6), and the first try at the mails it owes; run by the
workflow as a local activity in the same workflow task as the change, so the records follow every stage
change within moments and no extra round trip reaches history. A group's archive is kept the same way.

Mail that the SMTP server does not take at once is left pending in the outbox and reported back: the workflow
then sends it with `MailActivities.deliver_notices`, whose retries wait out an outage.
"""

from __future__ import annotations

import asyncio

import structlog
from sqlalchemy.engine import Engine
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.contracts import ArchiveGroup, Synced, SyncProject, Undelivered
from activities.mail.notices import Notifier
from activities.mail.sending import MailSender, SmtpSender
from config.settings import Settings
from store import archive, blobrefs, projects
from store.db import session

log = structlog.get_logger(__name__)

# The first try at a mail happens inside the project's workflow task: a slow SMTP server must not hold it.
FIRST_TRY_SECONDS = 5.0


class RecordsActivities:
    def __init__(self, settings: Settings, engine: Engine, sender: MailSender | None = None) -> None:
        self._engine = engine
        self._notifier = Notifier(settings, engine, sender or SmtpSender(settings, timeout=FIRST_TRY_SECONDS))

    @activity.defn
    async def sync_project(self, request: SyncProject) -> Synced:
        """Idempotent: an older revision never overwrites a newer one, audit entries and mails are stored once."""
        await asyncio.to_thread(self._save, request)
        unsent: list[str] = []
        undeliverable: list[Undelivered] = []
        for notice in request.notices:
            if unsent:  # in order: once the server refused one, the rest wait for the retries too
                unsent.append(notice.key)
                continue
            try:
                reason = await self._notifier.deliver(request.summary, notice, request.at, request.profile)
            except ApplicationError:
                unsent.append(notice.key)
                continue
            if reason is not None:  # never deliverable: the next ones still go
                undeliverable.append(Undelivered(key=notice.key, reason=reason))
        if unsent:
            log.info("mail left for retries", project_id=request.summary.id, unsent=len(unsent))
        return Synced(unsent=unsent, undeliverable=undeliverable)

    def _save(self, request: SyncProject) -> None:
        with session(self._engine) as s:
            projects.save_project(s, request.summary, request.audit)
            # In the same transaction as the row: a blob the project names is never without its reference.
            blobrefs.add_references(s, request.summary.id, request.evidence)
            if request.closing is not None:
                archive.archive_project(s, request.closing, request.at)
                archive.keep_outcomes(s, "project", request.summary.id, request.outcomes)

    @activity.defn
    async def archive_group(self, request: ArchiveGroup) -> None:
        """A finished group's final view and its last outcomes, kept for good (idempotent)."""
        await asyncio.to_thread(self._archive_group, request)

    def _archive_group(self, request: ArchiveGroup) -> None:
        with session(self._engine) as s:
            archive.archive_group(s, request.view, request.at)
            archive.keep_outcomes(s, "group", request.view.id, request.outcomes)
