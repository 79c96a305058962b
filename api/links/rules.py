"""What an action link may do and what its pages say (SPEC §4): the form a holder fills in, whether the
project still waits on the link, and the words after acting or refusing. Pure: no I/O, so every rule here
is checked the same way on the workflow's view and on the read model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from domain import labels
from domain.commands import Evaluate, InvitationResponse, VerifyHours
from domain.errors import Code, RuleViolation
from domain.labels import Label
from domain.links import LinkAction, LinkClaims, check_link_for
from domain.profile import NTUST_V1, CourseProfile
from domain.project import AuditEntry, ProjectSummary, ProjectView
from domain.stages import Stage
from domain.vocabulary import EvaluationResult, ReflectionFormat
from rendering.words import label, taipei
from workflows.messages import Outcome


# Issue 12: every phrase of the action pages in English and Traditional Chinese; the page picks (`say`).
def results(profile: CourseProfile = NTUST_V1) -> tuple[tuple[EvaluationResult, Label, Label], ...]:
    """The evaluation form's choices, in the words of the project's course."""
    code = profile.course.code
    return (
        (
            EvaluationResult.PASS,
            Label("Pass", "通過"),
            Label(
                f"The project passes and the student receives the {code} credit.", f"計畫通過，學生獲得 {code} 學分。"
            ),
        ),
        (
            EvaluationResult.FAIL,
            Label("Fail", "不通過"),
            Label("The project ends without credit. Feedback required.", "計畫結束且不授予學分。須填寫回饋。"),
        ),
        (
            EvaluationResult.REVISE,
            Label("Revise", "退回修改"),
            Label(
                "The report goes back to the student to improve and resubmit. Feedback required.",
                "成果報告退回學生修改後重新提交。須填寫回饋。",
            ),
        ),
    )


RESULTS = results()


# --- the form ----------------------------------------------------------------------------------------


@dataclass
class Parsed:
    """A submitted form: the command it asks for, or what is wrong with it; `values` refill the form."""

    command: BaseModel | None = None
    errors: dict[str, Label] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)


def parse_form(claims: LinkClaims, form: FormData) -> Parsed:
    values = {key: value.strip() for key, value in form.items() if isinstance(value, str)}
    parsed = Parsed(values=values)
    errors = parsed.errors
    try:
        if claims.action is LinkAction.RESPOND_INVITATION:
            decision = values.get("decision")
            chosen = values.get("reflection_format") or None
            if decision not in ("accept", "decline"):
                errors["decision"] = Label("Choose to accept or to decline.", "請選擇接受或婉拒。")
            elif chosen is not None and chosen not in set(ReflectionFormat):
                errors["reflection_format"] = Label(
                    "Choose one of the reflection formats listed.", "請從列出的反思方式中選擇一種。"
                )
            else:
                command: BaseModel = InvitationResponse(
                    accept=decision == "accept",
                    reflection_format=ReflectionFormat(chosen) if chosen and decision == "accept" else None,
                    reason=values.get("reason", "") if decision == "decline" else "",
                )
                parsed.command = command
        elif claims.action is LinkAction.EVALUATE:
            result = values.get("result")
            feedback = values.get("feedback", "")
            if result not in set(EvaluationResult):
                errors["result"] = Label("Choose pass, fail or revise.", "請選擇通過、不通過或退回修改。")
            elif result != EvaluationResult.PASS and not feedback:
                # R19: the student must learn why, and what to improve.
                errors["feedback"] = Label(
                    "Feedback is required to fail a report or return it for revision: tell the student why "
                    "and what to improve.",
                    "不通過或退回修改時須填寫回饋：請告訴學生原因及需改進之處。",
                )
            else:
                parsed.command = Evaluate(result=EvaluationResult(result), feedback=feedback)
        else:
            verified = values.get("verified")
            if verified not in ("yes", "no"):
                errors["verified"] = Label("Choose whether the hours are verified.", "請選擇是否認證這些時數。")
            else:
                parsed.command = VerifyHours(
                    entry_id=claims.ref, verified=verified == "yes", note=values.get("note", "")
                )
    except ValidationError as error:
        for problem in error.errors():
            name = str(problem["loc"][0]) if problem["loc"] else "form"
            message = str(problem["msg"]).removeprefix("Value error, ")
            errors[name] = Label(message, message)
    return parsed


# --- is the link still for what the project waits for? ------------------------------------------------

# How an invitation or a submission stopped waiting on its link, by the audit trail's action (R24).
_INVITATION_ENDED = {
    "supervision_accepted": "You accepted this invitation on {at}; you supervise this project.",
    "supervision_declined": "You declined this invitation on {at}.",
    "invitation_cancelled": "The student cancelled this invitation on {at}.",
    "invitation_expired": "This invitation lapsed on {at}: it was not answered within 14 days.",
}
_EVALUATED = {f"evaluation_{result.value}": result.value for result in EvaluationResult}
# The audit action that starts each invitation or submission: the n-th one is the link's `ref` n.
_STARTED = {LinkAction.RESPOND_INVITATION: "supervisor_invited", LinkAction.EVALUATE: "closure_submitted"}


@dataclass(frozen=True)
class Standing:
    """What a link is checked against: the workflow's view, or the read model when no worker answers."""

    project_id: str
    stage: Stage
    audit: list[AuditEntry]
    invited_id: str | None
    supervisor_id: str | None

    @classmethod
    def of_view(cls, view: ProjectView) -> Standing:
        return cls(
            project_id=view.id,
            stage=view.stage,
            audit=view.audit,
            invited_id=view.invitation.faculty.id if view.invitation else None,
            supervisor_id=view.supervisor.faculty.id if view.supervisor else None,
        )

    @classmethod
    def of_summary(cls, summary: ProjectSummary, audit: list[AuditEntry]) -> Standing:
        return cls(summary.id, summary.stage, audit, summary.invited_faculty_id, summary.supervisor_id)


