"""Server-rendered HTML pages: the one template environment (`rendering`), one inlined stylesheet, strict
security headers.

The pages are plain HTML that needs no JavaScript. The stylesheet is inlined (no second request on a slow
phone connection) and allowed by its hash in the Content-Security-Policy, so nothing else can run or load:
the pages carry a personal single-use token, and a page that cannot be framed cannot be clickjacked.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from typing import Any

from fastapi.responses import HTMLResponse
from markupsafe import Markup

from domain.profile import NTUST_V1, Course
from rendering.env import env

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


def styled(extra_template: str) -> tuple[Markup, str]:
    """The stylesheet with a family of pages' own rules after it, and the page CSP allowing exactly that."""
    extra = env.get_template(extra_template).render().strip()
    style = Markup(f"{STYLE}\n{extra}")  # noqa: S704 -- our own stylesheets, not input
    digest = base64.b64encode(hashlib.sha256(str(style).encode()).digest()).decode()
    return style, PAGE_CSP.replace(f"'sha256-{_STYLE_HASH}'", f"'sha256-{digest}'")


def render(
    template: str,
    *,
    status: int = 200,
    csp: str = PAGE_CSP,
    headers: Mapping[str, str] | None = None,
    style: Markup = STYLE,
    course: Course = NTUST_V1.course,
    **context: Any,
) -> HTMLResponse:
    """One page from `templates/<template>`, with the security headers every page carries; `course` is the
    course the page speaks for (the deployment's profile's, or the project's)."""
    html = env.get_template(template).render(style=style, course=course, **context)
    return HTMLResponse(
        html, status_code=status, headers={**PAGE_HEADERS, "Content-Security-Policy": csp, **(headers or {})}
    )
