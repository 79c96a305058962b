"""The exact contract (issue 12, item 1): one JSON shape for hours and indicators, typed views, the one action
envelope, conditional requests with the project's revision, the directory read back, and the schema's
version."""

from __future__ import annotations

import re
from datetime import date
from importlib.metadata import version
from typing import Any

from fastapi import FastAPI

from tests.api.portal import Portal, closure_report, proposal, unique
from tests.api.test_groups import submit_group

HOURS = {"type": "number", "multipleOf": 0.5, "minimum": 0}


async def test_hours_are_json_numbers_in_views_lists_and_envelopes(portal: Portal, app: FastAPI) -> None:
    """R14/issue 12: hours and every total are JSON numbers (never `"4.00"`): in the action's envelope, the
    project, its hours entries and the list row; the schema says `number` with `multipleOf: 0.5`."""
    project_id, student_id, _ = await portal.in_progress()
    logged = await portal.log_hours(project_id, student_id, 2.5, date(2026, 3, 2))
    await portal.log_hours(project_id, student_id, 4, date(2026, 3, 3))
    assert logged["project"]["counted_hours"] == 2.5
    view = await portal.view(project_id)
    assert [entry["hours"] for entry in view["hours"]] == [2.5, 4]
    assert [entry["counts"] for entry in view["hours"]] == [True, True]
    assert view["counted_hours"] == 6.5 and view["required_hours"] == 36
    page = portal.ok(await portal.http.get("/v1/projects", headers=portal.student(student_id)))
    assert [item["counted_hours"] for item in page["items"] if item["id"] == project_id] == [6.5]

    schemas = app.openapi()["components"]["schemas"]
    for model, field in (
        ("ProjectItem", "counted_hours"),
        ("ProjectPublic", "counted_hours"),
        ("HoursEntryPublic", "hours"),
    ):
        described = schemas[model]["properties"][field]
        assert {k: described[k] for k in ("type", "multipleOf", "minimum")} == HOURS, model


async def test_indicators_have_one_shape_in_proposal_and_closure_report(portal: Portal) -> None:
    """R7/R18/issue 12: the closure report's indicators are `[{indicator, how}]` like the proposal's, sent and
    read back so; the old map form is a VALIDATION_ERROR, as is an indicator reported twice."""
    project_id, _student, _ = await portal.under_evaluation()
    view = await portal.view(project_id)
    assert view["submission"]["report"]["indicators"] == closure_report()["indicators"]
    assert view["proposal"]["indicators"][0].keys() == view["submission"]["report"]["indicators"][0].keys()

    other_id, other_student, _ = await portal.in_progress()
    url = f"/v1/projects/{other_id}/closure-report"
    as_map = {**closure_report(), "indicators": {"civic_consciousness": "Pupils now run the book exchange."}}
    twice = {**closure_report(), "indicators": closure_report()["indicators"] * 2}
    for body in (as_map, twice):
        refused = await portal.http.post(url, json=body, headers=portal.student(other_student))
        assert refused.status_code == 422 and refused.json()["code"] == "VALIDATION_ERROR", refused.text


async def test_views_are_typed(portal: Portal, app: FastAPI) -> None:
    """Issue 12: `deadlines`, `next_nudge`, `priority` and the checklist (`missing`) are typed in OpenAPI, and
    the view fills them: every deadline key present (null when it does not apply), the next nudge's kind and
    time (R12's invitation reminder here)."""
    schemas = app.openapi()["components"]["schemas"]
    public = schemas["ProjectPublic"]["properties"]
    assert public["deadlines"] == {"$ref": "#/components/schemas/Deadlines"}
    assert public["next_nudge"]["anyOf"][0] == {"$ref": "#/components/schemas/NextNudge"}
    assert public["priority"] == {"$ref": "#/components/schemas/Priority"}
    assert public["missing"]["items"] == {"$ref": "#/components/schemas/Problem"}
    assert set(schemas["Deadlines"]["properties"]) == {
        "invitation_expires_at",
        "reminder_request_allowed_from",
        "semester_deadline",
        "submit_by",
    }

    project_id, student_id = await portal.approved()
    await portal.invite(project_id, student_id, await portal.add_faculty())
    view = await portal.view(project_id)
    assert view["deadlines"]["invitation_expires_at"] is not None and view["deadlines"]["submit_by"] is None
    assert view["next_nudge"]["kind"] == "invitation_reminder" and view["priority"] == "high"
    assert {problem["code"] for problem in view["missing"]} >= {"SUPERVISOR_NOT_CONFIRMED", "PHOTOS_MISSING"}


