"""externally scored outcomes (Oswestry, Roland-Morris totals, rating of change), birth dates

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 00:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import psoas.storage.tables

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

UTC_TIME = psoas.storage.tables.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("birth_date", sa.Date(), nullable=True))
    with op.batch_alter_table("clinics") as batch:
        batch.add_column(sa.Column("phone", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("email", sa.String(length=254), nullable=True))
        batch.add_column(sa.Column("website", sa.String(length=300), nullable=True))
    op.create_table(
        "outcome_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(length=10), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("scored_on", sa.Date(), nullable=False),
        sa.Column("entered_by", sa.Integer(), nullable=True),
        sa.Column("entered_by_name", sa.String(length=80), nullable=False),
        sa.Column("entered_by_role", sa.String(length=10), nullable=False),
        sa.Column("entered_at", UTC_TIME(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["users.id"],
            name=op.f("fk_outcome_scores_patient_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["entered_by"],
            ["users.id"],
            name=op.f("fk_outcome_scores_entered_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_scores")),
    )
    op.create_index(
        "ix_outcome_scores_patient", "outcome_scores", ["patient_id", "scored_on"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_outcome_scores_patient", table_name="outcome_scores")
    op.drop_table("outcome_scores")
    with op.batch_alter_table("clinics") as batch:
        batch.drop_column("website")
        batch.drop_column("email")
        batch.drop_column("phone")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("birth_date")
