"""Records that outlive the workflow (SPEC §6, issue 8): a finished project or group reads exactly the same
through every route before and after Temporal has forgotten its workflow (its retention deleting it is
simulated by deleting the execution), and an action on it is INVALID_STAGE, never NOT_FOUND.

Runs against a real Temporal dev server of its own, which can delete workflow executions (the time-skipping
test server cannot), with its own worker, app and task queue.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import DeleteWorkflowExecutionRequest
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment

from api.main import create_app
from clients.connect import data_converter
from config.settings import Settings
from tests.api.portal import Portal, proposal, unique
from tests.conftest import SEARCH_ATTRIBUTES, _binary
from tests.support.actionlinks import faculty_email, mailed_link
from tests.support.mailsink import MailSink
from workers.main import build_worker
from workflows.group import workflow_id as group_workflow_id
from workflows.project import workflow_id as project_workflow_id

SEMESTER = "2026-fall"


@dataclass
class Stack:
    portal: Portal
    client: Client
    sink: MailSink


@pytest.fixture(scope="module")
async def stack(settings: Settings, engine: Engine, mail_sink: MailSink) -> AsyncIterator[Stack]:
    """A dev server with the course's search attributes, a worker on a queue of its own, and the app."""
    env = await WorkflowEnvironment.start_local(
        data_converter=data_converter(settings),
        dev_server_existing_path=_binary("temporal"),
        search_attributes=SEARCH_ATTRIBUTES,
        ui=False,
    )
    own = settings.model_copy(update={"task_queue": f"archive-{uuid.uuid4().hex[:8]}", "update_timeout_seconds": 20})
    try:
        async with build_worker(env.client, own, engine):
            app = create_app(own, temporal_client=env.client)
            async with app.router.lifespan_context(app):
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(transport=transport, base_url="http://praxis.test", timeout=60) as http:
                    portal = Portal(http, own)
                    # The semester the passes are credited in (R21), whose passing lists are read (R23).
                    dates = {
                        "starts_on": "2026-09-01",
                        "final_exam_week_starts_on": "2027-01-11",
                        "ends_on": "2027-01-31",
                    }
                    entered = await http.put(f"/v1/semesters/{SEMESTER}", json=dates, headers=portal.center)
                    assert entered.status_code in (200, 201), entered.text  # the session may have it already
                    yield Stack(portal, env.client, mail_sink)
    finally:
        await env.shutdown()


async def closed(client: Client, workflow_id: str) -> None:
    """Until the workflow has completed (its last workflow task wrote the archive first)."""
    await client.get_workflow_handle(workflow_id).result()


async def forget(client: Client, workflow_id: str) -> None:
    """What Temporal's retention does to a closed workflow: delete it, and wait until it is gone."""
    await client.workflow_service.delete_workflow_execution(
        DeleteWorkflowExecutionRequest(
            namespace=client.namespace, workflow_execution=WorkflowExecution(workflow_id=workflow_id)
        )
    )
    async with asyncio.timeout(120):
        while True:
            try:
                await client.get_workflow_handle(workflow_id).describe()
            except RPCError as error:
                if error.status is RPCStatusCode.NOT_FOUND:
                    return
                raise
            await asyncio.sleep(0.2)


@dataclass
class Read:
    """One GET as a person makes it."""

    path: str
    headers: dict[str, str]

    async def bytes(self, http: httpx.AsyncClient) -> tuple[int, bytes]:
        response = await http.get(self.path, headers=self.headers)
        return response.status_code, response.content


async def finish(portal: Portal, stage: str) -> tuple[str, str, str | None, dict[str, Any]]:
    """A project one call away from `stage`: (project id, student id, supervisor id or None, that call)."""
    if stage in ("PASSED", "FAILED"):
        project_id, student_id, faculty_id = await portal.under_evaluation()
        result, feedback = ("pass", "") if stage == "PASSED" else ("fail", "The project did not happen as described.")
        path = f"/v1/projects/{project_id}/evaluation"
        call = {"path": path, "json": {"result": result, "feedback": feedback}, "headers": portal.faculty(faculty_id)}
        return project_id, student_id, faculty_id, call
    project_id, student_id = await portal.approved() if stage == "WITHDRAWN" else await pending(portal)
    if stage == "REJECTED":
        body = {"decision": "reject", "comment": "Not a social practice activity."}
        return (
            project_id,
            student_id,
            None,
            {"path": f"/v1/projects/{project_id}/review", "json": body, "headers": portal.center},
        )
    path = f"/v1/projects/{project_id}/withdrawal"
    return (
        project_id,
        student_id,
        None,
        {"path": path, "json": {"reason": "Moved abroad"}, "headers": portal.student(student_id)},
    )


