"""The codec server for the Temporal UI (SPEC §6): the remote codec protocol, who may call it, from where."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads
from temporalio.client import Client

from api.codec_access import COOKIE
from config.settings import Settings
from domain.vocabulary import Role
from tests.api.portal import Portal

UI = "http://127.0.0.1:8233"  # the dev UI `praxis dev` starts, allowed by default
NAME = "Chen Jiahao 陳家豪"


@pytest.fixture
async def browser(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client with a cookie jar of its own, as one operator's browser."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://praxis.test") as client:
        yield client


def ui_headers(settings: Settings, auth: dict[str, str] | None = None) -> dict[str, str]:
    """What the Temporal UI sends with each codec request."""
    return {"Content-Type": "application/json", "X-Namespace": settings.temporal_namespace, **(auth or {})}


async def sealed_body(client: Client, *values: Any) -> dict[str, Any]:
    """Values as the workers put them in history, in the protocol's JSON."""
    payloads = await client.data_converter.encode(list(values))
    return json_format.MessageToDict(Payloads(payloads=payloads))


def plain_values(body: dict[str, Any]) -> list[Any]:
    payloads = json_format.ParseDict(body, Payloads()).payloads
    return [json.loads(p.data) for p in payloads]


async def test_decode_opens_sealed_payloads_and_encode_seals_them(
    portal: Portal, client: Client, settings: Settings
) -> None:
    """POST /codec/decode answers the payloads opened (metadata and data base64, as protobuf JSON); POST
    /codec/encode seals plain ones so that decode gives them back; operator and center may both call."""
    body = await sealed_body(client, {"student": NAME}, 12.5)
    assert all(p["metadata"]["encoding"] == "YmluYXJ5L2VuY3J5cHRlZA==" for p in body["payloads"])  # binary/encrypted
    for who in (portal.center, portal.auth(Role.OPERATOR, "ops-1")):
        decoded = await portal.http.post("/codec/decode", json=body, headers=ui_headers(settings, who))
        assert decoded.status_code == 200, decoded.text
        assert decoded.headers["content-type"] == "application/json"
        assert plain_values(decoded.json()) == [{"student": NAME}, 12.5]

    plain = decoded.json()
    encoded = await portal.http.post("/codec/encode", json=plain, headers=ui_headers(settings, portal.center))
    assert encoded.status_code == 200
    assert "Chen" not in encoded.text
    again = await portal.http.post("/codec/decode", json=encoded.json(), headers=ui_headers(settings, portal.center))
    assert plain_values(again.json()) == [{"student": NAME}, 12.5]


async def test_anonymous_callers_get_401_and_other_roles_403(
    portal: Portal, client: Client, settings: Settings
) -> None:
    """Decoded payloads are personal data: no token or a bad one is 401, a student's (or a teacher's, or OSA's)
    token is 403; the refusal is problem+json the UI can read (CORS headers on it too)."""
    body = await sealed_body(client, NAME)
    for path in ("/codec/decode", "/codec/encode"):
        for auth in ({}, {"Authorization": "Bearer not-a-jwt"}, {"Cookie": f"{COOKIE}=forged"}):
            response = await portal.http.post(path, json=body, headers={**ui_headers(settings, auth), "Origin": UI})
            assert response.status_code == 401, (path, auth)
            assert response.json()["code"] == "UNAUTHENTICATED"
            assert response.headers["access-control-allow-origin"] == UI
            assert NAME not in response.text
    for who in (portal.student("B1"), portal.faculty("T1"), portal.osa):
        response = await portal.http.post("/codec/decode", json=body, headers=ui_headers(settings, who))
        assert response.status_code == 403
        assert response.json()["code"] == "FORBIDDEN"


async def test_only_our_namespace_is_served(portal: Portal, client: Client, settings: Settings) -> None:
    """X-Namespace must name this deployment's namespace: another is 403, none is a malformed request."""
    body = await sealed_body(client, NAME)
    other = {**ui_headers(settings, portal.center), "X-Namespace": "someone-else"}
    response = await portal.http.post("/codec/decode", json=body, headers=other)
    assert response.status_code == 403 and "someone-else" in response.json()["detail"]
    missing = {"Content-Type": "application/json", **portal.center}
    assert (await portal.http.post("/codec/decode", json=body, headers=missing)).status_code == 422


