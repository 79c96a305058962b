"""Directory look-ups a project needs: the student's standing when it starts (R2, R3)."""

from __future__ import annotations

import asyncio

from sqlalchemy.engine import Engine
from temporalio import activity

from activities.contracts import StandingRequest
from domain.people import StudentStanding
from store import credits, directory
from store.db import session


class DirectoryActivities:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @activity.defn
    async def student_standing(self, request: StandingRequest) -> StudentStanding:
        """R3: exempt with internship credit; R2: already holds TC1010 through another project."""
        return await asyncio.to_thread(self._standing, request)

    def _standing(self, request: StandingRequest) -> StudentStanding:
        with session(self._engine) as s:
            student = directory.get_student(s, request.student_id)
            credit = credits.credit_of(s, request.student_id)
        return StudentStanding(
            student_id=request.student_id,
            exempt=bool(student and student.has_internship_credit),
            holds_credit=bool(credit and credit.granted and credit.existing_project_id != request.project_id),
        )
