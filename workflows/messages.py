"""What the portal, links and the CLI send to the course's workflows and get back, and how refusals travel.

Every update takes an `Act` (who asks, what, and the request's own facts) and a project's updates answer an
`Outcome`: the project's read-model row at the new revision and the audit entries the action wrote, so the
caller keeps the portal's lists current without asking the workflow again, and not the whole project view
(that would repeat the view, audit trail included, in every result event of the history).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Generic, TypeVar

from pydantic import BaseModel, Field
from temporalio.exceptions import ApplicationError

from domain.actors import Actor
from domain.errors import Code, Problem, RuleViolation
from domain.groups import GroupView
from domain.people import StudentStanding
from domain.profile import NTUST_V1, CourseProfile
from domain.project import AuditEntry, Credit, ProjectState, ProjectSummary
from domain.proposal import Proposal

C = TypeVar("C", bound=BaseModel)

RECENT_OUTCOMES = 20  # kept for the archive: a retry after the workflow closed still answers its outcome


class Act(BaseModel, Generic[C]):
    """An action: who asks (R24), what, and two facts of the request itself.

    `fingerprint` identifies the request's content: a retry under the same Idempotency-Key (the update id)
    with another body is recognised by comparing it with the stored outcome's. `if_revision` is the
    revision the caller last saw (HTTP `If-Match`): the action is refused if the project has moved on.
    """

    actor: Actor
    command: C
    fingerprint: str | None = None
    if_revision: int | None = None
    # The emailed link's token id when the action comes from one (an update, or its fallback signal): the
    # project notes each use it applied, so the fallback signal of a click whose update was applied after all
    # is recognised and dropped instead of recorded as refused.
    link_use: str | None = None


class Outcome(BaseModel):
    """An accepted project action: the project's row as it now stands and what the action wrote and created."""

    summary: ProjectSummary
    audit: list[AuditEntry] = Field(default_factory=list)
    created_id: str | None = None
    warning: str | None = None
    credit: Credit | None = None
    fingerprint: str | None = None


class StoredOutcome(BaseModel):
    """An outcome with the update id it answered, archived when the project closes."""

    update_id: str
    outcome: Outcome


class GroupOutcome(BaseModel):
    """An accepted group action: the group as it now stands (small: a group's view is its proposal and members)."""

    view: GroupView
    created_id: str | None = None
    fingerprint: str | None = None


class ProjectStart(BaseModel):
    """Start a project (R1: no course selection, a proposal is enough); `state` carries it across continue-as-new."""

    project_id: str
    student_id: str
    semester_id: str
    proposal: Proposal
    submitted_by: Actor
    group_approved: bool = False
    standing: StudentStanding | None = None  # R2, R3, as the portal found them at submission
    fingerprint: str | None = None
    state: ProjectState | None = None
    # What the workflow itself has written to the read model, carried across continue-as-new.
    synced_revision: int = -1
    synced_audit: int = 0
    synced_evidence: int = 0
    recent: list[StoredOutcome] = Field(default_factory=list)
    # Continue as new past this many events even if the server has not suggested it yet (tests set it low).
    history_limit: int = 10_000
    # The course profile the project starts under and keeps (SPEC §7). Starts recorded before profiles have
    # none: they are NTUST's first, so their histories replay as they ran.
    profile: CourseProfile = NTUST_V1


class Refusal(BaseModel):
    """The details of a refused action, carried in ApplicationError.details."""

    problems: list[Problem]
    retry_after: datetime | None = None


@contextmanager
def refusing() -> Iterator[None]:
    """Turn a broken rule into an ApplicationError whose type is the stable problem code.

    Raised from an update validator, it rejects the update without writing anything to history.
    """
    try:
        yield
    except RuleViolation as violation:
        raise ApplicationError(
            violation.detail,
            Refusal(problems=violation.problems, retry_after=violation.retry_after),
            type=violation.code.value,
            non_retryable=True,
        ) from None


def check_revision(current: int, act: Act[C]) -> None:
    """HTTP If-Match: the caller acts on the revision it saw, or is told the project moved on."""
    if act.if_revision is not None and act.if_revision != current:
        raise RuleViolation(
            Code.PRECONDITION_FAILED,
            f"The project changed since revision {act.if_revision} (it is at {current}): read it again and retry.",
        )
