"""Steps 4-5 (SPEC §4): the closure report (R18), its evaluation (R19) and reminders (R20)."""

from __future__ import annotations

from fastapi import APIRouter

from api.auth import Faculty, Student
from api.deps import Acting, IdempotencyKey, ProjectId
from api.errors import ACT, problems
from api.schemas.projects import ActionResult, ClosureReportRequest
from domain.commands import Evaluate, RequestReminder
from domain.errors import Code
from workflows.project import ProjectWorkflow

router = APIRouter(prefix="/v1/projects/{project_id}", tags=["closure"])

CHECKLIST = (
    Code.SUPERVISOR_NOT_CONFIRMED,
    Code.HOURS_BELOW_MINIMUM,
    Code.PHOTOS_MISSING,
    Code.REFLECTION_RECORD_MISSING,
)


@router.post("/closure-report", summary="Submit the closure report", responses=problems(*ACT, *CHECKLIST))
async def submit_closure(
    project_id: ProjectId,
    body: ClosureReportRequest,
    user: Student,
    act: Acting,
    idempotency_key: IdempotencyKey = None,
) -> ActionResult:
    """R18: refused until a supervisor confirmed, 36 hours count, three captioned participation photos and
    one reflection record exist; the refusal's `problems` names every missing item. The narrative covers
    ideas, process and reflection, with `{indicator, how}` for each indicator the proposal chose (the
    proposal's shape). The supervisor is then asked to evaluate (R19)."""
    return await act(user, project_id, ProjectWorkflow.submit_closure, body.command(), idempotency_key, request=body)


@router.post("/evaluation", summary="Evaluate the closure report", responses=problems(*ACT))
async def evaluate(
    project_id: ProjectId, body: Evaluate, user: Faculty, act: Acting, idempotency_key: IdempotencyKey = None
) -> ActionResult:
    """R19, for the project's supervisor: `pass` records the credit (R2, R21), `fail` and `revise` need
    feedback; `revise` returns the report to the student."""
    return await act(user, project_id, ProjectWorkflow.evaluate, body, idempotency_key)


@router.post("/supervisor-reminder", summary="Remind the supervisor", responses=problems(*ACT, Code.RATE_LIMITED))
async def remind_supervisor(
    project_id: ProjectId, user: Student, act: Acting, idempotency_key: IdempotencyKey = None
) -> ActionResult:
    """R20: while an evaluation is pending, at most once every 3 days; `Retry-After` says when again."""
    return await act(user, project_id, ProjectWorkflow.request_reminder, RequestReminder(), idempotency_key)
