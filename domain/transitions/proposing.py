"""Step 1, the proposal (R1, R8, R9): submitted, reviewed by the center, revised when asked."""

from __future__ import annotations

from datetime import datetime

from domain.access import require_owner, require_visible
from domain.actors import Actor
from domain.commands import Review, ReviseProposal
from domain.errors import Code, RuleViolation
from domain.guards import require_role, require_stage
from domain.project import ProjectState
from domain.review import apply_decision
from domain.stages import Stage
from domain.vocabulary import ReviewDecision, Role

REVIEW_STAGES = {
    ReviewDecision.APPROVE: Stage.NEEDS_SUPERVISOR,
    ReviewDecision.REQUEST_CHANGES: Stage.CHANGES_REQUESTED,
    ReviewDecision.REJECT: Stage.REJECTED,
}
REVIEW_MAILS = {
    ReviewDecision.APPROVE: "proposal_approved",
    ReviewDecision.REQUEST_CHANGES: "proposal_changes_requested",
    ReviewDecision.REJECT: "proposal_rejected",
}


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
    require_visible(state, actor)
    require_role(actor, {Role.CENTER}, "review a proposal")
    require_stage(state.stage, {Stage.PROPOSAL_REVIEW}, "review the proposal")


def apply_review(state: ProjectState, actor: Actor, cmd: Review, now: datetime) -> None:
    """R8: approve, request changes or reject, with the reason."""
    check_review(state, actor, cmd)
    apply_decision(state, actor, cmd, now, stages=REVIEW_STAGES, action="proposal")
    state.notify(REVIEW_MAILS[cmd.decision], Role.STUDENT, state.student_id, comment=cmd.comment)


def check_revise(state: ProjectState, actor: Actor, cmd: ReviseProposal) -> None:
    require_owner(state, actor, "revise the proposal")
    require_stage(state.stage, {Stage.CHANGES_REQUESTED}, "revise the proposal")
    if cmd.proposal.group_id != state.proposal.group_id:
        raise RuleViolation(Code.VALIDATION_ERROR, "A revision cannot change the group a proposal belongs to.")
    cmd.proposal.check_fits(state.profile)  # the project's own profile, whatever new projects start under


def apply_revise(state: ProjectState, actor: Actor, cmd: ReviseProposal, now: datetime) -> None:
    check_revise(state, actor, cmd)
    state.proposal = cmd.proposal
    state.proposal_version += 1
    state.stage = Stage.PROPOSAL_REVIEW
    state.record(actor, now, "proposal_revised", f"version {state.proposal_version}")
