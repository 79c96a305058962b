"""The tables. Rows stay inside `store`; the query modules turn them into domain models.

Enumerations are stored as their string values (not database enums) so adding a stage or a rank never
needs an `ALTER TYPE`. Constraint and index names are explicit because migrations refer to them.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from store.types import Hours, UTCDateTime

metadata = SQLModel.metadata


class FacultyRow(SQLModel, table=True):
    """The faculty directory (R10, R13). Emails are stored lowercased so lookups ignore case."""

    __tablename__ = "faculty"

    id: str = Field(primary_key=True)
    name: str
    email: str = Field(unique=True, index=True)
    rank: str
    department: str = ""
    leaving_after: str | None = None
    language: str | None = None  # issue 4: a MailLanguage value; NULL follows the course default
    updated_at: datetime = Field(sa_type=UTCDateTime)


class StudentRow(SQLModel, table=True):
    """Students as the portal registers them (R3: internship credit exempts)."""

    __tablename__ = "student"

    id: str = Field(primary_key=True)
    name: str
    email: str
    has_internship_credit: bool = False
    language: str | None = None  # issue 4: a MailLanguage value; NULL follows the course default
    updated_at: datetime = Field(sa_type=UTCDateTime)


class SemesterRow(SQLModel, table=True):
    """R25: the office's semester calendar, in Asia/Taipei dates."""

    __tablename__ = "semester"

    id: str = Field(primary_key=True)
    starts_on: date
    final_exam_week_starts_on: date
    ends_on: date


class ProjectRow(SQLModel, table=True):
    """The read model the portal lists from: one row per project, the newest revision wins."""

    __tablename__ = "project"
    __table_args__ = (
        Index("ix_project_student_id", "student_id"),
        Index("ix_project_semester_id", "semester_id"),
        Index("ix_project_stage", "stage"),
        Index("ix_project_supervisor_id", "supervisor_id"),
        Index("ix_project_invited_faculty_id", "invited_faculty_id"),
        Index("ix_project_updated_at", "updated_at"),
        Index("ix_project_credit_semester_id", "credit_semester_id"),
        Index("ix_project_department", "department"),
    )

    id: str = Field(primary_key=True)
    student_id: str
    semester_id: str
    stage: str
    title: str = Field(sa_type=Text)
    category: str
    priority: str
    group_id: str | None = None
    supervisor_id: str | None = None
    invited_faculty_id: str | None = None
    counted_hours: Decimal = Field(sa_type=Hours)
    created_at: datetime = Field(sa_type=UTCDateTime)
    stage_since: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    revision: int
    credit_granted: bool | None = None
    # The desk and the impact review (issue 13; migration 0007): classifications, outcome dates and what the
    # stuck list reads. Lists are JSON arrays of codes.
    tags: list[str] = Field(default_factory=list, sa_type=JSON)
    indicators_planned: list[str] = Field(default_factory=list, sa_type=JSON)
    indicators_reported: list[str] = Field(default_factory=list, sa_type=JSON)
    department: str | None = None
    exempt: bool = False
    credit_semester_id: str | None = None
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    supervised_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closure_submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_hours_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    evaluation_started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    deadline: datetime | None = Field(default=None, sa_type=UTCDateTime)
    needs_reassignment: bool = False


class AuditRow(SQLModel, table=True):
    """R24: the audit trail, one row per entry; (project_id, seq) identifies an entry across retries."""

    __tablename__ = "audit"

    project_id: str = Field(primary_key=True)
    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    at: datetime = Field(sa_type=UTCDateTime)
    actor_id: str
    role: str
    channel: str
    action: str
    detail: str = Field(default="", sa_type=Text)
    stage: str


