"""Projects (SPEC §4): submit a proposal (R1), read one, list from the read model, withdraw (R24)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Body, Header, Query, Response, status

from api.auth import ProjectReader, Student, actor
from api.deps import Acting, GroupLinking, IdempotencyKey, ProjectId, ProjectsDep, SettingsDep, StoreDep
from api.errors import ACT, AUTH, READ, problems
from api.etags import ETAG, etag_of, matches
from api.reach import fill_from_claims, mail_warning
from api.reading import project_view, readable_project
from api.schemas.projects import ActionResult, ProjectItem, ProjectPage, ProjectPublic
from clients.gateway import fingerprint, reused_key
from clients.project import new_project_id
from domain.calendar import semester_for
from domain.commands import Withdraw
from domain.errors import Code
from domain.groups import LinkMember
from domain.project import ProjectView
from domain.proposal import Proposal
from domain.stages import Stage
from domain.view import summary_of_view
from domain.vocabulary import Role
from store import archive, directory
from store import projects as read_model
from store.standing import standing_of
from workflows.group import GroupWorkflow
from workflows.project import ProjectWorkflow

router = APIRouter(prefix="/v1/projects", tags=["projects"])


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
    group_act: GroupLinking,
    store: StoreDep,
    settings: SettingsDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> ActionResult:
    """R1: no course selection, a proposal is enough; it goes to the center for review (R8).

    The category, the priority tags and the indicators (or competencies) are the course profile's (422
    VALIDATION_ERROR otherwise); the project keeps that profile for good.

    With `group_id` set it is a member's individual proposal linked to an approved group (R9): it starts
    approved, without a second review, and keeps the group's category. Refused with 403 FORBIDDEN for a
    student who is not a member, 404 for an unknown group, 409 INVALID_STAGE while the group is not
    approved and 409 CONFLICT for a member who already linked another project.

    The project id is derived from the caller and the Idempotency-Key, so a retried submission answers
    the same project instead of starting a second one; the same key with another proposal is refused.
    """
    await fill_from_claims(store, user)
    project_id = new_project_id(user.sub, idempotency_key)
    digest = fingerprint("submit_project", proposal)
    archived = await store.run(archive.archived_project, project_id)
    if archived is not None:
        # A retry after the project finished: answered from the archive, never started a second time.
        return _submitted(archived, digest, idempotency_key, response)
    proposal.check_fits(settings.profile)
    semesters = await store.run(directory.list_semesters)
    semester_id = semester_for(datetime.now(UTC), semesters)
    standing = await store.run(standing_of, user.sub, project_id)
    if proposal.group_id is not None:
        link = LinkMember(
            project_id=project_id,
            proposal=proposal,
            semester_id=semester_id,
            standing=standing,
            fingerprint=digest,
            profile=settings.profile,
        )
        linked = await group_act(
            user, proposal.group_id, GroupWorkflow.link_member, link, idempotency_key, request=proposal
        )
        project_id = linked.created_id or project_id
    else:
        await projects.start(
            project_id=project_id,
            student_id=user.sub,
            semester_id=semester_id,
            proposal=proposal,
            actor=actor(user),
            standing=standing,
            fingerprint=digest,
        )
    return _submitted(await project_view(projects, store, project_id), digest, idempotency_key, response)


def _submitted(view: ProjectView, digest: str, key: str | None, response: Response) -> ActionResult:
    """The submission's answer; the same key with another proposal is refused (SPEC §4)."""
    if key is not None and view.submitted_fingerprint not in (None, digest):
        raise reused_key()
    response.headers["Location"] = f"/v1/projects/{view.id}"
    return ActionResult(project=ProjectItem.of(summary_of_view(view)), created_id=view.id)


@router.get("", summary="List projects", responses=problems(*AUTH))
async def list_projects(
    user: ProjectReader,
    store: StoreDep,
    stage: Stage | None = None,
    semester: Annotated[str | None, Query(max_length=32, description="A semester id, e.g. `2026-fall`.")] = None,
    supervisor: Annotated[str | None, Query(max_length=64, description="A faculty id.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> ProjectPage:
    """Students see their own projects, faculty the ones they supervise, the center all.

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
    return ProjectPage(items=[ProjectItem.of(item) for item in items], total=total, limit=limit, offset=offset)


@router.get(
    "/{project_id}",
    summary="Read a project",
    responses={
        200: {"headers": {"ETag": {"description": "The project's revision, for `If-Match`.", "schema": ETAG}}},
        304: {"description": "`If-None-Match` named the current revision: nothing changed."},
        **problems(*READ),
    },
)
async def get_project(
    project_id: ProjectId,
    user: ProjectReader,
    projects: ProjectsDep,
    store: StoreDep,
    response: Response,
    if_none_match: Annotated[str | None, Header(alias="If-None-Match", max_length=200)] = None,
) -> ProjectPublic:
    """Stage, proposal, supervisor, hours (counted and required), evidence, what is still missing for
    the closure report (R18), deadlines and the audit trail (R24). The `ETag` is the revision: send it as
    `If-Match` with a change to act only on what you read. `mail_warning` says why no mail reaches a student
    the directory does not know; a student's own read with the portal's `name` and `email` claims adds them to
    the directory first."""
    await fill_from_claims(store, user)
    view = await readable_project(projects, store, user, project_id)
    tag = etag_of(view.revision)
    if matches(if_none_match, view.revision):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers={"ETag": tag})  # type: ignore[return-value]
    response.headers["ETag"] = tag
    return ProjectPublic.of(view, mail_warning=await store.run(mail_warning, view.id, view.student_id))


@router.post("/{project_id}/withdrawal", summary="Withdraw", responses=problems(*ACT))
async def withdraw(
    project_id: ProjectId,
    user: Student,
    act: Acting,
    body: Annotated[Withdraw | None, Body()] = None,
    idempotency_key: IdempotencyKey = None,
) -> ActionResult:
    """R24: the student may withdraw any time before the project is final; the reason is optional."""
    return await act(user, project_id, ProjectWorkflow.withdraw, body or Withdraw(), idempotency_key)
