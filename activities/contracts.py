"""What workflows send to activities and get back: plain models, safe to import in the sandbox."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from domain.project import AuditEntry, Notice, ProjectSummary


class StandingRequest(BaseModel):
    student_id: str
    project_id: str


class CreditRequest(BaseModel):
    """R2/R21: record the credit in the semester of the pass."""

    student_id: str
    project_id: str
    passed_at: datetime


class SaveProject(BaseModel):
    summary: ProjectSummary
    audit: list[AuditEntry]


class NoticeBatch(BaseModel):
    """Notices a project owes, delivered in order; each is sent at most once (keyed by Notice.key)."""

    summary: ProjectSummary
    notices: list[Notice]
    at: datetime | None = None  # workflow time when the notices were owed


class DigestRequest(BaseModel):
    """R8: send the review digest due at `at` (workflow time, so a retry or a late worker lists the same day)."""

    at: datetime


class DigestResult(BaseModel):
    """The proposals the digest listed; empty if none had waited long enough and no mail was sent."""

    project_ids: list[str]