def check_current(claims: LinkClaims, standing: Standing) -> None:
    """Refuse a link whose invitation or submission was replaced (TOKEN_INVALID) or has ended (INVALID_STAGE).

    An invitation's or submission's number is its place among the audit trail's starts of that kind, so the
    same check runs on the workflow's view and on the read model.
    """
    check_link_for(claims, standing.project_id, claims.action)
    if claims.action is LinkAction.VERIFY_HOURS:
        if standing.stage.is_final:
            raise RuleViolation(
                Code.INVALID_STAGE, f"The project is {standing.stage.value}; it accepts no more changes."
            )
        return
    starts = [n for n, entry in enumerate(standing.audit) if entry.action == _STARTED[claims.action]]
    if str(len(starts)) != claims.ref:
        # A later invitation or submission replaced the link's: refused like a link that never was.
        check_link_for(claims, standing.project_id, claims.action, ref=str(len(starts)))
    pending = Stage.SUPERVISOR_INVITED if claims.action is LinkAction.RESPOND_INVITATION else Stage.EVALUATION_PENDING
    holder = standing.invited_id if claims.action is LinkAction.RESPOND_INVITATION else standing.supervisor_id
    if standing.stage is pending:
        if holder != claims.subject_id:
            raise RuleViolation(Code.FORBIDDEN, "The project has a new supervisor, so this link no longer applies.")
        return
    for entry in standing.audit[starts[-1] + 1 :] if starts else []:
        if claims.action is LinkAction.RESPOND_INVITATION and entry.action in _INVITATION_ENDED:
            raise RuleViolation(Code.INVALID_STAGE, _INVITATION_ENDED[entry.action].format(at=taipei(entry.at)))
        if claims.action is LinkAction.EVALUATE and entry.action in _EVALUATED:
            raise RuleViolation(
                Code.INVALID_STAGE,
                f"This closure report was already evaluated on {taipei(entry.at)}: {_EVALUATED[entry.action]}.",
            )
    waiting = "an answer" if claims.action is LinkAction.RESPOND_INVITATION else "an evaluation"
    raise RuleViolation(
        Code.INVALID_STAGE, f"The project is no longer waiting for {waiting}; it is now {standing.stage.value}."
    )


def check_entry(claims: LinkClaims, view: ProjectView) -> None:
    """A club-hours link: its entry is still there and not yet verified (R15)."""
    entry = next((e for e in view.hours if e.id == claims.ref), None)
    if entry is None:
        raise RuleViolation(Code.NOT_FOUND, "The hours entry this link is for is no longer on the project.")
    if entry.verification is not None:
        word = "verified" if entry.verification.verified else "refused"
        raise RuleViolation(Code.INVALID_STAGE, f"These hours were already {word} on {taipei(entry.verification.at)}.")


PAGE_TITLES: dict[Code, Label] = {
    Code.TOKEN_INVALID: Label("This link is not valid", "此連結無效"),
    Code.TOKEN_EXPIRED: Label("This link has expired", "此連結已過期"),
    Code.TOKEN_USED: Label("This link was already used", "此連結已使用過"),
    Code.INVALID_STAGE: Label("Nothing to do here any more", "此處已無需處理"),
    Code.FORBIDDEN: Label("This link cannot act", "此連結無法執行"),
    Code.NOT_FOUND: Label("Not found", "找不到"),
    Code.UNAVAILABLE: Label("Please try again in a few minutes", "請稍候幾分鐘再試"),
}


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
