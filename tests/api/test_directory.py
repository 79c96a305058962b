"""The directory the center maintains over HTTP (SPEC §4 PUTs): faculty (R10, R13), students (R3), semesters (R25)."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from store import directory
from store.db import session
from tests.api.portal import Portal, unique


async def test_put_faculty_creates_then_replaces_the_entry(portal: Portal, engine: Engine) -> None:
    """PUT /v1/faculty/{id} upserts: the second PUT replaces the first, and the store has what was sent."""
    faculty_id = unique("T")
    body = {"name": "Prof Lin", "email": f"{faculty_id}@Staff.Example.edu", "rank": "associate_professor"}
    first = await portal.http.put(f"/v1/faculty/{faculty_id}", json=body, headers=portal.center)
    assert first.status_code == 200
    assert first.json()["id"] == faculty_id and first.json()["leaving_after"] is None
    again = {**body, "leaving_after": "2026-fall", "department": "Architecture"}
    second = await portal.http.put(f"/v1/faculty/{faculty_id}", json=again, headers=portal.center)
    assert second.status_code == 200
    with session(engine) as s:
        stored = directory.get_faculty(s, faculty_id)
    assert stored is not None
    assert stored.leaving_after == "2026-fall" and stored.department == "Architecture"
    assert stored.email == f"{faculty_id}@staff.example.edu".lower()


async def test_faculty_email_taken_by_another_entry_is_409_conflict(portal: Portal) -> None:
    """Invitations find teachers by email (R10), so two entries may not share one: 409 CONFLICT."""
    taken = await portal.add_faculty()
    body = {"name": "Someone else", "email": taken["email"], "rank": "professor"}
    response = await portal.http.put(f"/v1/faculty/{unique('T')}", json=body, headers=portal.center)
    assert response.status_code == 409
    assert response.json()["code"] == "CONFLICT"


async def test_faculty_entry_with_an_unknown_rank_is_a_validation_error(portal: Portal) -> None:
    """Ranks are the directory's fixed vocabulary; the error names the offending field."""
    body = {"name": "Dr Who", "email": "who@example.edu", "rank": "time_lord"}
    response = await portal.http.put(f"/v1/faculty/{unique('T')}", json=body, headers=portal.center)
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "VALIDATION_ERROR"
    assert [e["loc"] for e in problem["errors"]] == [["body", "rank"]]


async def test_put_student_records_internship_credit(portal: Portal, engine: Engine) -> None:
    """PUT /v1/students/{id} upserts; `has_internship_credit` is what makes a student exempt (R3)."""
    student_id = unique("B")
    body = {"name": "Chen", "email": f"{student_id}@mail.example.edu", "has_internship_credit": True}
    response = await portal.http.put(f"/v1/students/{student_id}", json=body, headers=portal.center)
    assert response.status_code == 200
    with session(engine) as s:
        stored = directory.get_student(s, student_id)
    assert stored is not None and stored.has_internship_credit


async def test_put_semester_and_its_date_order_rule(portal: Portal, engine: Engine) -> None:
    """R25: a semester's dates are stored as sent; dates out of order are a 422 VALIDATION_ERROR naming the rule."""
    body = {"starts_on": "2026-08-01", "final_exam_week_starts_on": "2027-01-11", "ends_on": "2027-01-31"}
    response = await portal.http.put("/v1/semesters/2026-fall", json=body, headers=portal.center)
    assert response.status_code == 200
    assert response.json()["id"] == "2026-fall"
    with session(engine) as s:
        assert directory.get_semester(s, "2026-fall") is not None
    backwards = {**body, "ends_on": "2026-12-01"}
    refused = await portal.http.put("/v1/semesters/2026-fall", json=backwards, headers=portal.center)
    assert refused.status_code == 422
    assert refused.json()["code"] == "VALIDATION_ERROR"
    assert "starts_on <= final_exam_week_starts_on <= ends_on" in refused.json()["errors"][0]["msg"]
    bad_id = await portal.http.put("/v1/semesters/autumn", json=body, headers=portal.center)
    assert bad_id.status_code == 422
    assert bad_id.json()["errors"][0]["loc"] == ["path", "semester_id"]