async def test_malformed_and_tampered_bodies_are_refused(portal: Portal, client: Client, settings: Settings) -> None:
    """Not Payloads JSON, not JSON at all, or a payload that fails authentication: 422 VALIDATION_ERROR."""
    body = await sealed_body(client, NAME)
    data = bytearray(json_format.ParseDict(body, Payloads()).payloads[0].data)
    data[-1] ^= 0x01
    tampered = {"payloads": [{**body["payloads"][0], "data": base64.b64encode(bytes(data)).decode()}]}
    headers = ui_headers(settings, portal.center)
    for content in (b"[1, 2]", b"{not json", b'{"payloads": "none"}'):
        response = await portal.http.post("/codec/decode", content=content, headers=headers)
        assert response.status_code == 422, content
        assert response.json()["code"] == "VALIDATION_ERROR"
    refused = await portal.http.post("/codec/decode", json=tampered, headers=headers)
    assert refused.status_code == 422 and "failed authentication" in refused.json()["detail"]
    form = {**headers, "Content-Type": "text/plain"}
    assert (await portal.http.post("/codec/decode", json=body, headers=form)).status_code == 422


async def test_cors_preflight_only_for_the_configured_ui_origin(portal: Portal, settings: Settings) -> None:
    """The UI's preflight (POST with content-type, x-namespace and authorization, credentials included) is
    allowed for the configured origins alone, and CORS covers /codec/* only, not the rest of the API."""
    assert settings.codec_cors_origins == [UI, "http://localhost:8233"]
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,x-namespace",
    }
    for origin in settings.codec_cors_origins:
        allowed = await portal.http.options("/codec/decode", headers={**preflight, "Origin": origin})
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == origin
        assert allowed.headers["access-control-allow-credentials"] == "true"
        assert "POST" in allowed.headers["access-control-allow-methods"]
        allowed_headers = allowed.headers["access-control-allow-headers"].lower()
        assert {"authorization", "content-type", "x-namespace"} <= set(allowed_headers.replace(" ", "").split(","))
    for origin in ("http://evil.example", "http://127.0.0.1:8234", "null"):
        refused = await portal.http.options("/codec/decode", headers={**preflight, "Origin": origin})
        assert refused.status_code == 400
        assert "access-control-allow-origin" not in refused.headers
    elsewhere = await portal.http.options("/v1/projects", headers={**preflight, "Origin": UI})
    assert "access-control-allow-origin" not in elsewhere.headers
    plain = await portal.http.get("/healthz", headers={"Origin": UI})
    assert "access-control-allow-origin" not in plain.headers


async def test_browser_signs_in_once_and_the_ui_decodes_with_the_cookie(
    browser: httpx.AsyncClient, portal: Portal, client: Client, settings: Settings
) -> None:
    """/codec/session: a center or operator token pasted once becomes an HttpOnly, SameSite=Strict cookie
    for /codec only; the UI's credentialed request (no Authorization header) then decodes; a student's token
    sets nothing; a form posted from another site is refused; signing out ends it."""
    body = await sealed_body(client, NAME)
    page = await browser.get("/codec/session")
    assert page.status_code == 200 and "Include cross-origin credentials" in page.text

    student = portal.student("B1")["Authorization"].removeprefix("Bearer ")
    refused = await browser.post("/codec/session", data={"token": student})
    assert refused.status_code == 403 and COOKIE not in refused.headers.get("set-cookie", "")
    assert (await browser.post("/codec/session", data={"token": "garbage"})).status_code == 401

    operator = portal.auth(Role.OPERATOR, "ops-7")["Authorization"].removeprefix("Bearer ")
    forged = await browser.post("/codec/session", data={"token": operator}, headers={"Origin": "http://evil.example"})
    assert forged.status_code == 403 and not browser.cookies

    signed_in = await browser.post("/codec/session", data={"token": operator}, headers={"Origin": "http://praxis.test"})
    assert signed_in.status_code == 200 and "ops-7" in signed_in.text
    cookie = signed_in.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/codec" in cookie and "max-age=" in cookie
    assert "ops-7" in (await browser.get("/codec/session")).text

    decoded = await browser.post("/codec/decode", json=body, headers={**ui_headers(settings), "Origin": UI})
    assert decoded.status_code == 200
    assert decoded.headers["access-control-allow-credentials"] == "true"
    assert plain_values(decoded.json()) == [NAME]
    assert (await browser.get("/v1/projects")).status_code == 401  # the cookie is for the codec alone

    out = await browser.post("/codec/session/end")
    assert out.status_code == 303 and not browser.cookies
    assert (await browser.post("/codec/decode", json=body, headers=ui_headers(settings))).status_code == 401
