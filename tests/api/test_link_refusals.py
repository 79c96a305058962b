"""Issue 12: an action link's refusal page speaks both languages, like the rest of the page: its title and its
detail in English and Traditional Chinese, each shown as the holder's language preference says.

Pure tests of the wording (`api.links.refusals`) and of the page's own render, then the refusals every update a
link acts through can give (the project workflow's validators for R11, R15 and R19), walked one by one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from starlette.datastructures import FormData

from api.links.form import parse_form
from api.links.page import LinkPage
from api.links.refusals import GENERIC, PAGE_TITLES, WORDINGS, Refused, refusal_words
from api.links.standing import Standing, check_current, check_entry
from api.links.wording import result_words
from config.settings import Settings
from domain.actors import Actor
from domain.commands import Evaluate, InvitationResponse, VerifyHours, Withdraw
from domain.errors import Code, RuleViolation
from domain.labels import Label
from domain.links import LinkAction, LinkClaims
from domain.project import ProjectState
from domain.stages import Stage
from domain.transitions import (
    apply_log_hours,
    apply_verify_hours,
    apply_withdraw,
    check_evaluate,
    check_respond,
    check_verify_hours,
)
from domain.view import build_view
from domain.vocabulary import Channel, EvaluationResult, HourKind, HourSource, MailLanguage
from tests.domain.factories import (
    CENTER,
    OSA,
    STUDENT,
    WORKED_AT,
    hours_input,
    project_at,
    teacher_of,
)

CJK = re.compile(r"[\u4e00-\u9fff]")
# What a Chinese sentence may keep in Latin letters: codes, ids, stage and course names are not sentences.
ENGLISH_WORDS = re.compile(r"\b(?:the|this|is|was|and|to|on|of|link|project|please)\b", re.IGNORECASE)


def chinese(text: str) -> bool:
    """A sentence in Chinese: it has Chinese characters and no English sentence words."""
    return bool(CJK.search(text)) and not ENGLISH_WORDS.search(text)


def test_every_code_has_a_bilingual_page_title_and_a_chinese_explanation() -> None:
    """Issue 12: whatever code reaches a link's page, its title and (failing a wording of its own) its detail
    have Chinese; a new code without them fails here before a page shows it in English only."""
    for code in Code:
        assert code in PAGE_TITLES and code in GENERIC, code
        assert PAGE_TITLES[code].en and chinese(PAGE_TITLES[code].zh), code
        assert chinese(GENERIC[code]), code


def test_every_wording_matches_its_example_and_says_it_in_chinese() -> None:
    """Each refusal detail the pages word in Chinese is recognised by its shape (the example a rule writes),
    and its Chinese is a Chinese sentence, not the generic explanation of the code."""
    for wording in WORDINGS:
        words = refusal_words(RuleViolation(wording.code, wording.example))
        assert words.zh != GENERIC[wording.code], wording.example
        assert chinese(words.zh), words.zh
        assert words.en == (wording.en or wording.example)


def test_a_detail_with_no_wording_of_its_own_still_has_its_codes_chinese() -> None:
    """A refusal whose English the catalogue does not know keeps it, and the page says the code's meaning in
    Chinese beside it."""
    words = refusal_words(RuleViolation(Code.CONFLICT, "Something new happened to this project."))
    assert (words.en, words.zh) == ("Something new happened to this project.", GENERIC[Code.CONFLICT])


def test_values_in_a_refusal_are_said_in_chinese_too() -> None:
    """A stage, a decision and a date in a workflow's refusal are named in Chinese in the Chinese sentence."""
    stage = refusal_words(RuleViolation(Code.INVALID_STAGE, "The project is WITHDRAWN; it accepts no more changes."))
    assert stage.zh == "計畫已是「已撤回」，不再接受任何變更。"  # noqa: RUF001
    decided = refusal_words(
        RuleViolation(
            Code.CONFLICT,
            "These hours were already refused by O0001 on 2026-03-10; change that decision in the portal.",
        )
    )
    assert decided.zh == "這些時數已於 2026-03-10 由 O0001 不予認證；如需更改，請至校務系統辦理。"  # noqa: RUF001


# --- every refusal an update acting for a link can give -------------------------------------------------


