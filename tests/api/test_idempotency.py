"""SPEC §4 and the IETF Idempotency-Key draft, on every mutating route (issue 9, item 6): a key names one
request. Sent again with the same body it answers the first outcome; sent with another body it is refused with
422 IDEMPOTENCY_KEY_REUSED and the second request is not applied."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from tests.api.portal import Portal, closure_report, jpeg, proposal, unique


@dataclass
class Call:
    """One mutating call, set up for the test: where, as whom, and two different bodies."""

    method: str
    path: str
    headers: dict[str, str]
    first: dict[str, Any]
    second: dict[str, Any]


def as_json(body: dict[str, Any]) -> dict[str, Any]:
    return {"json": body}


def photo(color: str, caption: str) -> dict[str, Any]:
    return {
        "files": {"file": (f"{color}.jpg", jpeg(color=color), "image/jpeg")},
        "data": {"kind": "participation", "caption": caption},
    }


def group_body(members: list[str], title: str) -> dict[str, Any]:
    return {**proposal(title=title), "members": members}


async def submit_project(portal: Portal) -> Call:
    student = await portal.add_student()
    first, second = proposal(title="Reading club at Wanhua"), proposal(title="Beach clean-up at Fulong")
    return Call("POST", "/v1/projects", portal.student(student), as_json(first), as_json(second))


async def submit_group(portal: Portal) -> Call:
    applicant, member = await portal.add_student(), await portal.add_student()
    members = [applicant, member]
    first, second = group_body(members, "Beach clean-up at Fulong"), group_body(members, "River clean-up in Xindian")
    return Call("POST", "/v1/groups", portal.student(applicant), as_json(first), as_json(second))


async def review(portal: Portal) -> Call:
    project = await portal.submit(await portal.add_student())
    return Call(
        "POST",
        f"/v1/projects/{project['id']}/review",
        portal.center,
        as_json({"decision": "approve"}),
        as_json({"decision": "reject", "comment": "Not social practice."}),
    )


async def revise(portal: Portal) -> Call:
    student = await portal.add_student()
    project = await portal.submit(student)
    url = f"/v1/projects/{project['id']}/review"
    portal.ok(
        await portal.http.post(url, json={"decision": "request_changes", "comment": "Dates?"}, headers=portal.center)
    )
    return Call(
        "PUT",
        f"/v1/projects/{project['id']}/proposal",
        portal.student(student),
        as_json(proposal(title="Reading club, Tuesdays")),
        as_json(proposal(title="Reading club, Thursdays")),
    )


async def invite(portal: Portal) -> Call:
    project_id, student = await portal.approved()
    one, other = await portal.add_faculty(), await portal.add_faculty()
    return Call(
        "POST",
        f"/v1/projects/{project_id}/invitation",
        portal.student(student),
        as_json({"faculty_email": one["email"], "reflection_format": "conversation"}),
        as_json({"faculty_email": other["email"], "reflection_format": "conversation"}),
    )


async def respond(portal: Portal) -> Call:
    project_id, student = await portal.approved()
    teacher = await portal.add_faculty()
    await portal.invite(project_id, student, teacher)
    return Call(
        "POST",
        f"/v1/projects/{project_id}/invitation/response",
        portal.faculty(teacher["id"]),
        as_json({"accept": True}),
        as_json({"accept": False, "reason": "On sabbatical."}),
    )


HOURS = {"date": "2026-03-09", "kind": "execution", "description": "Reading session"}


async def log_hours(portal: Portal) -> Call:
    project_id, student, _teacher = await portal.in_progress()
    return Call(
        "POST",
        f"/v1/projects/{project_id}/hours",
        portal.student(student),
        as_json({**HOURS, "hours": 2}),
        as_json({**HOURS, "hours": 3}),
    )


async def verify(portal: Portal) -> Call:
    project_id, student, _teacher = await portal.in_progress()
    entry = await portal.log_hours(project_id, student, 2, date(2026, 3, 9), source="campus_club")
    return Call(
        "POST",
        f"/v1/projects/{project_id}/hours/{entry['created_id']}/verification",
        portal.osa,
        as_json({"verified": True, "note": "Confirmed"}),
        as_json({"verified": False, "note": "Not a member"}),
    )


async def upload(portal: Portal) -> Call:
    project_id, student, _teacher = await portal.in_progress()
    return Call(
        "POST",
        f"/v1/projects/{project_id}/evidence",
        portal.student(student),
        photo("teal", "Reading with pupils; I am on the left."),
        photo("maroon", "Sorting donated books; I am in the middle."),
    )


async def _ready_to_close(portal: Portal) -> tuple[str, str, str]:
    project_id, student, teacher = await portal.in_progress()
    await portal.log_required_hours(project_id, student)
    await portal.add_evidence(project_id, student)
    return project_id, student, teacher


async def close(portal: Portal) -> Call:
    project_id, student, _teacher = await _ready_to_close(portal)
    other = {**closure_report(), "narrative": "A different account of the twelve weeks at the library. " * 2}
    return Call(
        "POST",
        f"/v1/projects/{project_id}/closure-report",
        portal.student(student),
        as_json(closure_report()),
        as_json(other),
    )


async def evaluate(portal: Portal) -> Call:
    project_id, student, teacher = await _ready_to_close(portal)
    await portal.submit_closure(project_id, student)
    return Call(
        "POST",
        f"/v1/projects/{project_id}/evaluation",
        portal.faculty(teacher),
        as_json({"result": "revise", "feedback": "Expand the reflection."}),
        as_json({"result": "fail", "feedback": "No reflection record."}),
    )


async def withdraw(portal: Portal) -> Call:
    project_id, student = await portal.approved()
    return Call(
        "POST",
        f"/v1/projects/{project_id}/withdrawal",
        portal.student(student),
        as_json({"reason": "Moving abroad."}),
        as_json({"reason": "Too busy this semester."}),
    )


async def reassign(portal: Portal) -> Call:
    project_id, _student, _teacher = await portal.in_progress()
    one, other = await portal.add_faculty(), await portal.add_faculty()
    return Call(
        "POST",
        f"/v1/projects/{project_id}/supervisor",
        portal.center,
        as_json({"faculty_id": one["id"], "reason": "The supervisor left."}),
        as_json({"faculty_id": other["id"], "reason": "The supervisor left."}),
    )


async def _group(portal: Portal) -> tuple[str, list[str]]:
    members = [await portal.add_student(), await portal.add_student()]
    headers = {**portal.student(members[0]), "Idempotency-Key": unique("g")}
    created = portal.ok(await portal.http.post("/v1/groups", json=group_body(members, "Fulong"), headers=headers), 201)
    return str(created["created_id"]), members


async def review_group(portal: Portal) -> Call:
    group_id, _members = await _group(portal)
    return Call(
        "POST",
        f"/v1/groups/{group_id}/review",
        portal.center,
        as_json({"decision": "approve"}),
        as_json({"decision": "reject", "comment": "Too vague."}),
    )


async def revise_group(portal: Portal) -> Call:
    group_id, members = await _group(portal)
    url = f"/v1/groups/{group_id}/review"
    portal.ok(
        await portal.http.post(url, json={"decision": "request_changes", "comment": "When?"}, headers=portal.center)
    )
    return Call(
        "PUT",
        f"/v1/groups/{group_id}/proposal",
        portal.student(members[0]),
        as_json(group_body(members, "Fulong, every Saturday")),
        as_json(group_body(members, "Fulong, every Sunday")),
    )


async def put_student(portal: Portal) -> Call:
    student = unique("B")
    email = f"{student.lower()}@mail.example.edu"
    return Call(
        "PUT",
        f"/v1/students/{student}",
        portal.center,
        as_json({"name": "Lin Mei-Hua", "email": email}),
        as_json({"name": "Lin Mei-Hua", "email": email, "has_internship_credit": True}),
    )


async def put_faculty(portal: Portal) -> Call:
    teacher = unique("T")
    email = f"{teacher.lower()}@staff.example.edu"
    return Call(
        "PUT",
        f"/v1/faculty/{teacher}",
        portal.center,
        as_json({"name": "Prof Chen", "email": email, "rank": "professor"}),
        as_json({"name": "Prof Chen", "email": email, "rank": "staff"}),
    )


async def put_semester(portal: Portal) -> Call:
    dates = {"starts_on": "2031-02-17", "final_exam_week_starts_on": "2031-06-16", "ends_on": "2031-06-29"}
    return Call(
        "PUT",
        "/v1/semesters/2031-spring",
        portal.center,
        as_json(dates),
        as_json({**dates, "ends_on": "2031-06-30"}),
    )


ROUTES: dict[str, Callable[[Portal], Awaitable[Call]]] = {
    "POST /v1/projects": submit_project,
    "POST /v1/groups": submit_group,
    "POST /v1/projects/{id}/review": review,
    "PUT /v1/projects/{id}/proposal": revise,
    "POST /v1/projects/{id}/invitation": invite,
    "POST /v1/projects/{id}/invitation/response": respond,
    "POST /v1/projects/{id}/hours": log_hours,
    "POST /v1/projects/{id}/hours/{entry_id}/verification": verify,
    "POST /v1/projects/{id}/evidence": upload,
    "POST /v1/projects/{id}/closure-report": close,
    "POST /v1/projects/{id}/evaluation": evaluate,
    "POST /v1/projects/{id}/withdrawal": withdraw,
    "POST /v1/projects/{id}/supervisor": reassign,
    "POST /v1/groups/{id}/review": review_group,
    "PUT /v1/groups/{id}/proposal": revise_group,
    "PUT /v1/students/{id}": put_student,
    "PUT /v1/faculty/{id}": put_faculty,
    "PUT /v1/semesters/{id}": put_semester,
}


@pytest.mark.parametrize("route", sorted(ROUTES))
async def test_a_key_reused_with_another_body_is_refused(portal: Portal, route: str) -> None:
    """The first request acts; the same key with the same body answers the same; the same key with another
    body is 422 IDEMPOTENCY_KEY_REUSED and leaves what the first did as it was."""
    call = await ROUTES[route](portal)
    headers = {**call.headers, "Idempotency-Key": unique("idem")}
    first = await portal.http.request(call.method, call.path, headers=headers, **call.first)
    assert first.status_code in (200, 201), first.text
    again = await portal.http.request(call.method, call.path, headers=headers, **call.first)
    assert again.status_code == first.status_code, again.text
    other = await portal.http.request(call.method, call.path, headers=headers, **call.second)
    assert other.status_code == 422, other.text
    assert other.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    replay = await portal.http.request(call.method, call.path, headers=headers, **call.first)
    assert replay.status_code == first.status_code, replay.text
    assert _comparable(replay.json()) == _comparable(first.json())


def _comparable(body: Any) -> Any:
    """An answer without what a directory PUT restates of workflows started meanwhile."""
    if isinstance(body, dict):
        return {k: v for k, v in body.items() if k not in ("departure",)}
    return body
