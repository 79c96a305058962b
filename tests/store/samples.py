"""Valid domain values for store tests, with only what a test cares about spelled out at the call site."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from domain.calendar import Semester
from domain.people import Faculty, Student
from domain.project import AuditEntry, ProjectSummary
from domain.stages import Stage
from domain.vocabulary import Channel, Rank, Role

T0 = datetime(2026, 9, 7, 2, 0, tzinfo=UTC)  # Monday 10:00 in Taipei, early in 2026-fall


def faculty(faculty_id: str = "T0001", **changes: Any) -> Faculty:
    fields: dict[str, Any] = {
        "id": faculty_id,
        "name": "Lin Mei-Hua",
        "email": f"{faculty_id.lower()}@mail.ntust.edu.tw",
        "rank": Rank.ASSOCIATE_PROFESSOR,
        "department": "Industrial Management",
    }
    return Faculty.model_validate(fields | changes)


def student(student_id: str = "B11200001", **changes: Any) -> Student:
    fields: dict[str, Any] = {"id": student_id, "name": "Chen Yu-Ting", "email": f"{student_id}@mail.ntust.edu.tw"}
    return Student.model_validate(fields | changes)


def semester(semester_id: str = "2026-fall", **changes: Any) -> Semester:
    fields: dict[str, Any] = {
        "id": semester_id,
        "starts_on": date(2026, 9, 1),
        "final_exam_week_starts_on": date(2027, 1, 11),
        "ends_on": date(2027, 1, 31),
    }
    return Semester.model_validate(fields | changes)


def summary(project_id: str = "p-1", revision: int = 1, **changes: Any) -> ProjectSummary:
    fields: dict[str, Any] = {
        "id": project_id,
        "student_id": "B11200001",
        "semester_id": "2026-fall",
        "stage": Stage.PROPOSAL_REVIEW,
        "title": "Reading hour at the Da'an district library",
        "category": "public_service",
        "priority": "high",
        "group_id": None,
        "supervisor_id": None,
        "invited_faculty_id": None,
        "counted_hours": Decimal(0),
        "created_at": T0,
        "stage_since": T0,
        "updated_at": T0 + timedelta(minutes=revision),
        "revision": revision,
        "credit_granted": None,
    }
    return ProjectSummary.model_validate(fields | changes)


def audit(count: int, stage: Stage = Stage.PROPOSAL_REVIEW) -> list[AuditEntry]:
    """The first `count` entries of a trail, as the workflow would have recorded them."""
    return [
        AuditEntry(
            seq=seq,
            at=T0 + timedelta(minutes=seq),
            actor_id="B11200001",
            role=Role.STUDENT,
            channel=Channel.PORTAL,
            action=f"action-{seq}",
            detail=f"detail {seq}",
            stage=stage,
        )
        for seq in range(1, count + 1)
    ]
