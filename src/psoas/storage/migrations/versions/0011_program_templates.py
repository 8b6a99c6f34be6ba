"""program templates of a clinic (the program editor)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 00:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import psoas.storage.tables

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

UTC_TIME = psoas.storage.tables.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "program_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_TIME(timezone=True), nullable=False),
        sa.Column("updated_at", UTC_TIME(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"],
            ["clinics.id"],
            name=op.f("fk_program_templates_clinic_id_clinics"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_program_templates_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_templates")),
        sa.UniqueConstraint("clinic_id", "name", name=op.f("uq_program_templates_clinic_id")),
    )
    op.create_index(
        op.f("ix_program_templates_clinic_id"), "program_templates", ["clinic_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_program_templates_clinic_id"), table_name="program_templates")
    op.drop_table("program_templates")
