"""The dates of the course's clock, each computed once here (R12, R20, R22): when an invitation lapses,
when an evaluation is due and escalates, until when an emailed link works.

The workflow puts the dates a mail names into the notice's context when it owes the mail, so the mail says
what the rules decided, whenever a retry finally sends it. The days are the project profile's `schedule`;
the constants below are NTUST's (`domain.profile.NTUST_V1`), the default.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.profile import NTUST_V1, Schedule

NTUST_SCHEDULE = NTUST_V1.schedule
INVITATION_REMINDER_DAYS = (3, 7)  # R12
INVITATION_EXPIRY_DAYS = 14  # R12
EVALUATION_REMINDER_DAYS = (7, 14)  # R20, then weekly
EVALUATION_ESCALATION_DAYS = 21  # R20: the center is told too
REMINDER_REQUEST_INTERVAL = timedelta(days=3)  # R20: how often a student may ask for a reminder


def reminder_request_interval(schedule: Schedule = NTUST_SCHEDULE) -> timedelta:
    """R20: how often a student may ask for a reminder to the supervisor."""
    return timedelta(days=schedule.reminder_request_interval_days)


def invitation_expires_at(invited_at: datetime, schedule: Schedule = NTUST_SCHEDULE) -> datetime:
    """R12: an unanswered invitation lapses (14 days after it was sent, at NTUST)."""
    return invited_at + timedelta(days=schedule.invitation_expiry_days)


def evaluation_due_at(since: datetime, schedule: Schedule = NTUST_SCHEDULE) -> datetime:
    """R20: the first reminder's day; the evaluation is due before it."""
    return since + timedelta(days=schedule.evaluation_reminder_days[0])


def escalates_at(since: datetime, schedule: Schedule = NTUST_SCHEDULE) -> datetime:
    """R20: from this day on the center is told too."""
    return since + timedelta(days=schedule.evaluation_escalation_days)


def invitation_moments(invited_at: datetime, schedule: Schedule = NTUST_SCHEDULE) -> dict[str, str]:
    """What an invitation mail (or its reminder) says about time: sent when, lapses when (R12)."""
    return {
        "invited_at": invited_at.isoformat(),
        "invitation_expires_at": invitation_expires_at(invited_at, schedule).isoformat(),
    }


def evaluation_moments(
    since: datetime, now: datetime, day: int | None = None, schedule: Schedule = NTUST_SCHEDULE
) -> dict[str, str]:
    """What an evaluation mail says about time (R20): waiting since when and how long, due and escalation days.

    `day` is the reminder's day of the schedule when a nudge sends it; otherwise the days waited until `now`.
    """
    waited = day if day is not None else (now - since).days
    return {
        "submitted_at": since.isoformat(),
        "evaluate_by": evaluation_due_at(since, schedule).isoformat(),
        "escalates_at": escalates_at(since, schedule).isoformat(),
        "days_waiting": str(waited),
        "escalated": "yes" if waited >= schedule.evaluation_escalation_days else "",
    }


def link_expires_at(issued_at: datetime, valid_days: int, *, lapses_at: datetime | None = None) -> datetime:
    """An emailed action link works `valid_days`, never past the situation it answers (an invitation lapses,
    R12); whole seconds, as the link's signature covers them."""
    expires = issued_at + timedelta(days=valid_days)
    if lapses_at is not None:
        expires = min(expires, lapses_at)
    return expires.replace(microsecond=0)
