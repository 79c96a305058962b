"""R9 group projects as rules: every action on a group proposal has a pure `check_*` (raises RuleViolation,
changes nothing) and an `apply_*` that checks again, changes the state, writes the audit trail and owes the
mails. The group's models and view are in `domain.groups`; the review is the course's one review rule
(`domain.review`, R8).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from domain.actors import Actor
from domain.commands import Review, Withdraw
from domain.errors import Code, RuleViolation
from domain.groups import GroupMember, GroupProposal, GroupStage, GroupState, LinkMember, ReviseGroup
from domain.guards import require_role, require_stage
from domain.review import apply_decision
from domain.vocabulary import ReviewDecision, Role

REVIEW_STAGES = {
    ReviewDecision.APPROVE: GroupStage.APPROVED,
    ReviewDecision.REQUEST_CHANGES: GroupStage.CHANGES_REQUESTED,
    ReviewDecision.REJECT: GroupStage.REJECTED,
}


def _visible(state: GroupState, actor: Actor) -> None:
    if not state.may_see(actor):
        raise RuleViolation(Code.NOT_FOUND, "No such group.")


def _applicant(state: GroupState, actor: Actor, action: str, *, center_too: bool = False) -> None:
    _visible(state, actor)
    if actor.role is Role.STUDENT and actor.id == state.applicant_id:
        return
    if center_too and actor.role in (Role.CENTER, Role.OPERATOR):
        return
    raise RuleViolation(Code.FORBIDDEN, f"Only the group's applicant can {action}.")


def _applicant_is_member(actor: Actor, proposal: GroupProposal) -> None:
    if actor.id not in proposal.members:
        raise RuleViolation(
            Code.VALIDATION_ERROR, "The applicant is a member of the group: list your own student id among them."
        )


# --- submission --------------------------------------------------------------------------------------


def check_submit(actor: Actor, proposal: GroupProposal) -> None:
    """R9: a student submits a group proposal naming the members, themselves included."""
    if actor.role is not Role.STUDENT:
        raise RuleViolation(Code.FORBIDDEN, f"A {actor.role.value} cannot submit a group proposal.")
    _applicant_is_member(actor, proposal)


def check_members_known(proposal: GroupProposal, known: Collection[str]) -> None:
    """R9: every member named must be a student the directory knows, or they could never be told or link."""
    unknown = [m for m in proposal.members if m not in known]
    if unknown:
        raise RuleViolation(
            Code.VALIDATION_ERROR, f"These student ids are not in the student directory: {', '.join(unknown)}."
        )


def new_group(group_id: str, actor: Actor, proposal: GroupProposal, now: datetime) -> GroupState:
    """R8/R9: a submitted group proposal, waiting for the center's review; the center is told at once."""
    check_submit(actor, proposal)
    state = GroupState(
        id=group_id,
        applicant_id=actor.id,
        created_at=now,
        proposal=proposal,
        members=[GroupMember(student_id=m) for m in proposal.members],
    )
    state.record(actor, now, "group_submitted", f"{proposal.title} ({len(proposal.members)} members)")
    # Groups are few and hold several students up at once, so the center hears of each one (no digest wait).
    state.notify("group/submitted", Role.CENTER, "center")
    return state


# --- review (R8 for groups) -------------------------------------------------------------------------


def check_review(state: GroupState, actor: Actor, cmd: Review) -> None:
    _visible(state, actor)
    require_role(actor, {Role.CENTER}, "review a group proposal")
    require_stage(state.stage, {GroupStage.PROPOSAL_REVIEW}, "review the group proposal", noun="group")


def apply_review(state: GroupState, actor: Actor, cmd: Review, now: datetime) -> None:
    """R8/R9: approve (every member is told to submit a linked proposal), request changes, or reject."""
    check_review(state, actor, cmd)
    apply_decision(state, actor, cmd, now, stages=REVIEW_STAGES, action="group")
    if cmd.decision is ReviewDecision.APPROVE:
        for member in state.members:
            state.notify("group/approved", Role.STUDENT, member.student_id, comment=cmd.comment)
    elif cmd.decision is ReviewDecision.REQUEST_CHANGES:
        state.notify("group/changes_requested", Role.STUDENT, state.applicant_id, comment=cmd.comment)
    else:
        state.notify("group/rejected", Role.STUDENT, state.applicant_id, comment=cmd.comment)


