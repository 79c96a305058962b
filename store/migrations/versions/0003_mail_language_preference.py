"""Add each teacher's and student's mail language preference (issue 4; NULL follows the course default).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("faculty", sa.Column("language", sa.String(), nullable=True))
    op.add_column("student", sa.Column("language", sa.String(), nullable=True))


def downgrade() -> None:
    # batch mode: SQLite drops a column by copying the table.
    with op.batch_alter_table("student") as batch:
        batch.drop_column("language")
    with op.batch_alter_table("faculty") as batch:
        batch.drop_column("language")
