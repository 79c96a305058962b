"""What R22's fan-out reads: the directory's word on one teacher, and their open projects a page at a time.

`DepartureWorkflow` drives these and signals the projects itself (workflow-side signals), so no activity here
needs a Temporal client. Pages are keyset-paginated by project id, so a pass resumes after the last id told.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy.engine import Engine
from temporalio import activity

from activities.directory import end_of_semester
from store import departures, directory
from store.db import session


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


class ProjectsPage(BaseModel):
    faculty_id: str
    after: str | None = None  # the last project id already told, None for the first page
    limit: int = 50


class LeavingRequest(BaseModel):
    semester_id: str


class DepartureActivities:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

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
    async def open_projects(self, page: ProjectsPage) -> list[str]:
        """Up to `limit` open projects of the teacher (supervised or invited), after `after` in id order."""
        return await asyncio.to_thread(self._page, page)

    def _page(self, page: ProjectsPage) -> list[str]:
        with session(self._engine) as s:
            return departures.open_projects_page(s, page.faculty_id, after=page.after, limit=page.limit)

    @activity.defn
    async def faculty_leaving_after(self, request: LeavingRequest) -> list[str]:
        """R22/R25: the teachers whose last semester is this one (its end moved: their deadlines follow)."""
        return await asyncio.to_thread(self._leaving, request.semester_id)

    def _leaving(self, semester_id: str) -> list[str]:
        with session(self._engine) as s:
            return departures.faculty_leaving_after(s, semester_id)
