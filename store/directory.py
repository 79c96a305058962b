"""The faculty directory, students and the semester calendar, as the center maintains them (SPEC §4 PUTs)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime

from pydantic import BaseModel, Field
from sqlmodel import Session, col, func, select

from domain.actors import Actor
from domain.calendar import Semester
from domain.people import Faculty, Student
from store import directory_changes
from store.models import FacultyRow, SemesterRow, StudentRow
from store.upsert import FRESH, insert, replace


def _normalise_email(email: str) -> str:
    return email.strip().lower()


def upsert_faculty(s: Session, f: Faculty, by: Actor | None = None) -> bool:
    """Create or replace a directory entry; True when `leaving_after` changed (R13, R22).

    The caller uses True to start the leaving-supervisor deadlines, so a new entry that already names a
    semester counts as a change. The row is locked while it is compared (PostgreSQL `FOR UPDATE`;
    SQLite holds its write lock for the whole transaction). An email already used by another faculty id
    raises `sqlalchemy.exc.IntegrityError`. The change goes into the directory's audit trail (R24), `by`
    whom (None: the system).
    """
    found = s.exec(select(FacultyRow).where(FacultyRow.id == f.id).with_for_update().execution_options(**FRESH))
    row = found.first()
    before = row.model_dump() if row is not None else None
    previous = row.leaving_after if row is not None else None
    values = {
        "id": f.id,
        "name": f.name,
        "email": _normalise_email(f.email),
        "rank": f.rank.value,
        "department": f.department,
        "leaving_after": f.leaving_after,
        "language": f.language.value if f.language else None,
        "updated_at": datetime.now(UTC),
    }
    replace(s, FacultyRow, values)
    directory_changes.record(s, "faculty", f.id, before, values, by)
    return previous != f.leaving_after


def _faculty(row: FacultyRow) -> Faculty:
    return Faculty.model_validate(row, from_attributes=True)


def get_faculty(s: Session, faculty_id: str) -> Faculty | None:
    row = s.get(FacultyRow, faculty_id, populate_existing=True)
    return _faculty(row) if row is not None else None


def find_faculty_by_email(s: Session, email: str) -> Faculty | None:
    """R10: invitations name a teacher by email, typed by a student in whatever case."""
    row = s.exec(
        select(FacultyRow).where(FacultyRow.email == _normalise_email(email)).execution_options(**FRESH)
    ).first()
    return _faculty(row) if row is not None else None


def list_faculty(s: Session) -> list[Faculty]:
    return [
        _faculty(row)
        for row in s.exec(
            select(FacultyRow).order_by(col(FacultyRow.name), col(FacultyRow.id)).execution_options(**FRESH)
        )
    ]


def page_faculty(
    s: Session, *, department: str | None = None, leaving: bool | None = None, limit: int, offset: int
) -> tuple[list[Faculty], int]:
    """One page of the faculty directory by name, and how many entries match: a department's teachers, and
    those who leave NTUST after some semester (R13) or not."""
    query = select(FacultyRow)
    if department is not None:
        query = query.where(FacultyRow.department == department)
    if leaving is not None:
        named = col(FacultyRow.leaving_after).is_not(None)
        query = query.where(named if leaving else col(FacultyRow.leaving_after).is_(None))
    total = s.exec(select(func.count()).select_from(query.subquery()).execution_options(**FRESH)).one()
    rows = s.exec(
        query.order_by(col(FacultyRow.name), col(FacultyRow.id)).limit(limit).offset(offset).execution_options(**FRESH)
    )
    return [_faculty(row) for row in rows], total


def page_students(s: Session, *, limit: int, offset: int) -> tuple[list[Student], int]:
    """One page of the students the directory knows, by id, and how many there are."""
    total = s.exec(select(func.count()).select_from(StudentRow).execution_options(**FRESH)).one()
    rows = s.exec(
        select(StudentRow).order_by(col(StudentRow.id)).limit(limit).offset(offset).execution_options(**FRESH)
    )
    return [Student.model_validate(row, from_attributes=True) for row in rows], total


def upsert_student(s: Session, st: Student, by: Actor | None = None) -> bool:
    """Create or replace a student; True when the entry is new. The change goes into the directory's audit
    trail (R24)."""
    row = s.exec(select(StudentRow).where(StudentRow.id == st.id).execution_options(**FRESH)).first()
    before = row.model_dump() if row is not None else None
    values = {
        "id": st.id,
        "name": st.name,
        "email": st.email,
        "has_internship_credit": st.has_internship_credit,
        "language": st.language.value if st.language else None,
        "updated_at": datetime.now(UTC),
    }
    replace(s, StudentRow, values)
    directory_changes.record(s, "student", st.id, before, values, by)
    return row is None


def add_student_if_missing(s: Session, st: Student, by: Actor | None = None) -> bool:
    """Create the entry unless the student is already in the directory (an entry the center keeps is never
    overwritten); True when it was created, which the directory's audit trail records (R24). A known student
    costs one primary-key read, so the portal may call this on every request it makes for a student."""
    if s.get(StudentRow, st.id) is not None:
        return False
    values = {
        "id": st.id,
        "name": st.name,
        "email": st.email,
        "has_internship_credit": st.has_internship_credit,
        "language": st.language.value if st.language else None,
        "updated_at": datetime.now(UTC),
    }
    result = s.exec(insert(s, StudentRow).values(values).on_conflict_do_nothing(index_elements=["id"]))
    created = bool(result.rowcount)
    if created:
        directory_changes.record(s, "student", st.id, None, values, by)
    return created


def get_student(s: Session, student_id: str) -> Student | None:
    row = s.get(StudentRow, student_id, populate_existing=True)
    return Student.model_validate(row, from_attributes=True) if row is not None else None


def upsert_semester(s: Session, sem: Semester, by: Actor | None = None) -> Semester | None:
    """Create or replace a semester's dates; returns the dates it had before (None: the semester is new). The
    change goes into the directory's audit trail (R24)."""
    row = s.exec(select(SemesterRow).where(SemesterRow.id == sem.id).execution_options(**FRESH)).first()
    previous = _semester(row) if row is not None else None
    before = row.model_dump() if row is not None else None
    values = sem.model_dump()
    replace(s, SemesterRow, values)
    directory_changes.record(s, "semester", sem.id, before, values, by)
    return previous


