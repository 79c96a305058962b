"""R9 group projects as pure rules: a group proposal under center review, then each member's linked proposal.

One applicant submits a group proposal naming the members (student ids, the applicant among them). The
center reviews it as it reviews a proposal (R8). Once approved, every member is told to submit an
individual proposal linked to the group; each member may link exactly one project, which starts approved
without a second review (`domain.transitions.apply_submitted(group_approved=True)`). Credit, hours and
evidence stay individual: the group only records which project each member linked.

Like `domain.transitions`, every action has a pure `check_*` (raises RuleViolation, changes nothing) and an
`apply_*` that checks again, changes the state, writes the audit trail and queues the mails owed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, Field, StringConstraints, model_validator

from domain.audit import AuditRecord, write_audit
from domain.commands import Review, Withdraw
from domain.errors import Code, RuleViolation
from domain.project import Actor, Notice, ReviewRecord
from domain.proposal import Proposal, ProposalContent
from domain.vocabulary import ReviewDecision, Role

MIN_MEMBERS = 2  # R9: a group is more than one student
# The course office's bound on one group; larger teams split into groups the center can judge one by one.
MAX_MEMBERS = 10

StudentId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class GroupStage(StrEnum):
    """A group proposal's stages; the names are those of SPEC §3 where they mean the same thing."""

    PROPOSAL_REVIEW = "PROPOSAL_REVIEW"
    CHANGES_REQUESTED = "CHANGES_REQUESTED"
    APPROVED = "APPROVED"  # members may now link their individual proposals
    REJECTED = "REJECTED"
    WITHDRAWN = "WITHDRAWN"

    @property
    def is_final(self) -> bool:
        return self in (GroupStage.REJECTED, GroupStage.WITHDRAWN)


class GroupProposal(ProposalContent):
    """R9: a proposal (R4-R7, judged like any other) naming the group's members, the applicant among them."""

    members: list[StudentId] = Field(min_length=MIN_MEMBERS, max_length=MAX_MEMBERS)

    @model_validator(mode="after")
    def _distinct_members(self) -> Self:
        repeated = sorted(m for m, n in Counter(self.members).items() if n > 1)
        if repeated:
            raise ValueError(f"each member is named once; repeated: {', '.join(repeated)}")
        return self


class ReviseGroup(BaseModel):
    """R8/R9: the applicant's revision after `request_changes`; it may change the members too."""

    proposal: GroupProposal


class LinkMember(BaseModel):
    """R9: a member's individual proposal, to start as project `project_id` linked to this group."""

    project_id: str = Field(min_length=1, max_length=64)
    proposal: Proposal


class GroupMember(BaseModel):
    """A member and the one project they linked (R9). The linked proposal is kept so the project can be
    started again from it if the start was lost after the link was recorded (clients.group)."""

    student_id: str
    project_id: str | None = None
    linked_at: datetime | None = None
    proposal: Proposal | None = None


class GroupAuditEntry(AuditRecord[GroupStage]):
    """R24 for a group: who, when, what, via which channel, and the group's stage after it."""


class GroupSummary(BaseModel):
    """What a group mail needs to know about its group."""

    id: str
    title: str
    category: str
    stage: GroupStage
    applicant_id: str
    member_ids: list[str]


class GroupState(BaseModel):
    id: str
    applicant_id: str
    created_at: datetime
    stage: GroupStage = GroupStage.PROPOSAL_REVIEW
    proposal: GroupProposal
    proposal_version: int = 1
    reviews: list[ReviewRecord] = Field(default_factory=list)
    members: list[GroupMember] = Field(default_factory=list)
    notices: list[Notice] = Field(default_factory=list)
    audit: list[GroupAuditEntry] = Field(default_factory=list)
    revision: int = 0
    stage_since: datetime | None = None

    def member(self, student_id: str) -> GroupMember | None:
        return next((m for m in self.members if m.student_id == student_id), None)

    @property
    def all_linked(self) -> bool:
        return bool(self.members) and all(m.project_id is not None for m in self.members)

    @property
    def done(self) -> bool:
        """Nothing more can happen: a final stage, or approved with every member's project linked."""
        return self.stage.is_final or (self.stage is GroupStage.APPROVED and self.all_linked)

    def record(self, actor: Actor, at: datetime, action: str, detail: str = "") -> None:
        """Append to the audit trail and mark the state changed (R24)."""
        write_audit(self, GroupAuditEntry, actor, at, action, detail)

    def tell(self, template: str, to_role: Role, to_id: str, **context: str) -> None:
        """Owe someone a group mail (`activities/templates/group/<name>.j2`), sent once per key."""
        key = f"group:{self.id}:{template}:{self.revision}:{to_role.value}:{to_id}"
        self.notices.append(Notice(key=key, template=template, to_role=to_role, to_id=to_id, context=context))


class GroupMemberView(BaseModel):
    student_id: str
    project_id: str | None
    linked_at: datetime | None


class GroupView(BaseModel):
    """What the portal shows for one group (SPEC §4 GET /v1/groups/{id}): the proposal, its reviews, and
    each member with the project they linked (its stage lives in that project)."""

    id: str
    applicant_id: str
    stage: GroupStage
    created_at: datetime
    stage_since: datetime
    proposal: GroupProposal
    priority: str
    proposal_version: int
    reviews: list[ReviewRecord]
    members: list[GroupMemberView]
    audit: list[GroupAuditEntry]
    revision: int

    def member(self, student_id: str) -> GroupMemberView | None:
        return next((m for m in self.members if m.student_id == student_id), None)


