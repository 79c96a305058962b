"""OpenTelemetry traces (issue 11 item 5, SPEC §6): from an HTTP action through the Temporal client into the
workflow and the activity that mails, captured with an in-memory exporter. Off unless configured."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import httpx
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from sqlalchemy.engine import Engine
from temporalio.testing import WorkflowEnvironment

from api.main import create_app
from clients.connect import connect
from config.settings import Settings
from telemetry.tracing import temporal_interceptors, tracer_provider, traces_url
from tests.api.portal import Portal
from tests.support.mailbox import Mailbox
from tests.support.mailsink import MailSink
from workers.main import build_worker
from workflows.project import workflow_id


def _one(spans: Sequence[ReadableSpan], name: str, kind: SpanKind | None = None) -> ReadableSpan:
    found = [s for s in spans if s.name == name and (kind is None or s.kind is kind)]
    assert len(found) == 1, (name, [s.name for s in spans])
    return found[0]


def _trace(spans: Sequence[ReadableSpan], of: ReadableSpan) -> list[str]:
    assert of.context is not None
    return [s.name for s in spans if s.context is not None and s.context.trace_id == of.context.trace_id]


def test_tracing_is_off_by_default(settings: Settings) -> None:
    """Without PRAXIS_OTLP_ENDPOINT there is no provider and no interceptor; a base URL gets the traces path."""
    assert tracer_provider(settings, "praxis-api") is None
    assert temporal_interceptors(None) == []
    assert traces_url("http://collector:4318/") == "http://collector:4318/v1/traces"
    assert traces_url("http://collector:4318/v1/traces") == "http://collector:4318/v1/traces"
    configured = tracer_provider(settings.model_copy(update={"otlp_endpoint": "http://127.0.0.1:4318"}), "x")
    assert configured is not None
    configured.shutdown()


async def test_an_action_traces_into_the_workflow_and_its_mail_activity(
    temporal_env: WorkflowEnvironment, settings: Settings, engine: Engine, mail_sink: MailSink
) -> None:
    """Submitting a proposal is one trace: the HTTP request, StartWorkflow, RunWorkflow. Approving it is
    another: the HTTP request and its StartWorkflowUpdate; the workflow's HandleUpdate:review links to that
    span, and the activity that then mails the student ("mail sent", proposal_approved) follows in the
    project's trace. No name, email or plan reaches a span (ids may)."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    own = settings.model_copy(
        update={
            "task_queue": f"traced-{uuid.uuid4().hex[:8]}",
            "temporal_address": temporal_env.client.service_client.config.target_host,
        }
    )
    client = await connect(own, tracer_provider=provider)
    app = create_app(own, temporal_client=client, tracer_provider=provider)
    async with (
        app.router.lifespan_context(app),
        build_worker(client, own, engine),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://praxis.test") as http,
    ):
        portal = Portal(http, own)
        student_id = await portal.add_student()
        project = await portal.submit(student_id)
        await portal.approve(project["id"])
        await Mailbox(mail_sink, f"{student_id.lower()}@mail.example.edu", about=None).wait_for(1)
        withdrawal = f"/v1/projects/{project['id']}/withdrawal"
        withdrawn = await http.post(withdrawal, json={"reason": ""}, headers=portal.student(student_id))
        assert withdrawn.status_code == 200, withdrawn.text
        await client.get_workflow_handle(workflow_id(project["id"])).result()
    spans = exporter.get_finished_spans()

    submit = _one(spans, "POST /v1/projects", SpanKind.SERVER)
    project_trace = _trace(spans, submit)
    assert "StartWorkflow:ProjectWorkflow" in project_trace
    assert "RunWorkflow:ProjectWorkflow" in project_trace

    review = _one(spans, "POST /v1/projects/{project_id}/review", SpanKind.SERVER)
    call = _one(spans, "StartWorkflowUpdate:review")
    assert call.context is not None and review.context is not None
    assert call.context.trace_id == review.context.trace_id
    handled = _one(spans, "HandleUpdate:review")
    assert [link.context.span_id for link in handled.links] == [call.context.span_id]
    assert "HandleUpdate:review" in project_trace

    mailed = [
        s
        for s in spans
        if s.name == "RunActivity:sync_project"
        and any(e.name == "mail sent" and (e.attributes or {}).get("template") == "proposal_approved" for e in s.events)
    ]
    assert len(mailed) == 1
    assert "RunActivity:sync_project" in project_trace
    assert mailed[0].context is not None and submit.context is not None
    assert mailed[0].context.trace_id == submit.context.trace_id
    personal = (
        f"Student {student_id}",
        f"{student_id.lower()}@mail.example.edu",
        "Reading club at Wanhua community library",
    )
    for span in spans:
        seen = f"{span.attributes} {[(e.name, e.attributes) for e in span.events]}"
        assert not any(value in seen for value in personal), span.name
