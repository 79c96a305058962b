"""R8: the center's review, one rule for a project's proposal and a group's (R9).

Approve, request changes or reject (the last two with a comment, `domain.commands.Review`): the decision is
kept with the proposal version it judged, the stage follows from it, and the audit trail records it. What
each decision mails is the caller's (a project tells its student, a group its applicant or members).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Protocol, TypeVar

from pydantic import BaseModel

from domain.actors import Actor
from domain.commands import Review
from domain.vocabulary import ReviewDecision

S = TypeVar("S", bound=StrEnum)


class ReviewRecord(BaseModel):
    decision: ReviewDecision
    comment: str
    by: str
    at: datetime
    proposal_version: int


class Reviewed(Protocol[S]):
    stage: S
    reviews: list[ReviewRecord]
    proposal_version: int

    def record(self, actor: Actor, at: datetime, action: str, detail: str = "") -> None: ...


def apply_decision(
    state: Reviewed[S], actor: Actor, cmd: Review, now: datetime, *, stages: Mapping[ReviewDecision, S], action: str
) -> None:
    """Keep the decision, move to the stage it leads to, and record `<action>_<decision>` (R8, R24)."""
    state.reviews.append(
        ReviewRecord(
            decision=cmd.decision, comment=cmd.comment, by=actor.id, at=now, proposal_version=state.proposal_version
        )
    )
    state.stage = stages[cmd.decision]
    state.record(actor, now, f"{action}_{cmd.decision.value}", cmd.comment)
