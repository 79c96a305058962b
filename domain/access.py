"""Who may see a project (SPEC §4): the rule every read and every action starts with.

A person who may not see a project is not told it exists: reads answer NOT_FOUND, and so does every
action's check (the workflow's update validators run it first, so no read precedes an action). Those who
may see it but not do the thing asked get FORBIDDEN from the action's own rule.
"""

from __future__ import annotations

from domain.actors import Actor
from domain.errors import Code, RuleViolation
from domain.project import ProjectState, ProjectView
from domain.vocabulary import Role

# The center and operators see every project; the system's own actors act on every project.
_SEE_ALL = frozenset({Role.CENTER, Role.OPERATOR, Role.SYSTEM})


def may_see(actor: Actor, *, student_id: str, supervisor_id: str | None, invited_id: str | None) -> bool:
    """The owner, its supervisor or the teacher invited to supervise it, the center, OSA (R15 verifies hours)."""
    if actor.role in _SEE_ALL or actor.role is Role.OSA:
        return True
    if actor.role is Role.STUDENT:
        return actor.id == student_id
    if actor.role is Role.FACULTY:
        return actor.id in (supervisor_id, invited_id)
    return False


def may_read(actor: Actor, view: ProjectView) -> bool:
    return may_see(
        actor,
        student_id=view.student_id,
        supervisor_id=view.supervisor.faculty.id if view.supervisor else None,
        invited_id=view.invitation.faculty.id if view.invitation else None,
    )


def require_visible(state: ProjectState, actor: Actor) -> None:
    """NOT_FOUND for anyone who may not know the project exists."""
    visible = may_see(
        actor,
        student_id=state.student_id,
        supervisor_id=state.supervisor.faculty.id if state.supervisor else None,
        invited_id=state.invitation.faculty.id if state.invitation else None,
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
