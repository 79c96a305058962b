"""The dev SMTP server that keeps every mail (SPEC §5), and the reader `/dev/mail` serves.

Each accepted mail becomes one `.eml` file under `settings.mail_path`, named so that a plain sort is
arrival order. Files are written to a temporary name and renamed, so a reader never sees half a mail.
The envelope recipients and arrival time are prepended as `X-Praxis-*` headers, because Bcc
recipients appear nowhere else in the message.

Run as a process with `python -m devstack.mailkeeper`; `praxis dev` does that.
"""

from __future__ import annotations

import asyncio
import email.policy
import html as html_lib
import os
import re
import signal
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses
from pathlib import Path
from typing import Any

import structlog
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, Session
from pydantic import BaseModel

from config.log import configure_logging
from config.settings import Settings, get_settings

RCPT_HEADER = "X-Praxis-Rcpt-To"
RECEIVED_HEADER = "X-Praxis-Received-At"
_URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING_PUNCTUATION = ".,;:!?)]}"

log = structlog.get_logger(__name__)


class KeptMail(BaseModel):
    """One kept mail as `GET /dev/mail` returns it."""

    id: str
    to: list[str]
    subject: str
    text: str | None
    html: str | None
    links: list[str]
    received_at: datetime


@dataclass
class KeeperHandler:
    """aiosmtpd handler: store every message, never refuse one."""

    mail_dir: Path

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        received_at = datetime.now(UTC)
        content = envelope.original_content or b""
        recipients = ", ".join(str(r) for r in envelope.rcpt_tos)
        prefix = f"{RCPT_HEADER}: {recipients}\r\n{RECEIVED_HEADER}: {received_at.isoformat()}\r\n"
        path = await asyncio.to_thread(store_mail, self.mail_dir, prefix.encode() + content, received_at)
        log.info("mail kept", path=str(path), to=list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


async def _accept_any_login(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    """Accept any credentials, so a dev setup with `PRAXIS_SMTP_USERNAME` set still delivers here."""
    return AuthResult(success=True)


def store_mail(mail_dir: Path, data: bytes, received_at: datetime) -> Path:
    """Write one mail atomically as `<utc timestamp>-<uuid>.eml`; return its path."""
    mail_dir.mkdir(parents=True, exist_ok=True)
    name = f"{received_at.astimezone(UTC):%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex}.eml"
    tmp = mail_dir / f".{name}.tmp"
    with tmp.open("wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    final = mail_dir / name
    tmp.replace(final)
    return final


def make_controller(mail_dir: Path, host: str, port: int) -> Controller:
    """An (unstarted) SMTP server on host:port that keeps mail under `mail_dir`."""
    return Controller(
        KeeperHandler(mail_dir),
        hostname=host,
        port=port,
        enable_SMTPUTF8=True,
        auth_require_tls=False,
        authenticator=_accept_any_login,
    )


def read_kept_mails(mail_dir: Path) -> list[KeptMail]:
    """Every kept mail in arrival order; an absent directory means no mail yet."""
    if not mail_dir.is_dir():
        return []
    return [parse_mail(path) for path in sorted(mail_dir.glob("*.eml"))]


def parse_mail(path: Path) -> KeptMail:
    """Read one `.eml` file into a `KeptMail`."""
    with path.open("rb") as f:
        msg = BytesParser(policy=email.policy.default).parse(f)
    assert isinstance(msg, EmailMessage)
    text = _body(msg, "plain")
    html = _body(msg, "html")
    return KeptMail(
        id=path.stem,
        to=_recipients(msg),
        subject=str(msg.get("Subject", "")),
        text=text,
        html=html,
        links=find_links(text or "", html_lib.unescape(html or "")),
        received_at=_received_at(msg, path),
    )


def find_links(*texts: str) -> list[str]:
    """Absolute http(s) URLs in `texts`, deduplicated in order of first appearance."""
    seen: dict[str, None] = {}
    for text in texts:
        for match in _URL.finditer(text):
            seen.setdefault(match.group().rstrip(_TRAILING_PUNCTUATION), None)
    return list(seen)


def _body(msg: EmailMessage, subtype: str) -> str | None:
    part = msg.get_body(preferencelist=(subtype,))
    if part is None:
        return None
    content = part.get_content()
    return content if isinstance(content, str) else None


def _recipients(msg: EmailMessage) -> list[str]:
    envelope = msg.get(RCPT_HEADER)
    if envelope is not None:
        return [r.strip() for r in str(envelope).split(",") if r.strip()]
    headers = [str(v) for v in (*msg.get_all("To", []), *msg.get_all("Cc", []))]
    return [addr for _, addr in getaddresses(headers) if addr]


def _received_at(msg: EmailMessage, path: Path) -> datetime:
    stamp = msg.get(RECEIVED_HEADER)
    if stamp is not None:
        try:
            return datetime.fromisoformat(str(stamp))
        except ValueError:
            pass
    return datetime.fromtimestamp(path.stat().st_mtime, UTC)


def main(settings: Settings | None = None) -> None:
    """Keep mail on settings.smtp_host:smtp_port until SIGINT or SIGTERM."""
    settings = settings or get_settings()
    configure_logging(settings)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    controller = make_controller(settings.mail_path, settings.smtp_host, settings.smtp_port)
    controller.start()
    log.info("mail keeper listening", host=settings.smtp_host, port=settings.smtp_port, dir=str(settings.mail_path))
    try:
        stop.wait()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
