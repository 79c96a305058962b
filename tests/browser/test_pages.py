"""The action-link pages (SPEC §4, issue 4) in headless Chromium on a phone: a supervisor accepts or
declines an invitation (R11) and passes, fails or returns a closure report (R19), and a spent link says
so. Each page is kept as test-artifacts/screenshots/<name>.png."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import Page, Response

from config.settings import Settings
from tests.browser.conftest import Served

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

# Every form control has a label (radios inside theirs), every group of choices a legend, buttons a name.
UNLABELLED = """() => [
  ...Array.from(document.querySelectorAll('input:not([type=hidden]), textarea, select'))
    .filter(el => el.labels.length === 0).map(el => el.name),
  ...Array.from(document.querySelectorAll('fieldset')).filter(f => !f.querySelector(':scope > legend'))
    .map(f => 'fieldset#' + f.id),
  ...Array.from(document.querySelectorAll('button')).filter(b => !b.textContent.trim()).map(() => 'button'),
]"""
# Nothing wider than the phone, and every button and choice at least 44 CSS pixels tall (WCAG 2.5.5).
LAYOUT = """() => ({
  overflow: document.documentElement.scrollWidth - window.innerWidth,
  small: Array.from(document.querySelectorAll('button, label.choice'))
    .filter(el => el.getBoundingClientRect().height < 44).map(el => el.textContent.trim()),
})"""


async def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


async def open_page(page: Page, url: str, name: str, status: int = 200) -> Response:
    """Open a page, check it fits a phone and its form is labelled, and keep a screenshot."""
    response = await page.goto(url)
    assert response is not None and response.status == status, await page.content()
    assert await page.evaluate(UNLABELLED) == []
    layout = await page.evaluate(LAYOUT)
    assert layout == {"overflow": 0, "small": []}, layout
    await screenshot(page, name)
    return response


async def submit(page: Page, button: str, name: str, status: int = 200) -> None:
    async with page.expect_navigation() as navigation:
        await page.get_by_role("button", name=button).tap()
    response = await navigation.value
    assert response is not None and response.status == status, await page.content()
    assert await page.evaluate(UNLABELLED) == []
    await screenshot(page, name)


async def test_accepting_an_invitation_and_opening_the_spent_link(served: Served, phone: Page) -> None:
    """R11 on a phone: the invitation page shows the proposal and the proposed format; the teacher picks
    another format and accepts; opening the link again shows the TOKEN_USED page (410)."""
    linked = await served.links.invitation()
    url = served.url + linked.path
    await open_page(phone, url, "invitation")
    await phone.get_by_role("heading", name="Invitation to supervise a Social Practice project").wait_for()
    assert await phone.get_by_label("Conversation 對談").is_checked()
    await phone.get_by_label("Oral presentation").check()
    await submit(phone, "Accept and supervise", "invitation-accepted")
    await phone.get_by_role("heading", name="You are now the supervisor").wait_for()
    assert "an oral presentation" in await phone.inner_text("main")
    view = await served.portal.view(linked.project_id)
    assert view["stage"] == "IN_PROGRESS" and view["supervisor"]["reflection_format"] == "oral_presentation"

    await open_page(phone, url, "link-used", status=410)
    text = await phone.inner_text("main")
    assert "This link was already used" in text and "TOKEN_USED" in text and "accepted" in text


async def test_declining_an_invitation_with_a_reason(served: Served, phone: Page) -> None:
    """R11 on a phone: the teacher declines with a reason typed into the labelled box."""
    linked = await served.links.invitation()
    await open_page(phone, served.url + linked.path, "invitation-decline")
    await phone.get_by_label("Reason (optional; the student will see it)").fill("I am on sabbatical this year.")
    await submit(phone, "Decline the invitation", "invitation-declined")
    await phone.get_by_role("heading", name="You declined the invitation").wait_for()
    view = await served.portal.view(linked.project_id)
    assert view["stage"] == "NEEDS_SUPERVISOR" and view["audit"][-1]["detail"] == "I am on sabbatical this year."


async def test_evaluating_pass(served: Served, phone: Page) -> None:
    """R19 on a phone: the evaluation page shows the report, hours and photos (all loaded through the
    link); `pass` records the credit (R21)."""
    linked = await served.links.evaluation(photo_size=(1200, 900))
    await open_page(phone, served.url + linked.path, "evaluation")
    text = await phone.inner_text("main")
    assert "We ran a reading club for twelve weeks" in text and "36 of 36 required hours counted" in text
    images = phone.locator("main img")
    for n in range(await images.count()):  # the photos load lazily, as they come into view
        await images.nth(n).scroll_into_view_if_needed()
    await phone.wait_for_function("() => Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")
    assert await images.count() == 4
    await screenshot(phone, "evaluation")
    await phone.get_by_role("radio", name=re.compile(r"^Pass")).check()
    await submit(phone, "Submit the evaluation", "evaluation-passed")
    await phone.get_by_role("heading", name="Passed").wait_for()
    view = await served.portal.view(linked.project_id)
    assert view["stage"] == "PASSED" and view["credit"]["granted"] is True


async def test_evaluating_fail_needs_feedback(served: Served, phone: Page) -> None:
    """R19 on a phone: `fail` without feedback comes back with the error beside the box and the choice kept
    (422); with feedback the project fails."""
    linked = await served.links.evaluation()
    await open_page(phone, served.url + linked.path, "evaluation-fail")
    await phone.get_by_role("radio", name=re.compile(r"^Fail")).check()
    await submit(phone, "Submit the evaluation", "evaluation-fail-without-feedback", status=422)
    assert "Feedback is required" in await phone.inner_text("main")
    assert await phone.get_by_role("radio", name=re.compile(r"^Fail")).is_checked()
    feedback = phone.get_by_label("Feedback to the student (required to fail or to return for revision)")
    assert await feedback.get_attribute("aria-invalid") == "true"
    await feedback.fill("The hours were not spent on the project described in the proposal.")
    await submit(phone, "Submit the evaluation", "evaluation-failed")
    await phone.get_by_role("heading", name="Not passed").wait_for()
    assert (await served.portal.view(linked.project_id))["stage"] == "FAILED"


async def test_evaluating_revise(served: Served, phone: Page) -> None:
    """R19 on a phone: `revise` with feedback returns the report to the student."""
    linked = await served.links.evaluation()
    await open_page(phone, served.url + linked.path, "evaluation-revise")
    await phone.get_by_role("radio", name=re.compile(r"^Revise")).check()
    await phone.get_by_label("Feedback to the student (required to fail or to return for revision)").fill(
        "Describe what the pupils did themselves, and add your reflection on it."
    )
    await submit(phone, "Submit the evaluation", "evaluation-returned")
    await phone.get_by_role("heading", name="Returned for revision").wait_for()
    assert (await served.portal.view(linked.project_id))["stage"] == "REVISION_REQUESTED"


async def test_verifying_club_hours(served: Served, phone: Page, settings: Settings) -> None:
    """R15 on a phone: the Office of Student Affairs sees the club-hours entry and verifies it."""
    linked, entry = await served.links.club_hours(settings.osa_email)
    await open_page(phone, served.url + linked.path, "club-hours")
    assert "Campus tutoring club" in await phone.inner_text("main")
    await phone.get_by_role("radio", name=re.compile(r"^Yes, verified")).check()
    await phone.get_by_label("Note (optional; the student and the course office see it)").fill("Confirmed.")
    await submit(phone, "Record the verification", "club-hours-verified")
    await phone.get_by_role("heading", name="Hours verified").wait_for()
    view = await served.portal.view(linked.project_id)
    assert next(e for e in view["hours"] if e["id"] == entry["id"])["verification"]["verified"] is True
