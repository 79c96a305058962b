"""The course office's page (SPEC §7, docs/office.md): the desk Praxis serves itself, for the center's staff.

Sign-in is an exchange: the portal's JWT of a `center` user is posted once to `/office/session` (from the
portal's page, or pasted into the form here), checked like every bearer token, and exchanged for a
short-lived Praxis token of the same person in an HttpOnly cookie sent only to `/office`
(`api.browser_session`, as the codec server does). The page then reads the desk like the portal's routes
(`api.desk`): counts, the funnel, who is stuck, the charts (server-drawn SVG, no script) and the downloads.

The cookie is SameSite=Lax, not Strict: the portal posts from another site and the browser must send the
cookie on the redirect that follows. Every `/office` GET only reads, so a cross-site link can make the
browser fetch nothing but a page the attacker cannot see; the sign-in POST accepts only our own pages and
the portal origins the settings name.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

import structlog
from fastapi import APIRouter, Depends, Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from api import desk
from api.auth import Claims, TokenError, decode_token, issue_token
from api.browser_session import CookieSession, posted_from
from api.deps import Acting, GroupActing, SettingsDep, StoreDep
from api.errors import STATUS, TITLES
from api.pages import render, styled
from api.routes.desk import IdleWeeks
from config.settings import Settings
from domain.commands import Review
from domain.desk import DEFAULT_IDLE_WEEKS, DeskFilter
from domain.errors import Code, RuleViolation
from domain.labels import label
from domain.stages import Stage
from domain.vocabulary import Category, Priority, Role
from store import desk as desk_store
from workflows.group import GroupWorkflow
from workflows.project import ProjectWorkflow

log = structlog.get_logger(__name__)

PREFIX = "/office"
SESSION = CookieSession("praxis_office", PREFIX, samesite="lax")
STYLE, CSP = styled("_office_style.html")

router = APIRouter(prefix=PREFIX, tags=["office"], include_in_schema=False)


def _signed_in(settings: Settings, token: str | None) -> Claims | None:
    if not token:
        return None
    try:
        claims = decode_token(settings, token)
    except TokenError:
        return None
    return claims if claims.role is Role.CENTER else None


async def office_user(request: Request, settings: SettingsDep) -> Claims:
    """The signed-in member of the office, for the downloads: 401 without a live office sign-in."""
    claims = _signed_in(settings, SESSION.read(request))
    if claims is None:
        raise RuleViolation(Code.UNAUTHENTICATED, f"Sign in at {PREFIX} first; the sign-in may have expired.")
    return claims


OfficeUser = Annotated[Claims, Depends(office_user)]

Field_ = Annotated[str, Query(max_length=200)]


async def office_filter(
    semester: Field_ = "",
    credit_semester: Field_ = "",
    department: Field_ = "",
    supervisor: Field_ = "",
    category: Field_ = "",
    priority: Field_ = "",
) -> DeskFilter:
    """The page's filter form: a browser sends every field, the ones left at "All" empty."""
    chosen = {
        "semester": semester,
        "credit_semester": credit_semester,
        "department": department,
        "supervisor": supervisor.strip(),
        "category": category,
        "priority": priority,
    }
    try:
        return DeskFilter.model_validate({name: value for name, value in chosen.items() if value})
    except ValidationError as error:
        fields = ", ".join(str(e["loc"][0]) for e in error.errors())
        raise RuleViolation(Code.VALIDATION_ERROR, f"Choose a value the filter offers for: {fields}.") from None


PageFilter = Annotated[DeskFilter, Depends(office_filter)]


def _page(template: str, settings: Settings, *, status: int = 200, **context: Any) -> HTMLResponse:
    return render(
        template, status=status, csp=CSP, style=STYLE, prefix=PREFIX, center_email=settings.center_email, **context
    )


def _sign_in_page(settings: Settings, *, problem: str | None = None, status: int = 200) -> HTMLResponse:
    return _page("office_signin.html", settings, status=status, problem=problem)


@router.get("", response_class=HTMLResponse)
async def office_page(
    request: Request,
    settings: SettingsDep,
    store: StoreDep,
    found: PageFilter,
    idle_weeks: IdleWeeks = DEFAULT_IDLE_WEEKS,
) -> HTMLResponse:
    """The desk, or the sign-in form for a browser without a live office sign-in."""
    user = _signed_in(settings, SESSION.read(request))
    if user is None:
        return _sign_in_page(settings)
    now = datetime.now(UTC)
    seen = await desk.glance(store, found, now, idle_weeks, settings.profile.frame)
    reviews = await desk.review_queue(store, now, settings.profile.schedule.review_digest_after_days)
    svgs = await desk.chart_svgs(seen.figures)
    query = _query(found)
    return _page(
        "office.html",
        settings,
        user=user,
        found=found,
        idle_weeks=idle_weeks,
        overview=seen.overview,
        items=seen.stuck,
        figures=seen.figures,
        charts=svgs,
        query=f"?{query}" if query else "",
        choices={
            "semesters": await store.run(desk_store.semesters),
            "departments": await store.run(desk_store.departments),
            "categories": list(Category),
            "priorities": list(Priority),
        },
        reviews=reviews.items,
        review_key=secrets.token_urlsafe(12),
        bilingual=label,
        final=[stage for stage in Stage if stage.is_final],
    )


