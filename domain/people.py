"""Directory entries as the rules see them (R3, R10, R13)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from pydantic import BaseModel, EmailStr

from domain.calendar import taipei_date
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


def check_not_departed(faculty: Faculty, departs_at: datetime | None, now: datetime) -> None:
    """R13: a teacher whose `leaving_after` semester has already ended no longer teaches at NTUST and cannot
    be invited. `departs_at` is the end of that semester (the office's calendar, or the term's usual end)."""
    if faculty.leaving_after is None or departs_at is None or now < departs_at:
        return
    last_day = taipei_date(departs_at - timedelta(microseconds=1))
    raise RuleViolation(
        Code.SUPERVISOR_NOT_ELIGIBLE,
        f"{faculty.name} left NTUST when semester {faculty.leaving_after} ended on {last_day.isoformat()}, so "
        "they can no longer supervise; invite a teacher who still teaches here (R13).",
    )


class DirectoryChange(BaseModel):
    """R24 for the directory: who created or changed which faculty, student or semester entry, when, through
    which channel, and each changed field as `[before, after]` (before is null for a new entry)."""

    seq: int
    at: datetime
    actor_id: str
    role: str
    channel: str
    kind: str
    entry_id: str
    action: str
    changes: dict[str, list[object]]


def unreachable_student(student_id: str, unsent: list[str]) -> str:
    """Why no mail reaches a student the directory does not know, as their project says it (instead of
    silence): the portal's sign-in fills the entry from its `name` and `email`, or the center adds it."""
    told = f" {len(unsent)} mail(s) to you could not be sent ({', '.join(unsent)})." if unsent else ""
    return (
        f"Student {student_id} is not in the student directory, so Praxis has no email address for you and no "
        f"mail reaches you.{told} Sign in through the university portal (it passes your name and email), or "
        "ask the Center for General Education to add you."
    )
