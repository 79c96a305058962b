"""Leaving supervisors (R13, R22): a deadline at the semester's end, a handover to the center, reassignment.

A project learns that its teacher leaves NTUST from the directory: the `supervisor_leaving` signal of a
departure fan-out, or the `leaving_after` of the teacher the student invites (R13), looked up by the
workflow. From then on:

- the deadline is the end of the semester the teacher leaves after, or later if the center extends it;
- with no closure report under evaluation (an invitation pending, IN_PROGRESS, REVISION_REQUESTED), the
  student is told the date to submit by, once each time a deadline is set or moved;
- with an evaluation pending, the supervisor is reminded 14, 7, 3 and 1 days before the deadline, on top
  of R20 (`domain.nudges` merges the two series so that no Taipei day brings the supervisor two mails);
- when the deadline passes unevaluated the project is *handed over*: the stage does not change, the
  departed supervisor stays on record (an evaluation they still send counts) and R20 stops nagging them,
  the center is asked to reassign and the student is told. A pending invitation to a departed teacher
  lapses instead, and the student invites someone else;
- the center (or an operator) reassigns to an eligible teacher, who is mailed; a pending evaluation
  starts R20 over from the reassignment.

Clearing `leaving_after` (`supervisor_staying`) undoes all of it: no deadline, no leaving reminders, and a
handover is withdrawn.

Past ~300 lines: these rules are one timeline (deadline, reminders, handover, reassignment, undo), and each
step reads and sets the same deadline state.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from pydantic import AwareDatetime, BaseModel

from domain.actors import SYSTEM, Actor
from domain.calendar import TAIPEI, taipei_date
from domain.errors import Code, RuleViolation
from domain.people import Faculty
from domain.project import Departure, ProjectState
from domain.stages import SUPERVISED_STAGES, Stage
from domain.vocabulary import Role

LEAVING_REMINDER_DAYS = (14, 7, 3, 1)  # R22: days before the deadline
REMINDER_TIME = time(9, 0)  # Taipei: a reminder lands at the start of a working day, not at midnight
SUBMIT_MARGIN = timedelta(days=14)  # the student submits early enough for the 14-day reminder to matter
# R22 "without a closure report yet": the student still has to submit (or resubmit) one.
NO_REPORT_STAGES = frozenset({Stage.SUPERVISOR_INVITED, Stage.IN_PROGRESS, Stage.REVISION_REQUESTED})
# Audit actions that mailed the supervisor; a leaving reminder the same Taipei day is merged into them.
SUPERVISOR_MAILED = frozenset(
    {
        "closure_submitted",
        "evaluation_reminded",
        "reminder_requested",
        "supervisor_reassigned",
        "deadline_reminded",
    }
)


# --- what people (and the directory) send -----------------------------------------------------------


class SupervisorLeaving(BaseModel):
    """The directory says `faculty_id` leaves NTUST after `semester_id`, which ends at `deadline` (R22)."""

    faculty_id: str
    semester_id: str
    deadline: AwareDatetime


class SupervisorStaying(BaseModel):
    """The directory no longer says `faculty_id` leaves (leaving_after cleared)."""

    faculty_id: str


# --- reading the state ----------------------------------------------------------------------------------


def attached_faculty(state: ProjectState) -> Faculty | None:
    """The teacher the project depends on now: the invited one, or the confirmed supervisor."""
    if state.stage is Stage.SUPERVISOR_INVITED and state.invitation is not None:
        return state.invitation.faculty
    if state.stage in SUPERVISED_STAGES and state.supervisor is not None:
        return state.supervisor.faculty
    return None


def active_departure(state: ProjectState) -> Departure | None:
    """The departure that binds the project: one of the teacher it depends on now."""
    attached = attached_faculty(state)
    departure = state.departure
    if departure is None or attached is None or attached.id != departure.faculty_id:
        return None
    return departure


def needs_reassignment(state: ProjectState) -> bool:
    departure = active_departure(state)
    return departure is not None and departure.handed_over_at is not None


def submit_by(departure: Departure, now: datetime) -> datetime:
    """The date the student is given: two weeks before the deadline, or the deadline itself if that is past."""
    early = departure.deadline - SUBMIT_MARGIN
    return early if early > now else departure.deadline


def reminder_at(deadline: datetime, days: int) -> datetime:
    """`days` before the deadline, at the start of that Taipei working day."""
    day = taipei_date(deadline - timedelta(days=days))
    return datetime.combine(day, REMINDER_TIME, tzinfo=TAIPEI).astimezone(deadline.tzinfo)


def reminder_times(state: ProjectState, since: datetime) -> list[tuple[int, datetime]]:
    """R22: the leaving reminders owed for a pending evaluation that began at `since`, before any merge.

    Reminders that fell before the deadline was set, or before the evaluation began, are not owed.
    """
    departure = active_departure(state)
    if departure is None or departure.handed_over_at is not None or state.stage is not Stage.EVALUATION_PENDING:
        return []
    start = max(since, departure.armed_at)
    times = [(days, reminder_at(departure.deadline, days)) for days in LEAVING_REMINDER_DAYS]
    return [(days, at) for days, at in times if start < at < departure.deadline]


def series(departure: Departure) -> str:
    """Nudge key prefix: a moved deadline or another teacher starts a new series."""
    return f"dl:{departure.faculty_id}:{departure.deadline:%Y%m%dT%H%M}"


def supervisor_mailed_on(state: ProjectState, day: date) -> bool:
    """Whether the current supervisor already got a mail from the project on this Taipei day."""
    since = state.supervisor.confirmed_at if state.supervisor else None
    return any(
        entry.action in SUPERVISOR_MAILED and taipei_date(entry.at) == day and (since is None or entry.at >= since)
        for entry in state.audit
    )


# --- the directory's news -------------------------------------------------------------------------------


def _snapshot(state: ProjectState, faculty_id: str, leaving_after: str | None) -> None:
    """Keep the project's copy of the teacher's directory entry current, so a look-up agrees with it."""
    for holder in (state.invitation, state.supervisor):
        if holder is not None and holder.faculty.id == faculty_id:
            holder.faculty = holder.faculty.model_copy(update={"leaving_after": leaving_after})


def tell_student_the_date(state: ProjectState, departure: Departure, now: datetime, *, changed: bool) -> None:
    """R22: a student who still has to submit is told the date, each time a deadline is set or moved."""
    if state.stage not in NO_REPORT_STAGES or departure.deadline <= now:
        return
    state.notify(
        "deadline_set",
        Role.STUDENT,
        state.student_id,
        deadline=departure.deadline.isoformat(),
        submit_by=submit_by(departure, now).isoformat(),
        semester_id=departure.semester_id,
        invited="yes" if state.stage is Stage.SUPERVISOR_INVITED else "",
        changed="yes" if changed else "",
    )


def apply_supervisor_leaving(state: ProjectState, actor: Actor, cmd: SupervisorLeaving, now: datetime) -> bool:
    """R13/R22: set (or move) the deadline to the end of the semester the teacher leaves after.

    A repeat of the news already applied changes nothing (the fan-out may send it twice); returns whether
    anything changed.
    """
    if state.stage.is_final:
        raise RuleViolation(Code.INVALID_STAGE, f"The project is {state.stage.value}.")
    attached = attached_faculty(state)
    if attached is None or attached.id != cmd.faculty_id:
        raise RuleViolation(Code.VALIDATION_ERROR, f"{cmd.faculty_id} neither supervises nor is invited to it.")
    _snapshot(state, cmd.faculty_id, cmd.semester_id)
    current = active_departure(state)
    same_semester = current is not None and current.semester_id == cmd.semester_id
    if current is not None and same_semester and current.semester_end == cmd.deadline:
        return False
    departure = Departure(
        faculty_id=cmd.faculty_id,
        semester_id=cmd.semester_id,
        semester_end=cmd.deadline,
        extended_to=current.extended_to if current is not None and same_semester else None,
        extension_reason=current.extension_reason if current is not None and same_semester else "",
        armed_at=now,
    )
    if current is not None and current.handed_over_at is not None and departure.deadline <= now:
        departure.handed_over_at = current.handed_over_at
    state.departure = departure
    state.deadline = departure.deadline
    state.record(
        actor,
        now,
        "supervisor_leaving",
        f"{cmd.faculty_id} leaves NTUST after {cmd.semester_id}; deadline {departure.deadline.isoformat()} (R22)",
    )
    if current is not None and current.handed_over_at is not None and departure.handed_over_at is None:
        state.notify("reassignment_withdrawn", Role.CENTER, "center", deadline=departure.deadline.isoformat())
    if current is None or current.deadline != departure.deadline:
        tell_student_the_date(state, departure, now, changed=current is not None)
    return True


def apply_supervisor_staying(state: ProjectState, actor: Actor, cmd: SupervisorStaying, now: datetime) -> bool:
    """Clearing leaving_after undoes R22 for the project: no deadline, no reminders, no handover."""
    _snapshot(state, cmd.faculty_id, None)
    departure = state.departure
    if departure is None or departure.faculty_id != cmd.faculty_id:
        return False
    active = active_departure(state) is not None
    state.departure = None
    state.deadline = None
    state.record(actor, now, "supervisor_staying", f"{cmd.faculty_id} stays at NTUST: the deadline is lifted")
    if active and state.stage in NO_REPORT_STAGES:
        state.notify("deadline_lifted", Role.STUDENT, state.student_id)
    if active and departure.handed_over_at is not None:
        state.notify("reassignment_withdrawn", Role.CENTER, "center", deadline="")
    return True


def departure_to_look_up(state: ProjectState) -> str | None:
    """The semester whose end the project needs: its teacher's entry says they leave, and no deadline says so yet.

    This is how inviting (R13) or being reassigned to a leaving teacher sets the deadline.
    """
    attached = attached_faculty(state)
    if attached is None or attached.leaving_after is None:
        return None
    departure = active_departure(state)
    if departure is not None and departure.semester_id == attached.leaving_after:
        return None
    return attached.leaving_after


def apply_looked_up(state: ProjectState, semester_id: str, semester_end: datetime, now: datetime) -> None:
    """Apply a look-up's answer, unless the project moved on while it ran."""
    attached = attached_faculty(state)
    if attached is None or departure_to_look_up(state) != semester_id:
        return
    cmd = SupervisorLeaving(faculty_id=attached.id, semester_id=semester_id, deadline=semester_end)
    apply_supervisor_leaving(state, SYSTEM, cmd, now)


