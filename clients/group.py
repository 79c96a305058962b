"""The client side of GroupWorkflow (R9), shared by the API, the CLI and tests.

Through `clients.gateway.WorkflowGateway`, as `ProjectClient` does, it starts groups idempotently, runs
updates with the caller's idempotency key as the update id, and turns failures back into `RuleViolation` (a
refusal) or `Unavailable`. It also checks the members against the student directory before a group starts or is
revised, and links a member's individual proposal to the group and starts its project in a crash-safe
order (`link_member_and_start_project`).
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Collection
from typing import Any

from pydantic import BaseModel
from sqlalchemy.engine import Engine
from temporalio.client import Client, WorkflowHandle
from temporalio.common import SearchAttributePair

from clients.gateway import WorkflowGateway
from clients.project import ProjectClient, new_project_id
from config.settings import Settings
from domain.errors import Code, RuleViolation
from domain.groups import (
    GroupMember,
    GroupProposal,
    GroupStage,
    GroupView,
    LinkMember,
    ReviseGroup,
    check_members_known,
    check_submit,
    linked_proposal,
)
from domain.project import Actor
from domain.proposal import Proposal
from store import directory
from store.db import session
from workflows.attributes import GROUP as GROUP_ID
from workflows.attributes import STAGE
from workflows.group import GroupStart, GroupWorkflow, workflow_id
from workflows.messages import Act


def new_group_id(applicant_id: str, idempotency_key: str | None) -> str:
    """A retried submission with the same key maps to the same group; the id reveals nothing about anyone."""
    if idempotency_key is None:
        return uuid.uuid4().hex[:16]
    return hashlib.sha256(f"group:{applicant_id}:{idempotency_key}".encode()).hexdigest()[:16]


class GroupClient:
    def __init__(self, client: Client, settings: Settings, engine: Engine) -> None:
        self._gateway = WorkflowGateway(client, settings, noun="group", workflow_id=workflow_id)
        self._engine = engine

    def handle(self, group_id: str) -> WorkflowHandle[Any, Any]:
        return self._gateway.handle(group_id)

    async def start(self, *, group_id: str, applicant: Actor, proposal: GroupProposal) -> None:
        """R9: a student's group proposal goes to the center for review. The same id again is a no-op.

        Refused before anything starts when the applicant is not a student among the members, or a member
        is not in the student directory.
        """
        check_submit(applicant, proposal)
        await self._check_members_known(proposal)
        await self._gateway.start(
            GroupWorkflow.run,
            GroupStart(group_id=group_id, applicant=applicant, proposal=proposal),
            entity_id=group_id,
            search_attributes=[
                SearchAttributePair(STAGE, GroupStage.PROPOSAL_REVIEW.value),
                SearchAttributePair(GROUP_ID, group_id),
            ],
            summary=f"Social Practice group proposal {group_id}",
        )

    async def view(self, group_id: str) -> GroupView:
        """The group, its reviews and each member's linked project id; answers for a closed group too."""
        result = await self._gateway.query(group_id, GroupWorkflow.view)
        assert isinstance(result, GroupView)
        return result

    async def act(self, group_id: str, update: str, actor: Actor, command: BaseModel, key: str | None) -> GroupView:
        """Run one action (`review`, `revise`, `withdraw`, `link_member`); the key makes a retry answer the
        first outcome. A revision's members are checked against the directory first."""
        if isinstance(command, ReviseGroup):
            await self._check_members_known(command.proposal)
        return await self._gateway.update(
            group_id, update, Act[Any](actor=actor, command=command), actor=actor, key=key, result_type=GroupView
        )

    async def link_member_and_start_project(
        self,
        projects: ProjectClient,
        *,
        group_id: str,
        actor: Actor,
        semester_id: str,
        proposal: Proposal | None = None,
        key: str | None,
    ) -> str:
        """R9: a member's individual proposal, linked to the approved group, starts a project approved without a
        second review. Returns the project id.

        The link is recorded in the group first, then the project starts. A crash in between leaves a link to
        a project that does not run yet; any later call by the member starts it from the proposal the group
        recorded, so nothing is lost and no member links twice. The same key gives the same project id
        (`new_project_id`), so a retried request answers the project it started. `proposal` defaults to the
        group's approved proposal; its `group_id` is set to this group.
        """
        student_id = actor.id
        project_id = new_project_id(student_id, key)
        linked = await self._member(group_id, student_id)
        if linked is None or linked.project_id is None:
            if proposal is None:
                proposal = linked_proposal(group_id, (await self.view(group_id)).proposal)
            proposal = proposal.model_copy(update={"group_id": group_id})
            # Refusals (not a member, group not approved or closed, a concurrent link) come from the validator.
            await self.act(group_id, "link_member", actor, LinkMember(project_id=project_id, proposal=proposal), key)
            linked = GroupMember(student_id=student_id, project_id=project_id, proposal=proposal)
        assert linked.project_id is not None and linked.proposal is not None
        await projects.start(
            project_id=linked.project_id,
            student_id=student_id,
            semester_id=semester_id,
            proposal=linked.proposal,
            actor=actor,
            group_approved=True,
        )
        if linked.project_id != project_id:
            raise RuleViolation(
                Code.CONFLICT,
                f"You already linked project {linked.project_id} to this group; each member links one "
                "individual proposal.",
            )
        return project_id

    # --- helpers -----------------------------------------------------------------------------------

    async def _member(self, group_id: str, student_id: str) -> GroupMember | None:
        result = await self._gateway.query(group_id, GroupWorkflow.member, student_id)
        assert result is None or isinstance(result, GroupMember)
        return result

    async def _check_members_known(self, proposal: GroupProposal) -> None:
        known = await asyncio.to_thread(self._known, proposal.members)
        check_members_known(proposal, known)

    def _known(self, student_ids: Collection[str]) -> set[str]:
        with session(self._engine) as s:
            return directory.known_student_ids(s, student_ids)
