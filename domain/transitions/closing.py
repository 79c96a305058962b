"""Steps 4-5: the closure report (R18), its evaluation (R19), reminders (R20), credit (R2, R21), withdrawal (R24)."""

from __future__ import annotations

from datetime import datetime

from domain.access import require_owner, require_supervisor
from domain.actors import SYSTEM, Actor
from domain.commands import Evaluate, Withdraw
from domain.deadlines import evaluation_moments, reminder_request_interval
from domain.errors import Code, RuleViolation
from domain.guards import require_open, require_stage
from domain.project import Credit, EvaluationRecord, ProjectState, Submission
from domain.stages import CLOSURE_STAGES, Stage
from domain.vocabulary import EvaluationResult, Role
from domain.work import ClosureReport


def check_submit_closure(state: ProjectState, actor: Actor, cmd: ClosureReport) -> None:
    """R18: refused until every item is there; every missing item is named."""
    require_owner(state, actor, "submit the closure report")
    if state.stage in (Stage.NEEDS_SUPERVISOR, Stage.SUPERVISOR_INVITED):
        pass  # fall through to the checklist, which names the missing supervisor among the rest
    else:
        require_stage(state.stage, CLOSURE_STAGES, "submit a closure report")
    missing = state.missing_for_closure()
    if missing:
        detail = "The closure report cannot be submitted yet: " + " ".join(p.detail for p in missing)
        raise RuleViolation(missing[0].code, detail, problems=missing)
    absent = state.proposal.chosen_indicators - set(cmd.indicators)
    if absent:
        names = ", ".join(sorted(absent))
        kind = "indicator" if state.profile.frame.kind == "indicators" else "competency"
        raise RuleViolation(Code.VALIDATION_ERROR, f"Add a note for each {kind} the proposal chose: {names}.")


def apply_submit_closure(state: ProjectState, actor: Actor, cmd: ClosureReport, now: datetime) -> None:
    check_submit_closure(state, actor, cmd)
    assert state.supervisor is not None
    state.submission_seq += 1
    state.submission = Submission(seq=state.submission_seq, report=cmd, submitted_at=now)
    state.stage = Stage.EVALUATION_PENDING
    state.record(actor, now, "closure_submitted", f"submission {state.submission_seq}")
    state.notify(
        "evaluation_requested",
        Role.FACULTY,
        state.supervisor.faculty.id,
        submission_seq=str(state.submission_seq),
        **evaluation_moments(now, now, schedule=state.profile.schedule),
    )


def check_evaluate(state: ProjectState, actor: Actor, cmd: Evaluate) -> None:
    require_supervisor(state, actor, "evaluate the closure report")
    require_stage(state.stage, {Stage.EVALUATION_PENDING}, "evaluate")


def apply_evaluation(state: ProjectState, actor: Actor, cmd: Evaluate, now: datetime) -> None:
    """R19: pass, fail or return for revision. Credit on pass is recorded separately (apply_credit)."""
    check_evaluate(state, actor, cmd)
    assert state.submission is not None
    state.evaluations.append(
        EvaluationRecord(
            submission_seq=state.submission.seq, result=cmd.result, feedback=cmd.feedback, by=actor.id, at=now
        )
    )
    state.stage = {
        EvaluationResult.PASS: Stage.PASSED,
        EvaluationResult.FAIL: Stage.FAILED,
        EvaluationResult.REVISE: Stage.REVISION_REQUESTED,
    }[cmd.result]
    state.record(actor, now, f"evaluation_{cmd.result.value}", cmd.feedback)
    if cmd.result is not EvaluationResult.PASS:
        state.notify(f"evaluation_{cmd.result.value}", Role.STUDENT, state.student_id, feedback=cmd.feedback)


def apply_credit(state: ProjectState, credit: Credit) -> None:
    """R2/R21: the ledger's answer, told to the student."""
    state.credit = credit
    code = state.profile.course.code
    detail = (
        f"{code} credit recorded in {credit.semester_id}" if credit.granted else f"no credit recorded: {credit.reason}"
    )
    state.record(SYSTEM, credit.at, "credit_recorded" if credit.granted else "credit_not_granted", detail)
    state.notify("evaluation_pass", Role.STUDENT, state.student_id, credit=detail)


def check_request_reminder(state: ProjectState, actor: Actor, now: datetime) -> None:
    """R20: the student may ask for a reminder to the supervisor at most once every 3 days (the profile's)."""
    require_owner(state, actor, "ask for a reminder")
    require_stage(state.stage, {Stage.EVALUATION_PENDING}, "ask for a reminder")
    last = state.last_reminder_request_at
    interval = reminder_request_interval(state.profile.schedule)
    if last is not None and now < last + interval:
        allowed = last + interval
        raise RuleViolation(
            Code.RATE_LIMITED,
            f"A reminder was requested on {last.isoformat()}; "
            f"the next one may be requested from {allowed.isoformat()}.",
            retry_after=allowed,
        )


def apply_request_reminder(state: ProjectState, actor: Actor, now: datetime) -> None:
    check_request_reminder(state, actor, now)
    assert state.supervisor is not None
    state.last_reminder_request_at = now
    state.record(actor, now, "reminder_requested")
    since = state.evaluation_started_at or now
    state.notify(
        "evaluation_reminder",
        Role.FACULTY,
        state.supervisor.faculty.id,
        requested_by="student",
        **evaluation_moments(since, now, schedule=state.profile.schedule),
    )


def check_withdraw(state: ProjectState, actor: Actor, cmd: Withdraw) -> None:
    """R24: a student may withdraw before credit."""
    require_owner(state, actor, "withdraw the project", center_too=True)
    require_open(state.stage, state.stage.is_final)


def apply_withdraw(state: ProjectState, actor: Actor, cmd: Withdraw, now: datetime) -> None:
    check_withdraw(state, actor, cmd)
    pending = state.invitation
    state.invitation = None
    state.stage = Stage.WITHDRAWN
    state.record(actor, now, "withdrawn", cmd.reason)
    if pending is not None:
        state.notify("invitation_cancelled", Role.FACULTY, pending.faculty.id)
    elif state.supervisor is not None:
        state.notify("project_withdrawn", Role.FACULTY, state.supervisor.faculty.id)
