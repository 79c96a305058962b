"""The directory the center maintains (SPEC §4): faculty (R10, R13), students (R3) and semesters (R25).

Each PUT replaces the whole entry, so repeating it is harmless: these routes need no Idempotency-Key.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, EmailStr, Field, ValidationError
from sqlalchemy.exc import IntegrityError

from api.deps import Center, IdempotencyKey, StoreDep
from api.errors import AUTH, problems
from domain.calendar import Semester
from domain.errors import Code, RuleViolation
from domain.people import Faculty, Student
from domain.vocabulary import Rank
from store import directory

router = APIRouter(prefix="/v1", tags=["directory"])

EntryId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.-]{1,64}$", description="The university's id.")]
SemesterId = Annotated[str, Path(pattern=r"^\d{4}-(spring|fall|summer)$", description="e.g. `2026-fall`.")]


class FacultyEntry(BaseModel):
    """A teacher as the directory knows them; `leaving_after` names the last semester they teach (R13)."""

    name: str = Field(min_length=1, max_length=200)
    email: EmailStr
    rank: Rank
    department: str = Field(default="", max_length=200)
    leaving_after: str | None = Field(default=None, pattern=r"^\d{4}-(spring|fall|summer)$")


class StudentEntry(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    email: EmailStr
    has_internship_credit: bool = False


# Deadlines are computed from these dates in UTC (R25); dates near year 1 or 9999 have no UTC instant.
CourseDate = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2199, 12, 31))]


class SemesterEntry(BaseModel):
    """R25: Asia/Taipei dates; starts_on <= final_exam_week_starts_on <= ends_on."""

    starts_on: CourseDate
    final_exam_week_starts_on: CourseDate
    ends_on: CourseDate


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
    responses=problems(*AUTH, Code.CONFLICT),
)
async def put_faculty(
    faculty_id: EntryId, entry: FacultyEntry, user: Center, store: StoreDep, _key: IdempotencyKey = None
) -> Faculty:
    """Who may supervise (R10) and who leaves NTUST after which semester (R13, R22). 409 CONFLICT when
    another teacher already has this email."""
    faculty = Faculty(id=faculty_id, **entry.model_dump())
    try:
        await store.run(directory.upsert_faculty, faculty)
    except IntegrityError:
        raise RuleViolation(Code.CONFLICT, f"Another faculty entry already uses {faculty.email}.") from None
    # R22's leaving-supervisor deadlines start from the semester workflow, which reads this directory.
    return faculty


@router.put("/students/{student_id}", summary="Create or replace a student", responses=problems(*AUTH))
async def put_student(
    student_id: EntryId, entry: StudentEntry, user: Center, store: StoreDep, _key: IdempotencyKey = None
) -> Student:
    """`has_internship_credit` exempts the student from the course (R3); their projects still run."""
    student = Student(id=student_id, **entry.model_dump())
    await store.run(directory.upsert_student, student)
    return student


@router.put("/semesters/{semester_id}", summary="Create or replace a semester", responses=problems(*AUTH))
async def put_semester(
    semester_id: SemesterId, entry: SemesterEntry, user: Center, store: StoreDep, _key: IdempotencyKey = None
) -> Semester:
    """R25: the dates new projects and deadlines are computed from."""
    semester = _build(Semester, id=semester_id, **entry.model_dump())
    await store.run(directory.upsert_semester, semester)
    return semester
