"""Why an action link's page refuses, in English and Traditional Chinese (issue 12): the pages are bilingual,
so the refusal's title and detail are too, whatever raised it. Pure: no I/O.

- A refusal the page composes itself (the link no longer fits the project, a foreign form) is a `Refused`:
  it carries both languages from the start.
- A refusal from elsewhere (the project workflow's update validator, the link's signature check, the gateway)
  carries the English detail its rule wrote; `WORDINGS` gives each detail a page can show its Chinese, by
  code and the detail's shape, with the values in it (a stage, a date, who) said in Chinese too.
- Anything else still gets a Chinese sentence: `GENERIC` explains every code, so a new code without one
  fails its test rather than showing an English-only page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from domain import labels
from domain.errors import Code, RuleViolation
from domain.labels import Label
from domain.stages import Stage


class Refused(RuleViolation):
    """A refusal worded by the page, in both languages; `detail` is its English, as every problem's is."""

    def __init__(self, code: Code, words: Label) -> None:
        super().__init__(code, words.en)
        self.words = words


# The page's title for each code (every code: a page may show any refusal that reaches it).
PAGE_TITLES: dict[Code, Label] = {
    Code.VALIDATION_ERROR: Label("This answer cannot be recorded", "無法記錄此回覆"),
    Code.UNAUTHENTICATED: Label("Sign-in required", "需要登入"),
    Code.FORBIDDEN: Label("This link cannot act", "此連結無法執行"),
    Code.NOT_FOUND: Label("Not found", "找不到"),
    Code.INVALID_STAGE: Label("Nothing to do here any more", "此處已無需處理"),
    Code.CONFLICT: Label("Already decided", "已有決定"),
    Code.SUPERVISOR_NOT_FOUND: Label("Teacher not in the faculty directory", "教師名錄中查無此老師"),
    Code.SUPERVISOR_NOT_ELIGIBLE: Label("This teacher cannot supervise", "此老師無法擔任指導老師"),
    Code.HOURS_BELOW_MINIMUM: Label("Not enough counted hours", "採計時數不足"),
    Code.PHOTOS_MISSING: Label("Participation photos missing", "缺少參與照片"),
    Code.REFLECTION_RECORD_MISSING: Label("Reflection record missing", "缺少反思紀錄"),
    Code.SUPERVISOR_NOT_CONFIRMED: Label("No confirmed supervisor", "尚無確認的指導老師"),
    Code.UPLOAD_INVALID: Label("Upload refused", "上傳遭拒"),
    Code.DUPLICATE_EVIDENCE: Label("This image is already on record", "此圖片已在紀錄中"),
    Code.REFLECTION_FORMAT_MISMATCH: Label(
        "The record does not fit the agreed reflection format", "紀錄不符合約定的反思方式"
    ),
    Code.RATE_LIMITED: Label("Too soon", "操作過於頻繁"),
    Code.TOKEN_INVALID: Label("This link is not valid", "此連結無效"),
    Code.TOKEN_EXPIRED: Label("This link has expired", "此連結已過期"),
    Code.TOKEN_USED: Label("This link was already used", "此連結已使用過"),
    Code.UNAVAILABLE: Label("Please try again in a few minutes", "請稍候幾分鐘再試"),
    Code.PRECONDITION_FAILED: Label("The project has changed", "計畫內容已有變動"),
    Code.IDEMPOTENCY_KEY_REUSED: Label("This link already sent another answer", "此連結已送出另一個回覆"),
}

# What each code means on a link's page, when the detail has no wording of its own below.
GENERIC: dict[Code, str] = {
    Code.VALIDATION_ERROR: "此回覆不符合規定，無法記錄。",
    Code.UNAUTHENTICATED: "此操作需要登入校務系統。",
    Code.FORBIDDEN: "此連結無權執行這項操作。",
    Code.NOT_FOUND: "找不到此連結所指的內容。",
    Code.INVALID_STAGE: "計畫目前的階段已不接受這項操作。",
    Code.CONFLICT: "這項操作與計畫目前的狀態衝突，可能已由他人處理。",
    Code.SUPERVISOR_NOT_FOUND: "教師名錄中查無此老師。",
    Code.SUPERVISOR_NOT_ELIGIBLE: "此老師不符合擔任指導老師的資格。",
    Code.HOURS_BELOW_MINIMUM: "採計時數尚未達到最低要求。",
    Code.PHOTOS_MISSING: "參與照片尚未齊全。",
    Code.REFLECTION_RECORD_MISSING: "尚缺與指導老師反思交流的紀錄。",
    Code.SUPERVISOR_NOT_CONFIRMED: "本計畫尚無確認的指導老師。",
    Code.UPLOAD_INVALID: "上傳的檔案不符合規定。",
    Code.DUPLICATE_EVIDENCE: "此圖片已在計畫紀錄中。",
    Code.REFLECTION_FORMAT_MISMATCH: "此紀錄不符合約定的反思方式。",
    Code.RATE_LIMITED: "操作過於頻繁，請稍後再試。",
    Code.TOKEN_INVALID: "此連結無效，或已不再適用。",
    Code.TOKEN_EXPIRED: "此連結已過期。",
    Code.TOKEN_USED: "此連結已使用過，每個連結僅能使用一次。",
    Code.UNAVAILABLE: "系統暫時無法處理，未做任何變更，請稍後再使用同一連結。",
    Code.PRECONDITION_FAILED: "計畫內容在您開啟此頁後已有變動，請重新開啟連結。",
    Code.IDEMPOTENCY_KEY_REUSED: "此連結已送出另一個回覆，每個連結僅能使用一次。",
}


