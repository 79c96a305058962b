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
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import HTMLResponse, StreamingResponse
from PIL import Image
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from temporalio.service import RPCError, RPCStatusCode

from api.actionlinks import (
    PAGE_TITLES,
    RESULTS,
    Parsed,
    Standing,
    check_current,
    check_entry,
    describe,
    next_step,
    parse_form,
)
from api.deps import BlobsDep, ProjectsDep, SettingsDep, Store, StoreDep
from api.errors import STATUS, TITLES
from api.pages import render, taipei
from clients.gateway import Unavailable
from clients.project import ProjectClient
from config.settings import Settings
from domain.errors import Code, RuleViolation
from domain.links import LinkAction, LinkClaims, token_id_of
from domain.project import Actor, AuditEntry, ProjectSummary, ProjectView
from domain.vocabulary import Channel, EvidenceKind, ReflectionFormat
from store import directory, projects, tokens
from workflows.messages import Act

router = APIRouter(prefix="/a", tags=["action links"], include_in_schema=False)

Token = Annotated[str, Path(min_length=1, max_length=200)]
EvidenceId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]

UPDATES: dict[LinkAction, str] = {
    LinkAction.RESPOND_INVITATION: "respond_invitation",
    LinkAction.EVALUATE: "evaluate",
    LinkAction.VERIFY_HOURS: "verify_hours",
}
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


@router.post("/{token}", response_class=HTMLResponse)
async def act_on_link(
    token: Token, request: Request, settings: SettingsDep, projects: ProjectsDep, store: StoreDep
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
                claims.project_id, UPDATES[claims.action], actor, parsed.command, claims.token_id
            )
        except Unavailable:
            return await page.recorded(claims, actor, parsed)
        return await page.done(claims, parsed, outcome.view)
    except RuleViolation as refusal:
        return await page.refused(refusal)


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
    """A photo of the project an evaluation link is for (R16, R19), for that link only, while it works."""
    claims = await store.run(tokens.load_link, settings.action_link_secret.get_secret_value(), token, _now())
    if claims.action is not LinkAction.EVALUATE:
        raise RuleViolation(Code.NOT_FOUND, "No such photo.")
    view = await projects.view(claims.project_id)
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
    if size == "full":
        headers["Content-Length"] = str(stored.size)
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


def _now() -> datetime:
    return datetime.now(UTC)


# --- the store work of one page, each run as one unit --------------------------------------------------


@dataclass(frozen=True)
class LinkLookup:
    claims: LinkClaims | None
    refusal: RuleViolation | None = None
    stored: LinkClaims | None = None  # a used or expired link's claims, to say when and what next


def _look_up(s: Session, secret: str, token: str, now: datetime) -> LinkLookup:
    try:
        return LinkLookup(claims=tokens.load_link(s, secret, token, now))
    except RuleViolation as refusal:
        # TOKEN_USED and TOKEN_EXPIRED are only raised once the signature matched: the claims are genuine.
        stored = tokens.get_link(s, token_id_of(token)) if refusal.code is not Code.TOKEN_INVALID else None
        return LinkLookup(claims=None, refusal=refusal, stored=stored)


@dataclass(frozen=True)
class Names:
    student: str
    title: str


def _names(s: Session, project_id: str, view: ProjectView | None) -> Names:
    summary = projects.get_project(s, project_id)
    student_id = view.student_id if view else summary.student_id if summary else ""
    student = directory.get_student(s, student_id) if student_id else None
    title = view.proposal.title if view else summary.title if summary else "your project"
    return Names(student=f"{student.name} ({student.id})" if student else student_id or "The student", title=title)


def _read_model(s: Session, project_id: str) -> tuple[ProjectSummary | None, list[AuditEntry]]:
    return projects.get_project(s, project_id), projects.audit_for(s, project_id)


# --- pages --------------------------------------------------------------------------------------------


