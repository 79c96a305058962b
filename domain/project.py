"""The state of one student project and the records it keeps (R2-R24)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from domain.actors import Actor
from domain.audit import AuditRecord, write_audit
from domain.errors import Problem
from domain.notices import Notice, owe
from domain.people import Faculty, StudentStanding
from domain.profile import NTUST_V1, CourseProfile, ProfileRef
from domain.proposal import Proposal
from domain.review import ReviewRecord
from domain.stages import Stage
from domain.vocabulary import Category, EvaluationResult, HourKind, ReflectionFormat, Role
from domain.work import (
    REQUIRED_HOURS,
    ClosureReport,
    Evidence,
    HoursEntry,
    closure_checklist,
    counted_hours,
    counts_toward_minimum,
    live,
)

# The rules a project follows, fixed when it starts (a project keeps the rules it started with, SPEC §7, so a
# running one replays exactly as it ran). 1: as first released. 2: the closed loopholes: a club activity's
# hours need OSA or a certificate whatever their source (R15), the same photo counts once (R16), the
# reflection record fits the agreed format (R17).
FIRST_RULES = 1
CURRENT_RULES = 2


class AuditEntry(AuditRecord[Stage]):
    """R24: who, when, what, via which channel."""


class Invitation(BaseModel):
    """R11/R12: the one pending invitation."""

    seq: int
    faculty: Faculty
    reflection_format: ReflectionFormat
    invited_at: datetime


class Supervision(BaseModel):
    faculty: Faculty
    reflection_format: ReflectionFormat
    confirmed_at: datetime


class Departure(BaseModel):
    """R13/R22: the project's teacher leaves NTUST after `semester_id`, so the project works to a deadline.

    The deadline is the semester's end unless the center extended it. `armed_at` is when the current
    deadline was set: reminders that fell before it are not owed. Once the deadline passes unevaluated the
    project is `handed_over` to the center, which reassigns it (the departed supervisor stays on record
    and may still evaluate until then).
    """

    faculty_id: str
    semester_id: str
    semester_end: datetime
    extended_to: datetime | None = None
    extension_reason: str = ""
    armed_at: datetime
    handed_over_at: datetime | None = None

    @property
    def deadline(self) -> datetime:
        return max(self.semester_end, self.extended_to or self.semester_end)


class Submission(BaseModel):
    seq: int
    report: ClosureReport
    submitted_at: datetime


class EvaluationRecord(BaseModel):
    submission_seq: int
    result: EvaluationResult
    feedback: str
    by: str
    at: datetime


class Credit(BaseModel):
    """R2/R21: the outcome of recording the credit on pass."""

    granted: bool
    semester_id: str
    reason: str | None = None
    at: datetime


def evaluation_started_at(
    stage: Stage, submission: Submission | None, supervisor: Supervision | None
) -> datetime | None:
    """R20's clock: the submission under evaluation, or a later reassignment while it waits (R22)."""
    if stage is not Stage.EVALUATION_PENDING or submission is None:
        return None
    start = submission.submitted_at
    if supervisor is not None and supervisor.confirmed_at > start:
        start = supervisor.confirmed_at
    return start


def last_hours_at(hours: list[HoursEntry]) -> datetime | None:
    """When the student last logged hours (the office's "no hours for N weeks")."""
    return max((entry.logged_at for entry in hours), default=None)


