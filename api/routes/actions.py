"""Action links (SPEC §4): the page a mailed link opens, and its form.

A supervisor answers an invitation (R11) or evaluates a closure report (R19), and the Office of Student
Affairs verifies club hours (R15), from `{public_url}/a/{token}` without logging in.

- `GET` only shows: mail scanners pre-fetch links, so opening a page never acts.
- The form `POST`s back to the same URL. The token is the secret that authorizes it; an `Origin` or
  `Referer` header, when a browser sends one, must be this site's (defence in depth against a forged form).
- The holder acts as `Actor(subject, role, channel=email)` through the workflow update the portal uses, so
  the same rules apply. The update id derives from the token: a double click acts once.
- The link is spent (`store.tokens.mark_used`) only once the action is accepted. A mistake in the form
  (fail without feedback) shows the form again with the error, and the link still works; a refusal (the
  invitation was cancelled) changes nothing.
- A link for a superseded invitation or submission is refused as `TOKEN_INVALID`, like a forged one.
- When no worker answers in time, the click is sent as the matching `*_by_link` signal instead: signals
  are durable, the workflow applies the same rules when it gets to them, and the page says so.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import HTMLResponse, StreamingResponse
from PIL import Image
from starlette.concurrency import run_in_threadpool
from temporalio.workflow import UpdateMethodMultiParam

from api.deps import BlobsDep, ProjectsDep, RowsDep, SettingsDep, StoreDep
from api.links.form import Parsed, parse_form
from api.links.page import LinkPage
from api.reading import project_view
from api.uploads import document_headers
from clients.gateway import Unavailable
from domain.actors import Actor
from domain.entries import ITEM_ID_PATTERN
from domain.errors import Code, RuleViolation
from domain.links import LinkAction
from domain.vocabulary import Channel
from store import tokens
from workflows.messages import Act, Outcome
from workflows.project import ProjectWorkflow

router = APIRouter(prefix="/a", tags=["action links"], include_in_schema=False)

Token = Annotated[str, Path(min_length=1, max_length=200)]
EvidenceId = Annotated[str, Path(pattern=ITEM_ID_PATTERN)]

THUMBNAIL_PIXELS = 480


@router.get("/{token}", response_class=HTMLResponse)
async def show_action_page(
    token: Token, request: Request, settings: SettingsDep, projects: ProjectsDep, store: StoreDep
) -> HTMLResponse:
    """The link's page and form; changes nothing."""
    page = LinkPage(request, settings, projects, store, token)
    try:
        claims = await page.claims()
        view = await page.current_view(claims)
        return await page.form(claims, view, Parsed())
    except RuleViolation as refusal:
        return await page.refused(refusal)
    except Unavailable:
        return await page.try_again()


@router.post("/{token}", response_class=HTMLResponse)
async def act_on_link(
    token: Token, request: Request, settings: SettingsDep, projects: ProjectsDep, store: StoreDep, rows: RowsDep
) -> HTMLResponse:
    """Acts once: the update, or its signal when no worker answers in time."""
    page = LinkPage(request, settings, projects, store, token)
    try:
        claims = await page.claims()
        page.check_origin()
        parsed = parse_form(claims, await request.form())
        # The read model, not a query: the update's validator checks the rest, and acting needs no second
        # round trip to the workflow (nor does it need a worker to answer twice).
        await page.check_read_model(claims)
        if parsed.command is None:
            return await page.form(claims, await page.current_view(claims), parsed, status=422)
        actor = Actor(id=claims.subject_id, role=claims.action.role, channel=Channel.EMAIL)
        try:
            outcome = await projects.act(
                claims.project_id,
                _update(claims.action),
                actor,
                parsed.command,
                key=claims.token_id,
                link_use=claims.token_id,
            )
        except Unavailable:
            return await page.recorded(claims, actor, parsed)
        await rows.save(outcome.summary, outcome.audit)
        return await page.done(claims, parsed, outcome)
    except RuleViolation as refusal:
        return await page.refused(refusal)
    except Unavailable:
        return await page.try_again()


@router.get("/{token}/evidence/{evidence_id}")
async def evidence_image(
    token: Token,
    evidence_id: EvidenceId,
    settings: SettingsDep,
    projects: ProjectsDep,
    store: StoreDep,
    blobs: BlobsDep,
    size: Annotated[Literal["thumb", "full"], Query()] = "thumb",
) -> Response:
    """A photo or record of the project an evaluation link is for (R16, R19), for that link only, while it
    works."""
    claims = await store.run(tokens.load_link, settings.action_link_secret.get_secret_value(), token, _now())
    if claims.action is not LinkAction.EVALUATE:
        raise RuleViolation(Code.NOT_FOUND, "No such photo.")
    view = await project_view(projects, store, claims.project_id)
    item = next((e for e in view.evidence if e.id == evidence_id), None)
    stored = await blobs.open(item.blob.digest) if item else None
    if item is None or stored is None:
        raise RuleViolation(Code.NOT_FOUND, "No such photo.")
    headers = {
        "Cache-Control": "private, max-age=3600",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'",
        "Referrer-Policy": "same-origin",
    }
    if size == "full" or item.blob.is_document:  # a PDF record (R16) is served as it was stored
        headers["Content-Length"] = str(stored.size)
        headers |= document_headers(item.id, item.blob.content_type)
        return StreamingResponse(stored.chunks, media_type=item.blob.content_type, headers=headers)
    # A thumbnail decodes the photo, so it reads the whole (upload-bounded) image into memory.
    data, media_type = await run_in_threadpool(thumbnail, await stored.read())
    return Response(data, media_type=media_type, headers=headers)


def thumbnail(data: bytes) -> tuple[bytes, str]:
    """A small copy for a phone: photos were checked to be real, bounded images when they were uploaded."""
    with Image.open(io.BytesIO(data)) as image:
        image.thumbnail((THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
        out = io.BytesIO()
        if image.mode in ("RGBA", "LA", "P"):
            image.save(out, format="PNG", optimize=True)
            return out.getvalue(), "image/png"
        image.convert("RGB").save(out, format="JPEG", quality=80)
        return out.getvalue(), "image/jpeg"


def _update(action: LinkAction) -> UpdateMethodMultiParam[[ProjectWorkflow, Act[Any]], Outcome]:
    """The portal's own update for what the link does: the same rules, the same audit trail."""
    if action is LinkAction.RESPOND_INVITATION:
        return ProjectWorkflow.respond_invitation
    if action is LinkAction.EVALUATE:
        return ProjectWorkflow.evaluate
    return ProjectWorkflow.verify_hours


def _now() -> datetime:
    return datetime.now(UTC)
