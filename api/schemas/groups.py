"""A group proposal as the portal reads it (R9), and what a group action answers."""

from __future__ import annotations

from datetime import datetime
from typing import Self

from pydantic import BaseModel, Field

from api.schemas.projects import Envelope
from domain.groups import GroupAuditEntry, GroupProposal, GroupStage, GroupView
from domain.review import ReviewRecord
from domain.stages import Stage
from domain.vocabulary import Priority


class GroupMemberPublic(BaseModel):
    student_id: str
    project_id: str | None
    linked_at: datetime | None


class GroupPublic(BaseModel):
    """The group proposal, its reviews and audit trail, and every member with the project they linked."""

    id: str
    applicant_id: str
    stage: GroupStage
    created_at: datetime
    stage_since: datetime
    proposal: GroupProposal
    priority: Priority
    proposal_version: int
    reviews: list[ReviewRecord]
    members: list[GroupMemberPublic]
    audit: list[GroupAuditEntry]
    revision: int

    @classmethod
    def of(cls, view: GroupView) -> Self:
        return cls.model_validate(view.model_dump())


class LinkedProject(BaseModel):
    """A member's linked project as the read model has it; `stage` is null for moments after it started."""

    student_id: str
    project_id: str
    stage: Stage | None
    stage_since: datetime | None


class GroupDetail(GroupPublic):
    """The group, and each linked project's current stage."""

    projects: list[LinkedProject] = Field(description="One entry per member who linked a project (R9).")


class GroupMemberLink(BaseModel):
    student_id: str
    project_id: str | None


class GroupItem(BaseModel):
    """One group proposal as the group list shows it (R9): its stage, title, and each member with the
    project they linked, if any."""

    id: str
    applicant_id: str
    stage: GroupStage
    title: str
    category: str
    priority: str
    created_at: datetime
    stage_since: datetime
    revision: int
    members: list[GroupMemberLink]


class GroupPage(BaseModel):
    """One page of group proposals, newest first; `total` counts every match."""

    items: list[GroupItem]
    total: int
    limit: int
    offset: int


class GroupActionResult(Envelope):
    """What every action on a group answers: the envelope of a project's action, with the group as it now
    stands in `group`."""

    group: GroupPublic