def build_group_view(state: GroupState) -> GroupView:
    return GroupView(
        id=state.id,
        applicant_id=state.applicant_id,
        stage=state.stage,
        created_at=state.created_at,
        stage_since=state.stage_since or state.created_at,
        proposal=state.proposal,
        priority=state.proposal.priority.value,
        proposal_version=state.proposal_version,
        reviews=state.reviews,
        members=[
            GroupMemberView(student_id=m.student_id, project_id=m.project_id, linked_at=m.linked_at)
            for m in state.members
        ],
        audit=state.audit,
        revision=state.revision,
    )


def summarize_group(state: GroupState) -> GroupSummary:
    return GroupSummary(
        id=state.id,
        title=state.proposal.title,
        category=state.proposal.category.value,
        stage=state.stage,
        applicant_id=state.applicant_id,
        member_ids=[m.student_id for m in state.members],
    )


def linked_proposal(group_id: str, proposal: ProposalContent) -> Proposal:
    """R9: an individual proposal linked to the group, prefilled from the group's approved proposal."""
    return Proposal.model_validate({**proposal.model_dump(exclude={"members"}), "group_id": group_id})


# --- helpers -----------------------------------------------------------------------------------------


def _stage(state: GroupState, allowed: Collection[GroupStage], action: str) -> None:
    if state.stage not in allowed:
        names = ", ".join(sorted(s.value for s in allowed))
        raise RuleViolation(
            Code.INVALID_STAGE, f"Cannot {action} while the group is {state.stage.value} (allowed in: {names})."
        )


def _applicant(state: GroupState, actor: Actor, action: str, *, center_too: bool = False) -> None:
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
    state.tell("group/submitted", Role.CENTER, "center")
    return state


# --- review (R8 for groups) -------------------------------------------------------------------------


def check_review(state: GroupState, actor: Actor, cmd: Review) -> None:
    if actor.role is not Role.CENTER:
        raise RuleViolation(Code.FORBIDDEN, f"A {actor.role.value} cannot review a group proposal.")
    _stage(state, {GroupStage.PROPOSAL_REVIEW}, "review the group proposal")


def apply_review(state: GroupState, actor: Actor, cmd: Review, now: datetime) -> None:
    """R8/R9: approve (every member is told to submit a linked proposal), request changes, or reject."""
    check_review(state, actor, cmd)
    state.reviews.append(
        ReviewRecord(
            decision=cmd.decision, comment=cmd.comment, by=actor.id, at=now, proposal_version=state.proposal_version
        )
    )
    state.stage = {
        ReviewDecision.APPROVE: GroupStage.APPROVED,
        ReviewDecision.REQUEST_CHANGES: GroupStage.CHANGES_REQUESTED,
        ReviewDecision.REJECT: GroupStage.REJECTED,
    }[cmd.decision]
    state.record(actor, now, f"group_{cmd.decision.value}", cmd.comment)
    if cmd.decision is ReviewDecision.APPROVE:
        for member in state.members:
            state.tell("group/approved", Role.STUDENT, member.student_id, comment=cmd.comment)
    elif cmd.decision is ReviewDecision.REQUEST_CHANGES:
        state.tell("group/changes_requested", Role.STUDENT, state.applicant_id, comment=cmd.comment)
    else:
        state.tell("group/rejected", Role.STUDENT, state.applicant_id, comment=cmd.comment)


def check_revise(state: GroupState, actor: Actor, cmd: ReviseGroup) -> None:
    _applicant(state, actor, "revise the group proposal")
    _stage(state, {GroupStage.CHANGES_REQUESTED}, "revise the group proposal")
    _applicant_is_member(actor, cmd.proposal)


def apply_revise(state: GroupState, actor: Actor, cmd: ReviseGroup, now: datetime) -> None:
    """R8: the revision goes back to review; its member list replaces the old one (nobody has linked yet)."""
    check_revise(state, actor, cmd)
    state.proposal = cmd.proposal
    state.proposal_version += 1
    state.members = [GroupMember(student_id=m) for m in cmd.proposal.members]
    state.stage = GroupStage.PROPOSAL_REVIEW
    state.record(actor, now, "group_revised", f"version {state.proposal_version}")
    state.tell("group/submitted", Role.CENTER, "center", resubmitted="yes")


def check_withdraw(state: GroupState, actor: Actor, cmd: Withdraw) -> None:
    """R24: the applicant (or the center) may withdraw a group proposal until it is approved; after that the
    members' projects are their own, and each member withdraws their own (or never links one)."""
    _applicant(state, actor, "withdraw the group proposal", center_too=True)
    _stage(state, {GroupStage.PROPOSAL_REVIEW, GroupStage.CHANGES_REQUESTED}, "withdraw the group proposal")


def apply_withdraw(state: GroupState, actor: Actor, cmd: Withdraw, now: datetime) -> None:
    check_withdraw(state, actor, cmd)
    state.stage = GroupStage.WITHDRAWN
    state.record(actor, now, "group_withdrawn", cmd.reason)


# --- members' linked proposals ----------------------------------------------------------------------


def check_member_may_link(state: GroupState, student_id: str) -> None:
    """R9: only a member of an approved group may link an individual proposal, and only once."""
    _stage(state, {GroupStage.APPROVED}, "link an individual proposal to the group")
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


def apply_member_linked(state: GroupState, actor: Actor, cmd: LinkMember, now: datetime) -> bool:
    """R9: record the member's project; False (and nothing changed) when it is the same link again."""
    check_link_member(state, actor, cmd)
    if is_replay(state, actor.id, cmd):
        return False
    member = state.member(actor.id)
    assert member is not None
    member.project_id = cmd.project_id
    member.linked_at = now
    member.proposal = cmd.proposal
    state.record(actor, now, "member_linked", f"{actor.id}: project {cmd.project_id}")
    return True
