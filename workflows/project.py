"""ProjectWorkflow: one student project from proposal to credit (SPEC §2-§3).

Rules live in `domain/`; this module wires them to Temporal. Every action is an update whose validator runs
the domain check (who may see the project first, so a stranger learns nothing and no read precedes an
action): a refusal never reaches history. An accepted update answers the project's row at the new revision
(`workflows.messages.Outcome`). The main loop keeps the project's records and mail (`workflows.upkeep`) and
sleeps until the next nudge is due.

Leaving supervisors (R13, R22, `domain.leaving`, `domain.steering`) reach the project as signals with plain
JSON payloads, so an operator can send them from the Temporal UI as well: `supervisor_leaving` /
`supervisor_staying` (from the departure fan-out), `reassign_supervisor` and `extend_deadline` (the center's
steering; both are also updates of the same name with a validator, for the portal). A signal that breaks a rule is
kept in the audit trail as refused. The deadline itself is one of the project's nudges.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.directory import DirectoryActivities, SemesterEndRequest
    from domain import leaving, steering
    from domain import transitions as t
    from domain.access import require_visible
    from domain.actors import SYSTEM
    from domain.commands import (
        CancelInvitation,
        Evaluate,
        InvitationResponse,
        Invite,
        RequestReminder,
        Review,
        ReviseProposal,
        VerifyHours,
        Withdraw,
        WithdrawItem,
    )
    from domain.nudges import apply_nudge, due_nudges, next_nudge
    from domain.people import StudentStanding
    from domain.project import CURRENT_RULES, FIRST_RULES, ProjectState, ProjectView
    from domain.steering import ExtendDeadline, Reassign
    from domain.view import build_view, summarize
    from domain.work import ClosureReport, EvidenceInput, HoursInput
    from telemetry import course
    from workflows.messages import Act, Outcome, ProjectStart, check_revision, refusing
    from workflows.project_signals import ProjectSignals
    from workflows.upkeep import Upkeep

QUICK_TIMEOUT = timedelta(seconds=30)
# A project started by this code follows CURRENT_RULES; one whose history predates the marker replays with
# the rules it started with (domain.project.FIRST_RULES), so its recorded steps stay the same.
RULES_PATCH = "course-rules-2"
QUICK_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=1))


def workflow_id(project_id: str) -> str:
    """Workflow ids carry no personal data (STYLE: ids and search attributes are not encrypted)."""
    return f"project-{project_id}"


@workflow.defn
class ProjectWorkflow(ProjectSignals):
    @workflow.init
    def __init__(self, start: ProjectStart) -> None:
        self._s = start.state or _submitted(start, workflow.now(), _rules())
        self._upkeep = Upkeep(self._s, start)

    @workflow.run
    async def run(self, start: ProjectStart) -> ProjectView:
        while True:
            leaving.settle(self._s, workflow.now())
            await self._look_up_departure()
            await self._upkeep.flush()
            if self._s.stage.is_final and workflow.all_handlers_finished() and not self._upkeep.dirty():
                return build_view(self._s, workflow.now())
            if self._history_is_long(start) and workflow.all_handlers_finished():
                workflow.continue_as_new(self._carried(start))
            await self._sleep_until_something_happens()
            for nudge in due_nudges(self._s, workflow.now()):
                apply_nudge(self._s, nudge, workflow.now())
                course.nudge(nudge.kind.value)

    # --- main loop ---------------------------------------------------------------------------------

    @staticmethod
    def _history_is_long(start: ProjectStart) -> bool:
        info = workflow.info()
        return info.is_continue_as_new_suggested() or info.get_current_history_length() > start.history_limit

    def _carried(self, start: ProjectStart) -> ProjectStart:
        books = self._upkeep
        return start.model_copy(
            update={
                "state": self._s,
                "synced_revision": books.synced_revision,
                "synced_audit": books.synced_audit,
                "synced_evidence": books.synced_evidence,
                "recent": books.recent,
            }
        )

    async def _look_up_departure(self) -> None:
        """R13: an invited (or newly assigned) teacher's entry says they leave: find the deadline it sets."""
        semester_id = leaving.departure_to_look_up(self._s)
        if semester_id is None:
            return
        end = await workflow.execute_activity_method(
            DirectoryActivities.semester_end,
            SemesterEndRequest(semester_id=semester_id, at=workflow.now()),
            start_to_close_timeout=QUICK_TIMEOUT,
            retry_policy=QUICK_RETRY,
        )
        leaving.apply_looked_up(self._s, semester_id, end, workflow.now())

    async def _sleep_until_something_happens(self) -> None:
        """Until a change is to be kept (once every handler is done, so one write covers it), or the next nudge."""
        upcoming = next_nudge(self._s, workflow.now())
        timeout = max(upcoming.at - workflow.now(), timedelta(seconds=1)) if upcoming else None
        with contextlib.suppress(asyncio.TimeoutError):
            await workflow.wait_condition(
                lambda: workflow.all_handlers_finished() and (self._upkeep.dirty() or self._s.stage.is_final),
                timeout=timeout,
                timeout_summary=f"{upcoming.kind.value} day {upcoming.day}" if upcoming else None,
            )

    # --- how every update runs ---------------------------------------------------------------------

    def _check(self, act: Act[Any], check: Callable[[datetime], None]) -> None:
        """A validator: visible to the caller, at the revision they saw (If-Match), then the action's own rule."""
        with refusing():
            require_visible(self._s, act.actor)
            check_revision(self._s.revision, act)
            check(workflow.now())

    def _apply(self, act: Act[Any], apply: Callable[[datetime], str | None], **extra: Any) -> Outcome:
        before = len(self._s.audit)
        with refusing():
            created_id = apply(workflow.now())
        return self._answer(act, before, created_id=created_id, **extra)

    def _answer(self, act: Act[Any], before: int, **extra: Any) -> Outcome:
        """The project's row and the entries this action wrote; kept for the archive, so a retry of the key
        after the project closed still answers the same (SPEC §4)."""
        if act.link_use is not None:
            self._s.link_uses.append(act.link_use)
        outcome = Outcome(
            summary=summarize(self._s), audit=self._s.audit[before:], fingerprint=act.fingerprint, **extra
        )
        self._upkeep.reported = self._s.revision
        update = workflow.current_update_info()
        if update is not None:
            self._upkeep.remember(update.id, outcome)
        return outcome

    def _new_id(self) -> str:
        return workflow.uuid4().hex[:12]

    # --- queries -----------------------------------------------------------------------------------

    @workflow.query
    def view(self) -> ProjectView:
        return build_view(self._s, workflow.now())

    # --- step 1: proposal --------------------------------------------------------------------------

    @workflow.update
    def review(self, act: Act[Review]) -> Outcome:
        return self._apply(act, lambda now: t.apply_review(self._s, act.actor, act.command, now))

    @review.validator
    def _review(self, act: Act[Review]) -> None:
        self._check(act, lambda now: t.check_review(self._s, act.actor, act.command))

    @workflow.update
    def revise_proposal(self, act: Act[ReviseProposal]) -> Outcome:
        return self._apply(act, lambda now: t.apply_revise(self._s, act.actor, act.command, now))

    @revise_proposal.validator
    def _revise_proposal(self, act: Act[ReviseProposal]) -> None:
        self._check(act, lambda now: t.check_revise(self._s, act.actor, act.command))

    # --- step 2: supervision -----------------------------------------------------------------------

    @workflow.update
    def invite(self, act: Act[Invite]) -> Outcome:
        warning = t.leaving_warning(act.command)
        return self._apply(act, lambda now: t.apply_invite(self._s, act.actor, act.command, now), warning=warning)

    @invite.validator
    def _invite(self, act: Act[Invite]) -> None:
        self._check(act, lambda now: t.check_invite(self._s, act.actor, act.command, now))

    @workflow.update
    def cancel_invitation(self, act: Act[CancelInvitation]) -> Outcome:
        return self._apply(act, lambda now: t.apply_cancel_invitation(self._s, act.actor, now))

    @cancel_invitation.validator
    def _cancel_invitation(self, act: Act[CancelInvitation]) -> None:
        self._check(act, lambda now: t.check_cancel_invitation(self._s, act.actor))

    @workflow.update
    def respond_invitation(self, act: Act[InvitationResponse]) -> Outcome:
        return self._apply(act, lambda now: t.apply_respond(self._s, act.actor, act.command, now))

    @respond_invitation.validator
    def _respond_invitation(self, act: Act[InvitationResponse]) -> None:
        self._check(act, lambda now: t.check_respond(self._s, act.actor, act.command))

    # --- step 3: implementation and reflection -----------------------------------------------------

    @workflow.update
    def log_hours(self, act: Act[HoursInput]) -> Outcome:
        return self._apply(act, lambda now: t.apply_log_hours(self._s, act.actor, act.command, now, self._new_id()).id)

    @log_hours.validator
    def _log_hours(self, act: Act[HoursInput]) -> None:
        self._check(act, lambda now: t.check_log_hours(self._s, act.actor, act.command, now))

    @workflow.update
    def verify_hours(self, act: Act[VerifyHours]) -> Outcome:
        return self._apply(act, lambda now: t.apply_verify_hours(self._s, act.actor, act.command, now))

    @verify_hours.validator
    def _verify_hours(self, act: Act[VerifyHours]) -> None:
        self._check(act, lambda now: t.check_verify_hours(self._s, act.actor, act.command))

    @workflow.update
    def add_evidence(self, act: Act[EvidenceInput]) -> Outcome:
        return self._apply(
            act, lambda now: t.apply_add_evidence(self._s, act.actor, act.command, now, self._new_id()).id
        )

    @add_evidence.validator
    def _add_evidence(self, act: Act[EvidenceInput]) -> None:
        self._check(act, lambda now: t.check_add_evidence(self._s, act.actor, act.command))

    @workflow.update
    def withdraw_item(self, act: Act[WithdrawItem]) -> Outcome:
        return self._apply(act, lambda now: t.apply_withdraw_item(self._s, act.actor, act.command, now))

    @withdraw_item.validator
    def _withdraw_item(self, act: Act[WithdrawItem]) -> None:
        self._check(act, lambda now: t.check_withdraw_item(self._s, act.actor, act.command))

    # --- steps 4-5: closure and evaluation ---------------------------------------------------------

    @workflow.update
    def submit_closure(self, act: Act[ClosureReport]) -> Outcome:
        return self._apply(act, lambda now: t.apply_submit_closure(self._s, act.actor, act.command, now))

    @submit_closure.validator
    def _submit_closure(self, act: Act[ClosureReport]) -> None:
        self._check(act, lambda now: t.check_submit_closure(self._s, act.actor, act.command))

    @workflow.update
    async def evaluate(self, act: Act[Evaluate]) -> Outcome:
        before = len(self._s.audit)
        with refusing():
            t.apply_evaluation(self._s, act.actor, act.command, workflow.now())
        credit = await self._record_credit_if_passed(act.command)
        return self._answer(act, before, credit=credit)

    @evaluate.validator
    def _evaluate(self, act: Act[Evaluate]) -> None:
        self._check(act, lambda now: t.check_evaluate(self._s, act.actor, act.command))

    @workflow.update
    def request_reminder(self, act: Act[RequestReminder]) -> Outcome:
        return self._apply(act, lambda now: t.apply_request_reminder(self._s, act.actor, now))

    @request_reminder.validator
    def _request_reminder(self, act: Act[RequestReminder]) -> None:
        self._check(act, lambda now: t.check_request_reminder(self._s, act.actor, now))

    @workflow.update
    def withdraw(self, act: Act[Withdraw]) -> Outcome:
        return self._apply(act, lambda now: t.apply_withdraw(self._s, act.actor, act.command, now))

    @withdraw.validator
    def _withdraw(self, act: Act[Withdraw]) -> None:
        self._check(act, lambda now: t.check_withdraw(self._s, act.actor, act.command))

    @workflow.update(name="reassign_supervisor")
    def reassign(self, act: Act[Reassign]) -> Outcome:
        return self._apply(act, lambda now: steering.apply_reassign(self._s, act.actor, act.command, now))

    @reassign.validator
    def _reassign(self, act: Act[Reassign]) -> None:
        self._check(act, lambda now: steering.check_reassign(self._s, act.actor, act.command))

    @workflow.update(name="extend_deadline")
    def extend(self, act: Act[ExtendDeadline]) -> Outcome:
        return self._apply(act, lambda now: steering.apply_extend_deadline(self._s, act.actor, act.command, now))

    @extend.validator
    def _extend(self, act: Act[ExtendDeadline]) -> None:
        self._check(act, lambda now: steering.check_extend_deadline(self._s, act.actor, act.command, now))


