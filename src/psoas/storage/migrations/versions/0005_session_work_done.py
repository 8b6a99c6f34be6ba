"""sessions keep the share of their planned work that was done

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-10 09:00:00

Adherence counts each session by the share of its planned work done (psoas.domain.adherence),
which needs the session's sets and its program's plan. The clinic's list reads it for a
thousand patients at once, so each session keeps it in a column, set as its sets are logged.
Sessions stored before this revision start without it (NULL) and have it worked out from their
sets the first time a list or a progress report reads them (repo.fill_session_work).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


UNKNOWN = sa.text("work_done IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("work_done", sa.Float(), nullable=True))
    op.drop_index("ix_sessions_profile_started", table_name="sessions")
    op.create_index(
        "ix_sessions_profile_started_work", "sessions", ["profile_id", "started_at", "work_done"]
    )
    op.create_index(
        "ix_sessions_work_unknown",
        "sessions",
        ["profile_id"],
        sqlite_where=UNKNOWN,
        postgresql_where=UNKNOWN,
    )


def downgrade() -> None:
    op.drop_index("ix_sessions_work_unknown", table_name="sessions")
    op.drop_index("ix_sessions_profile_started_work", table_name="sessions")
    op.create_index("ix_sessions_profile_started", "sessions", ["profile_id", "started_at"])
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("work_done")
