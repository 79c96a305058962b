"""R25 for the API and the CLI: after the office enters or edits a semester, put it on the calendar.

    store.directory.upsert_semester(s, semester)
    ...commit...
    await schedule_semester(client, settings, semester)

Starts the semester's `SemesterWorkflow`, or tells the running one its new dates (`dates_changed`, which
re-arms its timers); either way the call returns at once. Calling it again with the same dates is harmless.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from temporalio.client import Client
from temporalio.common import SearchAttributePair, TypedSearchAttributes, WorkflowIDConflictPolicy

from config.settings import Settings
from domain.calendar import Semester
from store import directory
from store.db import session
from workflows.attributes import SEMESTER
from workflows.semester import SemesterStart, SemesterWorkflow, workflow_id


async def schedule_semester(client: Client, settings: Settings, semester: Semester) -> str:
    """Signal-with-start `semester-<id>`; returns the workflow id (for the Temporal UI)."""
    handle = await client.start_workflow(
        SemesterWorkflow.run,
        SemesterStart(semester=semester),
        id=workflow_id(semester.id),
        task_queue=settings.task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        start_signal="dates_changed",
        start_signal_args=[semester],
        search_attributes=TypedSearchAttributes([SearchAttributePair(SEMESTER, semester.id)]),
        static_summary=f"Semester {semester.id}: final exam week mails (R23), leaving deadlines (R22)",
    )
    return handle.id


async def schedule_open_semesters(client: Client, settings: Settings, engine: Engine) -> list[str]:
    """At worker start: every semester of the calendar that has not ended is on schedule, including one
    entered while no worker ran. Returns the semester ids."""
    now = datetime.now(UTC)
    semesters = await asyncio.to_thread(_calendar, engine)
    open_ones = [semester for semester in semesters if semester.ends_at > now]
    for semester in open_ones:
        await schedule_semester(client, settings, semester)
    return [semester.id for semester in open_ones]


def _calendar(engine: Engine) -> list[Semester]:
    with session(engine) as s:
        return directory.list_semesters(s)
