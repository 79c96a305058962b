"""The anchor behind a bare HTTP route (bench/anchor_http.py) does the anchor's update and nothing else."""

from __future__ import annotations

import uuid

import httpx
from temporalio.client import Client
from temporalio.worker import Worker

from bench.anchor import WORKFLOW_ID_PREFIX
from bench.anchor_http import create_app, entity_id
from bench.entity import EntityWorkflow


async def test_the_route_runs_the_anchors_update_with_the_idempotency_key_as_its_id(client: Client) -> None:
    """A POST appends the item and answers the entity's `Added`; the same Idempotency-Key again is the same
    update (answered, not applied twice); a POST without the header is refused before any update."""
    task_queue = f"bench-entity-{uuid.uuid4().hex[:8]}"
    async with Worker(client, task_queue=task_queue, workflows=[EntityWorkflow]):
        handle = await client.start_workflow(
            EntityWorkflow.run, id=f"{WORKFLOW_ID_PREFIX}{uuid.uuid4().hex}", task_queue=task_queue
        )
        transport = httpx.ASGITransport(app=create_app(client))
        async with httpx.AsyncClient(transport=transport, base_url="http://anchor") as http:
            url = f"/entities/{entity_id(handle)}/items"
            first = await http.post(url, json={"text": "one"}, headers={"Idempotency-Key": "k1"})
            assert (first.status_code, first.json()) == (200, {"count": 1})
            again = await http.post(url, json={"text": "one"}, headers={"Idempotency-Key": "k1"})
            assert (again.status_code, again.json()) == (200, {"count": 1})
            second = await http.post(url, json={"text": "two"}, headers={"Idempotency-Key": "k2"})
            assert second.json() == {"count": 2}
            assert (await http.post(url, json={"text": "two"})).status_code == 422  # no Idempotency-Key
        await handle.signal(EntityWorkflow.close)
        assert await handle.result() == 2
