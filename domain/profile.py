"""The course profile (SPEC §7): one course's numbers and frames in one validated, versioned value.

A profile names the course (code, credit, the office that runs it), the hours a project must serve and which
kinds count (R14, R15), the evidence it must show (R16), the frame of indicators or competencies a proposal
chooses from and a closure report answers (R4, R7, R18), the accepted categories and priority tags (R5, R6),
the ranks that may supervise (R10), the reminder and expiry schedules (R8, R12, R20) and the office that
receives signed passing lists (R23).

A project keeps the profile it started with: the profile travels in the workflow's start input and state, so
changing the deployment's profile never changes a running project's rules. `NTUST_V1` is the profile of every
project whose history predates profiles; it is frozen here, in code, so those histories replay as they ran.
Profiles are read from TOML by `config.course_profile`; this module is pure.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from domain.errors import Code, RuleViolation
from domain.vocabulary import Category, HourKind, PriorityTag, Rank

FRAME_ID_PATTERN = r"^[a-z][a-z0-9_]{1,47}$"
Day = Annotated[int, Field(ge=1, le=365)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class _Part(BaseModel):
    # A profile is read once and shared by every project that starts with it: nothing may change it, and a
    # misspelt key is an error rather than a setting silently ignored.
    model_config = ConfigDict(frozen=True, extra="forbid")


class Bilingual(_Part):
    """A name as people read it, in English and Traditional Chinese."""

    en: Text
    zh: Text


class Course(_Part):
    """R2/R21: what the credit is and who runs the course."""

    code: Text
    title: Bilingual
    credits: Decimal = Field(gt=0, le=20)
    university: Bilingual
    university_short: Bilingual  # as mails name it in a sentence: "NTUST", "臺科大"
    office: Bilingual


class HoursRule(_Part):
    """R14/R15: the hours a project must serve and the kinds of logged hours that count toward them."""

    required: Decimal = Field(gt=0, le=1000)
    counted_kinds: list[HourKind] = Field(min_length=1)

    def kinds_in_words(self, names: dict[HourKind, str], conjunction: str) -> str:
        """The counted kinds as a sentence names them: "execution", "execution and reflection"."""
        words = [names[kind] for kind in self.counted_kinds]
        return words[0] if len(words) == 1 else ", ".join(words[:-1]) + conjunction + words[-1]

    @model_validator(mode="after")
    def _rules(self) -> Self:
        if (self.required * 2) % 1 != 0:
            raise ValueError("required hours are whole or half hours (hours are logged in half hours)")
        if len(set(self.counted_kinds)) != len(self.counted_kinds):
            raise ValueError("counted_kinds names a kind twice")
        return self


class EvidenceRule(_Part):
    """R16: how many captioned participation photos and reflection records a closure report needs."""

    participation_photos: int = Field(ge=0, le=20)
    reflection_records: int = Field(ge=0, le=5)


class FrameItem(_Part):
    """One indicator or competency: a stable id (kept in proposals and reports) and its bilingual name."""

    id: Annotated[str, StringConstraints(pattern=FRAME_ID_PATTERN)]
    en: Text
    zh: Text


class Frame(_Part):
    """R4/R7: what a proposal frames itself with (one to five items, each with a sentence on how) and what
    the closure report writes a note on; the supervisor's marking criteria."""

    kind: Literal["indicators", "competencies"]
    title: Bilingual
    items: list[FrameItem] = Field(min_length=1, max_length=20)

    @model_validator(mode="after")
    def _unique(self) -> Self:
        ids = [item.id for item in self.items]
        if len(set(ids)) != len(ids):
            raise ValueError("each item id may appear once")
        return self

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(item.id for item in self.items)

    def item(self, item_id: str) -> FrameItem | None:
        return next((item for item in self.items if item.id == item_id), None)


class Schedule(_Part):
    """R8, R12, R20: when the course's clock nudges, in days."""

    invitation_reminder_days: list[Day]
    invitation_expiry_days: Day
    evaluation_reminder_days: list[Day] = Field(min_length=1)
    evaluation_reminder_every_days: Day  # after the listed days, reminders repeat at this step
    evaluation_escalation_days: Day  # from this reminder on the center is told too
    reminder_request_interval_days: int = Field(ge=0, le=60)  # how often a student may ask for a reminder
    review_digest_after_days: Day  # R8: an unreviewed proposal enters the center's digest

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        for name in ("invitation_reminder_days", "evaluation_reminder_days"):
            days: list[int] = getattr(self, name)
            if days != sorted(set(days)):
                raise ValueError(f"{name} must be strictly increasing")
        if self.invitation_reminder_days and self.invitation_reminder_days[-1] >= self.invitation_expiry_days:
            raise ValueError("invitation_reminder_days must all fall before invitation_expiry_days")
        if self.evaluation_escalation_days not in self.evaluation_days_until(self.evaluation_escalation_days):
            raise ValueError(
                "evaluation_escalation_days must be one of the evaluation reminder days (the listed ones, then "
                "every evaluation_reminder_every_days), since the center is told with that reminder"
            )
        return self

    def evaluation_days_until(self, elapsed_days: int) -> list[int]:
        """The reminder days, listed then repeating, up to the first one after `elapsed_days`."""
        days = list(self.evaluation_reminder_days)
        while days[-1] <= elapsed_days:
            days.append(days[-1] + self.evaluation_reminder_every_days)
        return days


