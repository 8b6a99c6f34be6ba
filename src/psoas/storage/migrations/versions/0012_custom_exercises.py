"""a clinic's own exercises

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 00:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import psoas.storage.tables

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

UTC_TIME = psoas.storage.tables.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "clinic_exercises",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("exercise", sa.JSON(), nullable=False),
        sa.Column("references", sa.JSON(), nullable=False),
        sa.Column("figure", sa.String(length=100), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_TIME(timezone=True), nullable=False),
        sa.Column("updated_at", UTC_TIME(timezone=True), nullable=False),
        sa.Column("archived_at", UTC_TIME(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["clinic_id"],
            ["clinics.id"],
            name=op.f("fk_clinic_exercises_clinic_id_clinics"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_clinic_exercises_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinic_exercises")),
        sa.UniqueConstraint("item_id", name=op.f("uq_clinic_exercises_item_id")),
    )
    op.create_index(
        op.f("ix_clinic_exercises_clinic_id"), "clinic_exercises", ["clinic_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_clinic_exercises_clinic_id"), table_name="clinic_exercises")
    op.drop_table("clinic_exercises")
