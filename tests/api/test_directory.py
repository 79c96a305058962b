"""The directory the center maintains over HTTP (SPEC §4 PUTs): faculty (R10, R13), students (R3), semesters (R25)."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from store import directory
from store.db import session
from tests.api.portal import Portal, unique


async def test_put_faculty_creates_then_replaces_the_entry(portal: Portal, engine: Engine) -> None:
    """PUT /v1/faculty/{id} upserts and answers the envelope of every change: 201 with `created_id` and a
    `Location` when it created the entry, 200 with `created_id` null when it replaced it; `faculty` is the
    entry as GET /v1/faculty/{id} reads it (the email as stored, lowercased), and the store has what was sent."""
    faculty_id = unique("T")
    body = {"name": "Prof Lin", "email": f"{faculty_id}@Staff.Example.edu", "rank": "associate_professor"}
    first = await portal.http.put(f"/v1/faculty/{faculty_id}", json=body, headers=portal.center)
    assert first.status_code == 201 and first.headers["Location"] == f"/v1/faculty/{faculty_id}"
    assert first.json()["created_id"] == faculty_id
    assert first.json()["warning"] is None and first.json()["departure"] is None
    read = portal.ok(await portal.http.get(f"/v1/faculty/{faculty_id}", headers=portal.center))
    assert first.json()["faculty"] == read and read["leaving_after"] is None
    again = {**body, "leaving_after": "2026-fall", "department": "Architecture"}
    second = await portal.http.put(f"/v1/faculty/{faculty_id}", json=again, headers=portal.center)
    assert second.status_code == 200 and "Location" not in second.headers
    assert second.json()["created_id"] is None
    assert second.json()["faculty"] == portal.ok(
        await portal.http.get(f"/v1/faculty/{faculty_id}", headers=portal.center)
    )
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
    """PUT /v1/students/{id} upserts; `has_internship_credit` is what makes a student exempt (R3). The answer is
    the envelope of every change, `student` as GET /v1/students/{id} reads it: 201 when created, 200 when
    replaced."""
    student_id = unique("B")
    body = {"name": "Chen", "email": f"{student_id}@mail.example.edu", "has_internship_credit": True}
    response = await portal.http.put(f"/v1/students/{student_id}", json=body, headers=portal.center)
    assert response.status_code == 201 and response.headers["Location"] == f"/v1/students/{student_id}"
    read = portal.ok(await portal.http.get(f"/v1/students/{student_id}", headers=portal.center))
    assert response.json() == {"student": read, "created_id": student_id, "warning": None}
    with session(engine) as s:
        stored = directory.get_student(s, student_id)
    assert stored is not None and stored.has_internship_credit
    replaced = await portal.http.put(
        f"/v1/students/{student_id}", json={**body, "name": "Chen Yu"}, headers=portal.center
    )
    assert replaced.status_code == 200 and replaced.json()["created_id"] is None
    assert replaced.json()["student"]["name"] == "Chen Yu"


async def test_put_semester_and_its_date_order_rule(portal: Portal, engine: Engine) -> None:
    """R25: a semester's dates are stored as sent; dates out of order are a 422 VALIDATION_ERROR naming the rule."""
    body = {"starts_on": "2026-08-01", "final_exam_week_starts_on": "2027-01-11", "ends_on": "2027-01-31"}
    response = await portal.http.put("/v1/semesters/2026-fall", json=body, headers=portal.center)
    assert response.status_code in (200, 201)  # other tests may have entered the current semester
    assert response.json()["semester"] == {"id": "2026-fall", **body}
    assert response.json()["created_id"] == ("2026-fall" if response.status_code == 201 else None)
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
    assert (put_teacher.status_code, put_student.status_code) == (201, 201)
    assert (put_teacher.json()["faculty"]["language"], put_student.json()["student"]["language"]) == ("en", "zh")
    with session(engine) as s:
        stored_teacher = directory.get_faculty(s, faculty_id)
        stored_student = directory.get_student(s, student_id)
    assert stored_teacher is not None and stored_teacher.language == "en"
    assert stored_student is not None and stored_student.language == "zh"
    del teacher["language"]
    cleared = await portal.http.put(f"/v1/faculty/{faculty_id}", json=teacher, headers=portal.center)
    assert cleared.status_code == 200 and cleared.json()["faculty"]["language"] is None
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


