"""A teacher's pending invitations (R11, R12): what waits for their answer, with the signed invitation page
each mail carries, so the portal can list them and link to the same page."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter
from sqlmodel import Session

from activities.mail.links import action_link
from api.auth import Faculty
from api.deps import SettingsDep, StoreDep
from api.errors import AUTH, problems
from api.schemas.invitations import InvitationList, PendingInvitation
from config.settings import Settings
from domain.links import LinkAction
from domain.vocabulary import Category, Priority
from store import projects, tokens

router = APIRouter(prefix="/v1/invitations", tags=["supervision"])


def _pending(s: Session, settings: Settings, faculty_id: str, now: datetime) -> list[PendingInvitation]:
    items = []
    for row in projects.invitations_for(s, faculty_id):
        claims = tokens.open_link(
            s, project_id=row.id, action=LinkAction.RESPOND_INVITATION, subject_id=faculty_id, now=now
        )
        items.append(
            PendingInvitation(
                project_id=row.id,
                student_id=row.student_id,
                semester_id=row.semester_id,
                title=row.title,
                category=Category(row.category),
                priority=Priority(row.priority),
                invited_at=row.stage_since,
                action_url=action_link(settings, claims) if claims is not None else None,
                action_url_expires_at=claims.expires_at if claims is not None else None,
                respond_path=f"/v1/projects/{row.id}/invitation/response",
            )
        )
    return items


@router.get("", summary="My pending invitations", responses=problems(*AUTH))
async def list_invitations(user: Faculty, store: StoreDep, settings: SettingsDep) -> InvitationList:
    """The invitations waiting for the signed-in teacher's answer, longest waiting first, each with the signed
    invitation page its mail carries (while that link still works) and the API route that answers it."""
    items = await store.run(_pending, settings, user.sub, datetime.now(UTC))
    return InvitationList(items=items)
