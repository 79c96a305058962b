"""Read-only pages behind a signed link (issue 12): where a student's or the center's mail takes them when the
university has no portal page configured (`PRAXIS_PORTAL_PROJECT_URL`, `PRAXIS_PORTAL_GROUP_URL`), so every
link in a mail opens something a person can read, never a JSON route that answers 401 in a browser.

`GET /v/projects/<id>.<signature>` and `GET /v/groups/<id>.<signature>` (`domain.links.view_link_path`): the
signature binds the page to the one project or group. The pages show, never act; they are bilingual (the link
does not say who opens it), carry the action pages' security headers and are never cached.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import HTMLResponse

from api.deps import GroupsDep, ProjectsDep, SettingsDep, StoreDep
from api.errors import STATUS, TITLES
from api.pages import render
from api.reading import group_view, project_view
from config.course_profile import profile_for
from domain import labels
from domain.errors import RuleViolation
from domain.links import ViewKind, read_view_token
from domain.vocabulary import MailLanguage
from rendering.words import counted_kinds_en, counted_kinds_zh
from store import directory

router = APIRouter(prefix="/v", tags=["pages"], include_in_schema=False)

Token = Annotated[str, Path(min_length=1, max_length=200)]


@router.get("/projects/{token}", response_class=HTMLResponse)
async def project_page(token: Token, settings: SettingsDep, projects: ProjectsDep, store: StoreDep) -> HTMLResponse:
    """One project as its student and the center read it: stage, proposal, supervisor, hours, evidence, what
    the closure report still needs, dates, reviews and evaluations."""
    try:
        project_id = read_view_token(settings.action_link_secret.get_secret_value(), ViewKind.PROJECT, token)
        view = await project_view(projects, store, project_id)
    except RuleViolation as refusal:
        return _refused(settings.center_email, refusal)
    student = await store.run(directory.get_student, view.student_id)
    profile = profile_for(view.profile, settings.profile)  # the project's own course profile, for its words
    return render(
        "project.html",
        view=view,
        student=f"{student.name} ({student.id})" if student else view.student_id,
        stage=labels.label(view.stage),
        lang=settings.mail_language,
        center_email=settings.center_email,
        labels=labels,
        course=profile.course,
        frame_title=profile.frame.title,
        frame_names={item.id: labels.Label(item.en, item.zh) for item in profile.frame.items},
        counted=view.counted_entry_ids,
        counted_kinds_en=counted_kinds_en(profile),
        counted_kinds_zh=counted_kinds_zh(profile),
    )


@router.get("/groups/{token}", response_class=HTMLResponse)
async def group_page(token: Token, settings: SettingsDep, groups: GroupsDep, store: StoreDep) -> HTMLResponse:
    """One group proposal (R9) as its members and the center read it: its stage, proposal, members, reviews."""
    try:
        group_id = read_view_token(settings.action_link_secret.get_secret_value(), ViewKind.GROUP, token)
        view = await group_view(groups, store, group_id)
    except RuleViolation as refusal:
        return _refused(settings.center_email, refusal)
    return render(
        "group.html", view=view, lang=settings.mail_language, center_email=settings.center_email, labels=labels
    )


def _refused(center_email: str, refusal: RuleViolation) -> HTMLResponse:
    return render(
        "problem.html",
        status=STATUS[refusal.code],
        heading=TITLES[refusal.code],
        detail=refusal.detail,
        next_step="Open the page from the link in your mail, or ask the Center for General Education.",
        code=refusal.code.value,
        lang=MailLanguage.BILINGUAL,
        center_email=center_email,
    )
