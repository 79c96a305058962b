"""Group projects (R9): one applicant's group proposal naming the members, reviewed by the center like a
proposal (R8). Once approved, each member submits an individual proposal with `group_id` set
(`POST /v1/projects`), which starts approved without a second review.

A group is visible to its members and the center; anyone else gets 404, as for a project.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Response, status
from pydantic import BaseModel, Field
from sqlmodel import Session

from api.auth import Claims
from api.deps import Center, GroupsDep, IdempotencyKey, Reader, StoreDep, Student, actor, once
from api.errors import ACT, AUTH, READ, problems
from clients.group import GroupClient, new_group_id
from domain.commands import Review
from domain.errors import Code, RuleViolation
from domain.groups import GroupProposal, GroupView, ReviseGroup
from domain.stages import Stage
from domain.vocabulary import Role
from store import projects as read_model

router = APIRouter(prefix="/v1/groups", tags=["groups"])

GroupId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="The group id `POST /v1/groups` returned.")]


class LinkedProject(BaseModel):
    """A member's linked project as the read model has it; `stage` is null for moments after it started."""

    student_id: str
    project_id: str
    stage: Stage | None
    stage_since: datetime | None


class GroupDetail(GroupView):
    """The group (members with the project each linked), and each linked project's current stage."""

    projects: list[LinkedProject] = Field(description="One entry per member who linked a project (R9).")


def may_read(user: Claims, view: GroupView) -> bool:
    if user.role is Role.CENTER:
        return True
    return user.role is Role.STUDENT and (user.sub == view.applicant_id or view.member(user.sub) is not None)


async def readable_group(groups: GroupClient, user: Claims, group_id: str) -> GroupView:
    """The group as it stands, or 404 NOT_FOUND for callers who may not know it exists."""
    view = await groups.view(group_id)
    if not may_read(user, view):
        raise RuleViolation(Code.NOT_FOUND, "No such group.")
    return view


def _linked_projects(s: Session, view: GroupView) -> list[LinkedProject]:
    linked: list[LinkedProject] = []
    for member in view.members:
        if member.project_id is None:
            continue
        summary = read_model.get_project(s, member.project_id)
        linked.append(
            LinkedProject(
                student_id=member.student_id,
                project_id=member.project_id,
                stage=summary.stage if summary else None,
                stage_since=summary.stage_since if summary else None,
            )
        )
    return linked


async def _act(
    groups: GroupsDep,
    store: StoreDep,
    user: Claims,
    group_id: str,
    update: str,
    command: Review | ReviseGroup,
    key: str | None,
) -> GroupView:
    await readable_group(groups, user, group_id)
    return await once(
        store,
        user,
        f"group {update} {group_id}",
        command,
        key,
        lambda: groups.act(group_id, update, actor(user), command, key),
        GroupView,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Submit a group proposal",
    responses=problems(*AUTH, Code.UNAVAILABLE),
)
async def submit_group(
    proposal: GroupProposal,
    user: Student,
    groups: GroupsDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> GroupView:
    """R9: the applicant names every member by student id, themselves included; each must be in the student
    directory (422 otherwise). The center reviews it like a proposal (R8). The group id is derived from
    the caller and the Idempotency-Key, so a retried submission answers the same group."""
    group_id = new_group_id(user.sub, idempotency_key)
    await groups.start(group_id=group_id, applicant=actor(user), proposal=proposal)
    response.headers["Location"] = f"/v1/groups/{group_id}"
    return await groups.view(group_id)


@router.get("/{group_id}", summary="Read a group", responses=problems(*READ))
async def get_group(group_id: GroupId, user: Reader, groups: GroupsDep, store: StoreDep) -> GroupDetail:
    """The proposal, its reviews and audit trail, every member with the project they linked, and each linked
    project's stage; for the group's members and the center."""
    view = await readable_group(groups, user, group_id)
    linked = await store.run(_linked_projects, view)
    return GroupDetail(**view.model_dump(), projects=linked)


@router.post("/{group_id}/review", summary="Review a group proposal", responses=problems(*ACT))
async def review_group(
    group_id: GroupId,
    body: Review,
    user: Center,
    groups: GroupsDep,
    store: StoreDep,
    idempotency_key: IdempotencyKey = None,
) -> GroupView:
    """R8/R9: `approve` (every member is mailed to submit their linked proposal), `request_changes` or
    `reject`; the last two need a comment for the applicant."""
    return await _act(groups, store, user, group_id, "review", body, idempotency_key)


@router.put("/{group_id}/proposal", summary="Revise a group proposal", responses=problems(*ACT))
async def revise_group(
    group_id: GroupId,
    proposal: GroupProposal,
    user: Student,
    groups: GroupsDep,
    store: StoreDep,
    idempotency_key: IdempotencyKey = None,
) -> GroupView:
    """After `request_changes` the applicant replaces the proposal, members included; it goes back to
    review. Only the applicant (403 for other members)."""
    return await _act(groups, store, user, group_id, "revise", ReviseGroup(proposal=proposal), idempotency_key)
