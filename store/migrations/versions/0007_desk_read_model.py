"""The project read model gains what the course office's desk and the USR impact review read (SPEC §7):
priority tags, planned and reported indicators, the supervisor's department, the exemption (R3), the
semester of the credit (R21), the date of each step, the last hours logged, R20's clock and R22's deadline
and handover. Existing rows keep defaults until `praxis desk backfill` (or their next change) fills them.

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-01 13:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LISTS = ("tags", "indicators_planned", "indicators_reported")
_DATES = (
    "approved_at",
    "supervised_at",
    "closure_submitted_at",
    "decided_at",
    "last_hours_at",
    "evaluation_started_at",
    "deadline",
)


def upgrade() -> None:
    with op.batch_alter_table("project") as table:
        for name in _LISTS:
            table.add_column(sa.Column(name, sa.JSON(), nullable=False, server_default="[]"))
        table.add_column(sa.Column("department", sa.String(), nullable=True))
        table.add_column(sa.Column("exempt", sa.Boolean(), nullable=False, server_default=sa.false()))
        table.add_column(sa.Column("credit_semester_id", sa.String(), nullable=True))
        for name in _DATES:
            table.add_column(sa.Column(name, sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("needs_reassignment", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_index("ix_project_credit_semester_id", "project", ["credit_semester_id"])
    op.create_index("ix_project_department", "project", ["department"])


def downgrade() -> None:
    op.drop_index("ix_project_department", table_name="project")
    op.drop_index("ix_project_credit_semester_id", table_name="project")
    with op.batch_alter_table("project") as table:
        for name in ("needs_reassignment", *reversed(_DATES), "credit_semester_id", "exempt", "department"):
            table.drop_column(name)
        for name in reversed(_LISTS):
            table.drop_column(name)
