"""The link a notice's mail carries: a signed, single-use action link for the teacher or OSA who must act
(`domain.links`), or the project's page for the student and the center: the university portal's
(`PRAXIS_PORTAL_PROJECT_URL`), or without one Praxis's own read-only page behind a signed link.

A retry re-sends the link the first attempt issued (its token id is kept on the outbox row), never a second
one. How long a link works is the domain's rule (`domain.deadlines.link_expires_at`).
"""

from __future__ import annotations

import secrets
from datetime import datetime

import structlog
from sqlmodel import Session

from config.settings import Settings
from domain.deadlines import link_expires_at
from domain.links import LinkAction, LinkClaims, ViewKind, issue_link_token, view_link_path
from domain.notices import Notice
from domain.project import ProjectSummary
from domain.vocabulary import Role
from store import tokens

log = structlog.get_logger(__name__)

# Templates whose mail carries an action link, with the notice context key naming the link's `ref`
# (None: a reminder, which follows the ref of the link the first mail carried).
ACTION_LINKS: dict[str, tuple[LinkAction, str | None]] = {
    "invitation": (LinkAction.RESPOND_INVITATION, "invitation_seq"),
    "invitation_reminder": (LinkAction.RESPOND_INVITATION, None),
    "evaluation_requested": (LinkAction.EVALUATE, "submission_seq"),
    "evaluation_reminder": (LinkAction.EVALUATE, None),
    "evaluation_assigned": (LinkAction.EVALUATE, "submission_seq"),  # R22: reassigned while pending
    "deadline_reminder": (LinkAction.EVALUATE, None),  # R22
    "club_hours_to_verify": (LinkAction.VERIFY_HOURS, "entry_id"),
}
# Other mails link to the project where the recipient can open it; a supervisor told that an invitation
# was cancelled or a project withdrawn has nothing left to open.
PROJECT_LINK_ROLES = frozenset({Role.STUDENT, Role.CENTER})


def project_url(settings: Settings, project_id: str) -> str:
    """Where a student or the center opens one project: the university portal's page
    (`PRAXIS_PORTAL_PROJECT_URL`), or without a portal Praxis's own read-only page behind a signed link."""
    if settings.portal_project_url:
        return settings.portal_project_url.replace("{id}", project_id)
    return f"{settings.public_url.rstrip('/')}{view_path(settings, ViewKind.PROJECT, project_id)}"


def group_url(settings: Settings, group_id: str) -> str:
    """Where a group's members and the center open it: the portal's group page (`PRAXIS_PORTAL_GROUP_URL`), or
    Praxis's own read-only page behind a signed link."""
    if settings.portal_group_url:
        return settings.portal_group_url.replace("{id}", group_id)
    return f"{settings.public_url.rstrip('/')}{view_path(settings, ViewKind.GROUP, group_id)}"


def view_path(settings: Settings, kind: ViewKind, ident: str) -> str:
    return view_link_path(settings.action_link_secret.get_secret_value(), kind, ident)


def _valid_days(settings: Settings, action: LinkAction) -> int:
    return {
        LinkAction.RESPOND_INVITATION: settings.action_link_invitation_days,
        LinkAction.EVALUATE: settings.action_link_evaluation_days,
        LinkAction.VERIFY_HOURS: settings.action_link_verification_days,
    }[action]


def action_link(settings: Settings, claims: LinkClaims) -> str:
    """The signed `/a/{token}` address of stored claims (the same claims always give the same address)."""
    token = issue_link_token(
        settings.action_link_secret.get_secret_value(),
        subject_id=claims.subject_id,
        action=claims.action,
        project_id=claims.project_id,
        ref=claims.ref,
        expires_at=claims.expires_at,
        nonce=claims.token_id,
    )
    return f"{settings.public_url.rstrip('/')}/a/{token}"


def new_action_link(
    settings: Settings,
    s: Session,
    *,
    subject_id: str,
    action: LinkAction,
    project_id: str,
    ref: str,
    now: datetime,
    lapses_at: datetime | None = None,
) -> tuple[str, LinkClaims]:
    """Issue and store a new single-use link for one person's action on one project."""
    claims = LinkClaims(
        token_id=secrets.token_urlsafe(18),
        subject_id=subject_id,
        action=action,
        project_id=project_id,
        ref=ref,
        expires_at=link_expires_at(now, _valid_days(settings, action), lapses_at=lapses_at),
    )
    tokens.save_link(s, claims, issued_at=now)
    return action_link(settings, claims), claims


def evaluation_link(settings: Settings, s: Session, *, faculty_id: str, project_id: str, now: datetime) -> str | None:
    """R23: a fresh evaluation link for a report still waiting on this teacher, for the submission their last
    evaluation link named; None if they were never sent one."""
    ref = tokens.latest_ref(s, project_id=project_id, action=LinkAction.EVALUATE, subject_id=faculty_id)
    if not ref:
        return None
    link, _claims = new_action_link(
        settings, s, subject_id=faculty_id, action=LinkAction.EVALUATE, project_id=project_id, ref=ref, now=now
    )
    return link


def notice_link(
    settings: Settings, s: Session, summary: ProjectSummary, notice: Notice, token_id: str | None, now: datetime
) -> tuple[str | None, LinkClaims | None]:
    """The link for this notice's mail and, for an action link, the claims stored behind it."""
    spec = ACTION_LINKS.get(notice.template)
    if spec is None:
        project_link = project_url(settings, summary.id) if notice.to_role in PROJECT_LINK_ROLES else None
        return project_link, None
    claims = tokens.get_link(s, token_id) if token_id else None
    if claims is not None:
        return action_link(settings, claims), claims
    action, ref_key = spec
    ref = (
        notice.context.get(ref_key)
        if ref_key
        else tokens.latest_ref(s, project_id=summary.id, action=action, subject_id=notice.to_id)
    )
    if not ref:
        log.warning("action link without a ref", project_id=summary.id, template=notice.template)
    lapses = notice.context.get("invitation_expires_at") if action is LinkAction.RESPOND_INVITATION else None
    return new_action_link(
        settings,
        s,
        subject_id=notice.to_id,
        action=action,
        project_id=summary.id,
        ref=ref or "",
        now=now,
        lapses_at=datetime.fromisoformat(lapses) if lapses else None,
    )
