"""Upgrades never break a running project (SPEC §6, issue 11 item 6): every committed history replays with
today's code, together they cover every stage, every signal and every update of every workflow, and a replay
does fail on a changed history.

The histories are written by `python -m tests.workflows.record_histories` (see its docstring for when to
re-record: never to make this test pass); docs/upgrades.md is the procedure for changing workflow code.
"""

from __future__ import annotations

import base64
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from clients.connect import data_converter
from config.settings import Settings
from domain.stages import Stage
from tests.conftest import TEST_PAYLOAD_KEYS
from workers.main import WORKFLOWS, workflow_runner

HISTORIES = Path(__file__).parent / "histories"
FILES = sorted(HISTORIES.glob("*.json"))


def _load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def _attributes(history: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [event[kind] for event in history["events"] if kind in event]


def _workflow_type(history: dict[str, Any]) -> str:
    (started,) = _attributes(history, "workflowExecutionStartedEventAttributes")
    name: str = started["workflowType"]["name"]
    return name


def _stages(history: dict[str, Any]) -> set[str]:
    """PraxisStage values the workflow set (search attributes are not encrypted: they hold stages, not people)."""
    found: set[str] = set()
    for key in ("workflowExecutionStartedEventAttributes", "upsertWorkflowSearchAttributesEventAttributes"):
        for attributes in _attributes(history, key):
            field = attributes.get("searchAttributes", {}).get("indexedFields", {}).get("PraxisStage")
            if field:
                found.add(json.loads(base64.b64decode(field["data"])))
    return found


@pytest.fixture(scope="module", params=[True, False], ids=["sandboxed", "as-in-production"])
def replayer(request: pytest.FixtureRequest) -> Replayer:
    """Inside the sandbox (which refuses a non-deterministic call) and the way production runs workflows."""
    # The key the histories were sealed with (tests/conftest.py); the replayer opens them as a worker would.
    settings = Settings(env="test", payload_keys=SecretStr(TEST_PAYLOAD_KEYS), worker_sandbox=request.param)
    runner = workflow_runner(settings)
    return Replayer(workflows=WORKFLOWS, data_converter=data_converter(settings), workflow_runner=runner)


@pytest.mark.parametrize("path", FILES, ids=[path.stem for path in FILES])
async def test_recorded_history_replays(replayer: Replayer, path: Path) -> None:
    """Each committed history, recorded with earlier code, replays with today's code without a
    non-determinism error (a changed command, a missing patch)."""
    history = WorkflowHistory.from_json(f"recorded-{path.stem}", _load(path))
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, f"{path.name}: {result.replay_failure}"


def test_histories_cover_every_workflow_stage_signal_and_update() -> None:
    """Every workflow type has a history; a project's histories pass through every stage; every signal and
    update each workflow defines was received in one of its histories."""
    histories = [_load(path) for path in FILES]
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for history in histories:
        by_type[_workflow_type(history)].append(history)
    for cls in WORKFLOWS:
        # The SDK's own reading of the class: the signals and updates it registers with a worker.
        definition = workflow._Definition.must_from_class(cls)
        assert definition.name is not None
        mine = by_type[definition.name]
        assert mine, f"no recorded history of {definition.name}"
        signals = {a["signalName"] for h in mine for a in _attributes(h, "workflowExecutionSignaledEventAttributes")}
        updates = {
            a["acceptedRequest"]["input"]["name"]
            for h in mine
            for a in _attributes(h, "workflowExecutionUpdateAcceptedEventAttributes")
        }
        assert {name for name in definition.signals if name} <= signals, definition.name
        assert {name for name in definition.updates if name} <= updates, definition.name
    project_stages = set().union(*(_stages(h) for h in by_type["ProjectWorkflow"]))
    assert {stage.value for stage in Stage} <= project_stages


async def test_a_changed_workflow_fails_the_replay(replayer: Replayer) -> None:
    """The check is not a rubber stamp: a history whose recorded commands no longer match the code (as if the
    code had renamed an activity a running workflow already scheduled) fails to replay."""
    text = (HISTORIES / "departure.json").read_text().replace('"departure_news"', '"departure_news_v0"')
    history = WorkflowHistory.from_json("tampered", json.loads(text))
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is not None
