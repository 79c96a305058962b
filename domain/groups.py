"""R9 group projects: a group proposal under center review, then each member's linked proposal.

One applicant submits a group proposal naming the members (student ids, the applicant among them). The
center reviews it as it reviews a proposal (R8). Once approved, every member is told to submit an
individual proposal linked to the group; each member may link exactly one project, which starts approved
without a second review (`domain.transitions.apply_submitted(group_approved=True)`). Credit, hours and
evidence stay individual: the group only records which project each member linked.

This module holds the group's models, state and view; its actions are `domain.group_transitions`.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, Field, StringConstraints, model_validator

from domain.actors import Actor
from domain.audit import AuditRecord, write_audit
from domain.notices import Notice, owe
from domain.people import StudentStanding
from domain.profile import NTUST_V1, CourseProfile
from domain.proposal import Proposal, ProposalContent
from domain.review import ReviewRecord
from domain.vocabulary import Role

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
    """R9: a member's individual proposal, to start as project `project_id` linked to this group, in the
    semester of the submission and with the student's standing (R2, R3) as the portal found them."""

    project_id: str = Field(min_length=1, max_length=64)
    proposal: Proposal
    semester_id: str = ""
    standing: StudentStanding | None = None
    fingerprint: str | None = None
    # The course profile the member's project starts under (SPEC §7): the deployment's at submission.
    profile: CourseProfile = NTUST_V1


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

    @property
    def notice_prefix(self) -> str:
        return f"group:{self.id}"

    def notify(self, template: str, to_role: Role, to_id: str, **context: str) -> None:
        """Owe someone a group mail (`group/<name>` templates, `domain.notices`), sent once per key."""
        owe(self, template, to_role, to_id, **context)

    def may_see(self, actor: Actor) -> bool:
        """The applicant, the members and the center; nobody else learns the group exists."""
        if actor.role in (Role.CENTER, Role.OPERATOR, Role.SYSTEM):
            return True
        return actor.role is Role.STUDENT and (actor.id == self.applicant_id or self.member(actor.id) is not None)


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


def keeps_group_plan(group: ProposalContent, linked: ProposalContent) -> bool:
    """R9: a member's linked proposal skips review only when it keeps the group's title, category and plan
    (surrounding whitespace aside); a different plan is the member's own and goes to the center's review."""
    return (
        linked.title.strip() == group.title.strip()
        and linked.category is group.category
        and linked.plan.strip() == group.plan.strip()
    )


def linked_proposal(group_id: str, proposal: ProposalContent) -> Proposal:
    """R9: an individual proposal linked to the group, prefilled from the group's approved proposal."""
    return Proposal.model_validate({**proposal.model_dump(exclude={"members"}), "group_id": group_id})
