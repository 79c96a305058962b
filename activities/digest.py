"""R8: the daily digest to the center of proposals waiting 3 days or more for review.

Sent through the same outbox and SMTP sender as every other mail (activities.mail), keyed by the Taipei
date (`domain.digest.digest_key`), so a retried activity, or a second worker starting the workflow,
never sends a day's digest twice.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from email.message import EmailMessage

import structlog
from sqlalchemy.engine import Engine
from temporalio import activity

from activities.contracts import DigestRequest, DigestResult
from activities.mail.links import group_url, project_url
from activities.mail.outbox import Outbox, OutboxMail
from activities.mail.rendering import render_mail
from activities.mail.sending import MailSender, SmtpSender, build_message, center_recipient
from config.settings import Settings
from domain.digest import (
    DIGEST_STAGE,
    DigestItem,
    WaitingGroup,
    digest_items,
    digest_key,
    next_digest_at,
    waiting_since_cutoff,
    with_group_proposals,
)
from domain.groups import GroupStage
from store import outbox
from store.db import session
from store.groups import groups_in_stage_since
from store.projects import projects_in_stage_since

log = structlog.get_logger(__name__)

TEMPLATE = "review_digest"


class DigestActivities:
    def __init__(self, settings: Settings, engine: Engine, sender: MailSender | None = None) -> None:
        self._settings = settings
        self._engine = engine
        self._outbox = Outbox(engine, sender or SmtpSender(settings))

    @activity.defn
    async def send_review_digest(self, request: DigestRequest) -> DigestResult:
        """One mail to the center listing every proposal in review since 3 days before `at`; none if none."""
        items = await asyncio.to_thread(self._waiting, request.at)
        if not items:
            log.info("review digest: no proposal has waited long enough", at=request.at.isoformat())
            return DigestResult(project_ids=[])
        key = digest_key(request.at)
        mail = OutboxMail(
            key=key,
            project_id="",
            template=TEMPLATE,
            description=f"review digest {key}",
            log_context={"template": TEMPLATE, "key": key, "proposals": str(len(items))},
        )
        await self._outbox.send_once(mail, lambda _token_id, now: self._prepare(key, items, request.at, now))
        return DigestResult(project_ids=[item.project_id for item in items])

    def _waiting(self, at: datetime) -> list[DigestItem]:
        wait = self._wait
        with session(self._engine) as s:
            waiting = projects_in_stage_since(s, DIGEST_STAGE, waiting_since_cutoff(at, wait))
            groups = groups_in_stage_since(s, GroupStage.PROPOSAL_REVIEW, waiting_since_cutoff(at, wait))
        waiting_groups = [
            WaitingGroup(id=g.id, title=g.title, priority=g.priority, stage_since=g.stage_since, members=len(g.members))
            for g in groups
        ]
        return with_group_proposals(digest_items(waiting, at, wait), waiting_groups, at, wait)

    @property
    def _wait(self) -> timedelta:
        """R8: how long a proposal waits before the digest lists it (the deployment's profile's)."""
        return timedelta(days=self._settings.profile.schedule.review_digest_after_days)

    def _prepare(self, key: str, items: list[DigestItem], at: datetime, now: datetime) -> EmailMessage:
        settings = self._settings
        variables = {
            "items": [{**item.model_dump(), "url": _url(settings, item)} for item in items],
            "wait_days": self._wait.days,
            "next_digest_at": next_digest_at(at),
        }
        content = render_mail(
            TEMPLATE,
            variables,
            language=settings.mail_language,
            center_email=settings.center_email,
            project=None,
            course=settings.profile.course,
            # Each proposal links to its own page; the review queue is the portal's, not a JSON route.
            link=None,
        )
        recipient = center_recipient(settings)
        with session(self._engine) as s:
            outbox.set_prepared(s, key, recipient=recipient.address, subject=content.subject, token_id=None)
        return build_message(settings, key, recipient, content, now=now)


def _url(settings: Settings, item: DigestItem) -> str:
    """Where the center reviews the item: the project's page, or the group proposal (R9)."""
    if item.kind == "group":
        return group_url(settings, item.project_id)
    return project_url(settings, item.project_id)
