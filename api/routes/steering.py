"""The center steers a project (R22): a new supervisor for one whose teacher left NTUST or cannot go on, and
more time before a leaving teacher's deadline.

Operators can do the same from the Temporal UI with the `reassign_supervisor` and `extend_deadline` signals
(docs/operators.md); these routes run the workflow's updates of those names, so a refusal is answered at once
and never recorded.
"""

from __future__ import annotations

from typing import Self

from fastapi import APIRouter
from pydantic import AwareDatetime, BaseModel, EmailStr, Field, model_validator

from api.auth import Center
from api.deps import Acting, IdempotencyKey, ProjectId, StoreDep
from api.errors import ACT, problems
from api.schemas.projects import ActionResult
from domain.entries import ENTRY_ID_PATTERN
from domain.errors import Code, RuleViolation
from domain.people import Faculty, require_in_directory
from domain.steering import ExtendDeadline, Reassign
from store import directory
from workflows.project import ProjectWorkflow

router = APIRouter(prefix="/v1/projects/{project_id}", tags=["steering"])


class ReassignRequest(BaseModel):
    """The new supervisor, by the email or the id the faculty directory knows (one of them), and why."""

    faculty_email: EmailStr | None = None
    faculty_id: str | None = Field(default=None, pattern=ENTRY_ID_PATTERN)
    reason: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _one_teacher(self) -> Self:
        if (self.faculty_email is None) == (self.faculty_id is None):
            raise ValueError("name the new supervisor by faculty_email or by faculty_id (one of them)")
        return self


async def _teacher(store: StoreDep, body: ReassignRequest) -> Faculty:
    """R10 as for an invitation: in the directory; the project checks the rank against its own profile."""
    if body.faculty_id is not None:
        found = await store.run(directory.get_faculty, body.faculty_id)
        if found is None:
            raise RuleViolation(
                Code.SUPERVISOR_NOT_FOUND, f"No teacher with id {body.faculty_id} is in the faculty directory."
            )
        return found
    email = str(body.faculty_email)
    return require_in_directory(await store.run(directory.find_faculty_by_email, email), email)


@router.post(
    "/supervisor",
    summary="Reassign the supervisor",
    responses=problems(*ACT, Code.SUPERVISOR_NOT_FOUND, Code.SUPERVISOR_NOT_ELIGIBLE),
)
async def reassign_supervisor(
    project_id: ProjectId,
    body: ReassignRequest,
    user: Center,
    act: Acting,
    store: StoreDep,
    idempotency_key: IdempotencyKey = None,
) -> ActionResult:
    """R22: the project goes on with the new teacher, who is mailed (with the evaluation link when a closure
    report waits); the student and the former supervisor are told; a leaving deadline is lifted. Only for a
    project with a confirmed supervisor (else the student invites one): 409 INVALID_STAGE otherwise."""
    faculty = await _teacher(store, body)
    command = Reassign(faculty=faculty, reason=body.reason)
    return await act(user, project_id, ProjectWorkflow.reassign, command, idempotency_key, request=body)


class ExtendDeadlineRequest(BaseModel):
    """The new deadline (with its time zone), later than the current one and than now, and why."""

    deadline: AwareDatetime
    reason: str = Field(default="", max_length=2000)


@router.post(
    "/deadline-extension",
    summary="Extend a leaving supervisor's deadline",
    responses=problems(*ACT),
)
async def extend_deadline(
    project_id: ProjectId,
    body: ExtendDeadlineRequest,
    user: Center,
    act: Acting,
    idempotency_key: IdempotencyKey = None,
) -> ActionResult:
    """R22: the deadline moves later; its reminders re-arm before the new date, the student is told, and a
    project already handed to the center goes back to waiting for its supervisor. Only for a project with a
    leaving supervisor's deadline (409 INVALID_STAGE otherwise); a date not later than the current deadline
    and than now is 422 VALIDATION_ERROR."""
    command = ExtendDeadline(deadline=body.deadline, reason=body.reason)
    return await act(user, project_id, ProjectWorkflow.extend, command, idempotency_key, request=body)
