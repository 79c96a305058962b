"""Issue 9, item 3: a 503 must not lie. An action whose update reached Temporal while no worker answered may
still be applied once one does: the answer says so (and to retry with the same Idempotency-Key), an upload's
image is stored so the evidence it names exists whichever way it goes, and a link click that fell back to its
durable signal is applied once, without a false `link_action_refused` when its update was applied after all.
On the Temporal dev server, which keeps an update admitted while no worker polls, as production does."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from api.main import create_app
from config.settings import Settings
from tests.api.portal import Portal, jpeg, unique
from tests.support.actionlinks import Links
from tests.support.mailsink import MailSink
from tests.support.workerprocess import worker_process
from workers.main import build_worker

pytestmark = pytest.mark.slow


@contextlib.asynccontextmanager
async def portal_on(settings: Settings, dev_server: WorkflowEnvironment) -> AsyncIterator[Portal]:
    app = create_app(settings, temporal_client=dev_server.client)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://praxis.test", timeout=60) as http:
            yield Portal(http, settings)


@pytest.fixture
async def busy(dev_server: WorkflowEnvironment, settings: Settings) -> AsyncIterator[tuple[Portal, Settings]]:
    """An app on the dev server whose calls give up after two seconds, on a queue only this test polls."""
    own = settings.model_copy(
        update={
            "task_queue": f"busy-{uuid.uuid4().hex[:8]}",
            "update_timeout_seconds": 2.0,
            "update_outcome_grace_seconds": 1.0,
            "retry_after_seconds": 3,
            "worker_max_cached_workflows": 0,
        }
    )
    async with portal_on(own, dev_server) as portal:
        yield portal, own


def patient(own: Settings) -> Settings:
    """The same queue with the usual patience, for bringing a project to where the test begins: on a loaded box
    a worker that caches nothing may take longer than the busy app's three seconds over an ordinary step."""
    return own.model_copy(update={"update_timeout_seconds": 30.0, "update_outcome_grace_seconds": 10.0})


async def until(read: Callable[[], Awaitable[Any]], done: Callable[[Any], bool], seconds: float = 30) -> Any:
    async with asyncio.timeout(seconds):
        while not done(value := await read()):
            await asyncio.sleep(0.2)
    return value


async def test_an_upload_answered_503_may_be_applied_and_its_image_is_there(
    busy: tuple[Portal, Settings], dev_server: WorkflowEnvironment, engine: Engine
) -> None:
    """An upload sent while no worker answers is 503 saying it may have been applied (not "nothing was
    changed"); when the worker is back the project takes it, and the photo it names can be downloaded. The
    retry with the same key answers the same evidence, once."""
    portal, own = busy
    async with build_worker(dev_server.client, own, engine), portal_on(patient(own), dev_server) as setup:
        project_id, student_id, _faculty = await setup.in_progress()
    key = {**portal.student(student_id), "Idempotency-Key": unique("u")}
    photo = jpeg(color="#8e44ad")

    unanswered = await portal.upload(project_id, student_id, photo, headers=key)
    assert unanswered.status_code == 503, unanswered.text
    assert unanswered.headers["retry-after"] == "3"
    detail = unanswered.json()["detail"]
    assert "may have been applied" in detail and "same Idempotency-Key" in detail
    assert "nothing was changed" not in detail

    async with build_worker(dev_server.client, own, engine):
        view = await until(lambda: portal.view(project_id), lambda v: len(v["evidence"]) == 1)
        [evidence] = view["evidence"]
        image = await portal.http.get(
            f"/v1/projects/{project_id}/evidence/{evidence['id']}", headers=portal.student(student_id)
        )
        assert image.status_code == 200, image.text
        retried = await portal.upload(project_id, student_id, photo, headers=key)
        assert retried.status_code == 201, retried.text
        assert retried.json()["created_id"] == evidence["id"]
        assert len((await portal.view(project_id))["evidence"]) == 1


async def test_a_click_whose_update_is_applied_late_is_not_also_refused(
    busy: tuple[Portal, Settings], dev_server: WorkflowEnvironment, mail_sink: MailSink, tmp_path: Path
) -> None:
    """A link click while the worker is paused with its polls out: the update's workflow task goes to the
    paused worker, the page gives up waiting and sends the click's durable signal (202). When the worker
    resumes it applies the update first and then gets the signal: the answer is applied once, no
    `link_action_refused` is recorded for the signal, and the audit trail stays in time order."""
    portal, own = busy
    address = dev_server.client.service_client.config.target_host
    async with worker_process(own, address, tmp_path / "worker.log") as worker:
        async with portal_on(patient(own), dev_server) as setup:
            linked = await Links(setup, mail_sink).invitation()
        worker.pause()
        answer = {"decision": "accept", "reflection_format": "written_report"}
        try:
            recorded = await portal.http.post(linked.path, data=answer)
        finally:
            worker.resume()
        assert recorded.status_code == 202, recorded.text

        view = await until(lambda: portal.view(linked.project_id), lambda v: v["stage"] == "IN_PROGRESS")
        # The signal comes in the workflow task after the update's: wait until the history holds it.
        handle = dev_server.client.get_workflow_handle(f"project-{linked.project_id}")
        await until(lambda: _signals(handle), lambda n: n >= 1)
        await asyncio.sleep(2)
        view = await portal.view(linked.project_id)
        actions = [e["action"] for e in view["audit"]]
        assert actions.count("supervision_accepted") == 1, actions
        assert "link_action_refused" not in actions, actions
        times = [e["at"] for e in view["audit"]]
        assert times == sorted(times)
        accepted = next(e for e in view["audit"] if e["action"] == "supervision_accepted")
        assert accepted["channel"] == "email"
        student_email = f"{linked.student_id.lower()}@mail.example.edu"
        await until(
            lambda: asyncio.sleep(0, [str(m["Subject"]) for m in mail_sink.to(student_email)]),
            lambda subjects: any("Your supervisor accepted" in s for s in subjects),
        )


async def _signals(handle: WorkflowHandle[Any, Any]) -> int:
    history = await handle.fetch_history()
    return sum(1 for e in history.events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED)
