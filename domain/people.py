"""Directory entries as the rules see them (R3, R10, R13)."""

from __future__ import annotations

from collections.abc import Collection

from pydantic import BaseModel, EmailStr

from domain.errors import Code, RuleViolation
from domain.vocabulary import ELIGIBLE_RANKS, MailLanguage, Rank


class Faculty(BaseModel):
    id: str
    name: str
    email: EmailStr
    rank: Rank
    department: str = ""
    leaving_after: str | None = None  # a semester id (R13, R22)
    # Issue 4: the languages their mail is written in; None follows the course default (settings.mail_language).
    # Optional with a default, so project state recorded before it existed still decodes.
    language: MailLanguage | None = None


class Student(BaseModel):
    id: str
    name: str
    email: EmailStr
    has_internship_credit: bool = False  # R3
    language: MailLanguage | None = None  # Issue 4: None follows the course default (settings.mail_language)


class StudentStanding(BaseModel):
    """What the ledger and directory say about a student when a project starts (R2, R3)."""

    student_id: str
    exempt: bool = False
    holds_credit: bool = False


def require_in_directory(faculty: Faculty | None, email: str) -> Faculty:
    """R10, first half: the teacher is in the faculty directory (the API looks them up by email)."""
    if faculty is None:
        raise RuleViolation(Code.SUPERVISOR_NOT_FOUND, f"No teacher with email {email} is in the faculty directory.")
    return faculty


def check_can_supervise(faculty: Faculty | None, email: str, ranks: Collection[Rank] = ELIGIBLE_RANKS) -> Faculty:
    """R10: only a teacher in the directory with a rank the course profile accepts may supervise; staff never."""
    faculty = require_in_directory(faculty, email)
    if faculty.rank not in ranks or faculty.rank is Rank.STAFF:
        kind = "Staff members" if faculty.rank is Rank.STAFF else f"Teachers of rank {faculty.rank.value}"
        if set(ranks) == ELIGIBLE_RANKS:
            invite = (
                "invite a professor, an associate or assistant professor, or an adjunct (associate/assistant) professor"
            )
        else:
            invite = "invite a teacher of rank " + ", ".join(rank.value for rank in ranks)
        raise RuleViolation(
            Code.SUPERVISOR_NOT_ELIGIBLE, f"{kind} cannot supervise a Social Practice project; {invite}."
        )
    return faculty
