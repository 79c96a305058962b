"""Durable nudges: invitation reminders and expiry (R12), evaluation reminders and escalation (R20)."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from domain.commands import Evaluate, InvitationResponse, Invite
from domain.notices import Notice
from domain.nudges import Nudge, NudgeKind, apply_nudge, due_nudges, next_nudge, planned_nudges
from domain.project import ProjectState
from domain.stages import Stage
from domain.transitions import (
    apply_cancel_invitation,
    apply_evaluation,
    apply_invite,
    apply_respond,
    apply_submit_closure,
)
from domain.vocabulary import EvaluationResult, ReflectionFormat, Role
from tests.domain.factories import (
    EVALUATED_AT,
    INVITED_AT,
    PROPERTY,
    STUDENT,
    STUDENT_ID,
    SUBMITTED_AT,
    SUPERVISOR,
    closure_report,
    faculty,
    project_at,
)


def invited(days: float) -> datetime:
    return INVITED_AT + timedelta(days=days)


def submitted(days: float) -> datetime:
    return SUBMITTED_AT + timedelta(days=days)


def run_due(state: ProjectState, now: datetime) -> list[Notice]:
    """What the workflow does when it wakes: apply every due nudge until none is left; the notices sent."""
    before = len(state.notices)
    for _ in range(20):  # a bound, so a nudge that never stops being due fails the test instead of hanging
        due = due_nudges(state, now)
        if not due:
            return state.notices[before:]
        for nudge in due:
            apply_nudge(state, nudge, now)
    raise AssertionError("nudges kept coming due")


def sent(notices: list[Notice]) -> list[tuple[str, Role, str]]:
    return [(n.template, n.to_role, n.context.get("day", "")) for n in notices]


# --- R12: invitation --------------------------------------------------------------------------------


def test_invitation_series_planned_at_3_7_and_14_days() -> None:
    """R12: an invitation is reminded after 3 and 7 days and expires after 14."""
    state = project_at(Stage.SUPERVISOR_INVITED)

    plan = planned_nudges(state, INVITED_AT)

    assert [(n.kind, n.at) for n in plan] == [
        (NudgeKind.INVITATION_REMINDER, invited(3)),
        (NudgeKind.INVITATION_REMINDER, invited(7)),
        (NudgeKind.INVITATION_EXPIRY, invited(14)),
    ]


def test_first_invitation_reminder_is_next() -> None:
    """R12: right after inviting, the workflow sleeps until the 3-day reminder."""
    state = project_at(Stage.SUPERVISOR_INVITED)

    upcoming = next_nudge(state, INVITED_AT)

    assert upcoming is not None
    assert (upcoming.kind, upcoming.at, upcoming.day) == (NudgeKind.INVITATION_REMINDER, invited(3), 3)


def test_nothing_due_before_three_days() -> None:
    """R12: a teacher who has had the invitation under 3 days is not reminded."""
    state = project_at(Stage.SUPERVISOR_INVITED)

    assert due_nudges(state, invited(3) - timedelta(seconds=1)) == []


def test_invitation_reminders_then_expiry() -> None:
    """R12: the teacher is reminded at 3 and 7 days; at 14 the invitation expires and the student is told."""
    state = project_at(Stage.SUPERVISOR_INVITED)

    day3, day7, day14 = run_due(state, invited(3)), run_due(state, invited(7)), run_due(state, invited(14))

    assert sent(day3) == [("invitation_reminder", Role.FACULTY, "3")]
    assert sent(day7) == [("invitation_reminder", Role.FACULTY, "7")]
    assert sent(day14) == [("invitation_expired", Role.STUDENT, "")]
    assert day14[0].to_id == STUDENT_ID
    assert state.stage is Stage.NEEDS_SUPERVISOR
    assert state.invitation is None
    assert next_nudge(state, invited(14)) is None


def test_reminder_moves_next_nudge_on() -> None:
    """R12: once the 3-day reminder is sent the next wake-up is the 7-day one."""
    state = project_at(Stage.SUPERVISOR_INVITED)
    run_due(state, invited(3))

    upcoming = next_nudge(state, invited(3))

    assert upcoming is not None
    assert upcoming.at == invited(7)


def test_reminder_is_audited_as_system() -> None:
    """R24: a reminder is an audited change made by the system."""
    state = project_at(Stage.SUPERVISOR_INVITED)
    revision = state.revision

    run_due(state, invited(3))

    assert state.revision == revision + 1
    assert (state.audit[-1].actor_id, state.audit[-1].role, state.audit[-1].action) == (
        "praxis",
        Role.SYSTEM,
        "invitation_reminded",
    )


def test_invitation_outage_sends_only_latest_reminder() -> None:
    """R12: after an outage spanning both reminders only the 7-day one is sent."""
    state = project_at(Stage.SUPERVISOR_INVITED)

    assert sent(run_due(state, invited(8))) == [("invitation_reminder", Role.FACULTY, "7")]


def test_invitation_outage_past_expiry_only_expires() -> None:
    """R12: after an outage past 14 days the invitation just expires, without late reminders."""
    state = project_at(Stage.SUPERVISOR_INVITED)

    assert sent(run_due(state, invited(20))) == [("invitation_expired", Role.STUDENT, "")]
    assert state.stage is Stage.NEEDS_SUPERVISOR


def test_new_invitation_rearms_the_series() -> None:
    """R12: a new invitation after a cancelled one is reminded on its own schedule, from its own start."""
    state = project_at(Stage.SUPERVISOR_INVITED)
    run_due(state, invited(3))
    apply_cancel_invitation(state, STUDENT, invited(4))
    second = invited(5)
    apply_invite(
        state, STUDENT, Invite(faculty=faculty(id="T0002"), reflection_format=ReflectionFormat.CONVERSATION), second
    )

    upcoming = next_nudge(state, second)

    assert upcoming is not None
    assert (upcoming.key, upcoming.at) == ("inv2:d3", second + timedelta(days=3))
    notices = run_due(state, second + timedelta(days=3))
    assert [(n.template, n.to_id) for n in notices] == [("invitation_reminder", "T0002")]


def test_new_invitation_after_expiry_rearms_the_series() -> None:
    """R12: after an invitation expires, the next invitation gets its own reminders and expiry."""
    state = project_at(Stage.SUPERVISOR_INVITED)
    run_due(state, invited(14))
    apply_invite(
        state,
        STUDENT,
        Invite(faculty=faculty(id="T0002"), reflection_format=ReflectionFormat.CONVERSATION),
        invited(15),
    )

    assert [n.at for n in planned_nudges(state, invited(15))] == [invited(18), invited(22), invited(29)]


def test_accepting_stops_the_series() -> None:
    """R12: once the teacher accepts, nothing more about the invitation is sent, however long after."""
    state = project_at(Stage.SUPERVISOR_INVITED)
    apply_respond(state, SUPERVISOR, InvitationResponse(accept=True), invited(1))

    assert planned_nudges(state, invited(30)) == []
    assert next_nudge(state, invited(1)) is None
    assert run_due(state, invited(30)) == []
    assert state.stage is Stage.IN_PROGRESS


@PROPERTY
@given(checks=st.lists(st.floats(min_value=0, max_value=40), min_size=1, max_size=12).map(sorted))
def test_invitation_never_two_reminders_at_once(checks: list[float]) -> None:
    """R12: however irregularly the workflow wakes, each wake sends at most one nudge of the series, never
    before it is due, and the invitation expires exactly once if 14 days pass."""
    state = project_at(Stage.SUPERVISOR_INVITED)

    for day in checks:
        now = invited(day)
        assert len(due_nudges(state, now)) <= 1
        notices = run_due(state, now)
        assert len(notices) <= 1
        assert all(int(n.context.get("day", "14")) <= day for n in notices)

    expiries = [n for n in state.notices if n.template == "invitation_expired"]
    assert len(expiries) == (1 if checks[-1] >= 14 else 0)


# --- R20: evaluation --------------------------------------------------------------------------------


def test_evaluation_reminders_weekly_with_escalation_at_21_days() -> None:
    """R20: the supervisor is reminded at 7 and 14 days, then weekly; at 21 days the center is told too."""
    state = project_at(Stage.EVALUATION_PENDING)

    by_day = {day: sent(run_due(state, submitted(day))) for day in (7, 14, 21, 28, 35)}

    assert by_day == {
        7: [("evaluation_reminder", Role.FACULTY, "7")],
        14: [("evaluation_reminder", Role.FACULTY, "14")],
        21: [("evaluation_reminder", Role.FACULTY, "21"), ("evaluation_overdue", Role.CENTER, "21")],
        28: [("evaluation_reminder", Role.FACULTY, "28")],
        35: [("evaluation_reminder", Role.FACULTY, "35")],
    }


def test_first_evaluation_reminder_is_next() -> None:
    """R20: right after submission the workflow sleeps until the 7-day reminder."""
    state = project_at(Stage.EVALUATION_PENDING)

    upcoming = next_nudge(state, SUBMITTED_AT)

    assert upcoming is not None
    assert (upcoming.kind, upcoming.at) == (NudgeKind.EVALUATION_REMINDER, submitted(7))


def test_escalation_is_the_21_day_nudge() -> None:
    """R20: after the 14-day reminder the next nudge is the 21-day escalation."""
    state = project_at(Stage.EVALUATION_PENDING)
    run_due(state, submitted(7))
    run_due(state, submitted(14))

    upcoming = next_nudge(state, submitted(14))

    assert upcoming is not None
    assert (upcoming.kind, upcoming.day) == (NudgeKind.EVALUATION_ESCALATION, 21)


def test_evaluation_outage_sends_only_latest_reminder() -> None:
    """R20: after an outage spanning the 7- and 14-day reminders only the 14-day one is sent."""
    state = project_at(Stage.EVALUATION_PENDING)

    assert sent(run_due(state, submitted(15))) == [("evaluation_reminder", Role.FACULTY, "14")]


def test_evaluation_outage_past_escalation_sends_one_reminder_and_tells_center() -> None:
    """R20: after an outage past 28 days the supervisor gets one reminder, the latest, and the center is
    told once, though the 21-day escalation was missed."""
    state = project_at(Stage.EVALUATION_PENDING)

    notices = run_due(state, submitted(30))

    assert sent(notices) == [("evaluation_reminder", Role.FACULTY, "28"), ("evaluation_overdue", Role.CENTER, "28")]
    upcoming = next_nudge(state, submitted(30))
    assert upcoming is not None
    assert (upcoming.kind, upcoming.at) == (NudgeKind.EVALUATION_REMINDER, submitted(35))


def test_resubmission_rearms_the_series() -> None:
    """R20: a resubmitted report is reminded from its own submission time."""
    state = project_at(Stage.EVALUATION_PENDING)
    run_due(state, submitted(7))
    apply_evaluation(state, SUPERVISOR, Evaluate(result=EvaluationResult.REVISE, feedback="More photos."), EVALUATED_AT)
    again = submitted(9)
    apply_submit_closure(state, STUDENT, closure_report(), again)

    upcoming = next_nudge(state, again)

    assert upcoming is not None
    assert (upcoming.key, upcoming.at) == ("sub2:d7", again + timedelta(days=7))


def test_evaluation_stops_the_series() -> None:
    """R20: once the supervisor evaluates, no more reminders are sent."""
    state = project_at(Stage.EVALUATION_PENDING)
    apply_evaluation(state, SUPERVISOR, Evaluate(result=EvaluationResult.PASS), submitted(3))

    assert next_nudge(state, submitted(3)) is None
    assert run_due(state, submitted(60)) == []


@PROPERTY
@given(checks=st.lists(st.floats(min_value=0, max_value=70), min_size=1, max_size=12).map(sorted))
def test_evaluation_never_two_reminders_at_once(checks: list[float]) -> None:
    """R20: however irregularly the workflow wakes, each wake reminds the supervisor at most once, never
    early, and the center is told exactly once when 21 days have passed."""
    state = project_at(Stage.EVALUATION_PENDING)

    for day in checks:
        now = submitted(day)
        due = due_nudges(state, now)
        assert len(due) <= 1
        assert all(n.at <= now for n in due)
        notices = run_due(state, now)
        assert sum(1 for n in notices if n.to_role is Role.FACULTY) <= 1
        elapsed = (now - submitted(0)) / timedelta(days=1)  # the instant, not the float (it rounds to µs)
        assert all(int(n.context["day"]) <= elapsed for n in notices)

    told_center = [n for n in state.notices if n.to_role is Role.CENTER]
    assert len(told_center) == (1 if checks[-1] >= 21 else 0)


def test_nudge_keys_name_their_situation() -> None:
    """R12/R20: each nudge's key names its invitation or submission, so re-arming never collides."""
    state = project_at(Stage.EVALUATION_PENDING)

    plan = planned_nudges(state, submitted(0))

    assert [n.key for n in plan] == ["sub1:d7", "sub1:d14"]
    assert all(isinstance(n, Nudge) for n in plan)
