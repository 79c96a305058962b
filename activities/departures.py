"""R22's fan-out: tell every open project of one teacher that they leave NTUST (or stay), a batch at a time.

`DepartureWorkflow` drives these activities; each batch reads the project ids from the read model (keyset
pagination, so a pass resumes after the last id it handled) and signals each project. Signalling twice is
harmless: a project ignores news it already has.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy.engine import Engine
from temporalio import activity
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from activities.directory import end_of_semester
from domain.leaving import SupervisorLeaving, SupervisorStaying
from store import departures, directory
from store.db import session
from workflows.project import ProjectWorkflow, workflow_id


class DepartureRequest(BaseModel):
    """What the directory says now about `faculty_id`, asked at `at` (workflow time)."""

    faculty_id: str
    at: datetime


class DepartureNews(BaseModel):
    """The news for the teacher's projects: leaving after `semester_id`, which ends at `deadline`, or staying."""

    faculty_id: str
    semester_id: str | None = None
    deadline: datetime | None = None

    @property
    def leaving(self) -> bool:
        return self.semester_id is not None and self.deadline is not None


class DepartureBatch(BaseModel):
    news: DepartureNews
    after: str | None = None  # the last project id already told, None for the first batch
    limit: int = 50


class BatchDone(BaseModel):
    told: int
    next_after: str | None  # None: that was the last batch


class DepartureActivities:
    def __init__(self, engine: Engine, client: Client) -> None:
        self._engine = engine
        self._client = client

    @activity.defn
    async def departure_news(self, request: DepartureRequest) -> DepartureNews:
        """The directory entry as it is now: a later change wins over the one that started the pass."""
        return await asyncio.to_thread(self._news, request)

    def _news(self, request: DepartureRequest) -> DepartureNews:
        with session(self._engine) as s:
            entry = directory.get_faculty(s, request.faculty_id)
            if entry is None or entry.leaving_after is None:
                return DepartureNews(faculty_id=request.faculty_id)
            deadline = end_of_semester(s, entry.leaving_after, request.at)
        return DepartureNews(faculty_id=request.faculty_id, semester_id=entry.leaving_after, deadline=deadline)

    @activity.defn
    async def signal_departure_batch(self, batch: DepartureBatch) -> BatchDone:
        """Signal up to `limit` open projects after `after`; a project that closed meanwhile is skipped."""
        ids = await asyncio.to_thread(self._page, batch)
        results = await asyncio.gather(*(self._tell(project_id, batch.news) for project_id in ids))
        return BatchDone(told=sum(results), next_after=ids[-1] if len(ids) == batch.limit else None)

    def _page(self, batch: DepartureBatch) -> list[str]:
        with session(self._engine) as s:
            return departures.open_projects_page(s, batch.news.faculty_id, after=batch.after, limit=batch.limit)

    async def _tell(self, project_id: str, news: DepartureNews) -> bool:
        handle = self._client.get_workflow_handle(workflow_id(project_id))
        try:
            if news.leaving:
                assert news.semester_id is not None and news.deadline is not None
                leaving = SupervisorLeaving(
                    faculty_id=news.faculty_id, semester_id=news.semester_id, deadline=news.deadline
                )
                await handle.signal(ProjectWorkflow.supervisor_leaving, leaving)
            else:
                await handle.signal(ProjectWorkflow.supervisor_staying, SupervisorStaying(faculty_id=news.faculty_id))
        except RPCError as error:
            if error.status is RPCStatusCode.NOT_FOUND:  # finished since the read model listed it
                return False
            raise
        return True
