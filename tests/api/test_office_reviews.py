"""The review queue on the office's page (R8, R9, docs/office.md): proposals and group proposals waiting for
review, each with approve / return forms posted through the page's sign-in, acting once per form."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from tests.api.portal import Portal
from tests.api.test_groups import submit_group

ORIGIN = "http://praxis.test"
KEY = re.compile(r'name="key" value="([A-Za-z0-9_-]+)"')


@pytest.fixture
async def browser(app: FastAPI, portal: Portal) -> AsyncIterator[httpx.AsyncClient]:
    """A browser of its own, signed in to the office's page as the center."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=ORIGIN, headers={"Origin": ORIGIN}) as client:
        token = portal.center["Authorization"].removeprefix("Bearer ")
        assert (await client.post("/office/session", data={"token": token})).status_code == 303
        yield client


async def _form_key(browser: httpx.AsyncClient, *ids: str) -> str:
    page = await browser.get("/office")
    assert page.status_code == 200
    queue = page.text[page.text.index('id="review-queue"') :]
    for ident in ids:
        assert f'data-id="{ident}"' in queue
    found = KEY.search(queue)
    assert found is not None
    return found.group(1)


async def test_approve_and_return_from_the_page_act_once(browser: httpx.AsyncClient, portal: Portal) -> None:
    """R8/R9: the page lists a waiting proposal and a group proposal; its approve form approves the proposal
    (posted twice, it is reviewed once), its return form with a comment sends the group proposal back, and
    neither is queued afterwards."""
    project = await portal.submit(await portal.add_student())
    group = await submit_group(portal, [await portal.add_student() for _ in range(2)])
    key = await _form_key(browser, project["id"], group["id"])

    approve = {"kind": "proposal", "target": project["id"], "decision": "approve", "key": key, "comment": ""}
    for _ in range(2):
        posted = await browser.post("/office/reviews", data=approve)
        assert posted.status_code == 303 and posted.headers["location"] == "/office#reviews"
    view = await portal.view(project["id"])
    assert view["stage"] == "NEEDS_SUPERVISOR"
    assert len(view["reviews"]) == 1
    assert len([e for e in view["audit"] if e["action"] == "proposal_approve"]) == 1

    back = {"kind": "group", "target": group["id"], "decision": "request_changes", "key": key}
    posted = await browser.post("/office/reviews", data={**back, "comment": "Name the partner school."})
    assert posted.status_code == 303
    detail = portal.ok(await portal.http.get(f"/v1/groups/{group['id']}", headers=portal.center))
    assert detail["stage"] == "CHANGES_REQUESTED"
    page = (await browser.get("/office")).text
    assert f'data-id="{project["id"]}"' not in page and f'data-id="{group["id"]}"' not in page


async def test_refused_reviews_change_nothing(browser: httpx.AsyncClient, app: FastAPI, portal: Portal) -> None:
    """Returning without a comment is a page naming VALIDATION_ERROR (422); another site's form is refused
    (403) and so is a browser without the office's sign-in (401); the proposal stays in review."""
    project = await portal.submit(await portal.add_student())
    key = await _form_key(browser, project["id"])
    back = {"kind": "proposal", "target": project["id"], "decision": "request_changes", "key": key}

    refused = await browser.post("/office/reviews", data=back)
    assert refused.status_code == 422 and "VALIDATION_ERROR" in refused.text
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as other:
        foreign = await other.post("/office/reviews", data=back, headers={"Origin": "https://evil.test"})
        assert foreign.status_code == 401
        other.cookies.update(browser.cookies)
        foreign = await other.post(
            "/office/reviews", data={**back, "comment": "x"}, headers={"Origin": "https://evil.test"}
        )
        assert foreign.status_code == 403
    assert (await portal.view(project["id"]))["stage"] == "PROPOSAL_REVIEW"
