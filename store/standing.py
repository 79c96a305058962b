"""What the directory and the credit ledger say about a student when a project starts (R2, R3)."""

from __future__ import annotations

from sqlmodel import Session

from domain.people import StudentStanding
from store import credits, directory


def standing_of(s: Session, student_id: str, project_id: str) -> StudentStanding:
    """R3: exempt with internship credit; R2: already holds TC1010 through another project."""
    student = directory.get_student(s, student_id)
    credit = credits.credit_of(s, student_id)
    return StudentStanding(
        student_id=student_id,
        exempt=bool(student and student.has_internship_credit),
        holds_credit=bool(credit and credit.granted and credit.existing_project_id != project_id),
    )