async def test_a_replayed_key_answers_the_creating_put_as_it_was(portal: Portal) -> None:
    """SPEC §4 Idempotency-Key on the directory's PUTs: a retry with the key of the PUT that created an entry
    answers that first outcome, body and status (201, `created_id` set), while the same PUT without the key
    replaces the entry and says so (200, `created_id` null)."""
    student_id = unique("B")
    body = {"name": "Lai", "email": f"{student_id}@mail.example.edu"}
    keyed = {**portal.center, "Idempotency-Key": unique("k")}
    first = await portal.http.put(f"/v1/students/{student_id}", json=body, headers=keyed)
    replay = await portal.http.put(f"/v1/students/{student_id}", json=body, headers=keyed)
    assert (first.status_code, replay.status_code) == (201, 201)
    assert replay.json() == first.json() and first.json()["created_id"] == student_id
    assert replay.headers["Location"] == f"/v1/students/{student_id}"
    unkeyed = await portal.http.put(f"/v1/students/{student_id}", json=body, headers=portal.center)
    assert unkeyed.status_code == 200 and unkeyed.json()["created_id"] is None


async def test_leaving_after_a_semester_not_in_the_calendar_warns_which_end_applies(portal: Portal) -> None:
    """R22/R25: a teacher who leaves after a semester the office has not entered works to the term's
    conventional end; the PUT says so in `warning`, naming the semester and that last day (Taipei)."""
    faculty_id = unique("T")
    body = {"name": "Prof Su", "email": f"{faculty_id}@staff.example.edu", "rank": "professor"}
    saved = portal.ok(
        await portal.http.put(
            f"/v1/faculty/{faculty_id}", json={**body, "leaving_after": "2041-fall"}, headers=portal.center
        ),
        201,
    )
    assert saved["departure"]["open_projects"] == 0  # nobody to tell, so no word on projects
    assert saved["warning"] == (
        "Semester 2041-fall is not in the calendar yet: until its dates are entered, deadlines fall at the end of "
        "2042-01-31 (Taipei)."
    )
    staying = portal.ok(await portal.http.put(f"/v1/faculty/{faculty_id}", json=body, headers=portal.center))
    assert staying["warning"] is None  # no departure, no project to tell


async def test_moving_a_semesters_end_warns_when_teachers_leave_after_it(portal: Portal) -> None:
    """R22/R25: the deadline of a leaving teacher's projects is the end of the semester they leave after, so
    moving that end moves their deadlines: the semester PUT says so in `warning`, counting the teachers. New
    dates that keep the end, or an end no teacher leaves after, warn of nothing."""
    dates = {"starts_on": "2039-02-14", "final_exam_week_starts_on": "2039-06-13", "ends_on": "2039-06-26"}
    put = "/v1/semesters/2039-spring"
    assert portal.ok(await portal.http.put(put, json=dates, headers=portal.center), 201)["warning"] is None
    await portal.add_faculty(leaving_after="2039-spring")
    exam_week = portal.ok(
        await portal.http.put(put, json={**dates, "final_exam_week_starts_on": "2039-06-12"}, headers=portal.center)
    )
    assert exam_week["warning"] is None
    moved = portal.ok(await portal.http.put(put, json={**dates, "ends_on": "2039-06-30"}, headers=portal.center))
    assert moved["warning"] == (
        "2039-spring now ends on 2039-06-30 (was 2039-06-26): the open projects of the 1 teacher leaving after it "
        "now work to the new end."
    )
