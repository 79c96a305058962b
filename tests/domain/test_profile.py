"""The course profile in the rules (SPEC §7): a project's hours, evidence, frame, categories, tags, ranks and
schedules are the numbers of the profile it carries, and state recorded before profiles is NTUST's first."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from config.course_profile import load_profile
from domain.commands import Invite, Review, ReviseProposal
from domain.digest import digest_items
from domain.errors import Code, RuleViolation
from domain.impact import impact_figures
from domain.nudges import NudgeKind, planned_nudges
from domain.profile import NTUST_V1
from domain.project import ProjectState, ProjectSummary
from domain.proposal import Proposal
from domain.stages import Stage
from domain.transitions import (
    apply_add_evidence,
    apply_invite,
    apply_log_hours,
    apply_review,
    apply_submitted,
    check_invite,
    check_request_reminder,
    check_revise,
    check_submit_closure,
)
from domain.view import build_view
from domain.vocabulary import Category, HourKind, Rank, ReflectionFormat, ReviewDecision
from domain.work import ClosureReport
from tests.domain.factories import (
    CENTER,
    INVITED_AT,
    REVIEWED_AT,
    STUDENT,
    T0,
    WORKED_AT,
    faculty,
    hours_input,
    new_project,
    participation_photo,
    project_at,
    reflection_record,
)
from tests.domain.impact_records import record

NTNU = load_profile("ntnu")
COMPETENCY = "compassion_empathy"


def ntnu_proposal() -> Proposal:
    return Proposal.model_validate(
        {
            "title": "Companions at the Da'an elder care centre",
            "plan": "Each week I visit residents, listen to their stories and write them down with them.",
            "category": "public_service",
            "indicators": [{"indicator": COMPETENCY, "how": "I learn to listen before I act."}],
        }
    )


def ntnu_project() -> ProjectState:
    state = ProjectState(
        id="P-NTNU",
        student_id=STUDENT.id,
        semester_id="2026-fall",
        created_at=T0,
        proposal=ntnu_proposal(),
        profile=NTNU,
    )
    apply_submitted(state, STUDENT, T0, group_approved=False)
    apply_review(state, CENTER, Review(decision=ReviewDecision.APPROVE), REVIEWED_AT)
    return state


def test_state_recorded_before_profiles_is_ntust_v1() -> None:
    """A project state without a profile (every history before profiles) decodes as NTUST's first profile."""
    recorded = new_project().model_dump(mode="json")
    del recorded["profile"]
    assert ProjectState.model_validate(recorded).profile == NTUST_V1


def test_proposal_must_fit_the_profile() -> None:
    """R4-R7 per profile: NTUST's indicators are not NTNU's competencies, and NTNU accepts fewer categories."""
    NTUST_V1.check_proposal(category=Category.EXTERNAL, tags=[], indicators=["usr"])
    NTNU.check_proposal(category=Category.EXTERNAL, tags=[], indicators=[COMPETENCY])
    with pytest.raises(RuleViolation) as refused:
        NTNU.check_proposal(category=Category.SKILL_BUILDING, tags=[], indicators=["usr"])
    assert refused.value.code is Code.VALIDATION_ERROR
    assert "skill_building is not accepted" in refused.value.detail
    assert "not among this course's competencies: usr" in refused.value.detail
    with pytest.raises(RuleViolation, match="among this course's indicators: compassion_empathy"):
        NTUST_V1.check_proposal(category=Category.EXTERNAL, tags=[], indicators=[COMPETENCY])


def test_revision_is_checked_against_the_projects_own_profile() -> None:
    """A revised proposal must fit the profile the project started with, not another."""
    state = project_at(Stage.CHANGES_REQUESTED)
    with pytest.raises(RuleViolation, match="among this course's indicators: compassion_empathy"):
        check_revise(state, STUDENT, ReviseProposal(proposal=ntnu_proposal()))


