"""The run's figures as one Markdown table (pasteable into the README as is) and, on request, as JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.box import Box
from bench.examweek import ExamWeekFigures
from bench.measure import Summary
from bench.praxis import ColdFigures
from bench.rounds import Round, Spread, spread


@dataclass
class Results:
    box: Box
    parameters: dict[str, Any]
    sdk: Summary | None = None
    http: Summary | None = None  # the anchor behind a bare HTTP route (bench/anchor_http.py)
    api: Summary | None = None
    open_rate: float | None = None
    open: Summary | None = None
    open_sdk: Summary | None = None  # the anchor's updates at the same rate, when the rounds ran
    cold: ColdFigures | None = None
    examweek: ExamWeekFigures | None = None
    durations: dict[str, float] = field(default_factory=dict)  # wall seconds per part, setup included
    cpu: dict[str, dict[str, float]] = field(default_factory=dict)  # per part: CPU ms per action by process
    rounds: list[Round] = field(default_factory=list)  # the sides interleaved; then each side's row pools them

    @property
    def ratio_spread(self) -> Spread | None:
        """Over the rounds: the median of their ratios and the range."""
        return _spread([r.ratio for r in self.rounds])

    @property
    def http_ratio_spread(self) -> Spread | None:
        """Over the rounds with http: the SDK behind HTTP over the SDK, the median and the range."""
        return _spread([r.http_ratio for r in self.rounds])

    @property
    def praxis_over_http_spread(self) -> Spread | None:
        """Over the rounds with http: Praxis over the SDK behind HTTP, the median and the range."""
        return _spread([r.praxis_over_http for r in self.rounds])

    @property
    def ratio(self) -> float | None:
        """Praxis over the SDK in throughput: the median of the rounds' ratios, or of the one run of each."""
        if self.rounds:
            found = self.ratio_spread
            return found.median if found else None
        if self.sdk is None or self.api is None or self.sdk.throughput == 0:
            return None
        return self.api.throughput / self.sdk.throughput

    def as_dict(self) -> dict[str, Any]:
        hop, above = self.http_ratio_spread, self.praxis_over_http_spread
        return {
            "box": self.box.as_dict(),
            "parameters": self.parameters,
            "sdk": self.sdk.as_dict() if self.sdk else None,
            "http": self.http.as_dict() if self.http else None,
            "api": self.api.as_dict() if self.api else None,
            "ratio_praxis_over_sdk": self.ratio,
            "ratio_range": _range(self.ratio_spread),
            "ratio_http_over_sdk": hop.median if hop else None,
            "ratio_http_over_sdk_range": _range(hop),
            "ratio_praxis_over_http": above.median if above else None,
            "ratio_praxis_over_http_range": _range(above),
            "rounds": [r.as_dict() for r in self.rounds],
            "open": {"rate": self.open_rate, **self.open.as_dict()} if self.open else None,
            "open_sdk": {"rate": self.open_rate, **self.open_sdk.as_dict()} if self.open_sdk else None,
            "cold": self.cold.as_dict() if self.cold else None,
            "examweek": self.examweek.as_dict() if self.examweek else None,
            "durations_seconds": self.durations,
            "cpu_ms_per_action": self.cpu,
        }


def _spread(ratios: list[float | None]) -> Spread | None:
    found = [ratio for ratio in ratios if ratio is not None]
    return spread(found) if found else None


def _range(found: Spread | None) -> list[float] | None:
    return [found.low, found.high] if found else None


def _ms(value: float) -> str:
    return f"{value / 1000:.2f} s" if value >= 10_000 else f"{value:.0f} ms"


def _row(part: str, what: str, s: Summary) -> str:
    return (
        f"| {part} | {what} | {s.ok} | {s.errors} | {s.throughput:.1f}/s | {_ms(s.p50)} | {_ms(s.p95)} | {_ms(s.p99)} |"
    )


def _note(part: str, what: str) -> str:
    return f"| {part} | {what} | | | | | | |"


def _over_rounds(found: Spread, rounds: int) -> str:
    return f"median of {rounds} rounds' ratios, range {found.low:.2f}-{found.high:.2f}"


