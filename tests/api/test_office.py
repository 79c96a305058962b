"""The office's page (SPEC §7, docs/office.md): the portal's center JWT is exchanged for a short-lived HttpOnly
cookie sent only to /office; the page shows the desk; downloads need the sign-in; other roles, forged tokens
and other sites' forms are refused; signing out ends it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from api.auth import decode_token, issue_token
from config.settings import Settings
from domain.vocabulary import Role
from tests.api.desk_course import DeskCourse, seed_desk_course
from tests.api.portal import Portal

ORIGIN = "http://praxis.test"


@pytest.fixture(scope="module")
async def course(http: httpx.AsyncClient, settings: Settings) -> DeskCourse:
    return await seed_desk_course(Portal(http, settings))


@pytest.fixture
async def browser(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A browser of its own: a cookie jar, and forms that name our origin."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=ORIGIN, headers={"Origin": ORIGIN}) as client:
        yield client


async def sign_in(browser: httpx.AsyncClient, token: str) -> httpx.Response:
    return await browser.post("/office/session", data={"token": token})


async def test_exchange_sets_a_short_lived_httponly_cookie(
    browser: httpx.AsyncClient, portal: Portal, settings: Settings, course: DeskCourse
) -> None:
    """A 12-hour portal token becomes a 30-minute office sign-in of the same person, then the desk shows."""
    portal_token = portal.center["Authorization"].removeprefix("Bearer ")
    response = await sign_in(browser, portal_token)
    assert response.status_code == 303 and response.headers["location"] == "/office"
    cookie = response.headers["set-cookie"]
    assert "praxis_office=" in cookie and "HttpOnly" in cookie and "Path=/office" in cookie
    assert "SameSite=lax" in cookie
    session_token = browser.cookies["praxis_office"]
    assert session_token != portal_token
    claims = decode_token(settings, session_token)
    assert claims.sub == decode_token(settings, portal_token).sub and claims.role is Role.CENTER
    assert claims.iat is not None and claims.exp - claims.iat <= timedelta(minutes=settings.office_session_minutes)
    page = await browser.get("/office", params={"department": course.department})
    assert page.status_code == 200
    assert "Who is stuck" in page.text and course.with_leaving in page.text
    assert page.text.count("<svg") >= 3  # the funnel and the impact charts, drawn on the server
    assert "script" not in page.headers["content-security-policy"]


async def test_sign_in_never_outlives_the_portal_token(browser: httpx.AsyncClient, settings: Settings) -> None:
    """A portal token with 5 minutes left gives a sign-in of at most 5 minutes."""
    short = issue_token(settings, sub="cge-9", role=Role.CENTER, ttl=timedelta(minutes=5))
    assert (await sign_in(browser, short)).status_code == 303
    claims = decode_token(settings, browser.cookies["praxis_office"])
    assert claims.exp <= decode_token(settings, short).exp


async def test_downloads_need_the_sign_in(browser: httpx.AsyncClient, portal: Portal, course: DeskCourse) -> None:
    """Without the cookie a download is 401; with it, the CSV, the XLSX and the PDF come as attachments."""
    assert (await browser.get("/office/exports/projects.csv")).status_code == 401
    await sign_in(browser, portal.center["Authorization"].removeprefix("Bearer "))
    params = {"department": course.department}
    csv_file = await browser.get("/office/exports/projects.csv", params=params)
    assert csv_file.status_code == 200 and course.passed in csv_file.content.decode("utf-8-sig")
    xlsx = await browser.get("/office/exports/projects.xlsx", params=params)
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["content-disposition"]
    pdf = await browser.get("/office/impact.pdf", params=params)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


async def test_other_roles_and_bad_tokens_are_refused(
    browser: httpx.AsyncClient, portal: Portal, settings: Settings
) -> None:
    """A student's token is 403, a forged one 401, each with the form again and no cookie."""
    student = await sign_in(browser, portal.student("B00000001")["Authorization"].removeprefix("Bearer "))
    assert student.status_code == 403 and "set-cookie" not in student.headers
    forged = issue_token(
        settings.model_copy(update={"jwt_secret": SecretStr("another-secret-entirely-" * 2)}), sub="x", role="center"
    )
    refused = await sign_in(browser, forged)
    assert refused.status_code == 401 and 'name="token"' in refused.text
    assert (await browser.get("/office")).text.count('name="token"') == 1  # still the sign-in form


async def test_only_our_pages_and_the_portal_may_post_a_sign_in(
    app: FastAPI, portal: Portal, settings: Settings
) -> None:
    """Another site's form is refused (403); the portal's origin is allowed once the settings name it."""
    token = portal.center["Authorization"].removeprefix("Bearer ")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as other:
        response = await other.post("/office/session", data={"token": token}, headers={"Origin": "https://evil.test"})
        assert response.status_code == 403
        app.state.settings = settings.model_copy(update={"office_portal_origins": ["https://portal.example.edu"]})
        try:
            response = await other.post(
                "/office/session", data={"token": token}, headers={"Origin": "https://portal.example.edu"}
            )
        finally:
            app.state.settings = settings
        assert response.status_code == 303


async def test_sign_out_ends_the_sign_in(browser: httpx.AsyncClient, portal: Portal) -> None:
    """After signing out the page asks for a token again."""
    await sign_in(browser, portal.center["Authorization"].removeprefix("Bearer "))
    assert "Sign out" in (await browser.get("/office")).text
    assert (await browser.post("/office/session/end")).status_code == 303
    assert "praxis_office" not in browser.cookies
    assert 'name="token"' in (await browser.get("/office")).text
