"""Part `sdk`: the raw temporalio SDK on the same dev server, converter and machine (the anchor).

N entity workflows are started and warmed by one update each (not timed); then C callers run each
entity's M updates in order, closed loop. In rounds beside Praxis (bench/rounds.py) the same entities take M
more updates in each round, and are closed after the last.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.service import RPCError

from bench.box import CpuMeter
from bench.entity import AddItem, EntityWorkflow
from bench.measure import Call, Summary, arrival_offsets, closed_loop, open_loop
from bench.services import Service, python_module, start, wait_for_poller
from clients.connect import connect
from config.settings import Settings

TASK_QUEUE = "bench-entity"
WORKFLOW_ID_PREFIX = "bench-entity-"  # then the entity's id (bench/anchor_http.py's route takes that id)


@dataclass(frozen=True)
class Shape:
    entities: int
    actions: int
    callers: int


def _update(handle: WorkflowHandle[EntityWorkflow, int], text: str) -> Call:
    async def call() -> str | None:
        try:
            await handle.execute_update(EntityWorkflow.add, AddItem(text=text), id=uuid.uuid4().hex)
        except (RPCError, WorkflowUpdateFailedError) as error:
            return type(error).__name__
        return None

    return call


async def start_entities(client: Client, count: int) -> list[WorkflowHandle[EntityWorkflow, int]]:
    """Start `count` entity workflows, each warmed by one update (not timed)."""
    run = uuid.uuid4().hex[:8]

    async def one(n: int) -> WorkflowHandle[EntityWorkflow, int]:
        handle = await client.start_workflow(
            EntityWorkflow.run, id=f"{WORKFLOW_ID_PREFIX}{run}-{n}", task_queue=TASK_QUEUE
        )
        await handle.execute_update(EntityWorkflow.add, AddItem(text="warm-up"))
        return handle

    return list(await asyncio.gather(*(one(n) for n in range(count))))


def jobs(handles: Sequence[WorkflowHandle[EntityWorkflow, int]], actions: int) -> list[list[Call]]:
    """Each entity's `actions` updates, to run in order."""
    return [[_update(h, f"item {m}") for m in range(actions)] for h in handles]


async def run_open(
    handles: Sequence[WorkflowHandle[EntityWorkflow, int]], rate: float, seconds: float, *, poisson: bool, seed: int
) -> Summary:
    """The anchor's updates arriving at `rate`/s for `seconds`, round-robin over the entities: the same arrivals
    as Praxis's open loop (the same seed), so the two tails compare."""
    offsets = arrival_offsets(rate, seconds, poisson=poisson, seed=seed)
    return await open_loop(lambda n: _update(handles[n % len(handles)], f"open {n}"), offsets)


async def close_entities(worker: Service, handles: Sequence[WorkflowHandle[EntityWorkflow, int]]) -> None:
    worker.ensure_running()
    await asyncio.gather(*(h.signal(EntityWorkflow.close) for h in handles))
    await asyncio.gather(*(h.result() for h in handles))


@contextlib.asynccontextmanager
async def entity_worker(
    settings: Settings, env: Mapping[str, str], log_dir: Path
) -> AsyncIterator[tuple[Client, Service]]:
    """The anchor's worker as a process of its own, polling; a client of the server; the worker stopped after."""
    worker = start(
        "entity-worker",
        python_module(
            "bench.entity_worker",
            "--address",
            settings.temporal_address,
            "--namespace",
            settings.temporal_namespace,
            "--task-queue",
            TASK_QUEUE,
        ),
        env,
        log_dir,
    )
    try:
        client = await connect(settings)
        await wait_for_poller(client, TASK_QUEUE, worker)
        yield client, worker
    finally:
        worker.stop()


async def run_sdk(
    settings: Settings, env: Mapping[str, str], log_dir: Path, shape: Shape, server_pid: int
) -> tuple[Summary, dict[str, float]]:
    """Start the anchor's worker as a process, time NxM updates with C callers, close the entities; the figures
    and the CPU each process spent per update."""
    async with entity_worker(settings, env, log_dir) as (client, worker):
        handles = await start_entities(client, shape.entities)
        meter = CpuMeter({"server": server_pid, "worker": worker.pid, "caller": os.getpid()})
        summary = await closed_loop(jobs(handles, shape.actions), shape.callers)
        cpu = meter.per_action_ms(summary.ok + summary.errors)
        await close_entities(worker, handles)
        return summary, cpu
