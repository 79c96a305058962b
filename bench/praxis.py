"""Parts `api`, `open` and `cold`: Praxis through its HTTP API, the way the portal drives it.

Setup goes through the public API and is not timed: per entity a student and a professor in the
directory, a submitted and approved project, an invitation accepted, so the project is IN_PROGRESS.
The timed action is `POST /v1/projects/{id}/hours` (half an hour on a day of its own, a fresh
Idempotency-Key each time); in rounds beside the anchor (bench/rounds.py) the same projects log M more
hours each round. The cold part submits many projects, then acts on the earliest ones, which
the worker's cache has evicted, and on the latest ones, which it still holds.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from bench.anchor import Shape
from bench.box import rss_kib
from bench.measure import Call, Summary, arrival_offsets, closed_loop, open_loop
from bench.portal import Portal
from bench.stack import Stack


async def bounded(count: int, concurrency: int, one: Callable[[int], Awaitable[None]]) -> None:
    """Run one(0..count-1) with at most `concurrency` at a time, in order of n."""
    numbers = iter(range(count))

    async def lane() -> None:
        for n in numbers:
            await one(n)

    await asyncio.gather(*(lane() for _ in range(concurrency)))


@dataclass(frozen=True)
class Entity:
    project_id: str
    student_id: str


async def set_up(portal: Portal, count: int, concurrency: int) -> list[Entity]:
    run = uuid.uuid4().hex[:6]
    entities: list[Entity | None] = [None] * count

    async def one(n: int) -> None:
        project_id, student_id = await portal.in_progress(f"{run}{n:05d}")
        entities[n] = Entity(project_id, student_id)

    await bounded(count, concurrency, one)
    return [e for e in entities if e is not None]


def _approve(portal: Portal, project_id: str) -> Call:
    return lambda: portal.approve(project_id)


def _log_hours(portal: Portal, entity: Entity) -> Call:
    return lambda: portal.log_hours(entity.project_id, entity.student_id)


def jobs(portal: Portal, entities: Sequence[Entity], actions: int) -> list[list[Call]]:
    """Each project's `actions` hours, to log in order (each on a day of its own)."""
    return [[_log_hours(portal, e) for _ in range(actions)] for e in entities]


async def run_closed(portal: Portal, entities: Sequence[Entity], shape: Shape) -> Summary:
    return await closed_loop(jobs(portal, entities, shape.actions), shape.callers)


async def run_open(
    portal: Portal, entities: Sequence[Entity], rate: float, seconds: float, *, poisson: bool, seed: int
) -> Summary:
    """Arrivals at `rate`/s for `seconds`, spread round-robin over the entities."""
    offsets = arrival_offsets(rate, seconds, poisson=poisson, seed=seed)
    return await open_loop(lambda n: _log_hours(portal, entities[n % len(entities)]), offsets)


@dataclass(frozen=True)
class ColdFigures:
    projects: int
    create_seconds: float
    create_rate: float
    create_errors: int
    worker_cache: int
    evicted: bool  # whether enough later projects went through the worker to push the earliest out
    rss_before_mib: float
    rss_after_mib: float
    peak_rss_mib: float
    warm: Summary
    cold: Summary

    def as_dict(self) -> dict[str, object]:
        plain = {name: getattr(self, name) for name in self.__dataclass_fields__ if name not in ("warm", "cold")}
        return {**plain, "warm": self.warm.as_dict(), "cold": self.cold.as_dict()}


async def _submit_many(portal: Portal, count: int, concurrency: int) -> tuple[list[str], int, float]:
    """Submit `count` proposals, each by its own student; print progress every ~10 %."""
    run = uuid.uuid4().hex[:6]
    ids: list[str | None] = [None] * count
    errors = finished = 0
    step = max(count // 10, 1)
    began = time.perf_counter()

    async def one(n: int) -> None:
        nonlocal errors, finished
        student_id = f"C{run}{n:06d}"
        try:
            await portal.put_student(student_id)
            ids[n] = await portal.submit(student_id)
        except Exception as exc:
            errors += 1
            if errors <= 3:
                print(f"    submit {n} failed: {exc}", flush=True)
        finished += 1
        if finished % step == 0:
            elapsed = time.perf_counter() - began
            print(f"    {finished}/{count} projects submitted, {elapsed:.0f} s, {finished / elapsed:.1f}/s", flush=True)

    await bounded(count, concurrency, one)
    return [i for i in ids if i is not None], errors, time.perf_counter() - began


async def _act_sequentially(portal: Portal, project_ids: Sequence[str]) -> Summary:
    """One action at a time, so each latency is the project's own, not a queue's."""
    return await closed_loop([[_approve(portal, pid)] for pid in project_ids], callers=1)


async def run_cold(stack: Stack, portal: Portal, projects: int, samples: int, concurrency: int) -> ColdFigures:
    before = rss_kib(stack.worker.pid)
    ids, errors, seconds = await _submit_many(portal, projects, concurrency)
    stack.ensure_running()
    after = rss_kib(stack.worker.pid)
    samples = min(samples, len(ids) // 2)
    # The latest projects are in the worker's cache; the earliest were evicted long ago (LRU). Warm first:
    # the cold actions load their projects into the cache and would evict some of the warm ones.
    warm = await _act_sequentially(portal, ids[-samples:])
    cold = await _act_sequentially(portal, ids[:samples])
    peak = rss_kib(stack.worker.pid)
    return ColdFigures(
        projects=len(ids),
        create_seconds=seconds,
        create_rate=len(ids) / seconds,
        create_errors=errors,
        worker_cache=stack.settings.worker_max_cached_workflows,
        evicted=len(ids) - samples >= stack.settings.worker_max_cached_workflows,
        rss_before_mib=before["VmRSS"] / 1024,
        rss_after_mib=after["VmRSS"] / 1024,
        peak_rss_mib=peak["VmHWM"] / 1024,
        warm=warm,
        cold=cold,
    )
