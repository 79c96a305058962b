"""SPEC §4, issue 9 item 5: who may call what, every role against every route, on one project in IN_PROGRESS
with an entry of club hours awaiting OSA. Each cell is the status that caller gets: 401 without a token, 403
for a role the route is not for, 404 for a project the caller may not know exists, and for those let through,
what the project's stage makes of the call. OSA reads no project (SPEC §4 gives reads to the owner, the
supervisor and the center); it verifies the club hours it is mailed about, and nothing else."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest

from tests.api.portal import Portal, closure_report, jpeg, proposal, unique

ACTORS = ("owner", "other_student", "supervisor", "other_faculty", "center", "osa", "no_token")


@dataclass
class Scene:
    project_id: str
    owner: str
    other_student: str
    supervisor: str
    other_faculty: str
    other_faculty_email: str
    entry_id: str
    evidence_id: str


@pytest.fixture
async def scene(portal: Portal) -> Scene:
    project_id, owner, supervisor = await portal.in_progress()
    other_student = await portal.add_student()
    other_faculty = await portal.add_faculty()
    club = await portal.log_hours(
        project_id, owner, 3, date(2026, 3, 9), source="campus_club", description="Campus tutoring club"
    )
    upload = portal.ok(await portal.upload(project_id, owner, jpeg(color="navy")), 201)
    return Scene(
        project_id,
        owner,
        other_student,
        supervisor,
        other_faculty["id"],
        other_faculty["email"],
        club["created_id"],
        upload["created_id"],
    )


def headers(portal: Portal, scene: Scene, who: str) -> dict[str, str]:
    by_actor: dict[str, Callable[[], dict[str, str]]] = {
        "owner": lambda: portal.student(scene.owner),
        "other_student": lambda: portal.student(scene.other_student),
        "supervisor": lambda: portal.faculty(scene.supervisor),
        "other_faculty": lambda: portal.faculty(scene.other_faculty),
        "center": lambda: portal.center,
        "osa": lambda: portal.osa,
        "no_token": lambda: {},
    }
    return {**by_actor[who](), "Idempotency-Key": unique("k")}


def row(*statuses: int) -> dict[str, int]:
    assert len(statuses) == len(ACTORS)
    return dict(zip(ACTORS, statuses, strict=True))


# (what, method, path template, body) -> the status each actor gets. Reads first, then refused or harmless
# actions; the cells that change the project (hours, verification, upload) come last, the withdrawal at the end.
TABLE: list[tuple[str, str, str, Any, dict[str, int]]] = [
    #                                                    owner other sup  other_f center osa  none
    ("read", "GET", "/v1/projects/{p}", None, row(200, 404, 200, 404, 200, 403, 401)),
    ("list", "GET", "/v1/projects", None, row(200, 200, 200, 200, 200, 403, 401)),
    ("photo", "GET", "/v1/projects/{p}/evidence/{e}", None, row(200, 404, 200, 404, 200, 403, 401)),
    ("review", "POST", "/v1/projects/{p}/review", {"decision": "approve"}, row(403, 403, 403, 403, 409, 403, 401)),
    ("revise", "PUT", "/v1/projects/{p}/proposal", "proposal", row(409, 404, 403, 403, 403, 403, 401)),
    (
        "invite",
        "POST",
        "/v1/projects/{p}/invitation",
        "invitation",
        row(409, 404, 403, 403, 403, 403, 401),
    ),
    ("cancel", "DELETE", "/v1/projects/{p}/invitation", None, row(409, 404, 403, 403, 403, 403, 401)),
    (
        "respond",
        "POST",
        "/v1/projects/{p}/invitation/response",
        {"accept": True},
        row(403, 403, 409, 404, 403, 403, 401),
    ),
    (
        "closure",
        "POST",
        "/v1/projects/{p}/closure-report",
        "closure",
        row(422, 404, 403, 403, 403, 403, 401),
    ),
    (
        "evaluate",
        "POST",
        "/v1/projects/{p}/evaluation",
        {"result": "pass", "feedback": ""},
        row(403, 403, 409, 404, 403, 403, 401),
    ),
    ("remind", "POST", "/v1/projects/{p}/supervisor-reminder", {}, row(409, 404, 403, 403, 403, 403, 401)),
    (
        "reassign",
        "POST",
        "/v1/projects/{p}/supervisor",
        {"faculty_id": "T-nobody", "reason": "test"},
        row(403, 403, 403, 403, 422, 403, 401),
    ),
    ("student", "PUT", "/v1/students/{s}", "student", row(403, 403, 403, 403, 200, 403, 401)),
    ("teacher", "PUT", "/v1/faculty/{f}", "faculty", row(403, 403, 403, 403, 200, 403, 401)),
    ("passing", "GET", "/v1/semesters/2026-fall/passing-lists/{t}.csv", None, row(403, 403, 200, 404, 200, 403, 401)),
    (
        "hours",
        "POST",
        "/v1/projects/{p}/hours",
        "hours",
        row(201, 404, 403, 403, 403, 403, 401),
    ),
    (
        "verify",
        "POST",
        "/v1/projects/{p}/hours/{h}/verification",
        {"verified": True, "note": "Confirmed with the club"},
        row(403, 403, 403, 403, 403, 200, 401),
    ),
    ("upload", "POST", "/v1/projects/{p}/evidence", "upload", row(201, 404, 403, 403, 403, 403, 401)),
    ("withdraw", "POST", "/v1/projects/{p}/withdrawal", {}, row(200, 404, 403, 403, 403, 403, 401)),
]


def _body(kind: Any, scene: Scene) -> dict[str, Any]:
    if kind == "proposal":
        return {"json": proposal()}
    if kind == "invitation":
        return {"json": {"faculty_email": scene.other_faculty_email, "reflection_format": "conversation"}}
    if kind == "closure":
        return {"json": closure_report()}
    if kind == "student":
        return {"json": {"name": "Lin Mei-Hua", "email": f"{scene.other_student.lower()}@mail.example.edu"}}
    if kind == "faculty":
        return {"json": {"name": "Prof Other", "email": scene.other_faculty_email, "rank": "professor"}}
    if kind == "hours":
        return {"json": {"date": "2026-03-10", "hours": 1, "kind": "execution", "description": "Reading session"}}
    if kind == "upload":
        return {
            "files": {"file": ("p.jpg", jpeg(color="olive"), "image/jpeg")},
            "data": {"kind": "participation", "caption": "Reading with pupils; I am on the left."},
        }
    return {"json": kind} if kind is not None else {}


async def test_every_role_against_every_route(portal: Portal, scene: Scene) -> None:
    """Each (route, caller) cell answers its status; the cells that would leak a project to a stranger (a
    read, a photo, an action's check) are 404 or 403, never 200, and OSA reaches only the verification."""
    await portal.http.put(
        "/v1/semesters/2026-fall",
        json={"starts_on": "2026-09-01", "final_exam_week_starts_on": "2027-01-11", "ends_on": "2027-01-22"},
        headers=portal.center,
    )
    wrong: list[str] = []
    for what, method, template, kind, expected in TABLE:
        path = template.format(
            p=scene.project_id,
            e=scene.evidence_id,
            h=scene.entry_id,
            s=scene.other_student,
            f=scene.other_faculty,
            t=scene.supervisor,
        )
        for who in ACTORS:
            response: httpx.Response = await portal.http.request(
                method, path, headers=headers(portal, scene, who), **_body(kind, scene)
            )
            if response.status_code != expected[who]:
                wrong.append(f"{what} as {who}: {response.status_code} (want {expected[who]}) {response.text[:160]}")
    assert wrong == [], "\n".join(wrong)


async def test_osa_knows_no_project_without_club_hours(portal: Portal) -> None:
    """OSA learns of a project only through club hours it must verify (R15): on a project without any, its
    verification call is 404 like a project that does not exist, whatever entry it names."""
    project_id, owner, _supervisor = await portal.in_progress()
    entry = await portal.log_hours(project_id, owner, 2, date(2026, 3, 9))
    url = f"/v1/projects/{project_id}/hours/{entry['created_id']}/verification"
    response = await portal.http.post(url, json={"verified": True, "note": ""}, headers=portal.osa)
    assert (response.status_code, response.json()["code"]) == (404, "NOT_FOUND")
