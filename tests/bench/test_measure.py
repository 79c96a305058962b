"""The benchmark's arithmetic and load shapes (bench/measure.py): figures are only as good as these."""

from __future__ import annotations

import asyncio

import pytest

from bench.measure import Call, arrival_offsets, closed_loop, open_loop, percentile, summarize


def test_percentile_interpolates_like_numpy() -> None:
    """p50/p95/p99 by linear interpolation between ranks (numpy's default), so figures compare across tools."""
    values = [float(n) for n in range(1, 101)]
    assert percentile(values, 0.50) == pytest.approx(50.5)
    assert percentile(values, 0.95) == pytest.approx(95.05)
    assert percentile(values, 0.99) == pytest.approx(99.01)
    assert percentile([7.0], 0.99) == 7.0
    assert percentile([], 0.5) == 0.0


def test_summary_counts_only_successes_in_throughput_and_latency() -> None:
    """An error is counted apart, by kind; it neither adds throughput nor hides in the percentiles."""
    summary = summarize([0.1, 0.2, 0.3, 0.4], {"503": 1, "ReadError": 1}, elapsed=2.0)
    assert (summary.ok, summary.errors, summary.throughput) == (4, 2, 2.0)
    assert summary.errors_text == "2 (503: 1, ReadError: 1)"
    assert summary.max == pytest.approx(400.0)


def test_arrivals_fixed_and_poisson() -> None:
    """Fixed arrivals are evenly spaced; Poisson arrivals are reproducible from the seed and near the rate."""
    fixed = arrival_offsets(10, 2.0, poisson=False, seed=0)
    assert len(fixed) == 19 and fixed[0] == pytest.approx(0.1) and fixed[-1] < 2.0
    poisson = arrival_offsets(100, 50.0, poisson=True, seed=1)
    assert poisson == arrival_offsets(100, 50.0, poisson=True, seed=1)
    assert 4500 < len(poisson) < 5500
    assert poisson == sorted(poisson)


async def test_closed_loop_runs_each_job_in_order_on_one_caller() -> None:
    """N entities x M sequential actions: an entity's actions never overlap and run in order."""
    log: list[tuple[int, int]] = []
    busy: set[int] = set()

    def action(entity: int, step: int) -> Call:
        async def call() -> str | None:
            assert entity not in busy
            busy.add(entity)
            await asyncio.sleep(0)
            log.append((entity, step))
            busy.discard(entity)
            return "500" if step == 2 else None  # one failing step per entity, to count errors

        return call

    jobs = [[action(e, m) for m in range(4)] for e in range(6)]
    summary = await closed_loop(jobs, callers=3)
    assert (summary.ok, summary.errors) == (18, 6)
    for entity in range(6):
        assert [step for e, step in log if e == entity] == [0, 1, 2, 3]


async def test_open_loop_measures_from_the_scheduled_time() -> None:
    """A system that serves one call at a time falls behind a faster arrival rate: the wait shows in the
    latency (measured from when the call was due, not from when it got through), as queueing does."""
    lock = asyncio.Lock()

    async def serialized() -> str | None:
        async with lock:
            await asyncio.sleep(0.05)
        return None

    offsets = [0.01 * n for n in range(1, 7)]  # 100/s against a capacity of 20/s
    summary = await open_loop(lambda n: serialized, offsets)
    assert summary.ok == 6
    # The sixth call is due at 60 ms and done after six services (>= 300 ms): waited >= 240 ms.
    assert summary.max >= 240
