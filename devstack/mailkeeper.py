"""The dev SMTP server that keeps every mail (SPEC §5) in the dev inbox's folder (`store.keptmail`).

Run as a process with `python -m devstack.mailkeeper`; `praxis dev` does that.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, Session

from config.log import configure_logging
from config.settings import Settings, get_settings
from store.keptmail import RCPT_HEADER, RECEIVED_HEADER, store_mail

log = structlog.get_logger(__name__)


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
