"""The signals a project takes, apart from the portal's updates (`workflows.project`).

- Emailed action links whose click found no worker in time: the action page sends the click as a durable
  signal instead, the project applies the same rules when it gets to it, and a click no longer valid is kept in
  the audit trail as refused.
- Operators (the Temporal UI's signal dialog) and the faculty directory, with plain JSON payloads: a note,
  a teacher leaving or staying (R22), reassignment and a deadline extension (the center's steering).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.contracts import CreditRequest
    from activities.ledger import LedgerActivities
    from domain import leaving, steering
    from domain import transitions as t
    from domain.actors import DIRECTORY, OPERATOR, Actor
    from domain.commands import Evaluate, InvitationResponse, Note, VerifyHours
    from domain.errors import RuleViolation
    from domain.leaving import SupervisorLeaving, SupervisorStaying
    from domain.project import Credit, ProjectState
    from domain.steering import ExtendDeadline, Reassign
    from domain.vocabulary import EvaluationResult
    from workflows.messages import Act

QUICK_TIMEOUT = timedelta(seconds=30)
QUICK_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=1))


class ProjectSignals:
    """Signal handlers of ProjectWorkflow, which subclasses this and owns `_s`."""

    _s: ProjectState

    async def _record_credit_if_passed(self, cmd: Evaluate) -> Credit | None:
        """R2/R21: the ledger records the credit once per student; a local activity, in the same task."""
        if cmd.result is not EvaluationResult.PASS:
            return None
        credit = await workflow.execute_local_activity_method(
            LedgerActivities.record_credit,
            CreditRequest(
                student_id=self._s.student_id,
                project_id=self._s.id,
                passed_at=workflow.now(),
                course_code=self._s.profile.course.code,
            ),
            start_to_close_timeout=QUICK_TIMEOUT,
            retry_policy=QUICK_RETRY,
        )
        t.apply_credit(self._s, credit)
        return credit

    # --- emailed action links while no worker answered in time ---------------------------------------
    # The action page falls back to these signals so a click is never lost; they apply the same rules
    # when they arrive, and a click that is no longer valid is kept in the audit trail as refused.

    def _late(self, act: Act[Any], apply: Callable[[ProjectState, Actor, Any, datetime], object]) -> bool:
        if act.link_use is not None and act.link_use in self._s.link_uses:
            return False  # the click's own update was applied after all: nothing to do, nothing refused
        try:
            apply(self._s, act.actor, act.command, workflow.now())
        except RuleViolation as violation:
            self._s.record(act.actor, workflow.now(), "link_action_refused", violation.detail)
            return False
        if act.link_use is not None:
            self._s.link_uses.append(act.link_use)
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
        now = workflow.now()
        self._signalled(
            DIRECTORY, "supervisor_leaving", lambda: leaving.apply_supervisor_leaving(self._s, DIRECTORY, news, now)
        )

    @workflow.signal
    def supervisor_staying(self, news: SupervisorStaying) -> None:
        """R22 undone: `{"faculty_id": "T001"}`."""
        leaving.apply_supervisor_staying(self._s, DIRECTORY, news, workflow.now())

    @workflow.signal(name="reassign_supervisor")
    def reassign_supervisor(self, cmd: Reassign) -> None:
        """R22: `{"faculty": {"id", "name", "email", "rank", ...directory entry}, "reason": "..."}`."""
        now = workflow.now()
        self._signalled(OPERATOR, "reassign_supervisor", lambda: steering.apply_reassign(self._s, OPERATOR, cmd, now))

    @workflow.signal
    def extend_deadline(self, cmd: ExtendDeadline) -> None:
        """R22: `{"deadline": "2027-02-28T16:00:00Z", "reason": "..."}`, later than the current deadline."""
        now = workflow.now()
        self._signalled(
            OPERATOR, "extend_deadline", lambda: steering.apply_extend_deadline(self._s, OPERATOR, cmd, now)
        )
