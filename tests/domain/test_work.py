"""Step 3: hours (R14, R15), evidence captions (R16) and the closure checklist (R18)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from domain.errors import Code
from domain.vocabulary import EvidenceKind, HourKind, HourSource, Indicator
from domain.work import (
    REQUIRED_HOURS,
    ClosureReport,
    Evidence,
    EvidenceInput,
    HoursEntry,
    HoursInput,
    Verification,
    caption_problem,
    closure_checklist,
    counted_hours,
    hours_on,
)
from tests.domain.factories import PROPERTY, T0, at, blob, participation_photo, reflection_record

DAY = date(2026, 9, 10)

half_hours = st.integers(min_value=1, max_value=24).map(lambda n: Decimal(n) / 2)


def entry(
    hours: str = "12",
    *,
    kind: HourKind = HourKind.EXECUTION,
    source: HourSource = HourSource.SELF_REPORTED,
    verified: bool | None = None,
    day: date = DAY,
    n: int = 1,
) -> HoursEntry:
    verification = None if verified is None else Verification(verified=verified, by="O001", at=at(days=5))
    return HoursEntry(
        id=f"h{n}",
        logged_at=T0,
        date=day,
        hours=Decimal(hours),
        kind=kind,
        description="Reading session",
        source=source,
        verification=verification,
    )


def evidence(source: EvidenceInput, n: int) -> Evidence:
    return Evidence(id=f"e{n}", added_at=T0, **source.model_dump())


FULL_HOURS = [entry(n=n) for n in range(3)]
FULL_EVIDENCE = [evidence(participation_photo(n), n) for n in range(3)] + [evidence(reflection_record(), 3)]


# --- R14: what a student may log --------------------------------------------------------------------


@PROPERTY
@given(hours=half_hours)
def test_any_half_hour_up_to_twelve_is_accepted(hours: Decimal) -> None:
    """R14: any multiple of half an hour from 0.5 to 12 is a valid entry."""
    logged = HoursInput(date=DAY, hours=hours, kind=HourKind.EXECUTION, description="Reading session")

    assert logged.hours == hours


@PROPERTY
@given(hours=st.decimals(min_value=Decimal("0.01"), max_value=Decimal(12), places=2).filter(lambda d: (d * 2) % 1 != 0))
def test_anything_but_half_hours_refused(hours: Decimal) -> None:
    """R14: hours that are not a multiple of half an hour are refused."""
    with pytest.raises(ValidationError, match="half hours"):
        HoursInput(date=DAY, hours=hours, kind=HourKind.EXECUTION, description="Reading session")


@pytest.mark.parametrize("hours", ["0", "-0.5", "-12"])
def test_hours_must_be_more_than_zero(hours: str) -> None:
    """R14: an entry logs more than 0 hours."""
    with pytest.raises(ValidationError, match="greater than 0"):
        HoursInput(date=DAY, hours=Decimal(hours), kind=HourKind.EXECUTION, description="Reading session")


@pytest.mark.parametrize("hours", ["12.5", "13", "24"])
def test_one_entry_at_most_twelve_hours(hours: str) -> None:
    """R14: no single entry logs more than 12 hours."""
    with pytest.raises(ValidationError, match="less than or equal to 12"):
        HoursInput(date=DAY, hours=Decimal(hours), kind=HourKind.EXECUTION, description="Reading session")


def test_hours_on_sums_one_day_across_entries() -> None:
    """R14: the daily limit is over every entry of that date, of any kind."""
    entries = [entry("4", n=1), entry("3.5", kind=HourKind.REFLECTION, n=2), entry("8", day=date(2026, 9, 11), n=3)]

    assert hours_on(entries, DAY) == Decimal("7.5")


# --- R14/R15: what counts ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [HourKind.SKILL_LEARNING, HourKind.REFLECTION])
def test_only_execution_hours_count(kind: HourKind) -> None:
    """R14: skill-learning and reflection hours are logged but do not count toward the minimum."""
    assert not entry(kind=kind).counts
    assert counted_hours([entry(kind=kind), entry("2", n=2)]) == Decimal(2)


def test_volunteer_certificate_hours_count_as_logged() -> None:
    """R15: hours backed by an official volunteer-hour certificate count without further verification."""
    certified = entry("6", source=HourSource.VOLUNTEER_CERTIFICATE)

    assert certified.counts
    assert not certified.awaits_verification


def test_club_hours_wait_for_verification() -> None:
    """R15: on-campus club hours do not count until the Office of Student Affairs verifies them."""
    club = entry("6", source=HourSource.CAMPUS_CLUB)

    assert club.awaits_verification
    assert not club.counts


def test_club_hours_count_once_verified() -> None:
    """R15: club hours count once the Office of Student Affairs verifies them as true."""
    club = entry("6", source=HourSource.CAMPUS_CLUB, verified=True)

    assert club.counts
    assert counted_hours([club]) == Decimal(6)


def test_club_hours_refused_by_osa_never_count() -> None:
    """R15: club hours the Office of Student Affairs refuses (verified False) do not count."""
    club = entry("6", source=HourSource.CAMPUS_CLUB, verified=False)

    assert not club.counts
    assert not club.awaits_verification


@PROPERTY
@given(
    entries=st.lists(
        st.builds(
            lambda hours, kind, source, verified: entry(str(hours), kind=kind, source=source, verified=verified),
            half_hours,
            st.sampled_from(list(HourKind)),
            st.sampled_from(list(HourSource)),
            st.none() | st.booleans(),
        ),
        max_size=12,
    )
)
def test_counted_hours_never_exceed_logged_execution_hours(entries: list[HoursEntry]) -> None:
    """R14/R15: counted hours are never more than the execution hours logged, nor less than zero."""
    execution = sum((e.hours for e in entries if e.kind is HourKind.EXECUTION), Decimal(0))

    assert Decimal(0) <= counted_hours(entries) <= execution


# --- R16: captions ----------------------------------------------------------------------------------


def test_participation_caption_needs_twenty_characters() -> None:
    """R16: a participation photo needs a detailed caption of at least 20 characters."""
    short = EvidenceInput(kind=EvidenceKind.PARTICIPATION, caption="Me at the library", blob=blob())

    problem = caption_problem(short)

    assert problem is not None
    assert "20 characters" in problem
    assert "where you are" in problem


def test_participation_caption_of_twenty_characters_accepted() -> None:
    """R16: a participation caption of exactly 20 characters is detailed enough."""
    assert caption_problem(EvidenceInput(kind=EvidenceKind.PARTICIPATION, caption="x" * 20, blob=blob())) is None


def test_caption_padding_does_not_count() -> None:
    """R16: spaces around a caption do not make it detailed."""
    padded = EvidenceInput(kind=EvidenceKind.PARTICIPATION, caption="  Me at the library   ", blob=blob())

    assert padded.caption == "Me at the library"
    assert caption_problem(padded) is not None


def test_reflection_record_needs_a_caption() -> None:
    """R16: the reflection record carries a caption (at least 10 characters), a shorter one is refused."""
    assert caption_problem(EvidenceInput(kind=EvidenceKind.REFLECTION, caption="Talk", blob=blob())) is not None
    assert caption_problem(EvidenceInput(kind=EvidenceKind.REFLECTION, caption="Talk with Dr", blob=blob())) is None


# --- R18: the closure report and its checklist ------------------------------------------------------


def test_closure_report_needs_indicator_notes() -> None:
    """R18: each indicator note in the closure report says something (10 characters or more)."""
    with pytest.raises(ValidationError, match="indicator note"):
        ClosureReport(narrative="n" * 60, indicators={Indicator.USR: "          ok"})


def test_closure_report_needs_a_narrative() -> None:
    """R18: the closure report has a narrative of ideas, process and reflection."""
    with pytest.raises(ValidationError, match="narrative"):
        ClosureReport(narrative="Too short.", indicators={Indicator.USR: "The children read more."})


def test_blank_narrative_refused() -> None:
    """R18: a narrative of spaces is no narrative, however long."""
    with pytest.raises(ValidationError, match="narrative"):
        ClosureReport(narrative=" " * 80, indicators={Indicator.USR: "The children read more."})


def test_complete_work_has_nothing_missing() -> None:
    """R18: with a supervisor, 36 counted hours, three photos and a reflection record nothing is missing."""
    assert counted_hours(FULL_HOURS) == REQUIRED_HOURS
    assert closure_checklist(supervisor_confirmed=True, entries=FULL_HOURS, evidence=FULL_EVIDENCE) == []


def test_checklist_names_all_four_missing_items() -> None:
    """R18: with nothing done, each of the four missing items is named, in order."""
    missing = closure_checklist(supervisor_confirmed=False, entries=[], evidence=[])

    assert [p.code for p in missing] == [
        Code.SUPERVISOR_NOT_CONFIRMED,
        Code.HOURS_BELOW_MINIMUM,
        Code.PHOTOS_MISSING,
        Code.REFLECTION_RECORD_MISSING,
    ]


def test_checklist_supervisor_alone() -> None:
    """R18: only the unconfirmed supervisor is named when everything else is there."""
    missing = closure_checklist(supervisor_confirmed=False, entries=FULL_HOURS, evidence=FULL_EVIDENCE)

    assert [p.code for p in missing] == [Code.SUPERVISOR_NOT_CONFIRMED]


def test_checklist_hours_alone() -> None:
    """R18: 35.5 counted hours are short of 36, and the refusal says how many are counted."""
    short = [*FULL_HOURS[:2], entry("11.5", n=9)]

    missing = closure_checklist(supervisor_confirmed=True, entries=short, evidence=FULL_EVIDENCE)

    assert [p.code for p in missing] == [Code.HOURS_BELOW_MINIMUM]
    assert missing[0].detail == "35.5 of 36 execution hours counted."


def test_checklist_hours_mentions_club_hours_awaiting_verification() -> None:
    """R15/R18: when club hours await verification the refusal says how many."""
    awaiting = [*FULL_HOURS[:2], entry("12", source=HourSource.CAMPUS_CLUB, n=9)]

    missing = closure_checklist(supervisor_confirmed=True, entries=awaiting, evidence=FULL_EVIDENCE)

    assert [p.code for p in missing] == [Code.HOURS_BELOW_MINIMUM]
    assert "12 club hours await verification by the Office of Student Affairs" in missing[0].detail


def test_checklist_photos_alone() -> None:
    """R18: two participation photos are one short, and the refusal counts them."""
    two_photos = FULL_EVIDENCE[1:]

    missing = closure_checklist(supervisor_confirmed=True, entries=FULL_HOURS, evidence=two_photos)

    assert [p.code for p in missing] == [Code.PHOTOS_MISSING]
    assert missing[0].detail.startswith("2 of 3")


def test_checklist_reflection_record_alone() -> None:
    """R18: without the reflection record only that item is named."""
    photos_only = FULL_EVIDENCE[:3]

    missing = closure_checklist(supervisor_confirmed=True, entries=FULL_HOURS, evidence=photos_only)

    assert [p.code for p in missing] == [Code.REFLECTION_RECORD_MISSING]


def test_reflection_record_is_not_a_participation_photo() -> None:
    """R16/R18: reflection records do not stand in for participation photos."""
    reflections = [evidence(reflection_record(n), n) for n in range(4)]

    missing = closure_checklist(supervisor_confirmed=True, entries=FULL_HOURS, evidence=reflections)

    assert [p.code for p in missing] == [Code.PHOTOS_MISSING]
