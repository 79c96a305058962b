"""The action pages in the reader's language (issue 12, item 3), in Chromium on a phone: bilingual by default
(English first, the Chinese marked `lang="zh-Hant"`), Traditional Chinese or English only when the teacher's
directory entry says so, and the hours table whole on a phone screen in each."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import Page

from tests.browser.conftest import Served
from tests.browser.test_pages import open_page

pytestmark = pytest.mark.browser

# The hours table and its last column within the phone's width: nothing cut off, nothing to scroll sideways.
HOURS_FIT = """() => {
  const wrap = document.querySelector('.table-wrap');
  const cells = Array.from(wrap.querySelectorAll('th:last-child, td:last-child'));
  return {
    scroll: wrap.scrollWidth - wrap.clientWidth,
    beyond: cells.filter(c => c.getBoundingClientRect().right > window.innerWidth + 0.5).length,
  };
}"""


async def set_language(served: Served, faculty_id: str, language: str | None) -> None:
    """The center records the teacher's language preference (issue 4) in their directory entry."""
    body: dict[str, Any] = {
        "name": f"Prof {faculty_id}",
        "email": f"{faculty_id.lower()}@staff.example.edu",
        "rank": "professor",
        "department": "Civil Engineering",
        "leaving_after": None,
        "language": language,
    }
    portal = served.portal
    portal.ok(await portal.http.put(f"/v1/faculty/{faculty_id}", json=body, headers=portal.center))


async def test_the_evaluation_page_follows_the_teachers_language(served: Served, phone: Page) -> None:
    """Issue 12: with no preference the evaluation page is bilingual (`<html lang="en">`, the Chinese in
    `lang="zh-Hant"` spans); a teacher who prefers Chinese gets it in Traditional Chinese only (`lang="zh-Hant"`),
    one who prefers English in English only (its dates included); the hours table fits the phone in every
    language."""
    linked = await served.links.evaluation()
    url = served.url + linked.path

    await open_page(phone, url, "evaluate-bilingual")
    assert await phone.get_attribute("html", "lang") == "en"
    heading = await phone.locator("h1").inner_text()
    assert "Evaluate a closure report" in heading and "評核成果報告" in heading
    assert await phone.locator('h1 span[lang="zh-Hant"]').inner_text() == "評核成果報告"
    assert await phone.evaluate(HOURS_FIT) == {"scroll": 0, "beyond": 0}

    await set_language(served, linked.holder_id, "zh")
    await open_page(phone, url, "evaluate-zh")
    assert await phone.get_attribute("html", "lang") == "zh-Hant"
    assert (await phone.locator("h1").inner_text()).strip() == "評核成果報告"
    main = await phone.inner_text("main")
    assert "送出評核" in main and "Submit the evaluation" not in main and "已認列" in main
    assert "臺北時間" in main and "(Taipei time)" not in main  # the dates too, as Chinese writes them
    assert await phone.evaluate(HOURS_FIT) == {"scroll": 0, "beyond": 0}

    await set_language(served, linked.holder_id, "en")
    await open_page(phone, url, "evaluate-en")
    assert await phone.get_attribute("html", "lang") == "en"
    assert (await phone.locator("h1").inner_text()).strip() == "Evaluate a closure report"
    assert "評核" not in await phone.inner_text("body")
    assert await phone.evaluate(HOURS_FIT) == {"scroll": 0, "beyond": 0}


async def test_invitation_and_tampered_link_pages_speak_both_languages(served: Served, phone: Page) -> None:
    """Issue 12: the invitation page is bilingual by default (its buttons too), and a tampered link's page says
    what happened in both languages (404, TOKEN_INVALID)."""
    linked = await served.links.invitation()
    await open_page(phone, served.url + linked.path, "invitation-bilingual")
    button = await phone.get_by_role("button", name="Accept and supervise").inner_text()
    assert "接受並擔任指導老師" in button
    tampered = served.url + linked.path[:-2] + ("AA" if not linked.path.endswith("AA") else "BB")
    await open_page(phone, tampered, "link-tampered", status=404)
    main = await phone.inner_text("main")
    assert "This link is not valid" in main and "此連結無效" in main and "TOKEN_INVALID" in main
