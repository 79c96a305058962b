"""Group projects (R9): one applicant's group proposal naming the members, reviewed by the center like a
proposal (R8). Once approved, each member submits an individual proposal with `group_id` set
(`POST /v1/projects`), which starts approved without a second review.

A group is visible to its members and the center; anyone else gets 404, as for a project.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Response, status
from sqlmodel import Session

from api.auth import Center, Reader, Student, actor
from api.deps import GroupActing, GroupsDep, IdempotencyKey, SettingsDep, StoreDep
from api.errors import ACT, AUTH, READ, problems
from api.etags import ETAG, etag_of
from api.reach import fill_from_claims
from api.reading import group_view, readable_group
from api.schemas.groups import (
    GroupActionResult,
    GroupDetail,
    GroupItem,
    GroupMemberLink,
    GroupPage,
    GroupPublic,
    LinkedProject,
)
from clients.group import new_group_id
from domain.commands import Review, Withdraw
from domain.entries import ITEM_ID_PATTERN
from domain.errors import Code
from domain.group_transitions import check_members_known, check_submit
from domain.groups import GroupProposal, GroupStage, GroupView, ReviseGroup
from domain.vocabulary import Role
from store import archive, directory
from store import groups as group_lists
from store import projects as read_model
from workflows.group import GroupWorkflow

router = APIRouter(prefix="/v1/groups", tags=["groups"])

GroupId = Annotated[str, Path(pattern=ITEM_ID_PATTERN, description="The group id `POST /v1/groups` returned.")]


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


async def _check_members(store: StoreDep, proposal: GroupProposal) -> None:
    """R9: every member named must be a student the directory knows, or they could never be told or link."""
    known = await store.run(_known, proposal.members)
    check_members_known(proposal, known)


def _known(s: Session, student_ids: Collection[str]) -> set[str]:
    return directory.known_student_ids(s, student_ids)


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
    store: StoreDep,
    settings: SettingsDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> GroupActionResult:
    """R9: the applicant names every member by student id, themselves included; each must be in the student
    directory (422 otherwise). The center reviews it like a proposal (R8). The group id is derived from
    the caller and the Idempotency-Key, so a retried submission answers the same group."""
    check_submit(actor(user), proposal)
    proposal.check_fits(settings.profile)
    await fill_from_claims(store, user)
    await _check_members(store, proposal)
    group_id = new_group_id(user.sub, idempotency_key)
    # A retry after the group finished answers it from the archive: its id must not start a second group.
    if await store.run(archive.archived_group, group_id) is None:
        await groups.start(group_id=group_id, applicant=actor(user), proposal=proposal, key=idempotency_key)
    response.headers["Location"] = f"/v1/groups/{group_id}"
    view = await group_view(groups, store, group_id)
    await store.run(group_lists.save_group, view)
    return GroupActionResult(group=GroupPublic.of(view), created_id=group_id)


@router.get("", summary="List group proposals", responses=problems(*AUTH))
async def list_groups(
    user: Reader,
    store: StoreDep,
    stage: GroupStage | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> GroupPage:
    """R9: a student sees the groups they applied for or are named in, the center all of them, newest
    first, each with its members and the project each linked; filter by `stage`. Served from the read
    model, which follows every group action at once; `GET /v1/groups/{id}` has the whole group."""
    if user.role not in (Role.STUDENT, Role.CENTER):
        return GroupPage(items=[], total=0, limit=limit, offset=offset)
    student_id = user.sub if user.role is Role.STUDENT else None
    items, total = await store.run(
        group_lists.list_groups, student_id=student_id, stage=stage, limit=limit, offset=offset
    )
    return GroupPage(
        items=[
            GroupItem(
                **item.model_dump(exclude={"members"}),
                members=[GroupMemberLink(student_id=m, project_id=p) for m, p in item.members],
            )
            for item in items
        ],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/{group_id}",
    summary="Read a group",
    responses={
        200: {"headers": {"ETag": {"description": "The group's revision, for `If-Match`.", "schema": ETAG}}},
        **problems(*READ),
    },
)
async def get_group(
    group_id: GroupId, user: Reader, groups: GroupsDep, store: StoreDep, response: Response
) -> GroupDetail:
    """The proposal, its reviews and audit trail, every member with the project they linked, and each linked
    project's stage; for the group's members and the center. The `ETag` is the group's revision: send it as
    `If-Match` with a review or a revision to act only on what you read."""
    view = await readable_group(groups, store, user, group_id)
    response.headers["ETag"] = etag_of(view.revision)
    # The group lists follow what was read (newest revision wins): a group submitted before the lists existed
    # is listed from the first time anyone opens it.
    await store.run(group_lists.save_group, view)
    linked = await store.run(_linked_projects, view)
    return GroupDetail(**GroupPublic.of(view).model_dump(), projects=linked)


@router.post("/{group_id}/review", summary="Review a group proposal", responses=problems(*ACT))
async def review_group(
    group_id: GroupId, body: Review, user: Center, act: GroupActing, idempotency_key: IdempotencyKey = None
) -> GroupActionResult:
    """R8/R9: `approve` (every member is mailed to submit their linked proposal), `request_changes` or
    `reject`; the last two need a comment for the applicant."""
    outcome = await act(user, group_id, GroupWorkflow.review, body, idempotency_key)
    return GroupActionResult(group=GroupPublic.of(outcome.view))


@router.put("/{group_id}/proposal", summary="Revise a group proposal", responses=problems(*ACT))
async def revise_group(
    group_id: GroupId,
    proposal: GroupProposal,
    user: Student,
    act: GroupActing,
    store: StoreDep,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> GroupActionResult:
    """After `request_changes` the applicant replaces the proposal, members included; it goes back to
    review. Only the applicant (403 for other members)."""
    proposal.check_fits(settings.profile)
    await _check_members(store, proposal)
    command = ReviseGroup(proposal=proposal)
    outcome = await act(user, group_id, GroupWorkflow.revise, command, idempotency_key)
    return GroupActionResult(group=GroupPublic.of(outcome.view))


@router.post("/{group_id}/withdrawal", summary="Withdraw a group proposal", responses=problems(*ACT))
async def withdraw_group(
    group_id: GroupId,
    user: Student,
    act: GroupActing,
    body: Annotated[Withdraw | None, Body()] = None,
    idempotency_key: IdempotencyKey = None,
) -> GroupActionResult:
    """R9/R24: the applicant withdraws the group proposal while it is in review or waiting for their
    revision (409 INVALID_STAGE once approved: from then on each member's project is their own). Other
    members are 403. The reason is optional and kept in the group's audit trail."""
    outcome = await act(user, group_id, GroupWorkflow.withdraw, body or Withdraw(), idempotency_key)
    return GroupActionResult(group=GroupPublic.of(outcome.view))
