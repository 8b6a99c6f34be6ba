"""medical clearances that release a red-flag hold, and clinic administration

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 00:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import psoas.storage.tables

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

UTC_TIME = psoas.storage.tables.UTCDateTime


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    op.create_table(
        "medical_clearances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("recorded_by_name", sa.String(length=80), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", UTC_TIME(timezone=True), nullable=False),
        sa.Column("cleared_by", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.Column("cleared_at", UTC_TIME(timezone=True), nullable=False),
        sa.Column("codes", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("withdrawn_at", UTC_TIME(timezone=True), nullable=True),
        sa.Column("withdrawn_by", sa.Integer(), nullable=True),
        _fk("medical_clearances", "patient_id", "users", "CASCADE"),
        _fk("medical_clearances", "assessment_id", "assessments", "CASCADE"),
        _fk("medical_clearances", "recorded_by", "users", "SET NULL"),
        _fk("medical_clearances", "clinic_id", "clinics", "SET NULL"),
        _fk("medical_clearances", "withdrawn_by", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_medical_clearances")),
    )
    op.create_index(
        "ix_medical_clearances_patient", "medical_clearances", ["patient_id", "recorded_at"]
    )
    op.create_table(
        "clinic_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("at", UTC_TIME(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=200), nullable=False),
        _fk("clinic_events", "clinic_id", "clinics", "CASCADE"),
        _fk("clinic_events", "actor_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinic_events")),
    )
    op.create_index("ix_clinic_events_clinic_at", "clinic_events", ["clinic_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_clinic_events_clinic_at", table_name="clinic_events")
    op.drop_table("clinic_events")
    op.drop_index("ix_medical_clearances_patient", table_name="medical_clearances")
    op.drop_table("medical_clearances")
