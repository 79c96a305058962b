"""Create the blob reference table: which project's evidence uses which stored blob (R16, blob gc).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "blob_reference",
        sa.Column("project_id", sa.String(), nullable=False),
        sa.Column("evidence_id", sa.String(), nullable=False),
        sa.Column("digest", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("project_id", "evidence_id"),
    )
    op.create_index("ix_blob_reference_digest", "blob_reference", ["digest"])


def downgrade() -> None:
    op.drop_index("ix_blob_reference_digest", table_name="blob_reference")
    op.drop_table("blob_reference")
