"""The worker's Prometheus endpoint (issue 11 item 3): the SDK's own metrics and the course's counters (nudges
by kind, mails sent and failed, failed activity attempts, outbox depth) on `PRAXIS_WORKER_METRICS_ADDRESS`."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import timedelta

import httpx
from sqlalchemy.engine import Engine
from temporalio.testing import WorkflowEnvironment

from clients.connect import connect
from clients.project import ProjectClient
from config.settings import Settings
from domain.commands import Withdraw
from tests.support.course import Course, student_actor
from tests.support.mailbox import Mailbox
from tests.support.mailsink import MailSink
from tests.support.net import free_port
from tests.support.prometheus import sample
from workers.main import build_worker
from workers.metrics import metrics_runtime, pending_mails, watch_outbox
from workflows.project import ProjectWorkflow, workflow_id


async def scrape(address: str) -> str:
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.get(f"http://{address}/metrics")
    assert response.status_code == 200
    return response.text


def test_no_address_no_endpoint(settings: Settings) -> None:
    """Off by default: without PRAXIS_WORKER_METRICS_ADDRESS the worker keeps the SDK's default runtime."""
    assert settings.worker_metrics_address is None
    assert metrics_runtime(settings) is None


async def test_worker_serves_sdk_and_course_metrics(
    temporal_env: WorkflowEnvironment, settings: Settings, engine: Engine, mail_sink: MailSink
) -> None:
    """A mail refused twice is counted failed (the first try, and the activity attempt that then fails with
    MailNotSent) and sent once delivered; an invitation left 3 days is one `invitation_reminder` nudge, counted
    once although the worker keeps no cache (so the history replays on every task); the outbox depth is served;
    the SDK's own metrics are on the same endpoint."""
    address = f"127.0.0.1:{free_port()}"
    own = settings.model_copy(
        update={
            "task_queue": f"metrics-{uuid.uuid4().hex[:8]}",
            "worker_metrics_address": address,
            "temporal_address": temporal_env.client.service_client.config.target_host,
            "worker_max_cached_workflows": 0,
        }
    )
    runtime = metrics_runtime(own)
    assert runtime is not None
    client = await connect(own, runtime=runtime)
    course = Course(ProjectClient(client, own), engine)
    student_id = course.add_student()
    faculty = course.add_faculty()
    student = Mailbox(mail_sink, f"{student_id.lower()}@mail.example.edu")
    teacher = Mailbox(mail_sink, str(faculty.email))
    async with build_worker(client, own, engine):
        watcher = asyncio.create_task(watch_outbox(engine, runtime.metric_meter, interval=0.2))
        project_id = await course.submit(student_id)
        mail_sink.refuse_next = 2
        await course.approve(project_id)
        await student.wait_for(1)
        await course.invite(project_id, student_id, faculty)
        await teacher.wait_for(1)
        await temporal_env.sleep(timedelta(days=3, hours=1))
        await teacher.wait_for(2)
        await course.projects.act(project_id, ProjectWorkflow.withdraw, student_actor(student_id), Withdraw())
        await client.get_workflow_handle(workflow_id(project_id)).result()
        await asyncio.sleep(0.5)
        watcher.cancel()
        text = await scrape(address)
    assert sample(text, "praxis_mails", result="failed", template="proposal_approved") == 2
    assert sample(text, "praxis_mails", result="sent", template="proposal_approved") == 1
    assert sample(text, "praxis_mails", result="sent", template="invitation_reminder") == 1
    assert sample(text, "praxis_activity_failures", activity_type="deliver_notices", error="MailNotSent") == 1
    assert sample(text, "praxis_nudges", kind="invitation_reminder") == 1
    assert re.search(rf"^praxis_outbox_depth\S* {pending_mails(engine)}$", text, re.M), text
    assert "temporal_workflow_task_execution_latency" in text
    assert "temporal_activity_execution_latency" in text
