"""A project's notices as mails: recipient from the directory, the link it carries, rendered and sent once.

`Notifier` delivers one notice through the outbox; the project's sync (a local activity, `activities.records`)
tries each notice once right away, and `MailActivities.deliver_notices` (a regular activity with Temporal's
retries) sends whatever that first try could not, for as long as the SMTP server needs.
"""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage

import structlog
from sqlalchemy.engine import Engine
from sqlmodel import Session
from temporalio import activity

from activities.contracts import Delivered, NoticeBatch, Undelivered
from activities.mail.links import notice_link
from activities.mail.outbox import Outbox, OutboxMail
from activities.mail.rendering import MailView, render_notice
from activities.mail.sending import (
    MailSender,
    Recipient,
    SmtpSender,
    build_message,
    center_recipient,
    mail_language,
    person_recipient,
)
from config.settings import Settings
from domain.notices import Notice
from domain.profile import NTUST_V1, CourseProfile
from domain.project import ProjectSummary
from domain.vocabulary import Role
from store import outbox
from store.db import session
from store.directory import get_faculty, get_student

log = structlog.get_logger(__name__)


def resolve_recipient(settings: Settings, s: Session, notice: Notice) -> Recipient | None:
    """Students and teachers from the directory by id, with their language; the center and OSA from settings."""
    if notice.to_role is Role.STUDENT:
        student = get_student(s, notice.to_id)
        return person_recipient(student) if student else None
    if notice.to_role is Role.FACULTY:
        faculty = get_faculty(s, notice.to_id)
        return person_recipient(faculty) if faculty else None
    if notice.to_role is Role.CENTER:
        return center_recipient(settings)
    if notice.to_role is Role.OSA:
        return Recipient(address=settings.osa_email, name="Office of Student Affairs")
    return None


class Notifier:
    """Delivers a project's notices, each at most once per key (`activities.mail.outbox`)."""

    def __init__(self, settings: Settings, engine: Engine, sender: MailSender) -> None:
        self._settings = settings
        self._engine = engine
        self._outbox = Outbox(engine, sender)

    async def deliver(
        self, summary: ProjectSummary, notice: Notice, at: datetime | None, profile: CourseProfile = NTUST_V1
    ) -> str | None:
        """Send one notice; an SMTP failure raises `ApplicationError` (type MailNotSent) to be retried. Returns
        why the mail can never be delivered, if it cannot. `profile` is the project's, for its course's words."""
        mail = OutboxMail(
            key=notice.key,
            project_id=summary.id,
            template=notice.template,
            description=f"mail {notice.template} for project {summary.id}",
            log_context={"project_id": summary.id, "template": notice.template, "to_role": notice.to_role.value},
        )
        # The mail speaks of the project's time (workflow time) when the workflow gave it, so days waited and
        # dates due read the same whenever a retry finally sends it.
        return await self._outbox.send_once(
            mail, lambda token_id, now: self._prepare(summary, notice, token_id, at or now, profile)
        )

    def _prepare(
        self, summary: ProjectSummary, notice: Notice, token_id: str | None, now: datetime, profile: CourseProfile
    ) -> EmailMessage | None:
        """Resolve the recipient, issue (or re-issue) the action link, render; None if undeliverable."""
        settings = self._settings
        with session(self._engine) as s:
            recipient = resolve_recipient(settings, s, notice)
            if recipient is None:
                reason = f"no {notice.to_role.value} {notice.to_id} to send to (not in the directory)"
                outbox.mark_undeliverable(s, notice.key, reason)
                log.warning("mail undeliverable", project_id=summary.id, template=notice.template, reason=reason)
                return None
            student = get_student(s, summary.student_id)
            supervisor_id = summary.supervisor_id or summary.invited_faculty_id
            supervisor = get_faculty(s, supervisor_id) if supervisor_id else None
            link, claims = notice_link(settings, s, summary, notice, token_id, now)
            view = MailView(
                summary=summary,
                notice=notice,
                recipient_name=recipient.name,
                student=f"{student.name} ({student.id})" if student else summary.student_id,
                supervisor=f"{supervisor.name} ({supervisor.id})" if supervisor else supervisor_id,
                link=link,
                link_expires_at=claims.expires_at if claims else None,
                profile=profile,
            )
            content = render_notice(
                view, language=mail_language(settings, recipient), center_email=settings.center_email
            )
            outbox.set_prepared(
                s,
                notice.key,
                recipient=recipient.address,
                subject=content.subject,
                token_id=claims.token_id if claims else None,
            )
        return build_message(settings, notice.key, recipient, content, now=now)


class MailActivities:
    def __init__(self, settings: Settings, engine: Engine, sender: MailSender | None = None) -> None:
        self._notifier = Notifier(settings, engine, sender or SmtpSender(settings))

    @activity.defn
    async def deliver_notices(self, batch: NoticeBatch) -> Delivered | None:
        """Send the batch's notices in order; each at most once per key (`activities.mail.outbox`). A mail that
        can never be delivered does not hold back the ones after it: it is reported in the result.

        (`| None`: histories recorded before the result existed completed this activity with null.)"""
        undeliverable: list[Undelivered] = []
        for notice in batch.notices:
            reason = await self._notifier.deliver(batch.summary, notice, batch.at, batch.profile)
            if reason is not None:
                undeliverable.append(Undelivered(key=notice.key, reason=reason))
        return Delivered(undeliverable=undeliverable)