def table(r: Results) -> str:
    p = r.parameters
    shape = f"{p['entities']}x{p['actions']}, {p['callers']} callers"
    n = len(r.rounds)
    if r.rounds:
        shape += f", {n} rounds pooled"
    lines = [
        "| part | what | ok | errors | throughput | p50 | p95 | p99 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    if r.sdk:
        lines.append(_row("sdk", f"raw SDK update, closed loop, {shape}", r.sdk))
    if r.http:
        lines.append(_row("http", f"SDK update behind a bare FastAPI route, closed loop, {shape}", r.http))
    if r.api:
        lines.append(_row("api", f"Praxis `POST …/hours`, closed loop, {shape}", r.api))
    if (found := r.ratio_spread) is not None:
        lines.append(_note("ratio", f"**Praxis/SDK throughput: {found.median:.2f}** ({_over_rounds(found, n)})"))
    elif r.ratio is not None:
        lines.append(_note("ratio", f"**Praxis/SDK throughput: {r.ratio:.2f}**"))
    if (found := r.http_ratio_spread) is not None:
        lines.append(_note("ratio", f"SDK behind HTTP / SDK: {found.median:.2f} ({_over_rounds(found, n)})"))
    if (found := r.praxis_over_http_spread) is not None:
        lines.append(_note("ratio", f"Praxis / SDK behind HTTP: {found.median:.2f} ({_over_rounds(found, n)})"))
    lines.extend(_note("round", str(one)) for one in r.rounds)
    for part, by_process in r.cpu.items():
        spent = ", ".join(f"{name} {ms:.1f}" for name, ms in by_process.items())
        lines.append(_note("cpu", f"{part}: CPU ms per action: {spent} (total {sum(by_process.values()):.1f})"))
    if r.open_rate is not None:
        arrivals = f"open loop at {r.open_rate:.1f}/s ({p['arrivals']}, {p['open_seconds']:.0f} s)"
        if r.open_sdk:
            lines.append(_row("open", f"raw SDK update, {arrivals}", r.open_sdk))
        if r.open:
            lines.append(_row("open", f"Praxis `POST …/hours`, {arrivals}", r.open))
    if c := r.cold:
        lines.append(
            _note(
                "cold",
                f"{c.projects} projects submitted in {c.create_seconds:.0f} s "
                f"({c.create_rate:.1f}/s, {c.create_errors} errors)",
            )
        )
        lines.append(
            _note(
                "cold",
                f"worker RSS {c.rss_before_mib:.0f} → {c.rss_after_mib:.0f} MiB "
                f"(peak {c.peak_rss_mib:.0f}), cache {c.worker_cache} workflows",
            )
        )
        lines.append(_row("cold", f"review on a cached project (latest {c.warm.ok + c.warm.errors})", c.warm))
        earliest = f"earliest {c.cold.ok + c.cold.errors}"
        state = "an evicted project" if c.evicted else "an early project (NOT evicted: fewer projects than the cache)"
        lines.append(_row("cold", f"review on {state} ({earliest})", c.cold))
    if e := r.examweek:
        lines.append(
            _note(
                "examweek",
                f"{e.supervisors} supervisors: first mail {e.until_first_mail:.1f} s, "
                f"last {e.until_last_mail:.1f} s ({e.mails_per_second:.1f} mails/s)",
            )
        )
        lines.append(
            _note("examweek", f"exactly one mail: {e.with_one}, none: {e.with_none}, several: {e.with_several}")
        )
    return "\n".join(lines)


def header(r: Results) -> str:
    b = r.box
    return (
        f"Measured {b.measured_at} on {b.nproc} CPUs ({b.cpu}), {b.ram_gib} GiB RAM; Python {b.python}, "
        f"temporalio {b.temporalio}, temporal CLI {b.temporal_cli}; load average at start {b.load_at_start}.\n"
        "Parameters: "
        + ", ".join(f"{k}={v}" for k, v in r.parameters.items())
        + ("\nDurations: " + ", ".join(f"{k} {v:.0f} s" for k, v in r.durations.items()) if r.durations else "")
    )


def write_json(r: Results, path: Path) -> None:
    path.write_text(json.dumps(r.as_dict(), indent=2, default=str) + "\n")
