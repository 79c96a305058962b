"""Durable nudges as a pure schedule: what is owed to whom, and when (R12, R20, R22).

Each nudge has a key naming the situation it belongs to (the invitation or submission sequence, the
deadline), so a new invitation, resubmission or deadline re-arms the series and an answered one simply
stops producing nudges. The workflow sleeps until `next_nudge`, then applies whatever `due_nudges` returns.

A leaving supervisor (R22) gets reminders 14, 7, 3 and 1 days before the deadline on top of R20's, never
two on one Taipei day: a leaving reminder that falls on the day of an R20 reminder is not planned (that
reminder names the deadline instead), and one due on a day the supervisor was already mailed is merged.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel

from domain import leaving
from domain.actors import SYSTEM
from domain.calendar import taipei_date
from domain.deadlines import evaluation_moments, invitation_moments
from domain.project import ProjectState
from domain.stages import Stage
from domain.transitions.supervising import apply_invitation_expired
from domain.vocabulary import Role


class NudgeKind(StrEnum):
    INVITATION_REMINDER = "invitation_reminder"
    INVITATION_EXPIRY = "invitation_expiry"
    EVALUATION_REMINDER = "evaluation_reminder"
    EVALUATION_ESCALATION = "evaluation_escalation"
    DEADLINE_REMINDER = "deadline_reminder"  # R22
    DEADLINE_PASSED = "deadline_passed"  # R22


class Nudge(BaseModel):
    key: str
    kind: NudgeKind
    at: datetime
    day: int


def _evaluation_days(state: ProjectState, elapsed: timedelta) -> list[int]:
    """The profile's days (NTUST: 7, 14, then weekly): every reminder day up to the first one still ahead."""
    return state.profile.schedule.evaluation_days_until(elapsed.days)


def evaluation_clock(state: ProjectState) -> tuple[datetime, str] | None:
    """When R20's series starts and its key: the submission, or a reassignment made while it was pending (R22)."""
    start = state.evaluation_started_at
    if start is None or state.submission is None:
        return None
    series = f"sub{state.submission.seq}"
    if start != state.submission.submitted_at:
        series += f"@{start:%Y%m%dT%H%M%S}"
    return start, series


def _deadline_plan(state: ProjectState, clock: tuple[datetime, str] | None) -> list[Nudge]:
    """R22: leaving reminders (merged with R20's days) and the deadline itself."""
    departure = leaving.active_departure(state)
    if departure is None or departure.handed_over_at is not None:
        return []
    prefix = leaving.series(departure)
    plan: list[Nudge] = []
    if clock is not None:
        start = clock[0]
        r20_days = {taipei_date(start + timedelta(days=d)) for d in _evaluation_days(state, departure.deadline - start)}
        for days, at in leaving.reminder_times(state, since=start):
            if taipei_date(at) not in r20_days:
                plan.append(Nudge(key=f"{prefix}:d{days}", kind=NudgeKind.DEADLINE_REMINDER, at=at, day=days))
    plan.append(Nudge(key=f"{prefix}:end", kind=NudgeKind.DEADLINE_PASSED, at=departure.deadline, day=0))
    return plan


def planned_nudges(state: ProjectState, now: datetime) -> list[Nudge]:
    """Every nudge of the current situation not yet sent, past and next, in time order."""
    plan: list[Nudge] = []
    schedule = state.profile.schedule
    if state.stage is Stage.SUPERVISOR_INVITED and state.invitation is not None:
        start, seq = state.invitation.invited_at, state.invitation.seq
        for day in schedule.invitation_reminder_days:
            plan.append(
                Nudge(
                    key=f"inv{seq}:d{day}", kind=NudgeKind.INVITATION_REMINDER, at=start + timedelta(days=day), day=day
                )
            )
        plan.append(
            Nudge(
                key=f"inv{seq}:expiry",
                kind=NudgeKind.INVITATION_EXPIRY,
                at=start + timedelta(days=schedule.invitation_expiry_days),
                day=schedule.invitation_expiry_days,
            )
        )
    clock = evaluation_clock(state)
    # A supervisor handed over to the center (R22) has left NTUST: R20 stops reminding them.
    if clock is not None and not leaving.needs_reassignment(state):
        start, series = clock
        for day in _evaluation_days(state, now - start):
            escalates = day == schedule.evaluation_escalation_days
            kind = NudgeKind.EVALUATION_ESCALATION if escalates else NudgeKind.EVALUATION_REMINDER
            plan.append(Nudge(key=f"{series}:d{day}", kind=kind, at=start + timedelta(days=day), day=day))
    plan.extend(_deadline_plan(state, clock))
    sent = set(state.nudges_sent)
    return sorted((n for n in plan if n.key not in sent), key=lambda n: n.at)


