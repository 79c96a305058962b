"""Durable nudges as a pure schedule: what is owed to whom, and when (R12, R20).

Each nudge has a key naming the situation it belongs to (the invitation or submission sequence), so a
new invitation or resubmission re-arms the series and an answered one simply stops producing nudges.
The workflow sleeps until `next_nudge`, then applies whatever `due_nudges` returns.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel

from domain.project import SYSTEM, ProjectState
from domain.stages import Stage
from domain.transitions import apply_invitation_expired
from domain.vocabulary import Role

INVITATION_REMINDER_DAYS = (3, 7)  # R12
INVITATION_EXPIRY_DAYS = 14  # R12
EVALUATION_REMINDER_DAYS = (7, 14)  # R20, then weekly
EVALUATION_ESCALATION_DAYS = 21  # R20: the center is told too


class NudgeKind(StrEnum):
    INVITATION_REMINDER = "invitation_reminder"
    INVITATION_EXPIRY = "invitation_expiry"
    EVALUATION_REMINDER = "evaluation_reminder"
    EVALUATION_ESCALATION = "evaluation_escalation"


class Nudge(BaseModel):
    key: str
    kind: NudgeKind
    at: datetime
    day: int


def _evaluation_days(elapsed: timedelta) -> list[int]:
    """7, 14, then weekly: every reminder day up to the first one still ahead."""
    days = list(EVALUATION_REMINDER_DAYS)
    while days[-1] <= elapsed.days:
        days.append(days[-1] + 7)
    return days


def planned_nudges(state: ProjectState, now: datetime) -> list[Nudge]:
    """Every nudge of the current situation not yet sent, past and next, in time order."""
    plan: list[Nudge] = []
    if state.stage is Stage.SUPERVISOR_INVITED and state.invitation is not None:
        start, seq = state.invitation.invited_at, state.invitation.seq
        for day in INVITATION_REMINDER_DAYS:
            plan.append(
                Nudge(
                    key=f"inv{seq}:d{day}", kind=NudgeKind.INVITATION_REMINDER, at=start + timedelta(days=day), day=day
                )
            )
        plan.append(
            Nudge(
                key=f"inv{seq}:expiry",
                kind=NudgeKind.INVITATION_EXPIRY,
                at=start + timedelta(days=INVITATION_EXPIRY_DAYS),
                day=INVITATION_EXPIRY_DAYS,
            )
        )
    if state.stage is Stage.EVALUATION_PENDING and state.submission is not None:
        start, seq = state.submission.submitted_at, state.submission.seq
        for day in _evaluation_days(now - start):
            kind = (
                NudgeKind.EVALUATION_ESCALATION if day == EVALUATION_ESCALATION_DAYS else NudgeKind.EVALUATION_REMINDER
            )
            plan.append(Nudge(key=f"sub{seq}:d{day}", kind=kind, at=start + timedelta(days=day), day=day))
    sent = set(state.nudges_sent)
    return sorted((n for n in plan if n.key not in sent), key=lambda n: n.at)


def next_nudge(state: ProjectState, now: datetime) -> Nudge | None:
    upcoming = [n for n in planned_nudges(state, now) if n.at > now]
    return upcoming[0] if upcoming else None


def due_nudges(state: ProjectState, now: datetime) -> list[Nudge]:
    """Nudges whose time has come. After an outage only the latest of a series is sent (the expiry, if due).

    A missed escalation rides on that latest reminder, so the center is still told (R20) without the
    supervisor getting the 21-day reminder and a later one at the same moment.
    """
    due = [n for n in planned_nudges(state, now) if n.at <= now]
    if not due:
        return []
    latest = due[-1]
    if any(n.kind is NudgeKind.EVALUATION_ESCALATION for n in due):
        latest = latest.model_copy(update={"kind": NudgeKind.EVALUATION_ESCALATION})
    return [latest]


def apply_nudge(state: ProjectState, nudge: Nudge, now: datetime) -> None:
    """Fire one nudge; earlier ones of the same series that were missed are marked as passed over."""
    for stale in planned_nudges(state, now):
        if stale.at <= nudge.at:
            state.nudges_sent.append(stale.key)
    if nudge.kind is NudgeKind.INVITATION_EXPIRY:
        apply_invitation_expired(state, SYSTEM, now)
        return
    if nudge.kind is NudgeKind.INVITATION_REMINDER:
        assert state.invitation is not None
        state.record(SYSTEM, now, "invitation_reminded", f"day {nudge.day}")
        state.notify("invitation_reminder", Role.FACULTY, state.invitation.faculty.id, day=str(nudge.day))
        return
    assert state.supervisor is not None
    state.record(SYSTEM, now, "evaluation_reminded", f"day {nudge.day}")
    state.notify("evaluation_reminder", Role.FACULTY, state.supervisor.faculty.id, day=str(nudge.day))
    if nudge.kind is NudgeKind.EVALUATION_ESCALATION:
        state.notify("evaluation_overdue", Role.CENTER, "center", day=str(nudge.day))
