"""The benchmark's interleaved rounds (bench/rounds.py): the headline ratio is only as robust as these."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable

import pytest

from bench.box import Box
from bench.measure import Recorder
from bench.report import Results, table
from bench.rounds import Loop, Round, Side, order, pool, pooled_cpu_ms, run_rounds, sides_in_order, spread


def loop(latencies: list[float], seconds: float, failures: dict[str, int] | None = None, **cpu: float) -> Loop:
    return Loop(Recorder(latencies, Counter(failures or {})), seconds, cpu)


def scripted(ran: list[str], successes: dict[Side, list[int]]) -> dict[Side, Callable[[], Awaitable[Loop]]]:
    """Each side's loop as run_rounds calls it: noted in `ran`, its nth run answering the nth count of calls."""

    def side(name: Side) -> Callable[[], Awaitable[Loop]]:
        async def run() -> Loop:
            ran.append(name)
            return loop([0.1] * successes[name][ran.count(name) - 1], seconds=1.0)

        return run

    return {name: side(name) for name in successes}


def test_rounds_alternate_which_side_goes_first() -> None:
    """sdk→api, api→sdk, …: a drift within a round favours each side equally often."""
    assert order(5) == [("sdk", "api"), ("api", "sdk"), ("sdk", "api"), ("api", "sdk"), ("sdk", "api")]
    assert order(1) == [("sdk", "api")]
    assert order(0) == []


def test_with_three_sides_every_pair_alternates_which_goes_first() -> None:
    """sdk→http→api, api→http→sdk, …: the given order in rounds 1, 3, …, reversed in 2, 4, …, whatever order
    the sides are named in, so of any two sides each runs first in every second round."""
    forward, backward = ("sdk", "http", "api"), ("api", "http", "sdk")
    assert order(4, ("sdk", "http", "api")) == [forward, backward, forward, backward]
    assert order(2, ("api", "sdk", "http")) == [forward, backward]
    turns = order(4, ("sdk", "http", "api"))
    for a, b in (("sdk", "http"), ("http", "api"), ("sdk", "api")):
        firsts = [a if turn.index(a) < turn.index(b) else b for turn in turns]
        assert firsts == [a, b, a, b]


def test_rounds_need_both_sdk_and_api_and_know_only_their_three_sides() -> None:
    """The headline is api/sdk, so no round runs without either; http is optional."""
    assert sides_in_order(["api", "sdk"]) == ("sdk", "api")
    with pytest.raises(ValueError, match="both sdk and api"):
        sides_in_order(["sdk", "http"])
    with pytest.raises(ValueError, match="unknown"):
        sides_in_order(["sdk", "api", "open"])  # type: ignore[list-item]


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


def test_a_round_with_http_splits_the_ratio_into_the_hop_and_praxis_above_it() -> None:
    """http/sdk is the HTTP hop's own cost, api/http Praxis's work above it; their product is api/sdk."""
    sdk, http, api = (loop([0.1] * ok, 1.0).summary() for ok in (100, 80, 60))
    one = Round(1, "sdk", sdk, api, http)
    assert one.ratio == pytest.approx(0.6)
    assert one.http_ratio == pytest.approx(0.8)
    assert one.praxis_over_http == pytest.approx(0.75)
    assert Round(2, "api", sdk, api).http_ratio is None
    assert Round(2, "api", sdk, api).praxis_over_http is None
    nothing = loop([], 1.0, {"500": 3}).summary()
    assert Round(3, "sdk", sdk, api, nothing).praxis_over_http is None  # no http throughput to divide by
    assert str(one) == ("1: sdk 100.0/s, http 80.0/s, api 60.0/s, ratio 0.60, http/sdk 0.80, api/http 0.75 (sdk first)")
    assert one.as_dict()["http_ratio"] == pytest.approx(0.8)
    assert "http" not in Round(2, "api", sdk, api).as_dict()


async def test_rounds_run_both_loops_back_to_back_in_alternating_order() -> None:
    """Each round pairs the two loops it ran itself; every loop is kept for pooling."""
    ran: list[str] = []
    heard: list[Round] = []
    done = await run_rounds(3, scripted(ran, {"sdk": [10, 20, 30], "api": [8, 10, 24]}), heard.append)
    assert ran == ["sdk", "api", "api", "sdk", "sdk", "api"]
    assert [r.first for r in done.rounds] == ["sdk", "api", "sdk"]
    assert [r.ratio for r in done.rounds] == [pytest.approx(0.8), pytest.approx(0.5), pytest.approx(0.8)]
    assert heard == done.rounds
    assert list(done.loops) == ["sdk", "api"]
    assert [len(x.recorder.latencies) for x in done.loops["sdk"]] == [10, 20, 30]
    assert [len(x.recorder.latencies) for x in done.loops["api"]] == [8, 10, 24]
    assert str(done.rounds[1]) == "2: sdk 20.0/s, api 10.0/s, ratio 0.50 (api first)"


async def test_three_sides_run_back_to_back_forward_then_reversed_each_round_pairing_its_own_loops() -> None:
    """sdk→http→api, then api→http→sdk; each round's three ratios come from its own three loops."""
    ran: list[str] = []
    done = await run_rounds(2, scripted(ran, {"api": [60, 30], "sdk": [100, 50], "http": [90, 40]}))
    assert ran == ["sdk", "http", "api", "api", "http", "sdk"]
    assert [r.first for r in done.rounds] == ["sdk", "api"]
    assert [r.http_ratio for r in done.rounds] == [pytest.approx(0.9), pytest.approx(0.8)]
    assert [r.praxis_over_http for r in done.rounds] == [pytest.approx(60 / 90), pytest.approx(0.75)]
    assert list(done.loops) == ["sdk", "http", "api"]
    assert [len(x.recorder.latencies) for x in done.loops["http"]] == [90, 40]


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


