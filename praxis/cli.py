"""The `praxis` command: run the dev stack or one process of it, issue tokens, migrate the database.

Imports of `workers`, `api` and `store` stay inside the commands, so `praxis token` works (and
`praxis dev` can refuse clearly) even where those packages' dependencies are not ready.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from domain.vocabulary import Role
from praxis.logging import configure_logging
from praxis.settings import get_settings

# Tracebacks without locals: they would print settings and token material to the terminal.
app = typer.Typer(
    help="Praxis: durable workflows for the Social Practice course.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


@app.command()
def dev() -> None:
    """Run Temporal, the mail keeper, the worker and the API on this machine (SPEC §5)."""
    from praxis import dev as dev_stack

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
    # log_config=None keeps the structlog setup above instead of uvicorn's own formatters.
    uvicorn.run(
        "api.main:app",
        host=host or settings.api_host,
        port=port or settings.api_port,
        workers=workers,
        log_config=None,
    )


@app.command()
def token(
    role: Annotated[Role, typer.Option(help="student, faculty, center, osa or operator.")],
    sub: Annotated[str, typer.Option(help="Student, faculty or staff id.")],
    name: Annotated[str | None, typer.Option()] = None,
    email: Annotated[str | None, typer.Option()] = None,
    ttl_hours: Annotated[float, typer.Option(help="Validity in hours.")] = 12.0,
) -> None:
    """Print a bearer token (HS256 JWT) for local use (SPEC §4)."""
    from praxis.tokens import issue_token

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


if __name__ == "__main__":
    app()
