"""Projects (SPEC §4): submit a proposal (R1), read one from its workflow, list from the read model."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Body, Query, Response, status
from pydantic import BaseModel

from api.deps import (
    ActionsDep,
    GroupsDep,
    IdempotencyKey,
    ProjectId,
    ProjectsDep,
    Reader,
    StoreDep,
    Student,
    actor,
    readable_project,
)
from api.errors import ACT, AUTH, READ, problems
from clients.project import new_project_id
from domain.calendar import semester_for
from domain.commands import Withdraw
from domain.errors import Code
from domain.project import ProjectSummary, ProjectView
from domain.proposal import Proposal
from domain.stages import Stage
from domain.vocabulary import Role
from store import directory
from store import projects as read_model
from workflows.messages import Outcome

router = APIRouter(prefix="/v1/projects", tags=["projects"])


class ProjectPage(BaseModel):
    """One page of projects, most recently changed first; `total` counts every match."""

    items: list[ProjectSummary]
    total: int
    limit: int
    offset: int


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Submit a proposal",
    responses=problems(*AUTH, Code.NOT_FOUND, Code.INVALID_STAGE, Code.CONFLICT, Code.UNAVAILABLE),
)
async def submit_project(
    proposal: Proposal,
    user: Student,
    projects: ProjectsDep,
    groups: GroupsDep,
    store: StoreDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> ProjectView:
    """R1: no course selection, a proposal is enough; it goes to the center for review (R8).

    With `group_id` set it is a member's individual proposal linked to an approved group (R9): it starts
    approved, without a second review, and keeps the group's category. Refused with 403 FORBIDDEN for a
    student who is not a member, 404 for an unknown group, 409 INVALID_STAGE while the group is not
    approved and 409 CONFLICT for a member who already linked another project.

    The project id is derived from the caller and the Idempotency-Key, so a retried submission answers
    the same project instead of starting a second one.
    """
    semesters = await store.run(directory.list_semesters)
    semester_id = semester_for(datetime.now(UTC), semesters)
    if proposal.group_id is not None:
        project_id = await groups.link_member_and_start_project(
            projects,
            group_id=proposal.group_id,
            actor=actor(user),
            semester_id=semester_id,
            proposal=proposal,
            key=idempotency_key,
        )
    else:
        project_id = new_project_id(user.sub, idempotency_key)
        await projects.start(
            project_id=project_id,
            student_id=user.sub,
            semester_id=semester_id,
            proposal=proposal,
            actor=actor(user),
        )
    response.headers["Location"] = f"/v1/projects/{project_id}"
    return await projects.view(project_id)


@router.get("", summary="List projects", responses=problems(*AUTH))
async def list_projects(
    user: Reader,
    store: StoreDep,
    stage: Stage | None = None,
    semester: Annotated[str | None, Query(max_length=32, description="A semester id, e.g. `2026-fall`.")] = None,
    supervisor: Annotated[str | None, Query(max_length=64, description="A faculty id.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> ProjectPage:
    """Students see their own projects, faculty the ones they supervise, the center and OSA all.

    Served from the read model, which follows each change within moments; `GET /v1/projects/{id}` is
    always current.
    """
    student_id = user.sub if user.role is Role.STUDENT else None
    if user.role is Role.FACULTY:
        if supervisor not in (None, user.sub):
            return ProjectPage(items=[], total=0, limit=limit, offset=offset)
        supervisor = user.sub
    items, total = await store.run(
        read_model.list_projects,
        student_id=student_id,
        supervisor_id=supervisor,
        stage=stage,
        semester_id=semester,
        limit=limit,
        offset=offset,
    )
    return ProjectPage(items=items, total=total, limit=limit, offset=offset)


@router.get("/{project_id}", summary="Read a project", responses=problems(*READ))
async def get_project(project_id: ProjectId, user: Reader, projects: ProjectsDep) -> ProjectView:
    """Stage, proposal, supervisor, hours (counted and required), evidence, what is still missing for
    the closure report (R18), deadlines and the audit trail (R24), straight from the workflow."""
    return await readable_project(projects, user, project_id)


@router.post("/{project_id}/withdrawal", summary="Withdraw", responses=problems(*ACT))
async def withdraw(
    project_id: ProjectId,
    user: Student,
    actions: ActionsDep,
    body: Annotated[Withdraw | None, Body()] = None,
    idempotency_key: IdempotencyKey = None,
) -> Outcome:
    """R24: the student may withdraw any time before the project is final; the reason is optional."""
    return await actions.run(user, project_id, "withdraw", body or Withdraw(), idempotency_key)
