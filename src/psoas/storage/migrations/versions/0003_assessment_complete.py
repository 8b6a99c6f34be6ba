"""assessments say whether the questions stopped at an emergency

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 08:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Assessments kept before this revision were all complete answers, except emergency stops
    # on the web, which cannot be told apart afterwards; they stay marked complete.
    with op.batch_alter_table("assessments") as batch:
        batch.add_column(
            sa.Column("complete", sa.Boolean(), server_default=sa.true(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("assessments") as batch:
        batch.drop_column("complete")
