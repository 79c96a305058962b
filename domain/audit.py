"""R24: the audit trail a project and a group keep alike, written in one place.

`ProjectState` and `GroupState` declare their own `audit`, `revision` and `stage_since` fields (their
serialized shape lives in Temporal histories and must not move); `write_audit` is what both do with them.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar

from pydantic import BaseModel

from domain.actors import Actor
from domain.vocabulary import Channel, Role

StageT = TypeVar("StageT", bound=StrEnum)


class AuditRecord(BaseModel, Generic[StageT]):
    """R24: who, when, what, via which channel, and the stage after it (a project's or a group's)."""

    seq: int
    at: datetime
    actor_id: str
    role: Role
    channel: Channel
    action: str
    detail: str = ""
    stage: StageT


Entry = TypeVar("Entry", bound=AuditRecord[Any])


class Audited(Protocol[Entry]):
    """A state that keeps an audit trail of `Entry` and counts its changes."""

    audit: list[Entry]
    revision: int
    stage_since: datetime | None

    @property
    def stage(self) -> StrEnum: ...


def write_audit(
    state: Audited[Entry], entry: type[Entry], actor: Actor, at: datetime, action: str, detail: str
) -> None:
    """Append to the audit trail and mark the state changed; a new stage starts its clock (`stage_since`)."""
    state.revision += 1
    if not state.audit or state.audit[-1].stage is not state.stage:
        state.stage_since = at
    state.audit.append(
        entry(
            seq=len(state.audit) + 1,
            at=at,
            actor_id=actor.id,
            role=actor.role,
            channel=actor.channel,
            action=action,
            detail=detail,
            stage=state.stage,
        )
    )