def settle(state: ProjectState, now: datetime) -> None:
    """Drop a deadline that binds no one any more: the teacher declined, the invitation lapsed or was cancelled."""
    if state.departure is None or state.stage.is_final or active_departure(state) is not None:
        return
    faculty_id = state.departure.faculty_id
    state.departure = None
    state.deadline = None
    state.record(SYSTEM, now, "deadline_cleared", f"{faculty_id} no longer supervises the project")


# --- the timers ---------------------------------------------------------------------------------------


def apply_reminder(state: ProjectState, days: int, now: datetime) -> None:
    """R22: remind the leaving supervisor; merged (no mail) if they already got one today."""
    departure = active_departure(state)
    assert departure is not None and state.supervisor is not None
    if supervisor_mailed_on(state, taipei_date(now)):
        state.record(SYSTEM, now, "deadline_reminder_merged", f"{days} days before the deadline; mailed already today")
        return
    state.record(SYSTEM, now, "deadline_reminded", f"{days} days before {departure.deadline.isoformat()}")
    state.notify(
        "deadline_reminder",
        Role.FACULTY,
        state.supervisor.faculty.id,
        days=str(days),
        deadline=departure.deadline.isoformat(),
        semester_id=departure.semester_id,
    )


def apply_deadline_passed(state: ProjectState, now: datetime) -> None:
    """R22: at the deadline a pending invitation lapses; a supervised project goes to the center."""
    departure = active_departure(state)
    assert departure is not None
    context = {"deadline": departure.deadline.isoformat(), "semester_id": departure.semester_id}
    if state.stage is Stage.SUPERVISOR_INVITED:
        state.invitation = None
        state.stage = Stage.NEEDS_SUPERVISOR
        state.departure = None
        state.deadline = None
        left = f"{departure.faculty_id} left NTUST after {departure.semester_id}"
        state.record(SYSTEM, now, "invitation_lapsed", left)
        state.notify("supervisor_departed", Role.STUDENT, state.student_id, invited="yes", **context)
        return
    departure.handed_over_at = now
    state.record(
        SYSTEM,
        now,
        "handed_to_center",
        f"{departure.faculty_id} left NTUST after {departure.semester_id} without evaluating: to be reassigned",
    )
    state.notify("reassignment_needed", Role.CENTER, "center", **context)
    state.notify("supervisor_departed", Role.STUDENT, state.student_id, invited="", **context)


