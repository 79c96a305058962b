"""Leaving supervisors (R13, R22): deadline, submit-by date, reminders merged with R20, handover, reassignment."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import leaving, steering
from domain.actors import SYSTEM
from domain.calendar import Semester, taipei_date
from domain.commands import Evaluate, InvitationResponse
from domain.errors import Code, RuleViolation
from domain.leaving import SupervisorLeaving, SupervisorStaying
from domain.notices import Notice
from domain.nudges import NudgeKind, apply_nudge, due_nudges, next_nudge, planned_nudges
from domain.project import ProjectState
from domain.stages import Stage
from domain.steering import ExtendDeadline, Reassign
from domain.transitions import apply_evaluation, apply_request_reminder, apply_respond, apply_submit_closure
from domain.view import build_view
from domain.vocabulary import EvaluationResult, Rank, Role
from tests.domain.factories import (
    CENTER,
    FACULTY_ID,
    PROPERTY,
    STUDENT,
    STUDENT_ID,
    SUBMITTED_AT,
    closure_report,
    complete_work,
    faculty,
    project_at,
    teacher_of,
)

FALL = Semester(
    id="2026-fall",
    starts_on=date(2026, 9, 1),
    final_exam_week_starts_on=date(2027, 1, 11),
    ends_on=date(2027, 1, 31),
)
DEADLINE = FALL.ends_at  # Monday 1 February 2027, 00:00 in Taipei
ANNOUNCED_AT = SUBMITTED_AT + timedelta(days=20)
NEW_TEACHER = faculty(id="T0009")


def leaving_news(deadline: datetime = DEADLINE, faculty_id: str = FACULTY_ID) -> SupervisorLeaving:
    return SupervisorLeaving(faculty_id=faculty_id, semester_id="2026-fall", deadline=deadline)


def announced(stage: Stage, deadline: datetime = DEADLINE, at: datetime = ANNOUNCED_AT) -> ProjectState:
    state = project_at(stage)
    state.notices.clear()
    assert leaving.apply_supervisor_leaving(state, SYSTEM, leaving_news(deadline), at)
    return state


def walk(state: ProjectState, until: datetime) -> list[tuple[datetime, Notice]]:
    """What the workflow does over time: wake at each nudge, apply what is due; every notice with its time."""
    sent: list[tuple[datetime, Notice]] = []
    now = max(entry.at for entry in state.audit)
    for _ in range(200):
        upcoming = next_nudge(state, now)
        if upcoming is None or upcoming.at > until:
            return sent
        now = upcoming.at
        for nudge in due_nudges(state, now):
            apply_nudge(state, nudge, now)
        sent.extend((now, n) for n in state.notices)
        state.notices.clear()
    raise AssertionError("nudges kept coming")


def to_supervisor(sent: list[tuple[datetime, Notice]]) -> list[tuple[date, str]]:
    return [(taipei_date(at), n.template) for at, n in sent if n.to_role is Role.FACULTY]


# --- the deadline and the student's date ---------------------------------------------------------------


def test_in_progress_project_gets_the_semester_end_and_the_student_a_submit_by_date() -> None:
    """R22: without a closure report the student is told once the date to submit by (two weeks early)."""
    state = announced(Stage.IN_PROGRESS)

    assert state.deadline == DEADLINE
    assert state.departure is not None and state.departure.semester_id == "2026-fall"
    [notice] = state.notices
    assert notice.template == "deadline_set" and notice.to_role is Role.STUDENT
    assert notice.context["submit_by"] == (DEADLINE - timedelta(days=14)).isoformat()
    assert state.supervisor is not None and state.supervisor.faculty.leaving_after == "2026-fall"
    view = build_view(state, ANNOUNCED_AT)
    assert view.deadlines["semester_deadline"] == DEADLINE
    assert view.deadlines["submit_by"] == DEADLINE - timedelta(days=14)


def test_the_same_news_twice_changes_nothing() -> None:
    """R22: the departure fan-out may repeat itself; the project tells the student only once."""
    state = announced(Stage.IN_PROGRESS)
    revision = state.revision

    assert not leaving.apply_supervisor_leaving(state, SYSTEM, leaving_news(), ANNOUNCED_AT + timedelta(hours=1))
    assert state.revision == revision and len(state.notices) == 1


def test_a_moved_semester_end_moves_the_deadline_and_tells_the_student_again() -> None:
    """R22/R25: the calendar is edited: a new deadline, told as a change."""
    state = announced(Stage.REVISION_REQUESTED)
    later = DEADLINE + timedelta(days=7)

    assert leaving.apply_supervisor_leaving(state, SYSTEM, leaving_news(later), ANNOUNCED_AT + timedelta(days=1))
    assert state.deadline == later
    assert [n.context["changed"] for n in state.notices] == ["", "yes"]


def test_news_about_another_teacher_is_refused() -> None:
    """R22: only the project's own supervisor or invited teacher can set its deadline."""
    state = project_at(Stage.IN_PROGRESS)
    with pytest.raises(RuleViolation) as caught:
        leaving.apply_supervisor_leaving(state, SYSTEM, leaving_news(faculty_id="T0404"), ANNOUNCED_AT)
    assert caught.value.code is Code.VALIDATION_ERROR and state.departure is None


