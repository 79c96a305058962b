"""Mail: renders the notices a project owes and sends them over SMTP, each at most once per notice key.

Delivery is at-least-once, narrowed by the outbox (`store.outbox`) to "once, except in one narrow window":

- Every notice is recorded by `Notice.key` before it is sent, and a key already `sent` is skipped, so a
  retried batch (a later notice failed, the worker restarted) sends only what is still owed.
- A crash after the SMTP server accepted a mail and before the outbox row is marked `sent` re-sends that
  one mail on retry. Its Message-ID is derived from the key, so receivers can drop the duplicate.
- An SMTP failure counts an attempt, keeps the error on the outbox row and raises: Temporal retries the
  activity with the workflow's backoff, and operators see the error as the activity's last failure.
- A mail that can never be delivered (the person is not in the directory, the server refuses the address
  for good) is recorded as `undeliverable` with a warning and skipped: retrying could not help, and it
  must not hold back the project's later notices.

Mails are bilingual by default (English, then Traditional Chinese; `settings.mail_language`); a teacher or
student whose directory entry names a `language` gets their mail in it (issue 4). Supervisors
get an action link (`{public_url}/a/{token}`, domain.links) for the invitation, the evaluation and their
reminders; the Office of Student Affairs gets one to verify club hours; students and the center get a
link to the project.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Any, Literal, Protocol

import aiosmtplib
import structlog
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy.engine import Engine
from sqlmodel import Session
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.contracts import NoticeBatch
from config.settings import Settings
from domain.calendar import TAIPEI
from domain.links import LinkAction, LinkClaims, issue_link_token
from domain.nudges import EVALUATION_ESCALATION_DAYS, EVALUATION_REMINDER_DAYS, INVITATION_EXPIRY_DAYS
from domain.people import Faculty, Student
from domain.project import Notice, ProjectSummary
from domain.stages import Stage
from domain.vocabulary import MailLanguage, ReflectionFormat, Role
from domain.work import REQUIRED_HOURS
from store import outbox, tokens
from store.db import session
from store.directory import get_faculty, get_student

log = structlog.get_logger(__name__)

TEMPLATES_DIR = Path(__file__).parent / "templates"

# Templates whose mail carries an action link, with the notice context key naming the link's `ref`
# (None: a reminder, which follows the ref of the link the first mail carried).
ACTION_LINKS: dict[str, tuple[LinkAction, str | None]] = {
    "invitation": (LinkAction.RESPOND_INVITATION, "invitation_seq"),
    "invitation_reminder": (LinkAction.RESPOND_INVITATION, None),
    "evaluation_requested": (LinkAction.EVALUATE, "submission_seq"),
    "evaluation_reminder": (LinkAction.EVALUATE, None),
    "evaluation_assigned": (LinkAction.EVALUATE, "submission_seq"),  # R22: reassigned while pending
    "deadline_reminder": (LinkAction.EVALUATE, None),  # R22
    "club_hours_to_verify": (LinkAction.VERIFY_HOURS, "entry_id"),
}
# Other mails link to the project where the recipient can open it; a supervisor told that an invitation
# was cancelled or a project withdrawn has nothing left to open.
PROJECT_LINK_ROLES = frozenset({Role.STUDENT, Role.CENTER})
_BLOCKS = ("subject_en", "subject_zh", "en", "zh", "link_en", "link_zh")


# --- rendering -------------------------------------------------------------------------------------

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAYS_ZH = "一二三四五六日"
_FORMATS_EN = {
    ReflectionFormat.CONVERSATION: "a conversation",
    ReflectionFormat.AUDIO_VISUAL_RECORD: "an audio-visual record",
    ReflectionFormat.PROOF_OF_HOURS: "proof of hours",
    ReflectionFormat.ORAL_PRESENTATION: "an oral presentation",
    ReflectionFormat.WRITTEN_REPORT: "a written report",
    ReflectionFormat.OTHER: "another format agreed between you",
}
_FORMATS_ZH = {
    ReflectionFormat.CONVERSATION: "對談",
    ReflectionFormat.AUDIO_VISUAL_RECORD: "影音紀錄",
    ReflectionFormat.PROOF_OF_HOURS: "時數證明",
    ReflectionFormat.ORAL_PRESENTATION: "口頭報告",
    ReflectionFormat.WRITTEN_REPORT: "書面報告",
    ReflectionFormat.OTHER: "雙方約定的其他方式",
}


def en_date(at: datetime) -> str:
    """`Monday 21 September 2026, 10:00 (Taipei time)`: deadlines are instants, shown where the course runs."""
    local = at.astimezone(TAIPEI)
    day = f"{_WEEKDAYS_EN[local.weekday()]} {local.day} {_MONTHS[local.month - 1]} {local.year}"
    return f"{day}, {local:%H:%M} (Taipei time)"


def zh_date(at: datetime) -> str:
    local = at.astimezone(TAIPEI)
    # Full-width parentheses are the correct punctuation in Chinese text.
    return f"{local.year}年{local.month}月{local.day}日（星期{_WEEKDAYS_ZH[local.weekday()]}）{local:%H:%M}（臺北時間）"  # noqa: RUF001


def _format_label(value: str, labels: dict[ReflectionFormat, str]) -> str:
    try:
        return labels[ReflectionFormat(value)]
    except ValueError:
        return value


_env = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    # Notice templates are text; only the HTML layout escapes (every value it prints is escaped there).
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False, default=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["en_date"] = en_date
_env.filters["zh_date"] = zh_date
_env.filters["format_en"] = lambda value: _format_label(value, _FORMATS_EN)
_env.filters["format_zh"] = lambda value: _format_label(value, _FORMATS_ZH)
# Notice contexts are strings; a date travels as ISO 8601 (`{{ c.deadline | instant | en_date }}`).
_env.filters["instant"] = datetime.fromisoformat


# Mails that are not a project's notice (they go out from activities other than deliver_notices).
NON_NOTICE_TEMPLATES = frozenset({"review_digest", "exam_week"})


def template_names() -> set[str]:
    """Every notice template there is a mail for."""
    return {
        path.stem
        for path in TEMPLATES_DIR.glob("*.j2")
        if not path.name.startswith("_") and path.stem not in NON_NOTICE_TEMPLATES
    }


@dataclass(frozen=True)
class MailView:
    """Everything a notice's mail says, resolved: the template sees these and the notice's context."""

    summary: ProjectSummary
    notice: Notice
    recipient_name: str
    student: str
    supervisor: str | None
    now: datetime
    link: str | None = None
    link_expires_at: datetime | None = None  # set for action links only


@dataclass(frozen=True)
class MailContent:
    subject: str
    text: str
    html: str
    language: MailLanguage = MailLanguage.BILINGUAL  # what it was rendered in (its Content-Language)


@dataclass(frozen=True)
class _Block:
    kind: Literal["text", "list"]
    lines: list[str] = field(default_factory=list)


def _moments(summary: ProjectSummary, notice: Notice, now: datetime) -> dict[str, Any]:
    """The dates a mail names, from when the current stage began and the domain's schedule (R12, R20).

    A reminder after a reassignment counts from the reassignment (`since`, R22), not from the submission.
    """
    since = datetime.fromisoformat(notice.context["since"]) if "since" in notice.context else summary.stage_since
    moments: dict[str, Any] = {
        "invited_at": None,
        "invitation_expires_at": None,
        "submitted_at": None,
        "evaluate_by": None,
        "escalates_at": None,
        "escalated": False,
        "days_waiting": None,
    }
    if summary.stage is Stage.SUPERVISOR_INVITED:
        moments["invited_at"] = since
        moments["invitation_expires_at"] = since + timedelta(days=INVITATION_EXPIRY_DAYS)
    if summary.stage is Stage.EVALUATION_PENDING:
        day = notice.context.get("day", "")
        waited = int(day) if day.isdigit() else (now - since).days
        moments["submitted_at"] = since
        moments["evaluate_by"] = since + timedelta(days=EVALUATION_REMINDER_DAYS[0])
        moments["escalates_at"] = since + timedelta(days=EVALUATION_ESCALATION_DAYS)
        moments["escalated"] = waited >= EVALUATION_ESCALATION_DAYS
        moments["days_waiting"] = waited
    return moments


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]


def _blocks(paragraphs: list[str]) -> list[_Block]:
    """Paragraphs for HTML: runs of lines starting with "- " become lists, other runs stay lines."""
    blocks: list[_Block] = []
    for paragraph in paragraphs:
        current: _Block | None = None
        for line in paragraph.splitlines():
            kind: Literal["text", "list"] = "list" if line.startswith("- ") else "text"
            if current is None or current.kind != kind:
                current = _Block(kind=kind)
                blocks.append(current)
            current.lines.append(line[2:] if kind == "list" else line)
    return blocks


def _one_line(text: str) -> str:
    return " ".join(text.split())


def render_notice(view: MailView, *, language: MailLanguage = MailLanguage.BILINGUAL, center_email: str) -> MailContent:
    """Subject, plain text and HTML of one notice, from `templates/<notice.template>.j2` and the layouts."""
    variables: dict[str, Any] = {
        "project": view.summary,
        "c": view.notice.context,
        "recipient_name": view.recipient_name,
        "student": view.student,
        "supervisor": view.supervisor,
        "required_hours": f"{REQUIRED_HOURS:f}",
        "invitation_days": INVITATION_EXPIRY_DAYS,
        "escalation_days": EVALUATION_ESCALATION_DAYS,
        **_moments(view.summary, view.notice, view.now),
    }
    return render_mail(
        view.notice.template,
        variables,
        language=language,
        center_email=center_email,
        project=view.summary,
        link=view.link,
        link_expires_at=view.link_expires_at,
    )


def render_mail(
    template_name: str,
    variables: dict[str, Any],
    *,
    language: MailLanguage = MailLanguage.BILINGUAL,
    center_email: str,
    project: ProjectSummary | None,
    link: str | None,
    link_expires_at: datetime | None = None,
) -> MailContent:
    """Subject, plain text and HTML from `templates/<template_name>.j2` and the layouts.

    `project` is the project the mail is about (its stage goes in the footer); None for a mail about many.
    """
    template = _env.get_template(f"{template_name}.j2")
    missing = [name for name in _BLOCKS if name not in template.blocks]
    if missing:
        raise ValueError(f"mail template {template_name} lacks blocks {missing}")

    def block(name: str) -> str:
        return "".join(template.blocks[name](template.new_context(variables)))

    language = MailLanguage(language)
    languages = ("en", "zh") if language is MailLanguage.BILINGUAL else (language.value,)
    subjects = [_one_line(block(f"subject_{lang}")) for lang in languages]
    sections = []
    for lang in languages:
        paragraphs = _paragraphs(block(lang))
        label = _one_line(block(f"link_{lang}")) or ("Open" if lang == "en" else "開啟")
        sections.append(
            {
                "lang": lang,
                "html_lang": "en" if lang == "en" else "zh-Hant-TW",
                "body": "\n\n".join(paragraphs),
                "blocks": _blocks(paragraphs),
                "link_label": label,
            }
        )
    subject = "[Praxis] " + " / ".join(subjects)
    layout = {
        "sections": sections,
        "subject": subject,
        "project": project,
        "link": link,
        "link_expires_at": link_expires_at,
        "center_email": center_email,
    }
    text = _env.get_template("_layout.txt.j2").render(layout)
    html = _env.get_template("_layout.html.j2").render(layout)
    return MailContent(subject=subject, text=text.strip() + "\n", html=html, language=language)


# --- sending ---------------------------------------------------------------------------------------


class MailSender(Protocol):
    """Hands one message to a mail server; raises if the server did not accept it."""

    async def send(self, message: EmailMessage) -> None: ...


class SmtpSender:
    """aiosmtplib with the settings' host, port, TLS mode (none, starttls, tls) and optional login."""

    def __init__(self, settings: Settings, *, timeout: float = 30.0) -> None:
        self._settings = settings
        self._timeout = timeout

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


