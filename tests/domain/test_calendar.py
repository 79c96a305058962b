"""R25: semesters in Asia/Taipei dates, deadlines and nudges in UTC."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from domain.calendar import (
    Semester,
    default_semester_id,
    semester_for,
    taipei_date,
    taipei_midnight_utc,
    unentered_end,
)
from tests.domain.factories import PROPERTY

FALL = Semester(
    id="2026-fall",
    starts_on=date(2026, 9, 1),
    final_exam_week_starts_on=date(2027, 1, 11),
    ends_on=date(2027, 1, 17),
)

instants = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC))


def test_semester_starts_at_taipei_midnight_in_utc() -> None:
    """R25: 2026-fall starting 2026-09-01 in Taipei starts at 2026-08-31T16:00Z."""
    assert FALL.starts_at == datetime(2026, 8, 31, 16, 0, tzinfo=UTC)


def test_final_exam_week_starts_at_taipei_midnight() -> None:
    """R25: the first day of final exam week begins at Taipei midnight, 16:00Z the day before."""
    assert FALL.final_exam_week_starts_at == datetime(2027, 1, 10, 16, 0, tzinfo=UTC)


def test_semester_ends_at_midnight_after_last_day() -> None:
    """R25: a semester ends when the day after ends_on begins in Taipei, so the whole last day is inside."""
    assert FALL.ends_at == datetime(2027, 1, 17, 16, 0, tzinfo=UTC)
    assert FALL.contains(datetime(2027, 1, 17, 15, 59, 59, tzinfo=UTC))
    assert not FALL.contains(FALL.ends_at)


def test_contains_is_half_open() -> None:
    """R25: the semester contains its first instant and not the instant before it."""
    assert FALL.contains(FALL.starts_at)
    assert not FALL.contains(FALL.starts_at - timedelta(microseconds=1))


@pytest.mark.parametrize(
    ("starts_on", "exams_on", "ends_on"),
    [
        (date(2026, 9, 1), date(2026, 8, 31), date(2027, 1, 17)),
        (date(2026, 9, 1), date(2027, 1, 18), date(2027, 1, 17)),
        (date(2027, 2, 1), date(2027, 1, 11), date(2027, 1, 17)),
    ],
)
def test_dates_out_of_order_rejected(starts_on: date, exams_on: date, ends_on: date) -> None:
    """R25: start, final exam week and end must come in that order."""
    with pytest.raises(ValidationError, match="starts_on <= final_exam_week_starts_on <= ends_on"):
        Semester(id="2026-fall", starts_on=starts_on, final_exam_week_starts_on=exams_on, ends_on=ends_on)


def test_semester_for_finds_configured_semester() -> None:
    """R25: an instant inside a configured semester belongs to it."""
    assert semester_for(datetime(2026, 12, 1, tzinfo=UTC), [FALL]) == "2026-fall"


def test_semester_for_uses_taipei_date_at_boundary() -> None:
    """R25: 2026-08-31T16:00Z is already 1 September in Taipei, so it is in 2026-fall."""
    assert semester_for(datetime(2026, 8, 31, 16, 0, tzinfo=UTC), [FALL]) == "2026-fall"


def test_semester_for_falls_back_to_default_id() -> None:
    """R25: an instant outside every configured semester gets the default term id."""
    assert semester_for(datetime(2027, 3, 1, tzinfo=UTC), [FALL]) == "2027-spring"
    assert semester_for(datetime(2026, 8, 20, tzinfo=UTC), []) == "2026-fall"


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (datetime(2026, 7, 31, 15, 59, tzinfo=UTC), "2026-spring"),  # 31 July 23:59 Taipei
        (datetime(2026, 7, 31, 16, 0, tzinfo=UTC), "2026-fall"),  # 1 August 00:00 Taipei
        (datetime(2027, 1, 31, 15, 59, tzinfo=UTC), "2026-fall"),  # January is the previous fall
        (datetime(2027, 1, 31, 16, 0, tzinfo=UTC), "2027-spring"),  # 1 February Taipei
        (datetime(2026, 12, 31, 16, 0, tzinfo=UTC), "2026-fall"),  # 1 January 2027 Taipei
    ],
)
def test_default_semester_id_boundaries(instant: datetime, expected: str) -> None:
    """R25: by Taipei date, fall runs August to January and spring February to July."""
    assert default_semester_id(instant) == expected


@PROPERTY
@given(instant=instants)
def test_default_semester_id_covers_every_date(instant: datetime) -> None:
    """R25: every instant gets a well-formed term id: fall from August to January, spring otherwise."""
    day = taipei_date(instant)

    term = default_semester_id(instant)

    assert re.fullmatch(r"\d{4}-(fall|spring)", term)
    if day.month >= 8:
        assert term == f"{day.year}-fall"
    elif day.month == 1:
        assert term == f"{day.year - 1}-fall"
    else:
        assert term == f"{day.year}-spring"


@PROPERTY
@given(instant=instants)
def test_semester_for_matches_containment(instant: datetime) -> None:
    """R25: semester_for names the configured semester exactly when it contains the instant."""
    chosen = semester_for(instant, [FALL])

    assert (chosen == FALL.id) == (FALL.contains(instant) or default_semester_id(instant) == FALL.id)


@PROPERTY
@given(day=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_taipei_midnight_round_trips(day: date) -> None:
    """R25: a Taipei day begins 8 hours earlier in UTC, and that instant falls on the same Taipei day."""
    midnight = taipei_midnight_utc(day)

    assert midnight.utcoffset() == timedelta(0)
    assert taipei_date(midnight) == day
    assert taipei_date(midnight - timedelta(microseconds=1)) == day - timedelta(days=1)


def test_a_semester_not_entered_yet_ends_at_its_terms_conventional_end() -> None:
    """R22/R25: before the office enters a semester, a leaving teacher's deadline is the term's conventional end
    (fall: January 31 of the next year, spring: July 31); an id that names no term (a summer) falls back to the
    end of the term the moment belongs to."""
    at = datetime(2026, 12, 1, tzinfo=UTC)
    assert unentered_end("2026-fall", at) == taipei_midnight_utc(date(2027, 2, 1))
    assert unentered_end("2027-spring", at) == taipei_midnight_utc(date(2027, 8, 1))
    assert unentered_end("2027-summer", at) == unentered_end("2026-fall", at)


def test_a_well_formed_id_of_a_year_no_calendar_holds_ends_with_the_current_term() -> None:
    """R13/R22: `leaving_after: 0000-spring` or `9999-fall` is a well-formed id; its end is the current term's,
    never an error (the fuzzer found `0000-spring` answering 500)."""
    at = datetime(2026, 10, 1, tzinfo=UTC)
    assert unentered_end("0000-spring", at) == unentered_end("2026-fall", at)
    assert unentered_end("9999-fall", at) == unentered_end("2026-fall", at)
