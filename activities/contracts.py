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
