"""Issue 9, item 2: no worker means 503, always. Once a project's worker has been gone for a while, the real
Temporal frontend stops waiting for it and answers FAILED_PRECONDITION "no poller seen for task queue
recently"; that, like every other "cannot reach a worker" answer, is 503 UNAVAILABLE with Retry-After, and the
action-link page shows its page, never JSON. Runs on the Temporal dev server: the time-skipping test server
has no pollers to miss."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from sqlalchemy.engine import Engine
from temporalio.testing import WorkflowEnvironment

from api.main import create_app
from config.settings import Settings
from tests.api.portal import Portal, unique
from tests.support.actionlinks import Links
from tests.support.mailsink import MailSink
from workers.main import build_worker

pytestmark = pytest.mark.slow

# The frontend gives up on a query 1 s before the caller's deadline when no poller was seen recently; with
# a worker gone for this long, "recently" has passed (measured on the dev server: from about 10 s on).
WORKER_GONE_SECONDS = 15


async def test_a_worker_gone_for_long_gives_503_on_reads_actions_and_link_pages(
    dev_server: WorkflowEnvironment, settings: Settings, engine: Engine, mail_sink: MailSink
) -> None:
    """With the worker down longer than Temporal's "recent poller" window: a read, an action and the action-link
    page each answer 503 with `Retry-After` (the page as HTML, saying to try again or offering the form from
    the read model), never 500; once the worker is back, the action retried with its key acts once."""
    own = settings.model_copy(
        update={
            "task_queue": f"gone-{uuid.uuid4().hex[:8]}",
            "update_timeout_seconds": 10.0,
            "update_outcome_grace_seconds": 1.0,
            "retry_after_seconds": 7,
        }
    )
    app = create_app(own, temporal_client=dev_server.client)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://praxis.test", timeout=60) as http:
            portal = Portal(http, own)
            async with build_worker(dev_server.client, own, engine):
                submitted = await portal.submit(await portal.add_student())
                linked = await Links(portal, mail_sink).invitation()
                await portal.view(submitted["id"])
                await portal.view(linked.project_id)
            await asyncio.sleep(WORKER_GONE_SECONDS)

            read = await http.get(f"/v1/projects/{submitted['id']}", headers=portal.center)
            page = await http.get(linked.path)
            review = {**portal.center, "Idempotency-Key": unique("r")}
            act = await http.post(
                f"/v1/projects/{submitted['id']}/review", json={"decision": "approve"}, headers=review
            )

            for response in (read, act):
                assert response.status_code == 503, response.text
                assert response.headers["retry-after"] == "7"
                assert response.json()["code"] == "UNAVAILABLE"
            assert "nothing was changed" in read.json()["detail"]
            assert "retry with the same idempotency-key" in act.json()["detail"].lower()
            assert page.headers["content-type"].startswith("text/html"), page.text
            assert page.status_code in (200, 503), page.text
            if page.status_code == 503:
                assert page.headers["retry-after"] == "7"

            async with build_worker(dev_server.client, own, engine):
                retried = await http.post(
                    f"/v1/projects/{submitted['id']}/review", json={"decision": "approve"}, headers=review
                )
                assert retried.status_code == 200, retried.text
                view = await portal.view(submitted["id"])
                assert len(view["reviews"]) == 1
