"""`praxis desk backfill`: fill the read model's desk and impact columns (migration 0007) for every project.

A row is rewritten from the project's current view: the archive's for a finished project (SPEC §6), else
its running workflow's (a query, so it needs a worker). The rewrite keeps the row's revision and never
replaces a newer one, so it is safe while the system runs and safe to repeat. A project whose workflow is
gone and that has no archive keeps its row as it is and is counted as missing; one whose workflow did not
answer in time (no worker polling, a worker busy) is listed as unreachable, for another run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from pydantic import BaseModel
from sqlalchemy.engine import Engine

from clients.gateway import Unavailable
from clients.project import ProjectClient
from domain.errors import Code, RuleViolation
from domain.project import ProjectView
from domain.view import summary_of_view
from store import archive
from store import projects as read_model
from store.db import session

CONCURRENCY = 8  # queries in flight: enough to overlap round trips, few enough not to crowd the workers


class BackfillReport(BaseModel):
    refreshed: int = 0
    skipped: int = 0  # a newer revision was written meanwhile
    missing: list[str] = []  # neither a workflow nor an archive knows it
    unreachable: list[str] = []  # its workflow did not answer in time: run again


def _ids(engine: Engine) -> list[str]:
    with session(engine) as s:
        return read_model.project_ids(s)


def _archived(engine: Engine, project_id: str) -> ProjectView | None:
    with session(engine) as s:
        return archive.archived_project(s, project_id)


def _refresh(engine: Engine, view: ProjectView) -> bool:
    with session(engine) as s:
        return read_model.refresh_project(s, summary_of_view(view))


async def _view(projects: ProjectClient, engine: Engine, project_id: str) -> ProjectView | None:
    archived = await asyncio.to_thread(_archived, engine, project_id)
    if archived is not None:
        return archived
    try:
        return await projects.view(project_id)
    except RuleViolation as error:
        if error.code is Code.NOT_FOUND:
            return None
        raise


async def backfill(projects: ProjectClient, engine: Engine, only: Sequence[str] | None = None) -> BackfillReport:
    """Every project of the read model, or `only` these."""
    report = BackfillReport()
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(project_id: str) -> None:
        async with gate:
            try:
                view = await _view(projects, engine, project_id)
            except Unavailable:
                report.unreachable.append(project_id)
                return
            if view is None:
                report.missing.append(project_id)
            elif await asyncio.to_thread(_refresh, engine, view):
                report.refreshed += 1
            else:
                report.skipped += 1

    ids = list(only) if only is not None else await asyncio.to_thread(_ids, engine)
    await asyncio.gather(*(one(project_id) for project_id in ids))
    report.missing.sort()
    report.unreachable.sort()
    return report
