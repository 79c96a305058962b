"""The credit ledger (R2, R21): TC1010 is granted once per student, ever."""

from __future__ import annotations

import asyncio

from sqlalchemy.engine import Engine
from temporalio import activity

from activities.contracts import CreditRequest
from domain.calendar import semester_for
from domain.project import Credit
from store import credits, directory
from store.db import session


class LedgerActivities:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @activity.defn
    async def record_credit(self, request: CreditRequest) -> Credit:
        """Idempotent: a retry for the same project gets the same answer; another project of the student gets none."""
        return await asyncio.to_thread(self._record, request)

    def _record(self, request: CreditRequest) -> Credit:
        with session(self._engine) as s:
            semester_id = semester_for(request.passed_at, directory.list_semesters(s))
            outcome = credits.record_credit(
                s,
                student_id=request.student_id,
                project_id=request.project_id,
                semester_id=semester_id,
                at=request.passed_at,
            )
        reason = None
        if not outcome.granted:
            reason = (
                f"the student already holds the {request.course_code} credit (project {outcome.existing_project_id}, "
                f"{outcome.semester_id}); it is granted once per student (R2)"
            )
        return Credit(
            granted=outcome.granted,
            semester_id=outcome.semester_id if outcome.granted else semester_id,
            reason=reason,
            at=request.passed_at,
        )
