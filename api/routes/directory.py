"""The directory the center maintains (SPEC §4): faculty (R10, R13), students (R3) and semesters (R25).

Each PUT replaces the whole entry, so repeating it is harmless, and answers the envelope of every change (the
entry, `created_id` and `warning`): 201 when it created the entry, 200 when it replaced one. An Idempotency-Key is
still honoured as on every mutating route: the same key answers the first outcome (body and status), and with
another body it is refused (`api.keyed`).
The center reads the directory back (one entry, or a page); a teacher or a student may read their own entry.
A changed `leaving_after` starts R22's departure fan-out; a semester is put on schedule (its
SemesterWorkflow) on every PUT, which also re-arms its timers when the dates moved.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from temporalio.service import RPCError

from api.auth import Center, Claims, Reader, actor
from api.deps import EntryId, IdempotencyKey, SemesterId, SettingsDep, StoreDep, TemporalDep
from api.errors import AUTH, READ, problems
from api.keyed import answered, once_per_key
from api.schemas.directory import (
    FacultyActionResult,
    FacultyEntry,
    FacultyPage,
    SemesterActionResult,
    SemesterEntry,
    StudentActionResult,
    StudentEntry,
    StudentPage,
)
from api.schemas.projects import Envelope
from clients.departure import save_faculty_and_announce
from clients.gateway import Unavailable
from clients.semester import schedule_semester
from domain.calendar import Semester, unentered_end
from domain.errors import Code, RuleViolation
from domain.leaving import departure_warning, moved_end_warning, unentered_semester_warning
from domain.people import Faculty, Student
from domain.vocabulary import Role
from store import departures, directory

router = APIRouter(prefix="/v1", tags=["directory"])


def _build(model: type[Semester], **data: Any) -> Semester:
    """A domain model from a request body, its rule failures reported like FastAPI's own (422)."""
    try:
        return model(**data)
    except ValidationError as error:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in error.errors(include_url=False, include_input=False)]
        ) from None


def _created(result: type[Envelope]) -> dict[int | str, dict[str, Any]]:
    return {201: {"model": result, "description": "Created: the entry is new, its id in `created_id`."}}