# --- what the center is told when it edits the directory -----------------------------------------------


def _projects(count: int) -> str:
    return "1 open project" if count == 1 else f"{count} open projects"


def departure_warning(faculty: Faculty, told: int) -> str | None:
    """R22 as the center hears it from `PUT /v1/faculty/{id}`: a changed `leaving_after` that reaches `told`
    open projects sets (or lifts) their deadline. None when no project is affected."""
    if told == 0:
        return None
    if faculty.leaving_after is None:
        return f"{faculty.name} no longer leaves NTUST: the semester deadline of their {_projects(told)} is lifted."
    return (
        f"{faculty.name} leaves NTUST after {faculty.leaving_after}: their {_projects(told)} must be evaluated "
        "by that semester's end, or go to the center for reassignment."
    )


def unentered_semester_warning(semester_id: str, end: datetime) -> str:
    """R22/R25: a teacher leaves after a semester the calendar does not have yet, so their projects work to
    `end` (`domain.calendar.unentered_end`) until the office enters its dates."""
    last_day = taipei_date(end) - timedelta(days=1)
    return (
        f"Semester {semester_id} is not in the calendar yet: until its dates are entered, deadlines fall at the "
        f"end of {last_day.isoformat()} (Taipei)."
    )


def moved_end_warning(previous: date, now: date, semester_id: str, leaving: int) -> str | None:
    """R22/R25: a semester whose last day moved moves the deadline of every teacher who leaves after it."""
    if previous == now or leaving == 0:
        return None
    teachers = "1 teacher" if leaving == 1 else f"{leaving} teachers"
    return (
        f"{semester_id} now ends on {now.isoformat()} (was {previous.isoformat()}): the open projects of the "
        f"{teachers} leaving after it now work to the new end."
    )
