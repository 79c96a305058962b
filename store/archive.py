"""The archive of finished projects and groups (SPEC §6): their final view, kept for as long as the university
keeps records, and what their last actions answered.

A project's workflow writes its archive (in its last sync, `activities.records`) before it completes, so the
archive holds every finished project whatever Temporal's retention later deletes; reads prefer it for a
finished project, so they answer the same before and after. Writes are idempotent and keep the newest revision.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlmodel import Session, col

from domain.groups import GroupView
from domain.project import ProjectView
from store.groups import save_group
from store.models import ArchivedOutcomeRow, ArchiveRow
from store.upsert import insert

Kind = Literal["project", "group"]


def _keep(s: Session, kind: Kind, entity_id: str, stage: str, revision: int, at: datetime, view_json: str) -> None:
    values = {
        "kind": kind,
        "id": entity_id,
        "stage": stage,
        "revision": revision,
        "closed_at": at,
        "view_json": view_json,
    }
    stmt = insert(s, ArchiveRow).values(values)
    s.exec(
        stmt.on_conflict_do_update(
            index_elements=["kind", "id"],
            set_={name: stmt.excluded[name] for name in ("stage", "revision", "view_json")},
            where=col(ArchiveRow.revision) < stmt.excluded["revision"],
        )
    )


def archive_project(s: Session, view: ProjectView, closed_at: datetime) -> None:
    """Keep a finished project's final view (a newer revision replaces an older one, never the reverse)."""
    _keep(s, "project", view.id, view.stage.value, view.revision, closed_at, view.model_dump_json())


def archive_group(s: Session, view: GroupView, closed_at: datetime) -> None:
    """Keep a finished group's final view; the group lists follow it (`store.groups`)."""
    _keep(s, "group", view.id, view.stage.value, view.revision, closed_at, view.model_dump_json())
    save_group(s, view)


def archived_project(s: Session, project_id: str) -> ProjectView | None:
    row = s.get(ArchiveRow, ("project", project_id))
    return ProjectView.model_validate_json(row.view_json) if row is not None else None


def archived_group(s: Session, group_id: str) -> GroupView | None:
    row = s.get(ArchiveRow, ("group", group_id))
    return GroupView.model_validate_json(row.view_json) if row is not None else None


def keep_outcomes(s: Session, kind: Kind, entity_id: str, outcomes: list[tuple[str, str]]) -> None:
    """What the last actions answered, by update id, as JSON; an outcome kept already stays as it was."""
    rows = [
        {"update_id": update_id, "kind": kind, "entity_id": entity_id, "outcome_json": outcome_json}
        for update_id, outcome_json in outcomes
    ]
    if rows:
        s.exec(insert(s, ArchivedOutcomeRow).values(rows).on_conflict_do_nothing(index_elements=["update_id"]))


def kept_outcome(s: Session, update_id: str) -> str | None:
    """The JSON an action answered, if its project or group closed with it kept."""
    row = s.get(ArchivedOutcomeRow, update_id)
    return row.outcome_json if row is not None else None
