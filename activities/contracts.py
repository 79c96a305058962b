"""What workflows send to activities and get back: plain models, safe to import in the sandbox."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from domain.groups import GroupView
from domain.notices import Notice
from domain.profile import NTUST_V1, CourseProfile
from domain.project import AuditEntry, ProjectSummary, ProjectView


class CreditRequest(BaseModel):
    """R2/R21: record the credit in the semester of the pass."""

    student_id: str
    project_id: str
    passed_at: datetime
    course_code: str = NTUST_V1.course.code  # the project's profile's, for the reason a credit is refused


class SyncProject(BaseModel):
    """What the project's read model is missing, and the notices it owes (R24, the portal's lists, mail).

    `audit` holds every entry since the workflow last synced (the API may have written some already: entries
    are stored once by their sequence number); `evidence` names the evidence blobs added since (R16), so no
    stored blob is ever unreferenced.
    """

    summary: ProjectSummary
    audit: list[AuditEntry]
    evidence: list[tuple[str, str]] = []  # (evidence id, blob digest)
    notices: list[Notice] = []
    at: datetime
    # When the project has closed: its final view for the archive, and what its last actions answered
    # (update id, outcome JSON), so every read and every retried key answers the same once Temporal has
    # forgotten the workflow (SPEC §6).
    closing: ProjectView | None = None
    outcomes: list[tuple[str, str]] = []
    # The project's course profile, for what its mails say about the course (absent before profiles: NTUST's).
    profile: CourseProfile = NTUST_V1


class ArchiveGroup(BaseModel):
    """A finished group's final view and what its last actions answered (update id, outcome JSON)."""

    view: GroupView
    at: datetime
    outcomes: list[tuple[str, str]] = []


class Undelivered(BaseModel):
    """A notice whose mail can never be delivered (`activities.mail.outbox`), and why."""

    key: str
    reason: str


class Synced(BaseModel):
    """The notices the sync could not send at once (the SMTP server did not take them): sent with retries;
    and those that can never be sent (recorded in the project and reported to the center)."""

    unsent: list[str] = []
    undeliverable: list[Undelivered] = []


class Delivered(BaseModel):
    """What a retried batch found it can never send."""

    undeliverable: list[Undelivered] = []


class NoticeBatch(BaseModel):
    """Notices a project owes, delivered in order; each is sent at most once (keyed by Notice.key)."""

    summary: ProjectSummary
    notices: list[Notice]
    at: datetime | None = None  # workflow time when the notices were owed
    profile: CourseProfile = NTUST_V1  # the project's (absent in batches scheduled before profiles: NTUST's)


class DigestRequest(BaseModel):
    """R8: send the review digest due at `at` (workflow time, so a retry or a late worker lists the same day)."""

    at: datetime


class DigestResult(BaseModel):
    """The proposals the digest listed; empty if none had waited long enough and no mail was sent."""

    project_ids: list[str]
