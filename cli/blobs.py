"""`praxis blobs gc`: delete stored evidence blobs that no evidence references (R16).

The collection itself is `blobs.gc.collect`; this module reads the references, runs it against the
configured store and prints what it did.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer

from config.log import configure_logging
from config.settings import get_settings

app = typer.Typer(help="The evidence blob store (a local folder or an S3 bucket).", no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Keeps `gc` a named subcommand even while it is the only one."""


@app.command()
def gc(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List what would be deleted; delete nothing.")] = False,
    grace_hours: Annotated[
        float,
        typer.Option(
            "--grace-hours",
            min=0,
            help="Keep unreferenced blobs younger than this: an upload stores its blob before its reference.",
        ),
    ] = 24.0,
    force: Annotated[
        bool, typer.Option("--force", help="Delete even when no blob reference is recorded at all.")
    ] = False,
) -> None:
    """Delete every blob that no evidence references and that is older than the grace period.

    While no reference at all is recorded (likely none was ever written), nothing is deleted without --force.
    """
    from blobs import from_settings
    from blobs.gc import collect
    from store import blobrefs
    from store.db import make_engine, migrate, session

    settings = get_settings()
    configure_logging(settings)
    migrate(settings.db_url)
    with session(make_engine(settings.db_url)) as s:
        referenced = blobrefs.referenced_digests(s)
    store = from_settings(settings)
    now, grace = datetime.now(UTC), timedelta(hours=grace_hours)

    if not referenced and not dry_run and not force:
        would = asyncio.run(collect(store, referenced, now, grace, dry_run=True))
        if would.deleted:
            typer.echo(
                f"No blob references are recorded, yet {len(would.deleted)} blob(s) are past the grace period: "
                "refusing to delete them all. Check that references are being written, or pass --force.",
                err=True,
            )
            raise typer.Exit(1)

    report = asyncio.run(collect(store, referenced, now, grace, dry_run=dry_run))
    verb = "would delete" if dry_run else "deleted"
    for info in report.deleted:
        typer.echo(f"{verb} {info.digest} ({info.size} bytes, last modified {info.modified:%Y-%m-%d %H:%M} UTC)")
    typer.echo(
        f"{report.scanned} blob(s), {report.scanned_bytes} bytes: kept {report.kept_referenced} referenced and "
        f"{report.kept_young} younger than {grace_hours:g} h; {verb} {len(report.deleted)} "
        f"({report.deleted_bytes} bytes)"
    )