def test_the_report_adds_the_http_row_and_the_two_ratios_that_split_the_gap() -> None:
    """With http: its row between sdk and api, the headline api/sdk first, then http/sdk (the hop) and
    api/http (Praxis above the hop), each the median of the rounds' ratios with its range; JSON has them too."""
    box = Box("2026-12-01 00:00 UTC", 2, "cpu", 1.0, "3.11", "1.35", "1.9", "0 0 0")
    results = Results(box, {"entities": 2, "actions": 2, "callers": 2})
    throughputs = [(100, 90, 60), (100, 80, 60), (100, 70, 63)]  # http/sdk 0.9, 0.8, 0.7; api/http 0.67, 0.75, 0.9
    results.rounds = [
        Round(n, "sdk" if n % 2 else "api", *(loop([0.1] * ok, 1.0).summary() for ok in (sdk, api, http)))
        for n, (sdk, http, api) in enumerate(throughputs, start=1)
    ]
    results.sdk, results.http, results.api = (loop([0.1] * 300, 3.0).summary() for _ in range(3))
    results.cpu = {"sdk": {"server": 9.0}, "http": {"server": 9.5, "http": 3.0}, "api": {"server": 10.0}}
    lines = table(results).splitlines()
    assert [line.split(" | ")[0] for line in lines[2:8]] == [
        "| sdk",
        "| http",
        "| api",
        "| ratio",
        "| ratio",
        "| ratio",
    ]
    assert "SDK update behind a bare FastAPI route" in lines[3]
    assert "**Praxis/SDK throughput: 0.60** (median of 3 rounds' ratios, range 0.60-0.63)" in lines[5]
    assert "SDK behind HTTP / SDK: 0.80 (median of 3 rounds' ratios, range 0.70-0.90)" in lines[6]
    assert "Praxis / SDK behind HTTP: 0.75 (median of 3 rounds' ratios, range 0.67-0.90)" in lines[7]
    assert "| cpu | http: CPU ms per action: server 9.5, http 3.0 (total 12.5) | | | | | | |" in lines
    found = results.as_dict()
    assert found["ratio_http_over_sdk"] == pytest.approx(0.8)
    assert found["ratio_http_over_sdk_range"] == [pytest.approx(0.7), pytest.approx(0.9)]
    assert found["ratio_praxis_over_http"] == pytest.approx(0.75)
    assert found["ratio_praxis_over_http_range"] == [pytest.approx(60 / 90), pytest.approx(0.9)]
    assert found["http"]["ok"] == 300
    assert "http_ratio" in found["rounds"][0]


def test_without_http_the_report_has_no_http_row_nor_its_ratios() -> None:
    box = Box("2026-12-01 00:00 UTC", 2, "cpu", 1.0, "3.11", "1.35", "1.9", "0 0 0")
    results = Results(box, {"entities": 2, "actions": 2, "callers": 2})
    results.rounds = [Round(1, "sdk", loop([0.1] * 10, 1.0).summary(), loop([0.1] * 8, 1.0).summary())]
    text = table(results)
    assert "SDK behind HTTP" not in text
    found = results.as_dict()
    assert (found["http"], found["ratio_http_over_sdk"], found["ratio_praxis_over_http"]) == (None, None, None)


def test_the_open_loop_rows_show_the_anchor_and_praxis_at_the_same_rate() -> None:
    """The anchor's tail at the rate Praxis's open loop gets sits right above Praxis's, both in the JSON."""
    box = Box("2026-12-01 00:00 UTC", 2, "cpu", 1.0, "3.11", "1.35", "1.9", "0 0 0")
    results = Results(box, {"entities": 2, "actions": 2, "callers": 2, "arrivals": "poisson", "open_seconds": 30.0})
    results.open_rate = 50.0
    results.open_sdk = loop([0.01] * 10, 1.0).summary()
    results.open = loop([0.05] * 10, 1.0).summary()
    rows = [line for line in table(results).splitlines() if line.startswith("| open |")]
    assert len(rows) == 2
    assert "raw SDK update, open loop at 50.0/s (poisson, 30 s)" in rows[0]
    assert "Praxis `POST …/hours`, open loop at 50.0/s" in rows[1]
    found = results.as_dict()
    assert found["open_sdk"]["rate"] == 50.0 and found["open"]["rate"] == 50.0


def test_without_the_anchors_open_loop_only_praxis_has_an_open_row() -> None:
    box = Box("2026-12-01 00:00 UTC", 2, "cpu", 1.0, "3.11", "1.35", "1.9", "0 0 0")
    results = Results(box, {"entities": 2, "actions": 2, "callers": 2, "arrivals": "fixed", "open_seconds": 10.0})
    results.open_rate = 20.0
    results.open = loop([0.05] * 10, 1.0).summary()
    rows = [line for line in table(results).splitlines() if line.startswith("| open |")]
    assert len(rows) == 1 and "Praxis" in rows[0]
    assert results.as_dict()["open_sdk"] is None
