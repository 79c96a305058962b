"""Step 3, implementation and reflection: hours (R14, R15), evidence (R16), the closure checklist (R18)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from domain.errors import Code, Problem
from domain.profile import FRAME_ID_PATTERN, NTUST_V1, CourseProfile
from domain.vocabulary import EvidenceKind, HourKind, HourSource

REQUIRED_HOURS = Decimal(36)  # R15 (NTUST's; a project's own is its profile's `hours.required`)
COUNTED_KINDS = frozenset({HourKind.EXECUTION})  # R14 (NTUST's; a project's own is `hours.counted_kinds`)
MAX_HOURS_PER_DAY = Decimal(12)  # R14
REQUIRED_PARTICIPATION_PHOTOS = 3  # R16
MIN_PARTICIPATION_CAPTION = 20  # R16: "a detailed caption"
MIN_REFLECTION_CAPTION = 10


class HoursInput(BaseModel):
    """R14: what a student logs."""

    date: date
    # The schema advertises the half-hour step; the validator below says it in words.
    hours: Decimal = Field(gt=0, le=MAX_HOURS_PER_DAY, json_schema_extra={"multipleOf": 0.5})
    kind: HourKind
    description: str = Field(min_length=3, max_length=2000)
    source: HourSource = HourSource.SELF_REPORTED
    proof_evidence_id: str | None = Field(default=None, max_length=64)

    @field_validator("hours")
    @classmethod
    def _half_hours(cls, value: Decimal) -> Decimal:
        if (value * 2) % 1 != 0:
            raise ValueError("hours are logged in half hours (0.5, 1, 1.5, ...)")
        return value


class Verification(BaseModel):
    """R15: the Office of Student Affairs' word on club hours."""

    verified: bool
    note: str = ""
    by: str
    at: datetime


class HoursEntry(HoursInput):
    id: str
    logged_at: datetime
    verification: Verification | None = None

    @property
    def awaits_verification(self) -> bool:
        return self.source is HourSource.CAMPUS_CLUB and self.verification is None

    @property
    def counts(self) -> bool:
        """R14/R15: execution hours count; club hours only once OSA verified them."""
        return self.counts_among(COUNTED_KINDS)

    def counts_among(self, kinds: Collection[HourKind]) -> bool:
        """R14/R15 under a profile: hours of a counted kind count; club hours only once OSA verified them."""
        if self.kind not in kinds:
            return False
        if self.source is HourSource.CAMPUS_CLUB:
            return self.verification is not None and self.verification.verified
        return True


def counted_hours(entries: list[HoursEntry], kinds: Collection[HourKind] = COUNTED_KINDS) -> Decimal:
    return sum((entry.hours for entry in entries if entry.counts_among(kinds)), Decimal(0))


def hours_on(entries: list[HoursEntry], day: date) -> Decimal:
    return sum((entry.hours for entry in entries if entry.date == day), Decimal(0))


class BlobRef(BaseModel):
    """Where an uploaded file lives; the bytes never enter workflow history."""

    digest: str = Field(pattern=r"^[0-9a-f]{64}$")
    content_type: str
    size: int = Field(gt=0)
    width: int = Field(gt=0)
    height: int = Field(gt=0)
    filename: str = ""


class EvidenceInput(BaseModel):
    kind: EvidenceKind
    caption: str = Field(min_length=1, max_length=2000)
    blob: BlobRef

    @field_validator("caption")
    @classmethod
    def _stripped(cls, value: str) -> str:
        return value.strip()


class Evidence(EvidenceInput):
    id: str
    added_at: datetime


def caption_problem(evidence: EvidenceInput) -> str | None:
    """R16: participation photos need a detailed caption, the reflection record a caption."""
    minimum = MIN_PARTICIPATION_CAPTION if evidence.kind is EvidenceKind.PARTICIPATION else MIN_REFLECTION_CAPTION
    if len(evidence.caption) < minimum:
        return (
            f"A {evidence.kind.value} caption needs at least {minimum} characters: say what happens and, "
            "where several people are in the photo, where you are."
        )
    return None


class ClosureReport(BaseModel):
    """R18: narrative of ideas, process and reflection, plus a note per chosen indicator."""

    # Length limits apply to the text without surrounding whitespace: a blank narrative is no report.
    model_config = ConfigDict(str_strip_whitespace=True)

    narrative: str = Field(min_length=50, max_length=50000)
    # Keyed by the ids of the project profile's frame (indicators or competencies).
    indicators: dict[Annotated[str, StringConstraints(pattern=FRAME_ID_PATTERN)], str]

    @field_validator("indicators")
    @classmethod
    def _notes_written(cls, value: dict[str, str]) -> dict[str, str]:
        if any(len(note.strip()) < 10 for note in value.values()):
            raise ValueError("each indicator note needs at least 10 characters")
        return value


def closure_checklist(
    *,
    supervisor_confirmed: bool,
    entries: list[HoursEntry],
    evidence: list[Evidence],
    profile: CourseProfile = NTUST_V1,
) -> list[Problem]:
    """R18: everything still missing before a closure report may be submitted, each item named; the numbers
    (hours and the kinds that count, photos, reflection records) are the project profile's."""
    missing: list[Problem] = []
    if not supervisor_confirmed:
        missing.append(
            Problem(code=Code.SUPERVISOR_NOT_CONFIRMED, detail="No supervisor has confirmed this project yet.")
        )
    kinds = profile.hours.counted_kinds
    counted, required = counted_hours(entries, kinds), profile.hours.required
    if counted < required:
        pending = sum((e.hours for e in entries if e.awaits_verification and e.kind in kinds), Decimal(0))
        note = f" ({pending} club hours await verification by the Office of Student Affairs)" if pending else ""
        what = "execution" if set(kinds) == COUNTED_KINDS else "counted (" + ", ".join(k.value for k in kinds) + ")"
        missing.append(
            Problem(code=Code.HOURS_BELOW_MINIMUM, detail=f"{counted} of {required} {what} hours counted{note}.")
        )
    photos, wanted = (
        sum(1 for e in evidence if e.kind is EvidenceKind.PARTICIPATION),
        profile.evidence.participation_photos,
    )
    if photos < wanted:
        missing.append(
            Problem(code=Code.PHOTOS_MISSING, detail=f"{photos} of {wanted} captioned participation photos uploaded.")
        )
    records, wanted = sum(1 for e in evidence if e.kind is EvidenceKind.REFLECTION), profile.evidence.reflection_records
    if records < wanted:
        detail = (
            "No photo or record of the reflection session with the supervisor uploaded yet."
            if records == 0
            else f"{records} of {wanted} records of the reflection sessions with the supervisor uploaded."
        )
        missing.append(Problem(code=Code.REFLECTION_RECORD_MISSING, detail=detail))
    return missing
