"""What an operator reads in the Temporal UI's workflow list (SPEC §8, issue 13): each project's and group
proposal's static summary and current details say what it is (stage, semester, category) by ids and codes,
never a name or a title."""

from __future__ import annotations

from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.client import Client

from tests.api.portal import Portal
from tests.api.support import eventually
from tests.api.test_groups import submit_group
from workflows.attributes import group_summary, project_summary
from workflows.group import workflow_id as group_workflow_id
from workflows.project import workflow_id as project_workflow_id


async def _details(client: Client, workflow_id: str) -> str:
    handle = client.get_workflow_handle(workflow_id)
    metadata = await handle.query("__temporal_workflow_metadata", result_type=WorkflowMetadata)
    return str(metadata.current_details)


async def test_project_summary_and_details_name_stage_semester_and_category(portal: Portal, client: Client) -> None:
    """A submitted project starts with the summary `project id · semester · category`; its current details
    follow its stage (review, then looking for a supervisor) with the semester and category, and neither holds
    the proposal's title or the student's id."""
    student_id = await portal.add_student()
    project = await portal.submit(student_id)
    workflow_id = project_workflow_id(project["id"])
    description = await client.get_workflow_handle(workflow_id).describe()
    summary = await description.static_summary()
    assert summary == project_summary(project["id"], project["semester_id"], project["category"])

    what = f"Semester {project['semester_id']} · category {project['category']}"
    reviewing = await eventually(lambda: _details(client, workflow_id), lambda d: "PROPOSAL_REVIEW" in d)
    assert "**PROPOSAL_REVIEW**" in reviewing and what in reviewing
    await portal.approve(project["id"])
    approved = await eventually(lambda: _details(client, workflow_id), lambda d: "NEEDS_SUPERVISOR" in d)
    assert what in approved
    for text in (summary, reviewing, approved):
        assert project["title"] not in text and student_id not in text


async def test_group_proposal_summary_and_details(portal: Portal, client: Client) -> None:
    """A group proposal starts with `group id · category`; its details give the stage, category and how many
    students it names, not who they are."""
    members = [await portal.add_student() for _ in range(2)]
    group = await submit_group(portal, members)
    workflow_id = group_workflow_id(group["id"])
    summary = await (await client.get_workflow_handle(workflow_id).describe()).static_summary()
    assert summary == group_summary(group["id"], group["proposal"]["category"])
    details = await eventually(lambda: _details(client, workflow_id), lambda d: "PROPOSAL_REVIEW" in d)
    assert f"Category {group['proposal']['category']} · 2 students" in details
    for text in (summary, details):
        assert group["proposal"]["title"] not in text and all(member not in text for member in members)
