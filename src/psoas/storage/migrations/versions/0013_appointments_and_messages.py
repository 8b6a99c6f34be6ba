"""appointments and messages between a patient and their care team

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 00:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import psoas.storage.tables

revision = "0013"
down_revision = "0012"
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
        "appointments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("clinician_id", sa.Integer(), nullable=True),
        sa.Column("clinician_name", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("starts_at", UTC_TIME(timezone=True), nullable=False),
        sa.Column("ends_at", UTC_TIME(timezone=True), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=True),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("revision", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", UTC_TIME(timezone=True), nullable=False),
        sa.Column("updated_at", UTC_TIME(timezone=True), nullable=False),
        _fk("appointments", "patient_id", "users", "CASCADE"),
        _fk("appointments", "clinic_id", "clinics", "CASCADE"),
        _fk("appointments", "clinician_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
    )
    op.create_index(
        "ix_appointments_patient_starts", "appointments", ["patient_id", "starts_at"], unique=False
    )
    op.create_index(
        "ix_appointments_clinician_starts",
        "appointments",
        ["clinician_id", "starts_at"],
        unique=False,
    )
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=True),
        sa.Column("sender_name", sa.String(length=80), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", UTC_TIME(timezone=True), nullable=False),
        _fk("messages", "patient_id", "users", "CASCADE"),
        _fk("messages", "clinic_id", "clinics", "CASCADE"),
        _fk("messages", "sender_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
    )
    op.create_index(
        "ix_messages_thread", "messages", ["patient_id", "clinic_id", "id"], unique=False
    )
    op.create_table(
        "message_reads",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("last_read_id", sa.Integer(), server_default="0", nullable=False),
        sa.Column("read_at", UTC_TIME(timezone=True), nullable=True),
        sa.Column("notified_at", UTC_TIME(timezone=True), nullable=True),
        _fk("message_reads", "user_id", "users", "CASCADE"),
        _fk("message_reads", "patient_id", "users", "CASCADE"),
        _fk("message_reads", "clinic_id", "clinics", "CASCADE"),
        sa.PrimaryKeyConstraint(
            "user_id", "patient_id", "clinic_id", name=op.f("pk_message_reads")
        ),
    )


def downgrade() -> None:
    op.drop_table("message_reads")
    op.drop_index("ix_messages_thread", table_name="messages")
    op.drop_table("messages")
    op.drop_index("ix_appointments_clinician_starts", table_name="appointments")
    op.drop_index("ix_appointments_patient_starts", table_name="appointments")
    op.drop_table("appointments")
