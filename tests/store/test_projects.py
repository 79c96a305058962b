"""The project read model (newest revision wins) and the audit trail (R24)."""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import Engine

from domain.stages import Stage
from store import projects
from store.db import session
from tests.store import samples
from tests.store.samples import T0


def test_save_and_get_round_trip(db: Engine) -> None:
    """Every field of the summary comes back as written."""
    written = samples.summary(
        stage=Stage.IN_PROGRESS,
        group_id="g-1",
        supervisor_id="T0001",
        invited_faculty_id=None,
        counted_hours=Decimal("12.5"),
        credit_granted=False,
    )
    with session(db) as s:
        assert projects.save_project(s, written, samples.audit(3)) is True
    with session(db) as s:
        assert projects.get_project(s, "p-1") == written
        assert projects.get_project(s, "p-404") is None


def test_newer_revision_replaces_the_row(db: Engine) -> None:
    """A later state of the project replaces the earlier one."""
    with session(db) as s:
        projects.save_project(s, samples.summary(revision=1), [])
    with session(db) as s:
        assert projects.save_project(s, samples.summary(revision=2, stage=Stage.NEEDS_SUPERVISOR), []) is True
        stored = projects.get_project(s, "p-1")
    assert stored is not None
    assert (stored.revision, stored.stage) == (2, Stage.NEEDS_SUPERVISOR)


def test_older_revision_after_newer_does_nothing(db: Engine) -> None:
    """Retried activities finish out of order: an older revision never overwrites a newer one."""
    newer = samples.summary(revision=5, stage=Stage.IN_PROGRESS)
    with session(db) as s:
        projects.save_project(s, newer, [])
    with session(db) as s:
        assert projects.save_project(s, samples.summary(revision=4, stage=Stage.NEEDS_SUPERVISOR), []) is False
        assert projects.get_project(s, "p-1") == newer


def test_same_revision_again_is_not_a_change(db: Engine) -> None:
    """A retry of the very same write is accepted and reports no change."""
    with session(db) as s:
        projects.save_project(s, samples.summary(revision=3), [])
    with session(db) as s:
        assert projects.save_project(s, samples.summary(revision=3, title="Something else"), []) is False
        stored = projects.get_project(s, "p-1")
    assert stored is not None
    assert stored.title == samples.summary().title


def test_concurrent_saves_keep_the_newest_revision(db: Engine) -> None:
    """Writers racing in any order (including on the very first insert) leave the highest revision stored."""
    revisions = list(range(1, 13))
    random.Random(7).shuffle(revisions)
    start = threading.Barrier(len(revisions))

    def save(revision: int) -> None:
        with session(db) as s:
            start.wait(timeout=30)
            projects.save_project(s, samples.summary(revision=revision), samples.audit(revision))

    with ThreadPoolExecutor(len(revisions)) as pool:
        list(pool.map(save, revisions))
    with session(db) as s:
        stored = projects.get_project(s, "p-1")
        trail = projects.audit_for(s, "p-1")
    assert stored == samples.summary(revision=12)
    assert trail == samples.audit(12)


def test_audit_entries_are_stored_once(db: Engine) -> None:
    """R24: each save carries the whole trail; entries already stored are not duplicated."""
    with session(db) as s:
        projects.save_project(s, samples.summary(revision=2), samples.audit(2))
    with session(db) as s:
        projects.save_project(s, samples.summary(revision=2), samples.audit(2))
        projects.save_project(s, samples.summary(revision=4), samples.audit(4))
        projects.save_project(s, samples.summary(revision=3), samples.audit(3))
    with session(db) as s:
        assert projects.audit_for(s, "p-1") == samples.audit(4)
        assert projects.audit_for(s, "p-404") == []


def test_audit_entries_keep_their_fields(db: Engine) -> None:
    """R24: who, when, what, via which channel, and the stage it left the project in."""
    trail = samples.audit(2, stage=Stage.EVALUATION_PENDING)
    with session(db) as s:
        projects.save_project(s, samples.summary(), trail)
    with session(db) as s:
        assert projects.audit_for(s, "p-1") == trail


def _seed(db: Engine) -> None:
    rows = [
        samples.summary("p-1", student_id="B1", supervisor_id="T1", stage=Stage.IN_PROGRESS),
        samples.summary("p-2", student_id="B2", supervisor_id="T1", stage=Stage.PASSED, semester_id="2027-spring"),
        samples.summary("p-3", student_id="B1", stage=Stage.PROPOSAL_REVIEW, updated_at=T0 + timedelta(days=2)),
        samples.summary("p-4", student_id="B3", invited_faculty_id="T1", stage=Stage.SUPERVISOR_INVITED),
        samples.summary("p-5", student_id="B4", supervisor_id="T2", stage=Stage.EVALUATION_PENDING),
    ]
    with session(db) as s:
        for row in rows:
            projects.save_project(s, row, [])


