"""The directory the center maintains (SPEC §4): faculty (R10, R13), students (R3) and semesters (R25)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, EmailStr, Field, StrictBool

from api.schemas.projects import Envelope
from clients.departure import DepartureAnnounced
from domain.calendar import Semester
from domain.entries import OneLine, PersonName
from domain.people import Faculty, Student
from domain.vocabulary import MailLanguage, Rank

LANGUAGE_DESCRIPTION = (
    "Issue 4: the language of their mail: `bilingual` (English, then Traditional Chinese), `en` or `zh`. "
    "Null (or left out) follows the course default, PRAXIS_MAIL_LANGUAGE."
)


class FacultyEntry(BaseModel):
    """A teacher as the directory knows them; `leaving_after` names the last semester they teach (R13)."""

    name: PersonName
    email: EmailStr
    rank: Rank
    department: OneLine = ""
    leaving_after: str | None = Field(default=None, pattern=r"^\d{4}-(spring|fall|summer)$")
    language: MailLanguage | None = Field(default=None, description=LANGUAGE_DESCRIPTION)


class StudentEntry(BaseModel):
    name: PersonName
    email: EmailStr
    has_internship_credit: StrictBool = False
    language: MailLanguage | None = Field(default=None, description=LANGUAGE_DESCRIPTION)


class FacultyPage(BaseModel):
    """One page of the faculty directory, by name; `total` counts every match."""

    items: list[Faculty]
    total: int
    limit: int
    offset: int


class StudentPage(BaseModel):
    """One page of the students the directory knows, by id; `total` counts them all."""

    items: list[Student]
    total: int
    limit: int
    offset: int


class FacultyActionResult(Envelope):
    """What `PUT /v1/faculty/{id}` answers: the envelope of every change, with the entry as `GET
    /v1/faculty/{id}` reads it in `faculty`."""

    faculty: Faculty
    departure: DepartureAnnounced | None = Field(
        default=None,
        description="Set when `leaving_after` changed: the DepartureWorkflow telling the teacher's open "
        "projects, and how many it tells (R22). Null when nothing needed telling.",
    )


class StudentActionResult(Envelope):
    """What `PUT /v1/students/{id}` answers: the envelope of every change, with the entry as `GET
    /v1/students/{id}` reads it in `student`."""

    student: Student


class SemesterActionResult(Envelope):
    """What `PUT /v1/semesters/{id}` answers: the envelope of every change, with the semester as the
    calendar (`GET /v1/semesters`) has it in `semester`, and the workflow keeping it (R23, R25)."""

    semester: Semester
    workflow_id: str = Field(description="The SemesterWorkflow, e.g. `semester-2026-fall`, in the Temporal UI.")


# Deadlines are computed from these dates in UTC (R25); dates near year 1 or 9999 have no UTC instant.
CourseDate = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2199, 12, 31))]


class SemesterEntry(BaseModel):
    """R25: Asia/Taipei dates; starts_on <= final_exam_week_starts_on <= ends_on."""

    starts_on: CourseDate
    final_exam_week_starts_on: CourseDate
    ends_on: CourseDate
