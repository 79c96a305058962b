"""The directory the center maintains (SPEC §4): faculty (R10, R13), students (R3) and semesters (R25).

Each PUT replaces the whole entry, so repeating it is harmless; an Idempotency-Key is still honoured as on
every mutating route: the same key answers the first outcome, and with another body it is refused (`api.keyed`).
A changed `leaving_after` starts R22's departure fan-out; a semester is put on schedule (its
SemesterWorkflow) on every PUT, which also re-arms its timers when the dates moved.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from temporalio.service import RPCError

from api.auth import Center
from api.deps import EntryId, IdempotencyKey, SemesterId, SettingsDep, StoreDep, TemporalDep
from api.errors import AUTH, problems
from api.keyed import once_per_key
from api.schemas.directory import FacultyEntry, FacultySaved, SemesterEntry, SemesterScheduled, StudentEntry
from clients.departure import save_faculty_and_announce
from clients.gateway import Unavailable
from clients.semester import schedule_semester
from domain.calendar import Semester
from domain.errors import Code, RuleViolation
from domain.people import Faculty, Student
from store import directory

router = APIRouter(prefix="/v1", tags=["directory"])


def _build(model: type[Semester], **data: Any) -> Semester:
    """A domain model from a request body, its rule failures reported like FastAPI's own (422)."""
    try:
        return model(**data)
    except ValidationError as error:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in error.errors(include_url=False, include_input=False)]
        ) from None


@router.put(
    "/faculty/{faculty_id}",
    summary="Create or replace a faculty directory entry",
    responses=problems(*AUTH, Code.CONFLICT, Code.UNAVAILABLE),
)
async def put_faculty(
    faculty_id: EntryId,
    entry: FacultyEntry,
    user: Center,
    temporal: TemporalDep,
    store: StoreDep,
    settings: SettingsDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> FacultySaved:
    """Who may supervise (R10) and who leaves NTUST after which semester (R13). When `leaving_after`
    changes, every open project the teacher supervises is told (R22): a deadline at that semester's end,
    or lifted again when it is cleared; `departure` says how many projects. 409 CONFLICT when another
    teacher already has this email; 503 (the entry unchanged) when the projects could not be told."""
    faculty = Faculty(id=faculty_id, **entry.model_dump())

    async def save() -> FacultySaved:
        try:
            departure = await save_faculty_and_announce(temporal, store.engine, settings, faculty)
        except IntegrityError:
            raise RuleViolation(Code.CONFLICT, f"Another faculty entry already uses {faculty.email}.") from None
        return FacultySaved(**faculty.model_dump(), departure=departure)

    return await once_per_key(store, request, user, idempotency_key, entry, save, FacultySaved)


@router.put("/students/{student_id}", summary="Create or replace a student", responses=problems(*AUTH))
async def put_student(
    student_id: EntryId,
    entry: StudentEntry,
    user: Center,
    store: StoreDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Student:
    """`has_internship_credit` exempts the student from the course (R3); their projects still run."""
    student = Student(id=student_id, **entry.model_dump())

    async def save() -> Student:
        await store.run(directory.upsert_student, student)
        return student

    return await once_per_key(store, request, user, idempotency_key, entry, save, Student)


@router.put(
    "/semesters/{semester_id}",
    summary="Create or replace a semester",
    responses=problems(*AUTH, Code.UNAVAILABLE),
)
async def put_semester(
    semester_id: SemesterId,
    entry: SemesterEntry,
    user: Center,
    temporal: TemporalDep,
    store: StoreDep,
    settings: SettingsDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> SemesterScheduled:
    """R25: the dates new projects and deadlines are computed from. The semester's workflow mails every
    supervisor their passing list at the start of final exam week (R23) and keeps leaving supervisors'
    deadlines at its end (R22); changed dates re-arm its timers. A 503 means the dates were saved but
    the workflow was not told: send the same PUT again."""
    semester = _build(Semester, id=semester_id, **entry.model_dump())

    async def save() -> SemesterScheduled:
        await store.run(directory.upsert_semester, semester)
        try:
            workflow_id = await schedule_semester(temporal, settings, semester)
        except RPCError as error:
            raise Unavailable(f"Temporal did not answer while scheduling {semester_id}: {error.message}") from error
        return SemesterScheduled(**semester.model_dump(), workflow_id=workflow_id)

    return await once_per_key(store, request, user, idempotency_key, entry, save, SemesterScheduled)
