"""Every link in every mail lands on a page (issue 12, item 2): a course's mails, as `praxis dev` keeps them, are
opened in /dev/mail/ui in Chromium and each link in them is clicked while it is current; each opens a readable
page (200, a heading, its language set), never a JSON route that answers 401 in a browser.

The course runs on an app of its own (the dev inbox exists in dev only) with its own database, mail keeper and
task queue; its worker lives for the whole session, because a workflow task nobody polls would stop the test
server from skipping time for the tests that follow.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
import pytest
import uvicorn
from playwright.async_api import Page
from temporalio.testing import WorkflowEnvironment

from api.main import create_app
from config.settings import Settings
from devstack.mailkeeper import make_controller
from store.db import make_engine, migrate
from tests.api.portal import Portal, proposal, unique
from tests.api.test_groups import group_proposal
from tests.support.mailsink import free_port
from workers.main import build_worker

pytestmark = pytest.mark.browser

MAIL_WAIT = 20.0


@dataclass
class Inbox:
    """The dev app over HTTP, the portal driving it, and every link clicked so far."""

    url: str
    portal: Portal
    clicked: dict[str, str] = field(default_factory=dict)  # link -> the page's heading
    seen_mails: int = 0

    async def mails(self) -> list[dict[str, Any]]:
        listed = await self.portal.http.get("/dev/mail")
        assert listed.status_code == 200
        mails: list[dict[str, Any]] = listed.json()
        return mails

    async def click_new_links(self, page: Page, *, new_mails: int = 1) -> None:
        """Wait for `new_mails` more mails, then click, in /dev/mail/ui, every link not clicked before."""
        async with asyncio.timeout(MAIL_WAIT):
            while len(await self.mails()) < self.seen_mails + new_mails:
                await asyncio.sleep(0.1)
        mails = await self.mails()
        self.seen_mails = len(mails)
        for link in dict.fromkeys(link for mail in mails for link in mail["links"]):
            if link in self.clicked or link.startswith("mailto:"):
                continue
            await page.goto(f"{self.url}/dev/mail/ui")
            async with page.expect_navigation() as navigation:
                await page.locator(f'a[href="{link}"]').first.click()
            response = await navigation.value
            assert response is not None and response.status == 200, f"{link}: {await page.content()}"
            heading = (await page.locator("h1").first.inner_text()).strip()
            assert heading, link
            assert await page.get_attribute("html", "lang") in ("en", "zh-Hant"), link
            self.clicked[link] = heading


@pytest.fixture(scope="session")
async def inbox(
    temporal_env: WorkflowEnvironment, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Inbox]:
    var = tmp_path_factory.mktemp("inbox")
    port, smtp = free_port(), free_port()
    url = f"http://127.0.0.1:{port}"
    own = settings.model_copy(
        update={
            "env": "dev",
            "var_dir": var,
            "database_url": f"sqlite:///{(var / 'inbox.db').as_posix()}",
            "task_queue": f"{settings.task_queue}-inbox",
            "public_url": url,
            "smtp_port": smtp,
            "mail_dir": var / "mail",
        }
    )
    keeper = make_controller(own.mail_path, "127.0.0.1", smtp)
    keeper.start()
    migrate(own.db_url)
    app = create_app(own, temporal_client=temporal_env.client)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, lifespan="on", ws="none", log_config=None, access_log=False
    )
    server = uvicorn.Server(config)
    try:
        async with build_worker(temporal_env.client, own, make_engine(own.db_url)):
            serving = asyncio.create_task(server.serve())
            async with asyncio.timeout(10):
                while not server.started:
                    if serving.done():
                        serving.result()
                    await asyncio.sleep(0.02)
            try:
                async with httpx.AsyncClient(base_url=url, timeout=30) as http:
                    yield Inbox(url, Portal(http, own))
            finally:
                server.should_exit = True
                await serving
    finally:
        keeper.stop()


async def test_every_link_in_every_mail_opens_a_page(inbox: Inbox, phone: Page) -> None:
    """Issue 12: a project from proposal (sent back, revised) through an invitation cancelled, declined and
    accepted, club hours, a closure report returned and resubmitted, a reminder, a new supervisor and a pass;
    a rejected proposal, a withdrawn project, and group proposals sent back, approved and rejected. Every link
    of every mail opens a page: students and the center land on the project's (or group's) read-only page,
    teachers and OSA on their action pages."""
    api, http, page = inbox.portal, inbox.portal.http, phone
    center = api.center
    student = await api.add_student()
    project = (await api.submit(student))["id"]
    base = f"/v1/projects/{project}"
    changes = {"decision": "request_changes", "comment": "Say which school the pupils come from."}
    api.ok(await http.post(f"{base}/review", json=changes, headers=center))
    await inbox.click_new_links(page)  # the proposal comes back to the student
    api.ok(await http.put(f"{base}/proposal", json=proposal(), headers=api.student(student)))
    await api.approve(project)
    await inbox.click_new_links(page)

    teacher, successor = await api.add_faculty(), await api.add_faculty()
    await api.invite(project, student, teacher)
    await inbox.click_new_links(page)  # the invitation: the teacher's action page
    api.ok(await http.delete(f"{base}/invitation", headers=api.student(student)))
    await inbox.click_new_links(page)
    await api.invite(project, student, teacher)
    await inbox.click_new_links(page)
    decline = {"accept": False, "reason": "On sabbatical this term."}
    api.ok(await http.post(f"{base}/invitation/response", json=decline, headers=api.faculty(teacher["id"])))
    await inbox.click_new_links(page)
    await api.invite(project, student, teacher)
    await inbox.click_new_links(page)
    await api.accept(project, teacher["id"])
    await inbox.click_new_links(page)

    await api.log_hours(project, student, 2, date(2026, 3, 1), source="campus_club")
    await inbox.click_new_links(page)  # OSA's verification page
    await api.log_required_hours(project, student)
    await api.add_evidence(project, student)
    await api.submit_closure(project, student)
    await inbox.click_new_links(page)  # the evaluation page
    api.ok(await http.post(f"{base}/supervisor-reminder", headers=api.student(student)))
    await inbox.click_new_links(page)
    await api.evaluate(project, teacher["id"], "revise", "Say more about what the pupils learned.")
    await inbox.click_new_links(page)
    await api.submit_closure(project, student)
    await inbox.click_new_links(page)
    reassign = {"faculty_id": successor["id"], "reason": "Prof left for a sabbatical."}
    api.ok(await http.post(f"{base}/supervisor", json=reassign, headers=center))
    await inbox.click_new_links(page, new_mails=3)
    await api.evaluate(project, successor["id"], "pass")
    await inbox.click_new_links(page)

    rejected = (await api.submit(await api.add_student()))["id"]
    refusal = {"decision": "reject", "comment": "A paid job is not social practice."}
    api.ok(await http.post(f"/v1/projects/{rejected}/review", json=refusal, headers=center))
    await inbox.click_new_links(page)
    withdrawn, owner = await api.approved()
    await inbox.click_new_links(page)
    api.ok(await http.post(f"/v1/projects/{withdrawn}/withdrawal", json={}, headers=api.student(owner)))

    members = [await api.add_student(), await api.add_student()]
    headers = {**api.student(members[0]), "Idempotency-Key": unique("g")}
    group = api.ok(await http.post("/v1/groups", json=group_proposal(members), headers=headers), 201)["group"]
    groups = f"/v1/groups/{group['id']}"
    api.ok(await http.post(f"{groups}/review", json=changes, headers=center))
    await inbox.click_new_links(page)
    api.ok(await http.put(f"{groups}/proposal", json=group_proposal(members), headers=headers))
    api.ok(await http.post(f"{groups}/review", json={"decision": "approve"}, headers=center))
    await inbox.click_new_links(page, new_mails=2)
    others = [await api.add_student(), await api.add_student()]
    second = {**api.student(others[0]), "Idempotency-Key": unique("g")}
    other = api.ok(await http.post("/v1/groups", json=group_proposal(others), headers=second), 201)["group"]
    api.ok(await http.post(f"/v1/groups/{other['id']}/review", json=refusal, headers=center))
    await inbox.click_new_links(page)

    kinds = {link.split("/")[3] for link in inbox.clicked}
    assert kinds == {"a", "v"}, sorted(inbox.clicked)
    assert any("/v/groups/" in link for link in inbox.clicked) and any("/v/projects/" in link for link in inbox.clicked)
    assert not [link for link in inbox.clicked if "/v1/" in link]
