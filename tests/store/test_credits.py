"""R2/R21: the credit ledger grants TC1010 once per student, ever."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import Engine

from store import credits
from store.credits import CreditOutcome
from store.db import session
from tests.store.samples import T0


def test_first_pass_is_granted(db: Engine) -> None:
    """R21: a pass records the credit in the semester of the pass."""
    with session(db) as s:
        outcome = credits.record_credit(s, student_id="B1", project_id="p-1", semester_id="2026-fall", at=T0)
    assert outcome == CreditOutcome(granted=True, semester_id="2026-fall", existing_project_id=None)


def test_recording_the_same_project_again_is_idempotent(db: Engine) -> None:
    """R2: an activity retry for the project that holds the credit is granted again, in the first semester."""
    with session(db) as s:
        credits.record_credit(s, student_id="B1", project_id="p-1", semester_id="2026-fall", at=T0)
    with session(db) as s:
        again = credits.record_credit(
            s, student_id="B1", project_id="p-1", semester_id="2027-spring", at=T0 + timedelta(days=90)
        )
    assert again == CreditOutcome(granted=True, semester_id="2026-fall")


def test_second_project_of_a_student_is_refused(db: Engine) -> None:
    """R2: another project of a student who holds the credit passes without it, and learns which project holds it."""
    with session(db) as s:
        credits.record_credit(s, student_id="B1", project_id="p-1", semester_id="2026-fall", at=T0)
    with session(db) as s:
        refused = credits.record_credit(
            s, student_id="B1", project_id="p-2", semester_id="2027-spring", at=T0 + timedelta(days=90)
        )
    assert refused == CreditOutcome(granted=False, semester_id="2026-fall", existing_project_id="p-1")


def test_students_hold_credits_independently(db: Engine) -> None:
    """R2 is per student: one student's credit does not block another's."""
    with session(db) as s:
        credits.record_credit(s, student_id="B1", project_id="p-1", semester_id="2026-fall", at=T0)
        other = credits.record_credit(s, student_id="B2", project_id="p-2", semester_id="2026-fall", at=T0)
    assert other.granted is True


def test_credit_of(db: Engine) -> None:
    """R2: a new project can tell whether its student already holds the credit, and from which project."""
    with session(db) as s:
        assert credits.credit_of(s, "B1") is None
        credits.record_credit(s, student_id="B1", project_id="p-1", semester_id="2026-fall", at=T0)
    with session(db) as s:
        assert credits.credit_of(s, "B1") == CreditOutcome(
            granted=True, semester_id="2026-fall", existing_project_id="p-1"
        )


def test_concurrent_passes_grant_exactly_one(db: Engine) -> None:
    """R2 under a race: several projects of one student passing at the same moment; exactly one wins."""
    contenders = 8
    start = threading.Barrier(contenders)

    def record(n: int) -> CreditOutcome:
        with session(db) as s:
            start.wait(timeout=30)
            return credits.record_credit(
                s, student_id="B1", project_id=f"p-{n}", semester_id="2026-fall", at=T0 + timedelta(seconds=n)
            )

    with ThreadPoolExecutor(contenders) as pool:
        outcomes = list(pool.map(record, range(contenders)))
    winners = [n for n, outcome in enumerate(outcomes) if outcome.granted]
    assert len(winners) == 1
    assert {o.existing_project_id for o in outcomes if not o.granted} == {f"p-{winners[0]}"}
    with session(db) as s:
        assert credits.credit_of(s, "B1") == CreditOutcome(
            granted=True, semester_id="2026-fall", existing_project_id=f"p-{winners[0]}"
        )