def test_list_projects_filters(db: Engine) -> None:
    """GET /v1/projects: students see their own, faculty what they supervise, filtered by stage and semester."""
    _seed(db)
    with session(db) as s:
        own, own_total = projects.list_projects(s, student_id="B1")
        assert ([p.id for p in own], own_total) == (["p-3", "p-1"], 2)
        supervised, _ = projects.list_projects(s, supervisor_id="T1")
        assert {p.id for p in supervised} == {"p-1", "p-2"}
        passed, _ = projects.list_projects(s, stage=Stage.PASSED)
        assert [p.id for p in passed] == ["p-2"]
        spring, _ = projects.list_projects(s, semester_id="2027-spring")
        assert [p.id for p in spring] == ["p-2"]
        both, total = projects.list_projects(s, student_id="B1", stage=Stage.IN_PROGRESS)
        assert ([p.id for p in both], total) == (["p-1"], 1)


def test_list_projects_pages_newest_first(db: Engine) -> None:
    """Most recently changed first, ties by id; the total counts every match, not just the page."""
    _seed(db)
    with session(db) as s:
        first, total = projects.list_projects(s, limit=2)
        rest, _ = projects.list_projects(s, limit=2, offset=2)
        beyond, beyond_total = projects.list_projects(s, limit=2, offset=10)
    assert total == 5
    assert [p.id for p in first] == ["p-3", "p-1"]
    assert [p.id for p in rest] == ["p-2", "p-4"]
    assert (beyond, beyond_total) == ([], 5)


def test_open_projects_supervised_by(db: Engine) -> None:
    """R22: a leaving teacher's unfinished projects, supervised or with a pending invitation; final ones excluded."""
    _seed(db)
    with session(db) as s:
        assert projects.open_projects_supervised_by(s, "T1") == ["p-1", "p-4"]
        assert projects.open_projects_supervised_by(s, "T2") == ["p-5"]
        assert projects.open_projects_supervised_by(s, "T9") == []


def test_projects_in_stage_since(db: Engine) -> None:
    """R8: the daily digest lists proposals waiting for review since before the cut-off, longest first."""
    waiting = [
        samples.summary("p-old", stage_since=T0 - timedelta(days=5)),
        samples.summary("p-edge", stage_since=T0 - timedelta(days=3)),
        samples.summary("p-new", stage_since=T0 - timedelta(days=1)),
        samples.summary("p-other", stage=Stage.IN_PROGRESS, stage_since=T0 - timedelta(days=9)),
    ]
    with session(db) as s:
        for row in waiting:
            projects.save_project(s, row, [])
    with session(db) as s:
        due = projects.projects_in_stage_since(s, Stage.PROPOSAL_REVIEW, T0 - timedelta(days=3))
    assert [p.id for p in due] == ["p-old", "p-edge"]
    assert due[0] == waiting[0]


def test_reads_in_the_same_session_see_the_newer_revision(db: Engine) -> None:
    """The upsert bypasses the identity map; reads after it in the same session are not stale."""
    with session(db) as s:
        projects.save_project(s, samples.summary(revision=1), [])
        assert projects.get_project(s, "p-1") == samples.summary(revision=1)
        projects.save_project(s, samples.summary(revision=2, stage=Stage.REJECTED), [])
        assert projects.get_project(s, "p-1") == samples.summary(revision=2, stage=Stage.REJECTED)
        listed, _ = projects.list_projects(s)
        assert listed == [samples.summary(revision=2, stage=Stage.REJECTED)]


def test_several_projects_in_one_statement_keep_the_revision_guard(db: Engine) -> None:
    """`save_projects` (the API's group commit) writes new rows, replaces older ones, leaves newer ones, and
    adds each project's audit entries once."""
    with session(db) as s:
        projects.save_project(s, samples.summary("p-old", revision=1), samples.audit(1))
        projects.save_project(s, samples.summary("p-new", revision=5, title="Kept"), samples.audit(2))
    with session(db) as s:
        projects.save_projects(
            s,
            [
                (samples.summary("p-old", revision=2, stage=Stage.NEEDS_SUPERVISOR), samples.audit(2)),
                (samples.summary("p-new", revision=4, title="Stale"), samples.audit(2)),
                (samples.summary("p-first", revision=1), samples.audit(1)),
            ],
        )
    with session(db) as s:
        old, new, first = (projects.get_project(s, pid) for pid in ("p-old", "p-new", "p-first"))
        assert old is not None and (old.revision, old.stage) == (2, Stage.NEEDS_SUPERVISOR)
        assert new is not None and (new.revision, new.title) == (5, "Kept")
        assert first is not None
        assert [len(projects.audit_for(s, pid)) for pid in ("p-old", "p-new", "p-first")] == [2, 2, 1]
