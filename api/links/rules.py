"""What an action link may do and what its pages say (SPEC §4): the form a holder fills in, whether the
project still waits on the link, and the words after acting or refusing. Pure: no I/O, so every rule here
is checked the same way on the workflow's view and on the read model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from domain.commands import Evaluate, InvitationResponse, VerifyHours
from domain.errors import Code, RuleViolation
from domain.links import LinkAction, LinkClaims, check_link_for
from domain.profile import NTUST_V1, CourseProfile
from domain.project import AuditEntry, ProjectSummary, ProjectView
from domain.stages import Stage
from domain.vocabulary import EvaluationResult, ReflectionFormat
from rendering.words import label, taipei
from workflows.messages import Outcome


def results(profile: CourseProfile = NTUST_V1) -> tuple[tuple[EvaluationResult, str, str], ...]:
    """The evaluation form's choices, in the words of the project's course."""
    return (
        (
            EvaluationResult.PASS,
            "Pass",
            f"The project passes and the student receives the {profile.course.code} credit.",
        ),
        (EvaluationResult.FAIL, "Fail", "The project ends without credit. Feedback required."),
        (
            EvaluationResult.REVISE,
            "Revise",
            "The report goes back to the student to improve and resubmit. Feedback required.",
        ),
    )


RESULTS = results()


# --- the form ----------------------------------------------------------------------------------------


@dataclass
class Parsed:
    """A submitted form: the command it asks for, or what is wrong with it; `values` refill the form."""

    command: BaseModel | None = None
    errors: dict[str, str] = field(default_factory=dict)
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
                errors["decision"] = "Choose to accept or to decline."
            elif chosen is not None and chosen not in set(ReflectionFormat):
                errors["reflection_format"] = "Choose one of the reflection formats listed."
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
                errors["result"] = "Choose pass, fail or revise."
            elif result != EvaluationResult.PASS and not feedback:
                # R19: the student must learn why, and what to improve.
                errors["feedback"] = (
                    "Feedback is required to fail a report or return it for revision: tell the student why "
                    "and what to improve."
                )
            else:
                parsed.command = Evaluate(result=EvaluationResult(result), feedback=feedback)
        else:
            verified = values.get("verified")
            if verified not in ("yes", "no"):
                errors["verified"] = "Choose whether the hours are verified."
            else:
                parsed.command = VerifyHours(
                    entry_id=claims.ref, verified=verified == "yes", note=values.get("note", "")
                )
    except ValidationError as error:
        for problem in error.errors():
            name = str(problem["loc"][0]) if problem["loc"] else "form"
            errors[name] = str(problem["msg"]).removeprefix("Value error, ")
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


PAGE_TITLES = {
    Code.TOKEN_INVALID: "This link is not valid",
    Code.TOKEN_EXPIRED: "This link has expired",
    Code.TOKEN_USED: "This link was already used",
    Code.INVALID_STAGE: "Nothing to do here any more",
    Code.FORBIDDEN: "This link cannot act",
    Code.NOT_FOUND: "Not found",
    Code.UNAVAILABLE: "Please try again in a few minutes",
}


def next_step(code: Code, action: LinkAction | None, center_email: str) -> str:
    office = f"the course office at {center_email}"
    if code is Code.TOKEN_USED:
        return f"Nothing more is needed. To change what was recorded, contact {office}."
    if code is Code.TOKEN_EXPIRED:
        if action is LinkAction.RESPOND_INVITATION:
            return "If you would still like to supervise this project, ask the student to send you a new invitation."
        if action is LinkAction.EVALUATE:
            return f"Evaluate from the portal, or ask {office} for a new link."
        return f"Verify the hours from the portal, or ask {office} for a new link."
    if code is Code.TOKEN_INVALID:
        return (
            "Open the link exactly as it appears in the newest mail from Praxis (some mail programs break long "
            f"links across lines). If it still does not work, contact {office}."
        )
    if code is Code.UNAVAILABLE:
        return f"Nothing was changed. Use the same link again in a few minutes; if it keeps failing, contact {office}."
    if code is Code.INVALID_STAGE:
        return f"Nothing is needed from you. Questions: {office}."
    return f"If you think this is wrong, contact {office}."


@dataclass(frozen=True)
class Told:
    heading: str
    what: str
    next_steps: list[str]
    result: str  # kept with the spent link and shown if it is opened again


def describe(
    command: BaseModel | None, outcome: Outcome | None, center_email: str, profile: CourseProfile = NTUST_V1
) -> Told:
    """What just happened and what comes next, for the page after acting (`outcome` is None when only
    recorded), in the numbers and words of the project's course profile."""
    if isinstance(command, InvitationResponse):
        if not command.accept:
            return Told(
                "You declined the invitation",
                "The student is told"
                + (", with your reason," if command.reason else "")
                + " and will invite another teacher.",
                ["Nothing else is needed from you."],
                "declined",
            )
        agreed = command.reflection_format
        format_text = label(agreed).lower() if agreed else "the format the student proposed"
        return Told(
            "You are now the supervisor",
            f"You agreed to supervise this project; the agreed reflection format is {format_text}. "
            "The student is told.",
            [
                f"The student carries out the project and logs at least {profile.hours.required} hours, with photos "
                "as evidence.",
                "Hold one reflection session with the student in the agreed format; the student keeps a record of it.",
                "When the student submits the closure report, you receive an email with a link to evaluate it.",
            ],
            f"accepted, reflection format: {format_text}",
        )
    if isinstance(command, Evaluate):
        if command.result is EvaluationResult.PASS:
            credit = outcome.credit if outcome else None
            if credit is not None and credit.granted:
                recorded = f" The {profile.course.code} credit is recorded in {credit.semester_id}."
            elif credit is not None:
                recorded = f" No credit was recorded: {credit.reason}."
            else:
                recorded = ""
            return Told(
                "Passed",
                f"You passed the closure report.{recorded} The student is told.",
                [
                    "In final exam week the course office sends you the list of your passing students to print, "
                    f"sign and return to Office {profile.signed_lists_office} before the semester ends.",
                ],
                "evaluated: pass",
            )
        if command.result is EvaluationResult.FAIL:
            return Told(
                "Not passed",
                "You failed the closure report. The student is told, with your feedback, and the project is closed.",
                [
                    "Nothing else is needed from you. If this was a mistake, contact the course office at "
                    f"{center_email}."
                ],
                "evaluated: fail",
            )
        return Told(
            "Returned for revision",
            "The report goes back to the student with your feedback.",
            ["When the student resubmits, you receive a new email with a link to evaluate the revised report."],
            "evaluated: revise",
        )
    assert isinstance(command, VerifyHours)
    if command.verified:
        return Told(
            "Hours verified",
            "The club hours now count toward the student's 36-hour minimum.",
            ["Nothing else is needed from you."],
            "hours verified",
        )
    return Told(
        "Hours not verified",
        "The club hours do not count toward the minimum; the student can see your note.",
        ["Nothing else is needed from you."],
        "hours not verified",
    )
