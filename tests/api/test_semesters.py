"""Semesters and leaving teachers over HTTP (issue 5): the calendar puts each semester's workflow on schedule
(R25), a changed `leaving_after` reaches the teacher's projects (R22), and each supervisor's passing list is
served as PDF and CSV (R23)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

from pypdf import PdfReader
from sqlalchemy.engine import Engine
from temporalio.client import Client, WorkflowExecutionStatus

from domain.calendar import Semester, default_semester_id, semester_for
from domain.semesters import SemesterProgress
from store import directory
from store.db import session
from tests.api.portal import Portal, unique
from tests.api.support import eventually
from workflows.departure import workflow_id as departure_workflow_id
from workflows.semester import SemesterWorkflow
from workflows.semester import workflow_id as semester_workflow_id

# Far enough ahead that no test's time skipping reaches its final exam week.
FUTURE = "2035-spring"
FUTURE_DATES = {"starts_on": "2035-02-19", "final_exam_week_starts_on": "2035-06-18", "ends_on": "2035-06-30"}


async def current_semester(portal: Portal, engine: Engine) -> str:
    """The semester a pass now is credited in; entered in the calendar (with the course's usual dates) if the
    calendar has none for today, so its passing lists exist."""
    now = datetime.now(UTC)
    with session(engine) as s:
        semesters = directory.list_semesters(s)
    semester_id = semester_for(now, semesters)
    if any(s.id == semester_id for s in semesters):
        return semester_id
    year, term = int(semester_id[:4]), semester_id[5:]
    dates = (
        (date(year, 8, 1), date(year + 1, 1, 11), date(year + 1, 1, 31))
        if term == "fall"
        else (date(year, 2, 1), date(year, 6, 20), date(year, 7, 31))
    )
    body = dict(zip(("starts_on", "final_exam_week_starts_on", "ends_on"), (d.isoformat() for d in dates), strict=True))
    portal.ok(await portal.http.put(f"/v1/semesters/{semester_id}", json=body, headers=portal.center), 201)
    return semester_id


async def test_put_semester_schedules_its_workflow_and_moved_dates_rearm_it(portal: Portal, client: Client) -> None:
    """R25: PUT /v1/semesters/{id} starts `semester-<id>`, which waits for final exam week (R23); a second PUT
    with other dates reaches the same running workflow, which now keeps the new dates. The answer is the
    envelope of every change: 201 with `created_id` and a `Location` when the semester is new, 200 with
    `created_id` null when it replaced one. Only the center."""
    response = await portal.http.put(f"/v1/semesters/{FUTURE}", json=FUTURE_DATES, headers=portal.center)
    saved = portal.ok(response, 201)
    assert response.headers["Location"] == f"/v1/semesters/{FUTURE}"
    assert saved["created_id"] == FUTURE and saved["warning"] is None
    assert saved["workflow_id"] == semester_workflow_id(FUTURE) == f"semester-{FUTURE}"
    assert saved["semester"] == {"id": FUTURE, **FUTURE_DATES}
    handle = client.get_workflow_handle(saved["workflow_id"], result_type=SemesterProgress)
    first = await handle.describe()
    assert first.status is WorkflowExecutionStatus.RUNNING

    moved = {**FUTURE_DATES, "final_exam_week_starts_on": "2035-06-11", "ends_on": "2035-06-23"}
    response = await portal.http.put(f"/v1/semesters/{FUTURE}", json=moved, headers=portal.center)
    again = portal.ok(response)
    assert "Location" not in response.headers
    assert again["created_id"] is None and again["warning"] is None  # no teacher leaves after it
    assert again["workflow_id"] == saved["workflow_id"]
    known = await eventually(lambda: handle.query(SemesterWorkflow.semester), lambda s: s.ends_on == date(2035, 6, 23))
    assert known == Semester(id=FUTURE, **moved)
    assert (await handle.describe()).run_id == first.run_id  # the same run, re-armed in place

    for role, sub in (("student", "B1"), ("faculty", "T1"), ("osa", "O1")):
        refused = await portal.http.put(f"/v1/semesters/{FUTURE}", json=moved, headers=portal.auth(role, sub))
        assert refused.status_code == 403, role
        assert refused.json()["code"] == "FORBIDDEN"


async def test_leaving_after_reaches_open_projects_and_clearing_it_lifts_the_deadline(
    portal: Portal, client: Client
) -> None:
    """R13/R22: PUT /v1/faculty/{id} that sets `leaving_after` starts the teacher's DepartureWorkflow and says
    how many open projects it tells; each gets the semester's end as `semester_deadline`. Clearing it is a
    change too and lifts the deadline; a PUT that changes nothing tells nobody."""
    project_id, _student_id, faculty_id = await portal.in_progress()
    entry = (await portal.view(project_id))["supervisor"]["faculty"]
    body = {k: entry[k] for k in ("name", "email", "rank", "department")}
    leaving_after = default_semester_id(datetime.now(UTC))

    saved = portal.ok(
        await portal.http.put(
            f"/v1/faculty/{faculty_id}", json={**body, "leaving_after": leaving_after}, headers=portal.center
        )
    )
    assert saved["created_id"] is None and saved["faculty"]["leaving_after"] == leaving_after
    assert saved["departure"] == {"workflow_id": departure_workflow_id(faculty_id), "open_projects": 1}
    assert saved["warning"].startswith(f"{entry['name']} leaves NTUST after {leaving_after}: their 1 open project ")
    view = await eventually(lambda: portal.view(project_id), lambda v: v["deadlines"]["semester_deadline"] is not None)
    assert datetime.fromisoformat(view["deadlines"]["semester_deadline"]) > datetime.now(UTC)
    assert view["departure"]["faculty_id"] == faculty_id and view["departure"]["semester_id"] == leaving_after

    same = {**body, "leaving_after": leaving_after}
    unchanged = portal.ok(await portal.http.put(f"/v1/faculty/{faculty_id}", json=same, headers=portal.center))
    assert unchanged["departure"] is None
    assert unchanged["warning"] is None or "is not in the calendar yet" in unchanged["warning"]

    cleared = portal.ok(await portal.http.put(f"/v1/faculty/{faculty_id}", json=body, headers=portal.center))
    assert cleared["departure"] == {"workflow_id": departure_workflow_id(faculty_id), "open_projects": 1}
    assert cleared["warning"] == (
        f"{entry['name']} no longer leaves NTUST: the semester deadline of their 1 open project is lifted."
    )
    await eventually(lambda: portal.view(project_id), lambda v: v["deadlines"]["semester_deadline"] is None)

    refused = await portal.http.put(f"/v1/faculty/{faculty_id}", json=body, headers=portal.faculty(faculty_id))
    assert refused.status_code == 403 and refused.json()["code"] == "FORBIDDEN"


async def test_passing_list_pdf_and_csv_for_the_teacher_and_the_center(portal: Portal, engine: Engine) -> None:
    """R23: GET /v1/semesters/{id}/passing-lists/{faculty_id}.pdf is the printable list the exam-week mail
    attaches: the student, the project, a signature line and Office T4-832; .csv has the same rows. The
    teacher and the center may fetch it; another teacher gets 404, a student or OSA 403, an unknown teacher
    or semester 404."""
    semester_id = await current_semester(portal, engine)
    project_id, student_id, faculty_id = await portal.under_evaluation()
    await portal.evaluate(project_id, faculty_id, "pass")
    view = await portal.view(project_id)
    assert view["credit"]["granted"] and view["credit"]["semester_id"] == semester_id
    pdf_url = f"/v1/semesters/{semester_id}/passing-lists/{faculty_id}.pdf"

    # The pass reaches the read model (whose supervisor the list is filed under) a moment later.
    async def listed() -> bytes:
        return (await portal.http.get(pdf_url.removesuffix(".pdf") + ".csv", headers=portal.center)).content

    await eventually(listed, lambda data: student_id.encode() in data)
    for headers in (portal.faculty(faculty_id), portal.center):
        pdf = await portal.http.get(pdf_url, headers=headers)
        assert pdf.status_code == 200
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.headers["content-disposition"] == (
            f'attachment; filename="passing-list-{semester_id}-{faculty_id}.pdf"'
        )
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert student_id in text and view["proposal"]["title"] in text
    assert "T4-832" in text and "Signature" in text and "____" in text

    response = await portal.http.get(pdf_url.removesuffix(".pdf") + ".csv", headers=portal.faculty(faculty_id))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].endswith(f'filename="passing-list-{semester_id}-{faculty_id}.csv"')
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["student_id"], r["project_id"], r["supervisor_id"]) for r in rows] == [
        (student_id, project_id, faculty_id)
    ]

    other = (await portal.add_faculty())["id"]
    for headers, status, code in (
        (portal.faculty(other), 404, "NOT_FOUND"),
        (portal.student(student_id), 403, "FORBIDDEN"),
        (portal.osa, 403, "FORBIDDEN"),
    ):
        refused = await portal.http.get(pdf_url, headers=headers)
        assert (refused.status_code, refused.json()["code"]) == (status, code)
    unknown_teacher = await portal.http.get(
        f"/v1/semesters/{semester_id}/passing-lists/{unique('T')}.csv", headers=portal.center
    )
    assert unknown_teacher.status_code == 404
    unknown_semester = await portal.http.get(
        f"/v1/semesters/2199-summer/passing-lists/{faculty_id}.pdf", headers=portal.center
    )
    assert unknown_semester.status_code == 404
    assert unknown_semester.headers["content-type"] == "application/problem+json"
