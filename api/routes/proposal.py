"""Step 1 (SPEC §4): the center reviews a proposal (R8); the student revises it when asked to."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import ActionsDep, Center, IdempotencyKey, ProjectId, Student
from api.errors import ACT, problems
from domain.commands import Review, ReviseProposal
from domain.proposal import Proposal
from workflows.messages import Outcome

router = APIRouter(prefix="/v1/projects/{project_id}", tags=["proposal"])


@router.post("/review", summary="Review a proposal", responses=problems(*ACT))
async def review_proposal(
    project_id: ProjectId, body: Review, user: Center, actions: ActionsDep, idempotency_key: IdempotencyKey = None
) -> Outcome:
    """R8: `approve`, `request_changes` or `reject`; the last two need a comment for the student."""
    return await actions.run(user, project_id, "review", body, idempotency_key)


@router.put("/proposal", summary="Revise a proposal", responses=problems(*ACT))
async def revise_proposal(
    project_id: ProjectId,
    proposal: Proposal,
    user: Student,
    actions: ActionsDep,
    idempotency_key: IdempotencyKey = None,
) -> Outcome:
    """After `request_changes`, the student replaces the proposal; it goes back to review (R8)."""
    return await actions.run(user, project_id, "revise_proposal", ReviseProposal(proposal=proposal), idempotency_key)