async def test_every_action_answers_one_envelope(portal: Portal) -> None:
    """Issue 12: a proposal's submission, a project's action and a group's action all answer
    `{<project or group>, created_id, warning}`."""
    student_id = await portal.add_student()
    headers = {**portal.student(student_id), "Idempotency-Key": unique("k")}
    body = proposal(title="Tutoring at the Da'an community centre")
    submitted = portal.ok(await portal.http.post("/v1/projects", json=body, headers=headers), 201)
    reviewed = await portal.approve(submitted["created_id"])
    group = await submit_group(portal, [student_id, await portal.add_student()])
    group_reviewed = portal.ok(
        await portal.http.post(f"/v1/groups/{group['id']}/review", json={"decision": "approve"}, headers=portal.center)
    )
    for answer, resource in ((submitted, "project"), (reviewed, "project"), (group_reviewed, "group")):
        assert set(answer) == {resource, "created_id", "warning"}, answer


async def test_etag_and_if_match_guard_a_change_against_a_stale_read(portal: Portal) -> None:
    """Issue 12: `GET /v1/projects/{id}` answers `ETag: "<revision>"`; a change with a stale `If-Match` is
    412 PRECONDITION_FAILED and leaves no trace (same revision, same audit trail); with the current one it
    acts; `If-None-Match` with the current tag is 304; a tag that names no revision is 412 too."""
    project_id, student_id = await portal.approved()
    read = await portal.http.get(f"/v1/projects/{project_id}", headers=portal.center)
    etag = read.headers["ETag"]
    assert etag == f'"{read.json()["revision"]}"'
    assert (
        await portal.http.get(f"/v1/projects/{project_id}", headers={**portal.center, "If-None-Match": etag})
    ).status_code == 304

    url = f"/v1/projects/{project_id}/invitation"
    faculty = await portal.add_faculty()
    body = {"faculty_email": faculty["email"], "reflection_format": "conversation"}
    stale = f'"{read.json()["revision"] - 1}"'
    for tag in (stale, "not-a-tag"):
        refused = await portal.http.post(url, json=body, headers={**portal.student(student_id), "If-Match": tag})
        assert refused.status_code == 412 and refused.json()["code"] == "PRECONDITION_FAILED", refused.text
    unchanged = await portal.view(project_id)
    assert unchanged["revision"] == read.json()["revision"] and unchanged["audit"] == read.json()["audit"]

    acted = portal.ok(await portal.http.post(url, json=body, headers={**portal.student(student_id), "If-Match": etag}))
    assert acted["project"]["stage"] == "SUPERVISOR_INVITED"
    assert acted["project"]["revision"] > read.json()["revision"]


async def test_group_etag_and_if_match(portal: Portal) -> None:
    """Issue 12: a group has an ETag too; a review with a stale If-Match is 412 and the group stays in review."""
    group = await submit_group(portal, [await portal.add_student(), await portal.add_student()])
    url = f"/v1/groups/{group['id']}"
    read = await portal.http.get(url, headers=portal.center)
    assert read.headers["ETag"] == f'"{read.json()["revision"]}"'
    stale = {**portal.center, "If-Match": f'"{read.json()["revision"] + 5}"'}
    refused = await portal.http.post(f"{url}/review", json={"decision": "approve"}, headers=stale)
    assert refused.status_code == 412, refused.text
    assert portal.ok(await portal.http.get(url, headers=portal.center))["stage"] == "PROPOSAL_REVIEW"


