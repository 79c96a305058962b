"""A teacher's pending invitations as the portal lists them (R11, R12)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from domain.vocabulary import Category, Priority


class PendingInvitation(BaseModel):
    """One project waiting for this teacher's answer, and where the answer is given."""

    project_id: str
    student_id: str
    semester_id: str
    title: str
    category: Category
    priority: Priority
    invited_at: datetime
    action_url: str | None = Field(
        description="The signed, single-use invitation page the invitation mail (or its latest reminder) "
        "carries; null once it was used or expired, or before the mail went out."
    )
    action_url_expires_at: datetime | None
    respond_path: str = Field(description="The API route answering the invitation with the portal's token.")


class InvitationList(BaseModel):
    """The teacher's pending invitations, longest waiting first."""

    items: list[PendingInvitation]
