"""R8: the daily digest to the center of proposals that have waited 3 days or more for review.

Pure: when the next digest is due and what it lists. `workflows/digest.py` sleeps until `next_digest_at`;
`activities/digest.py` reads the waiting proposals and sends the mail, once per Taipei day (`digest_key`).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Literal

from pydantic import BaseModel

from domain.calendar import taipei_date, taipei_time_utc
from domain.project import ProjectSummary
from domain.stages import Stage

DIGEST_CLOCK = time(9, 0)  # 09:00 in Taipei: in the inbox when the office opens
REVIEW_WAIT = timedelta(days=3)  # R8: a proposal unreviewed this long goes into the digest
DIGEST_STAGE = Stage.PROPOSAL_REVIEW


def next_digest_at(now: datetime) -> datetime:
    """The first 09:00 Taipei time strictly after `now`, in UTC.

    Strictly after, so a workflow woken at 09:00 sleeps to tomorrow's. Taipei keeps no daylight saving
    time today, but going through the zone keeps this right if it ever did.
    """
    day = taipei_date(now)
    at = taipei_time_utc(day, DIGEST_CLOCK)
    return at if at > now else taipei_time_utc(day + timedelta(days=1), DIGEST_CLOCK)


def waiting_since_cutoff(at: datetime, wait: timedelta = REVIEW_WAIT) -> datetime:
    """Proposals in review since this instant or earlier belong in the digest due at `at` (the wait is the
    course profile's `review_digest_after_days`; NTUST's 3 days by default)."""
    return at - wait


def digest_key(at: datetime) -> str:
    """The outbox key: one digest per Taipei calendar day, however often the activity is retried."""
    return f"digest:{taipei_date(at).isoformat()}"


class DigestItem(BaseModel):
    """One waiting proposal as the digest lists it: a project's, or a group proposal (R9), whose
    `project_id` is then the group's id."""

    project_id: str
    title: str
    priority: str
    waiting_since: datetime
    days_waiting: int
    kind: Literal["proposal", "group"] = "proposal"
    members: int = 0


def digest_items(waiting: list[ProjectSummary], at: datetime, wait: timedelta = REVIEW_WAIT) -> list[DigestItem]:
    """The proposals of `waiting` that belong in the digest due at `at`, longest waiting first."""
    cutoff = waiting_since_cutoff(at, wait)
    due = [p for p in waiting if p.stage is DIGEST_STAGE and p.stage_since <= cutoff]
    return [
        DigestItem(
            project_id=p.id,
            title=p.title,
            priority=p.priority,
            waiting_since=p.stage_since,
            days_waiting=(at - p.stage_since).days,
        )
        for p in sorted(due, key=lambda p: (p.stage_since, p.id))
    ]


class WaitingGroup(BaseModel):
    """A group proposal in review as the group read model has it (R9)."""

    id: str
    title: str
    priority: str
    stage_since: datetime
    members: int


def with_group_proposals(
    items: list[DigestItem], groups: list[WaitingGroup], at: datetime, wait: timedelta = REVIEW_WAIT
) -> list[DigestItem]:
    """R8/R9: group proposals are reviewed like proposals, so those waiting as long join the digest; the
    whole list stays longest waiting first."""
    cutoff = waiting_since_cutoff(at, wait)
    waiting = [
        DigestItem(
            project_id=g.id,
            title=g.title,
            priority=g.priority,
            waiting_since=g.stage_since,
            days_waiting=(at - g.stage_since).days,
            kind="group",
            members=g.members,
        )
        for g in groups
        if g.stage_since <= cutoff
    ]
    return sorted([*items, *waiting], key=lambda item: (item.waiting_since, item.project_id))


def in_review(waiting: list[ProjectSummary], groups: list[WaitingGroup], at: datetime) -> list[DigestItem]:
    """R8/R9: every proposal and group proposal still in review, however short its wait, longest waiting
    first (the desk's review queue); a wait is never counted below 0 days."""
    items = [
        DigestItem(
            project_id=p.id,
            title=p.title,
            priority=p.priority,
            waiting_since=p.stage_since,
            days_waiting=max(0, (at - p.stage_since).days),
        )
        for p in waiting
        if p.stage is DIGEST_STAGE
    ]
    items += [
        DigestItem(
            project_id=g.id,
            title=g.title,
            priority=g.priority,
            waiting_since=g.stage_since,
            days_waiting=max(0, (at - g.stage_since).days),
            kind="group",
            members=g.members,
        )
        for g in groups
    ]
    return sorted(items, key=lambda item: (item.waiting_since, item.project_id))
