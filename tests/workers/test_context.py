"""Inside the worker, every line an activity logs carries its workflow's id and run id and the project id
(issue 11 item 4), through the worker's interceptor (workers/context.py)."""

from __future__ import annotations

import structlog
from structlog.testing import capture_logs
from temporalio.client import Client

from tests.support.course import Course
from workflows.project import workflow_id


async def test_activity_lines_carry_workflow_run_and_project_ids(course: Course, client: Client) -> None:
    """Approving a proposal mails the student from an activity: its "mail sent" line names the project's
    workflow, the run and the project."""
    with capture_logs(processors=[structlog.contextvars.merge_contextvars]) as lines:
        project_id = await course.submit(course.add_student())
        await course.approve(project_id)
    run_id = (await client.get_workflow_handle(workflow_id(project_id)).describe()).run_id
    sent = [line for line in lines if line["event"] == "mail sent" and line.get("project_id") == project_id]
    assert sent, lines
    for line in sent:
        assert line["workflow_id"] == workflow_id(project_id)
        assert line["run_id"] == run_id
        assert line["activity"]
