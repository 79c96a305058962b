"""Every route's answer is what the OpenAPI document says (issue 12): a portal team generating a client from
/openapi.json gets exactly the shapes the API sends.

A course's whole life runs through an HTTP client whose response hook checks each answer against the
document, as a generated client would: the status is documented for the operation, the content type is
one it lists, and a JSON body validates against its schema (JSON Schema 2020-12, as OpenAPI 3.1 says).
At the end every operation must have been checked at least once.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from jsonschema import Draft202012Validator
from sqlalchemy.engine import Engine

from tests.api.portal import Portal, closure_report, jpeg, proposal, unique
from tests.api.support import eventually
from tests.api.test_groups import group_proposal
from tests.api.test_semesters import current_semester

JSON_TYPES = ("application/json", "application/problem+json")


class Conformance:
    """The response hook: checks each answer against the operation it answers, and counts operations."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.operations: list[tuple[str, str, re.Pattern[str]]] = []
        for template, operations in document["paths"].items():
            pattern = re.compile(re.sub(r"\\\{[^/]+?\\\}", "[^/]+?", re.escape(template)))
            self.operations += [(method.upper(), template, pattern) for method in operations]
        self.checked: dict[tuple[str, str], set[int]] = {}

    def operation(self, method: str, path: str) -> tuple[str, dict[str, Any]] | None:
        found = [t for m, t, p in self.operations if m == method and p.fullmatch(path)]
        if not found:
            return None
        template = min(found, key=lambda t: t.count("{"))  # a literal segment beats a parameter
        return template, self.document["paths"][template][method.lower()]

    async def __call__(self, response: httpx.Response) -> None:
        await response.aread()
        method, path = response.request.method, response.request.url.path
        found = self.operation(method, path)
        assert found is not None, f"{method} {path} is not in the OpenAPI document"
        template, operation = found
        label = f"{method} {template} -> {response.status_code}"
        documented = operation["responses"].get(str(response.status_code))
        assert documented is not None, f"{label}: status not documented ({response.text[:300]})"
        self.checked.setdefault((method, template), set()).add(response.status_code)
        if response.status_code == 304:
            return
        content_type = response.headers["content-type"].split(";")[0].strip()
        listed = {name.split(";")[0].strip(): media for name, media in documented.get("content", {}).items()}
        assert content_type in listed, f"{label}: {content_type} not among {sorted(listed)}"
        if content_type in JSON_TYPES:
            schema = {**listed[content_type]["schema"], "components": self.document["components"]}
            validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
            errors = [
                f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(response.json())
            ]
            assert not errors, f"{label}: {errors[:5]}"


@pytest.fixture
async def checked(app: FastAPI) -> AsyncIterator[tuple[httpx.AsyncClient, Conformance]]:
    conformance = Conformance(app.openapi())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://praxis.test", timeout=30, event_hooks={"response": [conformance]}
    ) as http:
        yield http, conformance