def _club_project(stage: Stage = Stage.IN_PROGRESS) -> ProjectState:
    """A project with one club-hours entry `c1` for OSA to verify (R15), and a self-reported one, `s1`."""
    state = project_at(stage)
    day = WORKED_AT.date() - timedelta(days=20)
    club = hours_input(day, "4", kind=HourKind.EXECUTION, source=HourSource.CAMPUS_CLUB)
    apply_log_hours(state, STUDENT, club, WORKED_AT, "c1")
    apply_log_hours(state, STUDENT, hours_input(day, "2"), WORKED_AT, "s1")
    return state


def _verified(state: ProjectState) -> ProjectState:
    apply_verify_hours(state, OSA, VerifyHours(entry_id="c1", verified=True), WORKED_AT)
    return state


def _withdrawn(state: ProjectState) -> ProjectState:
    apply_withdraw(state, STUDENT, Withdraw(reason="moved abroad"), WORKED_AT)
    return state


EMAIL_OSA = OSA.model_copy(update={"channel": Channel.EMAIL})
ACCEPT = InvitationResponse(accept=True)
PASS = Evaluate(result=EvaluationResult.PASS)
REFUSALS: list[tuple[str, Callable[[], None]]] = [
    ("respond: not invited any more", lambda: check_respond(p := project_at(Stage.IN_PROGRESS), teacher_of(p), ACCEPT)),
    ("respond: not the invited teacher", lambda: check_respond(project_at(Stage.SUPERVISOR_INVITED), CENTER, ACCEPT)),
    (
        "respond: a stranger",
        lambda: check_respond(project_at(Stage.SUPERVISOR_INVITED), Actor(id="T9", role="faculty"), ACCEPT),
    ),
    ("evaluate: nothing to evaluate", lambda: check_evaluate(p := project_at(Stage.IN_PROGRESS), teacher_of(p), PASS)),
    ("evaluate: evaluated already", lambda: check_evaluate(p := project_at(Stage.PASSED), teacher_of(p), PASS)),
    ("evaluate: not the supervisor", lambda: check_evaluate(project_at(Stage.EVALUATION_PENDING), CENTER, PASS)),
    (
        "verify: not OSA",
        lambda: check_verify_hours(p := _club_project(), teacher_of(p), VerifyHours(entry_id="c1", verified=True)),
    ),
    (
        "verify: no such entry",
        lambda: check_verify_hours(_club_project(), EMAIL_OSA, VerifyHours(entry_id="gone", verified=True)),
    ),
    (
        "verify: not club hours",
        lambda: check_verify_hours(_club_project(), EMAIL_OSA, VerifyHours(entry_id="s1", verified=True)),
    ),
    (
        "verify: decided already",
        lambda: check_verify_hours(_verified(_club_project()), EMAIL_OSA, VerifyHours(entry_id="c1", verified=False)),
    ),
    (
        "verify: project closed",
        lambda: check_verify_hours(_withdrawn(_club_project()), EMAIL_OSA, VerifyHours(entry_id="c1", verified=True)),
    ),
    (
        "verify: a project OSA may not know",
        lambda: check_verify_hours(project_at(Stage.IN_PROGRESS), EMAIL_OSA, VerifyHours(entry_id="c1", verified=True)),
    ),
]


@pytest.mark.parametrize(("case", "act"), REFUSALS, ids=[case for case, _ in REFUSALS])
def test_each_refusal_of_a_link_update_has_its_own_chinese(case: str, act: Callable[[], None]) -> None:
    """R11, R15, R19 by link: every refusal the update a link acts through can give (its validator, as the
    workflow runs it) has a Chinese wording of its own, not just its code's."""
    with pytest.raises(RuleViolation) as refused:
        act()
    words = refusal_words(refused.value)
    assert words.zh != GENERIC[refused.value.code], (case, refused.value.detail)
    assert chinese(words.zh), (case, words.zh)


def _claims(action: LinkAction, project_id: str, subject_id: str, ref: str) -> LinkClaims:
    return LinkClaims(
        token_id="t1", subject_id=subject_id, action=action, project_id=project_id, ref=ref, expires_at=WORKED_AT
    )


