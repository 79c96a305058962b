"""The `praxis` command: run the dev stack or one process of it, issue tokens, migrate the database.

Imports of `workers`, `api` and `store` stay inside the commands, so `praxis token` works (and
`praxis dev` can refuse clearly) even where those packages' dependencies are not ready.
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from cli.blobs import app as blobs_app
from cli.health import Component
from cli.profile import app as profile_app
from cli.semester import app as semester_app
from config.log import configure_logging
from config.settings import get_settings
from domain.vocabulary import Role

# Tracebacks without locals: they would print settings and token material to the terminal.
app = typer.Typer(
    help="Praxis: durable workflows for the Social Practice course.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


@app.command()
def dev() -> None:
    """Run Temporal, the mail keeper, the worker and the API on this machine (SPEC §5)."""
    from devstack import dev as dev_stack

    settings = get_settings()
    configure_logging(settings)
    try:
        dev_stack.run(settings)
    except dev_stack.DevError as exc:
        typer.echo(f"praxis dev: {exc}", err=True)
        raise typer.Exit(1) from exc


@app.command()
def worker() -> None:
    """Run the Temporal worker."""
    from workers.main import main

    main()


def multiprocess_metrics() -> None:
    """Several server processes answer `/metrics` in turn: each writes its figures to files in one fresh
    directory (inherited by the processes uvicorn starts), and any of them serves the sum."""
    import os
    import tempfile

    from telemetry.metrics import MULTIPROCESS_DIR

    if not os.environ.get(MULTIPROCESS_DIR):
        os.environ[MULTIPROCESS_DIR] = tempfile.mkdtemp(prefix="praxis-metrics-")


@app.command()
def api(
    host: Annotated[str | None, typer.Option(help="Defaults to PRAXIS_API_HOST.")] = None,
    port: Annotated[int | None, typer.Option(help="Defaults to PRAXIS_API_PORT.")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Uvicorn worker processes.")] = 1,
) -> None:
    """Serve the HTTP API with uvicorn."""
    import uvicorn

    settings = get_settings()
    configure_logging(settings)
    if workers > 1:
        multiprocess_metrics()
    # log_config=None keeps the structlog setup above instead of uvicorn's own formatters.
    uvicorn.run(
        "api.main:app",
        host=host or settings.api_host,
        port=port or settings.api_port,
        workers=workers,
        log_config=None,
    )


@app.command()
def health(
    component: Annotated[
        Component, typer.Argument(help="api: GET /healthz answers 200; worker: this host polls the task queue.")
    ],
    url: Annotated[str | None, typer.Option(help="Defaults to http://127.0.0.1:PRAXIS_API_PORT/healthz.")] = None,
) -> None:
    """Exit 0 when this container's API or worker is healthy, else print why and exit 1 (health checks)."""
    import asyncio

    from cli.health import check_api, check_worker

    settings = get_settings()
    if component is Component.API:
        problem = check_api(url or f"http://127.0.0.1:{settings.api_port}/healthz")
    else:
        problem = asyncio.run(check_worker(settings))
    if problem is not None:
        typer.echo(f"unhealthy: {problem}", err=True)
        raise typer.Exit(1)
    typer.echo("healthy")


@app.command()
def token(
    role: Annotated[Role, typer.Option(help="student, faculty, center, osa or operator.")],
    sub: Annotated[str, typer.Option(help="Student, faculty or staff id.")],
    name: Annotated[str | None, typer.Option()] = None,
    email: Annotated[str | None, typer.Option()] = None,
    ttl_hours: Annotated[float, typer.Option(help="Validity in hours.")] = 12.0,
) -> None:
    """Print a bearer token (HS256 JWT) for local use (SPEC §4)."""
    from api.auth import issue_token

    try:
        jwt = issue_token(get_settings(), sub=sub, role=role, name=name, email=email, ttl=timedelta(hours=ttl_hours))
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    typer.echo(jwt)


@app.command()
def migrate() -> None:
    """Bring the database schema up to date."""
    from store.db import migrate as migrate_db

    settings = get_settings()
    configure_logging(settings)
    migrate_db(settings.db_url)


@app.command()
def demo(
    api_url: Annotated[
        str | None,
        typer.Option(
            help="The API of a running `praxis dev`; by default the one PRAXIS_API_HOST/PRAXIS_API_PORT "
            "(or PRAXIS_PUBLIC_URL) name, as `praxis dev` does."
        ),
    ] = None,
) -> None:
    """Seed a course with a project in every stage through the public API of a running `praxis dev`, then
    print where to look (Temporal UI queries, the dev inbox, a project's JSON). Safe to run again."""
    import asyncio
    import logging

    import httpx

    from devstack import demo as seed

    settings = get_settings()
    configure_logging(settings)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request would bury the summary

    target = api_url or seed.demo_api_url(settings)

    async def run() -> seed.DemoReport:
        async with httpx.AsyncClient(base_url=target, timeout=60) as http:
            return await seed.run_demo(http, settings)

    try:
        report = asyncio.run(run())
    except seed.DemoError as exc:
        typer.echo(f"praxis demo: {exc}", err=True)
        raise typer.Exit(1) from exc
    for line in seed.where_to_look(report, settings):
        typer.echo(line)


