"""`praxis semester set|list|show`: the office's calendar from the command line (R25).

`set` saves a semester and puts it on schedule exactly as `PUT /v1/semesters/{id}` does (its
SemesterWorkflow starts, or re-arms its timers to the new dates). `list` reads the calendar; `show` gives a
semester's dates in Taipei and UTC (deadlines and nudges are computed in UTC, R25) and what its workflow is
doing. The command module (cli.main) only parses options and prints these lines.
"""

from __future__ import annotations

import asyncio
import getpass
import re
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel
from sqlalchemy.engine import Engine
from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.client import Client, WorkflowQueryFailedError
from temporalio.service import RPCError, RPCStatusCode

from clients.semester import schedule_semester
from config.settings import Settings
from domain.actors import at_the_command_line
from domain.calendar import TAIPEI, Semester
from domain.semesters import SemesterProgress
from store import directory
from store.db import session
from workflows.semester import SemesterWorkflow, workflow_id

SEMESTER_ID = re.compile(r"^\d{4}-(spring|fall|summer)$")  # as PUT /v1/semesters/{id}
METADATA_QUERY = "__temporal_workflow_metadata"  # answered by every SDK worker: the current details


class WorkflowState(BaseModel):
    """What Temporal says about `semester-<id>`: its status, its one-line current details, and the dates the
    running workflow works to (they differ from the calendar only between a save and its signal)."""

    workflow_id: str
    status: str  # RUNNING, COMPLETED, ... or NOT_STARTED, UNREACHABLE
    details: str = ""
    dates: Semester | None = None


def check_id(semester_id: str) -> str:
    if not SEMESTER_ID.match(semester_id):
        raise ValueError(f"{semester_id!r} is not a semester id: write YEAR-spring, YEAR-fall or YEAR-summer")
    return semester_id


async def save_and_schedule(client: Client, engine: Engine, settings: Settings, semester: Semester) -> str:
    """Save the semester, then start or re-date its workflow; returns the workflow id. Saving the same dates
    again is harmless, so after a failure the same command is simply run again."""
    await asyncio.to_thread(_save, engine, semester)
    return await schedule_semester(client, settings, semester)


def _save(engine: Engine, semester: Semester) -> None:
    with session(engine) as s:
        directory.upsert_semester(s, semester, at_the_command_line(getpass.getuser()))


def calendar(engine: Engine) -> list[Semester]:
    with session(engine) as s:
        return directory.list_semesters(s)


def find(engine: Engine, semester_id: str) -> Semester | None:
    with session(engine) as s:
        return directory.get_semester(s, semester_id)


async def workflow_state(client: Client | None, semester_id: str) -> WorkflowState:
    """The semester's workflow as Temporal knows it; `client` None means Temporal could not be reached."""
    wid = workflow_id(semester_id)
    if client is None:
        return WorkflowState(workflow_id=wid, status="UNREACHABLE")
    handle = client.get_workflow_handle(wid, result_type=SemesterProgress)
    try:
        description = await handle.describe()
    except RPCError as error:
        if error.status is RPCStatusCode.NOT_FOUND:
            return WorkflowState(workflow_id=wid, status="NOT_STARTED")
        raise
    state = WorkflowState(workflow_id=wid, status=description.status.name if description.status else "UNKNOWN")
    if state.status == "RUNNING":
        try:
            metadata = await handle.query(
                METADATA_QUERY, result_type=WorkflowMetadata, rpc_timeout=timedelta(seconds=5)
            )
            state.dates = await handle.query(SemesterWorkflow.semester, rpc_timeout=timedelta(seconds=5))
            state.details = metadata.current_details
        except (WorkflowQueryFailedError, RPCError):
            state.details = "(no worker answered; is `praxis worker` running?)"
    return state


# --- what the commands print ------------------------------------------------------------------------


def phase(semester: Semester, now: datetime) -> str:
    if now < semester.starts_at:
        return "upcoming"
    if now >= semester.ends_at:
        return "ended"
    return "final exam week" if now >= semester.final_exam_week_starts_at else "current"


def list_lines(semesters: list[Semester], now: datetime) -> list[str]:
    if not semesters:
        return ["No semesters in the calendar yet: praxis semester set 2026-fall --starts-on ... (R25)."]
    lines = [f"{'id':<12} {'starts on':<11} {'final exam week':<16} {'ends on':<11} now"]
    lines += [
        f"{s.id:<12} {s.starts_on.isoformat():<11} {s.final_exam_week_starts_on.isoformat():<16} "
        f"{s.ends_on.isoformat():<11} {phase(s, now)}"
        for s in semesters
    ]
    return lines


def _utc(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _taipei(instant: datetime) -> str:
    return instant.astimezone(TAIPEI).strftime("%Y-%m-%d %H:%M Taipei")


def show_lines(semester: Semester, state: WorkflowState, now: datetime) -> list[str]:
    """The dates in both clocks (the end is the midnight after the last day) and the workflow's state."""
    rows = (
        ("starts", semester.starts_at),
        ("final exam week starts (R23 mail)", semester.final_exam_week_starts_at),
        (f"ends (after {semester.ends_on.isoformat()})", semester.ends_at),
    )
    lines = [f"Semester {semester.id} ({phase(semester, now)})"]
    lines += [f"  {label:<36} {_taipei(at)}   {_utc(at)}" for label, at in rows]
    lines.append(f"Workflow {state.workflow_id}: {state.status}")
    if state.details:
        lines += [f"  {line}" for line in state.details.replace("**", "").splitlines() if line.strip()]
    if state.dates is not None and state.dates != semester:
        lines.append("  Its dates differ from the calendar's: run `praxis semester set` again to re-arm it.")
    if state.status == "NOT_STARTED":
        lines.append("  Not on schedule yet: `praxis semester set` (or a worker start) puts it there.")
    if state.status == "UNREACHABLE":
        lines.append("  Temporal could not be reached; the dates above are the calendar's.")
    return lines
