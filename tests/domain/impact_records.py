"""Builders for impact-review tests: one valid `ImpactRecord` by default, and a hypothesis strategy of many."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st

from domain.impact import ImpactRecord
from domain.proposal import priority_of
from domain.stages import Stage
from domain.vocabulary import Category, Indicator, PriorityTag

T0 = datetime(2026, 9, 7, 2, 0, tzinfo=UTC)  # early in 2026-fall


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def record(n: int = 1, **overrides: Any) -> ImpactRecord:
    """A project submitted in 2026-fall that passed with its credit: every date set, 36 hours. Another stage
    drops the credit, and an open one its decision date."""
    fields: dict[str, Any] = {
        "project_id": f"p-{n}",
        "student_id": f"B1120{n:04d}",
        "semester_id": "2026-fall",
        "credit_semester_id": "2026-fall",
        "stage": Stage.PASSED,
        "category": Category.EXTERNAL,
        "tags": [PriorityTag.VOLUNTEER],
        "department": "Civil Engineering",
        "indicators_planned": [Indicator.USR],
        "indicators_reported": [Indicator.USR],
        "execution_hours": Decimal(36),
        "credit_granted": True,
        "submitted_at": day(0),
        "approved_at": day(2),
        "supervised_at": day(10),
        "closure_submitted_at": day(60),
        "decided_at": day(67),
    }
    if overrides.get("stage", Stage.PASSED) is not Stage.PASSED:
        fields.update(credit_semester_id=None, credit_granted=None)
        if not overrides["stage"].is_final:
            fields.update(decided_at=None)
    fields.update(overrides)
    fields.setdefault("priority", priority_of(fields["tags"]))
    return ImpactRecord(**fields)


SEMESTERS = ["2025-fall", "2026-spring", "2026-fall"]
DEPARTMENTS = [None, "Civil Engineering", "Design", "電機工程系"]
_maybe_day = st.one_of(st.none(), st.integers(0, 400).map(day))


@st.composite
def records(draw: st.DrawFn) -> ImpactRecord:
    """Any record the review may be fed, including dates out of order and open projects."""
    stage = draw(st.sampled_from(list(Stage)))
    tags = draw(st.lists(st.sampled_from(list(PriorityTag)), max_size=3, unique=True))
    granted = draw(st.sampled_from([None, True, False])) if stage is Stage.PASSED else None
    return ImpactRecord(
        project_id=f"p-{draw(st.integers(0, 10**6))}",
        student_id=f"B{draw(st.integers(0, 30)):08d}",  # few students, so many have several projects
        semester_id=draw(st.sampled_from(SEMESTERS)),
        credit_semester_id=draw(st.sampled_from(SEMESTERS)) if granted is not None else None,
        stage=stage,
        category=draw(st.sampled_from(list(Category))),
        tags=tags,
        priority=priority_of(tags),
        department=draw(st.sampled_from(DEPARTMENTS)),
        indicators_planned=draw(st.lists(st.sampled_from(list(Indicator)), max_size=5, unique=True)),
        indicators_reported=draw(st.lists(st.sampled_from(list(Indicator)), max_size=5, unique=True)),
        execution_hours=Decimal(draw(st.integers(0, 200))) / 2,
        credit_granted=granted,
        exempt=draw(st.booleans()),
        submitted_at=draw(_maybe_day),
        approved_at=draw(_maybe_day),
        supervised_at=draw(_maybe_day),
        closure_submitted_at=draw(_maybe_day),
        decided_at=draw(_maybe_day),
    )


record_lists = st.lists(records(), max_size=15)
# Drawing the records is what costs (hundreds of draws a course); 30 small courses exercise every rule.
IMPACT_PROPERTY = settings(deadline=None, derandomize=True, database=None, max_examples=30)
