"""The course's funnel (SPEC §7): how many projects reach each step, and how long each stage takes.

Steps: submitted → approved (R8) → supervised (R11, the supervisor confirmed) → closure report (R18) →
passed (R19). A project counts at every step up to the furthest it reached, so the counts never grow
along the funnel even where an earlier date is missing (a group member's proposal is approved without a
review of its own, R9).

Stage times are measured between the dates that close each stage, in days, over the projects that have
both; the median is reported because a few forgotten projects ("no need to rush", R25) would drag a mean
for months. Projects still in a stage are not measured yet, so a young semester's medians run short.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel

from domain.stages import Stage


class FunnelStep(StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    SUPERVISED = "supervised"
    CLOSURE_REPORTED = "closure_reported"
    PASSED = "passed"


class FunnelStage(StrEnum):
    """The time between two steps."""

    REVIEW = "review"  # submitted → approved
    SUPERVISOR_SEARCH = "supervisor_search"  # approved → supervised
    IMPLEMENTATION = "implementation"  # supervised → closure report
    EVALUATION = "evaluation"  # closure report → passed or failed


class FunnelDates(Protocol):
    """What the funnel reads from a project (an `ImpactRecord` is one)."""

    @property
    def stage(self) -> Stage: ...
    @property
    def submitted_at(self) -> datetime | None: ...
    @property
    def approved_at(self) -> datetime | None: ...
    @property
    def supervised_at(self) -> datetime | None: ...
    @property
    def closure_submitted_at(self) -> datetime | None: ...
    @property
    def decided_at(self) -> datetime | None: ...


class StepCount(BaseModel):
    step: FunnelStep
    projects: int


class StageTime(BaseModel):
    stage: FunnelStage
    measured: int  # projects with both dates
    median_days: float | None  # None when none is measured


class Funnel(BaseModel):
    steps: list[StepCount]
    stages: list[StageTime]


_STEPS = list(FunnelStep)
_EVALUATED = frozenset({Stage.PASSED, Stage.FAILED})


def furthest_step(record: FunnelDates) -> FunnelStep:
    if record.stage is Stage.PASSED:
        return FunnelStep.PASSED
    if record.closure_submitted_at is not None:
        return FunnelStep.CLOSURE_REPORTED
    if record.supervised_at is not None:
        return FunnelStep.SUPERVISED
    if record.approved_at is not None:
        return FunnelStep.APPROVED
    return FunnelStep.SUBMITTED


def _span(record: FunnelDates, stage: FunnelStage) -> tuple[datetime | None, datetime | None]:
    if stage is FunnelStage.REVIEW:
        return record.submitted_at, record.approved_at
    if stage is FunnelStage.SUPERVISOR_SEARCH:
        return record.approved_at, record.supervised_at
    if stage is FunnelStage.IMPLEMENTATION:
        return record.supervised_at, record.closure_submitted_at
    # A withdrawal after the report is no evaluation: only a verdict closes this stage.
    return record.closure_submitted_at, record.decided_at if record.stage in _EVALUATED else None


def stage_days(records: Sequence[FunnelDates], stage: FunnelStage) -> list[float]:
    """Days each project spent in `stage`; dates out of order (a data error) are left out, not counted as 0."""
    days: list[float] = []
    for record in records:
        start, end = _span(record, stage)
        if start is not None and end is not None and end >= start:
            days.append((end - start).total_seconds() / 86400)
    return days


def funnel(records: Sequence[FunnelDates]) -> Funnel:
    reached = [_STEPS.index(furthest_step(r)) for r in records]
    steps = [StepCount(step=step, projects=sum(i >= n for i in reached)) for n, step in enumerate(_STEPS)]
    stages = []
    for stage in FunnelStage:
        days = stage_days(records, stage)
        median = round(statistics.median(days), 1) if days else None
        stages.append(StageTime(stage=stage, measured=len(days), median_days=median))
    return Funnel(steps=steps, stages=stages)