async def test_semester_dates_outside_any_plausible_calendar_are_refused(portal: Portal) -> None:
    """Found by the fuzz: a semester in year 1 stored fine but broke every later submission (its Taipei
    midnight has no UTC instant). Dates must lie in 2000-2199."""
    body = {"starts_on": "0001-01-01", "final_exam_week_starts_on": "0001-01-02", "ends_on": "0001-01-03"}
    response = await portal.http.put("/v1/semesters/2026-summer", json=body, headers=portal.center)
    assert response.status_code == 422
    assert {e["loc"][-1] for e in response.json()["errors"]} == {"starts_on", "final_exam_week_starts_on", "ends_on"}


async def test_put_faculty_and_student_round_trip_the_mail_language(portal: Portal, engine: Engine) -> None:
    """Issue 4: PUT /v1/faculty/{id} and /v1/students/{id} accept, store and return a `language`; leaving it
    out (a full replace) goes back to the course default, null."""
    faculty_id, student_id = unique("T"), unique("B")
    teacher = {"name": "Prof Lin", "email": f"{faculty_id}@staff.example.edu", "rank": "professor", "language": "en"}
    student = {"name": "Wang", "email": f"{student_id}@student.example.edu", "language": "zh"}
    put_teacher = await portal.http.put(f"/v1/faculty/{faculty_id}", json=teacher, headers=portal.center)
    put_student = await portal.http.put(f"/v1/students/{student_id}", json=student, headers=portal.center)
    assert (put_teacher.status_code, put_student.status_code) == (200, 200)
    assert (put_teacher.json()["language"], put_student.json()["language"]) == ("en", "zh")
    with session(engine) as s:
        stored_teacher = directory.get_faculty(s, faculty_id)
        stored_student = directory.get_student(s, student_id)
    assert stored_teacher is not None and stored_teacher.language == "en"
    assert stored_student is not None and stored_student.language == "zh"
    del teacher["language"]
    cleared = await portal.http.put(f"/v1/faculty/{faculty_id}", json=teacher, headers=portal.center)
    assert cleared.status_code == 200 and cleared.json()["language"] is None
    with session(engine) as s:
        stored_teacher = directory.get_faculty(s, faculty_id)
    assert stored_teacher is not None and stored_teacher.language is None


async def test_an_unknown_mail_language_is_a_validation_error(portal: Portal) -> None:
    """Issue 4: the language is bilingual, en or zh; anything else names the field."""
    body = {"name": "Wang", "email": "wang@student.example.edu", "language": "fr"}
    response = await portal.http.put(f"/v1/students/{unique('B')}", json=body, headers=portal.center)
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["errors"]] == [["body", "language"]]


async def test_control_characters_in_a_name_are_a_validation_error(portal: Portal, engine: Engine) -> None:
    """Issue 9: a line break (or any control character) in a student's or teacher's name would break every mail
    to them (a `To:` header cannot carry it), so both PUTs refuse it with VALIDATION_ERROR naming the field, and
    nothing is stored."""
    bad_names = ["Lin\nMei-Hua", "Lin\r\nMei", "Tab\there", "Nul\x00", "Sep\u2028arator"]
    for name in bad_names:
        student_id, faculty_id = unique("B"), unique("T")
        student = {"name": name, "email": f"{student_id}@mail.example.edu"}
        faculty = {"name": name, "email": f"{faculty_id}@staff.example.edu", "rank": "professor"}
        for path, body in ((f"/v1/students/{student_id}", student), (f"/v1/faculty/{faculty_id}", faculty)):
            response = await portal.http.put(path, json=body, headers=portal.center)
            assert response.status_code == 422, (name, response.text)
            assert response.json()["code"] == "VALIDATION_ERROR"
            assert ["body", "name"] in [e["loc"] for e in response.json()["errors"]]
        with session(engine) as s:
            assert directory.get_student(s, student_id) is None
            assert directory.get_faculty(s, faculty_id) is None
    department = {"name": "Prof Ok", "email": f"{unique('t')}@staff.example.edu", "rank": "professor"}
    response = await portal.http.put(
        f"/v1/faculty/{unique('T')}", json={**department, "department": "Civil\nEngineering"}, headers=portal.center
    )
    assert (response.status_code, response.json()["code"]) == (422, "VALIDATION_ERROR")
