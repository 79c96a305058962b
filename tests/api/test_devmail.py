"""The dev inbox (SPEC §5): mails the local SMTP keeper stored, served as JSON and as a page, in dev only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import httpx
from pydantic import SecretStr
from temporalio.testing import WorkflowEnvironment

from api.main import create_app
from config.settings import Settings
from devstack.mailkeeper import make_controller
from tests.support.mailsink import free_port

BASE_URL = "http://praxis.test"


def mail(subject: str, link: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Praxis <praxis@localhost>"
    message["To"] = "Prof. Chen <chen@staff.example.edu>"
    message["Subject"] = subject
    message.set_content(f"Please answer the invitation: {link}\n")
    message.add_alternative(f'<p><a href="{link}">Open the invitation</a> &amp; answer</p>', subtype="html")
    return message


@asynccontextmanager
async def client_for(settings: Settings, temporal_env: WorkflowEnvironment) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, temporal_client=temporal_env.client)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as http:
        yield http


async def test_dev_inbox_serves_kept_mails_with_their_links(
    settings: Settings, temporal_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """SPEC §5: mails sent to the dev SMTP keeper come back from `GET /dev/mail` as
    `[{id, to, subject, text, html, links}]` in arrival order, and `GET /dev/mail/ui` lists them newest first
    with every link clickable (the mails' own HTML in a sandboxed frame)."""
    mail_dir = tmp_path / "mail"
    port = free_port()
    keeper = make_controller(mail_dir, "127.0.0.1", port)
    keeper.start()
    try:
        for n in (1, 2):
            message = mail(f"Invitation {n}", f"http://127.0.0.1:8000/a/token{n}.sig")
            await aiosmtplib.send(message, hostname="127.0.0.1", port=port)
    finally:
        keeper.stop()

    dev = settings.model_copy(update={"env": "dev", "mail_dir": mail_dir})
    async with client_for(dev, temporal_env) as http:
        listed = await http.get("/dev/mail")
        assert listed.status_code == 200
        mails = listed.json()
        assert [m["subject"] for m in mails] == ["Invitation 1", "Invitation 2"]
        first = mails[0]
        assert {"id", "to", "subject", "text", "html", "links"} <= set(first)
        assert first["to"] == ["chen@staff.example.edu"]
        assert first["links"] == ["http://127.0.0.1:8000/a/token1.sig"]
        assert "Please answer the invitation" in first["text"] and "Open the invitation" in first["html"]

        page = await http.get("/dev/mail/ui")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        html = page.text
        assert html.index("Invitation 2") < html.index("Invitation 1")
        for n in (1, 2):
            assert f'<a href="http://127.0.0.1:8000/a/token{n}.sig">' in html
        assert "<iframe sandbox srcdoc=" in html and "&lt;p&gt;&lt;a href=" in html  # escaped, never live


async def test_dev_inbox_is_empty_before_the_first_mail(
    settings: Settings, temporal_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """SPEC §5: before the keeper stored anything (no mail directory yet) the inbox is an empty list."""
    dev = settings.model_copy(update={"env": "dev", "mail_dir": tmp_path / "none-yet"})
    async with client_for(dev, temporal_env) as http:
        assert (await http.get("/dev/mail")).json() == []
        assert "No mail yet." in (await http.get("/dev/mail/ui")).text


async def test_the_dev_inbox_does_not_exist_in_production(
    settings: Settings, temporal_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """SPEC §5: with production settings the dev inbox is not even registered: its paths answer 404."""
    production = Settings(
        env="production",
        jwt_secret=SecretStr("j" * 40),
        action_link_secret=SecretStr("a" * 40),
        database_url=f"sqlite:///{tmp_path / 'praxis.db'}",
        mail_dir=tmp_path,
        payload_keys=settings.payload_keys,
    )
    app = create_app(production, temporal_client=temporal_env.client)
    assert not [r for r in app.routes if getattr(r, "path", "").startswith("/dev")]
    async with client_for(production, temporal_env) as http:
        for path in ("/dev/mail", "/dev/mail/ui"):
            response = await http.get(path)
            assert response.status_code == 404
            assert response.json()["code"] == "NOT_FOUND"