def test_inviting_a_leaving_teacher_needs_the_semester_end_looked_up() -> None:
    """R13: the invited teacher's entry says they leave; the project looks up the semester end and tells
    the student by when to submit (if the teacher accepts)."""
    state = project_at(Stage.SUPERVISOR_INVITED, supervisor=faculty(leaving_after="2026-fall"))
    state.notices.clear()

    assert leaving.departure_to_look_up(state) == "2026-fall"
    leaving.apply_looked_up(state, "2026-fall", DEADLINE, ANNOUNCED_AT)

    assert leaving.departure_to_look_up(state) is None and state.deadline == DEADLINE
    assert [(n.template, n.context["invited"]) for n in state.notices] == [("deadline_set", "yes")]
    apply_respond(state, teacher_of(state), InvitationResponse(accept=True), ANNOUNCED_AT + timedelta(days=1))
    assert leaving.active_departure(state) is not None, "accepting keeps the deadline"


def test_a_declined_invitation_drops_the_deadline() -> None:
    """R22: a deadline binds only while its teacher is attached to the project."""
    state = announced(Stage.SUPERVISOR_INVITED)
    apply_respond(state, teacher_of(state), InvitationResponse(accept=False), ANNOUNCED_AT + timedelta(days=1))

    leaving.settle(state, ANNOUNCED_AT + timedelta(days=1))

    assert state.departure is None and state.deadline is None
    assert state.audit[-1].action == "deadline_cleared"


# --- reminders before the deadline ---------------------------------------------------------------------


def test_pending_evaluation_reminded_14_7_3_and_1_days_before_at_nine_in_taipei() -> None:
    """R22: with an evaluation pending the supervisor is reminded 14, 7, 3, 1 days before; the student is not
    told a date (the report is in)."""
    state = announced(Stage.EVALUATION_PENDING)
    assert state.notices == []

    reminders = [n for n in planned_nudges(state, ANNOUNCED_AT) if n.kind is NudgeKind.DEADLINE_REMINDER]

    assert [(n.day, taipei_date(n.at)) for n in reminders] == [
        (14, date(2027, 1, 18)),
        (7, date(2027, 1, 25)),
        (3, date(2027, 1, 29)),
        (1, date(2027, 1, 31)),
    ]
    assert all(leaving.reminder_at(DEADLINE, 1).hour == n.at.hour for n in reminders)
    end = [n for n in planned_nudges(state, ANNOUNCED_AT) if n.kind is NudgeKind.DEADLINE_PASSED]
    assert [n.at for n in end] == [DEADLINE]


def test_walk_to_the_deadline_sends_each_leaving_reminder_once_beside_weekly_r20() -> None:
    """R22 on top of R20: weekly R20 reminders go on; the four leaving reminders arrive; no day has two."""
    state = announced(Stage.EVALUATION_PENDING)

    mails = to_supervisor(walk(state, DEADLINE - timedelta(seconds=1)))

    leaving_days = [day for day, template in mails if template == "deadline_reminder"]
    assert leaving_days == [date(2027, 1, 18), date(2027, 1, 25), date(2027, 1, 29), date(2027, 1, 31)]
    assert any(template == "evaluation_reminder" for _, template in mails)
    assert max(Counter(day for day, _ in mails).values()) == 1


