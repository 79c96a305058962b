"""R24 for the directory: every created or changed faculty, student or semester entry, with who and when.

The query modules that write the directory call `record` in the same transaction as the change, so an entry
never changes without its trail, and an entry written again unchanged leaves none.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, func, select

from domain.actors import SYSTEM, Actor
from domain.people import DirectoryChange
from store.models import DirectoryChangeRow

# Bookkeeping columns, not facts about the person or the semester.
_IGNORED = frozenset({"id", "updated_at"})


def _plain(value: Any) -> Any:
    return value if value is None or isinstance(value, bool | int | float | str) else str(value)


def record(
    s: Session, kind: str, entry_id: str, before: dict[str, Any] | None, after: dict[str, Any], by: Actor | None
) -> bool:
    """Keep the change from `before` (None: a new entry) to `after`; False when nothing changed."""
    changes = {
        field: [_plain(before.get(field)) if before else None, _plain(value)]
        for field, value in after.items()
        if field not in _IGNORED and (before is None or _plain(before.get(field)) != _plain(value))
    }
    if before is not None and not changes:
        return False
    who = by or SYSTEM
    s.add(
        DirectoryChangeRow(
            at=datetime.now(UTC),
            actor_id=who.id,
            role=who.role.value,
            channel=who.channel.value,
            kind=kind,
            entry_id=entry_id,
            action="created" if before is None else "updated",
            changes_json=json.dumps(changes, ensure_ascii=False, sort_keys=True),
        )
    )
    return True


def list_changes(
    s: Session, *, kind: str | None = None, entry_id: str | None = None, limit: int = 50, offset: int = 0
) -> tuple[list[DirectoryChange], int]:
    """Newest first; filtered by kind of entry and by entry id."""
    query = select(DirectoryChangeRow)
    count = select(func.count()).select_from(DirectoryChangeRow)
    if kind is not None:
        query = query.where(DirectoryChangeRow.kind == kind)
        count = count.where(DirectoryChangeRow.kind == kind)
    if entry_id is not None:
        query = query.where(DirectoryChangeRow.entry_id == entry_id)
        count = count.where(DirectoryChangeRow.entry_id == entry_id)
    rows = s.exec(query.order_by(col(DirectoryChangeRow.seq).desc()).offset(offset).limit(limit)).all()
    items = [
        DirectoryChange(
            seq=row.seq or 0,
            at=row.at,
            actor_id=row.actor_id,
            role=row.role,
            channel=row.channel,
            kind=row.kind,
            entry_id=row.entry_id,
            action=row.action,
            changes=json.loads(row.changes_json),
        )
        for row in rows
    ]
    return items, int(s.exec(count).one())
