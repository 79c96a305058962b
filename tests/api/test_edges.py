"""Issue 9, item 8: the small edges an attack run found. Ids that are path segments (`.`, `..`) or do not
start with a letter or digit are refused on every route; booleans are JSON booleans (`0` is not `false`);
`OPTIONS` and every 405 name each method the path takes; `PRAXIS_API_DOCS=false` hides the reference."""

from __future__ import annotations

import httpx
import pytest
from temporalio.testing import WorkflowEnvironment

from api.main import create_app
from config.settings import Settings
from tests.api.portal import Portal, unique

BAD_IDS = ["%2E", "%2E%2E", ".hidden", "-x", "_x"]


@pytest.mark.parametrize("bad", BAD_IDS)
async def test_ids_not_starting_with_a_letter_or_digit_are_refused(portal: Portal, bad: str) -> None:
    """A directory id, a project id, an entry id: each refused with VALIDATION_ERROR before anything runs."""
    student = {"name": "Lin", "email": f"{unique('b')}@mail.example.edu"}
    faculty = {"name": "Prof Lin", "email": f"{unique('t')}@staff.example.edu", "rank": "professor"}
    calls = [
        ("PUT", f"/v1/students/{bad}", portal.center, student),
        ("PUT", f"/v1/faculty/{bad}", portal.center, faculty),
        ("GET", f"/v1/projects/{bad}", portal.center, None),
        ("GET", f"/v1/groups/{bad}", portal.center, None),
        ("GET", f"/v1/projects/p1/evidence/{bad}", portal.center, None),
        ("POST", f"/v1/projects/p1/hours/{bad}/verification", portal.osa, {"verified": True}),
        ("GET", f"/v1/semesters/2026-fall/passing-lists/{bad}.csv", portal.center, None),
    ]
    for method, path, headers, body in calls:
        response = await portal.http.request(method, path, headers=headers, json=body)
        assert response.status_code == 422, (path, response.text)
        assert response.json()["code"] == "VALIDATION_ERROR", (path, response.text)


async def test_booleans_are_json_booleans(portal: Portal) -> None:
    """`0`, `1`, `"true"` or `"no"` where a boolean belongs is VALIDATION_ERROR, not read as one."""
    student_id = unique("B")
    for wrong in (0, 1, "true", "no"):
        body = {"name": "Lin", "email": f"{student_id}@mail.example.edu", "has_internship_credit": wrong}
        response = await portal.http.put(f"/v1/students/{student_id}", json=body, headers=portal.center)
        assert (response.status_code, response.json()["code"]) == (422, "VALIDATION_ERROR"), wrong
        response = await portal.http.post(
            "/v1/projects/p1/hours/h1/verification", json={"verified": wrong}, headers=portal.osa
        )
        assert (response.status_code, response.json()["code"]) == (422, "VALIDATION_ERROR"), wrong
        response = await portal.http.post(
            "/v1/projects/p1/invitation/response", json={"accept": wrong}, headers=portal.faculty(unique("T"))
        )
        assert (response.status_code, response.json()["code"]) == (422, "VALIDATION_ERROR"), wrong


@pytest.mark.parametrize(
    ("path", "allow"),
    [
        ("/v1/projects", "GET, OPTIONS, POST"),
        ("/v1/projects/p1/invitation", "DELETE, OPTIONS, POST"),
        ("/v1/students/B1", "GET, OPTIONS, PUT"),
        ("/healthz", "GET, OPTIONS"),
    ],
)
async def test_options_and_405_name_every_method_of_the_path(portal: Portal, path: str, allow: str) -> None:
    """RFC 9110: `OPTIONS` answers 204 with `Allow` listing every method the path takes (not only the first
    route's), and so does a 405 for a method it does not take."""
    options = await portal.http.options(path)
    assert options.status_code == 204
    assert options.headers["allow"] == allow
    wrong = await portal.http.request("PATCH", path)
    assert wrong.status_code == 405
    assert wrong.headers["allow"] == allow
    assert wrong.json()["code"] == "METHOD_NOT_ALLOWED"


async def test_the_api_reference_can_be_turned_off(temporal_env: WorkflowEnvironment, settings: Settings) -> None:
    """`PRAXIS_API_DOCS` (default on) serves /docs, /redoc and /openapi.json; off, each is 404."""
    for docs, status in ((True, 200), (False, 404)):
        app = create_app(settings.model_copy(update={"api_docs": docs}), temporal_client=temporal_env.client)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://praxis.test") as http:
            for path in ("/docs", "/redoc", "/openapi.json"):
                assert (await http.get(path)).status_code == status, (docs, path)
