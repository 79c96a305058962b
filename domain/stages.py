"""Project stages (SPEC §3) and where each action may happen."""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    PROPOSAL_REVIEW = "PROPOSAL_REVIEW"
    CHANGES_REQUESTED = "CHANGES_REQUESTED"
    REJECTED = "REJECTED"
    NEEDS_SUPERVISOR = "NEEDS_SUPERVISOR"
    SUPERVISOR_INVITED = "SUPERVISOR_INVITED"
    IN_PROGRESS = "IN_PROGRESS"
    EVALUATION_PENDING = "EVALUATION_PENDING"
    REVISION_REQUESTED = "REVISION_REQUESTED"
    PASSED = "PASSED"
    FAILED = "FAILED"
    WITHDRAWN = "WITHDRAWN"

    @property
    def is_final(self) -> bool:
        return self in FINAL_STAGES


FINAL_STAGES = frozenset({Stage.REJECTED, Stage.PASSED, Stage.FAILED, Stage.WITHDRAWN})

# SPEC §3: hours and evidence may be added from NEEDS_SUPERVISOR on, until the report is under evaluation.
WORK_STAGES = frozenset({Stage.NEEDS_SUPERVISOR, Stage.SUPERVISOR_INVITED, Stage.IN_PROGRESS, Stage.REVISION_REQUESTED})
# R18: a closure report is submitted once the supervisor confirmed, or resubmitted after `revise` (R19).
CLOSURE_STAGES = frozenset({Stage.IN_PROGRESS, Stage.REVISION_REQUESTED})
# A supervisor is attached in these stages.
SUPERVISED_STAGES = frozenset({Stage.IN_PROGRESS, Stage.EVALUATION_PENDING, Stage.REVISION_REQUESTED})