class CreditRow(SQLModel, table=True):
    """R2: the credit ledger. The unique student id is what makes the credit once-per-student-ever."""

    __tablename__ = "credit"
    __table_args__ = (
        UniqueConstraint("student_id", name="uq_credit_student_id"),
        Index("ix_credit_semester_id", "semester_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    student_id: str
    project_id: str
    semester_id: str
    granted_at: datetime = Field(sa_type=UTCDateTime)


class IdempotencyRow(SQLModel, table=True):
    """A stored response to an `Idempotency-Key` request (SPEC §4) that no workflow id deduplicates."""

    __tablename__ = "idempotency"

    key: str = Field(primary_key=True)
    request_hash: str
    status_code: int
    response_json: str = Field(sa_type=Text)
    created_at: datetime = Field(sa_type=UTCDateTime)


class OutboxRow(SQLModel, table=True):
    """One mail a project owes, keyed by `Notice.key`: the record that keeps a retried batch from re-sending.

    `status` is pending, sent or undeliverable; `attempts` and `last_error` tell operators what the
    SMTP server said. `token_id` names the action link the mail carries, so a retry sends the same link.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_project_id", "project_id"),
        Index("ix_outbox_status", "status"),
    )

    key: str = Field(primary_key=True)
    project_id: str
    template: str
    recipient: str = ""
    subject: str = Field(default="", sa_type=Text)
    status: str = "pending"
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_type=Text)
    token_id: str | None = None
    created_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ActionTokenRow(SQLModel, table=True):
    """The claims behind an emailed action link (domain.links); the URL carries only the id and a signature.

    `used_at` makes a link single-use: it is set once, by a conditional UPDATE.
    """

    __tablename__ = "action_token"
    __table_args__ = (Index("ix_action_token_project_action_subject", "project_id", "action", "subject_id"),)

    token_id: str = Field(primary_key=True)
    subject_id: str
    action: str
    project_id: str
    ref: str
    issued_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    used_result: str | None = Field(default=None, sa_type=Text)


class BlobRefRow(SQLModel, table=True):
    """Which evidence of which project references which stored blob (R16), so garbage collection knows what
    to keep. An evidence item's blob never changes, so the first reference recorded for it stands."""

    __tablename__ = "blob_reference"
    __table_args__ = (Index("ix_blob_reference_digest", "digest"),)

    project_id: str = Field(primary_key=True)
    evidence_id: str = Field(primary_key=True)
    digest: str


class ArchiveRow(SQLModel, table=True):
    """A finished project's or group's whole final view, kept for as long as the university keeps records
    (SPEC §6): every read answers from it once the workflow is gone, whatever Temporal's retention.

    `kind` is `project` or `group`; `view_json` is the view exactly as the workflow built it when it closed, and
    `revision` lets a later write (a late signal's audit entry) replace an earlier one, never the reverse.
    """

    __tablename__ = "archive"
    __table_args__ = (Index("ix_archive_kind_closed_at", "kind", "closed_at"),)

    kind: str = Field(primary_key=True)
    id: str = Field(primary_key=True)
    stage: str
    revision: int
    closed_at: datetime = Field(sa_type=UTCDateTime)
    view_json: str = Field(sa_type=Text)


class ArchivedOutcomeRow(SQLModel, table=True):
    """What an action answered, by its update id, kept when its project or group closed: a retried
    Idempotency-Key answers the same after the workflow is gone (SPEC §4, §6)."""

    __tablename__ = "archived_outcome"

    update_id: str = Field(primary_key=True)
    kind: str
    entity_id: str = Field(index=True)
    outcome_json: str = Field(sa_type=Text)


class DirectoryChangeRow(SQLModel, table=True):
    """R24 for the directory: one row per created or changed faculty, student or semester entry, with who
    changed it, when, through which channel, and each changed field's value before and after (JSON)."""

    __tablename__ = "directory_change"
    __table_args__ = (
        Index("ix_directory_change_kind_entry_id", "kind", "entry_id"),
        Index("ix_directory_change_at", "at"),
    )

    seq: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime)
    actor_id: str
    role: str
    channel: str
    kind: str  # faculty, student or semester
    entry_id: str
    action: str  # created or updated
    changes_json: str = Field(sa_type=Text)


class GroupRow(SQLModel, table=True):
    """The read model group lists and the review digest come from (R8, R9): one row per group proposal,
    the newest revision wins."""

    __tablename__ = "group_proposal"
    __table_args__ = (
        Index("ix_group_proposal_applicant_id", "applicant_id"),
        Index("ix_group_proposal_stage", "stage"),
    )

    id: str = Field(primary_key=True)
    applicant_id: str
    stage: str
    title: str = Field(sa_type=Text)
    category: str
    priority: str
    created_at: datetime = Field(sa_type=UTCDateTime)
    stage_since: datetime = Field(sa_type=UTCDateTime)
    revision: int


class GroupMemberRow(SQLModel, table=True):
    """Who is named in which group proposal (R9), so a student's groups are found by their id."""

    __tablename__ = "group_member"
    __table_args__ = (Index("ix_group_member_student_id", "student_id"),)

    group_id: str = Field(primary_key=True)
    student_id: str = Field(primary_key=True)
    project_id: str | None = None