def stage_zh(value: str) -> str:
    """A stage as the Chinese pages name it (`IN_PROGRESS` → 執行中); an unknown word stays as it is."""
    try:
        return labels.label(Stage(value)).zh
    except ValueError:
        return value


_DECIDED_ZH = {"verified": "認證", "refused": "不予認證"}


@dataclass(frozen=True)
class Wording:
    """One refusal detail a page can show: its code, the English as the rule writes it (a pattern whose groups
    are the values in it), the Chinese from those values, and the English page wording when the rule's own
    does not suit a link's holder. `example` is a detail it words, for the tests."""

    code: Code
    pattern: str
    zh: Callable[[dict[str, str]], str]
    example: str
    en: str | None = None


WORDINGS: tuple[Wording, ...] = (
    # The link itself (domain.links).
    Wording(
        Code.TOKEN_INVALID,
        r"This link is not valid\. Please use the link exactly as mailed\.",
        lambda _: "此連結無效，請完整使用郵件中的連結。",
        "This link is not valid. Please use the link exactly as mailed.",
    ),
    Wording(
        Code.TOKEN_INVALID,
        r"This link is not for this action on this project\.",
        lambda _: "此連結不適用於此計畫的這項操作。",
        "This link is not for this action on this project.",
    ),
    Wording(
        Code.TOKEN_INVALID,
        r"This link belongs to an earlier invitation or submission that has since been replaced\.",
        lambda _: "此連結屬於先前的邀請或成果報告，已由較新的取代。",
        "This link belongs to an earlier invitation or submission that has since been replaced.",
    ),
    # The project workflow's update validators (domain.access, domain.guards, domain.transitions).
    Wording(Code.NOT_FOUND, r"No such project\.", lambda _: "找不到此計畫。", "No such project."),
    Wording(
        Code.INVALID_STAGE,
        r"Cannot answer an invitation while the project is (?P<stage>\w+) \(allowed in: [\w, ]+\)\.",
        lambda v: f"計畫目前為「{stage_zh(v['stage'])}」，已無法回覆邀請。",
        "Cannot answer an invitation while the project is IN_PROGRESS (allowed in: SUPERVISOR_INVITED).",
    ),
    Wording(
        Code.INVALID_STAGE,
        r"Cannot evaluate while the project is (?P<stage>\w+) \(allowed in: [\w, ]+\)\.",
        lambda v: f"計畫目前為「{stage_zh(v['stage'])}」，已無法評核。",
        "Cannot evaluate while the project is REVISION_REQUESTED (allowed in: EVALUATION_PENDING).",
    ),
    Wording(
        Code.INVALID_STAGE,
        r"The project is (?P<stage>\w+); it accepts no more changes\.",
        lambda v: f"計畫已是「{stage_zh(v['stage'])}」，不再接受任何變更。",
        "The project is WITHDRAWN; it accepts no more changes.",
    ),
    Wording(
        Code.INVALID_STAGE,
        r"The project is closed; it accepts no more changes\.",
        lambda _: "計畫已結束，不再接受任何變更。",
        "The project is closed; it accepts no more changes.",
    ),
    Wording(
        Code.FORBIDDEN,
        r"Only the invited teacher can answer this invitation\.",
        lambda _: "只有受邀的老師可以回覆此邀請。",
        "Only the invited teacher can answer this invitation.",
    ),
    Wording(
        Code.FORBIDDEN,
        r"Only the project's supervisor can evaluate the closure report\.",
        lambda _: "只有本計畫的指導老師可以評核成果報告。",
        "Only the project's supervisor can evaluate the closure report.",
    ),
    Wording(
        Code.FORBIDDEN,
        r"An? \w+ cannot verify club hours\.",
        lambda _: "只有學務處可以認證社團時數。",
        "A faculty cannot verify club hours.",
    ),
    Wording(
        Code.NOT_FOUND,
        r"No hours entry (?P<entry>\S+) on this project\.",
        lambda v: f"此計畫沒有編號 {v['entry']} 的時數紀錄。",
        "No hours entry 3f2a9c on this project.",
    ),
    Wording(
        Code.VALIDATION_ERROR,
        r"Only hours done through an on-campus club need verification\.",
        lambda _: "只有透過校內社團完成的時數需要認證。",
        "Only hours done through an on-campus club need verification.",
    ),
    Wording(
        Code.CONFLICT,
        r"These hours were already (?P<decided>verified|refused) by (?P<by>.+) on (?P<day>\d{4}-\d{2}-\d{2}); "
        r"change that decision in the portal\.",
        lambda v: f"這些時數已於 {v['day']} 由 {v['by']} {_DECIDED_ZH[v['decided']]}；如需更改，請至校務系統辦理。",
        "These hours were already verified by O0001 on 2026-03-10; change that decision in the portal.",
    ),
    # The gateway: the link's update id already carried another answer (the link was not yet marked used).
    Wording(
        Code.IDEMPOTENCY_KEY_REUSED,
        r".*",
        lambda _: "此連結已送出另一個回覆；每個連結僅能使用一次。如需更改，請聯絡課程承辦人。",
        "This Idempotency-Key was already used for a different request; send a new key for a new request.",
        en="This link already sent another answer; each link works once. To change it, contact the course office.",
    ),
)

_COMPILED = tuple((wording, re.compile(wording.pattern, re.DOTALL)) for wording in WORDINGS)


def refusal_words(refusal: RuleViolation) -> Label:
    """The refusal's detail in both languages, for a link's page."""
    if isinstance(refusal, Refused):
        return refusal.words
    for wording, pattern in _COMPILED:
        if wording.code is refusal.code and (found := pattern.fullmatch(refusal.detail)):
            return Label(wording.en or refusal.detail, wording.zh(found.groupdict()))
    return Label(refusal.detail, GENERIC[refusal.code])
