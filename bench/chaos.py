"""Chaos: real projects driven through the API while the worker is killed, the Temporal dev server restarted,
SMTP stopped and the SQLite database locked; then the books are checked.

    .venv/bin/python -m bench.chaos                    # 40 projects, 100 faults (about 12 minutes)
    .venv/bin/python -m bench.chaos --projects 8 --faults 12 --seed 7

Every action is sent the portal's way: with an Idempotency-Key, retried with the same key while the API
answers 5xx or 429 or the connection fails, until it is acknowledged (2xx). At the end:

- **lost**: an acknowledged action missing from its project (each hours entry and photo has its own
  description or caption, so each is found by name);
- **applied twice**: an hours entry, a photo, a review or an evaluation found more than once;
- **mailed twice**: a Message-ID (derived from the notice key, so the same notice always has the same one)
  that arrived more than once;
- **stuck**: a project that did not reach PASSED with its credit.

The processes are the ones `bench.stack` starts (`python -m workers.main`, `python -m cli.main api`), against
a dev server started as `praxis dev` starts it, on a fresh SQLite file. tests/chaos/ runs a short version.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import random
import signal
import sqlite3
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from typing import Any

import httpx
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from PIL import Image
from temporalio.client import Client

from api.auth import issue_token
from bench.services import Service, free_port, python_module, start, wait_for_poller
from bench.stack import StackOptions, praxis_env
from clients.connect import connect
from config.payload_keys import new_key_entry
from config.settings import Settings
from devstack.dev import find_temporal_binary, temporal_command, wait_for_namespace, wait_for_port
from domain.vocabulary import Role
from store.db import migrate

CENTER = "cge-chaos"
PROPOSAL: dict[str, Any] = {
    "title": "Reading club at Wanhua community library",
    "plan": "Twice a week, read with primary school pupils and run a small library of donated books.",
    "category": "external",
    "tags": ["volunteer"],
    "indicators": [{"indicator": "civic_consciousness", "how": "Pupils learn to share and look after books."}],
}
CLOSURE: dict[str, Any] = {
    "narrative": "We ran a reading club for twelve weeks and learned how to keep pupils engaged. " * 2,
    "indicators": [{"indicator": "civic_consciousness", "how": "Pupils now run the book exchange themselves."}],
}
HOURS_ENTRIES = 3  # 3 x 12 h = the 36 counted hours R15 asks for
RETRYABLE = {429, 500, 502, 503, 504}


# --- the mail server that can be stopped ---------------------------------------------------------------


class MailLog:
    """An SMTP sink on a fixed port that can be stopped and started again; keeps each mail's Message-ID."""

    def __init__(self) -> None:
        self.port = free_port()
        self._lock = threading.Lock()
        self.message_ids: Counter[str] = Counter()
        self._controller: Controller | None = None

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content
        assert isinstance(raw, bytes)
        message = message_from_bytes(raw, policy=default)
        with self._lock:
            self.message_ids[str(message["Message-ID"])] += 1
        return "250 OK"

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self.message_ids.values())

    def twice(self) -> list[str]:
        with self._lock:
            return [mid for mid, n in self.message_ids.items() if n > 1]


# --- the stack, with its faults -------------------------------------------------------------------------


@dataclass
class Faults:
    injected: Counter[str] = field(default_factory=Counter)
    seconds_down: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.injected.values())


