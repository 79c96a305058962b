"""R21/R23: passing lists. The semester of a pass is the credit ledger's; the supervisor is the read model's.

A student is on a supervisor's list for a semester when the ledger recorded their TC1010 credit in that
semester for a project that supervisor passed. A project that passed without credit (R2: the student held
it already) is not on the list: the list is what the office files the credit by.
"""

from __future__ import annotations

from sqlalchemy import Select, union
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from domain.calendar import Semester
from domain.passing import PassingList, PassingStudent, PendingEvaluation
from domain.people import Faculty
from domain.stages import Stage
from store import directory
from store.models import CreditRow, ProjectRow, StudentRow
from store.upsert import FRESH


def passing_students(s: Session, semester_id: str, faculty_id: str) -> list[PassingStudent]:
    """R21: the students this supervisor passed with the credit recorded in `semester_id`, by student id."""
    rows = s.exec(
        select(CreditRow, ProjectRow, StudentRow)
        .join(ProjectRow, col(ProjectRow.id) == col(CreditRow.project_id))
        .join(StudentRow, col(StudentRow.id) == col(CreditRow.student_id), isouter=True)
        .where(col(CreditRow.semester_id) == semester_id, col(ProjectRow.supervisor_id) == faculty_id)
        .order_by(col(CreditRow.student_id))
        .execution_options(**FRESH)
    )
    return [
        PassingStudent(
            student_id=credit.student_id,
            name=student.name if student is not None else "",
            project_id=project.id,
            title=project.title,
            passed_at=credit.granted_at,
        )
        for credit, project, student in rows
    ]


def pending_evaluations(s: Session, faculty_id: str) -> list[PendingEvaluation]:
    """R23: closure reports waiting for this supervisor, longest waiting first."""
    rows = s.exec(
        select(ProjectRow, StudentRow)
        .join(StudentRow, col(StudentRow.id) == col(ProjectRow.student_id), isouter=True)
        .where(col(ProjectRow.stage) == Stage.EVALUATION_PENDING.value, col(ProjectRow.supervisor_id) == faculty_id)
        .order_by(col(ProjectRow.stage_since), col(ProjectRow.id))
        .execution_options(**FRESH)
    )
    return [
        PendingEvaluation(
            project_id=project.id,
            student_id=project.student_id,
            name=student.name if student is not None else "",
            title=project.title,
            submitted_at=project.stage_since,
        )
        for project, student in rows
    ]


def supervisors_with_students(s: Session, semester_id: str) -> list[str]:
    """R23: every supervisor with a student passed in the semester or an evaluation pending, by id."""
    passed: Select[tuple[str | None]] = (
        sa_select(col(ProjectRow.supervisor_id).label("faculty_id"))
        .join(CreditRow, col(CreditRow.project_id) == col(ProjectRow.id))
        .where(col(CreditRow.semester_id) == semester_id)
    )
    pending: Select[tuple[str | None]] = sa_select(col(ProjectRow.supervisor_id).label("faculty_id")).where(
        col(ProjectRow.stage) == Stage.EVALUATION_PENDING.value
    )
    both = union(passed, pending).subquery()
    ids = s.exec(select(both.c.faculty_id).where(both.c.faculty_id.is_not(None)).order_by(both.c.faculty_id))
    return [str(faculty_id) for faculty_id in ids]


def passing_list(s: Session, semester: Semester | str, faculty: Faculty | str) -> PassingList | None:
    """R23: one supervisor's list for one semester; None if the semester or the teacher is unknown."""
    found_semester = directory.get_semester(s, semester) if isinstance(semester, str) else semester
    found_faculty = directory.get_faculty(s, faculty) if isinstance(faculty, str) else faculty
    if found_semester is None or found_faculty is None:
        return None
    return PassingList(
        semester=found_semester,
        faculty=found_faculty,
        students=passing_students(s, found_semester.id, found_faculty.id),
        pending=pending_evaluations(s, found_faculty.id),
    )
