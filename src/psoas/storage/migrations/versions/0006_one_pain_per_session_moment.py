"""one pain rating before and one after each session

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 21:50:00

A browser retries the rating of pain before (or after) a session from its offline queue; retries
sent at the same moment each stored a row (7 for one session were seen on PostgreSQL). A unique
index on (session, moment) for the two session moments makes the store atomic: the first row
wins and a retry finds it. Existing repeats are removed first, keeping the earliest (the one the
pages already showed). Daily ratings (no session) are not touched.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


SESSION_MOMENTS = sa.text(
    "session_id IS NOT NULL AND context IN ('before_session', 'after_session')"
)


def upgrade() -> None:
    op.execute(
        "DELETE FROM pain_ratings WHERE session_id IS NOT NULL"
        " AND context IN ('before_session', 'after_session')"
        " AND id NOT IN (SELECT MIN(id) FROM pain_ratings WHERE session_id IS NOT NULL"
        " AND context IN ('before_session', 'after_session') GROUP BY session_id, context)"
    )
    op.create_index(
        "uq_pain_session_moment",
        "pain_ratings",
        ["session_id", "context"],
        unique=True,
        sqlite_where=SESSION_MOMENTS,
        postgresql_where=SESSION_MOMENTS,
    )


def downgrade() -> None:
    op.drop_index("uq_pain_session_moment", table_name="pain_ratings")
