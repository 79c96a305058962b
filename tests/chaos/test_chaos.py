"""The chaos suite (issue 11 item 7): real projects driven through the API of a real stack (dev server,
worker and API as processes) while the worker is killed, the Temporal dev server restarted, SMTP stopped and
the SQLite database locked. Nothing acknowledged is lost, nothing is applied or mailed twice, and every project
reaches PASSED with its credit. `python -m bench.chaos` is the longer run (100 faults)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.chaos import KINDS, run

pytestmark = pytest.mark.chaos

PROJECTS = 4
FAULTS = 8  # every kind twice
STEPS_PER_PROJECT = (
    2 + 1 + 3 + 3 + 4 + 1 + 1
)  # directory, submit, review/invite/accept, hours, photos, closure, evaluation


async def test_no_acknowledged_action_is_lost_or_doubled_under_faults(tmp_path: Path) -> None:
    """Every fault kind is injected while projects run; the books balance: zero lost, zero applied twice,
    zero mailed twice, every project PASSED with its credit, no action refused."""
    report = await run(tmp_path, projects=PROJECTS, faults=FAULTS, seed=11, pace=3.0, fault_gap=2.0)
    summary = "\n".join(report.lines())
    print(summary)
    assert report.faults.total == FAULTS
    assert set(report.faults.injected) == set(KINDS), summary
    assert sum(report.ledger.acknowledged.values()) == PROJECTS * STEPS_PER_PROJECT, summary
    assert report.ok, summary
    assert report.mails >= PROJECTS * 5, summary  # approved, invitation, accepted, to evaluate, passed
