"""Step 3, implementation and reflection: hours (R14, R15), evidence (R16), the closure checklist (R18).

The three share their types (an hours entry's proof is an evidence item; the checklist counts both), so
they stay in one module a little past ~300 lines rather than import each other in a circle.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from domain.errors import Code, Problem
from domain.profile import FRAME_ID_PATTERN, NTUST_V1, CourseProfile
from domain.vocabulary import EvidenceKind, HourKind, HourSource, ReflectionFormat

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


class Withdrawal(BaseModel):
    """R16: the student took back hours or evidence entered by mistake; the item stays on record, uncounted."""

    by: str
    at: datetime
    reason: str = ""


class HoursEntry(HoursInput):
    id: str
    logged_at: datetime
    verification: Verification | None = None
    withdrawal: Withdrawal | None = None

    @property
    def awaits_verification(self) -> bool:
        return self.source is HourSource.CAMPUS_CLUB and self.verification is None and self.withdrawal is None

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


def club_entry_counts(entry: HoursEntry, live_evidence: set[str]) -> bool:
    """R15 for a `club` project: its hours count only with OSA's verification or an official certificate
    attached, whatever `source` the student chose, so choosing `self_reported` cannot bypass OSA."""
    if entry.source is HourSource.CAMPUS_CLUB:
        return entry.verification is not None and entry.verification.verified
    return (
        entry.source is HourSource.VOLUNTEER_CERTIFICATE
        and entry.proof_evidence_id is not None
        and entry.proof_evidence_id in live_evidence
    )


def counted_hours(
    entries: list[HoursEntry],
    *,
    club_project: bool = False,
    live_evidence: set[str] | None = None,
    kinds: Collection[HourKind] = COUNTED_KINDS,
) -> Decimal:
    """R14/R15: hours of the kinds the profile counts (execution at NTUST); withdrawn entries never do (R16).
    `club_project` applies R15's club rule (`club_entry_counts`), which needs the ids of the evidence still on
    record."""
    return sum(
        (
            e.hours
            for e in entries
            if counts_toward_minimum(e, club_project=club_project, live_evidence=live_evidence, kinds=kinds)
        ),
        Decimal(0),
    )


def counts_toward_minimum(
    entry: HoursEntry,
    *,
    club_project: bool = False,
    live_evidence: set[str] | None = None,
    kinds: Collection[HourKind] = COUNTED_KINDS,
) -> bool:
    """One entry under R14-R16: an entry of a counted kind still on record, counted as its source allows."""
    if entry.withdrawal is not None or not entry.counts_among(kinds):
        return False
    return not club_project or club_entry_counts(entry, live_evidence or set())


def hours_number(value: Decimal) -> int | float:
    """Hours as a JSON number or CSV cell: `12`, `4.5`, never `"4.00"` (R14 logs half hours, so exact)."""
    return int(value) if value == value.to_integral_value() else float(value)


def hours_on(entries: list[HoursEntry], day: date) -> Decimal:
    """R14's daily bound, over the entries still on record (a withdrawn entry frees its hours)."""
    return sum((entry.hours for entry in entries if entry.date == day and entry.withdrawal is None), Decimal(0))


PDF = "application/pdf"
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
# R16: two photos whose perceptual hashes differ in at most this many of their 64 bits, with the same colour
# hash, are the same picture (re-encoded, resized, lightly cropped or brightened).
NEAR_IDENTICAL_BITS = 6


class BlobRef(BaseModel):
    """Where an uploaded file lives; the bytes never enter workflow history.

    `width`/`height` are pixels for an image and points for a document's first page. `phash` is an image's
    perceptual hash and `colorhash` its colour hash (hex, R16's near-identical test); documents have neither.
    """

    digest: str = Field(pattern=r"^[0-9a-f]{64}$")
    content_type: str
    size: int = Field(gt=0)
    width: int = Field(gt=0)
    height: int = Field(gt=0)
    filename: str = ""
    phash: str | None = Field(default=None, pattern=r"^[0-9a-f]{16}$")
    colorhash: str | None = Field(default=None, pattern=r"^[0-9a-f]{1,32}$")
    pages: int | None = Field(default=None, gt=0)

    @property
    def is_document(self) -> bool:
        return self.content_type == PDF


