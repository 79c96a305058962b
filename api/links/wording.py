"""What an action link's pages say after acting or refusing (SPEC §4): titles, the next step and what the
holder was told, in English and Traditional Chinese. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from domain import labels
from domain.commands import Evaluate, InvitationResponse, VerifyHours
from domain.errors import Code
from domain.labels import Label
from domain.links import LinkAction
from domain.profile import NTUST_V1, CourseProfile
from domain.vocabulary import EvaluationResult, ReflectionFormat
from rendering.words import label
from workflows.messages import Outcome


def next_step(code: Code, action: LinkAction | None, center_email: str) -> Label:
    office = Label(f"the course office at {center_email}", f"課程承辦人（{center_email}）")
    if code is Code.TOKEN_USED:
        return Label(
            f"Nothing more is needed. To change what was recorded, contact {office.en}.",
            f"無需再做任何事。如需更改已記錄的內容，請聯絡{office.zh}。",
        )
    if code is Code.TOKEN_EXPIRED:
        if action is LinkAction.RESPOND_INVITATION:
            return Label(
                "If you would still like to supervise this project, ask the student to send you a new invitation.",
                "若您仍願意指導此計畫，請學生重新寄送邀請。",
            )
        if action is LinkAction.EVALUATE:
            return Label(
                f"Evaluate from the portal, or ask {office.en} for a new link.",
                f"請由校務系統評核，或向{office.zh}索取新連結。",
            )
        return Label(
            f"Verify the hours from the portal, or ask {office.en} for a new link.",
            f"請由校務系統認證時數，或向{office.zh}索取新連結。",
        )
    if code is Code.TOKEN_INVALID:
        return Label(
            "Open the link exactly as it appears in the newest mail from Praxis (some mail programs break long "
            f"links across lines). If it still does not work, contact {office.en}.",
            f"請完整開啟 Praxis 最新郵件中的連結（部分郵件程式會將長連結斷行）。若仍無法使用，請聯絡{office.zh}。",
        )
    if code is Code.UNAVAILABLE:
        return Label(
            f"Nothing was changed. Use the same link again in a few minutes; if it keeps failing, contact {office.en}.",
            f"未做任何變更。請於幾分鐘後再次使用同一連結；若持續失敗，請聯絡{office.zh}。",
        )
    if code is Code.INVALID_STAGE:
        return Label(
            f"Nothing is needed from you. Questions: {office.en}.", f"您無需再做任何事。如有疑問：{office.zh}。"
        )
    return Label(f"If you think this is wrong, contact {office.en}.", f"若您認為有誤，請聯絡{office.zh}。")


@dataclass(frozen=True)
class Told:
    heading: Label
    what: Label
    next_steps: list[Label]
    result: str  # kept with the spent link and shown if it is opened again


NOTHING_ELSE = Label("Nothing else is needed from you.", "您無需再做任何事。")


def describe(
    command: BaseModel | None, outcome: Outcome | None, center_email: str, profile: CourseProfile = NTUST_V1
) -> Told:
    """What just happened and what comes next, for the page after acting (`outcome` is None when only
    recorded), in the numbers and words of the project's course profile."""
    if isinstance(command, InvitationResponse):
        if not command.accept:
            reason = Label(", with your reason,", "（附上您的理由）") if command.reason else Label("", "")
            return Told(
                Label("You declined the invitation", "您已婉拒邀請"),
                Label(
                    f"The student is told{reason.en} and will invite another teacher.",
                    f"系統已通知學生{reason.zh}，學生將另邀其他老師。",
                ),
                [NOTHING_ELSE],
                "declined",
            )
        agreed = command.reflection_format
        format_text = (
            Label(label(agreed).lower(), labels.label(agreed).zh)
            if agreed
            else Label("the format the student proposed", "學生提議的方式")
        )
        return Told(
            Label("You are now the supervisor", "您已成為指導老師"),
            Label(
                f"You agreed to supervise this project; the agreed reflection format is {format_text.en}. "
                "The student is told.",
                f"您已同意指導此計畫，約定的反思方式為{format_text.zh}。系統已通知學生。",
            ),
            [
                Label(
                    f"The student carries out the project and logs at least {profile.hours.required} hours, with "
                    "photos as evidence.",
                    f"學生執行計畫並登錄至少 {profile.hours.required} 小時，並附照片為佐證。",
                ),
                Label(
                    "Hold one reflection session with the student in the agreed format; the student keeps a record "
                    "of it.",
                    "請依約定方式與學生進行一次反思交流，由學生留下紀錄。",
                ),
                Label(
                    "When the student submits the closure report, you receive an email with a link to evaluate it.",
                    "學生提交成果報告後，您將收到附有評核連結的郵件。",
                ),
            ],
            f"accepted, reflection format: {format_text.en}",
        )
    if isinstance(command, Evaluate):
        if command.result is EvaluationResult.PASS:
            credit = outcome.credit if outcome else None
            if credit is not None and credit.granted:
                recorded = Label(
                    f" The {profile.course.code} credit is recorded in {credit.semester_id}.",
                    f"{profile.course.code} 學分已登錄於 {credit.semester_id}。",
                )
            elif credit is not None:
                recorded = Label(f" No credit was recorded: {credit.reason}.", f"未登錄學分：{credit.reason}。")
            else:
                recorded = Label("", "")
            return Told(
                Label("Passed", "通過"),
                Label(
                    f"You passed the closure report.{recorded.en} The student is told.",
                    f"您已評定成果報告通過。{recorded.zh}系統已通知學生。",
                ),
                [
                    Label(
                        "In final exam week the course office sends you the list of your passing students to print, "
                        f"sign and return to Office {profile.signed_lists_office} before the semester ends.",
                        "期末考週時，課程承辦人將寄送您的通過學生名單，請列印簽名後於學期結束前送至 "
                        f"{profile.signed_lists_office} 辦公室。",
                    )
                ],
                "evaluated: pass",
            )
        if command.result is EvaluationResult.FAIL:
            return Told(
                Label("Not passed", "不通過"),
                Label(
                    "You failed the closure report. The student is told, with your feedback, and the project is "
                    "closed.",
                    "您已評定成果報告不通過。系統已將您的回饋通知學生，計畫結束。",
                ),
                [
                    Label(
                        "Nothing else is needed from you. If this was a mistake, contact the course office at "
                        f"{center_email}.",
                        f"您無需再做任何事。若為誤操作，請聯絡課程承辦人（{center_email}）。",
                    )
                ],
                "evaluated: fail",
            )
        return Told(
            Label("Returned for revision", "已退回修改"),
            Label("The report goes back to the student with your feedback.", "成果報告已連同您的回饋退回學生。"),
            [
                Label(
                    "When the student resubmits, you receive a new email with a link to evaluate the revised report.",
                    "學生重新提交後，您將收到評核修改版報告的新連結。",
                )
            ],
            "evaluated: revise",
        )
    assert isinstance(command, VerifyHours)
    if command.verified:
        return Told(
            Label("Hours verified", "時數已認證"),
            Label(
                f"The club hours now count toward the student's {profile.hours.required}-hour minimum.",
                f"社團時數已列入學生 {profile.hours.required} 小時的最低時數。",
            ),
            [NOTHING_ELSE],
            "hours verified",
        )
    return Told(
        Label("Hours not verified", "時數未認證"),
        Label(
            "The club hours do not count toward the minimum; the student can see your note.",
            "社團時數不列入最低時數；學生可看到您的備註。",
        ),
        [NOTHING_ELSE],
        "hours not verified",
    )


# The results `describe` keeps with a spent link, as a Chinese page names them when the link is opened again.
_RESULTS_ZH = {
    "declined": "已婉拒",
    "evaluated: pass": "評核：通過",
    "evaluated: fail": "評核：不通過",
    "evaluated: revise": "評核：退回修改",
    "hours verified": "時數已認證",
    "hours not verified": "時數未認證",
}
_ACCEPTED = "accepted, reflection format: "
_BUSY = " (recorded while Praxis was busy)"
_PROPOSED = "the format the student proposed"


def result_words(result: str) -> Label:
    """What a spent link did (`Told.result`, as stored), in both languages; an unknown result stays as it is."""
    busy = result.endswith(_BUSY)
    core = result.removesuffix(_BUSY)
    if core.startswith(_ACCEPTED):
        chosen = core.removeprefix(_ACCEPTED)
        fmt = next((f for f in ReflectionFormat if label(f).lower() == chosen), None)
        named = labels.label(fmt).zh if fmt else "學生提議的方式" if chosen == _PROPOSED else chosen
        zh = f"已接受，反思方式：{named}"
    else:
        zh = _RESULTS_ZH.get(core, core)
    return Label(result, zh + ("（系統忙碌時記錄）" if busy else ""))
