"""Who acts on a project or a group, and through which channel (R24)."""

from __future__ import annotations

from pydantic import BaseModel

from domain.vocabulary import Channel, Role


class Actor(BaseModel):
    """Who acts and through which channel (R24)."""

    id: str
    role: Role
    channel: Channel = Channel.PORTAL


SYSTEM = Actor(id="praxis", role=Role.SYSTEM, channel=Channel.SYSTEM)
# An operator's signal from the Temporal UI's signal dialog.
OPERATOR = Actor(id="operator", role=Role.OPERATOR, channel=Channel.TEMPORAL_UI)
# R22: the faculty directory changed (a teacher leaves NTUST, or stays after all).
DIRECTORY = Actor(id="directory", role=Role.SYSTEM, channel=Channel.SYSTEM)