class LinkPage:
    """One request to an action link: finds its claims and project, and renders what to show."""

    def __init__(self, request: Request, settings: Settings, client: ProjectClient, store: Store, token: str) -> None:
        self.request = request
        self.settings = settings
        self.client = client
        self.store = store
        self.token = token
        self.stored: LinkClaims | None = None

    @property
    def base(self) -> str:
        """This link's path, for the photos' addresses (behind a proxy's path prefix too)."""
        return f"{self.request.scope.get('root_path', '')}/a/{self.token}"

    async def claims(self) -> LinkClaims:
        secret = self.settings.action_link_secret.get_secret_value()
        found = await self.store.run(_look_up, secret, self.token, _now())
        if found.claims is None:
            assert found.refusal is not None
            self.stored = found.stored
            raise found.refusal
        self.stored = found.claims
        return found.claims

    def check_origin(self) -> None:
        """A browser's POST names where the form came from: it must be this site."""
        sent = self.request.headers.get("origin") or self.request.headers.get("referer")
        if sent is None:
            return  # not a browser's cross-site form; the token alone authorizes
        allowed = {_origin(self.settings.public_url), _origin(str(self.request.base_url))}
        if _origin(sent) not in allowed:
            raise RuleViolation(Code.FORBIDDEN, "This form must be sent from its own page on the Praxis site.")

    async def current_view(self, claims: LinkClaims) -> ProjectView | None:
        """The project now, checked to still wait on this link; None when no worker answers in time (the
        read model then guards the link)."""
        try:
            view = await self.client.view(claims.project_id)
        except Unavailable:
            await self.check_read_model(claims)
            return None
        check_current(claims, Standing.of_view(view))
        if claims.action is LinkAction.VERIFY_HOURS:
            check_entry(claims, view)
        return view

    async def check_read_model(self, claims: LinkClaims) -> None:
        """The link against the read model, which every change reaches before any mail about it is sent."""
        summary, audit = await self.store.run(_read_model, claims.project_id)
        if summary is not None:
            check_current(claims, Standing.of_summary(summary, audit))

    async def form(
        self, claims: LinkClaims, view: ProjectView | None, parsed: Parsed, status: int = 200
    ) -> HTMLResponse:
        names = await self.store.run(_names, claims.project_id, view)
        context: dict[str, Any] = {
            "center_email": self.settings.center_email,
            "view": view,
            "student": names.student,
            "title": names.title,
            "errors": parsed.errors,
            "values": parsed.values,
            "expires_at": claims.expires_at,
            "link_base": self.base,
        }
        if claims.action is LinkAction.RESPOND_INVITATION:
            proposed = view.invitation.reflection_format if view and view.invitation else None
            context |= {
                "formats": list(ReflectionFormat),
                "proposed": proposed,
                "chosen": parsed.values.get("reflection_format") or proposed,
                "deadline": view.deadlines.get("invitation_expires_at") if view else None,
            }
        elif claims.action is LinkAction.EVALUATE:
            context |= {"results": [(r.value, name, note) for r, name, note in RESULTS]}
            if view is not None and view.submission is not None:
                notes = view.submission.report.indicators
                context |= {
                    "indicators": [
                        {"indicator": c.indicator, "how": c.how, "note": notes.get(c.indicator, "")}
                        for c in view.proposal.indicators
                    ],
                    "hours": sorted(view.hours, key=lambda e: (e.date, e.logged_at)),
                    "photo_groups": [
                        {
                            "heading": heading,
                            "alt": alt,
                            "photos": [
                                e.model_dump() | {"width": e.blob.width, "height": e.blob.height}
                                for e in view.evidence
                                if e.kind is kind
                            ],
                        }
                        for kind, heading, alt in (
                            (EvidenceKind.PARTICIPATION, "Participation", "Participation photo"),
                            (EvidenceKind.REFLECTION, "Reflection session with you", "Reflection record"),
                        )
                    ],
                    "earlier": view.evaluations,
                }
        else:
            entry = next((e for e in view.hours if e.id == claims.ref), None) if view else None
            context |= {"entry": entry, "required_hours": view.required_hours if view else 36}
        return render(f"{UPDATES[claims.action]}.html", status=status, **context)

    async def done(self, claims: LinkClaims, parsed: Parsed, view: ProjectView) -> HTMLResponse:
        told = describe(parsed.command, view, self.settings.center_email)
        await self.store.run(tokens.mark_used, claims.token_id, told.result)
        return render(
            "done.html",
            center_email=self.settings.center_email,
            heading=told.heading,
            what=told.what,
            next_steps=told.next_steps,
            title=view.proposal.title,
            recorded=False,
        )

    async def recorded(self, claims: LinkClaims, actor: Actor, parsed: Parsed) -> HTMLResponse:
        """No worker answered in time: hand the click to the workflow as a durable signal."""
        assert parsed.command is not None
        handle = self.client.handle(claims.project_id)
        signal = f"{UPDATES[claims.action]}_by_link"
        try:
            await handle.signal(
                signal,
                Act[Any](actor=actor, command=parsed.command),
                rpc_timeout=timedelta(seconds=self.settings.update_timeout_seconds),
            )
        except RPCError as error:
            if error.status is RPCStatusCode.NOT_FOUND:
                raise RuleViolation(Code.INVALID_STAGE, "The project is closed; it accepts no more changes.") from error
            return await self.refused(
                RuleViolation(Code.UNAVAILABLE, "Praxis could not record your answer just now. Your link still works."),
                headers={"Retry-After": str(self.settings.retry_after_seconds)},
            )
        told = describe(parsed.command, None, self.settings.center_email)
        await self.store.run(tokens.mark_used, claims.token_id, f"{told.result} (recorded while Praxis was busy)")
        names = await self.store.run(_names, claims.project_id, None)
        return render(
            "done.html",
            status=202,
            center_email=self.settings.center_email,
            heading="Answer recorded",
            what=f"Praxis is busy right now, so your answer ({told.result}) has been recorded and will be applied "
            "shortly. You do not need to do anything else.",
            next_steps=[
                *told.next_steps,
                "If the project changed in the meantime (for example, the invitation was cancelled), your answer "
                "cannot be applied; the course office sees it in the project's record and can help: "
                f"{self.settings.center_email}.",
            ],
            title=names.title,
            recorded=True,
        )

    async def refused(self, refusal: RuleViolation, headers: dict[str, str] | None = None) -> HTMLResponse:
        action = self.stored.action if self.stored else None
        detail = refusal.detail
        if refusal.code is Code.TOKEN_USED and self.stored is not None and self.stored.used_at is not None:
            done = f": {self.stored.used_result}" if self.stored.used_result else ""
            detail = f"This link was already used on {taipei(self.stored.used_at)}{done}. Each link works once."
        elif refusal.code is Code.TOKEN_EXPIRED and self.stored is not None:
            detail = f"This link expired on {taipei(self.stored.expires_at)}."
        return render(
            "problem.html",
            status=STATUS[refusal.code],
            headers=headers,
            center_email=self.settings.center_email,
            heading=PAGE_TITLES.get(refusal.code, TITLES.get(refusal.code, "Not possible")),
            detail=detail,
            next_step=next_step(refusal.code, action, self.settings.center_email),
            code=refusal.code.value,
        )


_DEFAULT_PORTS = {"http": "80", "https": "443"}


def _origin(url: str) -> str:
    """`scheme://host[:port]`, lower-cased, without the scheme's default port, as browsers send `Origin`."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    try:
        port = str(parts.port) if parts.port else ""
    except ValueError:
        return "invalid:"
    scheme = parts.scheme.lower()
    return f"{scheme}://{host}" + (f":{port}" if port and port != _DEFAULT_PORTS.get(scheme) else "")
