"""Step 1, the proposal (R4-R7, R9)."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.profile import FRAME_ID_PATTERN, CourseProfile
from domain.vocabulary import HIGH_PRIORITY_TAGS, LOW_PRIORITY_TAGS, Category, Priority, PriorityTag


class IndicatorClaim(BaseModel):
    """R4/R7: an indicator (or competency) of the course profile's frame the project serves, with a sentence on
    how. Which ids exist is the profile's to say (`CourseProfile.check_proposal`)."""

    # Length limits apply to the text without surrounding whitespace: spaces are not a sentence.
    model_config = ConfigDict(str_strip_whitespace=True)

    indicator: str = Field(pattern=FRAME_ID_PATTERN, examples=["civic_consciousness"])
    how: str = Field(min_length=10, max_length=2000)


def priority_of(tags: list[PriorityTag]) -> Priority:
    """R6: high if any high tag, else low if any low tag, else normal."""
    if any(tag in HIGH_PRIORITY_TAGS for tag in tags):
        return Priority.HIGH
    if any(tag in LOW_PRIORITY_TAGS for tag in tags):
        return Priority.LOW
    return Priority.NORMAL


class ProposalContent(BaseModel):
    """What a reviewer judges (R4-R7), shared by an individual proposal and a group proposal (R9)."""

    # Length limits apply to the text without surrounding whitespace, so a blank or padded title or plan
    # cannot pass for one reviewers can judge (R4).
    model_config = ConfigDict(str_strip_whitespace=True)

    title: str = Field(min_length=3, max_length=200)
    plan: str = Field(min_length=20, max_length=20000)
    category: Category
    tags: list[PriorityTag] = Field(default_factory=list)
    indicators: list[IndicatorClaim] = Field(min_length=1, max_length=5)
    justification: str | None = Field(default=None, max_length=5000)

    @model_validator(mode="after")
    def _rules(self) -> Self:
        chosen = [claim.indicator for claim in self.indicators]
        if len(set(chosen)) != len(chosen):
            raise ValueError("each indicator may be claimed once")
        if self.priority is Priority.LOW and not (self.justification or "").strip():
            raise ValueError("a low-priority proposal must carry a justification (R6)")
        return self

    @property
    def priority(self) -> Priority:
        return priority_of(self.tags)

    @property
    def chosen_indicators(self) -> set[str]:
        return {claim.indicator for claim in self.indicators}

    def check_fits(self, profile: CourseProfile) -> None:
        """R4-R7 under the course's profile: its categories, its priority tags, its frame."""
        profile.check_proposal(
            category=self.category, tags=self.tags, indicators=[c.indicator for c in self.indicators]
        )


class Proposal(ProposalContent):
    """R4: topic, a clear plan, a category and at least one indicator; R6 justification when low priority."""

    group_id: str | None = Field(default=None, max_length=64)  # R9: an individual proposal linked to a group
