"""Benchmark: ProjectWorkflow update throughput and latency against a local Temporal dev server.

Prints figures; asserts nothing. Starts its own dev server (SQLite in memory), a worker with the given
poller count, creates projects in IN_PROGRESS and has C concurrent callers log hours by update.

    python -m bench.updates                        # compares 5 (SDK default) and 16 workflow task pollers
    python -m bench.updates --polls 16 --callers 50 --updates 1000
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from clients.project import ProjectClient
from config.settings import Settings
from domain.vocabulary import HourKind
from domain.work import HoursInput
from store.db import make_engine, migrate
from tests.support.course import Course, student_actor
from tests.support.mailsink import MailSink
from workers.main import build_worker
from workflows import attributes
from workflows.project import ProjectWorkflow


async def run_once(env: WorkflowEnvironment, polls: int, callers: int, updates: int, projects: int) -> None:
    var = Path(tempfile.mkdtemp(prefix="praxis-bench-"))
    sink = MailSink()
    sink.start()
    settings = Settings(
        env="test",
        var_dir=var,
        smtp_port=sink.port,
        task_queue=f"bench-{uuid.uuid4().hex[:6]}",
        worker_workflow_task_polls=polls,
        update_timeout_seconds=60,
    )
    migrate(settings.db_url)
    engine = make_engine(settings.db_url)
    client = ProjectClient(env.client, settings)
    course = Course(client, engine)
    latencies: list[float] = []
    try:
        async with build_worker(env.client, settings, engine):
            ids = [await course.to_in_progress() for _ in range(projects)]
            days = {pid: itertools.count() for pid, _, _ in ids}
            queue: asyncio.Queue[int] = asyncio.Queue()
            for n in range(updates):
                queue.put_nowait(n)

            async def caller() -> None:
                while not queue.empty():
                    n = queue.get_nowait()
                    pid, student_id, _ = ids[n % len(ids)]
                    day = date(2020, 1, 1) + timedelta(days=next(days[pid]))
                    entry = HoursInput(date=day, hours=Decimal("0.5"), kind=HourKind.EXECUTION, description="bench")
                    started = time.perf_counter()
                    await client.act(pid, ProjectWorkflow.log_hours, student_actor(student_id), entry)
                    latencies.append(time.perf_counter() - started)

            began = time.perf_counter()
            await asyncio.gather(*(caller() for _ in range(callers)))
            elapsed = time.perf_counter() - began
    finally:
        sink.stop()
        shutil.rmtree(var, ignore_errors=True)
    q = statistics.quantiles(latencies, n=100)
    print(
        f"polls={polls:<3} callers={callers:<3} updates={len(latencies):<5} "
        f"throughput={len(latencies) / elapsed:7.1f}/s  p50={q[49] * 1000:7.1f} ms  "
        f"p95={q[94] * 1000:7.1f} ms  p99={q[98] * 1000:7.1f} ms",
        flush=True,
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--polls", type=int, action="append", help="workflow task pollers (repeatable)")
    parser.add_argument("--callers", type=int, default=50)
    parser.add_argument("--updates", type=int, default=600)
    parser.add_argument("--projects", type=int, default=20)
    args = parser.parse_args()
    binary = shutil.which("temporal", path=str(Path(sys.executable).parent)) or shutil.which("temporal")
    env = await WorkflowEnvironment.start_local(
        data_converter=pydantic_data_converter,
        dev_server_existing_path=binary,
        search_attributes=attributes.ALL,
        dev_server_log_level="error",
    )
    try:
        for polls in args.polls or [5, 16]:
            await run_once(env, polls, args.callers, args.updates, args.projects)
    finally:
        await env.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
