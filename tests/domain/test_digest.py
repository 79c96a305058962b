"""R8: the daily review digest is due at 09:00 Taipei time and lists proposals unreviewed for 3 days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.calendar import TAIPEI
from domain.digest import WaitingGroup, digest_items, digest_key, in_review, next_digest_at
from domain.project import ProjectSummary
from domain.stages import Stage
from tests.domain.factories import PROPERTY

instants = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC))


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "due"),
    [
        # 08:30 in Taipei: today's 09:00, which is 01:00 UTC the same day.
        (utc(2026, 9, 7, 0, 30), utc(2026, 9, 7, 1, 0)),
        # Exactly 09:00 in Taipei: the digest just went out, the next is tomorrow's.
        (utc(2026, 9, 7, 1, 0), utc(2026, 9, 8, 1, 0)),
        # 09:00:01 in Taipei: tomorrow's.
        (utc(2026, 9, 7, 1, 0, 1), utc(2026, 9, 8, 1, 0)),
        # 23:30 in Taipei, still 15:30 UTC: tomorrow in Taipei.
        (utc(2026, 9, 7, 15, 30), utc(2026, 9, 8, 1, 0)),
        # 00:30 in Taipei on 8 September, 16:30 UTC on the 7th: the same Taipei day's 09:00.
        (utc(2026, 9, 7, 16, 30), utc(2026, 9, 8, 1, 0)),
        # Across a year end, in Taipei's calendar.
        (utc(2026, 12, 31, 17, 0), utc(2027, 1, 1, 1, 0)),
    ],
)
def test_next_digest_is_the_next_nine_oclock_in_taipei(now: datetime, due: datetime) -> None:
    """R8: the digest goes out daily at 09:00 Asia/Taipei, strictly after now."""
    assert next_digest_at(now) == due


@PROPERTY
@given(instants)
def test_next_digest_is_within_a_day_at_nine_in_taipei(now: datetime) -> None:
    """R8: for any instant, the next digest is later, at most a day away, and at 09:00:00 on Taipei's clock."""
    due = next_digest_at(now)
    assert now < due <= now + timedelta(days=1)
    local = due.astimezone(TAIPEI)
    assert (local.hour, local.minute, local.second, local.microsecond) == (9, 0, 0, 0)


@pytest.mark.parametrize("month", range(1, 13))
def test_taipei_keeps_no_daylight_saving_time(month: int) -> None:
    """R8/R25: the digest is at 01:00 UTC all year round (Asia/Taipei is UTC+8 without DST)."""
    assert next_digest_at(utc(2026, month, 15, 12, 0)) == utc(2026, month, 16, 1, 0)


def test_one_digest_key_per_taipei_day() -> None:
    """R8: the outbox key names the Taipei date, so a retried digest is never sent twice that day."""
    assert digest_key(utc(2026, 9, 7, 1, 0)) == "digest:2026-09-07"
    assert digest_key(utc(2026, 9, 7, 16, 30)) == "digest:2026-09-08"  # already the 8th in Taipei


def summary(
    project_id: str, since: datetime, stage: Stage = Stage.PROPOSAL_REVIEW, priority: str = "normal"
) -> ProjectSummary:
    return ProjectSummary(
        id=project_id,
        student_id="B11200001",
        semester_id="2026-fall",
        stage=stage,
        title=f"Project {project_id}",
        category="external",
        priority=priority,
        group_id=None,
        supervisor_id=None,
        invited_faculty_id=None,
        counted_hours=Decimal(0),
        created_at=since,
        stage_since=since,
        updated_at=since,
        revision=2,
        credit_granted=None,
    )


def test_digest_lists_proposals_waiting_three_days_or_more_longest_first() -> None:
    """R8: only proposals in review for 3 days or more are listed, longest waiting first, with the days."""
    at = utc(2026, 9, 10, 1, 0)
    waiting = [
        summary("three-days", at - timedelta(days=3), priority="high"),
        summary("five-days", at - timedelta(days=5, hours=2), priority="low"),
        summary("almost", at - timedelta(days=3) + timedelta(seconds=1)),
        summary("approved", at - timedelta(days=9), stage=Stage.NEEDS_SUPERVISOR),
    ]
    items = digest_items(waiting, at)
    assert [(i.project_id, i.days_waiting, i.priority) for i in items] == [
        ("five-days", 5, "low"),
        ("three-days", 3, "high"),
    ]
    assert items[0].title == "Project five-days"


def test_nothing_to_digest() -> None:
    """R8: with no proposal waiting long enough the digest lists nothing (and no mail goes out)."""
    at = utc(2026, 9, 10, 1, 0)
    assert digest_items([summary("new", at - timedelta(hours=5))], at) == []


def test_review_queue_holds_every_proposal_in_review_longest_waiting_first() -> None:
    """R8/R9, the desk's review queue: proposals and group proposals in review however short their wait, oldest
    first; a project in another stage is left out, and a wait is never below 0 days."""
    at = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    waiting = [
        summary("fresh", at - timedelta(hours=2)),
        summary("old", at - timedelta(days=5)),
        summary("ahead", at + timedelta(hours=1)),
        summary("approved", at - timedelta(days=9), stage=Stage.NEEDS_SUPERVISOR),
    ]
    groups = [WaitingGroup(id="g1", title="Beach", priority="normal", stage_since=at - timedelta(days=1), members=3)]
    items = in_review(waiting, groups, at)
    assert [(i.project_id, i.kind, i.days_waiting) for i in items] == [
        ("old", "proposal", 5),
        ("g1", "group", 1),
        ("fresh", "proposal", 0),
        ("ahead", "proposal", 0),
    ]
    assert items[1].members == 3
