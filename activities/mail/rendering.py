"""What a mail says: subject, plain text and HTML from its template (`rendering/templates/mail/<name>.j2`)
and the two layouts, in English then Traditional Chinese, or in one of them.

Every date a notice names was decided by the domain when the project owed the mail (`domain.deadlines`) and
travels in the notice's context; nothing here recomputes one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from domain.notices import Notice
from domain.profile import NTUST_V1, Course, CourseProfile
from domain.project import ProjectSummary
from domain.vocabulary import MailLanguage
from rendering.env import MAIL_TEMPLATES_DIR, env
from rendering.words import counted_kinds_en, counted_kinds_zh

_BLOCKS = ("subject_en", "subject_zh", "en", "zh", "link_en", "link_zh")
# Mails that are not a project's notice (they go out from activities other than deliver_notices).
NON_NOTICE_TEMPLATES = frozenset({"review_digest", "exam_week"})
# Context keys that hold an instant (ISO 8601), shown to the template as datetimes under the same name.
_INSTANTS = ("invited_at", "invitation_expires_at", "submitted_at", "evaluate_by", "escalates_at")


def template_names() -> set[str]:
    """Every notice template there is a mail for."""
    return {
        path.stem
        for path in MAIL_TEMPLATES_DIR.glob("*.j2")
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
    link: str | None = None
    link_expires_at: datetime | None = None  # set for action links only
    profile: CourseProfile = NTUST_V1  # the project's course profile: its numbers and its course's name


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


def moments(context: dict[str, str]) -> dict[str, Any]:
    """The dates and counts a notice's context carries, typed for the templates (absent ones are None)."""
    found: dict[str, Any] = dict.fromkeys(_INSTANTS)
    for name in _INSTANTS:
        if context.get(name):
            found[name] = datetime.fromisoformat(context[name])
    waited = context.get("days_waiting", "")
    found["days_waiting"] = int(waited) if waited.isdigit() else None
    found["escalated"] = context.get("escalated") == "yes"
    return found


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
    """Subject, plain text and HTML of one notice, from `mail/<notice.template>.j2` and the layouts."""
    variables: dict[str, Any] = {
        "project": view.summary,
        "c": view.notice.context,
        "recipient_name": view.recipient_name,
        "student": view.student,
        "supervisor": view.supervisor,
        "required_hours": f"{view.profile.hours.required:f}",
        "counted_kinds_en": counted_kinds_en(view.profile),
        "counted_kinds_zh": counted_kinds_zh(view.profile),
        "invitation_days": view.profile.schedule.invitation_expiry_days,
        "escalation_days": view.profile.schedule.evaluation_escalation_days,
        **moments(view.notice.context),
    }
    return render_mail(
        view.notice.template,
        variables,
        language=language,
        center_email=center_email,
        project=view.summary,
        link=view.link,
        link_expires_at=view.link_expires_at,
        course=view.profile.course,
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
    course: Course = NTUST_V1.course,
) -> MailContent:
    """Subject, plain text and HTML from `mail/<template_name>.j2` and the layouts.

    `project` is the project the mail is about (its stage goes in the footer); None for a mail about many.
    `course` is the course the mail speaks for (its profile's; the project's for a project's mail).
    """
    variables = {"course": course, **variables}
    template = env.get_template(f"{template_name}.j2")
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
        "course": course,
    }
    text = env.get_template("_layout.txt.j2").render(layout)
    html = env.get_template("_layout.html.j2").render(layout)
    return MailContent(subject=subject, text=text.strip() + "\n", html=html, language=language)
