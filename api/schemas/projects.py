"""A project as the portal reads it, one page of projects, and what an action answers."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Self

from pydantic import BaseModel, EmailStr, Field, StrictBool

from domain.errors import Problem
from domain.project import (
    AuditEntry,
    Credit,
    Departure,
    EvaluationRecord,
    Invitation,
    ProjectSummary,
    ProjectView,
    Submission,
    Supervision,
)
from domain.proposal import Proposal
from domain.review import ReviewRecord
from domain.stages import Stage
from domain.vocabulary import ReflectionFormat
from domain.work import Evidence, HoursEntry
from workflows.messages import Outcome


class ProjectItem(BaseModel):
    """One project as the lists show it: stage, title, who supervises, counted hours, when it last changed."""

    id: str
    student_id: str
    semester_id: str
    stage: Stage
    title: str
    category: str
    priority: str
    group_id: str | None
    supervisor_id: str | None
    invited_faculty_id: str | None
    counted_hours: Decimal
    created_at: datetime
    stage_since: datetime
    updated_at: datetime
    revision: int
    credit_granted: bool | None

    @classmethod
    def of(cls, summary: ProjectSummary) -> Self:
        return cls.model_validate(summary.model_dump())


class ProjectPage(BaseModel):
    """One page of projects, most recently changed first; `total` counts every match."""

    items: list[ProjectItem]
    total: int
    limit: int
    offset: int


class ProjectPublic(BaseModel):
    """SPEC §4 `GET /v1/projects/{id}`: stage, proposal, supervisor, hours (counted and required), evidence,
    what is still missing for the closure report (R18), deadlines and the audit trail (R24)."""

    id: str
    student_id: str
    semester_id: str
    stage: Stage
    created_at: datetime
    proposal: Proposal
    priority: str
    exempt: bool
    reviews: list[ReviewRecord]
    invitation: Invitation | None
    supervisor: Supervision | None
    former_supervisors: list[Supervision]
    departure: Departure | None
    needs_reassignment: bool
    hours: list[HoursEntry]
    counted_hours: Decimal
    required_hours: Decimal
    evidence: list[Evidence]
    submission: Submission | None
    evaluations: list[EvaluationRecord]
    credit: Credit | None
    missing: list[Problem]
    deadlines: dict[str, datetime]
    next_nudge: dict[str, str] | None
    audit: list[AuditEntry]
    revision: int

    @classmethod
    def of(cls, view: ProjectView) -> Self:
        return cls.model_validate(view.model_dump(exclude={"submitted_fingerprint"}))


class ActionResult(BaseModel):
    """What every action on a project answers: the project's row as it now stands, the id of what the action
    created (an hours entry, an evidence item, a new project), and a warning worth showing (R13)."""

    project: ProjectItem
    created_id: str | None = None
    warning: str | None = None

    @classmethod
    def of(cls, outcome: Outcome) -> Self:
        return cls(project=ProjectItem.of(outcome.summary), created_id=outcome.created_id, warning=outcome.warning)


class InvitationRequest(BaseModel):
    """Who the student asks to supervise, by the email the directory knows, and the proposed format (R11)."""

    faculty_email: EmailStr
    reflection_format: ReflectionFormat


class VerificationRequest(BaseModel):
    """R15: OSA's word on one club hours entry (the entry is named in the path)."""

    verified: StrictBool
    note: str = Field(default="", max_length=2000)