class ChaosStack:
    """A dev server, the worker and the API as processes, a stoppable SMTP sink, and the faults."""

    def __init__(self, work_dir: Path, log_level: str = "WARNING") -> None:
        self.work_dir = work_dir
        self.mail = MailLog()
        secret = uuid.uuid4().hex * 2
        self.settings = Settings(
            env="dev",
            var_dir=work_dir / "praxis",
            temporal_address=f"127.0.0.1:{free_port()}",
            temporal_ui_port=free_port(),
            api_port=free_port(),
            jwt_secret=secret,
            action_link_secret=uuid.uuid4().hex * 2,
            smtp_port=self.mail.port,
            # Given, not generated: every process (and this one) opens the same payloads from the start.
            payload_keys=new_key_entry("chaos"),
            # A cache would hide replays: every workflow task after a kill replays from history anyway.
            worker_max_cached_workflows=100,
        )
        self.settings.var_dir.mkdir(parents=True, exist_ok=True)
        options = StackOptions(postgres_url=None, worker_cache=100, worker_polls=8, log_level=log_level)
        self.env = praxis_env(os.environ, self.settings, options)
        assert self.settings.payload_keys is not None
        self.env["PRAXIS_PAYLOAD_KEYS"] = self.settings.payload_keys.get_secret_value()
        self._client: Client | None = None
        self.faults = Faults()
        self._starts: Counter[str] = Counter()
        self.temporal: Service | None = None
        self.worker: Service | None = None
        self.api: Service | None = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.api_port}"

    def _start(self, name: str, argv: list[str]) -> Service:
        self._starts[name] += 1
        return start(f"{name}-{self._starts[name]}", argv, self.env, self.work_dir)

    def start_temporal(self) -> None:
        # The same port and database file every time: a restart keeps every workflow.
        self.temporal = self._start("temporal", temporal_command(self.settings, find_temporal_binary()))
        host, _, port = self.settings.temporal_address.rpartition(":")
        wait_for_port(self.temporal.child, host, int(port), timeout=60)
        wait_for_namespace(
            self.temporal.child, self.settings.temporal_address, "default", 60, self.settings.temporal_retention_days
        )

    async def start_worker(self) -> None:
        self.worker = self._start("worker", python_module("workers.main"))
        if self._client is None:
            self._client = await connect(self.settings, retry_for=timedelta(seconds=60))
        await wait_for_poller(self._client, self.settings.task_queue, self.worker)

    async def start(self) -> None:
        self.mail.start()
        await asyncio.to_thread(self.start_temporal)
        await asyncio.to_thread(migrate, self.settings.db_url)
        await self.start_worker()
        self.api = self._start("api", python_module("cli.main", "api"))
        deadline = time.monotonic() + 90
        async with httpx.AsyncClient(base_url=self.api_url, timeout=5) as http:
            while True:
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get("/healthz")).status_code == 200:
                        return
                if time.monotonic() > deadline:
                    raise RuntimeError("the API did not start")
                await asyncio.sleep(0.2)

    def stop(self) -> None:
        for service in (self.api, self.worker, self.temporal):
            if service is not None:
                service.stop(grace=10)
        self.mail.stop()

    # The faults. Each returns once healed.

    async def kill_worker(self, down: float) -> None:
        """SIGKILL, as a crash or an OOM kill would: no graceful shutdown, tasks in hand are lost."""
        assert self.worker is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.worker.pid, signal.SIGKILL)
        await asyncio.to_thread(self.worker.child.process.wait)
        await asyncio.sleep(down)
        await self.start_worker()

    async def restart_temporal(self, down: float) -> None:
        assert self.temporal is not None
        await asyncio.to_thread(self.temporal.stop, 10)
        await asyncio.sleep(down)
        await asyncio.to_thread(self.start_temporal)

    async def stop_smtp(self, down: float) -> None:
        self.mail.stop()
        await asyncio.sleep(down)
        self.mail.start()

    async def lock_database(self, down: float) -> None:
        """An exclusive lock on the SQLite file, as a backup tool or a long migration would hold it."""
        path = self.settings.db_url.removeprefix("sqlite:///")

        def hold() -> None:
            connection = sqlite3.connect(path, timeout=30, isolation_level=None)
            try:
                connection.execute("BEGIN EXCLUSIVE")
                time.sleep(down)
                connection.execute("ROLLBACK")
            finally:
                connection.close()

        await asyncio.to_thread(hold)

    async def inject(self, kind: str, down: float) -> None:
        faults: dict[str, Callable[[float], Awaitable[None]]] = {
            "kill_worker": self.kill_worker,
            "restart_temporal": self.restart_temporal,
            "stop_smtp": self.stop_smtp,
            "lock_database": self.lock_database,
        }
        began = time.monotonic()
        await faults[kind](down)
        self.faults.injected[kind] += 1
        self.faults.seconds_down += time.monotonic() - began