def test_the_pages_own_refusals_are_worded_in_both_languages() -> None:
    """The refusals a link's page makes itself (the invitation answered, the report evaluated, the project
    closed) carry both languages, a time in each language's own way (`臺北時間` in the Chinese)."""
    answered = project_at(Stage.IN_PROGRESS)
    evaluated = project_at(Stage.PASSED)
    supervisor = teacher_of(evaluated).id
    cases = [
        (_claims(LinkAction.RESPOND_INVITATION, answered.id, teacher_of(answered).id, "1"), answered, True),
        (_claims(LinkAction.EVALUATE, evaluated.id, supervisor, "1"), evaluated, True),
        (_claims(LinkAction.VERIFY_HOURS, evaluated.id, "O001", "c1"), evaluated, False),
    ]
    for claims, state, dated in cases:
        standing = Standing(state.id, state.stage, state.audit, None, supervisor)
        with pytest.raises(Refused) as refused:
            check_current(claims, standing)
        words = refused.value.words
        assert chinese(words.zh) and words.en == refused.value.detail, words
        assert ("臺北時間" in words.zh, "(Taipei time)" in words.en) == (dated, dated), words


def test_a_decided_or_missing_hours_entry_is_refused_in_both_languages() -> None:
    """R15 by link: hours already decided, or an entry no longer on the project, are refused by the page in
    both languages."""
    view = build_view(_verified(_club_project()), WORKED_AT)
    decided = _claims(LinkAction.VERIFY_HOURS, view.id, "O001", "c1")
    with pytest.raises(Refused) as refused:
        check_entry(decided, view)
    assert refused.value.words.zh.startswith("這些時數已於 ") and refused.value.words.zh.endswith(" 認證。")
    with pytest.raises(Refused) as missing:
        check_entry(decided.model_copy(update={"ref": "gone"}), view)
    assert missing.value.code is Code.NOT_FOUND and chinese(missing.value.words.zh)


@pytest.mark.parametrize("language", [MailLanguage.ZH, MailLanguage.EN, MailLanguage.BILINGUAL])
async def test_the_refusal_page_follows_the_language_preference(settings: Settings, language: MailLanguage) -> None:
    """Issue 12: the refusal page shows its title and detail in Chinese only, English only, or both (English
    first) as the language preference says."""
    page = LinkPage(None, settings.model_copy(update={"mail_language": language}), None, None, "t")  # type: ignore[arg-type]
    english = "These hours were already verified by O0001 on 2026-03-10; change that decision in the portal."
    html = bytes((await page.refused(RuleViolation(Code.CONFLICT, english))).body).decode()
    zh = "這些時數已於 2026-03-10 由 O0001 認證；如需更改，請至校務系統辦理。"  # noqa: RUF001
    assert (english in html, zh in html) == (language is not MailLanguage.ZH, language is not MailLanguage.EN)
    assert ("Already decided" in html, "已有決定" in html) == (
        language is not MailLanguage.ZH,
        language is not MailLanguage.EN,
    )


def test_a_spent_links_result_is_named_in_chinese_when_it_is_opened_again() -> None:
    """Issue 12: a used link's page names what it did (kept with the link in English) in Chinese too."""
    assert result_words("accepted, reflection format: a conversation").zh == "已接受，反思方式：對談"  # noqa: RUF001
    assert result_words("accepted, reflection format: the format the student proposed").zh == (
        "已接受，反思方式：學生提議的方式"  # noqa: RUF001
    )
    assert result_words("evaluated: revise (recorded while Praxis was busy)").zh == "評核：退回修改（系統忙碌時記錄）"  # noqa: RUF001
    assert result_words("hours not verified").en == "hours not verified"


def test_a_form_field_too_long_is_explained_in_both_languages() -> None:
    """Issue 12: a note past its length limit shows the form again with the limit in English and Chinese."""
    claims = _claims(LinkAction.VERIFY_HOURS, "P-0001", "O001", "c1")
    parsed = parse_form(claims, FormData([("verified", "yes"), ("note", "x" * 2001)]))
    assert parsed.command is None
    assert parsed.errors["note"] == Label("Please keep this to at most 2,000 characters.", "請勿超過 2,000 個字。")
