"""The mails a project or a group owes someone: one kind of notice, owed in one way.

A notice names a template, a recipient (by role and id) and the context the mail needs, and carries a key
unique to the situation that caused it; the mail layer sends each key at most once, so a retried delivery
never mails anyone twice.
"""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, Field

from domain.vocabulary import Role


class Notice(BaseModel):
    """A message owed to someone; sent by an activity, keyed so a retry never sends twice."""

    key: str
    template: str
    to_role: Role
    to_id: str
    context: dict[str, str] = Field(default_factory=dict)


class OwesNotices(Protocol):
    notices: list[Notice]
    revision: int

    @property
    def notice_prefix(self) -> str: ...


def owe(state: OwesNotices, template: str, to_role: Role, to_id: str, **context: str) -> None:
    """Queue a notice; its key is unique to the state's revision, template and recipient."""
    key = f"{state.notice_prefix}:{template}:{state.revision}:{to_role.value}:{to_id}"
    state.notices.append(Notice(key=key, template=template, to_role=to_role, to_id=to_id, context=context))
