"""GroupWorkflow: one group proposal (R9) from submission through the center's review to its members' links.

Rules live in `domain.groups` and `domain.group_transitions`; this module wires them to Temporal the way
ProjectWorkflow does: every action is an update whose validator runs the domain check (strangers are told
NOT_FOUND), so a refusal never reaches history, and the main loop delivers the mails the state owes and keeps
search attributes current. A member's link starts their project as a child workflow in the same update, so
the link and the project it names cannot come apart. The group ends once it is rejected or withdrawn, or
approved with every member's project linked; the members' projects live on (credit, hours and evidence stay
individual).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import BaseModel
from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributePair, TypedSearchAttributes
from temporalio.workflow import ParentClosePolicy

from workflows.attributes import GROUP, SEMESTER, STAGE, STUDENT, classification, project_summary

with workflow.unsafe.imports_passed_through():
    from activities.contracts import ArchiveGroup
    from activities.groupmail import GroupMailActivities, GroupNoticeBatch
    from activities.records import RecordsActivities
    from domain import group_transitions as g
    from domain.actors import Actor
    from domain.commands import Review, Withdraw
    from domain.errors import Code, RuleViolation
    from domain.groups import (
        GroupProposal,
        GroupStage,
        GroupState,
        GroupView,
        LinkMember,
        ReviseGroup,
        build_group_view,
        keeps_group_plan,
        summarize_group,
    )
    from domain.stages import Stage
    from workflows.messages import RECENT_OUTCOMES, Act, GroupOutcome, ProjectStart, check_revision, refusing
    from workflows.project import ProjectWorkflow
    from workflows.project import workflow_id as project_workflow_id


# Mail waits out an SMTP outage, as a project's does (workflows.upkeep).
MAIL_TIMEOUT = timedelta(minutes=2)
MAIL_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=10))
ARCHIVE_TIMEOUT = timedelta(seconds=30)


# A member's linked proposal that changes the group's plan goes to review (R9); earlier histories approved all.
LINKED_PLAN_PATCH = "r9-linked-plan-review"
CHILD_SUMMARY_PATCH = "child-static-summary"


def workflow_id(group_id: str) -> str:
    """No personal data in workflow ids (STYLE)."""
    return f"group-{group_id}"


class GroupStart(BaseModel):
    """Submit a group proposal (R9); `state` carries the group across continue-as-new."""

    group_id: str
    applicant: Actor
    proposal: GroupProposal
    fingerprint: str | None = None
    state: GroupState | None = None
    history_limit: int = 10_000


@workflow.defn
class GroupWorkflow:
    @workflow.init
    def __init__(self, start: GroupStart) -> None:
        # In init, so no update can be applied before the submission itself is recorded.
        self._s = start.state or g.new_group(start.group_id, start.applicant, start.proposal, workflow.now())
        self._fingerprint = start.fingerprint
        self._published = -1
        self._recent: list[tuple[str, GroupOutcome]] = []

    @workflow.run
    async def run(self, start: GroupStart) -> GroupView:
        while True:
            await self._flush()
            if self._s.done and workflow.all_handlers_finished() and not self._dirty():
                await self._archive()
                return build_group_view(self._s)
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
                GroupNoticeBatch(group=summarize_group(self._s), notices=batch),
                summary=", ".join(n.template for n in batch),
                start_to_close_timeout=MAIL_TIMEOUT,
                retry_policy=MAIL_RETRY,
            )
            del self._s.notices[: len(batch)]

    async def _archive(self) -> None:
        """The finished group's view and its last outcomes, kept before the workflow completes (SPEC §6)."""
        request = ArchiveGroup(
            view=build_group_view(self._s),
            at=workflow.now(),
            outcomes=[(update_id, outcome.model_dump_json()) for update_id, outcome in self._recent],
        )
        await workflow.execute_local_activity_method(
            RecordsActivities.archive_group, request, start_to_close_timeout=ARCHIVE_TIMEOUT, retry_policy=MAIL_RETRY
        )

    def _publish(self) -> None:
        """Search attributes and current details for operators in the Temporal UI (no personal data)."""
        workflow.upsert_search_attributes([STAGE.value_set(self._s.stage.value), GROUP.value_set(self._s.id)])
        members = f"{len(self._s.proposal.members)} students"
        workflow.set_current_details(
            f"**{self._s.stage.value}** — {waiting_for(self._s)}\n\n"
            f"{classification(self._s.proposal.category.value)} · {members}"
        )
        self._published = self._s.revision

    def _check(self, act: Act[Any], check: Any) -> None:
        with refusing():
            if not self._s.may_see(act.actor):
                raise RuleViolation(Code.NOT_FOUND, "No such group.")
            check_revision(self._s.revision, act)
            check(self._s, act.actor, act.command)

    def _answer(self, act: Act[Any], created_id: str | None = None) -> GroupOutcome:
        outcome = GroupOutcome(view=build_group_view(self._s), created_id=created_id, fingerprint=act.fingerprint)
        update = workflow.current_update_info()
        if update is not None:  # the last few, for the archive: a retried key answers the same after closing
            self._recent = [*self._recent[-(RECENT_OUTCOMES - 1) :], (update.id, outcome)]
        return outcome

    # --- queries -----------------------------------------------------------------------------------

    @workflow.query
    def view(self) -> GroupView:
        return build_group_view(self._s)

    @workflow.query
    def submitted_fingerprint(self) -> str | None:
        """The submission request's fingerprint: a retried submission with another body is refused (SPEC §4)."""
        return self._fingerprint

    # --- review ------------------------------------------------------------------------------------

    @workflow.update
    def review(self, act: Act[Review]) -> GroupOutcome:
        with refusing():
            g.apply_review(self._s, act.actor, act.command, workflow.now())
        return self._answer(act)

    @review.validator
    def _review(self, act: Act[Review]) -> None:
        self._check(act, g.check_review)

    @workflow.update
    def revise(self, act: Act[ReviseGroup]) -> GroupOutcome:
        with refusing():
            g.apply_revise(self._s, act.actor, act.command, workflow.now())
        return self._answer(act)

    @revise.validator
    def _revise(self, act: Act[ReviseGroup]) -> None:
        self._check(act, g.check_revise)

    @workflow.update
    def withdraw(self, act: Act[Withdraw]) -> GroupOutcome:
        with refusing():
            g.apply_withdraw(self._s, act.actor, act.command, workflow.now())
        return self._answer(act)

    @withdraw.validator
    def _withdraw(self, act: Act[Withdraw]) -> None:
        self._check(act, g.check_withdraw)

    # --- members -----------------------------------------------------------------------------------

    @workflow.update
    async def link_member(self, act: Act[LinkMember]) -> GroupOutcome:
        """R9: a member's individual proposal is linked (once) and starts their project, approved without a
        second review; the project outlives the group."""
        approved = self._without_review(act.command)
        with refusing():
            linked = g.apply_member_linked(self._s, act.actor, act.command, workflow.now(), to_review=not approved)
        if linked:
            await self._start_project(act.actor, act.command, approved=approved)
        return self._answer(act, created_id=act.command.project_id)

    @link_member.validator
    def _link_member(self, act: Act[LinkMember]) -> None:
        with refusing():
            check_revision(self._s.revision, act)
            g.check_link_member(self._s, act.actor, act.command)

    def _without_review(self, link: LinkMember) -> bool:
        """R9: only a proposal that keeps the group's title, category and plan skips review. Groups that
        linked members before this rule replay as they ran (every link approved)."""
        if not workflow.patched(LINKED_PLAN_PATCH):
            return True
        return keeps_group_plan(self._s.proposal, link.proposal)

    def _child_summary(self, link: LinkMember) -> str:
        """A member's project as the Temporal UI lists it; projects linked before it said more keep their
        first summary on replay."""
        if not workflow.patched(CHILD_SUMMARY_PATCH):
            return f"Social Practice project {link.project_id} (group {self._s.id})"
        summary = project_summary(link.project_id, link.semester_id, link.proposal.category.value)
        return f"{summary} (group {self._s.id})"

    async def _start_project(self, actor: Actor, link: LinkMember, *, approved: bool) -> None:
        start = ProjectStart(
            project_id=link.project_id,
            student_id=actor.id,
            semester_id=link.semester_id,
            proposal=link.proposal,
            submitted_by=actor,
            group_approved=approved,
            standing=link.standing,
            fingerprint=link.fingerprint,
            profile=link.profile,
        )
        await workflow.start_child_workflow(
            ProjectWorkflow.run,
            start,
            id=project_workflow_id(link.project_id),
            parent_close_policy=ParentClosePolicy.ABANDON,
            search_attributes=TypedSearchAttributes(
                [
                    SearchAttributePair(STAGE, Stage.NEEDS_SUPERVISOR.value),
                    SearchAttributePair(SEMESTER, link.semester_id),
                    SearchAttributePair(STUDENT, actor.id),
                    SearchAttributePair(GROUP, self._s.id),
                ]
            ),
            static_summary=self._child_summary(link),
        )


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
