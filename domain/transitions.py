"""Every action on a project: a pure check (raises RuleViolation, changes nothing) and its effect.

The workflow's update validators call `check_*`; its handlers call `apply_*`, which checks again and then
changes the state, writes the audit trail (R24) and queues the notices people are owed.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from domain.calendar import taipei_date
from domain.commands import Evaluate, InvitationResponse, Invite, Review, ReviseProposal, VerifyHours, Withdraw
from domain.errors import Code, RuleViolation
from domain.people import check_can_supervise
from domain.project import (
    SYSTEM,
    Actor,
    Credit,
    EvaluationRecord,
    Invitation,
    ProjectState,
    ReviewRecord,
    Submission,
    Supervision,
)
from domain.stages import CLOSURE_STAGES, WORK_STAGES, Stage
from domain.vocabulary import Channel, EvaluationResult, HourSource, ReviewDecision, Role
from domain.work import (
    MAX_HOURS_PER_DAY,
    ClosureReport,
    Evidence,
    EvidenceInput,
    HoursEntry,
    HoursInput,
    Verification,
    caption_problem,
    hours_on,
)

REMINDER_REQUEST_INTERVAL = timedelta(days=3)  # R20


def _stage(state: ProjectState, allowed: Collection[Stage], action: str) -> None:
    if state.stage not in allowed:
        names = ", ".join(sorted(s.value for s in allowed))
        raise RuleViolation(
            Code.INVALID_STAGE, f"Cannot {action} while the project is {state.stage.value} (allowed in: {names})."
        )


def _role(actor: Actor, roles: Collection[Role], action: str) -> None:
    if actor.role not in roles:
        raise RuleViolation(Code.FORBIDDEN, f"A {actor.role.value} cannot {action}.")


def _owner(state: ProjectState, actor: Actor, action: str, *, center_too: bool = False) -> None:
    if actor.role is Role.STUDENT and actor.id == state.student_id:
        return
    if center_too and actor.role in (Role.CENTER, Role.OPERATOR):
        return
    raise RuleViolation(Code.FORBIDDEN, f"Only the project's student can {action}.")


def _supervisor(state: ProjectState, actor: Actor, action: str) -> None:
    if actor.role is Role.FACULTY and state.supervisor is not None and state.supervisor.faculty.id == actor.id:
        return
    raise RuleViolation(Code.FORBIDDEN, f"Only the project's supervisor can {action}.")


def _require_invited(state: ProjectState, actor: Actor) -> Invitation:
    _stage(state, {Stage.SUPERVISOR_INVITED}, "answer an invitation")
    invitation = state.invitation
    if invitation is None or actor.role is not Role.FACULTY or actor.id != invitation.faculty.id:
        raise RuleViolation(Code.FORBIDDEN, "Only the invited teacher can answer this invitation.")
    return invitation


# --- step 1: proposal -------------------------------------------------------------------------------


def apply_submitted(state: ProjectState, actor: Actor, now: datetime, *, group_approved: bool) -> None:
    """R1/R9: a proposal enters review; one linked to an approved group needs no second review."""
    if group_approved:
        state.stage = Stage.NEEDS_SUPERVISOR
        state.record(actor, now, "proposal_submitted", "linked to an approved group: approved without review (R9)")
        state.notify("proposal_approved", Role.STUDENT, state.student_id)
    else:
        state.stage = Stage.PROPOSAL_REVIEW
        state.record(actor, now, "proposal_submitted", state.proposal.title)


def check_review(state: ProjectState, actor: Actor, cmd: Review) -> None:
    _role(actor, {Role.CENTER}, "review a proposal")
    _stage(state, {Stage.PROPOSAL_REVIEW}, "review the proposal")


def apply_review(state: ProjectState, actor: Actor, cmd: Review, now: datetime) -> None:
    """R8: approve, request changes or reject, with the reason."""
    check_review(state, actor, cmd)
    state.reviews.append(
        ReviewRecord(
            decision=cmd.decision, comment=cmd.comment, by=actor.id, at=now, proposal_version=state.proposal_version
        )
    )
    state.stage = {
        ReviewDecision.APPROVE: Stage.NEEDS_SUPERVISOR,
        ReviewDecision.REQUEST_CHANGES: Stage.CHANGES_REQUESTED,
        ReviewDecision.REJECT: Stage.REJECTED,
    }[cmd.decision]
    state.record(actor, now, f"proposal_{cmd.decision.value}", cmd.comment)
    template = {
        ReviewDecision.APPROVE: "proposal_approved",
        ReviewDecision.REQUEST_CHANGES: "proposal_changes_requested",
        ReviewDecision.REJECT: "proposal_rejected",
    }[cmd.decision]
    state.notify(template, Role.STUDENT, state.student_id, comment=cmd.comment)


def check_revise(state: ProjectState, actor: Actor, cmd: ReviseProposal) -> None:
    _owner(state, actor, "revise the proposal")
    _stage(state, {Stage.CHANGES_REQUESTED}, "revise the proposal")
    if cmd.proposal.group_id != state.proposal.group_id:
        raise RuleViolation(Code.VALIDATION_ERROR, "A revision cannot change the group a proposal belongs to.")


def apply_revise(state: ProjectState, actor: Actor, cmd: ReviseProposal, now: datetime) -> None:
    check_revise(state, actor, cmd)
    state.proposal = cmd.proposal
    state.proposal_version += 1
    state.stage = Stage.PROPOSAL_REVIEW
    state.record(actor, now, "proposal_revised", f"version {state.proposal_version}")


# --- step 2: supervision ----------------------------------------------------------------------------


def leaving_warning(cmd: Invite) -> str | None:
    """R13: inviting a teacher who leaves NTUST after a semester warns the student."""
    if cmd.faculty.leaving_after is None:
        return None
    return (
        f"{cmd.faculty.name} leaves NTUST after semester {cmd.faculty.leaving_after}: the project must be "
        "evaluated before that semester ends, or it goes to the center for reassignment."
    )


def check_invite(state: ProjectState, actor: Actor, cmd: Invite) -> None:
    _owner(state, actor, "invite a supervisor")
    if state.stage is Stage.SUPERVISOR_INVITED:
        raise RuleViolation(
            Code.INVALID_STAGE, "An invitation is already pending; cancel it before inviting someone else (R12)."
        )
    _stage(state, {Stage.NEEDS_SUPERVISOR}, "invite a supervisor")
    check_can_supervise(cmd.faculty, str(cmd.faculty.email))


def apply_invite(state: ProjectState, actor: Actor, cmd: Invite, now: datetime) -> None:
    check_invite(state, actor, cmd)
    state.invitation_seq += 1
    state.invitation = Invitation(
        seq=state.invitation_seq, faculty=cmd.faculty, reflection_format=cmd.reflection_format, invited_at=now
    )
    state.stage = Stage.SUPERVISOR_INVITED
    warning = leaving_warning(cmd)
    state.record(actor, now, "supervisor_invited", f"{cmd.faculty.id}" + (f"; warning: {warning}" if warning else ""))
    state.notify("invitation", Role.FACULTY, cmd.faculty.id, invitation_seq=str(state.invitation_seq))


def check_cancel_invitation(state: ProjectState, actor: Actor) -> None:
    _owner(state, actor, "cancel the invitation")
    _stage(state, {Stage.SUPERVISOR_INVITED}, "cancel an invitation")


def apply_cancel_invitation(state: ProjectState, actor: Actor, now: datetime) -> None:
    check_cancel_invitation(state, actor)
    assert state.invitation is not None
    faculty_id = state.invitation.faculty.id
    state.invitation = None
    state.stage = Stage.NEEDS_SUPERVISOR
    state.record(actor, now, "invitation_cancelled", faculty_id)
    state.notify("invitation_cancelled", Role.FACULTY, faculty_id)


def check_respond(state: ProjectState, actor: Actor, cmd: InvitationResponse) -> None:
    _require_invited(state, actor)


def apply_respond(state: ProjectState, actor: Actor, cmd: InvitationResponse, now: datetime) -> None:
    """R11: accepting agrees on a reflection format (the teacher may pick another); declining frees the slot."""
    invitation = _require_invited(state, actor)
    state.invitation = None
    if cmd.accept:
        agreed = cmd.reflection_format or invitation.reflection_format
        state.supervisor = Supervision(faculty=invitation.faculty, reflection_format=agreed, confirmed_at=now)
        state.stage = Stage.IN_PROGRESS
        state.record(actor, now, "supervision_accepted", f"reflection format: {agreed.value}")
        state.notify("invitation_accepted", Role.STUDENT, state.student_id, reflection_format=agreed.value)
    else:
        state.stage = Stage.NEEDS_SUPERVISOR
        state.record(actor, now, "supervision_declined", cmd.reason)
        state.notify("invitation_declined", Role.STUDENT, state.student_id, reason=cmd.reason)


def apply_invitation_expired(state: ProjectState, actor: Actor, now: datetime) -> None:
    """R12: after 14 days unanswered the invitation lapses and the student is told to invite someone else."""
    assert state.invitation is not None
    faculty_id = state.invitation.faculty.id
    state.invitation = None
    state.stage = Stage.NEEDS_SUPERVISOR
    state.record(actor, now, "invitation_expired", faculty_id)
    state.notify("invitation_expired", Role.STUDENT, state.student_id)


# --- step 3: implementation and reflection ----------------------------------------------------------


def check_log_hours(state: ProjectState, actor: Actor, cmd: HoursInput, now: datetime) -> None:
    """R14: half hours, more than 0 and at most 12 a day, not in the future."""
    _owner(state, actor, "log hours")
    _stage(state, WORK_STAGES, "log hours")
    if cmd.date > taipei_date(now):  # R25: the course's calendar days are Taipei's
        raise RuleViolation(Code.VALIDATION_ERROR, "Hours cannot be logged for a future date.")
    if hours_on(state.hours, cmd.date) + cmd.hours > MAX_HOURS_PER_DAY:
        already = hours_on(state.hours, cmd.date)
        raise RuleViolation(
            Code.VALIDATION_ERROR,
            f"At most {MAX_HOURS_PER_DAY} hours a day: {already} already logged on {cmd.date.isoformat()}.",
        )
    if cmd.proof_evidence_id is not None and all(e.id != cmd.proof_evidence_id for e in state.evidence):
        raise RuleViolation(Code.VALIDATION_ERROR, f"No evidence {cmd.proof_evidence_id} on this project.")


def apply_log_hours(state: ProjectState, actor: Actor, cmd: HoursInput, now: datetime, entry_id: str) -> HoursEntry:
    check_log_hours(state, actor, cmd, now)
    entry = HoursEntry(id=entry_id, logged_at=now, **cmd.model_dump())
    state.hours.append(entry)
    state.record(actor, now, "hours_logged", f"{entry.id}: {entry.hours} h {entry.kind.value} on {entry.date}")
    if entry.source is HourSource.CAMPUS_CLUB:
        state.notify("club_hours_to_verify", Role.OSA, "osa", entry_id=entry.id)
    return entry


def check_verify_hours(state: ProjectState, actor: Actor, cmd: VerifyHours) -> None:
    _role(actor, {Role.OSA}, "verify club hours")
    if state.stage.is_final:
        raise RuleViolation(Code.INVALID_STAGE, f"The project is {state.stage.value}.")
    entry = next((e for e in state.hours if e.id == cmd.entry_id), None)
    if entry is None:
        raise RuleViolation(Code.NOT_FOUND, f"No hours entry {cmd.entry_id} on this project.")
    if entry.source is not HourSource.CAMPUS_CLUB:
        raise RuleViolation(Code.VALIDATION_ERROR, "Only hours done through an on-campus club need verification.")
    if entry.verification is not None and actor.channel is Channel.EMAIL:
        # An emailed link answers the first request only; OSA corrects an earlier decision in the portal.
        done = entry.verification
        raise RuleViolation(
            Code.CONFLICT,
            f"These hours were already {'verified' if done.verified else 'refused'} by {done.by} on "
            f"{done.at.date().isoformat()}; change that decision in the portal.",
        )


def apply_verify_hours(state: ProjectState, actor: Actor, cmd: VerifyHours, now: datetime) -> None:
    check_verify_hours(state, actor, cmd)
    entry = next(e for e in state.hours if e.id == cmd.entry_id)
    entry.verification = Verification(verified=cmd.verified, note=cmd.note, by=actor.id, at=now)
    state.record(actor, now, "club_hours_verified" if cmd.verified else "club_hours_refused", f"{entry.id} {cmd.note}")


def check_add_evidence(state: ProjectState, actor: Actor, cmd: EvidenceInput) -> None:
    _owner(state, actor, "add evidence")
    _stage(state, WORK_STAGES, "add evidence")
    problem = caption_problem(cmd)
    if problem:
        raise RuleViolation(Code.VALIDATION_ERROR, problem)


def apply_add_evidence(
    state: ProjectState, actor: Actor, cmd: EvidenceInput, now: datetime, evidence_id: str
) -> Evidence:
    check_add_evidence(state, actor, cmd)
    evidence = Evidence(id=evidence_id, added_at=now, **cmd.model_dump())
    state.evidence.append(evidence)
    state.record(actor, now, "evidence_added", f"{evidence.id}: {evidence.kind.value}")
    return evidence


# --- steps 4-5: closure and evaluation ---------------------------------------------------------------


def check_submit_closure(state: ProjectState, actor: Actor, cmd: ClosureReport) -> None:
    """R18: refused until every item is there; every missing item is named."""
    _owner(state, actor, "submit the closure report")
    if state.stage in (Stage.NEEDS_SUPERVISOR, Stage.SUPERVISOR_INVITED):
        pass  # fall through to the checklist, which names the missing supervisor among the rest
    else:
        _stage(state, CLOSURE_STAGES, "submit a closure report")
    missing = state.missing_for_closure()
    if missing:
        detail = "The closure report cannot be submitted yet: " + " ".join(p.detail for p in missing)
        raise RuleViolation(missing[0].code, detail, problems=missing)
    absent = state.proposal.chosen_indicators - set(cmd.indicators)
    if absent:
        names = ", ".join(sorted(i.value for i in absent))
        raise RuleViolation(Code.VALIDATION_ERROR, f"Add a note for each indicator the proposal chose: {names}.")


def apply_submit_closure(state: ProjectState, actor: Actor, cmd: ClosureReport, now: datetime) -> None:
    check_submit_closure(state, actor, cmd)
    assert state.supervisor is not None
    state.submission_seq += 1
    state.submission = Submission(seq=state.submission_seq, report=cmd, submitted_at=now)
    state.stage = Stage.EVALUATION_PENDING
    state.record(actor, now, "closure_submitted", f"submission {state.submission_seq}")
    state.notify(
        "evaluation_requested", Role.FACULTY, state.supervisor.faculty.id, submission_seq=str(state.submission_seq)
    )


def check_evaluate(state: ProjectState, actor: Actor, cmd: Evaluate) -> None:
    _supervisor(state, actor, "evaluate the closure report")
    _stage(state, {Stage.EVALUATION_PENDING}, "evaluate")


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
    detail = (
        f"TC1010 credit recorded in {credit.semester_id}" if credit.granted else f"no credit recorded: {credit.reason}"
    )
    state.record(SYSTEM, credit.at, "credit_recorded" if credit.granted else "credit_not_granted", detail)
    state.notify("evaluation_pass", Role.STUDENT, state.student_id, credit=detail)


def check_request_reminder(state: ProjectState, actor: Actor, now: datetime) -> None:
    """R20: the student may ask for a reminder to the supervisor at most once every 3 days."""
    _owner(state, actor, "ask for a reminder")
    _stage(state, {Stage.EVALUATION_PENDING}, "ask for a reminder")
    last = state.last_reminder_request_at
    if last is not None and now < last + REMINDER_REQUEST_INTERVAL:
        allowed = last + REMINDER_REQUEST_INTERVAL
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
    state.notify("evaluation_reminder", Role.FACULTY, state.supervisor.faculty.id, requested_by="student")


def check_withdraw(state: ProjectState, actor: Actor, cmd: Withdraw) -> None:
    """R24: a student may withdraw before credit."""
    _owner(state, actor, "withdraw the project", center_too=True)
    if state.stage.is_final:
        raise RuleViolation(Code.INVALID_STAGE, f"The project is already {state.stage.value}.")


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
