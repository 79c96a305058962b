"""Interleaved rounds of the sdk and api closed loops, for a ratio that holds on a box whose speed drifts.

A shared VM's speed wanders by a quarter over tens of seconds, and each closed loop lasts seconds: measured
one after the other, once, the two sides meet different machines and their ratio jumps from run to run.
So, with both sides up at once and their entities set up once, each round runs the two loops back to back,
the order alternating (sdk→api, api→sdk, …), so a drift within a round favours each side equally often.
Each round's ratio compares two loops measured moments apart; the headline is the median of those ratios,
shown with their range. The table's sdk and api rows pool every round's calls.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from bench.box import CpuMeter
from bench.measure import Call, Recorder, Summary, recorded_closed_loop, summarize

Side = Literal["sdk", "api"]


@dataclass(frozen=True)
class Loop:
    """One timed closed loop: what each call recorded, its wall seconds, the CPU seconds of each process."""

    recorder: Recorder
    seconds: float
    cpu_seconds: dict[str, float]

    @property
    def actions(self) -> int:
        return len(self.recorder.latencies) + sum(self.recorder.failures.values())

    def summary(self) -> Summary:
        return self.recorder.summary(self.seconds)


async def measure(jobs: Sequence[Sequence[Call]], callers: int, processes: dict[str, int]) -> Loop:
    """A closed loop with its own CPU meter over `processes` (name to pid)."""
    meter = CpuMeter(processes)
    recorder, seconds = await recorded_closed_loop(jobs, callers)
    return Loop(recorder, seconds, meter.spent())


def pool(loops: Sequence[Loop]) -> Summary:
    """All loops as one: every latency in the percentiles, failures summed by kind, throughput the total
    successes over the total timed seconds (not a mean of the loops' throughputs)."""
    failures: Counter[str] = Counter()
    for loop in loops:
        failures.update(loop.recorder.failures)
    latencies = [latency for loop in loops for latency in loop.recorder.latencies]
    return summarize(latencies, failures, sum(loop.seconds for loop in loops))


def pooled_cpu_ms(loops: Sequence[Loop]) -> dict[str, float]:
    """Milliseconds of CPU per action by process: total CPU seconds over total actions."""
    actions = max(sum(loop.actions for loop in loops), 1)
    spent: Counter[str] = Counter()
    for loop in loops:
        spent.update(loop.cpu_seconds)
    return {name: seconds * 1000 / actions for name, seconds in spent.items()}


def order(rounds: int) -> list[tuple[Side, Side]]:
    """Which side runs first in each round: sdk→api, api→sdk, sdk→api, …"""
    return [("sdk", "api") if n % 2 == 0 else ("api", "sdk") for n in range(rounds)]


@dataclass(frozen=True)
class Round:
    number: int  # from 1
    first: Side
    sdk: Summary
    api: Summary

    @property
    def ratio(self) -> float | None:
        """Praxis over the SDK in throughput; None when the anchor got nothing through."""
        return self.api.throughput / self.sdk.throughput if self.sdk.throughput > 0 else None

    def __str__(self) -> str:
        ratio = f"{self.ratio:.2f}" if self.ratio is not None else "n/a"
        return (
            f"{self.number}: sdk {self.sdk.throughput:.1f}/s, api {self.api.throughput:.1f}/s, "
            f"ratio {ratio} ({self.first} first)"
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "round": self.number,
            "first": self.first,
            "ratio": self.ratio,
            "sdk": self.sdk.as_dict(),
            "api": self.api.as_dict(),
        }


@dataclass(frozen=True)
class Spread:
    median: float
    low: float
    high: float


def spread(ratios: Sequence[float]) -> Spread:
    """The median of the per-round ratios (the headline) and their range."""
    if not ratios:
        raise ValueError("no ratio to summarize")
    return Spread(statistics.median(ratios), min(ratios), max(ratios))


@dataclass(frozen=True)
class Rounds:
    rounds: list[Round]
    sdk: list[Loop]
    api: list[Loop]


async def run_rounds(
    count: int,
    sdk: Callable[[], Awaitable[Loop]],
    api: Callable[[], Awaitable[Loop]],
    report: Callable[[Round], None] = lambda _: None,
) -> Rounds:
    """`count` rounds of both loops back to back, in `order`; `report` hears of each round as it ends."""
    loops: dict[Side, Callable[[], Awaitable[Loop]]] = {"sdk": sdk, "api": api}
    done = Rounds([], [], [])
    for number, sides in enumerate(order(count), start=1):
        measured = {side: await loops[side]() for side in sides}
        done.sdk.append(measured["sdk"])
        done.api.append(measured["api"])
        done.rounds.append(Round(number, sides[0], measured["sdk"].summary(), measured["api"].summary()))
        report(done.rounds[-1])
    return done
