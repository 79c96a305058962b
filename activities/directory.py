"""Directory look-ups a project needs: when the semester a teacher leaves after ends (R13, R22)."""

from __future__ import annotations

import asyncio
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlmodel import Session
from temporalio import activity

from domain.calendar import unentered_end
from store import directory
from store.db import session


class SemesterEndRequest(BaseModel):
    """R22: when does `semester_id` end, asked at `at` (workflow time)."""

    semester_id: str
    at: datetime


def end_of_semester(s: Session, semester_id: str, at: datetime) -> datetime:
    """The office's end of the semester (R25); before the office enters it, the term's conventional end, and
    for an id that names no term, the end of the current term."""
    semester = directory.get_semester(s, semester_id)
    if semester is not None:
        return semester.ends_at
    return unentered_end(semester_id, at)


class DirectoryActivities:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @activity.defn
    async def semester_end(self, request: SemesterEndRequest) -> datetime:
        """R13/R22: the deadline a leaving teacher's projects work to."""
        return await asyncio.to_thread(self._semester_end, request)

    def _semester_end(self, request: SemesterEndRequest) -> datetime:
        with session(self._engine) as s:
            return end_of_semester(s, request.semester_id, request.at)
