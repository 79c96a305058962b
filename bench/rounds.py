"""Interleaved rounds of the closed loops (sdk, http, api), for ratios that hold on a box whose speed drifts.

A shared VM's speed wanders by a quarter over tens of seconds, and each closed loop lasts seconds: measured
one after the other, once, the sides meet different machines and their ratios jump from run to run.
So, with every side up at once and its entities set up once, each round runs the loops back to back in the
fixed order of SIDES, reversed in every second round (sdk→http→api, api→http→sdk, …): every pair of sides then
alternates which goes first, so a drift within a round favours each side equally often. Each round's ratios
compare loops measured moments apart: api/sdk (the headline), and with http, http/sdk (the HTTP hop's own
cost) and api/http (Praxis's work above the hop). Each is summarized as the median of the rounds' ratios,
shown with their range. The table's rows pool every round's calls per side.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from bench.box import CpuMeter
from bench.measure import Call, Recorder, Summary, recorded_closed_loop, summarize

Side = Literal["sdk", "http", "api"]
SIDES: tuple[Side, ...] = ("sdk", "http", "api")  # the order of even rounds; odd rounds run it reversed


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


def sides_in_order(sides: Sequence[Side]) -> tuple[Side, ...]:
    """`sides` in the order of SIDES; sdk and api are always among them (the headline is their ratio)."""
    if unknown := set(sides) - set(SIDES):
        raise ValueError(f"unknown side(s): {', '.join(sorted(unknown))}")
    if not {"sdk", "api"} <= set(sides):
        raise ValueError("rounds need both sdk and api")
    return tuple(side for side in SIDES if side in sides)


def order(rounds: int, sides: Sequence[Side] = ("sdk", "api")) -> list[tuple[Side, ...]]:
    """Which side runs when in each round: rounds 1, 3, 5, … in SIDES' order, rounds 2, 4, … reversed, so every
    pair of sides alternates which goes first (sdk→http→api, api→http→sdk, …)."""
    forward = sides_in_order(sides)
    return [forward if n % 2 == 0 else forward[::-1] for n in range(rounds)]


def _ratio(over: Summary | None, under: Summary | None) -> float | None:
    if over is None or under is None or under.throughput <= 0:
        return None
    return over.throughput / under.throughput


@dataclass(frozen=True)
class Round:
    number: int  # from 1
    first: Side
    sdk: Summary
    api: Summary
    http: Summary | None = None  # when the bare HTTP route ran too

    @property
    def ratio(self) -> float | None:
        """Praxis over the SDK in throughput (the headline); None when the anchor got nothing through."""
        return _ratio(self.api, self.sdk)

    @property
    def http_ratio(self) -> float | None:
        """The SDK behind a bare HTTP route over the SDK: the HTTP hop's own cost; None without http."""
        return _ratio(self.http, self.sdk)

    @property
    def praxis_over_http(self) -> float | None:
        """Praxis over the SDK behind a bare HTTP route: Praxis's own work above the hop; None without http."""
        return _ratio(self.api, self.http)

    def __str__(self) -> str:
        def shown(value: float | None) -> str:
            return f"{value:.2f}" if value is not None else "n/a"

        if self.http is None:
            return (
                f"{self.number}: sdk {self.sdk.throughput:.1f}/s, api {self.api.throughput:.1f}/s, "
                f"ratio {shown(self.ratio)} ({self.first} first)"
            )
        return (
            f"{self.number}: sdk {self.sdk.throughput:.1f}/s, http {self.http.throughput:.1f}/s, "
            f"api {self.api.throughput:.1f}/s, ratio {shown(self.ratio)}, http/sdk {shown(self.http_ratio)}, "
            f"api/http {shown(self.praxis_over_http)} ({self.first} first)"
        )

    def as_dict(self) -> dict[str, object]:
        found: dict[str, object] = {
            "round": self.number,
            "first": self.first,
            "ratio": self.ratio,
            "sdk": self.sdk.as_dict(),
            "api": self.api.as_dict(),
        }
        if self.http is not None:
            found |= {
                "http_ratio": self.http_ratio,
                "praxis_over_http": self.praxis_over_http,
                "http": self.http.as_dict(),
            }
        return found


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
    loops: dict[Side, list[Loop]] = field(default_factory=dict)  # per side, every round's loop in turn


async def run_rounds(
    count: int,
    loops: Mapping[Side, Callable[[], Awaitable[Loop]]],
    report: Callable[[Round], None] = lambda _: None,
) -> Rounds:
    """`count` rounds of every side's loop back to back, in `order`; `report` hears of each round as it ends."""
    sides = sides_in_order(list(loops))
    done = Rounds([], {side: [] for side in sides})
    for number, turn in enumerate(order(count, sides), start=1):
        measured = {side: await loops[side]() for side in turn}
        for side, one in measured.items():
            done.loops[side].append(one)
        http = measured["http"].summary() if "http" in measured else None
        done.rounds.append(Round(number, turn[0], measured["sdk"].summary(), measured["api"].summary(), http))
        report(done.rounds[-1])
    return done
