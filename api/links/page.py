"""The page a mailed action link opens, and what it shows after acting or refusing (SPEC §4).

`LinkPage` serves one request to `/a/{token}`: it finds the link's claims (server-side, `store.tokens`), checks
them against the project (the workflow's view when reading; the update's own validator when acting, with the
read model as a guard when no worker answers), and renders the form, the result or the refusal.

Past ~300 lines: the checks a click meets (claims, origin, stage, the read model when no worker answers) and
the pages they lead to are one request's path; the form's parsing, the standing lines and the wording live
beside it (`form`, `standing`, `wording`, `refusals`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse

from api.db import Store
from api.errors import STATUS
from api.links.form import Parsed, results
from api.links.lookup import look_up, names_of, read_model
from api.links.refusals import PAGE_TITLES, Refused, refusal_words
from api.links.standing import Standing, check_current, check_entry
from api.links.wording import describe, next_step, result_words
from api.pages import render
from api.reading import project_view
from clients.gateway import Unavailable
from clients.project import ProjectClient
from config.course_profile import profile_for
from config.settings import Settings
from domain.actors import Actor
from domain.errors import Code, RuleViolation
from domain.labels import Label
from domain.links import LinkAction, LinkClaims
from domain.profile import CourseProfile
from domain.project import ProjectView
from domain.vocabulary import EvidenceKind, MailLanguage, ReflectionFormat, Role
from domain.work import live
from rendering.words import counted_kinds_en, counted_kinds_zh, taipei, zh_date
from store import directory, tokens
from workflows.messages import Outcome

UNREACHABLE = Label(
    "Praxis cannot reach this project just now. Your link still works.",
    "系統暫時無法連線至此計畫，您的連結仍然有效。",  # noqa: RUF001
)
UNRECORDED = Label(
    "Praxis could not record your answer just now. Your link still works.",
    "系統暫時無法記錄您的回覆，您的連結仍然有效。",  # noqa: RUF001
)

# The page of each action: its template is named for it.
TEMPLATES: dict[LinkAction, str] = {
    LinkAction.RESPOND_INVITATION: "respond_invitation.html",
    LinkAction.EVALUATE: "evaluate.html",
    LinkAction.VERIFY_HOURS: "verify_hours.html",
}


def _now() -> datetime:
    return datetime.now(UTC)


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
        self.view: ProjectView | None = None  # the project as last read, for the words of its course profile

    @property
    def base(self) -> str:
        """This link's path, for the photos' addresses (behind a proxy's path prefix too)."""
        return f"{self.request.scope.get('root_path', '')}/a/{self.token}"

    async def claims(self) -> LinkClaims:
        secret = self.settings.action_link_secret.get_secret_value()
        found = await self.store.run(look_up, secret, self.token, _now())
        if found.claims is None:
            assert found.refusal is not None
            self.stored = found.stored
            raise found.refusal
        self.stored = found.claims
        return found.claims

    async def language(self) -> MailLanguage:
        """Issue 12: the page speaks as the person's mails do: a teacher's own preference, else the course
        default (bilingual unless the course chose otherwise); OSA and unknown holders get the default."""
        own = None
        if self.stored is not None and self.stored.action.role is Role.FACULTY:
            teacher = await self.store.run(directory.get_faculty, self.stored.subject_id)
            own = teacher.language if teacher else None
        return own or MailLanguage(self.settings.mail_language)

    def check_origin(self) -> None:
        """A browser's POST names where the form came from: it must be this site."""
        sent = self.request.headers.get("origin") or self.request.headers.get("referer")
        if sent is None:
            return  # not a browser's cross-site form; the token alone authorizes
        allowed = {_origin(self.settings.public_url), _origin(str(self.request.base_url))}
        if _origin(sent) not in allowed:
            raise Refused(
                Code.FORBIDDEN,
                Label(
                    "This form must be sent from its own page on the Praxis site.",
                    "此表單必須從 Praxis 網站上的原頁面送出。",
                ),
            )

    async def current_view(self, claims: LinkClaims) -> ProjectView | None:
        """The project now, checked to still wait on this link; None when no worker answers in time (the
        read model then guards the link)."""
        try:
            view = await project_view(self.client, self.store, claims.project_id)
        except Unavailable:
            await self.check_read_model(claims)
            return None
        self.view = view
        check_current(claims, Standing.of_view(view))
        if claims.action is LinkAction.VERIFY_HOURS:
            check_entry(claims, view)
        return view

    async def check_read_model(self, claims: LinkClaims) -> None:
        """The link against the read model, which every change reaches before any mail about it is sent."""
        summary, audit = await self.store.run(read_model, claims.project_id)
        if summary is not None:
            check_current(claims, Standing.of_summary(summary, audit))

    async def form(
        self, claims: LinkClaims, view: ProjectView | None, parsed: Parsed, status: int = 200
    ) -> HTMLResponse:
        names = await self.store.run(names_of, claims.project_id, view)
        profile = self._profile(view)
        context: dict[str, Any] = {
            "lang": await self.language(),
            "course": profile.course,
            "frame": profile.frame,
            "frame_labels": {item.id: item.en for item in profile.frame.items},
            "frame_words": {item.id: Label(item.en, item.zh) for item in profile.frame.items},
            "counted_kinds_en": counted_kinds_en(profile),
            "counted_kinds_zh": counted_kinds_zh(profile),
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
            context |= {"results": [(r.value, name, note) for r, name, note in results(profile)]}
            if view is not None and view.submission is not None:
                notes = view.submission.report.indicators
                counted = view.counted_entry_ids
                agreed = view.supervisor.reflection_format if view.supervisor else None
                context |= {
                    "indicators": [
                        {"indicator": c.indicator, "how": c.how, "note": notes.get(c.indicator, "")}
                        for c in view.proposal.indicators
                    ],
                    # Withdrawn hours and evidence stay in the project's record but are not the student's
                    # work to judge (R16); the `counts` column follows the project's rules (R15).
                    "hours": [
                        e.model_dump() | {"counts": e.id in counted}
                        for e in sorted(view.hours, key=lambda e: (e.date, e.logged_at))
                        if e.withdrawal is None
                    ],
                    "photo_groups": [
                        {
                            "heading": heading,
                            "alt": alt,
                            "photos": [
                                e.model_dump()
                                | {
                                    "width": e.blob.width,
                                    "height": e.blob.height,
                                    "document": e.blob.is_document,
                                    "pages": e.blob.pages,
                                }
                                for e in live(view.evidence)
                                if e.kind is kind
                            ],
                            # R17: the agreed format beside the record, to judge the one by the other.
                            "agreed": agreed if kind is EvidenceKind.REFLECTION else None,
                        }
                        for kind, heading, alt in (
                            (
                                EvidenceKind.PARTICIPATION,
                                Label("Participation", "參與照片"),
                                Label("Participation photo", "參與照片"),
                            ),
                            (
                                EvidenceKind.REFLECTION,
                                Label("Reflection session with you", "與您的反思交流"),
                                Label("Reflection record", "反思紀錄"),
                            ),
                        )
                    ],
                    "earlier": view.evaluations,
                }
        else:
            entry = next((e for e in view.hours if e.id == claims.ref), None) if view else None
            context |= {"entry": entry, "required_hours": view.required_hours if view else 36}
        return render(TEMPLATES[claims.action], status=status, **context)

    def _profile(self, view: ProjectView | None) -> CourseProfile:
        """The project's course profile for the page's words (the deployment's when the view is not at hand)."""
        return profile_for(view.profile, self.settings.profile) if view is not None else self.settings.profile

    async def done(self, claims: LinkClaims, parsed: Parsed, outcome: Outcome) -> HTMLResponse:
        profile = self._profile(self.view)
        told = describe(parsed.command, outcome, self.settings.center_email, profile)
        await self.store.run(tokens.mark_used, claims.token_id, told.result)
        return render(
            "done.html",
            lang=await self.language(),
            course=profile.course,
            center_email=self.settings.center_email,
            heading=told.heading,
            what=told.what,
            next_steps=told.next_steps,
            title=Label(outcome.summary.title, outcome.summary.title),
            recorded=False,
        )

    async def recorded(self, claims: LinkClaims, actor: Actor, parsed: Parsed) -> HTMLResponse:
        """No worker answered in time: hand the click to the workflow as a durable signal."""
        assert parsed.command is not None
        try:
            await self.client.send_by_link(
                claims.project_id, claims.action, actor, parsed.command, link_use=claims.token_id
            )
        except Unavailable:
            return await self.try_again(UNRECORDED)
        profile = self._profile(self.view)
        told = describe(parsed.command, None, self.settings.center_email, profile)
        await self.store.run(tokens.mark_used, claims.token_id, f"{told.result} (recorded while Praxis was busy)")
        names = await self.store.run(names_of, claims.project_id, None)
        return render(
            "done.html",
            status=202,
            lang=await self.language(),
            course=profile.course,
            center_email=self.settings.center_email,
            heading=Label("Answer recorded", "回覆已記錄"),
            what=Label(
                f"Praxis is busy right now, so your answer ({told.result}) has been recorded and will be applied "
                "shortly. You do not need to do anything else.",
                "系統目前忙碌，您的回覆已記錄，稍後即會處理，您無需再做任何事。",  # noqa: RUF001
            ),
            next_steps=[
                *told.next_steps,
                Label(
                    "If the project changed in the meantime (for example, the invitation was cancelled), your "
                    "answer cannot be applied; the course office sees it in the project's record and can help: "
                    f"{self.settings.center_email}.",
                    "若計畫在此期間有所變動（例如邀請已被取消），您的回覆將無法套用；課程承辦人可在計畫紀錄中看到並協助您："  # noqa: RUF001
                    f"{self.settings.center_email}。",
                ),
            ],
            title=names.title,
            recorded=True,
        )

    async def try_again(self, detail: Label = UNREACHABLE) -> HTMLResponse:
        """No worker (or no Temporal) answered: the page, never JSON, says to try again, with Retry-After."""
        return await self.refused(
            Refused(Code.UNAVAILABLE, detail), headers={"Retry-After": str(self.settings.retry_after_seconds)}
        )

    async def refused(self, refusal: RuleViolation, headers: dict[str, str] | None = None) -> HTMLResponse:
        action = self.stored.action if self.stored else None
        detail = refusal_words(refusal)
        if refusal.code is Code.TOKEN_USED and self.stored is not None and self.stored.used_at is not None:
            result = result_words(self.stored.used_result) if self.stored.used_result else None
            done = Label(f": {result.en}", f"：{result.zh}") if result else Label("", "")  # noqa: RUF001
            detail = Label(
                f"This link was already used on {taipei(self.stored.used_at)}{done.en}. Each link works once.",
                f"此連結已於 {zh_date(self.stored.used_at)} 使用過{done.zh}。每個連結僅能使用一次。",
            )
        elif refusal.code is Code.TOKEN_EXPIRED and self.stored is not None:
            detail = Label(
                f"This link expired on {taipei(self.stored.expires_at)}.",
                f"此連結已於 {zh_date(self.stored.expires_at)} 過期。",
            )
        return render(
            "problem.html",
            status=STATUS[refusal.code],
            lang=await self.language(),
            headers=headers,
            course=self._profile(self.view).course,
            center_email=self.settings.center_email,
            heading=PAGE_TITLES[refusal.code],
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
