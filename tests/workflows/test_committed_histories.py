"""Upgrades never break a running project (SPEC §6): every history committed under tests/workflows/histories,
recorded with earlier code, replays with today's code. Rules changed since (issue 12) apply to new projects
only: a replayed history follows the rules its project started with."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from temporalio.client import Client, WorkflowHistory
from temporalio.worker import Replayer

from clients.group import GroupClient
from config.settings import Settings
from domain.commands import Review, WithdrawItem
from domain.project import CURRENT_RULES, ProjectView
from domain.stages import Stage
from domain.vocabulary import EvaluationResult, ReviewDecision
from tests.support.course import CENTER, Course, link, proposal, student_actor
from tests.workflows.test_group import submit_group
from workers.main import SANDBOX, WORKFLOWS
from workflows.group import GroupWorkflow
from workflows.group import workflow_id as group_workflow_id
from workflows.project import ProjectWorkflow, workflow_id

HISTORY_DIR = Path(__file__).parent / "histories"


@pytest.fixture
def groups(client: Client, settings: Settings, worker: None) -> GroupClient:
    return GroupClient(client, settings)


HISTORIES = sorted(HISTORY_DIR.glob("*.json"))
RECORDED = {path.stem: json.loads(path.read_text()) for path in HISTORIES}  # read once, at collection


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_committed_history_replays_with_todays_code(path: Path, client: Client) -> None:
    """Replaying a recorded history raises on any nondeterminism (a changed command, a missing patch)."""
    history = WorkflowHistory.from_json(f"replay-{path.stem}", RECORDED[path.stem])
    replayer = Replayer(workflows=WORKFLOWS, data_converter=client.data_converter, workflow_runner=SANDBOX)
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, result.replay_failure


async def test_a_lifecycle_under_the_current_rules_replays(course: Course, client: Client) -> None:
    """Upgrades keep working for projects on the current rules too: a lifecycle with the `course-rules-2`
    marker, hours and a photo withdrawn (R16) and a pass replays with today's code.
    Set PRAXIS_RECORD_HISTORIES=1 to record it into tests/workflows/histories/ as `current_rules_lifecycle`."""
    project_id, student_id, faculty = await course.to_in_progress()
    await course.log_hours(project_id, student_id, total=4)
    view = await course.projects.view(project_id)
    assert view.rules == CURRENT_RULES
    mistake = WithdrawItem(item="hours", item_id=view.hours[0].id, reason="wrong day")
    await course.projects.act(project_id, ProjectWorkflow.withdraw_item, student_actor(student_id), mistake)
    await course.log_hours(project_id, student_id, total=36)
    await course.add_evidence(project_id, student_id, photos=4)
    fourth = (await course.projects.view(project_id)).evidence[3].id
    blurred = WithdrawItem(item="evidence", item_id=fourth, reason="blurred")
    await course.projects.act(project_id, ProjectWorkflow.withdraw_item, student_actor(student_id), blurred)
    await course.submit_closure(project_id, student_id)
    await course.evaluate(project_id, faculty, EvaluationResult.PASS)
    handle = client.get_workflow_handle(workflow_id(project_id), result_type=ProjectView)
    final = await handle.result()
    assert final.counted_hours == 36 and final.stage is Stage.PASSED
    fresh = await handle.fetch_history()
    if os.environ.get("PRAXIS_RECORD_HISTORIES") == "1":
        target = HISTORY_DIR / "current_rules_lifecycle.json"
        target.write_text(json.dumps(json.loads(fresh.to_json()), indent=1) + "\n")
    replayer = Replayer(workflows=WORKFLOWS, data_converter=client.data_converter, workflow_runner=SANDBOX)
    await replayer.replay_workflow(fresh)


async def test_a_group_under_the_linked_plan_rule_replays(course: Course, groups: GroupClient, client: Client) -> None:
    """R9 across upgrades: a group whose members linked one proposal keeping the group's plan (approved) and
    one with a plan of its own (to review), under the `r9-linked-plan-review` marker, replays with today's
    code. PRAXIS_RECORD_HISTORIES=1 records it as `group_linked_plan`."""
    members = [course.add_student() for _ in range(2)]
    group_id = await submit_group(groups, members)
    await groups.act(group_id, GroupWorkflow.review, CENTER, Review(decision=ReviewDecision.APPROVE))
    same = await link(groups, course.engine, group_id, members[0], "k")
    own = proposal("My part: the sorting station", group_id=group_id, plan="I sort and weigh what we collect.")
    other = await link(groups, course.engine, group_id, members[1], "k", own)
    assert (await course.projects.view(same)).stage is Stage.NEEDS_SUPERVISOR
    assert (await course.projects.view(other)).stage is Stage.PROPOSAL_REVIEW
    handle = client.get_workflow_handle(group_workflow_id(group_id))
    await handle.result()
    fresh = await handle.fetch_history()
    if os.environ.get("PRAXIS_RECORD_HISTORIES") == "1":
        target = HISTORY_DIR / "group_linked_plan.json"
        target.write_text(json.dumps(json.loads(fresh.to_json()), indent=1) + "\n")
    replayer = Replayer(workflows=WORKFLOWS, data_converter=client.data_converter, workflow_runner=SANDBOX)
    await replayer.replay_workflow(fresh)