KINDS = ("kill_worker", "restart_temporal", "stop_smtp", "lock_database")


@contextlib.asynccontextmanager
async def chaos_stack(work_dir: Path, log_level: str = "WARNING") -> AsyncIterator[ChaosStack]:
    stack = ChaosStack(work_dir, log_level)
    try:
        await stack.start()
        yield stack
    finally:
        await asyncio.to_thread(stack.stop)


# --- the portal, retrying the portal's way --------------------------------------------------------------


def _jpeg(seed: str) -> bytes:
    """A photo of its own: random pixels, so no two are near-identical by perceptual hash (R16 counts a
    picture once)."""
    pixels = random.Random(seed).randbytes(64 * 48 * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", (64, 48), pixels).save(out, format="JPEG")
    return out.getvalue()


@dataclass
class Ledger:
    """What the API acknowledged, per project, and how often it had to be asked again."""

    acknowledged: Counter[str] = field(default_factory=Counter)
    retries: Counter[str] = field(default_factory=Counter)
    refused: list[str] = field(default_factory=list)


class Driver:
    def __init__(self, stack: ChaosStack, http: httpx.AsyncClient, ledger: Ledger, give_up_after: float) -> None:
        self.stack = stack
        self.http = http
        self.ledger = ledger
        self.give_up_after = give_up_after

    def auth(self, role: Role, sub: str) -> dict[str, str]:
        token = issue_token(self.stack.settings, sub=sub, role=role, ttl=timedelta(days=1))
        return {"Authorization": f"Bearer {token}"}

    async def call(self, what: str, method: str, url: str, headers: dict[str, str], **kwargs: Any) -> Any:
        """Until acknowledged, always with the same Idempotency-Key; a refusal (4xx) is recorded and raised."""
        headers = {**headers, "Idempotency-Key": uuid.uuid4().hex}
        deadline = time.monotonic() + self.give_up_after
        while True:
            try:
                response = await self.http.request(method, url, headers=headers, **kwargs)
            except httpx.TransportError:
                response = None
            if response is not None and response.is_success:
                self.ledger.acknowledged[what] += 1
                return response.json()
            if response is not None and response.status_code not in RETRYABLE:
                self.ledger.refused.append(f"{what} {url}: {response.status_code} {response.text[:300]}")
                raise RuntimeError(self.ledger.refused[-1])
            if time.monotonic() > deadline:
                raise TimeoutError(f"{what} {url} not acknowledged within {self.give_up_after:.0f} s")
            self.ledger.retries[what] += 1
            await asyncio.sleep(0.5)

    async def project(self, tag: str, pace: float, delay: float = 0.0) -> str:
        """One project from proposal to credit, begun after `delay` seconds; returns its id."""
        await asyncio.sleep(delay)
        student, faculty = f"B{tag}", f"T{tag}"
        center = self.auth(Role.CENTER, CENTER)
        await self.call(
            "directory",
            "PUT",
            f"/v1/students/{student}",
            center,
            json={"name": f"Student {tag}", "email": f"{student.lower()}@mail.example.edu"},
        )
        email = f"{faculty.lower()}@staff.example.edu"
        body: dict[str, Any] = {"name": f"Prof {tag}", "email": email, "rank": "professor", "department": "Chaos"}
        await self.call("directory", "PUT", f"/v1/faculty/{faculty}", center, json=body)
        me, teacher = self.auth(Role.STUDENT, student), self.auth(Role.FACULTY, faculty)
        created = await self.call("submit", "POST", "/v1/projects", me, json=PROPOSAL)
        project_id: str = created["created_id"]
        base = f"/v1/projects/{project_id}"
        steps: list[tuple[str, str, str, dict[str, str], dict[str, Any]]] = [
            ("review", "POST", f"{base}/review", center, {"json": {"decision": "approve", "comment": ""}}),
            (
                "invite",
                "POST",
                f"{base}/invitation",
                me,
                {"json": {"faculty_email": email, "reflection_format": "conversation"}},
            ),
            ("accept", "POST", f"{base}/invitation/response", teacher, {"json": {"accept": True}}),
        ]
        for n in range(HOURS_ENTRIES):
            body = {
                "date": (date(2026, 3, 2) + timedelta(days=n)).isoformat(),
                "hours": 12,
                "kind": "execution",
                "description": f"chaos hours {n}",
            }
            steps.append(("hours", "POST", f"{base}/hours", me, {"json": body}))
        for n in range(4):
            kind = "reflection" if n == 3 else "participation"
            form = {"kind": kind, "caption": f"chaos photo {n}: I am the one in the blue shirt on the left."}
            files = {"file": (f"p{n}.jpg", _jpeg(f"{tag}-{n}"), "image/jpeg")}
            steps.append(("evidence", "POST", f"{base}/evidence", me, {"data": form, "files": files}))
        steps.append(("closure", "POST", f"{base}/closure-report", me, {"json": CLOSURE}))
        steps.append(("evaluate", "POST", f"{base}/evaluation", teacher, {"json": {"result": "pass", "feedback": ""}}))
        for what, method, url, headers, kwargs in steps:
            await asyncio.sleep(pace)
            await self.call(what, method, url, headers, **kwargs)
        return project_id


# --- the run and its books ------------------------------------------------------------------------------


@dataclass
class Report:
    projects: int
    faults: Faults
    ledger: Ledger
    lost: list[str]
    twice: list[str]
    mailed_twice: list[str]
    stuck: list[str]
    mails: int
    seconds: float

    @property
    def ok(self) -> bool:
        return not (self.lost or self.twice or self.mailed_twice or self.stuck or self.ledger.refused)

    def lines(self) -> list[str]:
        injected = ", ".join(f"{kind} {n}" for kind, n in sorted(self.faults.injected.items()))
        return [
            f"projects: {self.projects}, actions acknowledged: {sum(self.ledger.acknowledged.values())}, "
            f"retried requests: {sum(self.ledger.retries.values())}, mails: {self.mails}, {self.seconds:.0f} s",
            f"faults injected: {self.faults.total} ({injected}); {self.faults.seconds_down:.0f} s of faults",
            f"lost: {len(self.lost)}, applied twice: {len(self.twice)}, mailed twice: {len(self.mailed_twice)}, "
            f"stuck: {len(self.stuck)}, refused: {len(self.ledger.refused)}",
            *[f"  lost {x}" for x in self.lost],
            *[f"  twice {x}" for x in self.twice],
            *[f"  mailed twice {x}" for x in self.mailed_twice],
            *[f"  stuck {x}" for x in self.stuck],
            *[f"  refused {x}" for x in self.ledger.refused],
        ]


def audit_books(view: dict[str, Any], lost: list[str], twice: list[str], stuck: list[str]) -> None:
    """Each acknowledged action of one project found exactly once in its view."""
    pid = view["id"]
    expected = {f"chaos hours {n}" for n in range(HOURS_ENTRIES)}
    found = Counter(entry["description"] for entry in view["hours"])
    captions = Counter(e["caption"].split(":")[0] for e in view["evidence"])
    for name in expected:
        if found[name] == 0:
            lost.append(f"{pid}: {name}")
        elif found[name] > 1:
            twice.append(f"{pid}: {name} x{found[name]}")
    for n in range(4):
        name = f"chaos photo {n}"
        if captions[name] == 0:
            lost.append(f"{pid}: {name}")
        elif captions[name] > 1:
            twice.append(f"{pid}: {name} x{captions[name]}")
    for what in ("reviews", "evaluations"):
        if len(view[what]) != 1:
            (twice if len(view[what]) > 1 else lost).append(f"{pid}: {len(view[what])} {what}")
    credit = view.get("credit") or {}
    if view["stage"] != "PASSED" or not credit.get("granted"):
        stuck.append(f"{pid}: {view['stage']}")


async def run(
    work_dir: Path,
    *,
    projects: int,
    faults: int,
    seed: int,
    pace: float = 0.5,
    fault_gap: float = 2.0,
    stagger: float = 0.0,
    give_up_after: float = 300.0,
    settle: float = 180.0,
) -> Report:
    """Drive `projects` projects, each begun `stagger` seconds after the one before, while injecting `faults`
    faults, one at a time, about `fault_gap` seconds apart."""
    chooser = random.Random(seed)
    began = time.monotonic()
    async with (
        chaos_stack(work_dir) as stack,
        httpx.AsyncClient(base_url=stack.api_url, timeout=30) as http,
    ):
        ledger = Ledger()
        driver = Driver(stack, http, ledger, give_up_after)
        run_tag = uuid.uuid4().hex[:6]
        drivers = [
            asyncio.create_task(driver.project(f"{run_tag}{n:04d}", pace, delay=n * stagger)) for n in range(projects)
        ]

        async def chaos() -> None:
            # Every kind at least once, the rest at random.
            plan = [KINDS[n % len(KINDS)] if n < len(KINDS) else chooser.choice(KINDS) for n in range(faults)]
            for kind in plan:
                await asyncio.sleep(fault_gap * chooser.uniform(0.5, 1.5))
                down = {"kill_worker": 1.0, "restart_temporal": 1.0, "stop_smtp": 3.0, "lock_database": 3.0}[kind]
                await stack.inject(kind, down * chooser.uniform(0.5, 1.5))

        injector = asyncio.create_task(chaos())
        results = await asyncio.gather(*drivers, return_exceptions=True)
        await injector
        project_ids = [r for r in results if isinstance(r, str)]
        stuck = [f"driver: {type(r).__name__}: {r}" for r in results if isinstance(r, BaseException)]
        lost: list[str] = []
        twice: list[str] = []
        center = driver.auth(Role.CENTER, CENTER)
        # Mail owed after the last fault goes out with Temporal's retries; give it time to settle.
        deadline = time.monotonic() + settle
        views: list[dict[str, Any]] = []
        for project_id in project_ids:
            while True:
                response = await http.get(f"/v1/projects/{project_id}", headers=center)
                view = response.json() if response.is_success else None
                if (view is not None and view["stage"] == "PASSED") or time.monotonic() > deadline:
                    break
                await asyncio.sleep(1)
            if view is None:
                stuck.append(f"{project_id}: not readable ({response.status_code})")
            else:
                views.append(view)
        for view in views:
            audit_books(view, lost, twice, stuck)
        await _mail_settles(stack.mail, within=min(30.0, settle))
        return Report(
            projects=projects,
            faults=stack.faults,
            ledger=ledger,
            lost=lost,
            twice=twice,
            mailed_twice=stack.mail.twice(),
            stuck=stuck,
            mails=stack.mail.total,
            seconds=time.monotonic() - began,
        )


async def _mail_settles(mail: MailLog, within: float) -> None:
    """Until no new mail arrived for 5 s (a retried mail after SMTP came back), at most `within` seconds."""
    deadline = time.monotonic() + within
    last, quiet_since = mail.total, time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - quiet_since < 5:
        await asyncio.sleep(0.5)
        if mail.total != last:
            last, quiet_since = mail.total, time.monotonic()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=40)
    parser.add_argument("--faults", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fault-gap", type=float, default=2.0, help="mean seconds between faults")
    parser.add_argument("--pace", type=float, default=2.0, help="seconds between one project's actions")
    parser.add_argument("--stagger", type=float, default=12.0, help="seconds between two projects' starts")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--tmp", type=Path, help="where the run's databases and logs go (e.g. /dev/shm)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="praxis-chaos-", dir=args.tmp) as tmp:
        figures = run(
            Path(tmp),
            projects=args.projects,
            faults=args.faults,
            seed=args.seed,
            pace=args.pace,
            fault_gap=args.fault_gap,
            stagger=args.stagger,
        )
        report = asyncio.run(figures)
    for line in report.lines():
        print(line)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "projects": report.projects,
                    "faults": dict(report.faults.injected),
                    "acknowledged": dict(report.ledger.acknowledged),
                    "retries": dict(report.ledger.retries),
                    "lost": report.lost,
                    "twice": report.twice,
                    "mailed_twice": report.mailed_twice,
                    "stuck": report.stuck,
                    "seconds": report.seconds,
                },
                indent=1,
            )
        )
    raise SystemExit(0 if report.ok else 1)


if __name__ == "__main__":
    main()
