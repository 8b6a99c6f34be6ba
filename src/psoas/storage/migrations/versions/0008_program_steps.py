"""program steps: a linked patient's step up waits for the clinician, who is told either way

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 22:00:00

A patient linked to a clinician asks for a step up; the clinician approves or declines it on the
patient's page, or has switched on automatic steps for that patient (users.auto_steps). Every
step of a linked patient (asked, approved, declined, or applied straight away: automatic steps
and steps back) is a row here, so the clinician's list and the patient's page can tell them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import psoas.storage.tables

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("auto_steps", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table(
        "program_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("clinician_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("asked_at", psoas.storage.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", psoas.storage.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("from_version", sa.Integer(), nullable=False),
        sa.Column("to_version", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("seen_at", psoas.storage.tables.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["users.id"],
            name=op.f("fk_program_steps_patient_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["clinician_id"],
            ["users.id"],
            name=op.f("fk_program_steps_clinician_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["users.id"],
            name=op.f("fk_program_steps_decided_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_steps")),
    )
    op.create_index(
        "ix_program_steps_patient_asked", "program_steps", ["patient_id", "asked_at"], unique=False
    )
    op.create_index(
        "ix_program_steps_clinician_seen",
        "program_steps",
        ["clinician_id", "seen_at"],
        unique=False,
    )
    # one waiting request a patient: a second ask sent at once (a double tap) is refused
    op.create_index(
        "uq_program_steps_one_pending",
        "program_steps",
        ["patient_id"],
        unique=True,
        sqlite_where=PENDING,
        postgresql_where=PENDING,
    )


def downgrade() -> None:
    op.drop_index("uq_program_steps_one_pending", table_name="program_steps")
    op.drop_index("ix_program_steps_clinician_seen", table_name="program_steps")
    op.drop_index("ix_program_steps_patient_asked", table_name="program_steps")
    op.drop_table("program_steps")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("auto_steps")