def test_ntnu_counts_its_kinds_and_asks_its_evidence() -> None:
    """R14-R16 per profile: NTNU counts reflection hours too, needs 24 of them, two photos and two records."""
    state = ntnu_project()
    apply_invite(state, STUDENT, Invite(faculty=faculty(), reflection_format=ReflectionFormat.CONVERSATION), INVITED_AT)
    state.stage = Stage.IN_PROGRESS  # the invitation's answer is not what this test is about
    day = WORKED_AT.date()
    apply_log_hours(state, STUDENT, hours_input(day, "12"), WORKED_AT, "h1")
    apply_log_hours(
        state, STUDENT, hours_input(day - timedelta(days=1), "6", kind=HourKind.REFLECTION), WORKED_AT, "h2"
    )
    apply_log_hours(
        state, STUDENT, hours_input(day - timedelta(days=2), "6", kind=HourKind.SKILL_LEARNING), WORKED_AT, "h3"
    )
    assert state.counted_hours == Decimal(18)
    apply_add_evidence(state, STUDENT, participation_photo(1), WORKED_AT, "e1")
    apply_add_evidence(state, STUDENT, reflection_record(), WORKED_AT, "e2")
    details = {p.code: p.detail for p in state.missing_for_closure()}
    assert details[Code.HOURS_BELOW_MINIMUM] == "18 of 24 counted (execution, reflection) hours counted."
    assert details[Code.PHOTOS_MISSING] == "1 of 2 captioned participation photos uploaded."
    assert details[Code.REFLECTION_RECORD_MISSING] == (
        "1 of 2 records of the reflection sessions with the supervisor uploaded."
    )
    view = build_view(state, WORKED_AT)
    assert (view.required_hours, view.profile.name) == (Decimal(24), "ntnu")


def test_closure_notes_name_the_frames_items() -> None:
    """R18 per profile: the report needs a note on each competency the proposal chose, by its id."""
    state = ntnu_project()
    state.stage = Stage.IN_PROGRESS
    state.supervisor = project_at(Stage.IN_PROGRESS).supervisor
    for n in range(2):
        apply_add_evidence(state, STUDENT, participation_photo(n), WORKED_AT, f"p{n}")
        apply_add_evidence(state, STUDENT, reflection_record(100 + n), WORKED_AT, f"r{n}")
        apply_log_hours(state, STUDENT, hours_input(WORKED_AT.date() - timedelta(days=n + 1)), WORKED_AT, f"h{n}")
    assert state.missing_for_closure() == []
    report = ClosureReport(narrative="n" * 60, indicators={"critical_reflection": "I kept a journal all term."})
    with pytest.raises(RuleViolation, match="Add a note for each competency the proposal chose: compassion_empathy"):
        check_submit_closure(state, STUDENT, report)


def test_ranks_are_the_profiles() -> None:
    """R10 per profile: NTNU lets a lecturer supervise, NTUST does not; staff never."""
    lecturer = Invite(faculty=faculty(Rank.LECTURER), reflection_format=ReflectionFormat.CONVERSATION)
    check_invite(ntnu_project(), STUDENT, lecturer, INVITED_AT)
    with pytest.raises(RuleViolation) as refused:
        check_invite(project_at(Stage.NEEDS_SUPERVISOR), STUDENT, lecturer, INVITED_AT)
    assert refused.value.code is Code.SUPERVISOR_NOT_ELIGIBLE
    staff = Invite(faculty=faculty(Rank.STAFF), reflection_format=ReflectionFormat.CONVERSATION)
    with pytest.raises(RuleViolation, match="Staff members cannot supervise") as refused:
        check_invite(ntnu_project(), STUDENT, staff, INVITED_AT)
    assert refused.value.code is Code.SUPERVISOR_NOT_ELIGIBLE


