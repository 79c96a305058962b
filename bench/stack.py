"""The real Praxis stack for parts `api`, `open`, `cold` and `examweek`: the worker (`python -m workers.main`)
and the API (`python -m cli.main api`) as processes, pointed by `PRAXIS_*` variables at the run's dev
server, a fresh database and the run's SMTP sink.

With `--postgres URL` a database of its own is created on that server for the run and dropped after, so
figures never include an earlier run's rows.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from bench.mailsink import CountingSink
from bench.services import DevServer, Service, free_port, python_module, start, wait_for_poller
from clients.connect import connect
from config.settings import Settings
from store.db import migrate


@dataclass(frozen=True)
class StackOptions:
    postgres_url: str | None
    worker_cache: int
    worker_polls: int
    log_level: str


@dataclass
class Stack:
    settings: Settings  # what the children were given, for tokens and direct store access
    worker: Service
    api: Service
    sink: CountingSink

    @property
    def api_url(self) -> str:
        return f"http://{self.settings.api_host}:{self.settings.api_port}"

    def ensure_running(self) -> None:
        self.worker.ensure_running()
        self.api.ensure_running()


@contextlib.contextmanager
def fresh_postgres(url: str) -> Iterator[str]:
    """A new, empty database on the server `url` names, dropped when the block ends."""
    base = make_url(url)
    if base.drivername == "postgresql":
        base = base.set(drivername="postgresql+psycopg")
    name = f"praxis_bench_{uuid.uuid4().hex[:10]}"  # ours: safe to quote into DDL
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def worker_env(base: Mapping[str, str], cache: int, polls: int) -> dict[str, str]:
    """The caller's environment without its `PRAXIS_*` (a shell's settings must not leak into the figures),
    and the worker tuning both the anchor's and the Praxis worker read."""
    env = {key: value for key, value in base.items() if not key.startswith("PRAXIS_")}
    env["PRAXIS_WORKER_MAX_CACHED_WORKFLOWS"] = str(cache)
    env["PRAXIS_WORKER_WORKFLOW_TASK_POLLS"] = str(polls)
    return env


def praxis_env(base: Mapping[str, str], settings: Settings, options: StackOptions) -> dict[str, str]:
    env = worker_env(base, options.worker_cache, options.worker_polls)
    env.update(
        {
            "PRAXIS_ENV": "dev",
            "PRAXIS_VAR_DIR": str(settings.var_dir),
            "PRAXIS_TEMPORAL_ADDRESS": settings.temporal_address,
            "PRAXIS_TEMPORAL_NAMESPACE": settings.temporal_namespace,
            "PRAXIS_DATABASE_URL": settings.db_url,
            "PRAXIS_API_HOST": settings.api_host,
            "PRAXIS_API_PORT": str(settings.api_port),
            "PRAXIS_PUBLIC_URL": f"http://{settings.api_host}:{settings.api_port}",
            "PRAXIS_JWT_SECRET": settings.jwt_secret.get_secret_value(),
            "PRAXIS_ACTION_LINK_SECRET": settings.action_link_secret.get_secret_value(),
            "PRAXIS_SMTP_HOST": settings.smtp_host,
            "PRAXIS_SMTP_PORT": str(settings.smtp_port),
            "PRAXIS_LOG_FORMAT": "json",
            "PRAXIS_LOG_LEVEL": options.log_level,
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


@contextlib.asynccontextmanager
async def praxis_stack(
    server: DevServer, work_dir: Path, base_env: Mapping[str, str], options: StackOptions
) -> AsyncIterator[Stack]:
    """Start sink, worker and API on a migrated database; stop them in reverse order."""
    with contextlib.ExitStack() as resources:
        var_dir = work_dir / "praxis"
        var_dir.mkdir(parents=True, exist_ok=True)
        database_url = ""
        if options.postgres_url:
            database_url = resources.enter_context(fresh_postgres(options.postgres_url))
        sink = CountingSink()
        sink.start()
        resources.callback(sink.stop)
        secret = secrets.token_hex(32)
        settings = Settings(
            env="dev",
            var_dir=var_dir,
            database_url=database_url,
            temporal_address=server.address,
            temporal_namespace=server.namespace,
            api_port=free_port(),
            jwt_secret=secret,
            action_link_secret=secrets.token_hex(32),
            smtp_port=sink.port,
            worker_max_cached_workflows=options.worker_cache,
        )
        await asyncio.to_thread(migrate, settings.db_url)
        env = praxis_env(base_env, settings, options)
        worker = start("praxis-worker", python_module("workers.main"), env, work_dir)
        resources.callback(worker.stop)
        client = await connect(settings)
        await wait_for_poller(client, settings.task_queue, worker)
        api = start("praxis-api", python_module("cli.main", "api"), env, work_dir)
        resources.callback(api.stop)
        stack = Stack(settings, worker, api, sink)
        await api.wait_until_answering(stack.api_url, path="/healthz", within=90, ready=lambda status: status == 200)
        yield stack
        stack.ensure_running()
