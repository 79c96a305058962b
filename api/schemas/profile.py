"""The course profile as the portal reads it: what to offer in a proposal form and what to show beside it."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal, Self

from pydantic import BaseModel

from api.schemas.hours import Hours
from domain.profile import CourseProfile
from domain.vocabulary import Category, HourKind, PriorityTag, Rank


class Named(BaseModel):
    en: str
    zh: str


class FrameItemPublic(BaseModel):
    id: str
    en: str
    zh: str


class CourseProfilePublic(BaseModel):
    """The profile new projects start under (SPEC §7): the course, the numbers a project must reach, the
    indicator or competency frame a proposal chooses from, and what the course accepts."""

    name: str
    version: int
    course_code: str
    course_title: Named
    credits: Decimal
    university: Named
    office: Named
    required_hours: Hours
    counted_hour_kinds: list[HourKind]
    participation_photos: int
    reflection_records: int
    frame_kind: Literal["indicators", "competencies"]
    frame_title: Named
    frame: list[FrameItemPublic]
    categories: list[Category]
    priority_tags: list[PriorityTag]
    eligible_ranks: list[Rank]
    invitation_expiry_days: int
    signed_lists_office: str

    @classmethod
    def of(cls, profile: CourseProfile) -> Self:
        course = profile.course
        return cls(
            name=profile.name,
            version=profile.version,
            course_code=course.code,
            course_title=Named(en=course.title.en, zh=course.title.zh),
            credits=course.credits,
            university=Named(en=course.university.en, zh=course.university.zh),
            office=Named(en=course.office.en, zh=course.office.zh),
            required_hours=profile.hours.required,
            counted_hour_kinds=profile.hours.counted_kinds,
            participation_photos=profile.evidence.participation_photos,
            reflection_records=profile.evidence.reflection_records,
            frame_kind=profile.frame.kind,
            frame_title=Named(en=profile.frame.title.en, zh=profile.frame.title.zh),
            frame=[FrameItemPublic(id=item.id, en=item.en, zh=item.zh) for item in profile.frame.items],
            categories=profile.accepted.categories,
            priority_tags=profile.accepted.priority_tags,
            eligible_ranks=profile.accepted.eligible_ranks,
            invitation_expiry_days=profile.schedule.invitation_expiry_days,
            signed_lists_office=profile.signed_lists_office,
        )
