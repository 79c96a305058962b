"""Who may see a project (SPEC §4): the rule every read and every action starts with.

A person who may not see a project is not told it exists: reads answer NOT_FOUND, and so does every
action's check (the workflow's update validators run it first, so no read precedes an action). Those who
may see it but not do the thing asked get FORBIDDEN from the action's own rule.
"""

from __future__ import annotations

from domain.actors import Actor
from domain.errors import Code, RuleViolation
from domain.project import ProjectState, ProjectView
from domain.vocabulary import HourSource, Role

# The center and operators see every project; the system's own actors act on every project.
_SEE_ALL = frozenset({Role.CENTER, Role.OPERATOR, Role.SYSTEM})


def may_see(
    actor: Actor,
    *,
    student_id: str,
    supervisor_id: str | None,
    invited_id: str | None,
    club_hours: bool = False,
) -> bool:
    """SPEC §4: the owner, its supervisor or the teacher invited to supervise it, the center. The Office of
    Student Affairs knows of a project only while it has hours done through an on-campus club (`club_hours`),
    the entries R15 has it verify; it never reads the project itself."""
    if actor.role in _SEE_ALL:
        return True
    if actor.role is Role.OSA:
        return club_hours
    if actor.role is Role.STUDENT:
        return actor.id == student_id
    if actor.role is Role.FACULTY:
        return actor.id in (supervisor_id, invited_id)
    return False


def may_read(actor: Actor, view: ProjectView) -> bool:
    """Who may read the whole project (its view, its photos): OSA never does (R15 needs only the entry)."""
    return may_see(
        actor,
        student_id=view.student_id,
        supervisor_id=view.supervisor.faculty.id if view.supervisor else None,
        invited_id=view.invitation.faculty.id if view.invitation else None,
    )


def require_visible(state: ProjectState, actor: Actor) -> None:
    """NOT_FOUND for anyone who may not know the project exists (every action's first check)."""
    visible = may_see(
        actor,
        student_id=state.student_id,
        supervisor_id=state.supervisor.faculty.id if state.supervisor else None,
        invited_id=state.invitation.faculty.id if state.invitation else None,
        # Only OSA's visibility depends on the hours, and every action checks it: the scan is for OSA only.
        club_hours=actor.role is Role.OSA and any(entry.source is HourSource.CAMPUS_CLUB for entry in state.hours),
    )
    if not visible:
        raise RuleViolation(Code.NOT_FOUND, "No such project.")


def require_owner(state: ProjectState, actor: Actor, action: str, *, center_too: bool = False) -> None:
    """The project's own student (and, where the course allows it, the center) may do this."""
    require_visible(state, actor)
    if actor.role is Role.STUDENT and actor.id == state.student_id:
        return
    if center_too and actor.role in (Role.CENTER, Role.OPERATOR):
        return
    raise RuleViolation(Code.FORBIDDEN, f"Only the project's student can {action}.")


def require_supervisor(state: ProjectState, actor: Actor, action: str) -> None:
    """The confirmed supervisor, and only them."""
    require_visible(state, actor)
    if actor.role is Role.FACULTY and state.supervisor is not None and state.supervisor.faculty.id == actor.id:
        return
    raise RuleViolation(Code.FORBIDDEN, f"Only the project's supervisor can {action}.")