def _query(found: DeskFilter) -> str:
    return urlencode({k: str(v) for k, v in found.model_dump(exclude_none=True).items()})


@router.post("/session", response_class=HTMLResponse)
async def office_sign_in(
    request: Request, settings: SettingsDep, token: Annotated[str, Form(max_length=4096)] = ""
) -> Response:
    """Exchange the portal's JWT of a center user for a short-lived office sign-in, then show the desk."""
    if not posted_from(request, settings, settings.office_portal_origins):
        raise RuleViolation(Code.FORBIDDEN, "Sign in from the portal or from the office page itself.")
    try:
        portal = decode_token(settings, token.strip())
    except TokenError as error:
        return _sign_in_page(settings, problem=f"The token was refused: {error.detail}.", status=401)
    if portal.role is not Role.CENTER:
        problem = f"The office's page is for the course office (center); you are signed in as {portal.role.value}."
        return _sign_in_page(settings, problem=problem, status=403)
    remaining = portal.exp - datetime.now(UTC)
    ttl = min(timedelta(minutes=settings.office_session_minutes), remaining)
    session_token = issue_token(settings, sub=portal.sub, role=Role.CENTER, name=portal.name, ttl=ttl)
    response = RedirectResponse(PREFIX, status_code=303)
    SESSION.set(response, settings, session_token, decode_token(settings, session_token))
    log.info("office sign-in", user=portal.sub, minutes=int(ttl.total_seconds() // 60))
    return response


@router.post("/session/end")
async def office_sign_out(request: Request, settings: SettingsDep) -> RedirectResponse:
    if not posted_from(request, settings):
        raise RuleViolation(Code.FORBIDDEN, "Sign out from the office page itself.")
    response = RedirectResponse(PREFIX, status_code=303)
    SESSION.clear(response, settings)
    return response


def _file(download: desk.Download) -> Response:
    return Response(download.data, media_type=download.media_type, headers=download.headers)


def _cohort(found: DeskFilter) -> list[str]:
    return [found.semester] if found.semester else []


@router.get("/impact.pdf")
async def office_impact_pdf(user: OfficeUser, store: StoreDep, settings: SettingsDep, found: PageFilter) -> Response:
    return _file(await desk.impact_pdf(store, found, _cohort(found), datetime.now(UTC), settings.profile.frame))


@router.get("/exports/projects.csv")
async def office_projects_csv(user: OfficeUser, store: StoreDep, found: PageFilter) -> Response:
    return _file(await desk.projects_export(store, found, _cohort(found), "csv"))


@router.get("/exports/projects.xlsx")
async def office_projects_xlsx(user: OfficeUser, store: StoreDep, found: PageFilter) -> Response:
    return _file(await desk.projects_export(store, found, _cohort(found), "xlsx"))


@router.get("/exports/dictionary.csv")
async def office_dictionary_csv(user: OfficeUser) -> Response:
    return _file(desk.dictionary_csv())


def _refused(settings: Settings, refusal: RuleViolation) -> HTMLResponse:
    return _page(
        "problem.html",
        settings,
        status=STATUS[refusal.code],
        heading=TITLES.get(refusal.code, "Not possible"),
        detail=refusal.detail,
        next_step=f"Go back to the office's page ({PREFIX}) and look at the review queue again.",
        code=refusal.code.value,
    )


@router.post("/reviews", response_class=HTMLResponse)
async def office_review(
    request: Request,
    settings: SettingsDep,
    act: Acting,
    act_on_group: GroupActing,
    kind: Annotated[Literal["proposal", "group"], Form()],
    target: Annotated[str, Form(pattern=r"^[A-Za-z0-9_-]{1,64}$")],
    decision: Annotated[Literal["approve", "request_changes"], Form()],
    key: Annotated[str, Form(pattern=r"^[A-Za-z0-9_-]{8,64}$")],
    comment: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    """R8/R9 from the review queue: approve a proposal or a group proposal, or return it to the student with a
    comment, as the signed-in office member through the same update as `POST /v1/.../review`. The form's key
    (one per rendering of the page) makes a double-submitted form act once."""
    user = _signed_in(settings, SESSION.read(request))
    if user is None:
        return _sign_in_page(settings, problem="Sign in again: the sign-in expired.", status=401)
    if not posted_from(request, settings):
        raise RuleViolation(Code.FORBIDDEN, "Review from the office page itself.")
    try:
        review = Review.model_validate({"decision": decision, "comment": comment})
    except ValidationError:
        refusal = RuleViolation(Code.VALIDATION_ERROR, "Say what the student should change: a comment is required.")
        return _refused(settings, refusal)
    idempotency_key = f"office-{key}-{target}"
    try:
        if kind == "group":
            await act_on_group(user, target, GroupWorkflow.review, review, idempotency_key)
        else:
            await act(user, target, ProjectWorkflow.review, review, idempotency_key)
    except RuleViolation as refusal:
        return _refused(settings, refusal)
    log.info("office review", user=user.sub, kind=kind, target=target, decision=decision)
    return RedirectResponse(f"{PREFIX}#reviews", status_code=303)
