"""Load shapes and their figures: a closed loop (saturated throughput) and an open loop (fixed arrival rate).

A call is a coroutine factory answering None on success, else a short label of the failure (an HTTP
status, an exception's name), so the report can say how calls failed. Latency is measured around each call in the
closed loop, and from its *scheduled* send time in the open loop, so a system that falls behind shows
its queue in the percentiles instead of silently lowering the offered load (coordinated omission).
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

Call = Callable[[], Awaitable[str | None]]


@dataclass(frozen=True)
class Summary:
    """Figures of one timed run; latencies in milliseconds, over successful calls only."""

    ok: int
    errors: int
    seconds: float
    throughput: float  # successful calls per second of wall time
    p50: float
    p95: float
    p99: float
    max: float
    error_kinds: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        return (
            f"{self.ok} ok, {self.errors_text} errors in {self.seconds:.1f} s: {self.throughput:.1f}/s, "
            f"p50 {self.p50:.0f} ms, p95 {self.p95:.0f} ms, p99 {self.p99:.0f} ms, max {self.max:.0f} ms"
        )

    def as_dict(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @property
    def errors_text(self) -> str:
        kinds = ", ".join(f"{kind}: {count}" for kind, count in sorted(self.error_kinds.items()))
        return f"{self.errors} ({kinds})" if kinds else str(self.errors)


@dataclass
class Recorder:
    latencies: list[float] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)

    def add(self, failure: str | None, seconds: float) -> None:
        if failure is None:
            self.latencies.append(seconds)
        else:
            self.failures[failure] += 1

    def summary(self, elapsed: float) -> Summary:
        return summarize(self.latencies, self.failures, elapsed)


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """The q-quantile (0..1) by linear interpolation, like numpy's default; 0 for no values."""
    if not sorted_values:
        return 0.0
    if len(sorted_values) == 1:
        return sorted_values[0]
    return statistics.quantiles(sorted_values, n=1000, method="inclusive")[round(q * 1000) - 1]


def summarize(latencies: Sequence[float], failures: Mapping[str, int], elapsed: float) -> Summary:
    values = sorted(latencies)
    return Summary(
        ok=len(values),
        errors=sum(failures.values()),
        seconds=elapsed,
        throughput=len(values) / elapsed if elapsed > 0 else 0.0,
        p50=percentile(values, 0.50) * 1000,
        p95=percentile(values, 0.95) * 1000,
        p99=percentile(values, 0.99) * 1000,
        max=(values[-1] if values else 0.0) * 1000,
        error_kinds=dict(failures),
    )


async def closed_loop(jobs: Sequence[Sequence[Call]], callers: int) -> Summary:
    """`callers` workers take whole jobs (one entity's calls, run in order) until none is left.

    Each caller sends its next call as soon as the previous one answered, so the system runs saturated
    while there are at least as many jobs left as callers.
    """
    recorder, elapsed = await recorded_closed_loop(jobs, callers)
    return recorder.summary(elapsed)


async def recorded_closed_loop(jobs: Sequence[Sequence[Call]], callers: int) -> tuple[Recorder, float]:
    """`closed_loop`, answering what each call recorded and the wall seconds, so loops can be pooled."""
    pending: Iterator[Sequence[Call]] = iter(jobs)
    recorder = Recorder()

    async def caller() -> None:
        for job in pending:  # a shared iterator: each job goes to exactly one caller
            for call in job:
                started = time.perf_counter()
                failure = await call()
                recorder.add(failure, time.perf_counter() - started)

    began = time.perf_counter()
    await asyncio.gather(*(caller() for _ in range(callers)))
    return recorder, time.perf_counter() - began


def arrival_offsets(rate: float, duration: float, *, poisson: bool, seed: int) -> list[float]:
    """Send times (seconds from the start) for `rate` calls per second over `duration` seconds."""
    if rate <= 0:
        raise ValueError("the arrival rate must be positive")
    rng = random.Random(seed)
    offsets: list[float] = []
    t = 0.0
    while True:
        t += rng.expovariate(rate) if poisson else 1.0 / rate
        if t >= duration:
            return offsets
        offsets.append(t)


async def open_loop(calls: Callable[[int], Call], offsets: Sequence[float]) -> Summary:
    """Send call n at `offsets[n]` whether or not earlier calls have answered; wait for all of them."""
    recorder = Recorder()
    loop = asyncio.get_running_loop()
    began = loop.time()

    async def one(n: int, scheduled: float) -> None:
        failure = await calls(n)()
        recorder.add(failure, loop.time() - scheduled)

    tasks: list[asyncio.Task[None]] = []
    for n, offset in enumerate(offsets):
        scheduled = began + offset
        delay = scheduled - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(n, scheduled)))
    await asyncio.gather(*tasks)
    return recorder.summary(loop.time() - began)