def test_invitation_nudges_follow_the_profiles_schedule() -> None:
    """R12 per profile: NTNU reminds on days 2 and 5 and lets the invitation lapse on day 10 (NTUST: 3, 7, 14)."""
    state = ntnu_project()
    apply_invite(state, STUDENT, Invite(faculty=faculty(), reflection_format=ReflectionFormat.CONVERSATION), INVITED_AT)
    plan = [(n.kind, n.day) for n in planned_nudges(state, INVITED_AT)]
    assert plan == [
        (NudgeKind.INVITATION_REMINDER, 2),
        (NudgeKind.INVITATION_REMINDER, 5),
        (NudgeKind.INVITATION_EXPIRY, 10),
    ]
    assert state.notices[-1].context["invitation_expires_at"] == (INVITED_AT + timedelta(days=10)).isoformat()
    ntust = project_at(Stage.SUPERVISOR_INVITED)
    assert [n.day for n in planned_nudges(ntust, INVITED_AT)] == [3, 7, 14]


def test_evaluation_nudges_and_reminder_requests_follow_the_profiles_schedule() -> None:
    """R20 per profile: NTNU reminds on days 5, 10, then every 5 days, the center told on day 15; a student
    may ask for a reminder every 2 days."""
    state = project_at(Stage.EVALUATION_PENDING)
    state = state.model_copy(update={"profile": NTNU})
    assert state.submission is not None
    since = state.submission.submitted_at
    plan = [(n.kind, n.day) for n in planned_nudges(state, since + timedelta(days=16))]
    assert plan == [
        (NudgeKind.EVALUATION_REMINDER, 5),
        (NudgeKind.EVALUATION_REMINDER, 10),
        (NudgeKind.EVALUATION_ESCALATION, 15),
        (NudgeKind.EVALUATION_REMINDER, 20),
    ]
    state.last_reminder_request_at = since
    check_request_reminder(state, STUDENT, since + timedelta(days=2))
    with pytest.raises(RuleViolation) as refused:
        check_request_reminder(state.model_copy(update={"profile": NTUST_V1}), STUDENT, since + timedelta(days=2))
    assert refused.value.code is Code.RATE_LIMITED


def test_review_digest_waits_the_profiles_days() -> None:
    """R8 per profile: NTNU's digest lists a proposal after 2 days in review, NTUST's after 3."""
    at = T0 + timedelta(days=10)
    two_days = ProjectSummary(
        id="two-days",
        student_id=STUDENT.id,
        semester_id="2026-fall",
        stage=Stage.PROPOSAL_REVIEW,
        title="Two days in review",
        category="external",
        priority="normal",
        group_id=None,
        supervisor_id=None,
        invited_faculty_id=None,
        counted_hours=Decimal(0),
        created_at=at - timedelta(days=2),
        stage_since=at - timedelta(days=2),
        updated_at=at - timedelta(days=2),
        revision=1,
        credit_granted=None,
    )
    wait = timedelta(days=NTNU.schedule.review_digest_after_days)
    assert [item.project_id for item in digest_items([two_days], at, wait)] == ["two-days"]
    assert digest_items([two_days], at) == []


def test_impact_review_rows_are_the_frames_items() -> None:
    """SPEC §7 in the impact review: one row per item of the profile's frame, with its names and zeros kept,
    in the frame's order; an id the frame does not have (a project under another profile) follows by its id."""
    records = [
        record(1, indicators_planned=[COMPETENCY], indicators_reported=[COMPETENCY]),
        record(2, indicators_planned=["usr"], indicators_reported=[]),
    ]
    figures = impact_figures(records, frame=NTNU.frame).indicators
    assert figures.kind == "competencies"
    assert [row.indicator for row in figures.rows] == [*NTNU.frame.ids, "usr"]
    rows = {row.indicator: row for row in figures.rows}
    assert (rows[COMPETENCY].en, rows[COMPETENCY].zh, rows[COMPETENCY].kept) == (
        "Compassion and empathy",
        "關懷與同理",
        1,
    )
    assert rows["critical_reflection"].planned.projects == 0 and rows["usr"].dropped == 1
    assert [row.indicator for row in impact_figures(records).indicators.rows][:5] == list(NTUST_V1.frame.ids)
