"""R13/R22 for the API and the CSV import: after a faculty entry's `leaving_after` changed, tell its projects.

    changed = store.directory.upsert_faculty(s, faculty)   # True when leaving_after changed
    ...commit...
    if changed:
        await announce_departure(client, engine, settings, faculty.id)

The telling is durable (`workflows.departure.DepartureWorkflow`): this returns once it is under way.
`save_faculty_and_announce` does both for `PUT /v1/faculty/{id}`.
"""

from __future__ import annotations

import asyncio

from pydantic import BaseModel
from sqlalchemy.engine import Engine
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy

from clients.gateway import Unavailable
from config.settings import Settings
from domain.actors import Actor
from domain.people import Faculty
from store import directory, projects
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


class DepartureAnnounced(BaseModel):
    """R22 under way: the teacher's fan-out workflow and how many open projects it tells."""

    workflow_id: str
    open_projects: int


class FacultySave(BaseModel):
    """What saving a directory entry did: whether it created the entry, and the departure it announced."""

    created: bool
    departure: DepartureAnnounced | None = None


async def save_faculty_and_announce(
    client: Client, engine: Engine, settings: Settings, faculty: Faculty, by: Actor | None = None
) -> FacultySave:
    """Create or replace a directory entry; when its `leaving_after` changed, announce it (R13, R22).

    `departure` is None when nothing needed telling. Should the announcement fail to start (Temporal unreachable), the
    entry is put back as it was and `Unavailable` is raised: a retry then sees the change again and
    announces it, where keeping the new entry would leave the projects untold for good. An email another
    teacher already holds raises `sqlalchemy.exc.IntegrityError` and changes nothing.
    """
    before, changed = await asyncio.to_thread(_save, engine, faculty, by)
    if not changed:
        return FacultySave(created=before is None)
    try:
        count = await announce_departure(client, engine, settings, faculty.id)
    except Exception as error:
        # A new entry goes back to naming no departure, so the retry is still a change.
        restored = before or faculty.model_copy(update={"leaving_after": None})
        await asyncio.to_thread(_save, engine, restored, by)
        raise Unavailable(
            f"Temporal could not be reached to tell {faculty.id}'s projects (R22); the entry was left as it was."
        ) from error
    return FacultySave(
        created=before is None, departure=DepartureAnnounced(workflow_id=workflow_id(faculty.id), open_projects=count)
    )


def _save(engine: Engine, faculty: Faculty, by: Actor | None) -> tuple[Faculty | None, bool]:
    with session(engine) as s:
        before = directory.get_faculty(s, faculty.id)
        return before, directory.upsert_faculty(s, faculty, by)
