"""What people ask a project to do: the payloads of the workflow updates (SPEC §4)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, StrictBool, model_validator

from domain.people import Faculty
from domain.proposal import Proposal
from domain.vocabulary import EvaluationResult, ReflectionFormat, ReviewDecision


class Review(BaseModel):
    """R8: the center's decision on a proposal."""

    decision: ReviewDecision
    comment: str = Field(default="", max_length=5000)

    @model_validator(mode="after")
    def _reason_given(self) -> Review:
        if self.decision is not ReviewDecision.APPROVE and not self.comment.strip():
            raise ValueError("a comment is required when requesting changes or rejecting (R8)")
        return self


class ReviseProposal(BaseModel):
    proposal: Proposal


class Invite(BaseModel):
    """R10/R11: the invited teacher as the directory knows them, and the proposed reflection format.
    `departs_at` is the end of the teacher's `leaving_after` semester, when they leave NTUST (R13)."""

    faculty: Faculty
    reflection_format: ReflectionFormat
    departs_at: datetime | None = None


class CancelInvitation(BaseModel):
    """R12: the student withdraws the pending invitation."""


class InvitationResponse(BaseModel):
    """R11: accept (agreeing on a format, the teacher may pick another) or decline with an optional reason."""

    accept: StrictBool
    reflection_format: ReflectionFormat | None = None
    reason: str = Field(default="", max_length=2000)


class VerifyHours(BaseModel):
    """R15: OSA's verification of club hours."""

    entry_id: str
    verified: StrictBool
    note: str = Field(default="", max_length=2000)


class WithdrawItem(BaseModel):
    """R16: the student takes back an hours entry or an evidence item entered by mistake (kept, uncounted)."""

    item: Literal["hours", "evidence"]
    item_id: str = Field(min_length=1, max_length=64)
    reason: str = Field(default="", max_length=2000)


class Evaluate(BaseModel):
    """R19: pass, fail (feedback required) or revise (feedback required)."""

    result: EvaluationResult
    feedback: str = Field(default="", max_length=20000)

    @model_validator(mode="after")
    def _feedback_given(self) -> Evaluate:
        if self.result is not EvaluationResult.PASS and not self.feedback.strip():
            raise ValueError("feedback is required to fail or return a closure report (R19)")
        return self


class Withdraw(BaseModel):
    reason: str = Field(default="", max_length=2000)


class RequestReminder(BaseModel):
    """R20: the student asks Praxis to remind the supervisor."""


class Note(BaseModel):
    """An operator's note in the audit trail."""

    text: str = Field(min_length=1, max_length=5000)
