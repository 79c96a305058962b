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
    api: Summary | None = None
    open_rate: float | None = None
    open: Summary | None = None
    cold: ColdFigures | None = None
    examweek: ExamWeekFigures | None = None
    durations: dict[str, float] = field(default_factory=dict)  # wall seconds per part, setup included
    cpu: dict[str, dict[str, float]] = field(default_factory=dict)  # per part: CPU ms per action by process
    rounds: list[Round] = field(default_factory=list)  # sdk and api interleaved; then sdk and api pool them

    @property
    def ratio_spread(self) -> Spread | None:
        """Over the rounds: the median of their ratios and the range."""
        ratios = [r.ratio for r in self.rounds if r.ratio is not None]
        return spread(ratios) if ratios else None

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
        return {
            "box": self.box.as_dict(),
            "parameters": self.parameters,
            "sdk": self.sdk.as_dict() if self.sdk else None,
            "api": self.api.as_dict() if self.api else None,
            "ratio_praxis_over_sdk": self.ratio,
            "ratio_range": [found.low, found.high] if (found := self.ratio_spread) else None,
            "rounds": [r.as_dict() for r in self.rounds],
            "open": {"rate": self.open_rate, **self.open.as_dict()} if self.open else None,
            "cold": self.cold.as_dict() if self.cold else None,
            "examweek": self.examweek.as_dict() if self.examweek else None,
            "durations_seconds": self.durations,
            "cpu_ms_per_action": self.cpu,
        }


def _ms(value: float) -> str:
    return f"{value / 1000:.2f} s" if value >= 10_000 else f"{value:.0f} ms"


def _row(part: str, what: str, s: Summary) -> str:
    return (
        f"| {part} | {what} | {s.ok} | {s.errors} | {s.throughput:.1f}/s | {_ms(s.p50)} | {_ms(s.p95)} | {_ms(s.p99)} |"
    )


def _note(part: str, what: str) -> str:
    return f"| {part} | {what} | | | | | | |"


def table(r: Results) -> str:
    p = r.parameters
    shape = f"{p['entities']}x{p['actions']}, {p['callers']} callers"
    if r.rounds:
        shape += f", {len(r.rounds)} rounds pooled"
    lines = [
        "| part | what | ok | errors | throughput | p50 | p95 | p99 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    if r.sdk:
        lines.append(_row("sdk", f"raw SDK update, closed loop, {shape}", r.sdk))
    if r.api:
        lines.append(_row("api", f"Praxis `POST …/hours`, closed loop, {shape}", r.api))
    if (found := r.ratio_spread) is not None:
        what = f"median of {len(r.rounds)} rounds' ratios, range {found.low:.2f}-{found.high:.2f}"
        lines.append(_note("ratio", f"**Praxis/SDK throughput: {found.median:.2f}** ({what})"))
    elif r.ratio is not None:
        lines.append(_note("ratio", f"**Praxis/SDK throughput: {r.ratio:.2f}**"))
    lines.extend(_note("round", str(one)) for one in r.rounds)
    for part, by_process in r.cpu.items():
        spent = ", ".join(f"{name} {ms:.1f}" for name, ms in by_process.items())
        lines.append(_note("cpu", f"{part}: CPU ms per action: {spent} (total {sum(by_process.values()):.1f})"))
    if r.open and r.open_rate is not None:
        what = f"Praxis `POST …/hours`, open loop at {r.open_rate:.1f}/s ({p['arrivals']}, {p['open_seconds']:.0f} s)"
        lines.append(_row("open", what, r.open))
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
