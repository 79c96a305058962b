"""Step 1 (SPEC §4): the center reviews a proposal (R8); the student revises it when asked to."""

from __future__ import annotations

from fastapi import APIRouter

from api.auth import Center, Student
from api.deps import Acting, IdempotencyKey, ProjectId
from api.errors import ACT, problems
from api.schemas.projects import ActionResult
from domain.commands import Review, ReviseProposal
from domain.proposal import Proposal
from workflows.project import ProjectWorkflow

router = APIRouter(prefix="/v1/projects/{project_id}", tags=["proposal"])


@router.post("/review", summary="Review a proposal", responses=problems(*ACT))
async def review_proposal(
    project_id: ProjectId, body: Review, user: Center, act: Acting, idempotency_key: IdempotencyKey = None
) -> ActionResult:
    """R8: `approve`, `request_changes` or `reject`; the last two need a comment for the student."""
    return await act(user, project_id, ProjectWorkflow.review, body, idempotency_key)


@router.put("/proposal", summary="Revise a proposal", responses=problems(*ACT))
async def revise_proposal(
    project_id: ProjectId, proposal: Proposal, user: Student, act: Acting, idempotency_key: IdempotencyKey = None
) -> ActionResult:
    """After `request_changes`, the student replaces the proposal; it goes back to review (R8)."""
    return await act(
        user, project_id, ProjectWorkflow.revise_proposal, ReviseProposal(proposal=proposal), idempotency_key
    )