def test_leaving_reminder_on_an_r20_day_is_merged_into_it() -> None:
    """R22: never two mails the same day: the R20 reminder of that day names the deadline instead."""
    thursday_end = Semester(
        id="2026-fall",
        starts_on=date(2026, 9, 1),
        final_exam_week_starts_on=date(2027, 1, 11),
        ends_on=date(2027, 1, 28),  # 1 day before is Thursday 28 January: an R20 day (submitted on a Thursday)
    ).ends_at
    state = announced(Stage.EVALUATION_PENDING, deadline=thursday_end)

    sent = walk(state, thursday_end - timedelta(seconds=1))

    on_that_day = [n for at, n in sent if taipei_date(at) == date(2027, 1, 28) and n.to_role is Role.FACULTY]
    assert [n.template for n in on_that_day] == ["evaluation_reminder"]
    assert on_that_day[0].context["deadline"] == thursday_end.isoformat()


def test_leaving_reminder_after_another_mail_that_day_is_merged() -> None:
    """R22: a leaving reminder due on a day the supervisor was already mailed (a student's R20 request) is
    recorded as merged and sends nothing."""
    state = announced(Stage.EVALUATION_PENDING)
    reminder = next(n for n in planned_nudges(state, ANNOUNCED_AT) if n.kind is NudgeKind.DEADLINE_REMINDER)
    walk(state, reminder.at - timedelta(hours=1))
    apply_request_reminder(state, STUDENT, reminder.at - timedelta(minutes=30))
    state.notices.clear()

    for nudge in due_nudges(state, reminder.at):
        apply_nudge(state, nudge, reminder.at)

    assert state.notices == [] and state.audit[-1].action == "deadline_reminder_merged"
    assert next_nudge(state, reminder.at) != reminder


def test_resubmission_after_a_reminder_series_does_not_replay_past_reminders() -> None:
    """R22: reminders that fell before the (re)submission are not owed."""
    state = announced(Stage.EVALUATION_PENDING)
    revise = Evaluate(result=EvaluationResult.REVISE, feedback="Add the children's feedback.")
    apply_evaluation(state, teacher_of(state), revise, datetime(2027, 1, 20, 2, tzinfo=DEADLINE.tzinfo))
    resubmitted = datetime(2027, 1, 27, 2, tzinfo=DEADLINE.tzinfo)
    apply_submit_closure(state, STUDENT, closure_report(), resubmitted)

    reminders = [n for n in planned_nudges(state, resubmitted) if n.kind is NudgeKind.DEADLINE_REMINDER]

    assert [n.day for n in reminders] == [3, 1]


# --- the deadline passes ---------------------------------------------------------------------------------


def test_deadline_hands_an_unevaluated_project_to_the_center() -> None:
    """R22: at the deadline the center is asked to reassign and the student is told; the stage stays, the
    departed supervisor stays on record, R20 stops reminding them, and their evaluation would still count."""
    state = announced(Stage.EVALUATION_PENDING)
    walk(state, DEADLINE - timedelta(seconds=1))

    [nudge] = due_nudges(state, DEADLINE)
    apply_nudge(state, nudge, DEADLINE)

    assert nudge.kind is NudgeKind.DEADLINE_PASSED
    assert state.stage is Stage.EVALUATION_PENDING and state.supervisor is not None
    assert leaving.needs_reassignment(state) and build_view(state, DEADLINE).needs_reassignment
    assert {(n.template, n.to_role) for n in state.notices} == {
        ("reassignment_needed", Role.CENTER),
        ("supervisor_departed", Role.STUDENT),
    }
    assert next_nudge(state, DEADLINE) is None
    apply_evaluation(state, teacher_of(state), Evaluate(result=EvaluationResult.PASS), DEADLINE + timedelta(days=1))
    assert state.stage.is_final, "the departed supervisor's late evaluation still counts"


def test_after_an_outage_the_passed_deadline_supersedes_missed_reminders() -> None:
    """R22: a worker back after the deadline hands the project over; it does not send stale reminders."""
    state = announced(Stage.EVALUATION_PENDING)
    late = DEADLINE + timedelta(days=2)

    due = due_nudges(state, late)

    assert [n.kind for n in due] == [NudgeKind.DEADLINE_PASSED]
    apply_nudge(state, due[0], late)
    assert [n.template for n in state.notices if n.to_role is Role.FACULTY] == []


def test_invitation_to_a_departed_teacher_lapses_at_the_deadline() -> None:
    """R22: a teacher who has left cannot accept; the student is told to invite someone else."""
    state = announced(Stage.SUPERVISOR_INVITED, deadline=ANNOUNCED_AT + timedelta(days=5))
    state.notices.clear()

    [nudge] = due_nudges(state, ANNOUNCED_AT + timedelta(days=5))
    apply_nudge(state, nudge, ANNOUNCED_AT + timedelta(days=5))

    assert state.stage is Stage.NEEDS_SUPERVISOR and state.invitation is None and state.deadline is None
    assert [(n.template, n.context["invited"]) for n in state.notices] == [("supervisor_departed", "yes")]


