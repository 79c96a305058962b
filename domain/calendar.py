"""R25: semesters in Asia/Taipei dates, deadlines computed in UTC."""

from __future__ import annotations

from datetime import MAXYEAR, MINYEAR, UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, model_validator

TAIPEI = ZoneInfo("Asia/Taipei")
# A plausible academic calendar; year 1 or 9999 would overflow UTC conversions further down.
FIRST_YEAR, LAST_YEAR = 2000, 2199


def taipei_midnight_utc(day: date) -> datetime:
    """The instant a Taipei calendar day begins, in UTC."""
    return taipei_time_utc(day, time(0))


def taipei_time_utc(day: date, clock: time) -> datetime:
    """The instant a Taipei wall clock shows `clock` on `day`, in UTC."""
    return datetime.combine(day, clock, tzinfo=TAIPEI).astimezone(UTC)


def taipei_date(instant: datetime) -> date:
    """The Taipei calendar day an instant falls on."""
    return instant.astimezone(TAIPEI).date()


class Semester(BaseModel):
    """A semester: its id (`2026-fall`), first day, first day of final exam week, last day."""

    id: str
    starts_on: date
    final_exam_week_starts_on: date
    ends_on: date

    @model_validator(mode="after")
    def _ordered(self) -> Semester:
        if not all(FIRST_YEAR <= day.year <= LAST_YEAR for day in (self.starts_on, self.ends_on)):
            raise ValueError(f"semester dates must fall between {FIRST_YEAR} and {LAST_YEAR}")
        if not self.starts_on <= self.final_exam_week_starts_on <= self.ends_on:
            raise ValueError("dates must satisfy starts_on <= final_exam_week_starts_on <= ends_on")
        return self

    @property
    def starts_at(self) -> datetime:
        return taipei_midnight_utc(self.starts_on)

    @property
    def final_exam_week_starts_at(self) -> datetime:
        return taipei_midnight_utc(self.final_exam_week_starts_on)

    @property
    def ends_at(self) -> datetime:
        """End of the last day (the next Taipei midnight), in UTC."""
        return taipei_midnight_utc(self.ends_on + timedelta(days=1))

    def contains(self, instant: datetime) -> bool:
        return self.starts_at <= instant < self.ends_at


def default_semester_id(instant: datetime) -> str:
    """The academic term an instant belongs to when the office has not entered one.

    Taiwanese universities run fall from August to January and spring from February to July;
    January belongs to the fall term of the previous calendar year.
    """
    day = taipei_date(instant)
    if day.month >= 8:
        return f"{day.year}-fall"
    if day.month == 1:
        return f"{day.year - 1}-fall"
    return f"{day.year}-spring"


def semester_for(instant: datetime, semesters: list[Semester]) -> str:
    """The configured semester containing an instant, else the default term id."""
    for semester in semesters:
        if semester.contains(instant):
            return semester.id
    return default_semester_id(instant)


def conventional_end(semester_id: str) -> datetime | None:
    """The end of a term by its id alone (`2026-fall` ends with January 2027), for a semester the office
    has not entered yet; None for an id that names no term. The office's calendar, once entered, wins."""
    year, _, term = semester_id.partition("-")
    if not year.isdigit() or term not in ("fall", "spring") or not MINYEAR <= int(year) < MAXYEAR:
        return None  # `0000-spring` and `9999-fall` are well-formed ids of terms no calendar can hold
    last_day = date(int(year) + 1, 1, 31) if term == "fall" else date(int(year), 7, 31)
    return taipei_midnight_utc(last_day + timedelta(days=1))


def unentered_end(semester_id: str, at: datetime) -> datetime:
    """When a semester the office has not entered yet ends: the term's conventional end, or for an id that
    names no term (a summer), the end of the term `at` falls in."""
    end = conventional_end(semester_id) or conventional_end(default_semester_id(at))
    assert end is not None
    return end


ROC_EPOCH = 1911  # the Republic of China calendar: year 1 is 1912


def academic_term(semester_id: str) -> tuple[str, str] | None:
    """A semester id as a Taiwanese professor names it, in English and Chinese: `2026-fall` is the first
    semester of academic year 115 (115學年度第1學期); `2027-spring` its second (the academic year starts in
    August, so spring belongs to the year that began the previous August); `2027-summer` its summer session.
    None for an id that names no term."""
    year, _, term = semester_id.partition("-")
    if not year.isdigit() or term not in ("fall", "spring", "summer"):
        return None
    academic = int(year) - ROC_EPOCH - (0 if term == "fall" else 1)
    span = f"{academic + ROC_EPOCH}-{(academic + ROC_EPOCH + 1) % 100:02d}"
    if term == "summer":
        return f"Academic year {academic} ({span}), summer session", f"{academic}學年度暑期"
    number = 1 if term == "fall" else 2
    which = "first" if number == 1 else "second"
    return f"Academic year {academic} ({span}), {which} semester", f"{academic}學年度第{number}學期"
