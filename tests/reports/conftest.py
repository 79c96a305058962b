"""A small course for the renderings: two semesters, a Chinese department name, and one department with a
single student, whose figures a published report must suppress. Rendered once per session: drawing
charts starts a JavaScript engine, which costs seconds the first time."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from domain.impact import ImpactFigures, ImpactRecord, impact_figures
from domain.stages import Stage
from domain.vocabulary import Category, Indicator, PriorityTag
from reports.impact_pdf import impact_report_pdf
from tests.domain.impact_records import record

GENERATED_AT = datetime(2027, 2, 1, 17, 0, tzinfo=UTC)  # 2 February in Taipei
LONE_HOURS = Decimal("41.5")  # the one Design student's hours: suppressed, so never printed


def course() -> list[ImpactRecord]:
    return [
        record(1),
        record(2, execution_hours=Decimal(38)),
        record(3, stage=Stage.FAILED, category=Category.CLUB),
        record(4, department="電機工程系", category=Category.CLUB, tags=[PriorityTag.REMOTE_AREA_SERVICE]),
        record(5, department="電機工程系", stage=Stage.IN_PROGRESS, closure_submitted_at=None),
        record(6, department="電機工程系", indicators_reported=[Indicator.USR, Indicator.PROBLEM_SOLVING]),
        record(7, department="Design", execution_hours=LONE_HOURS),
        record(8, semester_id="2026-spring", credit_semester_id="2026-spring", category=Category.INTERNAL),
        record(9, semester_id="2026-spring", credit_semester_id="2026-fall", tags=[PriorityTag.TEACHING_ASSISTANT]),
        record(10, semester_id="2026-spring", stage=Stage.WITHDRAWN, department=None, supervised_at=None),
    ]


@pytest.fixture(scope="session")
def records() -> list[ImpactRecord]:
    return course()


@pytest.fixture(scope="session")
def figures(records: list[ImpactRecord]) -> ImpactFigures:
    return impact_figures(records)


@pytest.fixture(scope="session")
def report(figures: ImpactFigures) -> bytes:
    return impact_report_pdf(figures, generated_at=GENERATED_AT, min_students=3)
