"""The checks every action starts with: the stage it may happen in, and the role that may ask for it."""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum

from domain.actors import Actor
from domain.errors import Code, RuleViolation
from domain.vocabulary import Role

STEERING_ROLES = frozenset({Role.CENTER, Role.OPERATOR})


def require_stage(stage: StrEnum, allowed: Collection[StrEnum], action: str, *, noun: str = "project") -> None:
    """INVALID_STAGE unless `stage` is one of `allowed`; the refusal names where the action is possible."""
    if stage not in allowed:
        names = ", ".join(sorted(s.value for s in allowed))
        raise RuleViolation(
            Code.INVALID_STAGE, f"Cannot {action} while the {noun} is {stage.value} (allowed in: {names})."
        )


def require_open(stage: StrEnum, is_final: bool, *, noun: str = "project") -> None:
    """INVALID_STAGE once the project or group is final: it accepts no more changes (SPEC §3)."""
    if is_final:
        raise RuleViolation(Code.INVALID_STAGE, f"The {noun} is {stage.value}; it accepts no more changes.")


def require_role(actor: Actor, roles: Collection[Role], action: str) -> None:
    """FORBIDDEN for any role but `roles`."""
    if actor.role not in roles:
        raise RuleViolation(Code.FORBIDDEN, f"A {actor.role.value} cannot {action}.")


def require_steering(actor: Actor, action: str) -> None:
    """The center (or an operator in the Temporal UI) steers projects: reassignment, extensions (R22)."""
    if actor.role not in STEERING_ROLES:
        raise RuleViolation(Code.FORBIDDEN, f"Only the center can {action}.")
