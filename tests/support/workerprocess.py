"""The worker as its own process (`python -m workers.main`), as it runs in production, so a test can pause it
(SIGSTOP) with its polls outstanding and resume it (SIGCONT), or kill it."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from config.settings import Settings

READY_WAIT = 60.0


def worker_environment(settings: Settings, temporal_address: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PRAXIS_")}
    env.update(
        {
            "PRAXIS_ENV": settings.env,
            "PRAXIS_VAR_DIR": str(settings.var_dir),
            "PRAXIS_DATABASE_URL": settings.db_url,
            "PRAXIS_TEMPORAL_ADDRESS": temporal_address,
            "PRAXIS_TASK_QUEUE": settings.task_queue,
            "PRAXIS_SMTP_HOST": settings.smtp_host,
            "PRAXIS_SMTP_PORT": str(settings.smtp_port),
            "PRAXIS_LOG_FORMAT": "json",
            "PRAXIS_WORKER_MAX_CACHED_WORKFLOWS": str(settings.worker_max_cached_workflows),
        }
    )
    if settings.payload_keys is not None:
        env["PRAXIS_PAYLOAD_KEYS"] = settings.payload_keys.get_secret_value()
    return env


class WorkerProcess:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    def pause(self) -> None:
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)


def _tail(log: Path) -> bytes:
    return log.read_bytes()[-4000:] if log.exists() else b""


@asynccontextmanager
async def worker_process(settings: Settings, temporal_address: str, log: Path) -> AsyncIterator[WorkerProcess]:
    """A worker process polling `settings.task_queue`, ready once it says so in its log; stopped on exit."""
    out = await asyncio.to_thread(log.open, "wb")
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "workers.main",
            env=worker_environment(settings, temporal_address),
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
        )
    finally:
        out.close()
    try:
        deadline = time.monotonic() + READY_WAIT
        while b"worker started" not in await asyncio.to_thread(log.read_bytes):
            if process.returncode is not None or time.monotonic() > deadline:
                tail = await asyncio.to_thread(_tail, log)
                raise RuntimeError(f"the worker did not start: {tail.decode(errors='replace')}")
            await asyncio.sleep(0.1)
        await asyncio.sleep(1)  # its pollers are out
        yield WorkerProcess(process)
    finally:
        if process.returncode is None:
            os.kill(process.pid, signal.SIGCONT)
            process.terminate()
            try:
                async with asyncio.timeout(30):
                    await process.wait()
            except TimeoutError:
                process.kill()
                await process.wait()
