"""The dev inbox (SPEC §5): every mail the local SMTP keeper stored, as JSON and as a page.

Registered only when `settings.env` is `dev` or `test` (api/main.py): in production these paths do not exist.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from api.deps import SettingsDep
from api.pages import render
from store.keptmail import KeptMail, read_kept_mails

router = APIRouter(prefix="/dev", tags=["dev"], include_in_schema=False)

# The mails' own HTML is shown in a sandboxed frame (no scripts, no same-origin); it styles itself inline.
DEV_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-src 'self'; "
    "form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
)


@router.get("/mail")
async def dev_mail(settings: SettingsDep) -> list[KeptMail]:
    """`[{id, to, subject, text, html, links, received_at}]` in arrival order; `links` are absolute URLs."""
    return await run_in_threadpool(read_kept_mails, settings.mail_path)


@router.get("/mail/ui", response_class=HTMLResponse)
async def dev_mail_ui(settings: SettingsDep) -> HTMLResponse:
    """The kept mails, newest first, each with its links to click."""
    mails = await run_in_threadpool(read_kept_mails, settings.mail_path)
    return render(
        "devmail.html",
        csp=DEV_CSP,
        center_email=settings.center_email,
        course=settings.profile.course,
        mails=list(reversed(mails)),
        mail_dir=str(settings.mail_path),
    )
