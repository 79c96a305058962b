"""Benchmark: disk per open project and worker memory per cached workflow (deploy/README.md, Sizing).

Prints figures; asserts nothing. Starts a Temporal dev server on a SQLite file, one `praxis worker` process
(its own process, so its RSS is the worker's alone) and the API in this process, then drives N projects
through the API to the fullest open state (proposal approved, supervisor accepted, 36 hours logged, four
evidence uploads, closure report waiting for evaluation) and measures

* the bytes in use in both SQLite files (Temporal's history and visibility; Praxis' read model, audit,
  outbox, ledger), before and after, per project;
* the worker's resident memory before and after, per 1,000 workflows in its cache (every project's
  workflow stays cached while N <= PRAXIS_WORKER_MAX_CACHED_WORKFLOWS).

    python -m bench.sizing --projects 600 --concurrency 8
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

import httpx

from api.main import create_app
from clients.connect import connect
from config.settings import Settings
from tests.api.portal import Portal
from tests.support.mailsink import MailSink
from tests.support.net import free_port
from workflows import attributes

MIB = 1024 * 1024


def used_bytes(database: Path) -> int:
    """Pages in use (WAL included, free pages left out): what the data needs, not what the file happens to be."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        free = connection.execute("PRAGMA freelist_count").fetchone()[0]
    return int((pages - free) * page_size)


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def tree_bytes(root: Path) -> int:
    return sum(path.stat().st_size for path in root.rglob("*") if path.is_file())


class RetryUnavailable(httpx.AsyncBaseTransport):
    """What a portal does with a 503 (nothing was changed): wait its Retry-After and send it again."""

    def __init__(self, inner: httpx.AsyncBaseTransport, attempts: int = 6) -> None:
        self.inner = inner
        self.attempts = attempts

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        for _ in range(self.attempts - 1):
            response = await self.inner.handle_async_request(request)
            if response.status_code != 503:
                return response
            await response.aread()
            await asyncio.sleep(float(response.headers.get("Retry-After", "1")))
        return await self.inner.handle_async_request(request)


async def measure(projects: int, concurrency: int, cache: int) -> None:
    var = Path(tempfile.mkdtemp(prefix="praxis-sizing-"))
    temporal_db = var / "temporal.db"
    port = free_port()
    binary = shutil.which("temporal", path=str(Path(sys.executable).parent)) or "temporal"
    server_command = [binary, "server", "start-dev", "--headless", "--db-filename", str(temporal_db)]
    server_command += ["--port", str(port), "--http-port", str(free_port()), "--metrics-port", str(free_port())]
    server_command += ["--log-level", "error"]
    for key in attributes.ALL:
        server_command += ["--search-attribute", f"{key.name}=Keyword"]
    server = subprocess.Popen(server_command, stdout=subprocess.DEVNULL)
    sink = MailSink()
    sink.start()
    settings = Settings(
        env="test",
        var_dir=var,
        temporal_address=f"127.0.0.1:{port}",
        smtp_port=sink.port,
        task_queue=f"sizing-{uuid.uuid4().hex[:6]}",
        worker_max_cached_workflows=cache,
        update_timeout_seconds=60,
    )
    environment = {
        **os.environ,
        "PRAXIS_ENV": "test",
        "PRAXIS_VAR_DIR": str(var),
        "PRAXIS_TEMPORAL_ADDRESS": settings.temporal_address,
        "PRAXIS_TASK_QUEUE": settings.task_queue,
        "PRAXIS_SMTP_PORT": str(sink.port),
        "PRAXIS_WORKER_MAX_CACHED_WORKFLOWS": str(cache),
        "PRAXIS_LOG_LEVEL": "WARNING",
    }
    worker = subprocess.Popen([sys.executable, "-m", "workers.main"], env=environment)
    try:
        client = await connect(settings, retry_for=timedelta(seconds=60))
        app = create_app(settings, temporal_client=client)
        async with app.router.lifespan_context(app):
            transport = RetryUnavailable(httpx.ASGITransport(app=app))
            async with httpx.AsyncClient(transport=transport, base_url="http://praxis.bench", timeout=120) as http:
                portal = Portal(http, settings)
                # Warm-up: the first projects pay for the worker's imports and its start-up (the digest schedule).
                for _ in range(5):
                    await portal.under_evaluation()
                await asyncio.sleep(2)
                disk_before = {path.name: used_bytes(path) for path in (temporal_db, var / "praxis.db")}
                blobs_before = tree_bytes(settings.blobs_path)
                rss_before = rss_bytes(worker.pid)
                started = time.monotonic()
                slots = asyncio.Semaphore(concurrency)

                async def one() -> None:
                    async with slots:
                        await portal.under_evaluation()

                await asyncio.gather(*(one() for _ in range(projects)))
                elapsed = time.monotonic() - started
                await asyncio.sleep(2)
                disk_after = {path.name: used_bytes(path) for path in (temporal_db, var / "praxis.db")}
                blobs_after = tree_bytes(settings.blobs_path)
                rss_after = rss_bytes(worker.pid)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        server.terminate()
        server.wait(timeout=30)
        sink.stop()
    print(f"projects: {projects} (+5 warm-up) in {elapsed:.0f} s, {concurrency} at a time; worker cache {cache}")
    for name in disk_before:
        grown = disk_after[name] - disk_before[name]
        print(
            f"{name}: {disk_before[name] / MIB:.1f} -> {disk_after[name] / MIB:.1f} MiB in use, "
            f"{grown / projects / 1024:.1f} KiB per project"
        )
    total = sum(disk_after.values()) - sum(disk_before.values())
    print(f"both databases: {total / projects / 1024:.1f} KiB per open project")
    # The test images are identical across projects, and blobs are content-addressed: real photos are not.
    print(f"new evidence blob bytes: {(blobs_after - blobs_before) / projects:.0f} B per project (test images dedupe)")
    cached = min(projects, cache)
    print(
        f"worker RSS: {rss_before / MIB:.0f} -> {rss_after / MIB:.0f} MiB; "
        f"{(rss_after - rss_before) / MIB / cached * 1000:.0f} MiB per 1,000 cached workflows"
    )
    shutil.rmtree(var, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--cache", type=int, default=Settings().worker_max_cached_workflows)
    arguments = parser.parse_args()
    asyncio.run(measure(arguments.projects, arguments.concurrency, arguments.cache))


if __name__ == "__main__":
    main()
