"""Step 2 (SPEC §4): the student invites a teacher by email (R10-R13); the teacher answers (R11)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, EmailStr

from api.deps import ActionsDep, Faculty, IdempotencyKey, ProjectId, StoreDep, Student
from api.errors import ACT, problems
from domain.commands import InvitationResponse, Invite
from domain.errors import Code
from domain.people import check_can_supervise
from domain.vocabulary import ReflectionFormat
from store import directory
from workflows.messages import Outcome

router = APIRouter(prefix="/v1/projects/{project_id}/invitation", tags=["supervision"])


class InvitationRequest(BaseModel):
    """Who the student asks to supervise, by the email the directory knows, and the proposed format (R11)."""

    faculty_email: EmailStr
    reflection_format: ReflectionFormat


@router.post(
    "",
    summary="Invite a supervisor",
    responses=problems(*ACT, Code.SUPERVISOR_NOT_FOUND, Code.SUPERVISOR_NOT_ELIGIBLE),
)
async def invite_supervisor(
    project_id: ProjectId,
    body: InvitationRequest,
    user: Student,
    actions: ActionsDep,
    store: StoreDep,
    idempotency_key: IdempotencyKey = None,
) -> Outcome:
    """R10: the teacher must be in the faculty directory with an eligible rank (never staff). One
    invitation is pending at a time (R12). `warning` is set when the teacher leaves NTUST after a
    semester (R13)."""
    await actions.visible(user, project_id)
    found = await store.run(directory.find_faculty_by_email, str(body.faculty_email))
    faculty = check_can_supervise(found, str(body.faculty_email))
    command = Invite(faculty=faculty, reflection_format=body.reflection_format)
    return await actions.act(user, project_id, "invite", command, idempotency_key)


@router.delete("", summary="Cancel the pending invitation", responses=problems(*ACT))
async def cancel_invitation(
    project_id: ProjectId, user: Student, actions: ActionsDep, idempotency_key: IdempotencyKey = None
) -> Outcome:
    """R12: the student may withdraw a pending invitation and invite someone else."""
    return await actions.run(user, project_id, "cancel_invitation", None, idempotency_key)


@router.post("/response", summary="Accept or decline supervising", responses=problems(*ACT))
async def respond_to_invitation(
    project_id: ProjectId,
    body: InvitationResponse,
    user: Faculty,
    actions: ActionsDep,
    idempotency_key: IdempotencyKey = None,
) -> Outcome:
    """R11, for the invited teacher: accepting agrees on the proposed reflection format unless
    `reflection_format` names another; declining may give a `reason`. Email links do the same."""
    return await actions.run(user, project_id, "respond_invitation", body, idempotency_key)
