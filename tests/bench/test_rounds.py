"""The benchmark's interleaved rounds (bench/rounds.py): the headline ratio is only as robust as these."""

from __future__ import annotations

from collections import Counter

import pytest

from bench.box import Box
from bench.measure import Recorder
from bench.report import Results, table
from bench.rounds import Loop, Round, order, pool, pooled_cpu_ms, run_rounds, spread


def loop(latencies: list[float], seconds: float, failures: dict[str, int] | None = None, **cpu: float) -> Loop:
    return Loop(Recorder(latencies, Counter(failures or {})), seconds, cpu)


def test_rounds_alternate_which_side_goes_first() -> None:
    """sdk→api, api→sdk, …: a drift within a round favours each side equally often."""
    assert order(5) == [("sdk", "api"), ("api", "sdk"), ("sdk", "api"), ("api", "sdk"), ("sdk", "api")]
    assert order(1) == [("sdk", "api")]
    assert order(0) == []


def test_the_headline_is_the_median_of_the_per_round_ratios_with_their_range() -> None:
    """One round on a slow stretch of the box moves the median no more than any other round does."""
    odd = spread([0.80, 0.56, 0.86, 0.79, 0.81])
    assert (odd.median, odd.low, odd.high) == (0.80, 0.56, 0.86)
    even = spread([0.7, 0.9, 0.8, 0.6])
    assert even.median == pytest.approx(0.75)
    with pytest.raises(ValueError, match="no ratio"):
        spread([])


def test_pooling_puts_every_latency_in_the_percentiles_and_divides_all_successes_by_all_seconds() -> None:
    """Throughput pooled is total ok over total timed seconds, not the mean of the loops' throughputs."""
    fast = loop([0.1] * 100, seconds=1.0)  # 100/s
    slow = loop([0.3] * 100, seconds=4.0, failures={"503": 2})  # 25/s
    pooled = pool([fast, slow])
    assert (pooled.ok, pooled.errors, pooled.error_kinds) == (200, 2, {"503": 2})
    assert pooled.seconds == 5.0
    assert pooled.throughput == pytest.approx(40.0)  # not (100 + 25) / 2
    assert pooled.p50 == pytest.approx(200.0)  # between the two loops' latencies
    assert pooled.max == pytest.approx(300.0)


def test_pooled_cpu_per_action_is_total_cpu_over_total_actions_by_process() -> None:
    first = loop([0.1] * 8, 1.0, {"500": 2}, server=0.05, worker=0.02)  # 10 actions
    second = loop([0.1] * 30, 1.0, server=0.15, worker=0.06)  # 30 actions
    cpu = pooled_cpu_ms([first, second])
    assert cpu == {"server": pytest.approx(5.0), "worker": pytest.approx(2.0)}


def test_a_round_without_anchor_throughput_has_no_ratio() -> None:
    nothing = loop([], 1.0, {"RPCError": 3}).summary()
    some = loop([0.1] * 5, 1.0).summary()
    assert Round(1, "sdk", nothing, some).ratio is None
    assert Round(2, "api", some, some).ratio == pytest.approx(1.0)


async def test_rounds_run_both_loops_back_to_back_in_alternating_order() -> None:
    """Each round pairs the two loops it ran itself; every loop is kept for pooling."""
    ran: list[str] = []

    def side(name: str, per_round_ok: list[int]) -> Loop:
        ran.append(name)
        return loop([0.1] * per_round_ok[len([r for r in ran if r == name]) - 1], seconds=1.0)

    async def sdk() -> Loop:
        return side("sdk", [10, 20, 30])

    async def api() -> Loop:
        return side("api", [8, 10, 24])

    heard: list[Round] = []
    done = await run_rounds(3, sdk, api, heard.append)
    assert ran == ["sdk", "api", "api", "sdk", "sdk", "api"]
    assert [r.first for r in done.rounds] == ["sdk", "api", "sdk"]
    assert [r.ratio for r in done.rounds] == [pytest.approx(0.8), pytest.approx(0.5), pytest.approx(0.8)]
    assert heard == done.rounds
    assert [len(x.recorder.latencies) for x in done.sdk] == [10, 20, 30]
    assert [len(x.recorder.latencies) for x in done.api] == [8, 10, 24]
    assert str(done.rounds[1]) == "2: sdk 20.0/s, api 10.0/s, ratio 0.50 (api first)"


def test_the_report_heads_with_the_median_ratio_and_gives_one_row_per_round() -> None:
    """Not the ratio of the pooled throughputs: one slow stretch of the box would weigh on it."""
    box = Box("2026-12-01 00:00 UTC", 2, "cpu", 1.0, "3.11", "1.35", "1.9", "0 0 0")
    results = Results(box, {"entities": 2, "actions": 2, "callers": 2})
    throughputs = [(100, 80), (50, 30), (100, 95)]  # ratios 0.8, 0.6, 0.95; pooled 205/250 = 0.82
    results.rounds = [
        Round(n, "sdk" if n % 2 else "api", loop([0.1] * sdk, 1.0).summary(), loop([0.1] * api, 1.0).summary())
        for n, (sdk, api) in enumerate(throughputs, start=1)
    ]
    assert results.ratio == pytest.approx(0.8)
    assert results.as_dict()["ratio_range"] == [pytest.approx(0.6), pytest.approx(0.95)]
    assert len(results.as_dict()["rounds"]) == 3
    lines = table(results).splitlines()
    assert "**Praxis/SDK throughput: 0.80** (median of 3 rounds' ratios, range 0.60-0.95)" in lines[2]
    assert [line for line in lines if line.startswith("| round |")] == [
        "| round | 1: sdk 100.0/s, api 80.0/s, ratio 0.80 (sdk first) | | | | | | |",
        "| round | 2: sdk 50.0/s, api 30.0/s, ratio 0.60 (api first) | | | | | | |",
        "| round | 3: sdk 100.0/s, api 95.0/s, ratio 0.95 (sdk first) | | | | | | |",
    ]
