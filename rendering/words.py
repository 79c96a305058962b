"""How mails and pages say things to people: dates in Taipei time in English and Chinese, hours without
trailing zeros, and the course's codes (categories, indicators, formats, hour kinds) as words.

Pure functions and tables, shared by every template through `rendering.env`.
"""

from __future__ import annotations

from datetime import date, datetime

from domain.calendar import TAIPEI
from domain.labels import HOUR_KINDS
from domain.profile import CourseProfile
from domain.vocabulary import ReflectionFormat

_SHORT_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAYS_ZH = "一二三四五六日"
FORMATS_EN = {
    ReflectionFormat.CONVERSATION: "a conversation",
    ReflectionFormat.AUDIO_VISUAL_RECORD: "an audio-visual record",
    ReflectionFormat.PROOF_OF_HOURS: "proof of hours",
    ReflectionFormat.ORAL_PRESENTATION: "an oral presentation",
    ReflectionFormat.WRITTEN_REPORT: "a written report",
    ReflectionFormat.OTHER: "another format agreed between you",
}
FORMATS_ZH = {
    ReflectionFormat.CONVERSATION: "對談",
    ReflectionFormat.AUDIO_VISUAL_RECORD: "影音紀錄",
    ReflectionFormat.PROOF_OF_HOURS: "時數證明",
    ReflectionFormat.ORAL_PRESENTATION: "口頭報告",
    ReflectionFormat.WRITTEN_REPORT: "書面報告",
    ReflectionFormat.OTHER: "雙方約定的其他方式",
}


def en_date(at: datetime) -> str:
    """`Monday 21 September 2026, 10:00 (Taipei time)`: deadlines are instants, shown where the course runs."""
    local = at.astimezone(TAIPEI)
    day = f"{_WEEKDAYS_EN[local.weekday()]} {local.day} {_MONTHS[local.month - 1]} {local.year}"
    return f"{day}, {local:%H:%M} (Taipei time)"


def zh_date(at: datetime) -> str:
    local = at.astimezone(TAIPEI)
    # Full-width parentheses are the correct punctuation in Chinese text.
    return f"{local.year}年{local.month}月{local.day}日（星期{_WEEKDAYS_ZH[local.weekday()]}）{local:%H:%M}（臺北時間）"  # noqa: RUF001


def zh_day(at: date) -> str:
    """A calendar date as Chinese pages write it: year, month, day and the weekday in full-width parentheses."""
    return f"{at.year}年{at.month}月{at.day}日（星期{_WEEKDAYS_ZH[at.weekday()]}）"  # noqa: RUF001


def format_label(value: str, labels: dict[ReflectionFormat, str]) -> str:
    try:
        return labels[ReflectionFormat(value)]
    except ValueError:
        return value


# R5, R7, R11 and the stages as people read them; anything not listed is shown with its words spaced out.
LABELS: dict[str, str] = {
    # R7 indicators
    "knowledge_into_practice": "Knowledge into practice",
    "civic_consciousness": "Civic consciousness",
    "usr": "University social responsibility (USR)",
    "problem_solving": "Problem solving",
    "cross_disciplinary": "Cross-disciplinary",
    # R5 categories
    "internal": "Offered by the school or a teacher",
    "external": "External",
    "club": "Social club activity",
    "public_service": "Public service",
    "skill_building": "Skill building (off campus)",
    # R6 tags
    "usr_program": "MoE USR programme",
    "education_priority_areas": "MoE education priority areas",
    "remote_area_service": "Remote area service",
    "campus_office_service": "Service at a campus office",
    "reused_internship_proposal": "Reused internship proposal",
    # R11 formats
    "conversation": "A conversation",
    "audio_visual_record": "An audio-visual record",
    "proof_of_hours": "Proof of hours",
    "oral_presentation": "An oral presentation",
    "written_report": "A written report",
    "other": "Another format you agree on",
    # R14 kinds and R15 sources
    "execution": "Execution",
    "skill_learning": "Skill learning",
    "reflection": "Reflection",
    "self_reported": "Self-reported",
    "volunteer_certificate": "Volunteer-hour certificate",
    "campus_club": "On-campus club (needs OSA verification)",
}


def label(value: object) -> str:
    text = str(value)
    return LABELS.get(text, text.replace("_", " ").capitalize())


def taipei(at: datetime | None) -> str:
    """`Mon 21 Sep 2026, 10:00 (Taipei time)`: the course runs in Taipei whatever the server's zone."""
    if at is None:
        return ""
    local = at.astimezone(TAIPEI)
    return f"{local:%a} {local.day} {_SHORT_MONTHS[local.month - 1]} {local.year}, {local:%H:%M} (Taipei time)"


def day(at: object) -> str:
    """A calendar date as `Mon 2 Mar 2026`."""
    assert isinstance(at, date)
    return f"{at:%a} {at.day} {_SHORT_MONTHS[at.month - 1]} {at.year}"


def number(value: object) -> str:
    """Hours without trailing zeros: 12, 1.5."""
    text = f"{value}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def counted_kinds_en(profile: CourseProfile) -> str:
    """R14 in a sentence: the hour kinds the course profile counts ("execution" at NTUST)."""
    return profile.hours.kinds_in_words({k: v.en.lower() for k, v in HOUR_KINDS.items()}, " and ")


def counted_kinds_zh(profile: CourseProfile) -> str:
    return profile.hours.kinds_in_words({k: v.zh for k, v in HOUR_KINDS.items()}, "與")
