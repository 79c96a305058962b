"""The read model of group proposals (R9): what `GET /v1/groups` lists and the review digest reads (R8).

Written by the API from every group action's answer and by the archive when a group closes; the newest
revision wins, so a late write never undoes a newer one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, col, delete, func, or_, select

from domain.groups import GroupStage, GroupView
from store.models import GroupMemberRow, GroupRow
from store.upsert import insert


class GroupListing(BaseModel):
    """One group proposal as lists show it, with its members and the project each linked."""

    id: str
    applicant_id: str
    stage: GroupStage
    title: str
    category: str
    priority: str
    created_at: datetime
    stage_since: datetime
    revision: int
    members: list[tuple[str, str | None]]


def save_group(s: Session, view: GroupView) -> bool:
    """Store the group unless a newer revision is stored already; its members follow the stored revision."""
    values: dict[str, Any] = {
        "id": view.id,
        "applicant_id": view.applicant_id,
        "stage": view.stage.value,
        "title": view.proposal.title,
        "category": view.proposal.category.value,
        "priority": view.priority,
        "created_at": view.created_at,
        "stage_since": view.stage_since,
        "revision": view.revision,
    }
    stmt = insert(s, GroupRow).values(values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["id"],
        set_={name: stmt.excluded[name] for name in values if name != "id"},
        where=col(GroupRow.revision) < stmt.excluded["revision"],
    )
    changed = s.exec(stmt.returning(col(GroupRow.id))).first() is not None
    if changed:
        s.exec(delete(GroupMemberRow).where(col(GroupMemberRow.group_id) == view.id))
        for member in view.members:
            s.add(GroupMemberRow(group_id=view.id, student_id=member.student_id, project_id=member.project_id))
    return changed


def list_groups(
    s: Session, *, student_id: str | None = None, stage: GroupStage | None = None, limit: int = 50, offset: int = 0
) -> tuple[list[GroupListing], int]:
    """Newest first; `student_id` keeps the groups the student applied for or is named in."""
    conditions = []
    if student_id is not None:
        named = select(GroupMemberRow.group_id).where(GroupMemberRow.student_id == student_id)
        conditions.append(or_(col(GroupRow.applicant_id) == student_id, col(GroupRow.id).in_(named)))
    if stage is not None:
        conditions.append(col(GroupRow.stage) == stage.value)
    rows = s.exec(
        select(GroupRow)
        .where(*conditions)
        .order_by(col(GroupRow.created_at).desc(), col(GroupRow.id))
        .offset(offset)
        .limit(limit)
    ).all()
    total = int(s.exec(select(func.count()).select_from(GroupRow).where(*conditions)).one())
    members = _members(s, [row.id for row in rows])
    return [_listing(row, members.get(row.id, [])) for row in rows], total


def groups_in_stage_since(s: Session, stage: GroupStage, since: datetime | None = None) -> list[GroupListing]:
    """R8: group proposals in `stage` since `since` or earlier (any time: None), for the review digest and the
    desk's review queue."""
    earlier = [col(GroupRow.stage_since) <= since] if since is not None else []
    rows = s.exec(select(GroupRow).where(col(GroupRow.stage) == stage.value, *earlier)).all()
    members = _members(s, [row.id for row in rows])
    return [_listing(row, members.get(row.id, [])) for row in rows]


def _members(s: Session, group_ids: Sequence[str]) -> dict[str, list[tuple[str, str | None]]]:
    found: dict[str, list[tuple[str, str | None]]] = {}
    if not group_ids:
        return found
    query = select(GroupMemberRow).where(col(GroupMemberRow.group_id).in_(list(group_ids)))
    for row in s.exec(query.order_by(col(GroupMemberRow.group_id), col(GroupMemberRow.student_id))):
        found.setdefault(row.group_id, []).append((row.student_id, row.project_id))
    return found


def _listing(row: GroupRow, members: list[tuple[str, str | None]]) -> GroupListing:
    return GroupListing(
        id=row.id,
        applicant_id=row.applicant_id,
        stage=GroupStage(row.stage),
        title=row.title,
        category=row.category,
        priority=row.priority,
        created_at=row.created_at,
        stage_since=row.stage_since,
        revision=row.revision,
        members=members,
    )