app.add_typer(blobs_app, name="blobs")
app.add_typer(profile_app, name="profile")

# --- praxis import ---------------------------------------------------------------------------------

import_app = typer.Typer(
    help="Import the faculty or student directory from a CSV file (formats: docs/import.md).", no_args_is_help=True
)
app.add_typer(import_app, name="import")

CsvFile = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="A UTF-8 CSV file with a header row.")
]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Validate and report what would change; write nothing.")]


@import_app.command("faculty")
def import_faculty(file: CsvFile, dry_run: DryRun = False) -> None:
    """Create or replace teachers: id,name,email,rank,department,leaving_after (R10, R13, R22)."""
    _import("faculty", file, dry_run)


@import_app.command("students")
def import_students(file: CsvFile, dry_run: DryRun = False) -> None:
    """Create or replace students: id,name,email,has_internship_credit (R3)."""
    _import("students", file, dry_run)


def _import(kind: str, file: Path, dry_run: bool) -> None:
    """Any error in the file is reported by row and column and nothing is written (exit 1); a change that
    could not be announced to the projects (R22) exits 2 after the import."""
    import asyncio

    from cli import importer
    from clients.connect import connect
    from store.db import make_engine, migrate

    settings = get_settings()
    configure_logging(settings)
    try:
        text = importer.decode_csv(file.read_bytes())  # UTF-8, or Big5 as Excel writes it (issue 12)
    except importer.NotText as exc:
        typer.echo(f"{file}: {exc}.", err=True)
        raise typer.Exit(1) from exc
    migrate(settings.db_url)
    engine = make_engine(settings.db_url)
    try:
        report = asyncio.run(
            importer.import_and_announce(
                engine, settings, importer.Kind(kind), text, dry_run=dry_run, connect=lambda: connect(settings)
            )
        )
    except importer.TemporalUnreachable as exc:
        typer.echo(
            f"{file}: the file changes a leaving_after (R22) but Temporal at {settings.temporal_address} could not "
            f"be reached to tell the projects ({exc}); nothing was imported.",
            err=True,
        )
        raise typer.Exit(1) from exc
    if not report.ok:
        for error in report.errors:
            typer.echo(f"{file}: {error}", err=True)
        typer.echo(f"{file}: {len(report.errors)} error(s); nothing was imported.", err=True)
        raise typer.Exit(1)
    typer.echo(report.summary())
    for faculty_id, count in report.announced.items():
        typer.echo(f"departure of {faculty_id}: telling {count} open project(s) (R22)")
    if report.not_announced:
        for faculty_id, reason in report.not_announced.items():
            typer.echo(f"departure of {faculty_id} NOT announced: {reason}", err=True)
        raise typer.Exit(2)


app.add_typer(semester_app, name="semester")

desk_app = typer.Typer(help="The course office's desk (SPEC §7): upkeep of what it reads.", no_args_is_help=True)
app.add_typer(desk_app, name="desk")


@desk_app.command("backfill")
def desk_backfill(
    project: Annotated[
        list[str] | None, typer.Option("--project", help="Only this project (repeatable); all by default.")
    ] = None,
) -> None:
    """Fill the read model's desk and impact columns (added by migration 0007) for every project, from the
    archive or the running workflow. Safe to run while the system runs, and to run again. Needs a worker;
    exits 1 if a workflow did not answer in time (run again)."""
    import asyncio

    from cli.desk_backfill import backfill
    from clients.connect import connect
    from clients.project import ProjectClient
    from store.db import make_engine, migrate

    settings = get_settings()
    configure_logging(settings)
    migrate(settings.db_url)

    async def run() -> int:
        client = await connect(settings)
        report = await backfill(ProjectClient(client, settings), make_engine(settings.db_url), project)
        typer.echo(
            f"refreshed {report.refreshed}, newer already {report.skipped}, missing {len(report.missing)}, "
            f"unreachable {len(report.unreachable)}"
        )
        for project_id in report.missing:
            typer.echo(f"missing: {project_id} (no workflow and no archive)")
        for project_id in report.unreachable:
            typer.echo(f"unreachable: {project_id} (its workflow did not answer in time; is a worker running?)")
        return 1 if report.unreachable else 0

    code = asyncio.run(run())
    if code:
        raise typer.Exit(code)


def main() -> None:
    """The `praxis` console command. It ends without interpreter teardown: the Temporal client's runtime
    threads can crash a short-lived process while it finalizes (temporalio/sdk-python#300)."""
    try:
        app()
        code = 0
    except SystemExit as finished:
        if isinstance(finished.code, str):
            print(finished.code, file=sys.stderr)
        code = finished.code if isinstance(finished.code, int) else (0 if finished.code is None else 1)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