def project_url(settings: Settings, project_id: str) -> str:
    """Where the portal shows one project (the link students and the center get)."""
    return f"{settings.public_url.rstrip('/')}/v1/projects/{project_id}"


CONTENT_LANGUAGE = {MailLanguage.BILINGUAL: "en, zh-Hant", MailLanguage.EN: "en", MailLanguage.ZH: "zh-Hant"}


def build_message(
    settings: Settings, key: str, recipient: Recipient, content: MailContent, *, now: datetime
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    username, _, domain = recipient.address.rpartition("@")
    message["To"] = Address(display_name=recipient.name, username=username, domain=domain)
    if recipient.address != settings.center_email:
        message["Reply-To"] = settings.center_email  # replies reach people who can help
    message["Subject"] = content.subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id(key, settings.mail_from)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation auto-replies, please
    message.set_content(content.text)
    message.add_alternative(content.html, subtype="html")
    # After the body: set_content() drops any Content-* header set before it.
    message["Content-Language"] = CONTENT_LANGUAGE[MailLanguage(content.language)]
    return message


def _refused_for_good(error: Exception) -> bool:
    """A 5xx refusal of the recipient: the address will not start working by retrying."""
    return isinstance(error, aiosmtplib.SMTPRecipientsRefused) and all(r.code >= 500 for r in error.recipients)


# --- delivery through the outbox --------------------------------------------------------------------


@dataclass(frozen=True)
class OutboxMail:
    """One mail to send at most once: its outbox key, what it belongs to, and how logs and errors name it."""

    key: str
    project_id: str  # "" for a mail about no single project (the review digest)
    template: str
    description: str  # e.g. "mail invitation for project 1a2b": the failed attempt's error starts with it
    log_context: dict[str, str] = field(default_factory=dict)


# Prepares the message to send, given the outbox row's token id (a retry re-sends the same link) and the
# time of this attempt; None if the mail turned out undeliverable (it must then say so in the outbox).
Prepare = Callable[[str | None, datetime], EmailMessage | None]


class Outbox:
    """Sends mails through the outbox, each at most once per key (see the module docstring)."""

    def __init__(self, engine: Engine, sender: MailSender) -> None:
        self._engine = engine
        self._sender = sender

    async def send_once(self, mail: OutboxMail, prepare: Prepare) -> None:
        """Send unless the key was sent or given up already; an SMTP failure raises ApplicationError to retry."""
        bound = log.bind(**mail.log_context)
        now = datetime.now(UTC)
        entry = await asyncio.to_thread(self._open, mail, now)
        if entry.status is not outbox.OutboxStatus.PENDING:
            bound.debug("mail already handled", status=entry.status.value)
            return
        try:
            message = await asyncio.to_thread(prepare, entry.token_id, now)
            if message is None:
                return
            await self._sender.send(message)
        except Exception as error:
            reason = f"{type(error).__name__}: {error}"
            if _refused_for_good(error):
                await asyncio.to_thread(self._give_up, mail.key, f"recipient refused: {reason}")
                bound.warning("mail undeliverable", reason=reason)
                return
            attempts = await asyncio.to_thread(self._count_failure, mail.key, reason)
            bound.warning("mail not sent; the activity will be retried", attempts=attempts, error=reason)
            raise ApplicationError(
                f"{mail.description} not sent (attempt {attempts}): {reason}", type="MailNotSent"
            ) from error
        await asyncio.to_thread(self._sent, mail.key, datetime.now(UTC))
        bound.info("mail sent")

    # Blocking database work, run in a thread.

    def _open(self, mail: OutboxMail, now: datetime) -> outbox.OutboxEntry:
        with session(self._engine) as s:
            return outbox.open_entry(s, key=mail.key, project_id=mail.project_id, template=mail.template, now=now)

    def _count_failure(self, key: str, reason: str) -> int:
        with session(self._engine) as s:
            return outbox.record_failure(s, key, reason)

    def _give_up(self, key: str, reason: str) -> None:
        with session(self._engine) as s:
            outbox.mark_undeliverable(s, key, reason)

    def _sent(self, key: str, now: datetime) -> None:
        with session(self._engine) as s:
            outbox.mark_sent(s, key, now)


# --- the activity ----------------------------------------------------------------------------------


class MailActivities:
    def __init__(self, settings: Settings, engine: Engine, sender: MailSender | None = None) -> None:
        self._settings = settings
        self._engine = engine
        self._outbox = Outbox(engine, sender or SmtpSender(settings))

    @activity.defn
    async def deliver_notices(self, batch: NoticeBatch) -> None:
        """Send the batch's notices in order; each at most once per key (see the module docstring)."""
        for notice in batch.notices:
            await self._deliver(batch.summary, notice, batch.at)

    async def _deliver(self, summary: ProjectSummary, notice: Notice, at: datetime | None) -> None:
        mail = OutboxMail(
            key=notice.key,
            project_id=summary.id,
            template=notice.template,
            description=f"mail {notice.template} for project {summary.id}",
            log_context={"project_id": summary.id, "template": notice.template, "to_role": notice.to_role.value},
        )
        # The mail speaks of the project's time (workflow time) when the workflow gave it, so days waited and
        # dates due read the same whenever a retry finally sends it.
        await self._outbox.send_once(mail, lambda token_id, now: self._prepare(summary, notice, token_id, at or now))

    def _prepare(
        self, summary: ProjectSummary, notice: Notice, token_id: str | None, now: datetime
    ) -> EmailMessage | None:
        """Resolve the recipient, issue (or re-issue) the action link, render; None if undeliverable."""
        with session(self._engine) as s:
            recipient = self.resolve_recipient(s, notice)
            if recipient is None:
                reason = f"no {notice.to_role.value} {notice.to_id} to send to (not in the directory)"
                outbox.mark_undeliverable(s, notice.key, reason)
                log.warning("mail undeliverable", project_id=summary.id, template=notice.template, reason=reason)
                return None
            student = get_student(s, summary.student_id)
            supervisor_id = summary.supervisor_id or summary.invited_faculty_id
            supervisor = get_faculty(s, supervisor_id) if supervisor_id else None
            link, claims = self._link(s, summary, notice, token_id, now)
            view = MailView(
                summary=summary,
                notice=notice,
                recipient_name=recipient.name,
                student=f"{student.name} ({student.id})" if student else summary.student_id,
                supervisor=f"{supervisor.name} ({supervisor.id})" if supervisor else supervisor_id,
                now=now,
                link=link,
                link_expires_at=claims.expires_at if claims else None,
            )
            content = render_notice(
                view,
                language=mail_language(self._settings, recipient),
                center_email=self._settings.center_email,
            )
            outbox.set_prepared(
                s,
                notice.key,
                recipient=recipient.address,
                subject=content.subject,
                token_id=claims.token_id if claims else None,
            )
        return build_message(self._settings, notice.key, recipient, content, now=now)

    def resolve_recipient(self, s: Session, notice: Notice) -> Recipient | None:
        """Students and teachers from the directory by id, with their language; the center and OSA from settings."""
        if notice.to_role is Role.STUDENT:
            student = get_student(s, notice.to_id)
            return person_recipient(student) if student else None
        if notice.to_role is Role.FACULTY:
            faculty = get_faculty(s, notice.to_id)
            return person_recipient(faculty) if faculty else None
        if notice.to_role is Role.CENTER:
            return center_recipient(self._settings)
        if notice.to_role is Role.OSA:
            return Recipient(address=self._settings.osa_email, name="Office of Student Affairs")
        return None

    def _link(
        self, s: Session, summary: ProjectSummary, notice: Notice, token_id: str | None, now: datetime
    ) -> tuple[str | None, LinkClaims | None]:
        base = self._settings.public_url.rstrip("/")
        spec = ACTION_LINKS.get(notice.template)
        if spec is None:
            project_link = project_url(self._settings, summary.id) if notice.to_role in PROJECT_LINK_ROLES else None
            return project_link, None
        # A retry re-sends the link the first attempt issued, not a second one.
        claims = tokens.get_link(s, token_id) if token_id else None
        if claims is None:
            action, ref_key = spec
            ref = (
                notice.context.get(ref_key)
                if ref_key
                else tokens.latest_ref(s, project_id=summary.id, action=action, subject_id=notice.to_id)
            )
            if not ref:
                log.warning("action link without a ref", project_id=summary.id, template=notice.template)
            claims = LinkClaims(
                token_id=secrets.token_urlsafe(18),
                subject_id=notice.to_id,
                action=action,
                project_id=summary.id,
                ref=ref or "",
                expires_at=self._link_expiry(action, summary, now),
            )
            tokens.save_link(s, claims, issued_at=now)
        token = issue_link_token(
            self._settings.action_link_secret.get_secret_value(),
            subject_id=claims.subject_id,
            action=claims.action,
            project_id=claims.project_id,
            ref=claims.ref,
            expires_at=claims.expires_at,
            nonce=claims.token_id,
        )
        return f"{base}/a/{token}", claims

    def _link_expiry(self, action: LinkAction, summary: ProjectSummary, now: datetime) -> datetime:
        days = {
            LinkAction.RESPOND_INVITATION: self._settings.action_link_invitation_days,
            LinkAction.EVALUATE: self._settings.action_link_evaluation_days,
            LinkAction.VERIFY_HOURS: self._settings.action_link_verification_days,
        }[action]
        expires = now + timedelta(days=days)
        if action is LinkAction.RESPOND_INVITATION and summary.stage is Stage.SUPERVISOR_INVITED:
            # R12: the invitation lapses after 14 days; its link need not outlive it.
            expires = min(expires, summary.stage_since + timedelta(days=INVITATION_EXPIRY_DAYS))
        return expires.replace(microsecond=0)
