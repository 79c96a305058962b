"""When a project passed each step of the course, read from its audit trail (R24): the dates the office's
desk and the USR impact review measure (SPEC §7, `domain.funnel`).

The audit trail is the one record both the workflow's state and an archived view keep, so a list row
written from either (`domain.project.summarize`, `domain.view.summary_of_view`) carries the same dates.
Each entry names the stage after it, so a step's date is the first entry that left the project there:
- approved: the first entry at or past NEEDS_SUPERVISOR (a review's approval, or a group member's
  proposal approved with the group, R9);
- supervised: the first entry in a supervised stage (the supervisor accepted, R11);
- closure reported: the first closure report (R18; revisions keep the supervisor's clock running);
- decided: the entry that reached the final stage.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel

from domain.audit import AuditRecord
from domain.stages import SUPERVISED_STAGES, Stage

APPROVED_STAGES = frozenset(
    {
        Stage.NEEDS_SUPERVISOR,
        Stage.SUPERVISOR_INVITED,
        Stage.IN_PROGRESS,
        Stage.EVALUATION_PENDING,
        Stage.REVISION_REQUESTED,
        Stage.PASSED,
        Stage.FAILED,
    }
)
CLOSURE_SUBMITTED = "closure_submitted"  # the audit action of R18's submission (domain.transitions.closing)


class Milestones(BaseModel):
    approved_at: datetime | None = None
    supervised_at: datetime | None = None
    closure_submitted_at: datetime | None = None
    decided_at: datetime | None = None


def _first(audit: Sequence[AuditRecord[Stage]], stages: frozenset[Stage]) -> datetime | None:
    return next((entry.at for entry in audit if entry.stage in stages), None)


def milestones(audit: Sequence[AuditRecord[Stage]], stage: Stage) -> Milestones:
    return Milestones(
        approved_at=_first(audit, APPROVED_STAGES),
        supervised_at=_first(audit, SUPERVISED_STAGES | {Stage.PASSED, Stage.FAILED}),
        closure_submitted_at=next((e.at for e in audit if e.action == CLOSURE_SUBMITTED), None),
        decided_at=_first(audit, frozenset({stage})) if stage.is_final else None,
    )
