"""The directory's own audit trail (R24) and the read model of group proposals (R8 digest, R9 lists).

Groups that finished before this revision are copied into the read model from the archive, so every group
kept on record is listed; running groups join it with their next action.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 13:00:00
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "directory_change",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("entry_id", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("changes_json", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index("ix_directory_change_kind_entry_id", "directory_change", ["kind", "entry_id"])
    op.create_index("ix_directory_change_at", "directory_change", ["at"])
    op.create_table(
        "group_proposal",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("applicant_id", sa.String(), nullable=False),
        sa.Column("stage", sa.String(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("category", sa.String(), nullable=False),
        sa.Column("priority", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stage_since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_group_proposal_applicant_id", "group_proposal", ["applicant_id"])
    op.create_index("ix_group_proposal_stage", "group_proposal", ["stage"])
    op.create_table(
        "group_member",
        sa.Column("group_id", sa.String(), nullable=False),
        sa.Column("student_id", sa.String(), nullable=False),
        sa.Column("project_id", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("group_id", "student_id"),
    )
    op.create_index("ix_group_member_student_id", "group_member", ["student_id"])
    _list_archived_groups()


def _instant(text: str, sqlite: bool) -> datetime:
    """As store.types.UTCDateTime stores it: UTC, without an offset on SQLite."""
    utc = datetime.fromisoformat(text).astimezone(UTC)
    return utc.replace(tzinfo=None) if sqlite else utc


def _list_archived_groups() -> None:
    connection = op.get_bind()
    sqlite = connection.dialect.name == "sqlite"
    archive = sa.table("archive", sa.column("kind", sa.String()), sa.column("view_json", sa.Text()))
    groups = sa.table(
        "group_proposal",
        *(sa.column(name, sa.String()) for name in ("id", "applicant_id", "stage", "title", "category", "priority")),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("stage_since", sa.DateTime(timezone=True)),
        sa.column("revision", sa.Integer()),
    )
    members = sa.table(
        "group_member", sa.column("group_id", sa.String()), sa.column("student_id", sa.String()),
        sa.column("project_id", sa.String()),
    )
    for (view_json,) in connection.execute(sa.select(archive.c.view_json).where(archive.c.kind == "group")):
        view: dict[str, Any] = json.loads(view_json)
        connection.execute(
            groups.insert().values(
                id=view["id"],
                applicant_id=view["applicant_id"],
                stage=view["stage"],
                title=view["proposal"]["title"],
                category=view["proposal"]["category"],
                priority=view["priority"],
                created_at=_instant(view["created_at"], sqlite),
                stage_since=_instant(view["stage_since"], sqlite),
                revision=view["revision"],
            )
        )
        for member in view["members"]:
            connection.execute(
                members.insert().values(
                    group_id=view["id"], student_id=member["student_id"], project_id=member.get("project_id")
                )
            )


def downgrade() -> None:
    op.drop_index("ix_group_member_student_id", table_name="group_member")
    op.drop_table("group_member")
    op.drop_index("ix_group_proposal_stage", table_name="group_proposal")
    op.drop_index("ix_group_proposal_applicant_id", table_name="group_proposal")
    op.drop_table("group_proposal")
    op.drop_index("ix_directory_change_at", table_name="directory_change")
    op.drop_index("ix_directory_change_kind_entry_id", table_name="directory_change")
    op.drop_table("directory_change")
