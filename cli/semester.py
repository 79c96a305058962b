"""`praxis semester`: the semester calendar (R25) from the command line, as `PUT /v1/semesters/{id}` keeps it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from config.log import configure_logging
from config.settings import get_settings

app = typer.Typer(
    help="The semester calendar (R25): dates are Asia/Taipei days; each semester's workflow mails every "
    "supervisor their passing list at the start of final exam week (R23).",
    no_args_is_help=True,
)

SemesterIdArg = Annotated[str, typer.Argument(help="e.g. 2026-fall (YEAR-spring, YEAR-fall or YEAR-summer).")]
DAY = ["%Y-%m-%d"]


@app.command("set")
def semester_set(
    semester_id: SemesterIdArg,
    starts_on: Annotated[datetime, typer.Option("--starts-on", formats=DAY, help="First day.")],
    final_exam_week: Annotated[
        datetime, typer.Option("--final-exam-week", formats=DAY, help="First day of final exam week.")
    ],
    ends_on: Annotated[datetime, typer.Option("--ends-on", formats=DAY, help="Last day.")],
) -> None:
    """Create or change a semester and put it on schedule (as PUT /v1/semesters/{id}); changed dates re-arm
    its workflow's timers. Temporal must be reachable: otherwise nothing is written (exit 1)."""
    import asyncio

    from pydantic import ValidationError

    from cli import semester_admin
    from clients.connect import connect
    from domain.calendar import Semester
    from store.db import make_engine, migrate

    settings = get_settings()
    configure_logging(settings)
    try:
        semester = Semester(
            id=semester_admin.check_id(semester_id),
            starts_on=starts_on.date(),
            final_exam_week_starts_on=final_exam_week.date(),
            ends_on=ends_on.date(),
        )
    except ValidationError as exc:
        reasons = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
        raise typer.BadParameter(reasons) from exc
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    migrate(settings.db_url)
    engine = make_engine(settings.db_url)

    async def save() -> str:
        try:
            client = await connect(settings)
        except Exception as exc:
            typer.echo(f"Temporal at {settings.temporal_address} could not be reached ({exc}); nothing was saved.")
            raise typer.Exit(1) from exc
        return await semester_admin.save_and_schedule(client, engine, settings, semester)

    workflow_id = asyncio.run(save())
    typer.echo(
        f"{semester.id}: starts {semester.starts_on}, final exam week {semester.final_exam_week_starts_on}, "
        f"ends {semester.ends_on} (Asia/Taipei); {workflow_id} is on schedule"
    )


@app.command("list")
def semester_list() -> None:
    """Every semester of the calendar, in order, and which one is under way."""
    from datetime import UTC

    from cli import semester_admin
    from store.db import make_engine, migrate

    settings = get_settings()
    configure_logging(settings)
    migrate(settings.db_url)
    for line in semester_admin.list_lines(semester_admin.calendar(make_engine(settings.db_url)), datetime.now(UTC)):
        typer.echo(line)


@app.command("show")
def semester_show(semester_id: SemesterIdArg) -> None:
    """A semester's dates in Taipei and UTC, and its workflow: status and what it waits for."""
    import asyncio
    from datetime import UTC

    from cli import semester_admin
    from clients.connect import connect
    from store.db import make_engine, migrate

    settings = get_settings()
    configure_logging(settings)
    migrate(settings.db_url)
    semester = semester_admin.find(make_engine(settings.db_url), semester_id)
    if semester is None:
        typer.echo(
            f"No semester {semester_id} in the calendar; `praxis semester list` shows those there are.", err=True
        )
        raise typer.Exit(1)

    async def state() -> semester_admin.WorkflowState:
        try:
            client = await asyncio.wait_for(connect(settings), timeout=10)
        except Exception:
            client = None
        return await semester_admin.workflow_state(client, semester_id)

    for line in semester_admin.show_lines(semester, asyncio.run(state()), datetime.now(UTC)):
        typer.echo(line)
