"""The form an action link's holder fills in (SPEC §4): the evaluation's choices in the words of the project's
course, and the form parsed into the command it asks for (R11, R15, R19). Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from domain.commands import Evaluate, InvitationResponse, VerifyHours
from domain.labels import Label
from domain.links import LinkAction, LinkClaims
from domain.profile import NTUST_V1, CourseProfile
from domain.vocabulary import EvaluationResult, ReflectionFormat


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
            errors[name] = _field_problem(problem)
    return parsed


def _field_problem(problem: Any) -> Label:
    """A field the command refused, in both languages: the form's free texts are bounded in length, and the
    rest is a rule the form itself already checks (feedback for fail or revise, R19)."""
    message = str(problem["msg"]).removeprefix("Value error, ")
    if problem["type"] == "string_too_long":
        most = problem["ctx"]["max_length"]
        return Label(f"Please keep this to at most {most:,} characters.", f"請勿超過 {most:,} 個字。")
    return Label(message, "此欄位的內容不符合規定，請修改後再送出。")
