"""Queries behind R22's fan-outs: the open projects of one teacher, page by page, and who leaves when."""

from __future__ import annotations

from sqlalchemy import or_
from sqlmodel import Session, col, select

from domain.stages import FINAL_STAGES
from store.models import FacultyRow, ProjectRow
from store.upsert import FRESH


def open_projects_page(s: Session, faculty_id: str, *, after: str | None, limit: int) -> list[str]:
    """R22: up to `limit` ids of unfinished projects the teacher supervises or is invited to, after `after`.

    Keyset pagination by project id, so a fan-out can resume from the last id it handled.
    """
    query = (
        select(ProjectRow.id)
        .where(col(ProjectRow.stage).not_in([stage.value for stage in FINAL_STAGES]))
        .where(or_(col(ProjectRow.supervisor_id) == faculty_id, col(ProjectRow.invited_faculty_id) == faculty_id))
        .order_by(col(ProjectRow.id))
        .limit(limit)
        .execution_options(**FRESH)
    )
    if after is not None:
        query = query.where(col(ProjectRow.id) > after)
    return list(s.exec(query))


def faculty_leaving_after(s: Session, semester_id: str) -> list[str]:
    """R22/R25: the teachers whose deadline is this semester's end (to re-announce when its dates move)."""
    return list(
        s.exec(
            select(FacultyRow.id)
            .where(FacultyRow.leaving_after == semester_id)
            .order_by(col(FacultyRow.id))
            .execution_options(**FRESH)
        )
    )
