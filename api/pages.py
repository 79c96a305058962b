"""Server-rendered HTML pages: one Jinja2 environment, one inlined stylesheet, strict security headers.

The pages are plain HTML that needs no JavaScript. The stylesheet is inlined (no second request on a slow
phone connection) and allowed by its hash in the Content-Security-Policy, so nothing else can run or load:
the pages carry a personal single-use token, and a page that cannot be framed cannot be clickjacked.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from domain.calendar import TAIPEI

TEMPLATES_DIR = Path(__file__).parent / "templates"

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# R5, R7, R11 and the stages as people read them; anything not listed is shown with its words spaced out.
LABELS: dict[str, str] = {
    # R7 indicators
    "knowledge_into_practice": "Knowledge into practice",
    "civic_consciousness": "Civic consciousness",
    "usr": "University social responsibility (USR)",
    "problem_solving": "Problem solving",
    "cross_disciplinary": "Cross-disciplinary",
    # R5 categories
    "internal": "Offered by the school or a teacher",
    "external": "External",
    "club": "Social club activity",
    "public_service": "Public service",
    "skill_building": "Skill building (off campus)",
    # R6 tags
    "usr_program": "MoE USR programme",
    "education_priority_areas": "MoE education priority areas",
    "remote_area_service": "Remote area service",
    "campus_office_service": "Service at a campus office",
    "reused_internship_proposal": "Reused internship proposal",
    # R11 formats
    "conversation": "A conversation",
    "audio_visual_record": "An audio-visual record",
    "proof_of_hours": "Proof of hours",
    "oral_presentation": "An oral presentation",
    "written_report": "A written report",
    "other": "Another format you agree on",
    # R14 kinds and R15 sources
    "execution": "Execution",
    "skill_learning": "Skill learning",
    "reflection": "Reflection",
    "self_reported": "Self-reported",
    "volunteer_certificate": "Volunteer-hour certificate",
    "campus_club": "On-campus club (needs OSA verification)",
}


def label(value: object) -> str:
    text = str(value)
    return LABELS.get(text, text.replace("_", " ").capitalize())


def taipei(at: datetime | None) -> str:
    """`Mon 21 Sep 2026, 10:00 (Taipei time)`: the course runs in Taipei whatever the server's zone."""
    if at is None:
        return ""
    local = at.astimezone(TAIPEI)
    return f"{local:%a} {local.day} {_MONTHS[local.month - 1]} {local.year}, {local:%H:%M} (Taipei time)"


def day(at: object) -> str:
    """A calendar date as `Mon 2 Mar 2026`."""
    assert isinstance(at, date)
    return f"{at:%a} {at.day} {_MONTHS[at.month - 1]} {at.year}"


def number(value: object) -> str:
    """Hours without trailing zeros: 12, 1.5."""
    text = f"{value}"
    return text.rstrip("0").rstrip(".") if "." in text else text


env = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True, default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
env.filters["label"] = label
env.filters["taipei"] = taipei
env.filters["day"] = day
env.filters["number"] = number

STYLE = Markup(env.get_template("_style.html").render().strip())  # noqa: S704 -- our own stylesheet, not input
_STYLE_HASH = base64.b64encode(hashlib.sha256(str(STYLE).encode()).digest()).decode()

# Images only from here (evidence thumbnails), the one inline stylesheet, forms post only back here.
PAGE_CSP = (
    f"default-src 'none'; img-src 'self'; style-src 'sha256-{_STYLE_HASH}'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
PAGE_HEADERS = {
    "Cache-Control": "no-store",  # a personal page: no shared cache keeps it, Back does not resubmit stale state
    "Referrer-Policy": "same-origin",  # the token never leaves in a Referer; our own forms still send Origin
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "X-Robots-Tag": "noindex, nofollow",
}


def render(
    template: str,
    *,
    status: int = 200,
    csp: str = PAGE_CSP,
    headers: Mapping[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """One page from `templates/<template>`, with the security headers every page carries."""
    html = env.get_template(template).render(style=STYLE, **context)
    return HTMLResponse(
        html, status_code=status, headers={**PAGE_HEADERS, "Content-Security-Policy": csp, **(headers or {})}
    )