# --- reassignment --------------------------------------------------------------------------------------


def handed_over() -> ProjectState:
    state = announced(Stage.EVALUATION_PENDING)
    apply_nudge(state, due_nudges(state, DEADLINE)[0], DEADLINE)
    state.notices.clear()
    return state


def test_center_reassigns_and_r20_starts_over_for_the_new_supervisor() -> None:
    """R22: the new supervisor gets the evaluation link; the departed one is kept; R20 re-arms from now."""
    state = handed_over()
    at = DEADLINE + timedelta(days=2)

    steering.apply_reassign(state, CENTER, Reassign(faculty=NEW_TEACHER, reason="T0001 left NTUST"), at)

    assert state.supervisor is not None and state.supervisor.faculty.id == NEW_TEACHER.id
    assert [s.faculty.id for s in state.former_supervisors] == [FACULTY_ID]
    assert not leaving.needs_reassignment(state) and state.deadline is None
    assert {(n.template, n.to_id) for n in state.notices} == {
        ("evaluation_assigned", NEW_TEACHER.id),
        ("supervisor_changed", STUDENT_ID),
        ("supervisor_replaced", FACULTY_ID),
    }
    upcoming = next_nudge(state, at)
    assert upcoming is not None and upcoming.kind is NudgeKind.EVALUATION_REMINDER
    assert upcoming.at == at + timedelta(days=7)
    state.notices.clear()
    apply_nudge(state, upcoming, upcoming.at)
    assert state.notices[0].context["submitted_at"] == at.isoformat()  # R20 counts from the reassignment
    new = teacher_of(state)
    apply_evaluation(state, new, Evaluate(result=EvaluationResult.PASS), upcoming.at)
    assert state.stage is Stage.PASSED


@pytest.mark.parametrize(
    ("actor_is_center", "teacher", "stage", "code"),
    [
        (False, NEW_TEACHER, Stage.IN_PROGRESS, Code.FORBIDDEN),
        (True, faculty(Rank.STAFF, id="S0001"), Stage.IN_PROGRESS, Code.SUPERVISOR_NOT_ELIGIBLE),
        (True, faculty(), Stage.IN_PROGRESS, Code.VALIDATION_ERROR),
        (True, NEW_TEACHER, Stage.NEEDS_SUPERVISOR, Code.INVALID_STAGE),
    ],
)
def test_reassignment_refusals(actor_is_center: bool, teacher: object, stage: Stage, code: Code) -> None:
    """R10/R22: only the center reassigns, to an eligible other teacher, a project that has a supervisor."""
    state = project_at(stage)
    cmd = Reassign.model_validate({"faculty": teacher, "reason": "test"})
    with pytest.raises(RuleViolation) as caught:
        steering.check_reassign(state, CENTER if actor_is_center else STUDENT, cmd)
    assert caught.value.code is code


def test_reassigning_to_a_leaving_teacher_needs_their_deadline_looked_up() -> None:
    """R13/R22: the new supervisor's entry says they leave too: the project sets their deadline."""
    state = project_at(Stage.IN_PROGRESS)
    steering.apply_reassign(state, CENTER, Reassign(faculty=faculty(id="T0010", leaving_after="2026-fall")), DEADLINE)
    assert leaving.departure_to_look_up(state) == "2026-fall"


# --- the teacher stays after all; the center extends ---------------------------------------------------


def test_clearing_leaving_after_undoes_the_deadline_and_its_reminders() -> None:
    """R22: supervisor_staying lifts the deadline; no leaving nudge is left; the student is told."""
    state = announced(Stage.IN_PROGRESS)
    state.notices.clear()

    assert leaving.apply_supervisor_staying(state, SYSTEM, SupervisorStaying(faculty_id=FACULTY_ID), ANNOUNCED_AT)

    assert state.deadline is None and state.departure is None
    assert leaving.departure_to_look_up(state) is None, "the project's copy of the entry is current"
    assert not [n for n in planned_nudges(state, ANNOUNCED_AT) if n.kind.startswith("deadline")]
    assert [n.template for n in state.notices] == ["deadline_lifted"]
    assert not leaving.apply_supervisor_staying(state, SYSTEM, SupervisorStaying(faculty_id=FACULTY_ID), ANNOUNCED_AT)


