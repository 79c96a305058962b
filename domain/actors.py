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


def at_the_command_line(user: str) -> Actor:
    """An operator acting through the `praxis` command (R24: the directory's trail names who ran it)."""
    return Actor(id=user or "operator", role=Role.OPERATOR, channel=Channel.CLI)


# R22: the faculty directory changed (a teacher leaves NTUST, or stays after all).
DIRECTORY = Actor(id="directory", role=Role.SYSTEM, channel=Channel.SYSTEM)
