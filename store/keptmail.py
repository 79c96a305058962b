"""The dev inbox's folder of kept mails (SPEC §5): each mail the local SMTP keeper accepts becomes one `.eml`
file, named so that a plain sort is arrival order, written to a temporary name and renamed so a reader never
sees half a mail. The keeper writes here (`devstack.mailkeeper`); `GET /dev/mail` reads it.

The envelope recipients and arrival time are prepended as `X-Praxis-*` headers, because Bcc recipients appear
nowhere else in the message.
"""

from __future__ import annotations

import email.policy
import html as html_lib
import os
import re
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses
from pathlib import Path

from pydantic import BaseModel

RCPT_HEADER = "X-Praxis-Rcpt-To"
RECEIVED_HEADER = "X-Praxis-Received-At"
_URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING_PUNCTUATION = ".,;:!?)]}"


class KeptMail(BaseModel):
    """One kept mail as `GET /dev/mail` returns it."""

    id: str
    to: list[str]
    subject: str
    text: str | None
    html: str | None
    links: list[str]
    received_at: datetime


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
