"""OpenAPI (issue 3): every route documents its models and problem codes, /docs works, and a schemathesis
fuzz of the schema against the real app (real workflows behind it) never gets a 5xx."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance
from temporalio.testing import WorkflowEnvironment
from urllib3 import HTTPHeaderDict, HTTPResponse

from api.main import create_app
from config.settings import Settings
from tests.api.portal import Portal

BASE_URL = "http://praxis.test"
MUTATING = ("post", "put", "delete")
CONFIG = SchemathesisConfig.from_dict(
    {
        "generation": {
            # Unknown query parameters are ignored, as HTTP APIs do; the schema does not forbid them.
            "allow-extra-parameters": False,
            # The bearer token is ours to send: generated Authorization headers would only test auth again.
            "with-security-parameters": False,
        }
    }
)
EXCLUDED = [
    # Probes without credentials through a session of its own, which cannot reach an in-process app;
    # test_auth.py pins 401 for every kind of missing or bad token instead.
    ignored_auth,
    # Schema-valid is not rule-valid: date order (R25), a justification for low priority (R6), a comment to
    # reject (R8), feedback to fail (R19) are cross-field rules a JSON schema cannot state; they answer 422.
    positive_data_acceptance,
]


async def test_docs_page_and_schema_are_served(portal: Portal) -> None:
    """/docs renders Swagger UI from /openapi.json."""
    docs = await portal.http.get("/docs")
    assert docs.status_code == 200
    assert "swagger-ui" in docs.text
    schema = await portal.http.get("/openapi.json")
    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "Praxis"


def test_every_route_documents_its_models_errors_and_idempotency(app: FastAPI) -> None:
    """Each operation has a success response with a schema (or the image types), documents its problems as
    application/problem+json, and each mutating one takes an Idempotency-Key header."""
    schema = app.openapi()
    assert "ProblemDetails" in schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            label = f"{method.upper()} {path}"
            responses = operation["responses"]
            success = next(r for status, r in responses.items() if status.startswith("2"))
            assert success.get("content"), label
            if path == "/healthz":
                continue
            assert {"401", "403", "422"} <= set(responses), label
            for status, response in responses.items():
                if status.startswith(("4", "5")):
                    assert set(response["content"]) == {"application/problem+json"}, label
                    assert "`" in response["description"], label  # names its codes
            if method in MUTATING:
                headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
                assert "Idempotency-Key" in headers, label
    closure = schema["paths"]["/v1/projects/{project_id}/closure-report"]["post"]["responses"]["422"]
    for code in ("HOURS_BELOW_MINIMUM", "PHOTOS_MISSING", "REFLECTION_RECORD_MISSING", "SUPERVISOR_NOT_CONFIRMED"):
        assert code in closure["description"]
    reminder = schema["paths"]["/v1/projects/{project_id}/supervisor-reminder"]["post"]["responses"]["429"]
    assert "Retry-After" in reminder["headers"]


class _AppAdapter(BaseAdapter):
    """Sends the requests schemathesis prepares to the app on the test's event loop.

    The worker and the app's Temporal client live on that loop, so the fuzz runs in a thread and hands each
    request back to the loop rather than starting a second one.
    """

    def __init__(self, http: httpx.AsyncClient, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self.http = http
        self.loop = loop

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        body = request.body.encode() if isinstance(request.body, str) else request.body
        assert body is None or isinstance(body, bytes), "schemathesis sends whole bodies, never streams"
        headers = [(k, v if isinstance(v, str) else v.decode("latin-1")) for k, v in request.headers.items()]
        call = self.http.request(request.method or "GET", request.url or "/", headers=headers, content=body)
        answer = asyncio.run_coroutine_threadsafe(call, self.loop).result(timeout=60)
        raw_headers = HTTPHeaderDict()
        for name, value in answer.headers.multi_items():
            raw_headers.add(name, value)
        response = requests.Response()
        response.status_code = answer.status_code
        # Schemathesis reads headers from the urllib3 response, as a real requests adapter would fill it.
        response.raw = HTTPResponse(headers=raw_headers, status=answer.status_code, version=11, preload_content=False)
        response.headers = CaseInsensitiveDict(answer.headers)
        response._content = answer.content
        response.url = str(answer.url)
        response.reason = answer.reason_phrase
        response.request = request
        response.encoding = answer.encoding
        return response

    def close(self) -> None:
        pass


def _fuzz(
    schema: Any, session: requests.Session, auth: dict[str, str], examples: int, path_parameters: dict[str, str]
) -> int:
    """Run every operation of `schema` with valid and invalid data; return how many operations ran."""
    ran = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        ran += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            pinned = {k: v for k, v in path_parameters.items() if "{" + k + "}" in operation.path}

            @settings(
                max_examples=examples,
                deadline=None,
                derandomize=True,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode, path_parameters=pinned or None))
            def check(case: Any) -> None:
                case.call_and_validate(session=session, base_url=BASE_URL, headers=auth, excluded_checks=EXCLUDED)

            try:
                check()
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE, operation.label  # nothing to get wrong, e.g. /healthz
    return ran


# Hypothesis warns when the global `random` state changes while it draws an example; here that is the worker on
# the event loop (the mail activity's Message-ID uses `random`), not the strategies.
@pytest.mark.filterwarnings("ignore:Do not use the `random` module inside strategies")
async def test_fuzzing_the_schema_never_gets_a_server_error(
    temporal_env: WorkflowEnvironment, settings: Settings, portal: Portal, tmp_path: Path
) -> None:
    """Schemathesis generates valid and invalid requests for every operation and checks each answer: no 5xx,
    and status, content type, headers and body as documented; invalid data is never accepted. First as the
    center over random ids, then as a student whose project is in progress, so generated hours, evidence,
    invitations and reports reach a live workflow (withdrawal left out: it would end the project)."""
    project_id, student_id, _faculty_id = await portal.in_progress()
    # Its own database and blob folder: generated semesters and directory entries must not leak into the
    # store the other tests (and the worker) share. Projects still live in the shared Temporal server.
    own = settings.model_copy(update={"var_dir": tmp_path, "database_url": f"sqlite:///{tmp_path / 'fuzz.db'}"})
    app = create_app(own, temporal_client=temporal_env.client)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as http,
    ):
        await _fuzz_as_center_then_student(app, http, portal, project_id, student_id)
    assert (await portal.view(project_id))["stage"] == "IN_PROGRESS"


async def _fuzz_as_center_then_student(
    app: FastAPI, http: httpx.AsyncClient, portal: Portal, project_id: str, student_id: str
) -> None:
    schema = schemathesis.openapi.from_dict(app.openapi(), config=CONFIG)
    session = requests.Session()
    session.mount(BASE_URL, _AppAdapter(http, asyncio.get_running_loop()))
    student_schema = schema.include(path_regex=r"^/v1/projects").exclude(path_regex="withdrawal$")

    # Each PUT of a semester starts or re-dates its SemesterWorkflow (`semester-<id>`, shared by every test):
    # an id no other test uses, so generated dates never move another test's final exam week (R23).
    ran = await asyncio.to_thread(_fuzz, schema, session, portal.center, 25, {"semester_id": "2199-summer"})
    assert ran == len([op for ops in app.openapi()["paths"].values() for op in ops])
    ran = await asyncio.to_thread(
        _fuzz, student_schema, session, portal.student(student_id), 20, {"project_id": project_id}
    )
    assert ran >= 10
