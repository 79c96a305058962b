"""The center steers a project (R22): another supervisor for one whose teacher left or cannot go on, and
more time before a leaving teacher's deadline. The center does it from the portal; an operator can send the
same as signals from the Temporal UI (docs/operators.md)."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, Field

from domain.access import require_visible
from domain.actors import Actor
from domain.deadlines import evaluation_moments
from domain.errors import Code, RuleViolation
from domain.guards import require_stage, require_steering
from domain.leaving import active_departure, tell_student_the_date
from domain.people import Faculty, check_can_supervise
from domain.project import ProjectState, Supervision
from domain.stages import SUPERVISED_STAGES, Stage
from domain.vocabulary import Role


class Reassign(BaseModel):
    """The center gives the project another supervisor: a directory entry, and why."""

    faculty: Faculty
    reason: str = Field(default="", max_length=2000)


class ExtendDeadline(BaseModel):
    """The center moves the project's deadline later."""

    deadline: AwareDatetime
    reason: str = Field(default="", max_length=2000)


def check_reassign(state: ProjectState, actor: Actor, cmd: Reassign) -> None:
    require_visible(state, actor)
    require_steering(actor, "reassign a supervisor")
    require_stage(state.stage, SUPERVISED_STAGES, "reassign a supervisor (a project without one invites one, R10)")
    check_can_supervise(cmd.faculty, str(cmd.faculty.email), state.profile.accepted.eligible_ranks)
    assert state.supervisor is not None
    if cmd.faculty.id == state.supervisor.faculty.id:
        raise RuleViolation(Code.VALIDATION_ERROR, f"{cmd.faculty.name} already supervises this project.")


def apply_reassign(state: ProjectState, actor: Actor, cmd: Reassign, now: datetime) -> None:
    """R22: a new supervisor; the departed one is kept on record. A pending evaluation starts R20 over."""
    check_reassign(state, actor, cmd)
    former = state.supervisor
    assert former is not None
    state.former_supervisors.append(former)
    state.supervisor = Supervision(faculty=cmd.faculty, reflection_format=former.reflection_format, confirmed_at=now)
    state.departure = None
    state.deadline = None
    state.record(actor, now, "supervisor_reassigned", f"{former.faculty.id} -> {cmd.faculty.id}: {cmd.reason}")
    if state.stage is Stage.EVALUATION_PENDING and state.submission is not None:
        state.notify(
            "evaluation_assigned",
            Role.FACULTY,
            cmd.faculty.id,
            submission_seq=str(state.submission.seq),
            reason=cmd.reason,
            **evaluation_moments(now, now, schedule=state.profile.schedule),
        )
    else:
        state.notify("supervisor_assigned", Role.FACULTY, cmd.faculty.id, reason=cmd.reason)
    state.notify("supervisor_changed", Role.STUDENT, state.student_id, reason=cmd.reason)
    state.notify("supervisor_replaced", Role.FACULTY, former.faculty.id, reason=cmd.reason)


def check_extend_deadline(state: ProjectState, actor: Actor, cmd: ExtendDeadline, now: datetime) -> None:
    require_visible(state, actor)
    require_steering(actor, "extend a deadline")
    departure = active_departure(state)
    if departure is None:
        raise RuleViolation(Code.INVALID_STAGE, "The project has no deadline to extend (R22 sets one).")
    if cmd.deadline <= max(departure.deadline, now):
        raise RuleViolation(
            Code.VALIDATION_ERROR,
            f"An extension must be later than the current deadline {departure.deadline.isoformat()} and than now.",
        )


def apply_extend_deadline(state: ProjectState, actor: Actor, cmd: ExtendDeadline, now: datetime) -> None:
    """The center gives more time: reminders re-arm before the new date, and a handover is withdrawn."""
    check_extend_deadline(state, actor, cmd, now)
    departure = active_departure(state)
    assert departure is not None
    departure.extended_to = cmd.deadline
    departure.extension_reason = cmd.reason
    departure.armed_at = now
    departure.handed_over_at = None
    state.deadline = departure.deadline
    state.record(actor, now, "deadline_extended", f"to {cmd.deadline.isoformat()}: {cmd.reason}")
    tell_student_the_date(state, departure, now, changed=True)
