"""`praxis desk backfill` (migration 0007): rows written before the read model carried the desk's columns get
them from the running workflow's view, or from the archive for a finished project; the revision stays, and
running it twice changes nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine
from temporalio.testing import WorkflowEnvironment

from cli.desk_backfill import backfill
from clients.project import ProjectClient
from config.settings import Settings
from domain.project import ProjectSummary
from store import projects as read_model
from store.db import session
from tests.api.portal import Portal


def _row(engine: Engine, project_id: str) -> ProjectSummary:
    with session(engine) as s:
        row = read_model.get_project(s, project_id)
    assert row is not None
    return row


def _as_before_0007(engine: Engine, project_id: str) -> ProjectSummary:
    """The row as an older release wrote it: the same revision, the desk's columns at their defaults."""
    full = _row(engine, project_id)
    legacy = ProjectSummary.model_validate(full.model_dump(include=set(ProjectSummary.model_fields) - DESK_FIELDS))
    with session(engine) as s:
        assert read_model.refresh_project(s, legacy)
    return full


DESK_FIELDS = {
    "tags",
    "indicators_planned",
    "indicators_reported",
    "department",
    "exempt",
    "credit_semester_id",
    "approved_at",
    "supervised_at",
    "closure_submitted_at",
    "decided_at",
    "last_hours_at",
    "evaluation_started_at",
    "deadline",
    "needs_reassignment",
}


async def test_backfill_restores_desk_columns_from_workflows_and_the_archive(
    portal: Portal, temporal_env: WorkflowEnvironment, settings: Settings, engine: Engine
) -> None:
    """A running project's row and a finished (rejected, archived) one's come back complete, revision kept."""
    running_id, _, _ = await portal.under_evaluation()
    student_id = await portal.add_student()
    rejected_id = (await portal.submit(student_id))["id"]
    portal.ok(
        await portal.http.post(
            f"/v1/projects/{rejected_id}/review",
            json={"decision": "reject", "comment": "Not a social practice activity."},
            headers=portal.center,
        )
    )
    full = {project_id: _as_before_0007(engine, project_id) for project_id in (running_id, rejected_id)}
    assert _row(engine, running_id).closure_submitted_at is None  # the legacy row really lost them

    # Only these two: the suite's shared store also holds projects of workflows no worker serves any more.
    ids = [running_id, rejected_id]
    report = await backfill(ProjectClient(temporal_env.client, settings), engine, ids)

    assert (report.refreshed, report.missing, report.unreachable) == (2, [], [])
    for project_id, expected in full.items():
        assert _row(engine, project_id) == expected
    assert isinstance(full[running_id].closure_submitted_at, datetime)
    assert full[running_id].department is not None
    assert full[rejected_id].decided_at is not None
    again = await backfill(ProjectClient(temporal_env.client, settings), engine, ids)
    assert again.missing == [] and _row(engine, running_id) == full[running_id]


async def test_a_row_without_workflow_or_archive_is_missing_and_kept(
    temporal_env: WorkflowEnvironment, settings: Settings, engine: Engine
) -> None:
    """A row whose workflow Temporal does not know and that has no archive is reported, and left as it was."""
    orphan = ProjectSummary.model_validate(
        {
            "id": "orphan0000000001",
            "student_id": "B00000009",
            "semester_id": "1999-fall",  # out of every other test's way
            "stage": "WITHDRAWN",
            "title": "A project from before the archive",
            "category": "external",
            "priority": "normal",
            "group_id": None,
            "supervisor_id": None,
            "invited_faculty_id": None,
            "counted_hours": 0,
            "created_at": "2026-09-07T02:00:00Z",
            "stage_since": "2026-09-07T02:00:00Z",
            "updated_at": "2026-09-07T02:00:00Z",
            "revision": 3,
            "credit_granted": None,
        }
    )
    with session(engine) as s:
        read_model.save_project(s, orphan, [])
    report = await backfill(ProjectClient(temporal_env.client, settings), engine, [orphan.id])
    assert (report.refreshed, report.missing, report.unreachable) == (0, [orphan.id], [])
    assert _row(engine, orphan.id) == orphan
