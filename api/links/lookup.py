"""The store work of one action-link page (SPEC §4), each run as one unit: the link's claims (or why it no
longer works), the names a page shows, and the project's row and audit trail in the read model.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from domain.errors import Code, RuleViolation
from domain.labels import Label
from domain.links import LinkClaims, token_id_of
from domain.project import AuditEntry, ProjectSummary, ProjectView
from store import directory, projects, tokens


@dataclass(frozen=True)
class LinkLookup:
    claims: LinkClaims | None
    refusal: RuleViolation | None = None
    stored: LinkClaims | None = None  # a used or expired link's claims, to say when and what next


def look_up(s: Session, secret: str, token: str, now: datetime) -> LinkLookup:
    try:
        return LinkLookup(claims=tokens.load_link(s, secret, token, now))
    except RuleViolation as refusal:
        # TOKEN_USED and TOKEN_EXPIRED are only raised once the signature matched: the claims are genuine.
        stored = tokens.get_link(s, token_id_of(token)) if refusal.code is not Code.TOKEN_INVALID else None
        return LinkLookup(claims=None, refusal=refusal, stored=stored)


@dataclass(frozen=True)
class Names:
    """Who and which project a page names, in both languages (the same name in each, once known)."""

    student: Label
    title: Label


def names_of(s: Session, project_id: str, view: ProjectView | None) -> Names:
    summary = projects.get_project(s, project_id)
    student_id = view.student_id if view else summary.student_id if summary else ""
    student = directory.get_student(s, student_id) if student_id else None
    title = view.proposal.title if view else summary.title if summary else None
    named = f"{student.name} ({student.id})" if student else student_id
    return Names(
        student=Label(named, named) if named else Label("The student", "學生"),
        title=Label(title, title) if title else Label("your project", "您的計畫"),
    )


def read_model(s: Session, project_id: str) -> tuple[ProjectSummary | None, list[AuditEntry]]:
    return projects.get_project(s, project_id), projects.audit_for(s, project_id)
