"""R24 for the directory, in the store on SQLite and PostgreSQL: a bulk import leaves the trail too."""

from __future__ import annotations

from sqlalchemy import Engine

from domain.actors import Actor, at_the_command_line
from domain.vocabulary import Rank, Role
from store import directory, directory_changes
from store.db import session
from tests.store import samples


def test_r24_an_import_records_each_created_and_changed_entry_once(db: Engine) -> None:
    """R24: `praxis import` writes one trail entry per created or changed entry, naming the operator and the
    `cli` channel, in the import's own transaction; importing the same rows again adds nothing."""
    operator = at_the_command_line("registrar")
    with session(db) as s:
        directory.import_rows(s, faculty=[samples.faculty()], by=operator)
        directory.import_rows(s, faculty=[samples.faculty()], by=operator)
        directory.import_rows(s, faculty=[samples.faculty(rank=Rank.PROFESSOR)], by=operator)
    with session(db) as s:
        items, total = directory_changes.list_changes(s, kind="faculty", entry_id="T0001")
    assert total == 2
    assert [(c.action, c.actor_id, c.role, c.channel) for c in items] == [
        ("updated", "registrar", "operator", "cli"),
        ("created", "registrar", "operator", "cli"),
    ]
    assert items[0].changes == {"rank": ["associate_professor", "professor"]}


def test_r24_a_change_without_a_person_is_the_systems(db: Engine) -> None:
    """R24: a write that names nobody is recorded as the system's, never left out."""
    with session(db) as s:
        directory.upsert_faculty(s, samples.faculty(id="T0777", email="t0777@mail.ntust.edu.tw"))
    with session(db) as s:
        [change], _ = directory_changes.list_changes(s, entry_id="T0777")
    assert (change.actor_id, change.role, change.channel) == ("praxis", "system", "system")


def test_claims_fill_only_a_missing_student_and_the_trail_says_who(db: Engine) -> None:
    """Issue 12: the portal's JWT claims add a student the directory lacks, once, as the student's own change
    (R24); an entry already there is never overwritten."""
    student = Actor(id="B11200001", role=Role.STUDENT)
    with session(db) as s:
        assert directory.add_student_if_missing(s, samples.student(), student)
        assert not directory.add_student_if_missing(s, samples.student(name="Someone Else"), student)
    with session(db) as s:
        assert directory.get_student(s, "B11200001") == samples.student()
        [change], total = directory_changes.list_changes(s, kind="student", entry_id="B11200001")
    assert total == 1 and (change.action, change.actor_id, change.role) == ("created", "B11200001", "student")
