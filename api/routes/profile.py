"""The course profile new projects start under (SPEC §7), for the portal's proposal form."""

from __future__ import annotations

from fastapi import APIRouter

from api.auth import Reader
from api.deps import SettingsDep
from api.errors import AUTH, problems
from api.schemas.profile import CourseProfilePublic

router = APIRouter(prefix="/v1/profile", tags=["profile"])


@router.get("", summary="The course profile", responses=problems(*AUTH))
async def get_profile(user: Reader, settings: SettingsDep) -> CourseProfilePublic:
    """The course, the hours, photos and reflection records a closure report needs, the indicators or
    competencies a proposal chooses from (ids and bilingual names), the accepted categories and priority
    tags, and the ranks that may supervise. A running project keeps the profile it started with: its own
    is named in `GET /v1/projects/{id}` (`profile`)."""
    return CourseProfilePublic.of(settings.profile)
