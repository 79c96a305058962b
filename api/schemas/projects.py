"""A project as the portal reads it, one page of projects, and what an action answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StrictBool, field_validator, model_validator

from api.schemas.hours import Hours
from domain.errors import Problem
from domain.nudges import NudgeKind
from domain.profile import ProfileRef
from domain.project import (
    AuditEntry,
    Credit,
    Departure,
    EvaluationRecord,
    Invitation,
    ProjectSummary,
    ProjectView,
    Supervision,
)
from domain.proposal import IndicatorClaim, Proposal
from domain.review import ReviewRecord
from domain.stages import Stage
from domain.vocabulary import Category, HourKind, HourSource, Priority, ReflectionFormat
from domain.work import ClosureReport, Evidence, HoursEntry, Verification, Withdrawal
from workflows.messages import Outcome


class ProjectItem(BaseModel):
    """One project as the lists show it: stage, title, who supervises, counted hours, when it last changed."""

    id: str
    student_id: str
    semester_id: str
    stage: Stage
    title: str
    category: Category
    priority: Priority
    group_id: str | None
    supervisor_id: str | None
    invited_faculty_id: str | None
    counted_hours: Hours
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


class HoursEntryPublic(BaseModel):
    """One logged hours entry (R14) and whether it counts toward the 36 (R15)."""

    id: str
    date: date
    hours: Hours
    kind: HourKind
    description: str
    source: HourSource
    proof_evidence_id: str | None
    logged_at: datetime
    verification: Verification | None
    withdrawal: Withdrawal | None = Field(
        default=None, description="Set once the student withdrew the entry (R16): kept on record, never counted."
    )
    counts: bool = Field(
        description="Whether it counts toward the required hours under the project's rules: execution hours; "
        "club hours once OSA verified them or with a certificate (R14, R15); never once withdrawn (R16)."
    )

    @classmethod
    def of(cls, entry: HoursEntry, counted: set[str]) -> Self:
        return cls.model_validate({**entry.model_dump(), "counts": entry.id in counted})


def _claims(value: Any) -> Any:
    """The closure report keeps a note per indicator; the contract shows it as the proposal's claims do."""
    if isinstance(value, dict):
        return [{"indicator": indicator, "how": how} for indicator, how in value.items()]
    return value


class ClosureReportPublic(BaseModel):
    """R18: the narrative and, per chosen indicator, how the project served it (the proposal's shape)."""

    narrative: str
    indicators: list[IndicatorClaim]

    _as_claims = field_validator("indicators", mode="before")(_claims)


class ClosureReportRequest(BaseModel):
    """R18: the narrative of ideas, process and reflection, and one `{indicator, how}` per indicator the
    proposal chose: the same shape as the proposal's `indicators`."""

    model_config = ConfigDict(str_strip_whitespace=True)

    narrative: str = Field(min_length=50, max_length=50000)
    indicators: list[IndicatorClaim] = Field(min_length=1, max_length=5)

    @model_validator(mode="after")
    def _once_each(self) -> Self:
        chosen = [claim.indicator for claim in self.indicators]
        if len(set(chosen)) != len(chosen):
            raise ValueError("each indicator may be reported once")
        return self

    def command(self) -> ClosureReport:
        return ClosureReport(narrative=self.narrative, indicators={c.indicator: c.how for c in self.indicators})


class SubmissionPublic(BaseModel):
    seq: int
    report: ClosureReportPublic
    submitted_at: datetime


class Deadlines(BaseModel):
    """The dates that apply now; each is null when it does not (R12, R20, R22)."""

    invitation_expires_at: datetime | None = Field(default=None, description="R12: the pending invitation lapses.")
    reminder_request_allowed_from: datetime | None = Field(
        default=None, description="R20: the student may ask for another supervisor reminder from then."
    )
    semester_deadline: datetime | None = Field(
        default=None, description="R22: the leaving supervisor's deadline (the semester's end, or as extended)."
    )
    submit_by: datetime | None = Field(
        default=None, description="R22: the closure report must be in by then for the leaving supervisor."
    )


class NextNudge(BaseModel):
    """The next reminder Praxis will send for this project, and when."""

    kind: NudgeKind
    at: datetime


class ProjectPublic(BaseModel):
    """SPEC §4 `GET /v1/projects/{id}`: stage, proposal, supervisor, hours (counted and required), evidence,
    what is still missing for the closure report (R18), deadlines and the audit trail (R24)."""

    id: str
    student_id: str
    semester_id: str
    stage: Stage
    created_at: datetime
    proposal: Proposal
    priority: Priority
    exempt: bool
    reviews: list[ReviewRecord]
    invitation: Invitation | None
    supervisor: Supervision | None
    former_supervisors: list[Supervision]
    departure: Departure | None
    needs_reassignment: bool
    hours: list[HoursEntryPublic]
    counted_hours: Hours
    required_hours: Hours
    profile: ProfileRef = Field(description="The course profile the project started with and follows (SPEC §7).")
    evidence: list[Evidence]
    submission: SubmissionPublic | None
    evaluations: list[EvaluationRecord]
    credit: Credit | None
    missing: list[Problem] = Field(
        description="The checklist: every item the closure report still needs (R18), empty once nothing is missing."
    )
    deadlines: Deadlines
    next_nudge: NextNudge | None
    audit: list[AuditEntry]
    revision: int = Field(description="Grows with every change; the `ETag`, and what `If-Match` names.")
    mail_warning: str | None = Field(
        default=None,
        description="Set when the student is not in the student directory: why no mail reaches them, and "
        "which mails could not be sent. The portal's sign-in (JWT `name` and `email`) fills the entry.",
    )

    @classmethod
    def of(cls, view: ProjectView, *, mail_warning: str | None = None) -> Self:
        data = view.model_dump(exclude={"submitted_fingerprint", "rules"})
        counted = view.counted_entry_ids
        data["hours"] = [HoursEntryPublic.of(entry, counted) for entry in view.hours]
        data["mail_warning"] = mail_warning
        return cls.model_validate(data)


class Envelope(BaseModel):
    """What every change answers, whatever it changed: the thing as it now stands (`project` or `group`), the
    id of what the action created (an hours entry, an evidence item, a new project or group) and a warning
    worth showing (R13)."""

    created_id: str | None = None
    warning: str | None = None


class ActionResult(Envelope):
    """What every action on a project answers: the project's row as it now stands, `created_id`, `warning`."""

    project: ProjectItem

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


class WithdrawalRequest(BaseModel):
    """R16: why an hours entry or an evidence item is withdrawn (optional; kept in the audit trail)."""

    reason: str = Field(default="", max_length=2000)