def _rules() -> int:
    return CURRENT_RULES if workflow.patched(RULES_PATCH) else FIRST_RULES


def _submitted(start: ProjectStart, now: datetime, rules: int) -> ProjectState:
    """R1: the proposal as submitted, with the student's standing (R2, R3); in init, so no update can be
    applied before the submission itself is recorded."""
    state = ProjectState(
        id=start.project_id,
        rules=rules,
        student_id=start.student_id,
        semester_id=start.semester_id,
        created_at=now,
        proposal=start.proposal,
        standing=start.standing,
        submitted_fingerprint=start.fingerprint,
        profile=start.profile,
    )
    t.apply_submitted(state, start.submitted_by, now, group_approved=start.group_approved)
    if start.standing is not None:
        state.record(SYSTEM, now, "standing_checked", standing_note(start.standing, start.profile.course.code))
    return state


def standing_note(standing: StudentStanding, course_code: str = "TC1010") -> str:
    """R2/R3 as the audit trail and the project view say them."""
    notes = []
    if standing.exempt:
        notes.append("exempt: holds off-campus internship credit; participation is voluntary (R3)")
    if standing.holds_credit:
        notes.append(f"already holds the {course_code} credit: this project can pass but grants no second credit (R2)")
    return "; ".join(notes) or f"eligible for the {course_code} credit"
