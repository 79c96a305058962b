"""GroupWorkflow: one group proposal (R9) from submission through the center's review to its members' links.

Rules live in `domain.groups`; this module wires them to Temporal the way ProjectWorkflow does: every
action is an update whose validator runs the domain check, so a refusal never reaches history, and the
main loop delivers the mails the state owes and keeps search attributes current. The group ends once it
is rejected or withdrawn, or approved with every member's project linked; the members' projects are their
own workflows (credit, hours and evidence stay individual).
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel
from temporalio import workflow
from temporalio.common import RetryPolicy

from workflows.attributes import GROUP, STAGE

with workflow.unsafe.imports_passed_through():
    from activities.groupmail import GroupMailActivities, GroupNoticeBatch
    from domain import groups as g
    from domain.commands import Review, Withdraw
    from domain.groups import (
        GroupMember,
        GroupProposal,
        GroupStage,
        GroupState,
        GroupView,
        LinkMember,
        ReviseGroup,
    )
    from domain.project import Actor
    from workflows.messages import Act, refusing


# Mail waits out an SMTP outage, as a project's does (workflows.project).
MAIL_TIMEOUT = timedelta(minutes=2)
MAIL_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=10))


def workflow_id(group_id: str) -> str:
    """No personal data in workflow ids (STYLE)."""
    return f"group-{group_id}"


class GroupStart(BaseModel):
    """Submit a group proposal (R9); `state` carries the group across continue-as-new."""

    group_id: str
    applicant: Actor
    proposal: GroupProposal
    state: GroupState | None = None
    history_limit: int = 10_000


@workflow.defn
class GroupWorkflow:
    @workflow.init
    def __init__(self, start: GroupStart) -> None:
        # In init, so no update can be applied before the submission itself is recorded.
        self._s = start.state or g.new_group(start.group_id, start.applicant, start.proposal, workflow.now())
        self._published = -1

    @workflow.run
    async def run(self, start: GroupStart) -> GroupView:
        while True:
            await self._flush()
            if self._s.done and workflow.all_handlers_finished() and not self._dirty():
                return g.build_group_view(self._s)
            info = workflow.info()
            long = info.is_continue_as_new_suggested() or info.get_current_history_length() > start.history_limit
            if long and workflow.all_handlers_finished():
                workflow.continue_as_new(start.model_copy(update={"state": self._s}))
            await workflow.wait_condition(lambda: self._dirty() or (self._s.done and workflow.all_handlers_finished()))

    def _dirty(self) -> bool:
        return self._s.revision != self._published or bool(self._s.notices)

    async def _flush(self) -> None:
        if self._s.revision != self._published:
            self._publish()
        if self._s.notices:
            batch = list(self._s.notices)
            await workflow.execute_activity_method(
                GroupMailActivities.deliver_group_notices,
                GroupNoticeBatch(group=g.summarize_group(self._s), notices=batch),
                summary=", ".join(n.template for n in batch),
                start_to_close_timeout=MAIL_TIMEOUT,
                retry_policy=MAIL_RETRY,
            )
            del self._s.notices[: len(batch)]

    def _publish(self) -> None:
        """Search attributes and current details for operators in the Temporal UI (no personal data)."""
        workflow.upsert_search_attributes([STAGE.value_set(self._s.stage.value), GROUP.value_set(self._s.id)])
        workflow.set_current_details(f"**{self._s.stage.value}** — {waiting_for(self._s)}")
        self._published = self._s.revision

    # --- queries -----------------------------------------------------------------------------------

    @workflow.query
    def view(self) -> GroupView:
        return g.build_group_view(self._s)

    @workflow.query
    def member(self, student_id: str) -> GroupMember | None:
        """A member's record with the proposal they linked (clients.group restarts a lost project from it)."""
        return self._s.member(student_id)

    # --- review ------------------------------------------------------------------------------------

    @workflow.update
    def review(self, act: Act[Review]) -> GroupView:
        with refusing():
            g.apply_review(self._s, act.actor, act.command, workflow.now())
        return g.build_group_view(self._s)

    @review.validator
    def _review(self, act: Act[Review]) -> None:
        with refusing():
            g.check_review(self._s, act.actor, act.command)

    @workflow.update
    def revise(self, act: Act[ReviseGroup]) -> GroupView:
        with refusing():
            g.apply_revise(self._s, act.actor, act.command, workflow.now())
        return g.build_group_view(self._s)

    @revise.validator
    def _revise(self, act: Act[ReviseGroup]) -> None:
        with refusing():
            g.check_revise(self._s, act.actor, act.command)

    @workflow.update
    def withdraw(self, act: Act[Withdraw]) -> GroupView:
        with refusing():
            g.apply_withdraw(self._s, act.actor, act.command, workflow.now())
        return g.build_group_view(self._s)

    @withdraw.validator
    def _withdraw(self, act: Act[Withdraw]) -> None:
        with refusing():
            g.check_withdraw(self._s, act.actor, act.command)

    # --- members -----------------------------------------------------------------------------------

    @workflow.update
    def link_member(self, act: Act[LinkMember]) -> GroupView:
        """R9: a member's individual proposal is linked (once); clients.group then starts its project."""
        with refusing():
            g.apply_member_linked(self._s, act.actor, act.command, workflow.now())
        return g.build_group_view(self._s)

    @link_member.validator
    def _link_member(self, act: Act[LinkMember]) -> None:
        with refusing():
            g.check_link_member(self._s, act.actor, act.command)


def waiting_for(state: GroupState) -> str:
    """One line for operators: what the group waits for."""
    if state.stage is GroupStage.APPROVED:
        waiting = sum(1 for m in state.members if m.project_id is None)
        if waiting == 0:
            return "closed: every member linked an individual proposal"
        return f"waiting for {waiting} of {len(state.members)} members to submit their linked proposals"
    return {
        GroupStage.PROPOSAL_REVIEW: "waiting for the center to review the group proposal",
        GroupStage.CHANGES_REQUESTED: "waiting for the applicant to revise the group proposal",
        GroupStage.REJECTED: "closed: group proposal rejected",
        GroupStage.WITHDRAWN: "closed: group proposal withdrawn",
    }[state.stage]
