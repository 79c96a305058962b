"""The processes a run starts: one Temporal dev server, workers and the API, each logging to its own file.

The dev server is started the way `praxis dev` starts it (`devstack.dev`: a fresh SQLite file, the
search attributes registered), here in a temporary directory and on free ports, so a run never meets
the state of an earlier one or of a `praxis dev` on the default ports.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

from config.settings import Settings
from devstack.dev import Child, find_temporal_binary, stop_child, temporal_command, wait_for_namespace, wait_for_port

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Service:
    """A started child process and the file its output goes to."""

    child: Child
    log_path: Path

    @property
    def pid(self) -> int:
        return self.child.process.pid

    def tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def ensure_running(self) -> None:
        if self.child.returncode is not None:
            raise RuntimeError(
                f"{self.child.name} exited with code {self.child.returncode}; "
                f"last lines of {self.log_path}:\n{self.tail()}"
            )

    def stop(self, grace: float = 10.0) -> None:
        stop_child(self.child, grace)

    async def wait_until_answering(
        self, url: str, *, path: str = "/", within: float, ready: Callable[[int], bool] = lambda _status: True
    ) -> None:
        """Poll `path` at `url` until an answer whose status is `ready` (any, by default); raise if the process
        exits meanwhile or `within` seconds pass."""
        deadline = time.monotonic() + within
        async with httpx.AsyncClient(base_url=url, timeout=5) as http:
            while True:
                self.ensure_running()
                with contextlib.suppress(httpx.HTTPError):
                    if ready((await http.get(path)).status_code):
                        return
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"{self.child.name} did not answer {path} within {within:.0f} s; see {self.log_path}"
                    )
                await asyncio.sleep(0.1)


def start(name: str, argv: Sequence[str], env: Mapping[str, str], log_dir: Path) -> Service:
    log_path = log_dir / f"{name}.log"
    with log_path.open("wb") as out:
        # Our own argv; a session of its own so stopping it takes its descendants too.
        process = subprocess.Popen(
            list(argv), env=dict(env), cwd=REPO, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Service(Child(name, process), log_path)


def python_module(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]


@dataclass(frozen=True)
class DevServer:
    service: Service
    address: str
    namespace: str


def start_dev_server(work_dir: Path, env: Mapping[str, str], namespace: str = "default") -> DevServer:
    """`temporal server start-dev` on a fresh db file under `work_dir`; returns once the namespace answers.

    Synchronous (it polls on a private event loop): call it before the run's own loop starts.
    """
    port = free_port()
    settings = Settings(
        var_dir=work_dir,
        temporal_address=f"127.0.0.1:{port}",
        temporal_ui_port=free_port(),
        temporal_namespace=namespace,
    )
    service = start("temporal", temporal_command(settings, find_temporal_binary()), env, work_dir)
    try:
        wait_for_port(service.child, "127.0.0.1", port, timeout=60)
        wait_for_namespace(service.child, settings.temporal_address, namespace, 60, settings.temporal_retention_days)
    except BaseException:
        service.stop(grace=5)
        raise
    return DevServer(service, settings.temporal_address, namespace)


async def wait_for_poller(client: Client, task_queue: str, service: Service, within: float = 90) -> None:
    """Return once a worker polls `task_queue` for workflow tasks (log lines depend on the log level)."""
    request = DescribeTaskQueueRequest(
        namespace=client.namespace,
        task_queue=TaskQueue(name=task_queue),
        task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    )
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not (await client.workflow_service.describe_task_queue(request)).pollers:
        service.ensure_running()
        if loop.time() > deadline:
            raise RuntimeError(f"no worker polled {task_queue!r} within {within:.0f} s; see {service.log_path}")
        await asyncio.sleep(0.2)
