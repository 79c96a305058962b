"""Praxis side by side with the raw Temporal SDK, on one dev server, in one run. Prints figures; asserts nothing.

    python -m bench                              # every part (the 10,000-project part takes longest)
    python -m bench --only sdk,api,open          # the update path only, 2 to 3 minutes
    python -m bench --only sdk,http,api          # the closed loops only: how much of the gap is the HTTP hop
    python -m bench --only sdk,api --rounds 9    # two sides only, more rounds, a steadier ratio
    python -m bench --projects 2000 --json out.json
    python -m bench --postgres postgresql://postgres@127.0.0.1:5432/test

Parts: sdk (the anchor: raw SDK updates), http (the anchor's update behind a bare FastAPI route in a process of
its own: the HTTP hop's own cost; runs only in the rounds, with sdk and api), api (Praxis through HTTP, closed
loop, and the ratio), open (Praxis at half the anchor's capacity, open loop; in rounds, the anchor's updates
at the same rate just before, so the tails compare), cold (many open projects: worker
memory, actions on evicted projects), examweek (R23's fan-out to every supervisor).

With both sdk and api, they run in rounds (--rounds, default 5): a shared VM's speed drifts by a quarter over
tens of seconds, longer than one closed loop, so two loops measured apart meet different machines. The anchor's
worker (and with http, the bare route's process) and the Praxis stack are up together, every side's entities are
set up once, and each round runs the closed loops back to back, sdk→http→api in odd rounds and api→http→sdk in
even ones, so drift favours no side of any pair. The ratio api/sdk is the median of the rounds' ratios, shown
with their range, and so are http/sdk (the hop) and api/http (Praxis above the hop); the sdk, http and api rows,
the CPU per action and the open loop's rate pool every round. Each round adds two closed loops, about 6 to 12 s
on 2 cores, and a third with http.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import aiohttp
import httpx

from bench import anchor, anchor_http, examweek, praxis, report, rounds
from bench.box import CpuMeter, describe
from bench.portal import Portal
from bench.services import DevServer, Service, start_dev_server
from bench.stack import Stack, StackOptions, praxis_stack, worker_env
from config.settings import Settings
from devstack.dev import find_temporal_binary

PARTS = ("sdk", "http", "api", "open", "cold", "examweek")
PRAXIS_PARTS = frozenset(PARTS) - {"sdk", "http"}
DEFAULT_CACHE = int(Settings.model_fields["worker_max_cached_workflows"].default)
DEFAULT_POLLS = int(Settings.model_fields["worker_workflow_task_polls"].default)


def default_tmp() -> Path:
    shm = Path("/dev/shm")  # noqa: S108  # a parent for mkdtemp, which makes the private directory
    return shm if shm.is_dir() and os.access(shm, os.W_OK) else Path(tempfile.gettempdir())


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    doc = __doc__ or ""
    p = argparse.ArgumentParser(prog="python -m bench", description=doc, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--only", default=",".join(PARTS), help=f"comma-separated parts of {','.join(PARTS)} (default all)")
    p.add_argument("--entities", type=int, default=50, help="entities (workflows, projects) in sdk/api/open")
    p.add_argument("--actions", type=int, default=10, help="sequential actions per entity in sdk/api")
    p.add_argument("--callers", type=int, default=50, help="concurrent callers in sdk/api")
    p.add_argument(
        "--rounds", type=int, default=5, help="interleaved rounds of the sdk (http) and api loops, when both run"
    )
    p.add_argument("--open-seconds", type=float, default=30.0, help="duration of the open loop")
    p.add_argument("--open-rate", type=float, help="arrivals/s of the open loop (default: half the sdk throughput)")
    p.add_argument("--arrivals", choices=("poisson", "fixed"), default="poisson")
    p.add_argument("--seed", type=int, default=1, help="seed of the Poisson arrivals")
    p.add_argument("--projects", type=int, default=10_000, help="open projects in the cold part")
    p.add_argument("--cold-samples", type=int, default=200, help="actions on evicted (and on cached) projects")
    p.add_argument("--create-callers", type=int, default=32, help="concurrent submissions in the cold part")
    p.add_argument("--supervisors", type=int, default=1000, help="supervisors in the examweek part")
    p.add_argument("--examweek-timeout", type=float, default=1800.0, help="seconds to wait for the last mail")
    p.add_argument("--worker-cache", type=int, default=DEFAULT_CACHE, help="PRAXIS_WORKER_MAX_CACHED_WORKFLOWS")
    p.add_argument(
        "--polls", type=int, default=DEFAULT_POLLS, help="PRAXIS_WORKER_WORKFLOW_TASK_POLLS, for both workers"
    )
    p.add_argument("--log-level", default="INFO", help="PRAXIS_LOG_LEVEL of the worker and the API")
    p.add_argument("--postgres", metavar="URL", help="a PostgreSQL server to create the run's database on")
    p.add_argument("--json", type=Path, metavar="PATH", help="also write every figure as JSON")
    p.add_argument(
        "--tmp",
        type=Path,
        default=default_tmp(),
        help="where the run's directory (Temporal and Praxis databases, logs) goes; default a RAM disk,\n"
        "so the figures measure the code, not the disk's fsyncs (give /tmp to include them)",
    )
    p.add_argument("--keep", action="store_true", help="keep the run's directory (logs, databases)")
    args = p.parse_args(argv)
    parts = {part.strip() for part in args.only.split(",") if part.strip()}
    if unknown := parts - set(PARTS):
        p.error(f"unknown part(s): {', '.join(sorted(unknown))}")
    if "open" in parts and args.open_rate is None and "sdk" not in parts:
        print("note: the open loop's rate comes from the sdk part, so it runs too (or give --open-rate)")
        parts.add("sdk")
    if "http" in parts and not {"sdk", "api"} <= parts:
        p.error("the http part runs only in the rounds, beside sdk and api (--only sdk,http,api)")
    if args.rounds < 1:
        p.error("--rounds must be at least 1")
    args.parts = [part for part in PARTS if part in parts]
    return args


def interleaved(args: argparse.Namespace) -> bool:
    """Whether the sdk and api loops run in rounds, side by side, rather than once each."""
    return "sdk" in args.parts and "api" in args.parts


def parameters(args: argparse.Namespace) -> dict[str, object]:
    return {
        "parts": ",".join(args.parts),
        "entities": args.entities,
        "actions": args.actions,
        "callers": args.callers,
        "rounds": args.rounds if interleaved(args) else 1,
        "open_seconds": args.open_seconds,
        "arrivals": args.arrivals,
        "projects": args.projects,
        "cold_samples": args.cold_samples,
        "create_callers": args.create_callers,
        "supervisors": args.supervisors,
        "worker_cache": args.worker_cache,
        "worker_polls": args.polls,
        "log_level": args.log_level,
        "database": "postgresql" if args.postgres else "sqlite",
        "run_dir": str(args.tmp),
    }


@contextlib.contextmanager
def part(results: report.Results, name: str, title: str) -> Iterator[None]:
    """Announce a part and record its wall time, setup included (how long a reviewer waits for it)."""
    print(f"\n== {name}: {title}", flush=True)
    began = time.perf_counter()
    try:
        yield
    finally:
        results.durations[name] = results.durations.get(name, 0.0) + time.perf_counter() - began


@contextlib.asynccontextmanager
async def praxis_portal(
    args: argparse.Namespace, server: DevServer, work_dir: Path
) -> AsyncIterator[tuple[Stack, Portal]]:
    options = StackOptions(args.postgres, args.worker_cache, args.polls, args.log_level)
    print("\n== starting the Praxis worker and API", flush=True)
    async with praxis_stack(server, work_dir, os.environ, options) as stack:
        limits = httpx.Limits(max_connections=1000, max_keepalive_connections=200)
        async with (
            httpx.AsyncClient(base_url=stack.api_url, timeout=300, limits=limits) as http,
            anchor_http.caller(stack.api_url) as caller,
        ):
            yield stack, Portal(http, stack.settings, caller)


async def set_up_projects(args: argparse.Namespace, portal: Portal, results: report.Results) -> list[praxis.Entity]:
    with part(results, "api", f"setting up {args.entities} projects in IN_PROGRESS (not timed)"):
        return await praxis.set_up(portal, args.entities, args.callers)


async def start_http_side(
    settings: Settings, env: dict[str, str], work_dir: Path, up: contextlib.AsyncExitStack
) -> tuple[Service, aiohttp.ClientSession]:
    """The anchor behind a bare HTTP route, as a process of its own, and the load generator's client of it;
    both closed when `up` closes."""
    print("\n== starting the anchor behind a bare HTTP route", flush=True)
    url, service = await up.enter_async_context(anchor_http.http_anchor(settings, env, work_dir))
    return service, await up.enter_async_context(anchor_http.caller(url))


async def run_rounds(
    args: argparse.Namespace,
    server: DevServer,
    work_dir: Path,
    praxis_side: tuple[Stack, Portal],
    results: report.Results,
) -> list[praxis.Entity]:
    """The anchor's worker (and with http, the bare route's process) beside the Praxis stack, every side's entities
    set up once, then the rounds."""
    stack, portal = praxis_side
    settings = Settings(temporal_address=server.address, temporal_namespace=server.namespace)
    env = worker_env(os.environ, args.worker_cache, args.polls)
    async with anchor.entity_worker(settings, env, work_dir) as (client, worker), contextlib.AsyncExitStack() as up:
        http_side = await start_http_side(settings, env, work_dir, up) if "http" in args.parts else None
        with part(results, "sdk", f"starting {args.entities} entities (not timed)"):
            handles = await anchor.start_entities(client, args.entities)
        entities = await set_up_projects(args, portal, results)
        caller = {"caller": os.getpid()}
        sdk_processes = {"server": server.service.pid, "worker": worker.pid, **caller}
        api_processes = {"server": server.service.pid, "worker": stack.worker.pid, "api": stack.api.pid, **caller}
        sdk_jobs = anchor.jobs(handles, args.actions)
        api_jobs = praxis.jobs(portal, entities, args.actions)
        shape = f"{args.entities}x{args.actions}, {args.callers} callers"
        loops: dict[rounds.Side, Callable[[], Awaitable[rounds.Loop]]] = {
            "sdk": lambda: rounds.measure(sdk_jobs, args.callers, sdk_processes),
            "api": lambda: rounds.measure(api_jobs, args.callers, api_processes),
        }
        if http_side is not None:
            http_app, http_caller = http_side
            http_processes = {"server": server.service.pid, "worker": worker.pid, "http": http_app.pid, **caller}
            http_jobs = anchor_http.jobs(http_caller, handles, args.actions)
            loops["http"] = lambda: rounds.measure(http_jobs, args.callers, http_processes)
        sides = "/".join(rounds.sides_in_order(list(loops)))
        with part(results, "rounds", f"{args.rounds} rounds of {sides} closed loops ({shape}), alternating"):
            done = await rounds.run_rounds(args.rounds, loops, lambda one: print(f"    round {one}", flush=True))
        results.rounds = done.rounds
        pooled = {side: rounds.pool(side_loops) for side, side_loops in done.loops.items()}
        results.sdk, results.http, results.api = pooled["sdk"], pooled.get("http"), pooled["api"]
        for side, side_loops in done.loops.items():
            results.cpu[side] = rounds.pooled_cpu_ms(side_loops)
            print(f"    {side}, pooled: {pooled[side]}", flush=True)
        if "open" in args.parts:
            # The anchor's own tail at the rate Praxis's open loop gets, on the same box, just before it.
            results.open_rate = rate = open_rate(args, results)
            with part(results, "open", f"raw SDK updates at {rate:.1f}/s for {args.open_seconds:.0f} s"):
                results.open_sdk = await anchor.run_open(
                    handles, rate, args.open_seconds, poisson=args.arrivals == "poisson", seed=args.seed
                )
            print(f"    {results.open_sdk}", flush=True)
        await anchor.close_entities(worker, handles)
    return entities


def open_rate(args: argparse.Namespace, results: report.Results) -> float:
    """The open loops' arrival rate: `--open-rate`, else half the anchor's pooled throughput."""
    return float(args.open_rate or (results.sdk.throughput / 2 if results.sdk else 0.0))


async def run_praxis(args: argparse.Namespace, server: DevServer, work_dir: Path, results: report.Results) -> None:
    shape = anchor.Shape(args.entities, args.actions, args.callers)
    async with praxis_portal(args, server, work_dir) as (stack, portal):
        entities: list[praxis.Entity] = []
        if interleaved(args):
            entities = await run_rounds(args, server, work_dir, (stack, portal), results)
        elif "api" in args.parts or "open" in args.parts:
            entities = await set_up_projects(args, portal, results)
        if "api" in args.parts and not interleaved(args):
            with part(results, "api", f"{args.entities}x{args.actions} POST …/hours, {args.callers} callers"):
                processes = {"server": server.service.pid, "worker": stack.worker.pid, "api": stack.api.pid}
                meter = CpuMeter({**processes, "caller": os.getpid()})
                results.api = await praxis.run_closed(portal, entities, shape)
                results.cpu["api"] = meter.per_action_ms(results.api.ok + results.api.errors)
            print(f"    {results.api}", flush=True)
        if "open" in args.parts:
            results.open_rate = rate = open_rate(args, results)
            with part(results, "open", f"POST …/hours at {rate:.1f}/s for {args.open_seconds:.0f} s"):
                poisson = args.arrivals == "poisson"
                results.open = await praxis.run_open(
                    portal, entities, rate, args.open_seconds, poisson=poisson, seed=args.seed
                )
            print(f"    {results.open}", flush=True)
        if "cold" in args.parts:
            with part(results, "cold", f"submitting {args.projects} projects, {args.create_callers} at a time"):
                results.cold = await praxis.run_cold(
                    stack, portal, args.projects, args.cold_samples, args.create_callers
                )
        if "examweek" in args.parts:
            with part(results, "examweek", f"final exam week mails to {args.supervisors} supervisors"):
                results.examweek = await examweek.run_exam_week(
                    stack, portal, args.supervisors, args.create_callers, args.examweek_timeout
                )


async def run(args: argparse.Namespace, server: DevServer, work_dir: Path, results: report.Results) -> None:
    settings = Settings(temporal_address=server.address, temporal_namespace=server.namespace)
    if "sdk" in args.parts and not interleaved(args):
        shape = anchor.Shape(args.entities, args.actions, args.callers)
        with part(results, "sdk", f"{args.entities}x{args.actions} raw SDK updates, {args.callers} callers"):
            env = worker_env(os.environ, args.worker_cache, args.polls)
            results.sdk, results.cpu["sdk"] = await anchor.run_sdk(settings, env, work_dir, shape, server.service.pid)
        print(f"    {results.sdk}", flush=True)
    if PRAXIS_PARTS & set(args.parts):
        await run_praxis(args, server, work_dir, results)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    work_dir = Path(tempfile.mkdtemp(prefix="praxis-bench-", dir=args.tmp))
    results = report.Results(describe(find_temporal_binary()), parameters(args))
    print(report.header(results), flush=True)
    print(f"\n== starting a Temporal dev server in {work_dir}", flush=True)
    server = start_dev_server(work_dir, os.environ)
    failed = True
    try:
        asyncio.run(run(args, server, work_dir, results))
        failed = False
    except KeyboardInterrupt:
        print("interrupted; the figures so far:", file=sys.stderr)
    except Exception:
        traceback.print_exc()
        print("failed; the figures so far:", file=sys.stderr)
    finally:
        server.service.stop()
    if failed or args.keep:
        print(f"logs and databases kept in {work_dir}", file=sys.stderr)
    else:
        shutil.rmtree(work_dir, ignore_errors=True)
    print(f"\n{report.header(results)}\n\n{report.table(results)}")
    if args.json:
        report.write_json(results, args.json)
        print(f"\nwritten to {args.json}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
