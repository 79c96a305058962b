"""The read model's rows from the API, written in group commits.

Every accepted action hands its project's row (and its new audit entries) to the writer, which answers once
they are committed. While one transaction is being written, the rows that arrive meanwhile gather into the
next, so under load many actions share one commit (one fsync, one trip to a database thread) instead of
queueing for a commit each. A group also waits a few milliseconds (`LINGER`) before it is written, so the
actions of a busy moment gather even while no commit is under way: nobody waits for it (the API writes rows
after the answer is sent) and the lists still follow well within a second. A project seen twice in one
group keeps its newest revision and every audit entry; the store's revision guard orders writes across
groups and against the workflow's own.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from api.db import Store
from domain.project import AuditEntry, ProjectSummary
from store import projects as read_model

# How long a group gathers before it is written (the app's is `Settings.read_model_linger_seconds`).
LINGER = 0.02


@dataclass
class _Group:
    written: asyncio.Future[None]
    summaries: dict[str, ProjectSummary] = field(default_factory=dict)
    audit: dict[str, dict[int, AuditEntry]] = field(default_factory=dict)

    def add(self, summary: ProjectSummary, audit: list[AuditEntry]) -> None:
        known = self.summaries.get(summary.id)
        if known is None or known.revision < summary.revision:
            self.summaries[summary.id] = summary
        entries = self.audit.setdefault(summary.id, {})
        for entry in audit:
            entries.setdefault(entry.seq, entry)

    def rows(self) -> list[tuple[ProjectSummary, list[AuditEntry]]]:
        return [
            (summary, [self.audit[project_id][seq] for seq in sorted(self.audit[project_id])])
            for project_id, summary in self.summaries.items()
        ]


class RowWriter:
    """One per app: rows go into the group being gathered; one task writes groups until none is waiting."""

    def __init__(self, store: Store, *, linger: float = LINGER) -> None:
        self._store = store
        self._linger = linger
        self._closing = asyncio.Event()
        self._gathering: _Group | None = None
        self._writing: asyncio.Task[None] | None = None

    async def save(self, summary: ProjectSummary, audit: list[AuditEntry]) -> None:
        """Return once this row is committed; raise what its group's transaction raised."""
        group = self._gathering
        if group is None:
            group = self._gathering = _Group(asyncio.get_running_loop().create_future())
        group.add(summary, audit)
        if self._writing is None:
            self._writing = asyncio.create_task(self._write_groups())
        # Shielded: a caller that gives up must not cancel the commit the others in its group wait for.
        await asyncio.shield(group.written)

    async def close(self) -> None:
        """At shutdown: write what is gathering (without its linger) and the group being written."""
        self._closing.set()
        writing = self._writing
        if writing is not None:
            await asyncio.gather(writing, return_exceptions=True)

    async def _write_groups(self) -> None:
        try:
            while self._gathering is not None:
                if self._linger > 0 and not self._closing.is_set():
                    try:
                        await asyncio.wait_for(self._closing.wait(), self._linger)
                    except TimeoutError:
                        pass
                    except asyncio.CancelledError:
                        if self._gathering is not None:
                            self._gathering.written.cancel()
                        raise
                group = self._gathering
                self._gathering = None
                try:
                    await self._store.run(read_model.save_projects, group.rows())
                except asyncio.CancelledError:  # the app is stopping: its waiters stop with it
                    group.written.cancel()
                    if self._gathering is not None:
                        self._gathering.written.cancel()
                    raise
                except Exception as error:  # each waiter raises it; nothing of the group is half written
                    group.written.set_exception(error)
                    group.written.add_done_callback(_retrieved)
                else:
                    group.written.set_result(None)
        finally:
            self._writing = None


def _retrieved(future: asyncio.Future[None]) -> None:
    """Mark the error seen even if every waiter had gone (they each raise it themselves otherwise)."""
    if not future.cancelled():
        future.exception()