async def pending(portal: Portal) -> tuple[str, str]:
    """A proposal waiting for the center's review: (project id, student id)."""
    student_id = await portal.add_student()
    return (await portal.submit(student_id))["id"], student_id


@dataclass
class Forgotten:
    """Finished projects and a finished group, read before their workflows were deleted, then deleted."""

    reads: list[Read]
    before: list[tuple[int, bytes]]
    retries: list[dict[str, Any]]
    project_ids: list[str]
    resubmission: dict[str, Any]
    group_id: str
    links: list[tuple[dict[str, Any], dict[str, str], bytes]]


@pytest.fixture(scope="module")
async def forgotten(stack: Stack) -> Forgotten:
    """Every final stage (PASSED, FAILED, REJECTED, WITHDRAWN), a rejected submission to retry, and a group whose
    members all linked; each read through every route, then their workflows deleted all at once, as Temporal's
    retention would (deletion is asynchronous: it waits until each is gone)."""
    portal, http = stack.portal, stack.portal.http
    reads: list[Read] = []
    statuses: list[int] = []
    retries: list[dict[str, Any]] = []
    workflows: list[str] = []
    project_ids: list[str] = []
    for stage in ("PASSED", "FAILED", "REJECTED", "WITHDRAWN"):
        project_id, student_id, faculty_id, last = await finish(portal, stage)
        headers = {**last["headers"], "Idempotency-Key": unique("last")}
        first = await http.post(last["path"], json=last["json"], headers=headers)
        assert first.status_code == 200, first.text
        assert first.json()["project"]["stage"] == stage
        retries.append({**last, "headers": headers, "answer": first.content})
        project_ids.append(project_id)
        reads += [
            Read(f"/v1/projects/{project_id}", portal.student(student_id)),
            Read(f"/v1/projects/{project_id}", portal.center),
        ]
        statuses += [200, 200]
        if faculty_id is not None:
            view = await portal.view(project_id)
            evidence = view["evidence"][0]["id"]
            reads += [
                Read(f"/v1/projects/{project_id}/evidence/{evidence}", portal.student(student_id)),
                Read(f"/v1/semesters/{SEMESTER}/passing-lists/{faculty_id}.csv", portal.faculty(faculty_id)),
                Read(f"/v1/projects/{project_id}", portal.faculty(faculty_id)),
            ]
            # The mailed evaluation link of a project evaluated in the portal: its page says it is done (409).
            link = await mailed_link(stack.sink, faculty_email(faculty_id), "Closure report to evaluate")
            reads.append(Read(link, {}))
            statuses += [200, 200, 200, 409]

    student_id = await portal.add_student()
    headers = {**portal.student(student_id), "Idempotency-Key": unique("once")}
    submitted = await http.post("/v1/projects", json=proposal(), headers=headers)
    assert submitted.status_code == 201, submitted.text
    resubmission = {"headers": headers, "answer": submitted.json(), "project_id": submitted.json()["created_id"]}
    rejected = {"decision": "reject", "comment": "Not a social practice activity."}
    review = await http.post(f"/v1/projects/{resubmission['project_id']}/review", json=rejected, headers=portal.center)
    assert review.status_code == 200
    project_ids.append(resubmission["project_id"])

    applicant, member = [await portal.add_student() for _ in range(2)]
    body = {**proposal(title="Beach clean-up at Fulong"), "members": [applicant, member]}
    group = await http.post(
        "/v1/groups", json=body, headers={**portal.student(applicant), "Idempotency-Key": unique("g")}
    )
    group_id = group.json()["created_id"]
    approve = {"decision": "approve"}
    assert (await http.post(f"/v1/groups/{group_id}/review", json=approve, headers=portal.center)).status_code == 200
    links = []
    for student in (applicant, member):
        link_headers = {**portal.student(student), "Idempotency-Key": unique("link")}
        own = proposal(title="Beach clean-up at Fulong", group_id=group_id)  # the group's plan (R9)
        linked = await http.post("/v1/projects", json=own, headers=link_headers)
        assert linked.status_code == 201, linked.text
        links.append((own, link_headers, linked.content))
    reads += [Read(f"/v1/groups/{group_id}", portal.student(member)), Read(f"/v1/groups/{group_id}", portal.center)]
    statuses += [200, 200]
    reads.append(Read(f"/v1/projects?semester={SEMESTER}&limit=200", portal.center))
    statuses.append(200)

    workflows = [project_workflow_id(project_id) for project_id in project_ids] + [group_workflow_id(group_id)]
    for workflow in workflows:
        await closed(stack.client, workflow)
    before = [await read.bytes(http) for read in reads]
    assert [status for status, _ in before] == statuses
    await asyncio.gather(*(forget(stack.client, workflow) for workflow in workflows))
    return Forgotten(reads, before, retries, project_ids, resubmission, group_id, links)


