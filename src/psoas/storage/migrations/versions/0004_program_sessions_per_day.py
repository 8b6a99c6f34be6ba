"""program versions keep their sessions a day in a column

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 16:10:00

The clinic's list reads how many sessions a day each current program asks for; it used to read
the start of the stored program document with a pattern. A column says it plainly.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("program_versions") as batch:
        batch.add_column(
            sa.Column("sessions_per_day", sa.Integer(), server_default="1", nullable=False)
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "UPDATE program_versions SET sessions_per_day = "
            "COALESCE((program->>'sessions_per_day')::integer, 1)"
        )
    else:
        op.execute(
            "UPDATE program_versions SET sessions_per_day = "
            "COALESCE(json_extract(program, '$.sessions_per_day'), 1)"
        )


def downgrade() -> None:
    with op.batch_alter_table("program_versions") as batch:
        batch.drop_column("sessions_per_day")
