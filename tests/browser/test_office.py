"""The office's page (SPEC §7, docs/office.md) in headless Chromium, on a phone and on a laptop, against a
seeded course and against `praxis demo`'s semester: signing in with a portal token, the counts, the funnel,
the stuck list, the server-drawn charts, the filters and the downloads. Each page is kept as
test-artifacts/screenshots/office-*.png."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from playwright.async_api import Browser, Page
from temporalio.testing import WorkflowEnvironment

from api.auth import issue_token
from config.settings import Settings
from devstack.demo import CENTER_ID, run_demo
from devstack.demo_course import WANG
from domain.calendar import taipei_date
from domain.stages import Stage
from domain.vocabulary import Role
from tests.api.desk_course import DeskCourse, seed_desk_course
from tests.browser.conftest import Served, serving
from tests.browser.test_pages import LAYOUT, UNLABELLED, screenshot
from tests.support.democourse import DEMO_SEMESTER
from tests.support.mailsink import free_port

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
async def course(served: Served) -> DeskCourse:
    return await seed_desk_course(served.portal)


@pytest.fixture(scope="module")
async def demo_url(
    demo_app: FastAPI, demo_http: httpx.AsyncClient, demo_settings: Settings, temporal_env: WorkflowEnvironment
) -> AsyncIterator[str]:
    """`praxis demo`'s semester seeded through the API (idempotent: nothing doubles if it ran already), and its
    app over real HTTP."""
    today = taipei_date(await temporal_env.get_current_time())
    await run_demo(demo_http, demo_settings, today=today, semester_id=DEMO_SEMESTER)
    port = free_port()
    async with serving(demo_app, port, lifespan="off"):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
async def laptop(browser: Browser) -> AsyncIterator[Page]:
    """A laptop's screen (1366x768 CSS pixels)."""
    context = await browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-US")
    page = await context.new_page()
    yield page
    await context.close()


async def check(page: Page, name: str) -> None:
    """Every control labelled, nothing wider than the screen, every button a finger's height; a screenshot."""
    assert await page.evaluate(UNLABELLED) == []
    layout = await page.evaluate(LAYOUT)
    assert layout == {"overflow": 0, "small": []}, layout
    await screenshot(page, name)


async def sign_in(page: Page, url: str, token: str, name: str) -> None:
    response = await page.goto(url + "/office")
    assert response is not None and response.status == 200
    await check(page, f"{name}-sign-in")
    await page.get_by_label("Your portal token").fill(token)
    async with page.expect_navigation():
        await page.get_by_role("button", name="Sign in").click()
    await page.get_by_role("heading", name="Who is stuck").wait_for()


def center_token(served: Served) -> str:
    return served.portal.center["Authorization"].removeprefix("Bearer ")


async def filter_department(page: Page, course: DeskCourse) -> None:
    await page.get_by_label("Department", exact=True).select_option(course.department)
    async with page.expect_navigation():
        await page.get_by_role("button", name="Apply filters").click()
    assert "department=" in page.url


async def test_the_desk_on_a_phone(served: Served, phone: Page, course: DeskCourse) -> None:
    """Sign in on a phone, narrow to the course's department: three projects, two in progress and one passed,
    the leaving teacher's project on the stuck list, the charts drawn, the CSV downloads."""
    await sign_in(phone, served.url, center_token(served), "office-phone")
    await filter_department(phone, course)
    assert "3 projects" in await phone.inner_text("#summary")
    assert await phone.inner_text("#counts li[data-stage=IN_PROGRESS] strong") == "2"
    assert await phone.inner_text("#counts li[data-stage=PASSED] strong") == "1"
    stuck = phone.locator("#stuck-list tr[data-reason=leaving_supervisor]")
    assert await stuck.count() == 1 and course.with_leaving in await stuck.inner_text()
    assert await phone.locator("figure.chart svg").count() >= 4
    await check(phone, "office-phone-desk")
    async with phone.expect_download() as downloading:
        await phone.get_by_role("link", name="Projects, hours and outcomes (CSV)").click()
    download = await downloading.value
    assert download.suggested_filename.startswith("usr-impact-projects-") and download.suggested_filename.endswith(
        ".csv"
    )
    async with phone.expect_navigation():
        await phone.get_by_role("button", name="Sign out").click()
    assert await phone.get_by_label("Your portal token").count() == 1


async def test_the_desk_on_a_laptop(served: Served, laptop: Page, course: DeskCourse) -> None:
    """The same desk on a laptop: the funnel's steps, the filter kept across the reload, nothing overflowing."""
    await sign_in(laptop, served.url, center_token(served), "office-laptop")
    await filter_department(laptop, course)
    funnel = await laptop.inner_text("#funnel ~ .table-wrap")
    assert "Closure report submitted" in funnel and "提交成果報告" in funnel
    assert await laptop.get_by_label("Department", exact=True).input_value() == course.department
    await check(laptop, "office-laptop-desk")


async def test_the_demo_semester_on_a_laptop(
    laptop: Page, demo_url: str, demo_settings: Settings, browser: Browser
) -> None:
    """`praxis demo`'s semester: a project in every stage (two waiting for a supervisor, one of them a group
    member's), the leaving professor's pending evaluation on the stuck list, every chart drawn, and the
    semester impact report downloading as a PDF."""
    token = issue_token(demo_settings, sub=CENTER_ID, role=Role.CENTER)
    await sign_in(laptop, demo_url, token, "office-demo")
    await laptop.get_by_label("Semester submitted").select_option(DEMO_SEMESTER)
    async with laptop.expect_navigation():
        await laptop.get_by_role("button", name="Apply filters").click()
    counts = {stage: int(await laptop.inner_text(f"#counts li[data-stage={stage.value}] strong")) for stage in Stage}
    assert all(n >= 1 for n in counts.values()), counts
    assert counts[Stage.NEEDS_SUPERVISOR] == 2
    leaving = laptop.locator("#stuck-list tr[data-reason=leaving_supervisor]")
    assert WANG.id in await leaving.first.inner_text()
    assert await laptop.locator("figure.chart svg").count() >= 4
    await check(laptop, "office-demo-desk")
    async with laptop.expect_download() as downloading:
        await laptop.get_by_role("link", name="Semester impact report (PDF)").click()
    download = await downloading.value
    assert download.suggested_filename == f"usr-impact-{DEMO_SEMESTER}.pdf"
    path = await download.path()
    assert path.read_bytes().startswith(b"%PDF")
