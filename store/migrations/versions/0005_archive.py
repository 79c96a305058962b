"""Create the archive of finished projects and groups and their actions' outcomes (SPEC §6: records that
outlive Temporal's retention).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 12:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "archive",
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("stage", sa.String(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("view_json", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "id"),
    )
    op.create_index("ix_archive_kind_closed_at", "archive", ["kind", "closed_at"])
    op.create_table(
        "archived_outcome",
        sa.Column("update_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("entity_id", sa.String(), nullable=False),
        sa.Column("outcome_json", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("update_id"),
    )
    op.create_index("ix_archived_outcome_entity_id", "archived_outcome", ["entity_id"])


def downgrade() -> None:
    op.drop_index("ix_archived_outcome_entity_id", table_name="archived_outcome")
    op.drop_table("archived_outcome")
    op.drop_index("ix_archive_kind_closed_at", table_name="archive")
    op.drop_table("archive")
