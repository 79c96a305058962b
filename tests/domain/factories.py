"""Small builders for domain tests: valid inputs, directory entries, and projects walked to a stage.

Projects reach a stage only through the real `apply_*` transitions, so every fixture state is one the
workflow could actually hold (audit trail, revision and stage_since included).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import settings

from domain.actors import Actor
from domain.commands import Evaluate, InvitationResponse, Invite, Review, Withdraw
from domain.people import Faculty, StudentStanding
from domain.project import ProjectState
from domain.proposal import IndicatorClaim, Proposal
from domain.stages import Stage
from domain.transitions import (
    apply_add_evidence,
    apply_evaluation,
    apply_invite,
    apply_log_hours,
    apply_respond,
    apply_review,
    apply_submit_closure,
    apply_submitted,
    apply_withdraw,
)
from domain.vocabulary import (
    Category,
    Channel,
    EvaluationResult,
    EvidenceKind,
    HourKind,
    HourSource,
    Indicator,
    Rank,
    ReflectionFormat,
    ReviewDecision,
    Role,
)
from domain.work import BlobRef, ClosureReport, EvidenceInput, HoursInput

# Hypothesis: reproducible examples, no on-disk example database, no timing flakiness.
PROPERTY = settings(deadline=None, derandomize=True, database=None, max_examples=100)

T0 = datetime(2026, 9, 7, 2, 0, tzinfo=UTC)  # Monday 10:00 in Taipei, early in 2026-fall
STUDENT_ID = "B11200001"
OTHER_STUDENT_ID = "B11200002"
FACULTY_ID = "T0001"

STUDENT = Actor(id=STUDENT_ID, role=Role.STUDENT)
OTHER_STUDENT = Actor(id=OTHER_STUDENT_ID, role=Role.STUDENT)
CENTER = Actor(id="C001", role=Role.CENTER)
OSA = Actor(id="O001", role=Role.OSA)
SUPERVISOR = Actor(id=FACULTY_ID, role=Role.FACULTY, channel=Channel.EMAIL)
OTHER_FACULTY = Actor(id="T0002", role=Role.FACULTY, channel=Channel.EMAIL)

# When each step of `project_at` happens, relative to T0.
REVIEWED_AT = T0 + timedelta(days=1)
INVITED_AT = T0 + timedelta(days=2)
ACCEPTED_AT = T0 + timedelta(days=3)
WORKED_AT = T0 + timedelta(days=9)
SUBMITTED_AT = T0 + timedelta(days=10)
EVALUATED_AT = T0 + timedelta(days=11)


def at(days: float = 0, hours: float = 0) -> datetime:
    return T0 + timedelta(days=days, hours=hours)


def proposal(**changes: Any) -> Proposal:
    """A valid proposal; keyword arguments replace fields before validation."""
    fields: dict[str, Any] = {
        "title": "Reading hour at the Wanhua community library",
        "plan": "Every Saturday morning I read with primary school children and help with homework.",
        "category": Category.PUBLIC_SERVICE,
        "tags": [],
        "indicators": [
            {"indicator": Indicator.CIVIC_CONSCIOUSNESS, "how": "Children in the district meet a student mentor."}
        ],
    }
    fields.update(changes)
    return Proposal.model_validate(fields)


def claim(indicator: Indicator, how: str = "It serves this indicator every week.") -> IndicatorClaim:
    return IndicatorClaim(indicator=indicator, how=how)


def faculty(
    rank: Rank = Rank.ASSOCIATE_PROFESSOR, *, id: str = FACULTY_ID, leaving_after: str | None = None
) -> Faculty:
    return Faculty(
        id=id,
        name=f"Teacher {id}",
        email=f"{id.lower()}@mail.ntust.edu.tw",
        rank=rank,
        department="Civil Engineering",
        leaving_after=leaving_after,
    )


def new_project(standing: StudentStanding | None = None, **proposal_changes: Any) -> ProjectState:
    """A project as the workflow creates it, before its submission is applied."""
    return ProjectState(
        id="P-0001",
        student_id=STUDENT_ID,
        semester_id="2026-fall",
        created_at=T0,
        proposal=proposal(**proposal_changes),
        standing=standing,
    )


def hours_input(
    day: date,
    hours: str | Decimal = "12",
    *,
    kind: HourKind = HourKind.EXECUTION,
    source: HourSource = HourSource.SELF_REPORTED,
) -> HoursInput:
    return HoursInput(date=day, hours=Decimal(hours), kind=kind, description="Reading session", source=source)


def blob(n: int = 0) -> BlobRef:
    return BlobRef(digest=f"{n:064x}", content_type="image/jpeg", size=1024, width=640, height=480)


def participation_photo(n: int = 0) -> EvidenceInput:
    return EvidenceInput(
        kind=EvidenceKind.PARTICIPATION,
        caption="Reading with the children; I am the one holding the book on the left.",
        blob=blob(n),
    )


def reflection_record(n: int = 100) -> EvidenceInput:
    return EvidenceInput(kind=EvidenceKind.REFLECTION, caption="Reflection talk with my supervisor", blob=blob(n))


def closure_report(indicators: list[Indicator] | None = None) -> ClosureReport:
    chosen = indicators if indicators is not None else [Indicator.CIVIC_CONSCIOUSNESS]
    return ClosureReport(
        narrative="I planned weekly reading hours, ran them for a term and learned how to teach patiently.",
        indicators=dict.fromkeys(chosen, "The children read more every week."),
    )


def complete_work(
    state: ProjectState,
    *,
    hours: bool = True,
    photos: bool = True,
    reflection: bool = True,
    now: datetime = WORKED_AT,
) -> None:
    """Log 36 execution hours (three 12-hour days), three participation photos and a reflection record."""
    if hours:
        for n in range(3):
            day = (now - timedelta(days=n + 1)).date()
            apply_log_hours(state, STUDENT, hours_input(day), now, f"h{len(state.hours) + 1}")
    if photos:
        for n in range(3):
            apply_add_evidence(state, STUDENT, participation_photo(n), now, f"e{len(state.evidence) + 1}")
    if reflection:
        apply_add_evidence(state, STUDENT, reflection_record(), now, f"e{len(state.evidence) + 1}")


_PATH = [
    Stage.PROPOSAL_REVIEW,
    Stage.NEEDS_SUPERVISOR,
    Stage.SUPERVISOR_INVITED,
    Stage.IN_PROGRESS,
    Stage.EVALUATION_PENDING,
]


def project_at(stage: Stage, *, supervisor: Faculty | None = None) -> ProjectState:
    """A project walked to `stage` through the real transitions, on the fixed timeline above."""
    state = new_project()
    apply_submitted(state, STUDENT, T0, group_approved=False)
    if stage in (Stage.CHANGES_REQUESTED, Stage.REJECTED):
        decision = ReviewDecision.REQUEST_CHANGES if stage is Stage.CHANGES_REQUESTED else ReviewDecision.REJECT
        apply_review(state, CENTER, Review(decision=decision, comment="Say where and when."), REVIEWED_AT)
        return state
    if stage is Stage.WITHDRAWN:
        apply_withdraw(state, STUDENT, Withdraw(reason="changed my mind"), REVIEWED_AT)
        return state
    target = stage if stage in _PATH else Stage.EVALUATION_PENDING
    if _PATH.index(target) >= 1:
        apply_review(state, CENTER, Review(decision=ReviewDecision.APPROVE), REVIEWED_AT)
    if _PATH.index(target) >= 2:
        invite = Invite(faculty=supervisor or faculty(), reflection_format=ReflectionFormat.CONVERSATION)
        apply_invite(state, STUDENT, invite, INVITED_AT)
    if _PATH.index(target) >= 3:
        apply_respond(state, teacher_of(state), InvitationResponse(accept=True), ACCEPTED_AT)
    if _PATH.index(target) >= 4:
        complete_work(state)
        apply_submit_closure(state, STUDENT, closure_report(), SUBMITTED_AT)
    if stage in (Stage.PASSED, Stage.FAILED, Stage.REVISION_REQUESTED):
        result = {
            Stage.PASSED: EvaluationResult.PASS,
            Stage.FAILED: EvaluationResult.FAIL,
            Stage.REVISION_REQUESTED: EvaluationResult.REVISE,
        }[stage]
        feedback = "" if result is EvaluationResult.PASS else "Describe what the children learned."
        apply_evaluation(state, teacher_of(state), Evaluate(result=result, feedback=feedback), EVALUATED_AT)
    assert state.stage is stage
    return state


def teacher_of(state: ProjectState) -> Actor:
    """The faculty actor of the project's invited or confirmed teacher, acting from an email link."""
    if state.supervisor is not None:
        return Actor(id=state.supervisor.faculty.id, role=Role.FACULTY, channel=Channel.EMAIL)
    assert state.invitation is not None
    return Actor(id=state.invitation.faculty.id, role=Role.FACULTY, channel=Channel.EMAIL)