@router.put(
    "/faculty/{faculty_id}",
    summary="Create or replace a faculty directory entry",
    responses={**_created(FacultyActionResult), **problems(*AUTH, Code.CONFLICT, Code.UNAVAILABLE)},
)
async def put_faculty(
    faculty_id: EntryId,
    entry: FacultyEntry,
    user: Center,
    temporal: TemporalDep,
    store: StoreDep,
    settings: SettingsDep,
    request: Request,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> FacultyActionResult:
    """Who may supervise (R10) and who leaves NTUST after which semester (R13). Answers the envelope of every
    change: the entry as `GET /v1/faculty/{id}` reads it, `created_id` (201) when the PUT created it. When
    `leaving_after` changes, every open project the teacher supervises is told (R22): a deadline at that
    semester's end, or lifted again when it is cleared; `departure` says how many projects, and `warning`
    says what it means for them (and when the semester is not in the calendar yet, which end they work to).
    409 CONFLICT when another teacher already has this email; 503 (the entry unchanged) when the projects
    could not be told."""
    faculty = Faculty(id=faculty_id, **entry.model_dump())

    async def save() -> FacultyActionResult:
        try:
            saved = await save_faculty_and_announce(temporal, store.engine, settings, faculty, actor(user))
        except IntegrityError:
            raise RuleViolation(Code.CONFLICT, f"Another faculty entry already uses {faculty.email}.") from None
        stored = await store.run(directory.get_faculty, faculty_id)
        assert stored is not None  # just written; a directory entry is never deleted
        told = saved.departure.open_projects if saved.departure is not None else 0
        notes = [departure_warning(stored, told)]
        if stored.leaving_after is not None and await store.run(directory.get_semester, stored.leaving_after) is None:
            end = unentered_end(stored.leaving_after, datetime.now(UTC))
            notes.append(unentered_semester_warning(stored.leaving_after, end))
        return FacultyActionResult(
            faculty=stored,
            created_id=faculty_id if saved.created else None,
            warning=" ".join(note for note in notes if note) or None,
            departure=saved.departure,
        )

    answer = await once_per_key(store, request, user, idempotency_key, entry, save, FacultyActionResult)
    return answered(response, answer, f"/v1/faculty/{faculty_id}")


Limit = Annotated[int, Query(ge=1, le=200)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


def _own_or_center(user: Claims, role: Role, entry_id: str, what: str) -> None:
    """The center reads every entry; a teacher or a student their own; anyone else learns nothing (404)."""
    if user.role is not Role.CENTER and not (user.role is role and user.sub == entry_id):
        raise RuleViolation(Code.NOT_FOUND, f"No {what} {entry_id} in the directory.")


@router.get("/faculty", summary="List the faculty directory", responses=problems(*AUTH))
async def list_faculty(
    user: Center,
    store: StoreDep,
    department: Annotated[str | None, Query(max_length=200, description="Only this department's teachers.")] = None,
    leaving: Annotated[
        bool | None,
        Query(description="`true`: only teachers whose `leaving_after` names a semester (R13); `false`: the others."),
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> FacultyPage:
    """The directory as invitations (R10) and departures (R13, R22) read it, by name, `{items, total, limit,
    offset}`."""
    items, total = await store.run(
        directory.page_faculty, department=department, leaving=leaving, limit=limit, offset=offset
    )
    return FacultyPage(items=items, total=total, limit=limit, offset=offset)


@router.get("/faculty/{faculty_id}", summary="Read a faculty directory entry", responses=problems(*READ))
async def get_faculty(faculty_id: EntryId, user: Reader, store: StoreDep) -> Faculty:
    """For the center, or the teacher themselves; 404 for an id the directory does not have."""
    _own_or_center(user, Role.FACULTY, faculty_id, "teacher")
    found = await store.run(directory.get_faculty, faculty_id)
    if found is None:
        raise RuleViolation(Code.NOT_FOUND, f"No teacher {faculty_id} in the directory.")
    return found


@router.get("/students", summary="List the students", responses=problems(*AUTH))
async def list_students(user: Center, store: StoreDep, limit: Limit = 50, offset: Offset = 0) -> StudentPage:
    """Every student the directory knows, by id, `{items, total, limit, offset}`."""
    items, total = await store.run(directory.page_students, limit=limit, offset=offset)
    return StudentPage(items=items, total=total, limit=limit, offset=offset)


@router.get("/students/{student_id}", summary="Read a student", responses=problems(*READ))
async def get_student(student_id: EntryId, user: Reader, store: StoreDep) -> Student:
    """For the center, or the student themselves; 404 for an id the directory does not have."""
    _own_or_center(user, Role.STUDENT, student_id, "student")
    found = await store.run(directory.get_student, student_id)
    if found is None:
        raise RuleViolation(Code.NOT_FOUND, f"No student {student_id} in the directory.")
    return found


@router.put(
    "/students/{student_id}",
    summary="Create or replace a student",
    responses={**_created(StudentActionResult), **problems(*AUTH)},
)
async def put_student(
    student_id: EntryId,
    entry: StudentEntry,
    user: Center,
    store: StoreDep,
    request: Request,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> StudentActionResult:
    """`has_internship_credit` exempts the student from the course (R3); their projects still run. Answers the
    envelope of every change: the entry as `GET /v1/students/{id}` reads it, `created_id` (201) when the PUT
    created it."""
    student = Student(id=student_id, **entry.model_dump())

    async def save() -> StudentActionResult:
        created = await store.run(directory.upsert_student, student, actor(user))
        return StudentActionResult(student=student, created_id=student_id if created else None)

    answer = await once_per_key(store, request, user, idempotency_key, entry, save, StudentActionResult)
    return answered(response, answer, f"/v1/students/{student_id}")


@router.put(
    "/semesters/{semester_id}",
    summary="Create or replace a semester",
    responses={**_created(SemesterActionResult), **problems(*AUTH, Code.UNAVAILABLE)},
)
async def put_semester(
    semester_id: SemesterId,
    entry: SemesterEntry,
    user: Center,
    temporal: TemporalDep,
    store: StoreDep,
    settings: SettingsDep,
    request: Request,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> SemesterActionResult:
    """R25: the dates new projects and deadlines are computed from. The semester's workflow mails every
    supervisor their passing list at the start of final exam week (R23) and keeps leaving supervisors'
    deadlines at its end (R22); changed dates re-arm its timers. Answers the envelope of every change: the
    semester, `created_id` (201) when the PUT created it, and a `warning` when its end moved while teachers
    leave after it (their projects' deadlines move with it). A 503 means the dates were saved but the
    workflow was not told: send the same PUT again."""
    semester = _build(Semester, id=semester_id, **entry.model_dump())

    async def save() -> SemesterActionResult:
        previous = await store.run(directory.upsert_semester, semester, actor(user))
        try:
            workflow_id = await schedule_semester(temporal, settings, semester)
        except RPCError as error:
            raise Unavailable(f"Temporal did not answer while scheduling {semester_id}: {error.message}") from error
        warning = None
        if previous is not None and previous.ends_on != semester.ends_on:
            leaving = await store.run(departures.faculty_leaving_after, semester_id)
            warning = moved_end_warning(previous.ends_on, semester.ends_on, semester_id, len(leaving))
        return SemesterActionResult(
            semester=semester,
            created_id=semester_id if previous is None else None,
            warning=warning,
            workflow_id=workflow_id,
        )

    answer = await once_per_key(store, request, user, idempotency_key, entry, save, SemesterActionResult)
    return answered(response, answer, f"/v1/semesters/{semester_id}")
