"""Step 2 (SPEC §4): the student invites a teacher by email (R10-R13); the teacher answers (R11)."""

from __future__ import annotations

from fastapi import APIRouter

from api.auth import Faculty, Student
from api.deps import Acting, IdempotencyKey, ProjectId, StoreDep
from api.errors import ACT, problems
from api.schemas.projects import ActionResult, InvitationRequest
from domain.commands import CancelInvitation, InvitationResponse, Invite
from domain.errors import Code
from domain.people import require_in_directory
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
    after a semester (R13)."""
    found = await store.run(directory.find_faculty_by_email, str(body.faculty_email))
    # The rank is checked by the project itself, against the profile it started with.
    faculty = require_in_directory(found, str(body.faculty_email))
    command = Invite(faculty=faculty, reflection_format=body.reflection_format)
    return await act(user, project_id, ProjectWorkflow.invite, command, idempotency_key, request=body)


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
