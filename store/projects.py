"""The project read model and audit trail (R24) that the portal lists and searches.

The workflows own project state. The API writes the `ProjectSummary` an action's update returned, and the
workflow writes it on every stage change, mail and evidence (and after changes no update reported); writers
race and retry, so a write is applied only if it carries a newer `revision`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import Session, col, select

from domain.project import AuditEntry, ProjectSummary
from domain.stages import FINAL_STAGES, Stage
from store.models import AuditRow, ProjectRow, metadata
from store.upsert import FRESH, Insert, insert_for

PROJECT_TABLE = metadata.tables[ProjectRow.__tablename__]
AUDIT_TABLE = metadata.tables[AuditRow.__tablename__]


def save_project(s: Session, summary: ProjectSummary, audit: list[AuditEntry]) -> bool:
    """Store the summary unless a newer revision is stored already; add the audit entries not yet stored.

    One `INSERT … ON CONFLICT DO UPDATE … WHERE revision < new` settles concurrent writers atomically in
    both databases, where a separate UPDATE-then-INSERT would need a retry loop to avoid losing the newer
    revision to a concurrent first insert. Returns True if the row was inserted or replaced.
    """
    upsert = _project_upsert(s.get_bind().dialect.name).returning(PROJECT_TABLE.c.id)
    changed = s.execute(upsert, _row(summary)).first() is not None
    _add_audit(s, [(summary.id, entry) for entry in audit])
    return changed


def save_projects(s: Session, rows: Sequence[tuple[ProjectSummary, list[AuditEntry]]]) -> None:
    """Several projects' rows in one transaction and one statement each for rows and audit entries (a whole
    group of actions in one commit), with the same revision guard as `save_project`. One row per project: a
    statement may not update the same row twice (PostgreSQL refuses it)."""
    if rows:
        s.execute(_project_upsert(s.get_bind().dialect.name), [_row(summary) for summary, _ in rows])
        _add_audit(s, [(summary.id, entry) for summary, audit in rows for entry in audit])


def _row(summary: ProjectSummary) -> dict[str, Any]:
    values: dict[str, Any] = summary.model_dump()
    values["stage"] = summary.stage.value
    return values


@functools.cache
def _project_upsert(dialect: str, *, same_revision_too: bool = False) -> Insert:
    """Built once per database: composing the statement costs more than running it. It names every field of
    the summary, so an upsert never resets a column the summary does not carry."""
    # On the table, not the mapped class: SQLAlchemy's ORM bulk path would cost more than the statement.
    table = PROJECT_TABLE
    stmt = insert_for(dialect, table)
    fields = [name for name in ProjectSummary.model_fields if name != "id"]
    stored, written = table.c.revision, stmt.excluded["revision"]
    return stmt.on_conflict_do_update(
        index_elements=["id"],
        set_={name: stmt.excluded[name] for name in fields},
        where=stored <= written if same_revision_too else stored < written,
    )


@functools.cache
def _audit_insert(dialect: str) -> Insert:
    return insert_for(dialect, AUDIT_TABLE).on_conflict_do_nothing(index_elements=["project_id", "seq"])


def _add_audit(s: Session, entries: list[tuple[str, AuditEntry]]) -> None:
    """R24: store entries by sequence number; an entry already stored (a retry, or written by the other of the
    API and the workflow, in either order) is skipped."""
    rows = [
        {
            **entry.model_dump(),
            "project_id": project_id,
            "role": entry.role.value,
            "channel": entry.channel.value,
            "stage": entry.stage.value,
        }
        for project_id, entry in entries
    ]
    if rows:
        s.execute(_audit_insert(s.get_bind().dialect.name), rows)


def _summary(row: ProjectRow) -> ProjectSummary:
    return ProjectSummary.model_validate(row, from_attributes=True)


def get_project(s: Session, project_id: str) -> ProjectSummary | None:
    row = s.get(ProjectRow, project_id, populate_existing=True)
    return _summary(row) if row is not None else None


def list_projects(
    s: Session,
    *,
    student_id: str | None = None,
    supervisor_id: str | None = None,
    stage: Stage | None = None,
    semester_id: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[ProjectSummary], int]:
    """One page of projects, most recently changed first, and how many match in all."""
    where: list[ColumnElement[bool]] = []
    if student_id is not None:
        where.append(col(ProjectRow.student_id) == student_id)
    if supervisor_id is not None:
        where.append(col(ProjectRow.supervisor_id) == supervisor_id)
    if stage is not None:
        where.append(col(ProjectRow.stage) == str(stage))
    if semester_id is not None:
        where.append(col(ProjectRow.semester_id) == semester_id)
    total = s.exec(select(func.count()).select_from(ProjectRow).where(*where)).one()
    page = s.exec(
        select(ProjectRow)
        .where(*where)
        .order_by(col(ProjectRow.updated_at).desc(), col(ProjectRow.id))
        .limit(limit)
        .offset(offset)
        .execution_options(**FRESH)
    )
    return [_summary(row) for row in page], total


def open_projects_supervised_by(s: Session, faculty_id: str) -> list[str]:
    """R22: the projects a leaving teacher supervises or is invited to, that are not finished."""
    ids = s.exec(
        select(ProjectRow.id)
        .where(col(ProjectRow.stage).not_in([stage.value for stage in FINAL_STAGES]))
        .where(or_(col(ProjectRow.supervisor_id) == faculty_id, col(ProjectRow.invited_faculty_id) == faculty_id))
        .order_by(col(ProjectRow.id))
    )
    return list(ids)


def invitations_for(s: Session, faculty_id: str) -> list[ProjectSummary]:
    """R11/R12: the projects waiting for this teacher's answer to an invitation, longest waiting first."""
    rows = s.exec(
        select(ProjectRow)
        .where(
            col(ProjectRow.stage) == Stage.SUPERVISOR_INVITED.value,
            col(ProjectRow.invited_faculty_id) == faculty_id,
        )
        .order_by(col(ProjectRow.stage_since), col(ProjectRow.id))
        .execution_options(**FRESH)
    )
    return [_summary(row) for row in rows]


def projects_in_stage_since(s: Session, stage: Stage, before: datetime | None = None) -> list[ProjectSummary]:
    """Projects that entered `stage` at or before `before` (any time: None), longest waiting first (R8's daily
    digest, the desk's review queue)."""
    since = [col(ProjectRow.stage_since) <= before] if before is not None else []
    rows = s.exec(
        select(ProjectRow)
        .where(col(ProjectRow.stage) == str(stage), *since)
        .order_by(col(ProjectRow.stage_since), col(ProjectRow.id))
        .execution_options(**FRESH)
    )
    return [_summary(row) for row in rows]


def audit_for(s: Session, project_id: str) -> list[AuditEntry]:
    """R24: the project's audit trail in order."""
    rows = s.exec(select(AuditRow).where(AuditRow.project_id == project_id).order_by(col(AuditRow.seq)))
    return [AuditEntry.model_validate(row, from_attributes=True) for row in rows]


def refresh_project(s: Session, summary: ProjectSummary) -> bool:
    """Rewrite a row from its project's current view, at the same revision or a newer one (`praxis desk
    backfill` fills columns added since the row was written). Never replaces a newer revision."""
    upsert = _project_upsert(s.get_bind().dialect.name, same_revision_too=True).returning(PROJECT_TABLE.c.id)
    return s.execute(upsert, _row(summary)).first() is not None


def project_ids(s: Session) -> list[str]:
    """Every project in the read model, oldest first."""
    return list(s.exec(select(ProjectRow.id).order_by(col(ProjectRow.created_at), col(ProjectRow.id))))
