"""The faculty directory, students and semesters (SPEC §4 PUTs; R10, R13, R25)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from domain.vocabulary import MailLanguage, Rank
from store import directory
from store.db import session
from tests.store import samples


def test_upsert_faculty_creates_and_replaces(db: Engine) -> None:
    """PUT /v1/faculty/{id} is a full replace: the second write's fields are what get_faculty returns."""
    with session(db) as s:
        directory.upsert_faculty(s, samples.faculty())
        directory.upsert_faculty(s, samples.faculty(name="Lin Mei-Hua (Dr.)", rank=Rank.PROFESSOR, department="CGE"))
    with session(db) as s:
        assert directory.get_faculty(s, "T0001") == samples.faculty(
            name="Lin Mei-Hua (Dr.)", rank=Rank.PROFESSOR, department="CGE"
        )
        assert directory.get_faculty(s, "T9999") is None


def test_new_faculty_counts_as_leaving_change_only_when_leaving(db: Engine) -> None:
    """R13/R22: a new entry that already names a leaving semester is a change; one that does not is not."""
    with session(db) as s:
        assert directory.upsert_faculty(s, samples.faculty("T0001", leaving_after="2026-fall")) is True
        assert directory.upsert_faculty(s, samples.faculty("T0002")) is False


def test_upsert_faculty_reports_leaving_after_changes(db: Engine) -> None:
    """R22: only a change of `leaving_after` starts (or lifts) the leaving-supervisor deadlines."""
    with session(db) as s:
        directory.upsert_faculty(s, samples.faculty())
        assert directory.upsert_faculty(s, samples.faculty(leaving_after="2026-fall")) is True
        assert directory.upsert_faculty(s, samples.faculty(leaving_after="2026-fall", name="Renamed")) is False
        assert directory.upsert_faculty(s, samples.faculty(leaving_after="2027-spring")) is True
        assert directory.upsert_faculty(s, samples.faculty(leaving_after=None)) is True
        assert directory.upsert_faculty(s, samples.faculty(leaving_after=None)) is False


def test_find_faculty_by_email_ignores_case(db: Engine) -> None:
    """R10: a student types the teacher's email in any case; the directory still finds the teacher."""
    with session(db) as s:
        directory.upsert_faculty(s, samples.faculty(email="Mei.Lin@Mail.NTUST.edu.tw"))
    with session(db) as s:
        found = directory.find_faculty_by_email(s, "  MEI.LIN@mail.ntust.EDU.TW ")
        assert found is not None
        assert found.id == "T0001"
        assert found.email == "mei.lin@mail.ntust.edu.tw"
        assert directory.find_faculty_by_email(s, "someone.else@mail.ntust.edu.tw") is None


def test_faculty_emails_are_unique_whatever_the_case(db: Engine) -> None:
    """One email names one teacher, or an invitation could reach the wrong person (R10)."""
    with session(db) as s:
        directory.upsert_faculty(s, samples.faculty("T0001", email="mei.lin@mail.ntust.edu.tw"))
    with pytest.raises(IntegrityError), session(db) as s:
        directory.upsert_faculty(s, samples.faculty("T0002", email="Mei.Lin@mail.ntust.edu.tw"))


def test_list_faculty_by_name(db: Engine) -> None:
    """The center's directory listing is alphabetical."""
    with session(db) as s:
        directory.upsert_faculty(s, samples.faculty("T0002", name="Wang Chih-Ming"))
        directory.upsert_faculty(s, samples.faculty("T0001", name="Chang Ya-Wen"))
    with session(db) as s:
        assert [f.id for f in directory.list_faculty(s)] == ["T0001", "T0002"]


def test_reads_in_the_same_session_see_the_upsert(db: Engine) -> None:
    """An upsert bypasses the session's identity map; a later read in that session must not be stale."""
    with session(db) as s:
        directory.upsert_faculty(s, samples.faculty())
        assert directory.get_faculty(s, "T0001") == samples.faculty()
        directory.upsert_faculty(s, samples.faculty(leaving_after="2026-fall"))
        found = directory.get_faculty(s, "T0001")
        assert found is not None
        assert found.leaving_after == "2026-fall"


