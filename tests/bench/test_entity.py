"""The benchmark anchor's entity workflow (bench/entity.py) does what the comparison assumes of it."""

from __future__ import annotations

import uuid

import pytest
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.worker import Worker

from bench.entity import AddItem, EntityWorkflow


async def test_entity_appends_by_update_and_refuses_empty_items(client: Client) -> None:
    """Each update appends one item and answers the count; the validator refuses an empty item (the
    refused update changes nothing); a close signal ends the run with the item count."""
    task_queue = f"bench-entity-{uuid.uuid4().hex[:8]}"
    async with Worker(client, task_queue=task_queue, workflows=[EntityWorkflow]):
        handle = await client.start_workflow(EntityWorkflow.run, id=f"entity-{uuid.uuid4().hex}", task_queue=task_queue)
        assert (await handle.execute_update(EntityWorkflow.add, AddItem(text="one"))).count == 1
        assert (await handle.execute_update(EntityWorkflow.add, AddItem(text="two"))).count == 2
        with pytest.raises(WorkflowUpdateFailedError):
            await handle.execute_update(EntityWorkflow.add, AddItem(text="  "))
        await handle.signal(EntityWorkflow.close)
        assert await handle.result() == 2
