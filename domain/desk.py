"""The course office's desk (SPEC §7): the semester at a glance from the project read model, as pure rules.

    rows = store.desk.desk_rows(s, DeskFilter(semester="2026-fall"))
    stage_counts(rows)                                   # every stage, zeros included
    funnel([impact_record(r) for r in rows])            # domain.funnel: steps and median days per stage
    stuck(rows, leaving={"T90003": "2026-fall"}, now=now)  # who is stuck, why, and for how long

A project is *stuck* when someone owes it a step for longer than the course's own clocks allow, each reason
timed from the moment its clock started (`since`) and aged in whole days:
- an unreviewed proposal: in review for R8's 3 days (the digest's threshold), since it entered review;
- an unanswered invitation: past R12's first reminder (3 days), since the invitation;
- no hours logged for `idle_weeks` weeks (3 by default) while IN_PROGRESS, since the last hours (or the
  supervisor's confirmation if none were logged since);
- an evaluation overdue: past R20's first reminder (7 days) after the submission or a reassignment; the age
  is R20's day, and from day 21 the center has been told;
- handed over and awaiting reassignment (R22), since the deadline that passed;
- a leaving teacher (R13/R22) with the project open: listed from when the project found its teacher, with
  the deadline as `due` once the project has one (a handed-over project is listed as
  awaiting reassignment instead).
A project can be stuck for two reasons at once (a leaving teacher's overdue evaluation); each is listed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel

from domain.deadlines import EVALUATION_ESCALATION_DAYS, EVALUATION_REMINDER_DAYS, INVITATION_REMINDER_DAYS
from domain.digest import REVIEW_WAIT
from domain.impact import ImpactRecord
from domain.project import ProjectSummary
from domain.stages import Stage
from domain.vocabulary import Category, Priority, PriorityTag

DEFAULT_IDLE_WEEKS = 3
INVITATION_WAIT = timedelta(days=INVITATION_REMINDER_DAYS[0])  # R12: the first reminder
EVALUATION_WAIT = timedelta(days=EVALUATION_REMINDER_DAYS[0])  # R20: the first reminder
# The teacher a leaving supervisor's project depends on: the invited one, or the confirmed supervisor.
_INVITED = frozenset({Stage.SUPERVISOR_INVITED})
_SUPERVISED = frozenset({Stage.IN_PROGRESS, Stage.EVALUATION_PENDING, Stage.REVISION_REQUESTED})


class DeskFilter(BaseModel):
    """What the office narrows the desk to; every field left out matches everything."""

    semester: str | None = None  # of submission (R25)
    credit_semester: str | None = None  # of the credit (R21)
    department: str | None = None  # the supervisor's
    supervisor: str | None = None  # a faculty id
    category: Category | None = None
    priority: Priority | None = None


class StuckReason(StrEnum):
    UNREVIEWED_PROPOSAL = "unreviewed_proposal"
    UNANSWERED_INVITATION = "unanswered_invitation"
    NO_HOURS = "no_hours"
    EVALUATION_OVERDUE = "evaluation_overdue"
    AWAITING_REASSIGNMENT = "awaiting_reassignment"
    LEAVING_SUPERVISOR = "leaving_supervisor"


class StuckItem(BaseModel):
    project_id: str
    student_id: str
    stage: Stage
    reason: StuckReason
    since: datetime  # when the reason's clock started
    age_days: int  # whole days since then (for an overdue evaluation, R20's day)
    faculty_id: str | None = None  # the teacher concerned: invited, supervising or leaving
    due: datetime | None = None  # R22: the deadline, where one applies
    center_told: bool = False  # R20: from day 21 the center was mailed too


class StageCount(BaseModel):
    stage: Stage
    projects: int


def stage_counts(rows: Sequence[ProjectSummary]) -> list[StageCount]:
    """Projects per stage, in SPEC §3's order, zeros included."""
    return [StageCount(stage=stage, projects=sum(row.stage is stage for row in rows)) for stage in Stage]


