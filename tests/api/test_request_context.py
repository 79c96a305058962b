"""Every log line of a request carries its request id (the caller's `X-Request-ID` if plain, else a new one)
and the project id it names; one access line per request (issue 11 item 4)."""

from __future__ import annotations

import uuid

import httpx
import structlog
from structlog.testing import capture_logs

from api.request_context import request_id
from tests.api.portal import Portal


def test_request_id_keeps_a_plain_token_and_replaces_anything_else() -> None:
    """A caller's id is kept when it is a plain token of at most 128 characters; otherwise a fresh one."""
    assert request_id("req-1.2:3_X") == "req-1.2:3_X"
    for bad in (None, "", "a b", "x" * 129, "id\nforged=1", "é"):
        made = request_id(bad)
        assert made != bad and len(made) == 32 and int(made, 16) >= 0


def test_fresh_request_ids_do_not_repeat() -> None:
    """Ids made for requests that sent none are distinct, so each names one request's lines."""
    assert len({request_id(None) for _ in range(10_000)}) == 10_000


async def test_the_request_id_is_echoed_and_bound_to_every_line(portal: Portal, http: httpx.AsyncClient) -> None:
    """The id comes back in `X-Request-ID`; the access line (route template, status) and every line logged
    while the request runs carry it and the project id (tests/config/test_log.py: stdlib lines too)."""
    student = await portal.add_student()
    project = await portal.submit(student)
    rid = f"portal-{uuid.uuid4().hex}"
    with capture_logs(processors=[structlog.contextvars.merge_contextvars]) as lines:
        response = await http.get(
            f"/v1/projects/{project['id']}", headers={**portal.student(student), "X-Request-ID": rid}
        )
    assert response.status_code == 200
    assert response.headers["X-Request-ID"] == rid
    access = [line for line in lines if line["event"] == "request"]
    assert len(access) == 1
    assert access[0]["request_id"] == rid
    assert access[0]["project_id"] == project["id"]
    assert access[0]["route"] == "/v1/projects/{project_id}"
    assert access[0]["status"] == 200
    assert all(line.get("request_id") == rid for line in lines)


async def test_a_request_without_an_id_gets_one(http: httpx.AsyncClient) -> None:
    """No `X-Request-ID`: the answer carries a made one, and no id leaks into the next request's lines."""
    with capture_logs(processors=[structlog.contextvars.merge_contextvars]) as lines:
        first = await http.get("/healthz")
        second = await http.get("/healthz", headers={"X-Request-ID": "bad id"})
    made = first.headers["X-Request-ID"]
    assert len(made) == 32 and second.headers["X-Request-ID"] not in (made, "bad id")
    assert [line["request_id"] for line in lines] == [made, second.headers["X-Request-ID"]]
    assert "project_id" not in structlog.contextvars.get_contextvars()
