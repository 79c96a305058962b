"""Step 2, supervision (R10-R13): the student invites one eligible teacher, who accepts or declines."""

from __future__ import annotations

from datetime import datetime

from domain.access import require_owner, require_visible
from domain.actors import Actor
from domain.commands import InvitationResponse, Invite
from domain.deadlines import invitation_moments
from domain.errors import Code, RuleViolation
from domain.guards import require_stage
from domain.people import check_can_supervise, check_not_departed
from domain.project import Invitation, ProjectState, Supervision
from domain.stages import Stage
from domain.vocabulary import Role


def _require_invited(state: ProjectState, actor: Actor) -> Invitation:
    require_visible(state, actor)
    require_stage(state.stage, {Stage.SUPERVISOR_INVITED}, "answer an invitation")
    invitation = state.invitation
    if invitation is None or actor.role is not Role.FACULTY or actor.id != invitation.faculty.id:
        raise RuleViolation(Code.FORBIDDEN, "Only the invited teacher can answer this invitation.")
    return invitation


def leaving_warning(cmd: Invite) -> str | None:
    """R13: inviting a teacher who leaves NTUST after a semester warns the student."""
    if cmd.faculty.leaving_after is None:
        return None
    return (
        f"{cmd.faculty.name} leaves NTUST after semester {cmd.faculty.leaving_after}: the project must be "
        "evaluated before that semester ends, or it goes to the center for reassignment."
    )


def check_invite(state: ProjectState, actor: Actor, cmd: Invite, now: datetime) -> None:
    require_owner(state, actor, "invite a supervisor")
    if state.stage is Stage.SUPERVISOR_INVITED:
        raise RuleViolation(
            Code.INVALID_STAGE, "An invitation is already pending; cancel it before inviting someone else (R12)."
        )
    require_stage(state.stage, {Stage.NEEDS_SUPERVISOR}, "invite a supervisor")
    check_can_supervise(cmd.faculty, str(cmd.faculty.email), state.profile.accepted.eligible_ranks)
    check_not_departed(cmd.faculty, cmd.departs_at, now)


def apply_invite(state: ProjectState, actor: Actor, cmd: Invite, now: datetime) -> None:
    check_invite(state, actor, cmd, now)
    state.invitation_seq += 1
    state.invitation = Invitation(
        seq=state.invitation_seq, faculty=cmd.faculty, reflection_format=cmd.reflection_format, invited_at=now
    )
    state.stage = Stage.SUPERVISOR_INVITED
    warning = leaving_warning(cmd)
    state.record(actor, now, "supervisor_invited", f"{cmd.faculty.id}" + (f"; warning: {warning}" if warning else ""))
    state.notify(
        "invitation",
        Role.FACULTY,
        cmd.faculty.id,
        invitation_seq=str(state.invitation_seq),
        **invitation_moments(now, state.profile.schedule),
    )


def check_cancel_invitation(state: ProjectState, actor: Actor) -> None:
    require_owner(state, actor, "cancel the invitation")
    require_stage(state.stage, {Stage.SUPERVISOR_INVITED}, "cancel an invitation")


def apply_cancel_invitation(state: ProjectState, actor: Actor, now: datetime) -> None:
    check_cancel_invitation(state, actor)
    assert state.invitation is not None
    faculty_id = state.invitation.faculty.id
    state.invitation = None
    state.stage = Stage.NEEDS_SUPERVISOR
    state.record(actor, now, "invitation_cancelled", faculty_id)
    state.notify("invitation_cancelled", Role.FACULTY, faculty_id)


def check_respond(state: ProjectState, actor: Actor, cmd: InvitationResponse) -> None:
    _require_invited(state, actor)


def apply_respond(state: ProjectState, actor: Actor, cmd: InvitationResponse, now: datetime) -> None:
    """R11: accepting agrees on a reflection format (the teacher may pick another); declining frees the slot."""
    invitation = _require_invited(state, actor)
    state.invitation = None
    if cmd.accept:
        agreed = cmd.reflection_format or invitation.reflection_format
        state.supervisor = Supervision(faculty=invitation.faculty, reflection_format=agreed, confirmed_at=now)
        state.stage = Stage.IN_PROGRESS
        state.record(actor, now, "supervision_accepted", f"reflection format: {agreed.value}")
        state.notify("invitation_accepted", Role.STUDENT, state.student_id, reflection_format=agreed.value)
    else:
        state.stage = Stage.NEEDS_SUPERVISOR
        state.record(actor, now, "supervision_declined", cmd.reason)
        state.notify("invitation_declined", Role.STUDENT, state.student_id, reason=cmd.reason)


def apply_invitation_expired(state: ProjectState, actor: Actor, now: datetime) -> None:
    """R12: after 14 days unanswered the invitation lapses and the student is told to invite someone else."""
    assert state.invitation is not None
    faculty_id = state.invitation.faculty.id
    state.invitation = None
    state.stage = Stage.NEEDS_SUPERVISOR
    state.record(actor, now, "invitation_expired", faculty_id)
    state.notify("invitation_expired", Role.STUDENT, state.student_id)
