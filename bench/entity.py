"""The anchor's entity workflow: what the raw SDK costs per update, with nothing of Praxis around it.

One long-running workflow per entity; an update with a validator appends an item to a list and answers a
small result. No activity, no read model, no mail: the floor under any update-driven design on the same
server, converter and machine. Kept apart from the worker module so the sandbox imports only this.
"""

from __future__ import annotations

from pydantic import BaseModel
from temporalio import workflow


class AddItem(BaseModel):
    text: str


class Added(BaseModel):
    count: int


@workflow.defn
class EntityWorkflow:
    def __init__(self) -> None:
        self._items: list[str] = []
        self._closing = False

    @workflow.run
    async def run(self) -> int:
        await workflow.wait_condition(lambda: self._closing and workflow.all_handlers_finished())
        return len(self._items)

    @workflow.update
    def add(self, item: AddItem) -> Added:
        self._items.append(item.text)
        return Added(count=len(self._items))

    @add.validator
    def check_add(self, item: AddItem) -> None:
        if not item.text.strip():
            raise ValueError("an item needs some text")

    @workflow.signal
    def close(self) -> None:
        self._closing = True
