"""`INSERT … ON CONFLICT` for whichever database a session is bound to.

SQLite and PostgreSQL spell the clause the same way, so queries stay dialect-free: one atomic statement
settles insert-or-update races that a read-then-write would lose.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

# Upserts bypass the session's identity map, so a row loaded earlier in the same session would be read back
# stale; reads pass these execution options to refresh whatever they load.
FRESH: dict[str, Any] = {"populate_existing": True}


Insert = postgresql.Insert | sqlite.Insert


def insert(s: Session, model: type[Any]) -> Insert:
    """An INSERT for `model` that supports `on_conflict_do_nothing/do_update` on the session's dialect."""
    return insert_for(s.get_bind().dialect.name, model)


def insert_for(dialect: str, model: type[Any] | Table) -> Insert:
    """The same for a dialect by name, for statements built once and reused."""
    if dialect == "postgresql":
        return postgresql.insert(model)
    if dialect == "sqlite":
        return sqlite.insert(model)
    raise ValueError(f"the store supports SQLite and PostgreSQL, not {dialect}")


def replace(s: Session, model: type[Any], values: dict[str, Any]) -> None:
    """Insert a row keyed by `id`, or overwrite every other column of the existing one, atomically."""
    stmt = insert(s, model).values(values)
    s.exec(stmt.on_conflict_do_update(index_elements=["id"], set_={k: v for k, v in values.items() if k != "id"}))