def _age(since: datetime, now: datetime) -> int:
    return max(0, (now - since) // timedelta(days=1))


def _teacher(row: ProjectSummary) -> str | None:
    if row.stage in _INVITED:
        return row.invited_faculty_id
    if row.stage in _SUPERVISED:
        return row.supervisor_id
    return None


def _attached_since(row: ProjectSummary) -> datetime:
    """When the project came to depend on its teacher: the invitation, or the supervisor's confirmation."""
    if row.stage in _SUPERVISED and row.supervised_at is not None:
        return row.supervised_at
    return row.stage_since


def _reasons(
    row: ProjectSummary, leaving: Mapping[str, str], now: datetime, idle: timedelta
) -> list[tuple[StuckReason, datetime]]:
    found: list[tuple[StuckReason, datetime]] = []
    if row.stage is Stage.PROPOSAL_REVIEW and now - row.stage_since >= REVIEW_WAIT:
        found.append((StuckReason.UNREVIEWED_PROPOSAL, row.stage_since))
    if row.stage is Stage.SUPERVISOR_INVITED and now - row.stage_since >= INVITATION_WAIT:
        found.append((StuckReason.UNANSWERED_INVITATION, row.stage_since))
    if row.stage is Stage.IN_PROGRESS:
        started = max(d for d in (row.last_hours_at, row.supervised_at, row.stage_since) if d is not None)
        if now - started >= idle:
            found.append((StuckReason.NO_HOURS, started))
    clock = row.evaluation_started_at
    if row.stage is Stage.EVALUATION_PENDING and clock is not None and now - clock >= EVALUATION_WAIT:
        found.append((StuckReason.EVALUATION_OVERDUE, clock))
    if row.needs_reassignment:
        found.append((StuckReason.AWAITING_REASSIGNMENT, row.deadline or row.stage_since))
    teacher = _teacher(row)
    if teacher is not None and teacher in leaving and not row.needs_reassignment:
        found.append((StuckReason.LEAVING_SUPERVISOR, _attached_since(row)))
    return found


def stuck(
    rows: Sequence[ProjectSummary],
    *,
    leaving: Mapping[str, str],
    now: datetime,
    idle_weeks: int = DEFAULT_IDLE_WEEKS,
) -> list[StuckItem]:
    """Every stuck project and why, longest waiting first. `leaving` maps a leaving teacher's faculty id to the
    semester they leave after (the directory's `leaving_after`)."""
    items = []
    for row in rows:
        if row.stage.is_final:
            continue
        for reason, since in _reasons(row, leaving, now, timedelta(weeks=idle_weeks)):
            age = _age(since, now)
            items.append(
                StuckItem(
                    project_id=row.id,
                    student_id=row.student_id,
                    stage=row.stage,
                    reason=reason,
                    since=since,
                    age_days=age,
                    faculty_id=_teacher(row) or row.supervisor_id,
                    due=row.deadline,
                    center_told=reason is StuckReason.EVALUATION_OVERDUE and age >= EVALUATION_ESCALATION_DAYS,
                )
            )
    return sorted(items, key=lambda item: (item.since, item.project_id, item.reason))


def impact_record(row: ProjectSummary) -> ImpactRecord:
    """A read-model row as the impact review and the funnel read it (`domain.impact`): ids, codes, dates."""
    return ImpactRecord(
        project_id=row.id,
        student_id=row.student_id,
        semester_id=row.semester_id,
        credit_semester_id=row.credit_semester_id,
        stage=row.stage,
        category=Category(row.category),
        tags=[PriorityTag(tag) for tag in row.tags],
        priority=Priority(row.priority),
        department=row.department,
        indicators_planned=list(row.indicators_planned),
        indicators_reported=list(row.indicators_reported),
        execution_hours=max(row.counted_hours, Decimal(0)),
        credit_granted=row.credit_granted,
        exempt=row.exempt,
        submitted_at=row.created_at,
        approved_at=row.approved_at,
        supervised_at=row.supervised_at,
        closure_submitted_at=row.closure_submitted_at,
        decided_at=row.decided_at,
    )
