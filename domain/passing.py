"""R21/R23: a supervisor's passing list for one semester, and the evaluations still waiting for them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from domain.calendar import Semester
from domain.people import Faculty


class PassingStudent(BaseModel):
    """R21: a student whose project this supervisor passed, with the credit recorded in the semester."""

    student_id: str
    name: str
    project_id: str
    title: str
    passed_at: datetime


class PendingEvaluation(BaseModel):
    """R23: a closure report waiting for this supervisor's evaluation."""

    project_id: str
    student_id: str
    name: str
    title: str
    submitted_at: datetime


class PassingList(BaseModel):
    """What the final-exam-week mail carries and the passing-list endpoints serve (R23)."""

    semester: Semester
    faculty: Faculty
    students: list[PassingStudent]
    pending: list[PendingEvaluation]
