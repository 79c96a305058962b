"""ProjectWorkflow: one student project from proposal to credit (SPEC §2-§3).

Rules live in `domain/`; this module wires them to Temporal. Every action is an update whose validator runs
the domain check, so a refusal never reaches history. The main loop persists the read model, delivers the
notices the state owes, keeps search attributes current and sleeps until the next nudge is due.

Leaving supervisors (R13, R22, `domain.leaving`) reach the project as signals with plain JSON payloads, so
an operator can send them from the Temporal UI as well: `supervisor_leaving` / `supervisor_staying` (from
the departure fan-out), `reassign_supervisor` and `extend_deadline` (the center's steering; reassignment
is also an update with a validator, for the portal). A signal that breaks a rule is kept in the audit
trail as refused. The deadline itself is one of the project's nudges: the project hands itself over.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeUpdate

with workflow.unsafe.imports_passed_through():
    from activities.contracts import CreditRequest, NoticeBatch, SaveProject, StandingRequest
    from activities.directory import DirectoryActivities, SemesterEndRequest
    from activities.ledger import LedgerActivities
    from activities.mail import MailActivities
    from activities.readmodel import ReadModelActivities
    from domain import leaving
    from domain import transitions as t
    from domain.commands import (
        Evaluate,
        InvitationResponse,
        Invite,
        Note,
        Review,
        ReviseProposal,
        VerifyHours,
        Withdraw,
    )
    from domain.errors import RuleViolation
    from domain.leaving import ExtendDeadline, Reassign, SupervisorLeaving, SupervisorStaying
    from domain.nudges import apply_nudge, due_nudges, next_nudge
    from domain.people import StudentStanding
    from domain.project import SYSTEM, Actor, ProjectState, ProjectView, summarize
    from domain.stages import Stage
    from domain.view import build_view
    from domain.vocabulary import Channel, EvaluationResult, Role
    from domain.work import ClosureReport, EvidenceInput, HoursInput
    from workflows.attributes import GROUP, SEMESTER, STAGE, STUDENT, SUPERVISOR
    from workflows.messages import Act, Outcome, ProjectStart, refusing


QUICK_TIMEOUT = timedelta(seconds=30)
QUICK_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=1))
# Mail waits out an SMTP outage: retried with backoff for as long as it takes, visible as a pending activity.
MAIL_TIMEOUT = timedelta(minutes=2)
MAIL_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=10))


def workflow_id(project_id: str) -> str:
    """Workflow ids carry no personal data (STYLE: ids and search attributes are not encrypted)."""
    return f"project-{project_id}"


@workflow.defn
class ProjectWorkflow:
    @workflow.init
    def __init__(self, start: ProjectStart) -> None:
        self._s = start.state or ProjectState(
            id=start.project_id,
            student_id=start.student_id,
            semester_id=start.semester_id,
            created_at=workflow.now(),
            proposal=start.proposal,
        )
        self._flushed = -1
        self._audit_saved = 0
        if start.state is None:
            # In init, so no update can be applied before the submission itself is recorded.
            t.apply_submitted(self._s, start.submitted_by, workflow.now(), group_approved=start.group_approved)
        self._attributes: dict[str, str | None] = {}

    @workflow.run
    async def run(self, start: ProjectStart) -> ProjectView:
        if start.state is None:
            self._s.standing = await workflow.execute_activity_method(
                DirectoryActivities.student_standing,
                StandingRequest(student_id=self._s.student_id, project_id=self._s.id),
                start_to_close_timeout=QUICK_TIMEOUT,
                retry_policy=QUICK_RETRY,
            )
            self._s.record(SYSTEM, workflow.now(), "standing_checked", standing_note(self._s.standing))
        while True:
            leaving.settle(self._s, workflow.now())
            await self._look_up_departure()
            await self._flush()
            if self._s.stage.is_final and workflow.all_handlers_finished() and not self._dirty():
                return build_view(self._s, workflow.now())
            if self._history_is_long(start) and workflow.all_handlers_finished():
                workflow.continue_as_new(start.model_copy(update={"state": self._s}))
            await self._sleep_until_something_happens()
            for nudge in due_nudges(self._s, workflow.now()):
                apply_nudge(self._s, nudge, workflow.now())

    # --- main loop ---------------------------------------------------------------------------------

    @staticmethod
    def _history_is_long(start: ProjectStart) -> bool:
        info = workflow.info()
        return info.is_continue_as_new_suggested() or info.get_current_history_length() > start.history_limit

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

    def _dirty(self) -> bool:
        return self._s.revision != self._flushed or bool(self._s.notices)

    async def _sleep_until_something_happens(self) -> None:
        upcoming = next_nudge(self._s, workflow.now())
        timeout = max(upcoming.at - workflow.now(), timedelta(seconds=1)) if upcoming else None
        with contextlib.suppress(asyncio.TimeoutError):
            await workflow.wait_condition(
                lambda: self._dirty() or (self._s.stage.is_final and workflow.all_handlers_finished()),
                timeout=timeout,
                timeout_summary=f"{upcoming.kind.value} day {upcoming.day}" if upcoming else None,
            )

    async def _flush(self) -> None:
        """One pass: persist the read model, then deliver what notices are owed; the loop comes back if more."""
        if self._dirty():
            revision = self._s.revision
            summary = summarize(self._s)
            if revision != self._flushed:
                await workflow.execute_local_activity_method(
                    ReadModelActivities.save_project,
                    SaveProject(summary=summary, audit=self._s.audit[self._audit_saved :]),
                    start_to_close_timeout=QUICK_TIMEOUT,
                    retry_policy=QUICK_RETRY,
                )
                self._flushed = revision
                self._audit_saved = len(self._s.audit)
                self._publish()
            if self._s.notices:
                batch = list(self._s.notices)
                await workflow.execute_activity_method(
                    MailActivities.deliver_notices,
                    NoticeBatch(summary=summary, notices=batch, at=workflow.now()),
                    summary=", ".join(n.template for n in batch),
                    start_to_close_timeout=MAIL_TIMEOUT,
                    retry_policy=MAIL_RETRY,
                )
                del self._s.notices[: len(batch)]

    def _publish(self) -> None:
        """Search attributes and current details for operators in the Temporal UI."""
        wanted = {
            STAGE.name: self._s.stage.value,
            SEMESTER.name: self._s.semester_id,
            STUDENT.name: self._s.student_id,
            SUPERVISOR.name: self._s.supervisor.faculty.id if self._s.supervisor else None,
            GROUP.name: self._s.proposal.group_id,
        }
        keys = {k.name: k for k in (STAGE, SEMESTER, STUDENT, SUPERVISOR, GROUP)}
        updates: list[SearchAttributeUpdate[str]] = [
            keys[name].value_set(value) if value is not None else keys[name].value_unset()
            for name, value in wanted.items()
            if self._attributes.get(name, "\0") != value
        ]
        if updates:
            workflow.upsert_search_attributes(updates)
            self._attributes.update(wanted)
        upcoming = next_nudge(self._s, workflow.now())
        details = f"**{self._s.stage.value}** — {WAITING_FOR[self._s.stage]}"
        if upcoming:
            details += f"\n\nNext nudge: {upcoming.kind.value} (day {upcoming.day}) at {upcoming.at.isoformat()}"
        departure = leaving.active_departure(self._s)
        if departure is not None:
            details += (
                f"\n\nDeadline (R22): {departure.deadline.isoformat()}, "
                f"{departure.faculty_id} leaves NTUST after {departure.semester_id}"
            )
            if departure.handed_over_at is not None:
                details += "\n\n**Handed to the center**: send `reassign_supervisor` with the new supervisor"
        workflow.set_current_details(details)

    def _outcome(self, created_id: str | None = None, warning: str | None = None) -> Outcome:
        return Outcome(view=build_view(self._s, workflow.now()), created_id=created_id, warning=warning)

    # --- queries -----------------------------------------------------------------------------------

    @workflow.query
    def view(self) -> ProjectView:
        return build_view(self._s, workflow.now())

    # --- step 1: proposal --------------------------------------------------------------------------

    @workflow.update
    def review(self, act: Act[Review]) -> Outcome:
        with refusing():
            t.apply_review(self._s, act.actor, act.command, workflow.now())
        return self._outcome()

    @review.validator
    def _review(self, act: Act[Review]) -> None:
        with refusing():
            t.check_review(self._s, act.actor, act.command)

    @workflow.update
    def revise_proposal(self, act: Act[ReviseProposal]) -> Outcome:
        with refusing():
            t.apply_revise(self._s, act.actor, act.command, workflow.now())
        return self._outcome()

    @revise_proposal.validator
    def _revise_proposal(self, act: Act[ReviseProposal]) -> None:
        with refusing():
            t.check_revise(self._s, act.actor, act.command)

    # --- step 2: supervision -----------------------------------------------------------------------

    @workflow.update
    def invite(self, act: Act[Invite]) -> Outcome:
        with refusing():
            t.apply_invite(self._s, act.actor, act.command, workflow.now())
        return self._outcome(warning=t.leaving_warning(act.command))

    @invite.validator
    def _invite(self, act: Act[Invite]) -> None:
        with refusing():
            t.check_invite(self._s, act.actor, act.command)

    @workflow.update
    def cancel_invitation(self, actor: Actor) -> Outcome:
        with refusing():
            t.apply_cancel_invitation(self._s, actor, workflow.now())
        return self._outcome()

    @cancel_invitation.validator
    def _cancel_invitation(self, actor: Actor) -> None:
        with refusing():
            t.check_cancel_invitation(self._s, actor)

    @workflow.update
    def respond_invitation(self, act: Act[InvitationResponse]) -> Outcome:
        with refusing():
            t.apply_respond(self._s, act.actor, act.command, workflow.now())
        return self._outcome()

    @respond_invitation.validator
    def _respond_invitation(self, act: Act[InvitationResponse]) -> None:
        with refusing():
            t.check_respond(self._s, act.actor, act.command)

    # --- step 3: implementation and reflection -----------------------------------------------------

    @workflow.update
    def log_hours(self, act: Act[HoursInput]) -> Outcome:
        with refusing():
            entry = t.apply_log_hours(self._s, act.actor, act.command, workflow.now(), workflow.uuid4().hex[:12])
        return self._outcome(created_id=entry.id)

    @log_hours.validator
    def _log_hours(self, act: Act[HoursInput]) -> None:
        with refusing():
            t.check_log_hours(self._s, act.actor, act.command, workflow.now())

    @workflow.update
    def verify_hours(self, act: Act[VerifyHours]) -> Outcome:
        with refusing():
            t.apply_verify_hours(self._s, act.actor, act.command, workflow.now())
        return self._outcome()

    @verify_hours.validator
    def _verify_hours(self, act: Act[VerifyHours]) -> None:
        with refusing():
            t.check_verify_hours(self._s, act.actor, act.command)

    @workflow.update
    def add_evidence(self, act: Act[EvidenceInput]) -> Outcome:
        with refusing():
            item = t.apply_add_evidence(self._s, act.actor, act.command, workflow.now(), workflow.uuid4().hex[:12])
        return self._outcome(created_id=item.id)

    @add_evidence.validator
    def _add_evidence(self, act: Act[EvidenceInput]) -> None:
        with refusing():
            t.check_add_evidence(self._s, act.actor, act.command)

    # --- steps 4-5: closure and evaluation ---------------------------------------------------------

    @workflow.update
    def submit_closure(self, act: Act[ClosureReport]) -> Outcome:
        with refusing():
            t.apply_submit_closure(self._s, act.actor, act.command, workflow.now())
        return self._outcome()

    @submit_closure.validator
    def _submit_closure(self, act: Act[ClosureReport]) -> None:
        with refusing():
            t.check_submit_closure(self._s, act.actor, act.command)

    @workflow.update
    async def evaluate(self, act: Act[Evaluate]) -> Outcome:
        with refusing():
            t.apply_evaluation(self._s, act.actor, act.command, workflow.now())
        await self._record_credit_if_passed(act.command)
        return self._outcome()

    async def _record_credit_if_passed(self, cmd: Evaluate) -> None:
        if cmd.result is EvaluationResult.PASS:
            credit = await workflow.execute_activity_method(
                LedgerActivities.record_credit,
                CreditRequest(student_id=self._s.student_id, project_id=self._s.id, passed_at=workflow.now()),
                start_to_close_timeout=QUICK_TIMEOUT,
                retry_policy=QUICK_RETRY,
            )
            t.apply_credit(self._s, credit)

    @evaluate.validator
    def _evaluate(self, act: Act[Evaluate]) -> None:
        with refusing():
            t.check_evaluate(self._s, act.actor, act.command)

    @workflow.update
    def request_reminder(self, actor: Actor) -> Outcome:
        with refusing():
            t.apply_request_reminder(self._s, actor, workflow.now())
        return self._outcome()

    @request_reminder.validator
    def _request_reminder(self, actor: Actor) -> None:
        with refusing():
            t.check_request_reminder(self._s, actor, workflow.now())

    @workflow.update
    def withdraw(self, act: Act[Withdraw]) -> Outcome:
        with refusing():
            t.apply_withdraw(self._s, act.actor, act.command, workflow.now())
        return self._outcome()

    @withdraw.validator
    def _withdraw(self, act: Act[Withdraw]) -> None:
        with refusing():
            t.check_withdraw(self._s, act.actor, act.command)

    # --- emailed action links while no worker answered in time ---------------------------------------
    # The action page falls back to these signals so a click is never lost; they apply the same rules
    # when they arrive, and a click that is no longer valid is kept in the audit trail as refused.

    def _late(self, act: Act[Any], apply: Callable[[ProjectState, Actor, Any, datetime], object]) -> bool:
        try:
            apply(self._s, act.actor, act.command, workflow.now())
        except RuleViolation as violation:
            self._s.record(act.actor, workflow.now(), "link_action_refused", violation.detail)
            return False
        return True

    @workflow.signal
    def respond_invitation_by_link(self, act: Act[InvitationResponse]) -> None:
        self._late(act, t.apply_respond)

    @workflow.signal
    def verify_hours_by_link(self, act: Act[VerifyHours]) -> None:
        self._late(act, t.apply_verify_hours)

    @workflow.signal
    async def evaluate_by_link(self, act: Act[Evaluate]) -> None:
        if self._late(act, t.apply_evaluation):
            await self._record_credit_if_passed(act.command)

    # --- operators (Temporal UI signal dialog) and the directory: plain JSON payloads ------------------

    @workflow.signal
    def note(self, note: Note) -> None:
        """An operator's note in the audit trail; plain JSON `{"text": "..."}` from the UI."""
        self._s.record(OPERATOR, workflow.now(), "operator_note", note.text)

    def _signalled(self, actor: Actor, action: str, apply: Callable[[], object]) -> None:
        try:
            apply()
        except RuleViolation as violation:
            self._s.record(actor, workflow.now(), f"{action}_refused", violation.detail)

    @workflow.signal
    def supervisor_leaving(self, news: SupervisorLeaving) -> None:
        """R22: `{"faculty_id": "T001", "semester_id": "2026-fall", "deadline": "2027-01-31T16:00:00Z"}`."""
        self._signalled(
            DIRECTORY,
            "supervisor_leaving",
            lambda: leaving.apply_supervisor_leaving(self._s, DIRECTORY, news, workflow.now()),
        )

    @workflow.signal
    def supervisor_staying(self, news: SupervisorStaying) -> None:
        """R22 undone: `{"faculty_id": "T001"}`."""
        leaving.apply_supervisor_staying(self._s, DIRECTORY, news, workflow.now())

    @workflow.signal(name="reassign_supervisor")
    def reassign_supervisor(self, cmd: Reassign) -> None:
        """R22: `{"faculty": {"id", "name", "email", "rank", ...directory entry}, "reason": "..."}`."""
        self._signalled(
            OPERATOR, "reassign_supervisor", lambda: leaving.apply_reassign(self._s, OPERATOR, cmd, workflow.now())
        )

    @workflow.update(name="reassign_supervisor")
    def reassign(self, act: Act[Reassign]) -> Outcome:
        with refusing():
            leaving.apply_reassign(self._s, act.actor, act.command, workflow.now())
        return self._outcome()

    @reassign.validator
    def _reassign(self, act: Act[Reassign]) -> None:
        with refusing():
            leaving.check_reassign(self._s, act.actor, act.command)

    @workflow.signal
    def extend_deadline(self, cmd: ExtendDeadline) -> None:
        """R22: `{"deadline": "2027-02-28T16:00:00Z", "reason": "..."}`, later than the current deadline."""
        self._signalled(
            OPERATOR,
            "extend_deadline",
            lambda: leaving.apply_extend_deadline(self._s, OPERATOR, cmd, workflow.now()),
        )


