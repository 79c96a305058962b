"""R13/R22 for the API and the CSV import: after a faculty entry's `leaving_after` changed, tell its projects.

    changed = store.directory.upsert_faculty(s, faculty)   # True when leaving_after changed
    ...commit...
    if changed:
        await announce_departure(client, engine, settings, faculty.id)

The telling is durable (`workflows.departure.DepartureWorkflow`): this returns once it is under way.
"""

from __future__ import annotations

import asyncio

from sqlalchemy.engine import Engine
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy

from praxis.settings import Settings
from store import projects
from store.db import session
from workflows.departure import DepartureStart, DepartureWorkflow, workflow_id


async def announce_departure(client: Client, engine: Engine, settings: Settings, faculty_id: str) -> int:
    """Start (or nudge) the teacher's DepartureWorkflow; returns how many open projects it will tell.

    Safe to call again: a running fan-out makes one more pass with the directory's latest word.
    """
    await client.start_workflow(
        DepartureWorkflow.run,
        DepartureStart(faculty_id=faculty_id),
        id=workflow_id(faculty_id),
        task_queue=settings.task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        start_signal="directory_changed",
        static_summary="Leaving supervisor: telling their open projects (R22)",
    )
    return await asyncio.to_thread(_open_projects, engine, faculty_id)


def _open_projects(engine: Engine, faculty_id: str) -> int:
    with session(engine) as s:
        return len(projects.open_projects_supervised_by(s, faculty_id))