def test_staying_after_the_handover_withdraws_it_and_r20_resumes() -> None:
    """R22: a handover is undone too: the center is told, and R20 reminds the supervisor again."""
    state = handed_over()
    at = DEADLINE + timedelta(days=1)

    leaving.apply_supervisor_staying(state, SYSTEM, SupervisorStaying(faculty_id=FACULTY_ID), at)

    assert not leaving.needs_reassignment(state)
    assert [n.template for n in state.notices] == ["reassignment_withdrawn"]
    upcoming = next_nudge(state, at)
    assert upcoming is not None and upcoming.kind is NudgeKind.EVALUATION_REMINDER


def test_center_extends_the_deadline_and_reminders_re_arm() -> None:
    """R22: an extension moves the deadline, withdraws a handover and plans reminders before the new date."""
    state = handed_over()
    later = DEADLINE + timedelta(days=21)

    steering.apply_extend_deadline(state, CENTER, ExtendDeadline(deadline=later, reason="exam week"), DEADLINE)

    assert state.deadline == later and not leaving.needs_reassignment(state)
    kinds = {(n.kind, n.day) for n in planned_nudges(state, DEADLINE) if n.kind.startswith("deadline")}
    assert (NudgeKind.DEADLINE_REMINDER, 14) in kinds and (NudgeKind.DEADLINE_PASSED, 0) in kinds


@pytest.mark.parametrize("stage", [Stage.IN_PROGRESS, Stage.EVALUATION_PENDING])
def test_extension_refusals(stage: Stage) -> None:
    """R22: only a later date, only by the center, only where a deadline exists."""
    bare = project_at(stage)
    with pytest.raises(RuleViolation) as caught:
        steering.check_extend_deadline(bare, CENTER, ExtendDeadline(deadline=DEADLINE), ANNOUNCED_AT)
    assert caught.value.code is Code.INVALID_STAGE
    state = announced(stage)
    with pytest.raises(RuleViolation) as caught:
        steering.check_extend_deadline(state, CENTER, ExtendDeadline(deadline=DEADLINE), ANNOUNCED_AT)
    assert caught.value.code is Code.VALIDATION_ERROR
    later = ExtendDeadline(deadline=DEADLINE + timedelta(days=1))
    with pytest.raises(RuleViolation) as caught:
        steering.check_extend_deadline(state, STUDENT, later, ANNOUNCED_AT)
    assert caught.value.code is Code.FORBIDDEN


# --- the one-mail-a-day property ----------------------------------------------------------------------


@PROPERTY
@given(
    submitted_after=st.integers(min_value=0, max_value=60 * 24 * 120),
    announced_after=st.integers(min_value=0, max_value=60 * 24 * 120),
    ends_after_days=st.integers(min_value=1, max_value=120),
)
def test_never_two_supervisor_mails_on_one_taipei_day(
    submitted_after: int, announced_after: int, ends_after_days: int
) -> None:
    """R20 + R22: whatever the submission time, announcement and semester end, the supervisor gets at most
    one reminder per Taipei day, and every leaving reminder day is covered by a mail."""
    state = project_at(Stage.IN_PROGRESS)
    complete_work(state)
    submitted = SUBMITTED_AT + timedelta(minutes=submitted_after)
    apply_submit_closure(state, STUDENT, closure_report(), submitted)
    at = submitted + timedelta(minutes=announced_after)
    deadline = Semester(
        id="x-fall", starts_on=date(2026, 9, 1), final_exam_week_starts_on=date(2026, 9, 1), ends_on=taipei_date(at)
    ).ends_at + timedelta(days=ends_after_days)
    leaving.apply_supervisor_leaving(state, SYSTEM, leaving_news(deadline), at)
    state.notices.clear()

    mails = to_supervisor(walk(state, deadline - timedelta(seconds=1)))

    assert not mails or max(Counter(day for day, _ in mails).values()) == 1
    owed = {taipei_date(at) for days, at in leaving.reminder_times(project_with(state, at), since=submitted)}
    assert owed <= {day for day, _ in mails}


def project_with(state: ProjectState, armed_at: datetime) -> ProjectState:
    """The state as it was armed, to ask which leaving reminders were owed."""
    copy = state.model_copy(deep=True)
    assert copy.departure is not None
    copy.departure.armed_at = armed_at
    return copy
