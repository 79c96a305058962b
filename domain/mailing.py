"""A mail that can never be delivered (its address or name cannot go in a header, the server refuses the
address for good, the person is not in the directory): the project keeps going, records it in its audit
trail (R24) and tells the center, who can fix the directory entry."""

from __future__ import annotations

from datetime import datetime

from domain.actors import SYSTEM
from domain.notices import Notice
from domain.project import ProjectState
from domain.vocabulary import Role

UNDELIVERABLE = "mail_undeliverable"


def apply_undeliverable(state: ProjectState, notice: Notice, reason: str, now: datetime) -> None:
    """Record the lost mail; tell the center unless the lost mail was the center's own (that would loop)."""
    state.record(SYSTEM, now, UNDELIVERABLE, f"{notice.template} to {notice.to_role.value} {notice.to_id}: {reason}")
    if notice.to_role is not Role.CENTER:
        state.notify(
            "mail_undeliverable",
            Role.CENTER,
            "center",
            mail=notice.template,
            recipient_role=notice.to_role.value,
            recipient_id=notice.to_id,
            reason=reason,
        )
