"""Handing a mail to the SMTP server: who it goes to (in which language), the message itself, and aiosmtplib.

A recipient refused for good (a 5xx answer) is told apart from a server that is down for now: the first can
never be sent, the second is retried (`activities.mail.outbox`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Protocol

import aiosmtplib

from activities.mail.rendering import MailContent
from config.settings import Settings
from domain.people import Faculty, Student
from domain.vocabulary import MailLanguage


class MailSender(Protocol):
    """Hands one message to a mail server; raises if the server did not accept it."""

    async def send(self, message: EmailMessage) -> None: ...


class SmtpSender:
    """aiosmtplib with the settings' host, port, TLS mode (none, starttls, tls) and optional login."""

    def __init__(self, settings: Settings, *, timeout: float = 30.0) -> None:
        self._settings = settings
        self._timeout = timeout

    async def probe(self) -> None:
        """Connect (and start TLS as configured), then say QUIT: the server is taking connections. No mail."""
        s = self._settings
        smtp = aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            use_tls=s.smtp_tls == "tls",
            start_tls=s.smtp_tls == "starttls",
            timeout=self._timeout,
        )
        await smtp.connect()
        await smtp.quit()

    async def send(self, message: EmailMessage) -> None:
        s = self._settings
        await aiosmtplib.send(
            message,
            hostname=s.smtp_host,
            port=s.smtp_port,
            use_tls=s.smtp_tls == "tls",
            start_tls=s.smtp_tls == "starttls",
            username=s.smtp_username,
            password=s.smtp_password.get_secret_value() if s.smtp_password else None,
            timeout=self._timeout,
        )


def message_id(key: str, mail_from: str) -> str:
    """Derived from the notice key, so a re-sent mail is recognisably the same one; the key itself (which
    names people) does not appear."""
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "praxis.invalid"
    return f"<{hashlib.sha256(key.encode('utf-8')).hexdigest()[:40]}@{domain}>"


@dataclass(frozen=True)
class Recipient:
    address: str
    name: str
    language: MailLanguage | None = None  # their own preference (issue 4); None: the course default


def person_recipient(person: Faculty | Student) -> Recipient:
    """A teacher or student from the directory, with the mail language they prefer, if any (issue 4)."""
    return Recipient(address=str(person.email), name=person.name, language=person.language)


def mail_language(settings: Settings, recipient: Recipient) -> MailLanguage:
    """Issue 4: the recipient's own preference, else the course default (the center and OSA always get that)."""
    return recipient.language or MailLanguage(settings.mail_language)


def center_recipient(settings: Settings) -> Recipient:
    return Recipient(address=settings.center_email, name="Center for General Education")


CONTENT_LANGUAGE = {MailLanguage.BILINGUAL: "en, zh-Hant", MailLanguage.EN: "en", MailLanguage.ZH: "zh-Hant"}


def encoded_subject(subject: str) -> str:
    """The Subject as RFC 2047 encoded words, folded here: Python's own folder breaks a mixed English and Chinese
    subject at the space before an encoded word and keeps that space too, so mail programs show two spaces
    before the Chinese. Between encoded words whitespace does not count, so this folding adds none."""
    if subject.isascii():
        return subject
    return Header(subject, "utf-8", header_name="Subject").encode(linesep="\n")


def build_message(
    settings: Settings, key: str, recipient: Recipient, content: MailContent, *, now: datetime
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    username, _, domain = recipient.address.rpartition("@")
    message["To"] = Address(display_name=recipient.name, username=username, domain=domain)
    if recipient.address != settings.center_email:
        message["Reply-To"] = settings.center_email  # replies reach people who can help
    message.set_raw("Subject", encoded_subject(content.subject))
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id(key, settings.mail_from)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation auto-replies, please
    message.set_content(content.text)
    message.add_alternative(content.html, subtype="html")
    # After the body: set_content() drops any Content-* header set before it.
    message["Content-Language"] = CONTENT_LANGUAGE[MailLanguage(content.language)]
    return message


def refused_for_good(error: Exception) -> bool:
    """A 5xx refusal of the recipient: the address will not start working by retrying."""
    return isinstance(error, aiosmtplib.SMTPRecipientsRefused) and all(r.code >= 500 for r in error.recipients)


def cannot_be_built(error: Exception) -> bool:
    """The message itself cannot be made from what the directory holds: an address or a display name the
    headers cannot carry (`email` raises ValueError, e.g. "address parts cannot contain CR or LF"), or a
    stored entry that no longer validates. Retrying builds the same message again."""
    return isinstance(error, ValueError)
