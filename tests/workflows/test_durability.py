"""Durability: a worker crash loses nothing, recorded histories still replay, continue-as-new keeps state."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHistory
from temporalio.worker import Replayer

from clients.gateway import Unavailable
from clients.project import ProjectClient
from config.settings import Settings
from domain.actors import Actor
from domain.people import StudentStanding
from domain.project import ProjectView
from domain.stages import Stage
from domain.vocabulary import EvaluationResult, Role
from store import projects as project_store
from store.db import make_engine, migrate, session
from tests.support.course import Course, proposal
from workers.main import SANDBOX, WORKFLOWS, build_worker
from workflows.project import workflow_id

HISTORIES = Path(__file__).parent / "histories"


async def test_worker_crash_mid_lifecycle_loses_nothing(client: Client, settings: Settings, engine: Engine) -> None:
    """A worker that stops mid-lifecycle is replaced by a new one that finishes the project, nothing lost.

    While no worker polls, an action answers Unavailable (HTTP 503) instead of hanging, and is not half-applied.
    """
    # No sticky cache: a stopped worker leaves nothing on a queue only it polled (the server would need
    # server time to pass before handing its tasks on, and the time-skipping server does not pass it here).
    own = settings.model_copy(
        update={
            "task_queue": f"crash-{uuid.uuid4().hex[:8]}",
            "update_timeout_seconds": 30.0,
            "worker_max_cached_workflows": 0,
        }
    )
    impatient = ProjectClient(client, own.model_copy(update={"update_timeout_seconds": 1.0}))
    course = Course(ProjectClient(client, own), engine)
    async with build_worker(client, own, engine):
        project_id, student_id, faculty = await course.to_in_progress()
        await course.log_hours(project_id, student_id, total=16)
    with pytest.raises(Unavailable):
        await Course(impatient, engine).log_hours(project_id, student_id, total=4)
    async with build_worker(client, own, engine):
        # The timed-out update was never accepted, or is applied once when a worker is back: never half.
        view = await course.projects.view(project_id)
        assert view.counted_hours in (16, 20)
        await course.log_hours(project_id, student_id, total=36 - int(view.counted_hours))
        await course.add_evidence(project_id, student_id)
        await course.submit_closure(project_id, student_id)
        outcome = await course.evaluate(project_id, faculty, EvaluationResult.PASS)
        # Let the project finish on this worker: work left on an unpolled queue would freeze server time.
        final = await client.get_workflow_handle(workflow_id(project_id), result_type=ProjectView).result()
    assert outcome.summary.stage is Stage.PASSED
    assert outcome.summary.counted_hours == 36
    assert [e.seq for e in final.audit] == list(range(1, len(final.audit) + 1))


async def test_full_lifecycle_history_replays(course: Course, client: Client) -> None:
    """Running workflows survive code changes: the committed full-lifecycle history replays with today's code.

    Set PRAXIS_RECORD_HISTORIES=1 to record a fresh history into tests/workflows/histories/.
    """
    project_id, _, faculty = await course.to_evaluation()
    await course.evaluate(project_id, faculty, EvaluationResult.PASS)
    handle = client.get_workflow_handle(workflow_id(project_id))
    await handle.result()
    fresh = await handle.fetch_history()
    target = HISTORIES / "full_lifecycle.json"
    if os.environ.get("PRAXIS_RECORD_HISTORIES") == "1":
        target.write_text(json.dumps(json.loads(fresh.to_json()), indent=1) + "\n")
    replayer = Replayer(workflows=WORKFLOWS, data_converter=client.data_converter, workflow_runner=SANDBOX)
    await replayer.replay_workflow(fresh)
    recorded = json.loads(target.read_text())
    await replayer.replay_workflow(WorkflowHistory.from_json("project-recorded", recorded))


async def test_continue_as_new_keeps_state(client: Client, course: Course, projects: ProjectClient) -> None:
    """Long-lived projects continue as new without losing state or pending handlers (STYLE: Temporal)."""
    student_id = course.add_student()
    faculty = course.add_faculty()
    project_id = "can" + uuid.uuid4().hex[:12]
    await projects.start(
        project_id=project_id,
        student_id=student_id,
        semester_id="2026-fall",
        proposal=proposal(),
        actor=Actor(id=student_id, role=Role.STUDENT),
        standing=StudentStanding(student_id=student_id),
        history_limit=40,
    )
    await course.approve(project_id)
    await course.invite(project_id, student_id, faculty)
    await course.accept(project_id, faculty)
    await course.log_hours(project_id, student_id)
    await course.add_evidence(project_id, student_id)
    await course.submit_closure(project_id, student_id)
    outcome = await course.evaluate(project_id, faculty, EvaluationResult.PASS)
    assert outcome.summary.stage is Stage.PASSED and outcome.summary.counted_hours == 36
    view = await course.projects.view(project_id)
    assert len(view.evidence) == 4
    assert [e.seq for e in view.audit] == list(range(1, len(view.audit) + 1))
    handle = client.get_workflow_handle(workflow_id(project_id))
    await handle.result()
    history = await handle.fetch_history()
    started = history.events[0].workflow_execution_started_event_attributes
    assert started.continued_execution_run_id, "the project should have continued as new at least once"


async def test_a_database_outage_longer_than_a_few_retries_does_not_fail_the_project(
    client: Client, settings: Settings, tmp_path: Path
) -> None:
    """Issue 9 (reliability, database down): the project's records are written by a local activity; while the
    read model's table is unreachable every attempt fails, for longer than a handful of retries, and the
    workflow keeps running and retrying; once the table is back the records catch up."""
    own = settings.model_copy(
        update={
            "task_queue": f"dbdown-{uuid.uuid4().hex[:8]}",
            "database_url": f"sqlite:///{tmp_path / 'praxis.db'}",
            "worker_max_cached_workflows": 0,
        }
    )
    migrate(own.db_url)
    engine = make_engine(own.db_url)
    projects = ProjectClient(client, own)
    course = Course(projects, engine)
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE project RENAME TO project_away"))
    async with build_worker(client, own, engine):
        project_id = await course.submit(course.add_student())
        handle = client.get_workflow_handle(workflow_id(project_id))
        # Five attempts with backoff (1, 2, 4, 8 s) were the old budget; outlast it.
        await asyncio.sleep(20)
        assert (await handle.describe()).status is WorkflowExecutionStatus.RUNNING
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE project_away RENAME TO project"))
        async with asyncio.timeout(90):
            while True:
                with session(engine) as s:
                    if project_store.get_project(s, project_id) is not None:
                        break
                await asyncio.sleep(0.5)
        await handle.terminate("test done")