def _semester(row: SemesterRow) -> Semester:
    return Semester.model_validate(row, from_attributes=True)


def get_semester(s: Session, semester_id: str) -> Semester | None:
    row = s.get(SemesterRow, semester_id, populate_existing=True)
    return _semester(row) if row is not None else None


def list_semesters(s: Session) -> list[Semester]:
    """R25: in calendar order, as `domain.calendar.semester_for` expects to scan them."""
    return [
        _semester(row)
        for row in s.exec(select(SemesterRow).order_by(col(SemesterRow.starts_on)).execution_options(**FRESH))
    ]


def known_student_ids(s: Session, student_ids: Collection[str]) -> set[str]:
    """Which of `student_ids` the student directory holds (R9: a group names its members by id)."""
    if not student_ids:
        return set()
    return set(s.exec(select(StudentRow.id).where(col(StudentRow.id).in_(list(student_ids)))))


def faculty_email_owners(s: Session, emails: Collection[str]) -> dict[str, str]:
    """Which faculty id holds each of `emails` (compared lowercased, as stored); absent ones are left out."""
    wanted = sorted({_normalise_email(e) for e in emails})
    if not wanted:
        return {}
    rows = s.exec(select(FacultyRow.email, FacultyRow.id).where(col(FacultyRow.email).in_(wanted)))
    return dict(rows.all())


class DirectoryImport(BaseModel):
    """What a bulk import did, by entry id; `leaving_changed` lists faculty whose `leaving_after` changed (R22)."""

    created: list[str] = Field(default_factory=list)
    updated: list[str] = Field(default_factory=list)
    unchanged: list[str] = Field(default_factory=list)
    leaving_changed: list[str] = Field(default_factory=list)


def import_rows(
    s: Session, *, faculty: Sequence[Faculty] = (), students: Sequence[Student] = (), by: Actor | None = None
) -> DirectoryImport:
    """Create or replace many entries in the caller's one transaction, so a failure part-way leaves none.

    An entry equal to the stored one is not rewritten: importing the same file again changes nothing and
    reports no `leaving_after` change. Emails are compared as stored (faculty emails lowercased).
    """
    outcome = DirectoryImport()
    for f in faculty:
        before = get_faculty(s, f.id)
        if before == f.model_copy(update={"email": _normalise_email(f.email)}):
            outcome.unchanged.append(f.id)
            continue
        if upsert_faculty(s, f, by):
            outcome.leaving_changed.append(f.id)
        (outcome.created if before is None else outcome.updated).append(f.id)
    for st in students:
        previous = get_student(s, st.id)
        if previous == st:
            outcome.unchanged.append(st.id)
            continue
        upsert_student(s, st, by)
        (outcome.created if previous is None else outcome.updated).append(st.id)
    return outcome