def standing_note(standing: StudentStanding) -> str:
    """R2/R3 as the audit trail and the project view say them."""
    notes = []
    if standing.exempt:
        notes.append("exempt: holds off-campus internship credit; participation is voluntary (R3)")
    if standing.holds_credit:
        notes.append("already holds the TC1010 credit: this project can pass but grants no second credit (R2)")
    return "; ".join(notes) or "eligible for the TC1010 credit"


OPERATOR = Actor(id="operator", role=Role.OPERATOR, channel=Channel.TEMPORAL_UI)
DIRECTORY = Actor(id="directory", role=Role.SYSTEM, channel=Channel.SYSTEM)  # R22: the faculty directory changed

WAITING_FOR: dict[Stage, str] = {
    Stage.PROPOSAL_REVIEW: "waiting for the center to review the proposal",
    Stage.CHANGES_REQUESTED: "waiting for the student to revise the proposal",
    Stage.REJECTED: "closed: proposal rejected",
    Stage.NEEDS_SUPERVISOR: "waiting for the student to invite a supervisor",
    Stage.SUPERVISOR_INVITED: "waiting for the invited teacher to answer",
    Stage.IN_PROGRESS: "waiting for hours, evidence and the closure report",
    Stage.EVALUATION_PENDING: "waiting for the supervisor to evaluate the closure report",
    Stage.REVISION_REQUESTED: "waiting for the student to revise and resubmit the closure report",
    Stage.PASSED: "closed: passed",
    Stage.FAILED: "closed: failed",
    Stage.WITHDRAWN: "closed: withdrawn",
}
