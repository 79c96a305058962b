"""A real browser on a phone against a real server: the app under uvicorn on a free port, in the test's
event loop beside the session's worker (so it shares the Temporal test server's client), and Debian's
chromium driven by Playwright."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Literal

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from playwright.async_api import Browser, Page, async_playwright
from sqlalchemy.engine import Engine
from temporalio.testing import WorkflowEnvironment

from api.main import create_app
from config.settings import Settings
from tests.api.portal import Portal
from tests.support.actionlinks import Links
from tests.support.mailsink import MailSink, free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class Served:
    url: str
    portal: Portal
    links: Links


@asynccontextmanager
async def serving(app: FastAPI, port: int, *, lifespan: Literal["on", "off"] = "on") -> AsyncIterator[None]:
    """`app` under uvicorn on `port`, in the test's event loop; `lifespan="off"` for an app already started."""
    # log_config=None: leave the suite's logging alone; no websockets, no access log.
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, lifespan=lifespan, ws="none", log_config=None, access_log=False
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    async with asyncio.timeout(10):
        while not server.started:
            if task.done():
                task.result()  # raises why it stopped
            await asyncio.sleep(0.02)
    try:
        yield
    finally:
        server.should_exit = True
        await task


@pytest.fixture(scope="module")
async def served(
    temporal_env: WorkflowEnvironment, settings: Settings, engine: Engine, worker: None, mail_sink: MailSink
) -> AsyncIterator[Served]:
    """The app over real HTTP; the portal drives projects through it and mails carry links to it."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app(settings.model_copy(update={"public_url": url}), temporal_client=temporal_env.client)
    async with serving(app, port), httpx.AsyncClient(base_url=url, timeout=30) as http:
        portal = Portal(http, settings)
        yield Served(url, portal, Links(portal, mail_sink))


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


@pytest.fixture
async def phone(browser: Browser) -> AsyncIterator[Page]:
    """A phone-sized touch screen (390x844 CSS pixels, like most current phones)."""
    context = await browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="en-US",
    )
    page = await context.new_page()
    yield page
    await context.close()
