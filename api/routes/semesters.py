"""The semester calendar (R25) for everyone signed in, and R23: a supervisor's passing list for a semester,
printable (PDF with a signature line) and as CSV. The center edits the calendar with
`PUT /v1/semesters/{id}` (routes/directory.py).

The same functions build the attachments of the final-exam-week mail (activities.passing_list), so what a
supervisor downloads here is what they were sent. Only the teacher themself and the center may fetch it;
another teacher gets 404 as if the list did not exist.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from starlette.concurrency import run_in_threadpool

from activities.passing_list import CSV_ENCODING, passing_list_csv, passing_list_filename, passing_list_pdf
from api.auth import Claims, FacultyOrCenter, Reader
from api.deps import EntryId, SemesterId, SettingsDep, StoreDep
from api.errors import AUTH, READ, problems
from domain.calendar import Semester
from domain.errors import Code, RuleViolation
from domain.passing import PassingList
from domain.vocabulary import Role
from store import directory, passing

router = APIRouter(prefix="/v1/semesters", tags=["semesters"])

PDF = "application/pdf"
CSV = "text/csv; charset=utf-8"


def _download(description: str, media_type: str, schema: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "description": description,
            "content": {media_type: {"schema": schema}},
            "headers": {
                "Content-Disposition": {
                    "description": '`attachment; filename="passing-list-<semester>-<faculty>.<ext>"`',
                    "schema": {"type": "string"},
                }
            },
        },
        **problems(*READ),
    }


async def _passing_list(user: Claims, store: StoreDep, semester_id: str, faculty_id: str) -> PassingList:
    if user.role is Role.FACULTY and user.sub != faculty_id:
        raise RuleViolation(Code.NOT_FOUND, "No such passing list.")
    found = await store.run(passing.passing_list, semester_id, faculty_id)
    if found is None:
        raise RuleViolation(Code.NOT_FOUND, f"No semester {semester_id} or no teacher {faculty_id} in the directory.")
    return found


def _attachment(found: PassingList, extension: str) -> dict[str, str]:
    # Ids are ASCII letters, digits, `.`, `_` and `-` (the directory's rule): safe in a quoted filename.
    return {"Content-Disposition": f'attachment; filename="{passing_list_filename(found, extension)}"'}


@router.get("", summary="List the semesters", responses=problems(*AUTH))
async def list_semesters(user: Reader, store: StoreDep) -> list[Semester]:
    """R25: the calendar in order, Asia/Taipei dates; a project belongs to the semester containing the day
    it was submitted (or the conventional term, for a day the calendar does not cover)."""
    return await store.run(directory.list_semesters)


@router.get(
    "/{semester_id}/passing-lists/{faculty_id}.pdf",
    summary="A supervisor's printable passing list",
    response_class=Response,
    responses=_download(
        "A4 PDF: the students who passed with the teacher this semester, their projects and pass dates, "
        "the pending evaluations, a signature line and where to send it (the profile's office; NTUST: T4-832).",
        PDF,
        {"type": "string", "format": "binary"},
    ),
)
async def passing_list_as_pdf(
    semester_id: SemesterId, faculty_id: EntryId, user: FacultyOrCenter, store: StoreDep, settings: SettingsDep
) -> Response:
    """R23: to print, sign and send to the course profile's office (NTUST: T4-832) before the semester ends;
    the teacher or the center."""
    found = await _passing_list(user, store, semester_id, faculty_id)
    data = await run_in_threadpool(passing_list_pdf, found, settings.profile)
    return Response(data, media_type=PDF, headers=_attachment(found, "pdf"))


@router.get(
    "/{semester_id}/passing-lists/{faculty_id}.csv",
    summary="A supervisor's passing list as CSV",
    response_class=Response,
    responses=_download(
        "UTF-8 CSV with a byte order mark (Excel shows the names): semester_id, supervisor_id, student_id, "
        "name, project_id, title, passed_on (a Taipei date).",
        CSV,
        {"type": "string"},
    ),
)
async def passing_list_as_csv(
    semester_id: SemesterId, faculty_id: EntryId, user: FacultyOrCenter, store: StoreDep
) -> Response:
    """R23: the same list for a spreadsheet; the teacher or the center."""
    found = await _passing_list(user, store, semester_id, faculty_id)
    return Response(passing_list_csv(found).encode(CSV_ENCODING), media_type=CSV, headers=_attachment(found, "csv"))