def check_revise(state: GroupState, actor: Actor, cmd: ReviseGroup) -> None:
    _applicant(state, actor, "revise the group proposal")
    require_stage(state.stage, {GroupStage.CHANGES_REQUESTED}, "revise the group proposal", noun="group")
    _applicant_is_member(actor, cmd.proposal)


def apply_revise(state: GroupState, actor: Actor, cmd: ReviseGroup, now: datetime) -> None:
    """R8: the revision goes back to review; its member list replaces the old one (nobody has linked yet)."""
    check_revise(state, actor, cmd)
    state.proposal = cmd.proposal
    state.proposal_version += 1
    state.members = [GroupMember(student_id=m) for m in cmd.proposal.members]
    state.stage = GroupStage.PROPOSAL_REVIEW
    state.record(actor, now, "group_revised", f"version {state.proposal_version}")
    state.notify("group/submitted", Role.CENTER, "center", resubmitted="yes")


def check_withdraw(state: GroupState, actor: Actor, cmd: Withdraw) -> None:
    """R24: the applicant (or the center) may withdraw a group proposal until it is approved; after that the
    members' projects are their own, and each member withdraws their own (or never links one)."""
    _applicant(state, actor, "withdraw the group proposal", center_too=True)
    require_stage(
        state.stage,
        {GroupStage.PROPOSAL_REVIEW, GroupStage.CHANGES_REQUESTED},
        "withdraw the group proposal",
        noun="group",
    )


def apply_withdraw(state: GroupState, actor: Actor, cmd: Withdraw, now: datetime) -> None:
    check_withdraw(state, actor, cmd)
    state.stage = GroupStage.WITHDRAWN
    state.record(actor, now, "group_withdrawn", cmd.reason)


# --- members' linked proposals ----------------------------------------------------------------------


def check_member_may_link(state: GroupState, student_id: str) -> None:
    """R9: only a member of an approved group may link an individual proposal, and only once."""
    require_stage(state.stage, {GroupStage.APPROVED}, "link an individual proposal to the group", noun="group")
    member = state.member(student_id)
    if member is None:
        raise RuleViolation(Code.FORBIDDEN, f"Student {student_id} is not a member of this group.")
    if member.project_id is not None:
        raise RuleViolation(
            Code.CONFLICT,
            f"Student {student_id} already linked project {member.project_id} to this group; "
            "each member links one individual proposal.",
        )


def is_replay(state: GroupState, student_id: str, cmd: LinkMember) -> bool:
    """The same link again (a retried request): it is answered, not refused, and changes nothing."""
    member = state.member(student_id)
    return member is not None and member.project_id == cmd.project_id


def check_link_member(state: GroupState, actor: Actor, cmd: LinkMember) -> None:
    """R9: the member themself links a proposal of this group's kind of activity (R5), marked as linked."""
    if actor.role is not Role.STUDENT:
        raise RuleViolation(Code.FORBIDDEN, "Only a member can link their own individual proposal.")
    if is_replay(state, actor.id, cmd):
        return
    check_member_may_link(state, actor.id)
    if cmd.proposal.group_id != state.id:
        raise RuleViolation(Code.VALIDATION_ERROR, f"A linked proposal names its group: set group_id to {state.id}.")
    if cmd.proposal.category is not state.proposal.category:
        raise RuleViolation(
            Code.VALIDATION_ERROR,
            f"The group was approved as a {state.proposal.category.value} activity; a member's linked proposal "
            "keeps that category.",
        )


def apply_member_linked(
    state: GroupState, actor: Actor, cmd: LinkMember, now: datetime, *, to_review: bool = False
) -> bool:
    """R9: record the member's project; False (and nothing changed) when it is the same link again.
    `to_review`: the linked proposal changed the group's plan, so the project goes to the center's review."""
    check_link_member(state, actor, cmd)
    if is_replay(state, actor.id, cmd):
        return False
    member = state.member(actor.id)
    assert member is not None
    member.project_id = cmd.project_id
    member.linked_at = now
    member.proposal = cmd.proposal
    review = "; its plan differs from the group's, so it goes to review (R9)" if to_review else ""
    state.record(actor, now, "member_linked", f"{actor.id}: project {cmd.project_id}{review}")
    return True