class ProjectState(BaseModel):
    id: str
    student_id: str
    semester_id: str
    created_at: datetime
    stage: Stage = Stage.PROPOSAL_REVIEW
    proposal: Proposal
    proposal_version: int = 1
    # Absent in the state of projects started before rules were versioned: those follow the first rules.
    rules: int = FIRST_RULES
    standing: StudentStanding | None = None
    reviews: list[ReviewRecord] = Field(default_factory=list)
    invitation: Invitation | None = None
    invitation_seq: int = 0
    supervisor: Supervision | None = None
    former_supervisors: list[Supervision] = Field(default_factory=list)
    hours: list[HoursEntry] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    submission: Submission | None = None
    submission_seq: int = 0
    evaluations: list[EvaluationRecord] = Field(default_factory=list)
    last_reminder_request_at: datetime | None = None
    credit: Credit | None = None
    deadline: datetime | None = None
    departure: Departure | None = None
    nudges_sent: list[str] = Field(default_factory=list)
    notices: list[Notice] = Field(default_factory=list)
    audit: list[AuditEntry] = Field(default_factory=list)
    revision: int = 0
    stage_since: datetime | None = None
    # The submission request's fingerprint: a retried submission under the same Idempotency-Key but with
    # another body is recognised and refused (SPEC §4), not silently answered with this project.
    submitted_fingerprint: str | None = None
    # The emailed links whose action was applied (their token ids): a click that also went out as a durable
    # signal while no worker answered is applied once, and its signal is not recorded as a refusal.
    link_uses: list[str] = Field(default_factory=list)
    # The course profile the project started with and keeps (SPEC §7); absent in state recorded before
    # profiles, which is NTUST's first.
    profile: CourseProfile = NTUST_V1

    @property
    def closed_loopholes(self) -> bool:
        """R15-R17 as issue 12 closed them apply (rules 2 and later)."""
        return self.rules >= 2

    @property
    def club_project(self) -> bool:
        """R15: a `club` activity under rules that route every one of its hours through OSA or a certificate."""
        return self.closed_loopholes and self.proposal.category is Category.CLUB

    @property
    def counted_hours(self) -> Decimal:
        return counted_hours(
            self.hours,
            club_project=self.club_project,
            live_evidence={e.id for e in live(self.evidence)},
            kinds=self.profile.hours.counted_kinds,
        )

    @property
    def evaluation_started_at(self) -> datetime | None:
        return evaluation_started_at(self.stage, self.submission, self.supervisor)

    def missing_for_closure(self) -> list[Problem]:
        agreed = self.supervisor.reflection_format if self.supervisor and self.closed_loopholes else None
        return closure_checklist(
            supervisor_confirmed=self.supervisor is not None,
            entries=self.hours,
            evidence=self.evidence,
            club_project=self.club_project,
            agreed_format=agreed,
            profile=self.profile,
        )

    def record(self, actor: Actor, at: datetime, action: str, detail: str = "") -> None:
        """Append to the audit trail and mark the state changed (R24)."""
        write_audit(self, AuditEntry, actor, at, action, detail)

    @property
    def notice_prefix(self) -> str:
        return self.id

    def notify(self, template: str, to_role: Role, to_id: str, **context: str) -> None:
        """Owe someone a mail (`domain.notices`), sent once per key."""
        owe(self, template, to_role, to_id, **context)


class ProjectView(BaseModel):
    """What the portal shows for one project (SPEC §4 GET /v1/projects/{id})."""

    @property
    def counted_entry_ids(self) -> set[str]:
        """The hours entries that count toward the minimum under the project's rules (R14-R16)."""
        club = self.rules >= 2 and self.proposal.category is Category.CLUB
        on_record = {e.id for e in live(self.evidence)}
        return {
            e.id
            for e in self.hours
            if counts_toward_minimum(e, club_project=club, live_evidence=on_record, kinds=self.counted_kinds)
        }

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
    former_supervisors: list[Supervision] = Field(default_factory=list)
    departure: Departure | None = None
    needs_reassignment: bool = False
    hours: list[HoursEntry]
    counted_hours: Decimal
    required_hours: Decimal = REQUIRED_HOURS
    profile: ProfileRef = NTUST_V1.ref  # which course profile the project follows (SPEC §7)
    counted_kinds: list[HourKind] = Field(default_factory=lambda: list(NTUST_V1.hours.counted_kinds))  # its R14
    evidence: list[Evidence]
    submission: Submission | None
    evaluations: list[EvaluationRecord]
    credit: Credit | None
    rules: int = FIRST_RULES
    missing: list[Problem]
    deadlines: dict[str, datetime]
    next_nudge: dict[str, str] | None = None
    audit: list[AuditEntry]
    revision: int
    submitted_fingerprint: str | None = None


class ProjectSummary(BaseModel):
    """One row of the read model the portal lists from; written on every change, newest revision wins."""

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
    # What the course office's desk counts, filters and flags, and the USR impact review measures (SPEC §7),
    # without asking each workflow. Defaults keep a row from before them readable; `praxis desk backfill`
    # fills them in for projects that have not changed since.
    tags: list[str] = Field(default_factory=list)  # R6
    indicators_planned: list[str] = Field(default_factory=list)  # R4/R7: the proposal's
    indicators_reported: list[str] = Field(default_factory=list)  # R18: the latest closure report's
    department: str | None = None  # the supervisor's, from the directory when they confirmed
    exempt: bool = False  # R3
    credit_semester_id: str | None = None  # R21: the semester of the pass
    approved_at: datetime | None = None  # domain.milestones
    supervised_at: datetime | None = None
    closure_submitted_at: datetime | None = None
    decided_at: datetime | None = None
    last_hours_at: datetime | None = None
    evaluation_started_at: datetime | None = None  # R20's clock
    deadline: datetime | None = None  # R22: a leaving supervisor's deadline
    needs_reassignment: bool = False  # R22: handed over to the center