async def test_finished_projects_and_groups_read_the_same_after_temporal_forgets_them(
    stack: Stack, forgotten: Forgotten
) -> None:
    """SPEC §6: projects finished in every final stage, and a finished group, read byte for byte the same
    through every route after their workflows are deleted: the project (as its student, supervisor and the
    center), the evidence download, the center's list, the supervisor's passing list, the page of a mailed
    action link, the group (as a member and the center); a stranger still gets 404."""
    http = stack.portal.http
    after = [await read.bytes(http) for read in forgotten.reads]
    for read, was, now in zip(forgotten.reads, forgotten.before, after, strict=True):
        assert now == was, read.path
    stranger = await http.get(f"/v1/projects/{forgotten.project_ids[0]}", headers=stack.portal.student(unique("B")))
    assert stranger.status_code == 404


async def test_a_retried_key_answers_the_same_and_any_other_action_is_invalid_stage(
    stack: Stack, forgotten: Forgotten
) -> None:
    """SPEC §4/§6: after the workflow is gone, the action that closed a project, retried with its
    Idempotency-Key, answers exactly what it answered; another action is 409 INVALID_STAGE, never 404; a
    member's retried group link answers the project it started; an action on the group is INVALID_STAGE."""
    http = stack.portal.http
    for retry in forgotten.retries:
        again = await http.post(retry["path"], json=retry["json"], headers=retry["headers"])
        assert (again.status_code, again.content) == (200, retry["answer"]), retry["path"]
        other = {**retry["headers"], "Idempotency-Key": unique("late")}
        late = await http.post(retry["path"], json=retry["json"], headers=other)
        assert (late.status_code, late.json()["code"]) == (409, "INVALID_STAGE"), retry["path"]
    for own, headers, answer in forgotten.links:
        again = await http.post("/v1/projects", json=own, headers=headers)
        assert (again.status_code, again.content) == (201, answer)
    approve = {"decision": "approve"}
    late = await http.post(f"/v1/groups/{forgotten.group_id}/review", json=approve, headers=stack.portal.center)
    assert (late.status_code, late.json()["code"]) == (409, "INVALID_STAGE")


async def test_a_retried_submission_of_a_forgotten_project_starts_nothing(stack: Stack, forgotten: Forgotten) -> None:
    """SPEC §4/§6: the Idempotency-Key of a submission names its project for good: after the project finished
    and Temporal deleted it, the same submission answers that project from the archive instead of starting a
    new workflow under the freed id."""
    again = await stack.portal.http.post("/v1/projects", json=proposal(), headers=forgotten.resubmission["headers"])
    assert again.status_code == 201
    project_id = forgotten.resubmission["project_id"]
    assert again.json()["project"]["stage"] == "REJECTED" and again.json()["created_id"] == project_id
    with pytest.raises(RPCError):
        await stack.client.get_workflow_handle(project_workflow_id(project_id)).describe()
