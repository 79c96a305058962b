"""The read model as the course office's desk and the USR impact review read it (`domain.desk`)."""

from __future__ import annotations

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from domain.desk import DeskFilter
from domain.project import ProjectSummary
from store.models import FacultyRow, ProjectRow
from store.upsert import FRESH


def _where(found: DeskFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if found.semester is not None:
        where.append(col(ProjectRow.semester_id) == found.semester)
    if found.credit_semester is not None:
        where.append(col(ProjectRow.credit_semester_id) == found.credit_semester)
    if found.department is not None:
        where.append(col(ProjectRow.department) == found.department)
    if found.supervisor is not None:
        where.append(col(ProjectRow.supervisor_id) == found.supervisor)
    if found.category is not None:
        where.append(col(ProjectRow.category) == found.category.value)
    if found.priority is not None:
        where.append(col(ProjectRow.priority) == found.priority.value)
    return where


def desk_rows(s: Session, found: DeskFilter) -> list[ProjectSummary]:
    """Every project the filter matches, oldest submission first."""
    rows = s.exec(
        select(ProjectRow)
        .where(*_where(found))
        .order_by(col(ProjectRow.created_at), col(ProjectRow.id))
        .execution_options(**FRESH)
    )
    return [ProjectSummary.model_validate(row, from_attributes=True) for row in rows]


def leaving_faculty(s: Session) -> dict[str, str]:
    """R13/R22: every teacher the directory says leaves, and the semester they leave after."""
    rows = s.exec(select(FacultyRow.id, FacultyRow.leaving_after).where(col(FacultyRow.leaving_after).is_not(None)))
    return {faculty_id: leaving_after for faculty_id, leaving_after in rows if leaving_after is not None}


def departments(s: Session) -> list[str]:
    """The supervisors' departments the read model knows, for the desk's filter."""
    rows = s.exec(select(ProjectRow.department).where(col(ProjectRow.department).is_not(None)).distinct())
    return sorted(name for name in rows if name)


def semesters(s: Session) -> list[str]:
    """The semesters projects were submitted in."""
    return sorted(set(s.exec(select(ProjectRow.semester_id).distinct())))
