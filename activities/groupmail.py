"""R9: the mails a group proposal owes, through the same outbox, renderer and SMTP sender as every other mail.

Each notice is sent at most once per `Notice.key` (activities.mail's outbox). Templates live under
`templates/group/`, apart from the project notices: they see the group, not a project.
"""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage

import structlog
from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlmodel import Session
from temporalio import activity

from activities.mail.links import group_url
from activities.mail.outbox import Outbox, OutboxMail
from activities.mail.rendering import render_mail
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
from domain.groups import GroupSummary
from domain.notices import Notice
from domain.vocabulary import Role
from store import outbox
from store.db import session
from store.directory import get_student

log = structlog.get_logger(__name__)


class GroupNoticeBatch(BaseModel):
    """Mails a group owes, delivered in order; each is sent at most once (keyed by Notice.key)."""

    group: GroupSummary
    notices: list[Notice]


class GroupMailActivities:
    def __init__(self, settings: Settings, engine: Engine, sender: MailSender | None = None) -> None:
        self._settings = settings
        self._engine = engine
        self._outbox = Outbox(engine, sender or SmtpSender(settings))

    @activity.defn
    async def deliver_group_notices(self, batch: GroupNoticeBatch) -> None:
        """Send the batch's mails in order; each at most once per key."""
        for notice in batch.notices:
            await self._deliver(batch.group, notice)

    async def _deliver(self, group: GroupSummary, notice: Notice) -> None:
        mail = OutboxMail(
            key=notice.key,
            project_id="",  # the outbox names projects; a group mail is about none of them
            template=notice.template,
            description=f"mail {notice.template} for group {group.id}",
            log_context={"group_id": group.id, "template": notice.template, "to_role": notice.to_role.value},
        )
        await self._outbox.send_once(mail, lambda _token_id, now: self._prepare(group, notice, now))

    def _prepare(self, group: GroupSummary, notice: Notice, now: datetime) -> EmailMessage | None:
        settings = self._settings
        with session(self._engine) as s:
            recipient = self._recipient(s, notice)
            if recipient is None:
                reason = f"no {notice.to_role.value} {notice.to_id} to send to (not in the directory)"
                outbox.mark_undeliverable(s, notice.key, reason)
                log.warning("mail undeliverable", group_id=group.id, template=notice.template, reason=reason)
                return None
            names = {m: _named(s, m) for m in group.member_ids}
            variables = {
                "group": group,
                "c": notice.context,
                "recipient_name": recipient.name,
                "applicant": names.get(group.applicant_id) or _named(s, group.applicant_id),
                "members": list(names.values()),
            }
            content = render_mail(
                notice.template,
                variables,
                language=mail_language(settings, recipient),
                center_email=settings.center_email,
                project=None,
                course=settings.profile.course,
                link=group_url(settings, group.id),
            )
            outbox.set_prepared(s, notice.key, recipient=recipient.address, subject=content.subject, token_id=None)
        return build_message(settings, notice.key, recipient, content, now=now)

    def _recipient(self, s: Session, notice: Notice) -> Recipient | None:
        if notice.to_role is Role.STUDENT:
            student = get_student(s, notice.to_id)
            return person_recipient(student) if student else None
        if notice.to_role is Role.CENTER:
            return center_recipient(self._settings)
        return None


def _named(s: Session, student_id: str) -> str:
    student = get_student(s, student_id)
    return f"{student.name} ({student.id})" if student else student_id
