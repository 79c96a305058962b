"""Upgrades never break a running project (SPEC §6): every history committed under tests/workflows/histories,
recorded with earlier code, replays with today's code. Rules changed since (issue 12) apply to new projects
only: a replayed history follows the rules its project started with."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from temporalio.client import Client, WorkflowHistory
from temporalio.worker import Replayer

from workers.main import SANDBOX, WORKFLOWS

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))
RECORDED = {path.stem: json.loads(path.read_text()) for path in HISTORIES}  # read once, at collection


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_committed_history_replays_with_todays_code(path: Path, client: Client) -> None:
    """Replaying a recorded history raises on any nondeterminism (a changed command, a missing patch)."""
    history = WorkflowHistory.from_json(f"replay-{path.stem}", RECORDED[path.stem])
    replayer = Replayer(workflows=WORKFLOWS, data_converter=client.data_converter, workflow_runner=SANDBOX)
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, result.replay_failure
