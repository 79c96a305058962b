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

    report = await backfill(ProjectClient(temporal_env.client, settings), engine)

    assert report.missing == []
    for project_id, expected in full.items():
        assert _row(engine, project_id) == expected
    assert isinstance(full[running_id].closure_submitted_at, datetime)
    assert full[running_id].department is not None
    assert full[rejected_id].decided_at is not None
    again = await backfill(ProjectClient(temporal_env.client, settings), engine)
    assert again.missing == [] and _row(engine, running_id) == full[running_id]