async def test_every_route_answers_as_its_schema_says(
    checked: tuple[httpx.AsyncClient, Conformance], portal: Portal, engine: Engine
) -> None:
    """Issue 12: one course's whole life, a group, the directory and a few refusals through a client that
    checks each answer against the OpenAPI document; every documented operation is checked."""
    http, conformance = checked
    api = Portal(http, portal.settings)
    center = api.center

    assert (await http.get("/healthz")).status_code == 200
    semester_id = await current_semester(api, engine)
    semesters = api.ok(await http.get("/v1/semesters", headers=center))
    # Entered again as it is (an earlier test may have entered it already): the PUT is checked either way.
    (entry,) = (s for s in semesters if s["id"] == semester_id)
    dates = {k: entry[k] for k in ("starts_on", "final_exam_week_starts_on", "ends_on")}
    api.ok(await http.put(f"/v1/semesters/{semester_id}", json=dates, headers=center))
    faculty, successor = await api.add_faculty(), await api.add_faculty()
    api.ok(await http.get(f"/v1/faculty/{faculty['id']}", headers=center))
    api.ok(await http.get("/v1/faculty", params={"department": "Civil Engineering", "limit": 2}, headers=center))
    student_id = await api.add_student()
    api.ok(await http.get(f"/v1/students/{student_id}", headers=api.student(student_id)))
    api.ok(await http.get("/v1/students", headers=center))

    # Step 1: a proposal, sent back once for changes (R8), revised and approved.
    project_id = (await api.submit(student_id))["id"]
    base = f"/v1/projects/{project_id}"
    changes = {"decision": "request_changes", "comment": "Say which school the pupils come from."}
    api.ok(await http.post(f"{base}/review", json=changes, headers=center))
    api.ok(await http.put(f"{base}/proposal", json=proposal(), headers=api.student(student_id)))
    await api.approve(project_id)

    # Step 2: an invitation cancelled, another accepted (R11, R12).
    await api.invite(project_id, student_id, faculty)
    api.ok(await http.delete(f"{base}/invitation", headers=api.student(student_id)))
    await api.invite(project_id, student_id, faculty)
    api.ok(await http.get("/v1/invitations", headers=api.faculty(faculty["id"])))
    await api.accept(project_id, faculty["id"])

    # Step 3: club hours verified by OSA (R15), the rest, and the evidence (R16), one photo read back.
    club = await api.log_hours(project_id, student_id, 1.5, date(2026, 3, 1), source="campus_club")
    verification = {"verified": True, "note": "Club register checked."}
    api.ok(await http.post(f"{base}/hours/{club['created_id']}/verification", json=verification, headers=api.osa))
    await api.log_required_hours(project_id, student_id)
    # Entered by mistake and withdrawn, kept on record uncounted (R16).
    mistake = await api.log_hours(project_id, student_id, 1, date(2026, 3, 9))
    api.ok(
        await http.post(f"{base}/hours/{mistake['created_id']}/withdrawal", json={}, headers=api.student(student_id))
    )
    extra = api.ok(await api.upload(project_id, student_id, jpeg(color="yellow"), filename="extra.jpg"), 201)
    withdraw = f"{base}/evidence/{extra['created_id']}/withdrawal"
    api.ok(await http.post(withdraw, json={"reason": "Wrong photo"}, headers=api.student(student_id)))
    await api.add_evidence(project_id, student_id)
    evidence = (await api.view(project_id))["evidence"][0]["id"]
    assert (await http.get(f"{base}/evidence/{evidence}", headers=center)).status_code == 200

    # Steps 4-5: the report, a reminder (R20), a new supervisor (R22) who passes it (R19, R21).
    await api.submit_closure(project_id, student_id)
    api.ok(await http.post(f"{base}/supervisor-reminder", headers=api.student(student_id)))
    reassign = {"faculty_id": successor["id"], "reason": "Prof left for a sabbatical."}
    api.ok(await http.post(f"{base}/supervisor", json=reassign, headers=center))
    await api.evaluate(project_id, successor["id"], "pass")
    api.ok(await http.get(f"{base}", headers=api.student(student_id)))
    api.ok(await http.get("/v1/projects", params={"stage": "PASSED"}, headers=center))
    lists = f"/v1/semesters/{semester_id}/passing-lists/{successor['id']}"
    await eventually(lambda: http.get(f"{lists}.csv", headers=center), lambda r: student_id in r.text)
    assert (await http.get(f"{lists}.pdf", headers=center)).status_code == 200

    # A second project withdrawn (R24); a group sent back and revised (R9).
    other = await api.submit(await api.add_student())
    api.ok(await http.post(f"/v1/projects/{other['id']}/withdrawal", json={}, headers=api.student(other["student_id"])))
    members = [student_id, await api.add_student()]
    headers = {**api.student(student_id), "Idempotency-Key": unique("g")}
    group = api.ok(await http.post("/v1/groups", json=group_proposal(members), headers=headers), 201)["group"]
    api.ok(await http.post(f"/v1/groups/{group['id']}/review", json=changes, headers=center))
    api.ok(await http.put(f"/v1/groups/{group['id']}/proposal", json=group_proposal(members), headers=headers))
    api.ok(await http.get(f"/v1/groups/{group['id']}", headers=center))
    api.ok(await http.get("/v1/groups", headers=api.student(student_id)))
    applicant = await api.add_student()
    mine = {**api.student(applicant), "Idempotency-Key": unique("g")}
    dropped = api.ok(await http.post("/v1/groups", json=group_proposal([applicant, student_id]), headers=mine), 201)
    api.ok(await http.post(f"/v1/groups/{dropped['group']['id']}/withdrawal", json={}, headers=api.student(applicant)))

    # The directory's own trail (R24), the course profile, and the office's desk (issue 13).
    api.ok(await http.get("/v1/directory/changes", headers=center))
    api.ok(await http.get("/v1/profile", headers=center))
    api.ok(await http.get("/v1/desk", headers=center))
    api.ok(await http.get("/v1/desk/stuck", headers=center))
    api.ok(await http.get("/v1/desk/impact", headers=center))
    api.ok(await http.get("/v1/desk/reviews", headers=center))
    api.ok(await http.get("/v1/desk/reassignments", headers=center))
    for download in ("impact.pdf", "exports/projects.csv", "exports/projects.xlsx", "exports/dictionary.csv"):
        assert (await http.get(f"/v1/desk/{download}", headers=center)).status_code == 200, download

    # Refusals are documented problems too.
    assert (await http.get(f"{base}", headers=api.student(unique("B")))).status_code == 404
    late = await http.post(f"{base}/closure-report", json=closure_report(), headers=api.student(student_id))
    assert late.status_code == 409
    extension = {"deadline": "2099-01-31T16:00:00Z", "reason": "No leaving teacher here."}
    assert (await http.post(f"{base}/deadline-extension", json=extension, headers=center)).status_code == 409

    unchecked = {(m, t) for m, t, _ in conformance.operations} - set(conformance.checked)
    assert not unchecked, f"operations never checked: {sorted(unchecked)}"