def _bits_apart(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def same_image(a: BlobRef, b: BlobRef) -> bool:
    """R16: the same file (content hash of the stored bytes), or near-identical pictures (perceptual hash
    within NEAR_IDENTICAL_BITS and the same colour hash, so a re-saved or resized copy counts once while
    two flat test cards of different colours stay apart)."""
    if a.digest == b.digest:
        return True
    if a.phash is None or b.phash is None:
        return False
    return _bits_apart(a.phash, b.phash) <= NEAR_IDENTICAL_BITS and a.colorhash == b.colorhash


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
    withdrawal: Withdrawal | None = None


def live(evidence: list[Evidence]) -> list[Evidence]:
    """The evidence still on record: withdrawn items are kept, and count for nothing (R16)."""
    return [e for e in evidence if e.withdrawal is None]


# R17: what a reflection record must be where the agreed format implies a kind of record. Formats not listed
# (audio-visual record, proof of hours, other) take either a photo or a document.
RECORD_KINDS: dict[ReflectionFormat, frozenset[str]] = {
    ReflectionFormat.CONVERSATION: IMAGE_TYPES,
    ReflectionFormat.ORAL_PRESENTATION: IMAGE_TYPES,
    ReflectionFormat.WRITTEN_REPORT: frozenset({PDF}),
}


def record_fits_format(blob: BlobRef, agreed: ReflectionFormat | None) -> bool:
    """R17: the record is of the kind the agreed format implies (a photo of a conversation or a presentation,
    the document of a written report); before a format is agreed anything accepted fits."""
    if agreed is None or agreed not in RECORD_KINDS:
        return True
    return blob.content_type in RECORD_KINDS[agreed]


def record_kind_wanted(agreed: ReflectionFormat) -> str:
    """R17 in words, for refusals and the evaluation page."""
    kinds = RECORD_KINDS.get(agreed)
    if kinds is None:
        return "a photo or a document (PDF)"
    return "a document (PDF)" if kinds == {PDF} else "a photo (JPEG, PNG or WebP)"


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
    club_project: bool = False,
    agreed_format: ReflectionFormat | None = None,
    profile: CourseProfile = NTUST_V1,
) -> list[Problem]:
    """R18: everything still missing before a closure report may be submitted, each item named; the numbers
    (hours and the kinds that count, photos, reflection records) are the project profile's.

    `club_project` applies R15's club rule to the hours; `agreed_format` (R17) asks the reflection record to
    be of the kind the agreed format implies. Withdrawn hours and evidence count for nothing (R16)."""
    evidence = live(evidence)
    missing: list[Problem] = []
    if not supervisor_confirmed:
        missing.append(
            Problem(code=Code.SUPERVISOR_NOT_CONFIRMED, detail="No supervisor has confirmed this project yet.")
        )
    kinds = profile.hours.counted_kinds
    counted = counted_hours(entries, club_project=club_project, live_evidence={e.id for e in evidence}, kinds=kinds)
    required = profile.hours.required
    if counted < required:
        pending = sum((e.hours for e in entries if e.awaits_verification and e.kind in kinds), Decimal(0))
        note = f" ({pending} club hours await verification by the Office of Student Affairs)" if pending else ""
        if club_project:
            note += (
                "; a club activity's hours count only once the Office of Student Affairs verified them or with "
                "an official volunteer-hour certificate attached (R15)"
            )
        what = "execution" if set(kinds) == COUNTED_KINDS else "counted (" + ", ".join(k.value for k in kinds) + ")"
        missing.append(
            Problem(code=Code.HOURS_BELOW_MINIMUM, detail=f"{counted} of {required} {what} hours counted{note}.")
        )
    photos = sum(1 for e in evidence if e.kind is EvidenceKind.PARTICIPATION)
    wanted = profile.evidence.participation_photos
    if photos < wanted:
        missing.append(
            Problem(code=Code.PHOTOS_MISSING, detail=f"{photos} of {wanted} captioned participation photos uploaded.")
        )
    records = [e for e in evidence if e.kind is EvidenceKind.REFLECTION]
    wanted = profile.evidence.reflection_records
    if len(records) < wanted:
        detail = (
            "No photo or record of the reflection session with the supervisor uploaded yet."
            if not records
            else f"{len(records)} of {wanted} records of the reflection sessions with the supervisor uploaded."
        )
        missing.append(Problem(code=Code.REFLECTION_RECORD_MISSING, detail=detail))
    elif agreed_format is not None and records and not any(record_fits_format(e.blob, agreed_format) for e in records):
        missing.append(
            Problem(
                code=Code.REFLECTION_RECORD_MISSING,
                detail=f"The agreed reflection format is {agreed_format.value}: its record is "
                f"{record_kind_wanted(agreed_format)}, and none uploaded is one (R17).",
            )
        )
    return missing
