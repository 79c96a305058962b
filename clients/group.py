"""The client side of GroupWorkflow (R9), shared by the API, the CLI and tests: start, read, act.

A member's link is one update: the group records it and starts the member's project in the same update
(`GroupWorkflow.link_member`), so the two never come apart.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any, TypeVar

from pydantic import BaseModel
from temporalio.client import Client
from temporalio.common import SearchAttributePair
from temporalio.workflow import UpdateMethodMultiParam

from clients.gateway import WorkflowGateway, fingerprint, reused_key
from config.settings import Settings
from domain.actors import Actor
from domain.group_transitions import check_submit
from domain.groups import GroupProposal, GroupStage, GroupView
from workflows.attributes import GROUP as GROUP_ID
from workflows.attributes import STAGE, group_summary
from workflows.group import GroupStart, GroupWorkflow, workflow_id
from workflows.messages import Act, GroupOutcome

C = TypeVar("C", bound=BaseModel)


def new_group_id(applicant_id: str, idempotency_key: str | None) -> str:
    """A retried submission with the same key maps to the same group; the id reveals nothing about anyone."""
    if idempotency_key is None:
        return uuid.uuid4().hex[:16]
    return hashlib.sha256(f"group:{applicant_id}:{idempotency_key}".encode()).hexdigest()[:16]


class GroupClient:
    def __init__(self, client: Client, settings: Settings) -> None:
        self._gateway = WorkflowGateway(client, settings, noun="group", workflow_id=workflow_id)

    async def start(self, *, group_id: str, applicant: Actor, proposal: GroupProposal, key: str | None = None) -> None:
        """R9: a student's group proposal goes to the center for review. The same id again is a no-op; the same
        key with another proposal is refused (IDEMPOTENCY_KEY_REUSED)."""
        check_submit(applicant, proposal)  # before anything starts: the workflow's own submission rule
        digest = fingerprint("submit_group", proposal)
        await self._gateway.start(
            GroupWorkflow.run,
            GroupStart(group_id=group_id, applicant=applicant, proposal=proposal, fingerprint=digest),
            entity_id=group_id,
            search_attributes=[
                SearchAttributePair(STAGE, GroupStage.PROPOSAL_REVIEW.value),
                SearchAttributePair(GROUP_ID, group_id),
            ],
            summary=group_summary(group_id, proposal.category.value),
        )
        if key is not None:
            stored = await self._gateway.query(group_id, GroupWorkflow.submitted_fingerprint)
            if stored is not None and stored != digest:
                raise reused_key()

    async def view(self, group_id: str) -> GroupView:
        """The group, its reviews and each member's linked project id; answers for a closed group too."""
        result = await self._gateway.query(group_id, GroupWorkflow.view)
        assert isinstance(result, GroupView)
        return result

    async def act(
        self,
        group_id: str,
        update: UpdateMethodMultiParam[[GroupWorkflow, Act[C]], GroupOutcome],
        actor: Actor,
        command: C,
        *,
        key: str | None = None,
        fingerprint: str | None = None,
        if_revision: int | None = None,
    ) -> GroupOutcome:
        """Run one action (review, revise, withdraw, link a member); the key makes a retry answer the first
        outcome; `if_revision` (If-Match) refuses it if the group moved on."""
        act = Act[Any](actor=actor, command=command, fingerprint=fingerprint, if_revision=if_revision)
        return await self._gateway.update(group_id, update, act, key=key, result_type=GroupOutcome)
