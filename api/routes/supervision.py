"""Step 2 (SPEC §4): the student invites a teacher by email (R10-R13); the teacher answers (R11)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter
from sqlmodel import Session

from api.auth import Faculty, Student
from api.deps import Acting, IdempotencyKey, ProjectId, StoreDep
from api.errors import ACT, problems
from api.schemas.projects import ActionResult, InvitationRequest
from domain.calendar import conventional_end
from domain.commands import CancelInvitation, InvitationResponse, Invite
from domain.errors import Code
from domain.people import Faculty as FacultyEntry
from domain.people import check_not_departed, require_in_directory
from store import directory
from workflows.project import ProjectWorkflow

router = APIRouter(prefix="/v1/projects/{project_id}/invitation", tags=["supervision"])


@router.post(
    "",
    summary="Invite a supervisor",
    responses=problems(*ACT, Code.SUPERVISOR_NOT_FOUND, Code.SUPERVISOR_NOT_ELIGIBLE),
)
async def invite_supervisor(
    project_id: ProjectId,
    body: InvitationRequest,
    user: Student,
    act: Acting,
    store: StoreDep,
    idempotency_key: IdempotencyKey = None,
) -> ActionResult:
    """R10: the teacher must be in the faculty directory with a rank the project's course profile accepts
    (never staff). One invitation is pending at a time (R12). `warning` is set when the teacher leaves NTUST
    after a semester (R13); a teacher whose `leaving_after` semester has already ended is refused (422
    SUPERVISOR_NOT_ELIGIBLE)."""
    found = await store.run(directory.find_faculty_by_email, str(body.faculty_email))
    # The rank is checked by the project itself, against the profile it started with.
    faculty = require_in_directory(found, str(body.faculty_email))
    departs_at = await store.run(_departs_at, faculty)
    check_not_departed(faculty, departs_at, datetime.now(UTC))
    command = Invite(faculty=faculty, reflection_format=body.reflection_format, departs_at=departs_at)
    return await act(user, project_id, ProjectWorkflow.invite, command, idempotency_key, request=body)


def _departs_at(s: Session, faculty: FacultyEntry) -> datetime | None:
    """R13: when the teacher leaves NTUST: the end of their `leaving_after` semester as the office entered it,
    else that term's usual end."""
    if faculty.leaving_after is None:
        return None
    semester = directory.get_semester(s, faculty.leaving_after)
    return semester.ends_at if semester is not None else conventional_end(faculty.leaving_after)


@router.delete("", summary="Cancel the pending invitation", responses=problems(*ACT))
async def cancel_invitation(
    project_id: ProjectId, user: Student, act: Acting, idempotency_key: IdempotencyKey = None
) -> ActionResult:
    """R12: the student may withdraw a pending invitation and invite someone else."""
    return await act(user, project_id, ProjectWorkflow.cancel_invitation, CancelInvitation(), idempotency_key)


@router.post("/response", summary="Accept or decline supervising", responses=problems(*ACT))
async def respond_to_invitation(
    project_id: ProjectId,
    body: InvitationResponse,
    user: Faculty,
    act: Acting,
    idempotency_key: IdempotencyKey = None,
) -> ActionResult:
    """R11, for the invited teacher: accepting agrees on the proposed reflection format unless
    `reflection_format` names another; declining may give a `reason`. Email links do the same."""
    return await act(user, project_id, ProjectWorkflow.respond_invitation, body, idempotency_key)
