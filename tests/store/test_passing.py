"""R21/R23: passing lists from the credit ledger and the read model; R22: the queries behind the fan-outs."""

from __future__ import annotations

from sqlalchemy import Engine

from domain.stages import Stage
from store import credits, departures, directory, passing, projects
from store.db import session
from tests.store.samples import T0, faculty, semester, student, summary


def seed(db: Engine) -> None:
    """T1 passed B1 (credit in 2026-fall) and B2 (credit in 2026-spring), and B3 passed again without
    credit (R2); T1 has B4's report to evaluate; T2 has B5's; T3 only a project in progress."""
    with session(db) as s:
        directory.upsert_semester(s, semester())
        for faculty_id in ("T1", "T2", "T3"):
            directory.upsert_faculty(s, faculty(faculty_id))
        for n in range(1, 6):
            directory.upsert_student(s, student(f"B{n}", name=f"Student {n}"))
        rows = [
            ("p1", "B1", "T1", Stage.PASSED, "Reading hour"),
            ("p2", "B2", "T1", Stage.PASSED, "Beach clean-up"),
            ("p3", "B3", "T1", Stage.PASSED, "Second project of B3"),
            ("p4", "B4", "T1", Stage.EVALUATION_PENDING, "Elderly care"),
            ("p5", "B5", "T2", Stage.EVALUATION_PENDING, "Community garden"),
            ("p6", "B6", "T3", Stage.IN_PROGRESS, "Night market survey"),
        ]
        for project_id, student_id, faculty_id, stage, title in rows:
            row = summary(project_id, student_id=student_id, supervisor_id=faculty_id, stage=stage, title=title)
            projects.save_project(s, row, [])
        credits.record_credit(s, student_id="B1", project_id="p1", semester_id="2026-fall", at=T0)
        credits.record_credit(s, student_id="B2", project_id="p2", semester_id="2026-spring", at=T0)
        credits.record_credit(s, student_id="B3", project_id="p0", semester_id="2026-fall", at=T0)


def test_passing_list_has_the_semesters_credits_of_that_supervisor(db: Engine) -> None:
    """R21: a student is on the list of the semester the ledger recorded the credit in; a pass that earned no
    credit (R2) is not on it; the pending evaluations come along for the mail (R23)."""
    seed(db)
    with session(db) as s:
        found = passing.passing_list(s, "2026-fall", "T1")

    assert found is not None
    assert [(p.student_id, p.name, p.project_id, p.title) for p in found.students] == [
        ("B1", "Student 1", "p1", "Reading hour")
    ]
    assert [(p.project_id, p.student_id, p.title) for p in found.pending] == [("p4", "B4", "Elderly care")]


def test_supervisors_with_a_pass_or_a_pending_evaluation_get_the_mail(db: Engine) -> None:
    """R23: every supervisor with a student passed this semester or an evaluation pending, and nobody else."""
    seed(db)
    with session(db) as s:
        assert passing.supervisors_with_students(s, "2026-fall") == ["T1", "T2"]
        assert passing.supervisors_with_students(s, "2027-spring") == ["T1", "T2"]
        assert passing.passing_list(s, "2026-fall", "T404") is None
        assert passing.passing_list(s, "2031-fall", "T1") is None


def test_open_projects_are_paged_by_id_for_the_departure_fan_out(db: Engine) -> None:
    """R22: the teacher's open projects, supervised or invited, a page at a time, resumable after an id."""
    with session(db) as s:
        for n in range(5):
            projects.save_project(s, summary(f"p{n}", supervisor_id="T1", stage=Stage.IN_PROGRESS), [])
        projects.save_project(s, summary("p5", invited_faculty_id="T1", stage=Stage.SUPERVISOR_INVITED), [])
        projects.save_project(s, summary("p6", supervisor_id="T1", stage=Stage.PASSED), [])
        projects.save_project(s, summary("p7", supervisor_id="T2", stage=Stage.IN_PROGRESS), [])
    with session(db) as s:
        first = departures.open_projects_page(s, "T1", after=None, limit=4)
        rest = departures.open_projects_page(s, "T1", after=first[-1], limit=4)
    assert first == ["p0", "p1", "p2", "p3"] and rest == ["p4", "p5"]


def test_teachers_leaving_after_a_semester(db: Engine) -> None:
    """R22/R25: whose deadlines move when the semester's end moves."""
    with session(db) as s:
        directory.upsert_faculty(s, faculty("T1", leaving_after="2026-fall"))
        directory.upsert_faculty(s, faculty("T2", leaving_after="2027-spring"))
        directory.upsert_faculty(s, faculty("T3"))
    with session(db) as s:
        assert departures.faculty_leaving_after(s, "2026-fall") == ["T1"]
