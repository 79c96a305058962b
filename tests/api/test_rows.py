"""The API's read-model writer: actions that arrive while a commit is being written share the next one, a
project seen twice in a group keeps its newest revision and every audit entry, and a failed commit fails its
own waiters only."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from api.db import Store
from api.rows import RowWriter
from store import projects as read_model
from store.db import session
from tests.api.portal import unique
from tests.store import samples


class CountingStore(Store):
    """A real store that counts its units of work and can hold the first one until told to go on."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self.units = 0
        self.held = threading.Event()
        self.release = threading.Event()
        self.release.set()
        self.fail_next = False

    async def run(self, work: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        self.units += 1
        failing, self.fail_next = self.fail_next, False

        def hold_then(s: Any, *rest: Any, **more: Any) -> Any:
            self.held.set()
            self.release.wait(timeout=30)
            if failing:
                raise RuntimeError("the database went away")
            return work(s, *rest, **more)

        return await super().run(hold_then, *args, **kwargs)


async def test_rows_arriving_during_a_commit_share_the_next_one(engine: Engine) -> None:
    store = CountingStore(engine)
    writer = RowWriter(store)
    ids = [unique("p") for _ in range(6)]
    store.release.clear()
    first = asyncio.create_task(writer.save(samples.summary(ids[0], revision=1), samples.audit(1)))
    while not store.held.is_set():
        await asyncio.sleep(0.01)
    rest = [asyncio.create_task(writer.save(samples.summary(pid, revision=2), samples.audit(2))) for pid in ids[1:]]
    await asyncio.sleep(0.05)
    store.release.set()
    await asyncio.gather(first, *rest)
    assert store.units == 2  # the first row alone, then the five that came while it was written
    with session(engine) as s:
        assert [read_model.get_project(s, pid) is not None for pid in ids] == [True] * 6
        assert len(read_model.audit_for(s, ids[3])) == 2


async def test_a_project_twice_in_one_group_keeps_its_newest_revision_and_every_entry(engine: Engine) -> None:
    store = CountingStore(engine)
    writer = RowWriter(store)
    busy, project = unique("p"), unique("p")
    store.release.clear()
    blocker = asyncio.create_task(writer.save(samples.summary(busy), []))
    while not store.held.is_set():
        await asyncio.sleep(0.01)
    trail = samples.audit(3)
    newer = asyncio.create_task(writer.save(samples.summary(project, revision=3, title="Newer"), trail))
    older = asyncio.create_task(writer.save(samples.summary(project, revision=2, title="Older"), trail[:2]))
    await asyncio.sleep(0.05)
    store.release.set()
    await asyncio.gather(blocker, newer, older)
    with session(engine) as s:
        row = read_model.get_project(s, project)
        assert row is not None and (row.revision, row.title) == (3, "Newer")
        assert [entry.seq for entry in read_model.audit_for(s, project)] == [1, 2, 3]


async def test_a_failed_commit_fails_its_own_group_and_the_next_group_is_written(engine: Engine) -> None:
    store = CountingStore(engine)
    writer = RowWriter(store)
    lost, kept = unique("p"), unique("p")
    store.fail_next = True
    store.release.clear()
    failing = asyncio.create_task(writer.save(samples.summary(lost), []))
    while not store.held.is_set():
        await asyncio.sleep(0.01)
    later = asyncio.create_task(writer.save(samples.summary(kept), []))
    await asyncio.sleep(0.05)
    store.release.set()
    with pytest.raises(RuntimeError, match="went away"):
        await failing
    await later
    with session(engine) as s:
        assert read_model.get_project(s, lost) is None
        assert read_model.get_project(s, kept) is not None


async def test_rows_saved_within_the_linger_share_one_commit(engine: Engine) -> None:
    """Under load the actions of one moment gather before a commit, even when none is being written."""
    store = CountingStore(engine)
    writer = RowWriter(store, linger=0.5)
    ids = [unique("p") for _ in range(5)]
    first = asyncio.create_task(writer.save(samples.summary(ids[0], revision=1), samples.audit(1)))
    await asyncio.sleep(0)
    rest = [asyncio.create_task(writer.save(samples.summary(pid, revision=1), samples.audit(1))) for pid in ids[1:]]
    await asyncio.gather(first, *rest)
    assert store.units == 1
    with session(engine) as s:
        assert all(read_model.get_project(s, pid) is not None for pid in ids)


async def test_closing_the_writer_writes_what_is_gathering_at_once(engine: Engine) -> None:
    """An app that stops keeps the rows of its last actions: close skips the linger, it does not drop them."""
    store = CountingStore(engine)
    writer = RowWriter(store, linger=30)
    project = unique("p")
    waiter = asyncio.create_task(writer.save(samples.summary(project), []))
    await asyncio.sleep(0.05)
    await asyncio.wait_for(writer.close(), timeout=10)
    await waiter
    with session(engine) as s:
        assert read_model.get_project(s, project) is not None


async def test_a_writer_stopped_while_gathering_cancels_its_waiters(engine: Engine) -> None:
    """Should the writing task itself be cancelled mid-linger, no waiter is left hanging."""
    store = CountingStore(engine)
    writer = RowWriter(store, linger=30)
    waiter = asyncio.create_task(writer.save(samples.summary(unique("p")), []))
    await asyncio.sleep(0.05)
    assert writer._writing is not None
    writer._writing.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert store.units == 0