def test_upsert_student_creates_and_replaces(db: Engine) -> None:
    """PUT /v1/students/{id}; R3: the internship-credit exemption is what the store says now. The upsert says
    whether it created the entry (the PUT's 201 and `created_id`)."""
    with session(db) as s:
        assert directory.upsert_student(s, samples.student()) is True
        replaced = directory.upsert_student(s, samples.student(has_internship_credit=True, name="Chen Yu-Ting (Tina)"))
        assert replaced is False
    with session(db) as s:
        assert directory.get_student(s, "B11200001") == samples.student(
            has_internship_credit=True, name="Chen Yu-Ting (Tina)"
        )
        assert directory.get_student(s, "B00000000") is None


def test_upsert_semester_creates_and_replaces(db: Engine) -> None:
    """PUT /v1/semesters/{id}; R25: the office may move final exam week after entering a semester. The upsert
    returns the dates it replaced (None when it created the semester: the PUT's 201), which the PUT compares."""
    moved = samples.semester(final_exam_week_starts_on=date(2027, 1, 18))
    with session(db) as s:
        assert directory.upsert_semester(s, samples.semester()) is None
        assert directory.upsert_semester(s, moved) == samples.semester()
    with session(db) as s:
        assert directory.get_semester(s, "2026-fall") == moved
        assert directory.get_semester(s, "2030-fall") is None


def test_list_semesters_in_calendar_order(db: Engine) -> None:
    """R25: semesters come back in the order they happen, whatever order they were entered in."""
    spring = samples.semester(
        "2027-spring",
        starts_on=date(2027, 2, 15),
        final_exam_week_starts_on=date(2027, 6, 14),
        ends_on=date(2027, 7, 31),
    )
    with session(db) as s:
        directory.upsert_semester(s, spring)
        directory.upsert_semester(s, samples.semester())
    with session(db) as s:
        assert directory.list_semesters(s) == [samples.semester(), spring]


def test_mail_language_preferences_round_trip(db: Engine) -> None:
    """Issue 4: a teacher's and a student's mail language is stored, read back by every lookup, and cleared to
    None (the course default) by a replace that names none."""
    with session(db) as s:
        directory.upsert_faculty(s, samples.faculty("T0001", language=MailLanguage.EN))
        directory.upsert_faculty(s, samples.faculty("T0002"))
        directory.upsert_student(s, samples.student("B11200001", language=MailLanguage.ZH))
        directory.upsert_student(s, samples.student("B11200002"))
    with session(db) as s:
        teacher = directory.get_faculty(s, "T0001")
        assert teacher is not None
        assert teacher.language is MailLanguage.EN
        found = directory.find_faculty_by_email(s, "T0001@mail.ntust.edu.tw")
        assert found is not None
        assert found.language is MailLanguage.EN
        assert {f.id: f.language for f in directory.list_faculty(s)} == {"T0001": MailLanguage.EN, "T0002": None}
        student = directory.get_student(s, "B11200001")
        assert student is not None
        assert student.language is MailLanguage.ZH
        assert directory.get_student(s, "B11200002") == samples.student("B11200002")
    with session(db) as s:
        directory.upsert_faculty(s, samples.faculty("T0001"))
        directory.upsert_student(s, samples.student("B11200001", language=MailLanguage.BILINGUAL))
    with session(db) as s:
        assert directory.get_faculty(s, "T0001") == samples.faculty("T0001")
        assert directory.get_student(s, "B11200001") == samples.student("B11200001", language=MailLanguage.BILINGUAL)


def test_import_rows_sees_a_language_change(db: Engine) -> None:
    """Issue 4: an import that only changes someone's mail language updates them; repeating it changes nothing."""
    with session(db) as s:
        directory.import_rows(s, faculty=[samples.faculty()], students=[samples.student()])
    with session(db) as s:
        outcome = directory.import_rows(
            s,
            faculty=[samples.faculty(language=MailLanguage.ZH)],
            students=[samples.student(language=MailLanguage.EN)],
        )
        assert (outcome.updated, outcome.leaving_changed) == (["T0001", "B11200001"], [])
    with session(db) as s:
        outcome = directory.import_rows(
            s,
            faculty=[samples.faculty(language=MailLanguage.ZH)],
            students=[samples.student(language=MailLanguage.EN)],
        )
        assert outcome.unchanged == ["T0001", "B11200001"]
        assert directory.get_student(s, "B11200001") == samples.student(language=MailLanguage.EN)
