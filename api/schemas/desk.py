"""The course office's desk as the portal reads it (SPEC §7): counts, the funnel, who is stuck.

The figures are the pure domain's report models (`domain.desk`, `domain.funnel`, `domain.impact`): they are
built for display and carry codes and ids only, never a workflow's state.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from domain.desk import DeskFilter, StageCount, StuckItem, StuckReason
from domain.digest import DigestItem
from domain.funnel import Funnel


class DeskOverview(BaseModel):
    """The filtered projects at a glance."""

    filters: DeskFilter
    generated_at: datetime
    projects: int
    counts: list[StageCount] = Field(description="Projects per stage, every stage of SPEC §3, zeros included.")
    funnel: Funnel = Field(
        description="Submitted → approved → supervised → closure report → passed, and the median days spent "
        "in each stage by the projects that left it."
    )
    stuck: int = Field(description="Projects stuck for at least one reason (GET /v1/desk/stuck lists them).")
    stuck_by_reason: dict[StuckReason, int]


class StuckList(BaseModel):
    """Who is stuck and why, longest waiting first; a project stuck for two reasons is listed twice."""

    filters: DeskFilter
    generated_at: datetime
    idle_weeks: int
    items: list[StuckItem]


class ReviewItem(DigestItem):
    """A proposal (or a group proposal, R9) waiting for the center's review, and where the review is posted."""

    overdue: bool = Field(description="Waiting as long as R8's digest threshold or longer.")
    review_path: str = Field(description="POST a decision here: the same route as for a single review.")


class ReviewQueue(BaseModel):
    """Every proposal and group proposal in review, longest waiting first (R8, R9)."""

    generated_at: datetime
    overdue_after_days: int
    items: list[ReviewItem]
