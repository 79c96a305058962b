"""The anchor's worker, a process of its own like the Praxis worker, so neither shares the load generator's CPU
time or event loop.

    python -m bench.entity_worker --address 127.0.0.1:7233 --task-queue bench-entity
"""

from __future__ import annotations

import argparse
import asyncio
import signal

import uvloop
from temporalio.worker import Worker

from bench.entity import EntityWorkflow
from clients.connect import connect
from config.settings import Settings


async def serve(settings: Settings) -> None:
    client = await connect(settings)
    # The Praxis worker's poller and cache settings, so the ratio measures work per update, not tuning.
    worker = Worker(
        client,
        task_queue=settings.task_queue,
        workflows=[EntityWorkflow],
        max_concurrent_workflow_task_polls=settings.worker_workflow_task_polls,
        max_cached_workflows=settings.worker_max_cached_workflows,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with worker:
        await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description="The benchmark anchor's worker.")
    parser.add_argument("--address", required=True)
    parser.add_argument("--namespace", default="default")
    parser.add_argument("--task-queue", required=True)
    args = parser.parse_args()
    settings = Settings(temporal_address=args.address, temporal_namespace=args.namespace, task_queue=args.task_queue)
    # The same event loop as the Praxis worker (workers/main.py), so the comparison is of the code above it.
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(serve(settings))


if __name__ == "__main__":
    main()
