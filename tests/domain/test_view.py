"""The project as the portal shows it (SPEC §4 GET /v1/projects/{id}): checklist, deadlines, next nudge."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from domain.commands import InvitationResponse
from domain.errors import Code
from domain.people import StudentStanding
from domain.stages import FINAL_STAGES, Stage
from domain.transitions import apply_request_reminder, apply_respond, apply_submitted
from domain.view import build_view, deadlines
from domain.vocabulary import PriorityTag
from tests.domain.factories import (
    INVITED_AT,
    STUDENT,
    STUDENT_ID,
    SUBMITTED_AT,
    SUPERVISOR,
    T0,
    at,
    new_project,
    project_at,
)

NOW = at(days=12)


@pytest.mark.parametrize("stage", sorted(FINAL_STAGES))
def test_nothing_missing_on_final_stages(stage: Stage) -> None:
    """R18: a project that is over shows no closure checklist."""
    assert build_view(project_at(stage), NOW).missing == []


def test_missing_lists_every_open_item() -> None:
    """R18: an approved project without a supervisor shows all four missing items."""
    view = build_view(project_at(Stage.NEEDS_SUPERVISOR), NOW)

    assert [p.code for p in view.missing] == [
        Code.SUPERVISOR_NOT_CONFIRMED,
        Code.HOURS_BELOW_MINIMUM,
        Code.PHOTOS_MISSING,
        Code.REFLECTION_RECORD_MISSING,
    ]


def test_submitted_project_misses_nothing() -> None:
    """R18: a project under evaluation met the checklist, so nothing is missing."""
    view = build_view(project_at(Stage.EVALUATION_PENDING), NOW)

    assert view.missing == []
    assert view.counted_hours == Decimal(36)
    assert view.required_hours == Decimal(36)


def test_deadlines_include_invitation_expiry() -> None:
    """R12: while an invitation is pending the view shows when it expires, 14 days after it was sent."""
    view = build_view(project_at(Stage.SUPERVISOR_INVITED), INVITED_AT)

    assert view.deadlines == {"invitation_expires_at": INVITED_AT + timedelta(days=14)}


def test_invitation_expiry_gone_once_accepted() -> None:
    """R12: an accepted invitation no longer shows an expiry."""
    state = project_at(Stage.SUPERVISOR_INVITED)
    apply_respond(state, SUPERVISOR, InvitationResponse(accept=True), INVITED_AT + timedelta(days=1))

    assert "invitation_expires_at" not in deadlines(state)


def test_deadlines_show_when_the_next_reminder_may_be_asked() -> None:
    """R20: after asking for a reminder the student sees when the next request is allowed (3 days on)."""
    state = project_at(Stage.EVALUATION_PENDING)
    apply_request_reminder(state, STUDENT, NOW)

    assert deadlines(state) == {"reminder_request_allowed_from": NOW + timedelta(days=3)}


def test_next_nudge_shown() -> None:
    """R12: the view says which nudge comes next and when."""
    view = build_view(project_at(Stage.SUPERVISOR_INVITED), INVITED_AT)

    assert view.next_nudge == {
        "kind": "invitation_reminder",
        "at": (INVITED_AT + timedelta(days=3)).isoformat(),
    }


def test_next_nudge_of_pending_evaluation() -> None:
    """R20: under evaluation the next nudge is the supervisor's 7-day reminder."""
    view = build_view(project_at(Stage.EVALUATION_PENDING), SUBMITTED_AT)

    assert view.next_nudge == {"kind": "evaluation_reminder", "at": (SUBMITTED_AT + timedelta(days=7)).isoformat()}


def test_no_next_nudge_when_nothing_is_pending() -> None:
    """R12/R20: a project waiting on the student owes nobody a nudge."""
    assert build_view(project_at(Stage.IN_PROGRESS), NOW).next_nudge is None


def test_exemption_shown() -> None:
    """R3: a student with internship credit is exempt; the project still runs and the view says so."""
    state = new_project(standing=StudentStanding(student_id=STUDENT_ID, exempt=True))
    apply_submitted(state, STUDENT, T0, group_approved=False)

    view = build_view(state, T0)

    assert view.exempt
    assert view.stage is Stage.PROPOSAL_REVIEW


def test_not_exempt_without_standing() -> None:
    """R3: without a known exemption the view shows none."""
    assert not build_view(project_at(Stage.PROPOSAL_REVIEW), T0).exempt


def test_reviewers_see_priority() -> None:
    """R6: the view carries the proposal's priority."""
    state = new_project(tags=[PriorityTag.REMOTE_AREA_SERVICE])
    apply_submitted(state, STUDENT, T0, group_approved=False)

    assert build_view(state, T0).priority == "high"


def test_view_carries_audit_and_revision() -> None:
    """R24: the view shows the audit trail and the revision it reflects."""
    state = project_at(Stage.IN_PROGRESS)

    view = build_view(state, NOW)

    assert view.audit == state.audit
    assert view.revision == state.revision == len(state.audit)
