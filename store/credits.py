"""R2/R21: the credit ledger. A student gets TC1010 once, ever; the first project to pass holds it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlmodel import Session, select

from store.models import CreditRow
from store.upsert import insert


class CreditOutcome(BaseModel):
    """What the ledger says for one student.

    `semester_id` is where the credit is recorded: the semester of the pass that earned it, which for a
    refused project is an earlier one. `existing_project_id` names the project holding the credit when it
    is not the project asked about (always set by `credit_of`, which asks about none).
    """

    granted: bool
    semester_id: str
    existing_project_id: str | None = None


def record_credit(s: Session, *, student_id: str, project_id: str, semester_id: str, at: datetime) -> CreditOutcome:
    """R2/R21: grant the credit to this project unless another project of the student holds it.

    Retrying for the same project answers granted=True again, with the semester first recorded. Two
    projects passing at once cannot both win: the unique student id lets one INSERT through and turns the
    other into a no-op (`ON CONFLICT DO NOTHING` waits for the winner to commit, so the re-read sees it).
    """
    values = {"student_id": student_id, "project_id": project_id, "semester_id": semester_id, "granted_at": at}
    s.exec(insert(s, CreditRow).values(values).on_conflict_do_nothing(index_elements=["student_id"]))
    row = s.exec(select(CreditRow).where(CreditRow.student_id == student_id)).one()
    if row.project_id == project_id:
        return CreditOutcome(granted=True, semester_id=row.semester_id)
    return CreditOutcome(granted=False, semester_id=row.semester_id, existing_project_id=row.project_id)


def credit_of(s: Session, student_id: str) -> CreditOutcome | None:
    """R2: the credit the student holds, if any (a project starting for them checks this)."""
    row = s.exec(select(CreditRow).where(CreditRow.student_id == student_id)).first()
    if row is None:
        return None
    return CreditOutcome(granted=True, semester_id=row.semester_id, existing_project_id=row.project_id)
