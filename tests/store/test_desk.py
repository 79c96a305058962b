"""The desk's reads of the read model (`store.desk`, SPEC §7) on SQLite and PostgreSQL: every filter (semester
of submission and of credit, department, supervisor, category, priority), the desk's columns round-tripping
exactly (lists, dates, flags), and the directory's leaving teachers."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import Engine

from domain.desk import DeskFilter
from domain.stages import Stage
from domain.vocabulary import Category, Priority
from store import desk, directory
from store import projects as read_model
from store.db import session
from tests.store.samples import T0, faculty, summary

PASSED = summary(
    "p-passed",
    stage=Stage.PASSED,
    category="external",
    priority="low",
    supervisor_id="T0001",
    department="Design",
    credit_granted=True,
    credit_semester_id="2027-spring",
    tags=["teaching_assistant", "volunteer"],
    indicators_planned=["usr", "civic_consciousness"],
    indicators_reported=["usr"],
    exempt=True,
    approved_at=T0 + timedelta(days=1),
    supervised_at=T0 + timedelta(days=2),
    closure_submitted_at=T0 + timedelta(days=50),
    decided_at=T0 + timedelta(days=60),
    last_hours_at=T0 + timedelta(days=40),
    counted_hours=Decimal("36.5"),
)
PENDING = summary(
    "p-pending",
    stage=Stage.EVALUATION_PENDING,
    supervisor_id="T0002",
    department="Civil Engineering",
    evaluation_started_at=T0 + timedelta(days=30),
    deadline=T0 + timedelta(days=90),
    needs_reassignment=True,
)
SPRING = summary("p-spring", semester_id="2027-spring", category="club", priority="normal")


def _seed(db: Engine) -> None:
    with session(db) as s:
        for row in (PASSED, PENDING, SPRING):
            read_model.save_project(s, row, [])


def _ids(db: Engine, found: DeskFilter) -> list[str]:
    with session(db) as s:
        return [row.id for row in desk.desk_rows(s, found)]


def test_desk_columns_round_trip(db: Engine) -> None:
    """What a row carries for the desk comes back exactly as written."""
    _seed(db)
    with session(db) as s:
        rows = {row.id: row for row in desk.desk_rows(s, DeskFilter())}
    assert rows["p-passed"] == PASSED
    assert rows["p-pending"] == PENDING


def test_every_filter_narrows(db: Engine) -> None:
    """Each filter alone, and two together; no filter lists everything, oldest first."""
    _seed(db)
    assert sorted(_ids(db, DeskFilter())) == ["p-passed", "p-pending", "p-spring"]
    assert sorted(_ids(db, DeskFilter(semester="2026-fall"))) == ["p-passed", "p-pending"]
    assert _ids(db, DeskFilter(credit_semester="2027-spring")) == ["p-passed"]
    assert _ids(db, DeskFilter(department="Civil Engineering")) == ["p-pending"]
    assert _ids(db, DeskFilter(supervisor="T0001")) == ["p-passed"]
    assert _ids(db, DeskFilter(category=Category.CLUB)) == ["p-spring"]
    assert _ids(db, DeskFilter(priority=Priority.LOW)) == ["p-passed"]
    assert _ids(db, DeskFilter(semester="2026-fall", priority=Priority.NORMAL)) == []


def test_filter_choices(db: Engine) -> None:
    """The departments and semesters the filter offers are those the projects have."""
    _seed(db)
    with session(db) as s:
        assert desk.departments(s) == ["Civil Engineering", "Design"]
        assert desk.semesters(s) == ["2026-fall", "2027-spring"]


def test_leaving_faculty(db: Engine) -> None:
    """R13/R22: only teachers with a `leaving_after` semester, mapped to it."""
    with session(db) as s:
        directory.upsert_faculty(s, faculty("T0001", leaving_after="2026-fall"))
        directory.upsert_faculty(s, faculty("T0002"))
    with session(db) as s:
        assert desk.leaving_faculty(s) == {"T0001": "2026-fall"}