class Accepted(_Part):
    """R5, R6, R10: which of Praxis's categories, priority tags (ranked as R6 ranks them) and faculty ranks the
    course accepts."""

    categories: list[Category] = Field(min_length=1)
    priority_tags: list[PriorityTag]
    eligible_ranks: list[Rank] = Field(min_length=1)

    @model_validator(mode="after")
    def _rules(self) -> Self:
        for name in ("categories", "priority_tags", "eligible_ranks"):
            values: list[str] = getattr(self, name)
            if len(set(values)) != len(values):
                raise ValueError(f"{name} names a value twice")
        if Rank.STAFF in self.eligible_ranks:
            raise ValueError("staff can never supervise (R10): remove it from eligible_ranks")
        return self


class CourseProfile(_Part):
    """One course's numbers and frames; `name` and `version` identify it for as long as projects use it."""

    name: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{1,31}$")]
    version: int = Field(ge=1)
    signed_lists_office: Text  # R23: where supervisors send their signed passing lists
    course: Course
    hours: HoursRule
    evidence: EvidenceRule
    frame: Frame
    accepted: Accepted
    schedule: Schedule

    @property
    def ref(self) -> ProfileRef:
        return ProfileRef(name=self.name, version=self.version)

    def check_proposal(self, *, category: Category, tags: list[PriorityTag], indicators: list[str]) -> None:
        """R4-R7 under this profile: the category, the tags and every indicator or competency are its own."""
        problems = []
        if category not in self.accepted.categories:
            accepted = ", ".join(self.accepted.categories)
            problems.append(f"category {category.value} is not accepted by this course (accepted: {accepted})")
        foreign_tags = [tag.value for tag in tags if tag not in self.accepted.priority_tags]
        if foreign_tags:
            problems.append(f"unknown priority tags for this course: {', '.join(foreign_tags)}")
        foreign = [item for item in indicators if item not in self.frame.ids]
        if foreign:
            problems.append(
                f"not among this course's {self.frame.kind}: {', '.join(foreign)} "
                f"(choose from {', '.join(self.frame.ids)})"
            )
        if problems:
            text = "; ".join(problems)
            raise RuleViolation(Code.VALIDATION_ERROR, text[0].upper() + text[1:] + ".")


class ProfileRef(BaseModel):
    """Which profile a project follows, as views and lists name it."""

    name: str
    version: int


_NTUST_INDICATORS = [
    FrameItem(id="knowledge_into_practice", en="Knowledge into practice", zh="知識轉化為社會實踐"),
    FrameItem(id="civic_consciousness", en="Civic consciousness", zh="公民意識"),
    FrameItem(id="usr", en="University social responsibility", zh="大學社會責任"),
    FrameItem(id="problem_solving", en="Problem solving", zh="問題解決"),
    FrameItem(id="cross_disciplinary", en="Cross-disciplinary collaboration", zh="跨領域創新合作"),
]

NTUST_V1 = CourseProfile(
    name="ntust",
    version=1,
    signed_lists_office="T4-832",
    course=Course(
        code="TC1010",
        title=Bilingual(en="Social Practice", zh="社會實踐"),
        credits=Decimal(1),
        university=Bilingual(en="National Taiwan University of Science and Technology", zh="國立臺灣科技大學"),
        university_short=Bilingual(en="NTUST", zh="臺科大"),
        office=Bilingual(en="Center for General Education", zh="通識教育中心"),
    ),
    hours=HoursRule(required=Decimal(36), counted_kinds=[HourKind.EXECUTION]),
    evidence=EvidenceRule(participation_photos=3, reflection_records=1),
    frame=Frame(
        kind="indicators",
        title=Bilingual(en="Indicators of social engagement", zh="社會參與指標"),
        items=_NTUST_INDICATORS,
    ),
    accepted=Accepted(
        categories=list(Category),
        priority_tags=list(PriorityTag),
        eligible_ranks=[
            Rank.PROFESSOR,
            Rank.ASSOCIATE_PROFESSOR,
            Rank.ASSISTANT_PROFESSOR,
            Rank.ADJUNCT_PROFESSOR,
            Rank.ADJUNCT_ASSOCIATE_PROFESSOR,
            Rank.ADJUNCT_ASSISTANT_PROFESSOR,
        ],
    ),
    schedule=Schedule(
        invitation_reminder_days=[3, 7],
        invitation_expiry_days=14,
        evaluation_reminder_days=[7, 14],
        evaluation_reminder_every_days=7,
        evaluation_escalation_days=21,
        reminder_request_interval_days=3,
        review_digest_after_days=3,
    ),
)