async def test_the_directory_reads_back(portal: Portal) -> None:
    """Issue 12: the center reads one teacher or student and pages through each list (faculty by department
    and by whether they leave, R13); a teacher or student reads their own entry, nobody else's (404), and
    only the center lists (403)."""
    department = unique("Dept ")
    staying = await put_teacher(portal, department, None)
    leaving = await put_teacher(portal, department, "2026-fall")
    assert portal.ok(await portal.http.get(f"/v1/faculty/{staying['id']}", headers=portal.center)) == staying
    assert (
        portal.ok(await portal.http.get(f"/v1/faculty/{leaving['id']}", headers=portal.faculty(leaving["id"])))
        == leaving
    )
    other = await portal.http.get(f"/v1/faculty/{staying['id']}", headers=portal.faculty(leaving["id"]))
    assert other.status_code == 404

    page = portal.ok(await portal.http.get("/v1/faculty", params={"department": department}, headers=portal.center))
    assert [f["id"] for f in page["items"]] == sorted([staying["id"], leaving["id"]], key=lambda i: f"Prof {i}")
    assert page["total"] == 2 and page["limit"] == 50 and page["offset"] == 0
    only = {"department": department, "leaving": "true"}
    assert [
        f["id"] for f in portal.ok(await portal.http.get("/v1/faculty", params=only, headers=portal.center))["items"]
    ] == [leaving["id"]]
    second = portal.ok(
        await portal.http.get(
            "/v1/faculty", params={"department": department, "limit": 1, "offset": 1}, headers=portal.center
        )
    )
    assert len(second["items"]) == 1 and second["total"] == 2

    student_id = await portal.add_student()
    entry = portal.ok(await portal.http.get(f"/v1/students/{student_id}", headers=portal.center))
    assert entry["id"] == student_id and entry["has_internship_credit"] is False
    assert portal.ok(await portal.http.get(f"/v1/students/{student_id}", headers=portal.student(student_id))) == entry
    assert (await portal.http.get(f"/v1/students/{student_id}", headers=portal.student(unique("B")))).status_code == 404
    assert (await portal.http.get("/v1/students/B-nobody", headers=portal.center)).status_code == 404
    students = portal.ok(await portal.http.get("/v1/students", params={"limit": 200}, headers=portal.center))
    assert students["total"] >= 1 and students["limit"] == 200
    assert (await portal.http.get("/v1/students", headers=portal.student(student_id))).status_code == 403
    assert (await portal.http.get("/v1/faculty", headers=portal.faculty(staying["id"]))).status_code == 403


async def put_teacher(portal: Portal, department: str, leaving_after: str | None) -> dict[str, Any]:
    faculty_id = unique("T")
    body = {
        "name": f"Prof {faculty_id}",
        "email": f"{faculty_id.lower()}@staff.example.edu",
        "rank": "professor",
        "department": department,
        "leaving_after": leaving_after,
    }
    saved = portal.ok(await portal.http.put(f"/v1/faculty/{faculty_id}", json=body, headers=portal.center), 201)
    entry = saved["faculty"]
    assert isinstance(entry, dict)
    return entry


def test_the_schema_names_the_package_version(app: FastAPI) -> None:
    """Issue 12: `info.version` is the release a generated client was made from."""
    assert app.openapi()["info"]["version"] == version("praxis")


async def test_docs_load_their_assets_from_the_package(portal: Portal) -> None:
    """Issue 12: Swagger UI (/docs) and ReDoc (/redoc) work without internet: every script and stylesheet
    they name is served by Praxis itself, none comes from a CDN."""
    for page in ("/docs", "/redoc"):
        html = (await portal.http.get(page)).text
        assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css|png))"', html)
        assert assets, page
        for asset in assets:
            assert asset.startswith("/"), f"{page} loads {asset} from elsewhere"
            served = await portal.http.get(asset)
            assert served.status_code == 200 and len(served.content) > 1000, asset
