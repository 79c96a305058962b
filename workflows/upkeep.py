"""What a project keeps outside its workflow, and when: the records (read model, audit trail, evidence
references, the first try at its mails) and what operators see in the Temporal UI.

An action the portal asked for answers with the project's row (`workflows.messages.Outcome`) and the API
writes it, so an action that changes nothing else (logging hours, OSA's verification) costs the workflow no
extra work. The workflow writes its records itself, in a local activity of the same workflow task, whenever a
change owes mail, adds evidence, moves the stage, or came from something no caller reports (a timer, a
signal). What the first try could not mail goes out through a regular activity with Temporal's retries; a
mail that can never go out is recorded in the audit trail and reported to the center (`domain.mailing`).
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeUpdate

with workflow.unsafe.imports_passed_through():
    from activities.contracts import NoticeBatch, SyncProject, Undelivered
    from activities.mail.notices import MailActivities
    from activities.records import RecordsActivities
    from domain import leaving
    from domain.mailing import apply_undeliverable
    from domain.notices import Notice
    from domain.nudges import next_nudge
    from domain.project import ProjectState
    from domain.stages import Stage
    from domain.view import build_view, summarize
    from workflows.attributes import GROUP, SEMESTER, STAGE, STUDENT, SUPERVISOR, classification
    from workflows.messages import RECENT_OUTCOMES, Outcome, ProjectStart, StoredOutcome

SYNC_TIMEOUT = timedelta(seconds=30)
# No attempt limit: a database outage must delay the records, never fail the project (ActivityError would).
SYNC_RETRY = RetryPolicy(maximum_interval=timedelta(seconds=10))
# Mail waits out an SMTP outage: retried with backoff for as long as it takes, visible as a pending activity.
MAIL_TIMEOUT = timedelta(minutes=2)
MAIL_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=10))

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


class Upkeep:
    """The project's books: what its records already hold, and what the Temporal UI shows."""

    def __init__(self, state: ProjectState, start: ProjectStart) -> None:
        self._s = state
        self.synced_revision = start.synced_revision
        self.synced_audit = start.synced_audit
        self.synced_evidence = start.synced_evidence
        self._synced_stage: Stage | None = None if start.state is None else state.stage
        self.reported = -1  # the newest revision an update answered with: its caller writes that row
        self.recent = list(start.recent)  # what the last actions answered, for the archive
        self._published = -1
        self._attributes: dict[str, str | None] = {}

    def remember(self, update_id: str, outcome: Outcome) -> None:
        """Keep what an action answered (the last few), so the archive can answer a retry of its key."""
        self.recent = [*self.recent[-(RECENT_OUTCOMES - 1) :], StoredOutcome(update_id=update_id, outcome=outcome)]

    def dirty(self) -> bool:
        """Something to write or send, or to show operators."""
        return self._needs_sync() or self._s.revision != self._published

    def _needs_sync(self) -> bool:
        s = self._s
        return (
            bool(s.notices)
            or len(s.evidence) > self.synced_evidence
            or s.stage is not self._synced_stage
            or s.revision > max(self.synced_revision, self.reported)
        )

    async def flush(self) -> None:
        """Write the records and try the mails (one local activity), retry what did not go out, and publish."""
        if self._needs_sync():
            s = self._s
            notices = list(s.notices)
            summary = summarize(s)
            closed = s.stage.is_final
            request = SyncProject(
                summary=summary,
                audit=s.audit[self.synced_audit :],
                evidence=[(e.id, e.blob.digest) for e in s.evidence[self.synced_evidence :]],
                notices=notices,
                at=workflow.now(),
                # Closed: the archive gets the final view before the workflow completes (SPEC §6).
                closing=build_view(s, workflow.now()) if closed else None,
                outcomes=[(kept.update_id, kept.outcome.model_dump_json()) for kept in self.recent] if closed else [],
                profile=s.profile,
            )
            synced = await workflow.execute_local_activity_method(
                RecordsActivities.sync_project,
                request,
                start_to_close_timeout=SYNC_TIMEOUT,
                retry_policy=SYNC_RETRY,
                summary=", ".join(n.template for n in notices) or None,
            )
            self.synced_revision = summary.revision
            self.synced_audit = len(request.audit) + self.synced_audit
            self.synced_evidence += len(request.evidence)
            self._synced_stage = summary.stage
            del s.notices[: len(notices)]
            lost = list(synced.undeliverable)
            unsent = [n for n in notices if n.key in set(synced.unsent)]
            if unsent:
                delivered = await workflow.execute_activity_method(
                    MailActivities.deliver_notices,
                    NoticeBatch(summary=summary, notices=unsent, at=request.at, profile=s.profile),
                    summary=", ".join(n.template for n in unsent),
                    start_to_close_timeout=MAIL_TIMEOUT,
                    retry_policy=MAIL_RETRY,
                )
                lost += delivered.undeliverable if delivered is not None else []
            self._record_lost(notices, lost)
        if self._s.revision != self._published:
            self._publish()

    def _record_lost(self, notices: list[Notice], lost: list[Undelivered]) -> None:
        """A mail that can never be delivered is in the audit trail and the center hears of it; the next
        flush writes and sends that."""
        by_key = {n.key: n for n in notices}
        for undelivered in lost:
            notice = by_key.get(undelivered.key)
            if notice is not None:
                apply_undeliverable(self._s, notice, undelivered.reason, workflow.now())

    def _publish(self) -> None:
        """Search attributes and current details for operators in the Temporal UI (ids only, no names)."""
        s = self._s
        wanted = {
            STAGE.name: s.stage.value,
            SEMESTER.name: s.semester_id,
            STUDENT.name: s.student_id,
            SUPERVISOR.name: s.supervisor.faculty.id if s.supervisor else None,
            GROUP.name: s.proposal.group_id,
        }
        keys = {k.name: k for k in (STAGE, SEMESTER, STUDENT, SUPERVISOR, GROUP)}
        if not self._attributes:
            # The start set these; only a change is worth an event in the history.
            self._attributes = {STAGE.name: None, SEMESTER.name: s.semester_id, STUDENT.name: s.student_id}
        updates: list[SearchAttributeUpdate[str]] = [
            keys[name].value_set(value) if value is not None else keys[name].value_unset()
            for name, value in wanted.items()
            if self._attributes.get(name) != value
        ]
        if updates:
            workflow.upsert_search_attributes(updates)
            self._attributes.update(wanted)
        upcoming = next_nudge(s, workflow.now())
        what = classification(s.proposal.category.value, s.semester_id)
        details = f"**{s.stage.value}** — {WAITING_FOR[s.stage]}\n\n{what}"
        if upcoming:
            details += f"\n\nNext nudge: {upcoming.kind.value} (day {upcoming.day}) at {upcoming.at.isoformat()}"
        departure = leaving.active_departure(s)
        if departure is not None:
            details += (
                f"\n\nDeadline (R22): {departure.deadline.isoformat()}, "
                f"{departure.faculty_id} leaves NTUST after {departure.semester_id}"
            )
            if departure.handed_over_at is not None:
                details += (
                    "\n\n**Handed to the center**: reassign it from the portal (`POST /v1/projects/{id}/supervisor`)"
                    " or send `reassign_supervisor` with the new supervisor"
                )
        workflow.set_current_details(details)
        self._published = s.revision