def next_nudge(state: ProjectState, now: datetime) -> Nudge | None:
    upcoming = [n for n in planned_nudges(state, now) if n.at > now]
    return upcoming[0] if upcoming else None


def due_nudges(state: ProjectState, now: datetime) -> list[Nudge]:
    """Nudges whose time has come. After an outage only the latest of a series is sent (the expiry, if due).

    A missed escalation rides on that latest reminder, so the center is still told (R20) without the
    supervisor getting the 21-day reminder and a later one at the same moment. A passed deadline (R22)
    supersedes every reminder; an R20 reminder due with a leaving reminder is sent alone, naming the deadline.
    """
    due = [n for n in planned_nudges(state, now) if n.at <= now]
    if not due:
        return []
    passed = [n for n in due if n.kind is NudgeKind.DEADLINE_PASSED]
    if passed:
        return [passed[-1]]
    others = [n for n in due if n.kind is not NudgeKind.DEADLINE_REMINDER]
    if not others:
        return [due[-1]]
    latest = others[-1]
    if any(n.kind is NudgeKind.EVALUATION_ESCALATION for n in others):
        latest = latest.model_copy(update={"kind": NudgeKind.EVALUATION_ESCALATION})
    return [latest]


def apply_nudge(state: ProjectState, nudge: Nudge, now: datetime) -> None:
    """Fire one nudge; earlier ones of the same series that were missed are marked as passed over."""
    for stale in planned_nudges(state, now):
        covered = stale.kind is NudgeKind.DEADLINE_REMINDER and nudge.kind in _SUPERVISOR_MAIL
        if stale.at <= nudge.at or (covered and stale.at <= now):
            state.nudges_sent.append(stale.key)
    if nudge.kind is NudgeKind.DEADLINE_PASSED:
        leaving.apply_deadline_passed(state, now)
        return
    if nudge.kind is NudgeKind.DEADLINE_REMINDER:
        leaving.apply_reminder(state, nudge.day, now)
        return
    if nudge.kind is NudgeKind.INVITATION_EXPIRY:
        apply_invitation_expired(state, SYSTEM, now)
        return
    if nudge.kind is NudgeKind.INVITATION_REMINDER:
        assert state.invitation is not None
        state.record(SYSTEM, now, "invitation_reminded", f"day {nudge.day}")
        state.notify(
            "invitation_reminder",
            Role.FACULTY,
            state.invitation.faculty.id,
            day=str(nudge.day),
            **invitation_moments(state.invitation.invited_at, state.profile.schedule),
        )
        return
    assert state.supervisor is not None
    state.record(SYSTEM, now, "evaluation_reminded", f"day {nudge.day}")
    state.notify(
        "evaluation_reminder", Role.FACULTY, state.supervisor.faculty.id, **_reminder_context(state, nudge, now)
    )
    if nudge.kind is NudgeKind.EVALUATION_ESCALATION:
        state.notify("evaluation_overdue", Role.CENTER, "center", **_reminder_context(state, nudge, now))


_SUPERVISOR_MAIL = frozenset({NudgeKind.EVALUATION_REMINDER, NudgeKind.EVALUATION_ESCALATION})


def _reminder_context(state: ProjectState, nudge: Nudge, now: datetime) -> dict[str, str]:
    """An R20 reminder names its day of the schedule, since when the evaluation waits (the submission, or a
    reassignment, R22), when it is due and escalates, and a leaving deadline (R22)."""
    context = {"day": str(nudge.day)}
    since = state.evaluation_started_at
    if since is not None:
        context |= evaluation_moments(since, now, nudge.day, state.profile.schedule)
    departure = leaving.active_departure(state)
    if departure is not None:
        context["deadline"] = departure.deadline.isoformat()
    return context
