"""Is the link still for what the project waits for? (SPEC §4): the project's standing read from its view or
from the read model, checked the same way on both. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import Code, RuleViolation
from domain.links import LinkAction, LinkClaims, check_link_for
from domain.project import AuditEntry, ProjectSummary, ProjectView
from domain.stages import Stage
from domain.vocabulary import EvaluationResult
from rendering.words import taipei

# --- is the link still for what the project waits for? ------------------------------------------------

# How an invitation or a submission stopped waiting on its link, by the audit trail's action (R24).
_INVITATION_ENDED = {
    "supervision_accepted": "You accepted this invitation on {at}; you supervise this project.",
    "supervision_declined": "You declined this invitation on {at}.",
    "invitation_cancelled": "The student cancelled this invitation on {at}.",
    "invitation_expired": "This invitation lapsed on {at}: it was not answered within 14 days.",
}
_EVALUATED = {f"evaluation_{result.value}": result.value for result in EvaluationResult}
# The audit action that starts each invitation or submission: the n-th one is the link's `ref` n.
_STARTED = {LinkAction.RESPOND_INVITATION: "supervisor_invited", LinkAction.EVALUATE: "closure_submitted"}


@dataclass(frozen=True)
class Standing:
    """What a link is checked against: the workflow's view, or the read model when no worker answers."""

    project_id: str
    stage: Stage
    audit: list[AuditEntry]
    invited_id: str | None
    supervisor_id: str | None

    @classmethod
    def of_view(cls, view: ProjectView) -> Standing:
        return cls(
            project_id=view.id,
            stage=view.stage,
            audit=view.audit,
            invited_id=view.invitation.faculty.id if view.invitation else None,
            supervisor_id=view.supervisor.faculty.id if view.supervisor else None,
        )

    @classmethod
    def of_summary(cls, summary: ProjectSummary, audit: list[AuditEntry]) -> Standing:
        return cls(summary.id, summary.stage, audit, summary.invited_faculty_id, summary.supervisor_id)


def check_current(claims: LinkClaims, standing: Standing) -> None:
    """Refuse a link whose invitation or submission was replaced (TOKEN_INVALID) or has ended (INVALID_STAGE).

    An invitation's or submission's number is its place among the audit trail's starts of that kind, so the
    same check runs on the workflow's view and on the read model.
    """
    check_link_for(claims, standing.project_id, claims.action)
    if claims.action is LinkAction.VERIFY_HOURS:
        if standing.stage.is_final:
            raise RuleViolation(
                Code.INVALID_STAGE, f"The project is {standing.stage.value}; it accepts no more changes."
            )
        return
    starts = [n for n, entry in enumerate(standing.audit) if entry.action == _STARTED[claims.action]]
    if str(len(starts)) != claims.ref:
        # A later invitation or submission replaced the link's: refused like a link that never was.
        check_link_for(claims, standing.project_id, claims.action, ref=str(len(starts)))
    pending = Stage.SUPERVISOR_INVITED if claims.action is LinkAction.RESPOND_INVITATION else Stage.EVALUATION_PENDING
    holder = standing.invited_id if claims.action is LinkAction.RESPOND_INVITATION else standing.supervisor_id
    if standing.stage is pending:
        if holder != claims.subject_id:
            raise RuleViolation(Code.FORBIDDEN, "The project has a new supervisor, so this link no longer applies.")
        return
    for entry in standing.audit[starts[-1] + 1 :] if starts else []:
        if claims.action is LinkAction.RESPOND_INVITATION and entry.action in _INVITATION_ENDED:
            raise RuleViolation(Code.INVALID_STAGE, _INVITATION_ENDED[entry.action].format(at=taipei(entry.at)))
        if claims.action is LinkAction.EVALUATE and entry.action in _EVALUATED:
            raise RuleViolation(
                Code.INVALID_STAGE,
                f"This closure report was already evaluated on {taipei(entry.at)}: {_EVALUATED[entry.action]}.",
            )
    waiting = "an answer" if claims.action is LinkAction.RESPOND_INVITATION else "an evaluation"
    raise RuleViolation(
        Code.INVALID_STAGE, f"The project is no longer waiting for {waiting}; it is now {standing.stage.value}."
    )


def check_entry(claims: LinkClaims, view: ProjectView) -> None:
    """A club-hours link: its entry is still there and not yet verified (R15)."""
    entry = next((e for e in view.hours if e.id == claims.ref), None)
    if entry is None:
        raise RuleViolation(Code.NOT_FOUND, "The hours entry this link is for is no longer on the project.")
    if entry.verification is not None:
        word = "verified" if entry.verification.verified else "refused"
        raise RuleViolation(Code.INVALID_STAGE, f"These hours were already {word} on {taipei(entry.verification.at)}.")
