"""clinics and care teams: clinicians belong to a clinic, patients accept who sees them

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 22:30:00

Every clinician who exists before this revision gets a clinic of their own (named after them)
and is its administrator; every patient who joined a clinician (users.clinician_id) has that
clinician in their care team, accepted; every note belongs to its clinician's clinic.
users.clinician_id stays: the patient's lead clinician (steps and reminders name them).
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import psoas.storage.tables

revision = "0010"
down_revision = "0009"
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
        "clinics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("created_at", UTC_TIME(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinics")),
    )
    op.create_table(
        "clinic_members",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("is_admin", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("joined_at", UTC_TIME(timezone=True), nullable=False),
        _fk("clinic_members", "user_id", "users", "CASCADE"),
        _fk("clinic_members", "clinic_id", "clinics", "CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_clinic_members")),
    )
    op.create_index(op.f("ix_clinic_members_clinic_id"), "clinic_members", ["clinic_id"])
    op.create_table(
        "clinic_invitations",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("invited_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_TIME(timezone=True), nullable=False),
        sa.Column("expires_at", UTC_TIME(timezone=True), nullable=False),
        sa.Column("used_at", UTC_TIME(timezone=True), nullable=True),
        sa.Column("used_by", sa.Integer(), nullable=True),
        sa.Column("revoked_at", UTC_TIME(timezone=True), nullable=True),
        _fk("clinic_invitations", "clinic_id", "clinics", "CASCADE"),
        _fk("clinic_invitations", "invited_by", "users", "SET NULL"),
        _fk("clinic_invitations", "used_by", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_clinic_invitations")),
    )
    op.create_index(op.f("ix_clinic_invitations_clinic_id"), "clinic_invitations", ["clinic_id"])
    op.create_table(
        "care_team",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("clinician_id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("asked_by", sa.Integer(), nullable=True),
        sa.Column("asked_at", UTC_TIME(timezone=True), nullable=False),
        sa.Column("accepted_at", UTC_TIME(timezone=True), nullable=True),
        _fk("care_team", "patient_id", "users", "CASCADE"),
        _fk("care_team", "clinician_id", "users", "CASCADE"),
        _fk("care_team", "clinic_id", "clinics", "CASCADE"),
        _fk("care_team", "asked_by", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_team")),
        sa.UniqueConstraint("patient_id", "clinician_id", name=op.f("uq_care_team_patient_id")),
    )
    op.create_index("ix_care_team_clinician_status", "care_team", ["clinician_id", "status"])
    # clinic_notes is referenced by nothing, so SQLite's batch copy of it cascades nowhere
    with op.batch_alter_table("clinic_notes") as batch:
        batch.add_column(sa.Column("clinic_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("shared", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.create_foreign_key(
            op.f("fk_clinic_notes_clinic_id_clinics"),
            "clinics",
            ["clinic_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index(op.f("ix_clinic_notes_clinic_id"), ["clinic_id"])
    _fill()


def _fill() -> None:
    """A clinic per existing clinician, their links as accepted team members, notes to clinics."""
    conn = op.get_bind()
    now = datetime.now(UTC)
    users = sa.table(
        "users",
        sa.column("id", sa.Integer),
        sa.column("role", sa.String),
        sa.column("display_name", sa.String),
        sa.column("clinician_id", sa.Integer),
    )
    clinics = sa.table(
        "clinics",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("created_at", UTC_TIME(timezone=True)),
    )
    members = sa.table(
        "clinic_members",
        sa.column("user_id", sa.Integer),
        sa.column("clinic_id", sa.Integer),
        sa.column("is_admin", sa.Boolean),
        sa.column("joined_at", UTC_TIME(timezone=True)),
    )
    team = sa.table(
        "care_team",
        sa.column("patient_id", sa.Integer),
        sa.column("clinician_id", sa.Integer),
        sa.column("clinic_id", sa.Integer),
        sa.column("status", sa.String),
        sa.column("asked_by", sa.Integer),
        sa.column("asked_at", UTC_TIME(timezone=True)),
        sa.column("accepted_at", UTC_TIME(timezone=True)),
    )
    notes = sa.table("clinic_notes", sa.column("clinician_id"), sa.column("clinic_id"))
    clinic_of: dict[int, int] = {}
    clinicians = conn.execute(
        sa.select(users.c.id, users.c.display_name)
        .where(users.c.role == "clinician")
        .order_by(users.c.id)
    ).all()
    for user_id, name in clinicians:
        clinic_id = conn.execute(
            sa.insert(clinics)
            .values(name=f"{name}'s clinic"[:120], created_at=now)
            .returning(clinics.c.id)
        ).scalar_one()
        clinic_of[user_id] = clinic_id
        conn.execute(
            sa.insert(members).values(
                user_id=user_id, clinic_id=clinic_id, is_admin=True, joined_at=now
            )
        )
    links = conn.execute(
        sa.select(users.c.id, users.c.clinician_id).where(
            users.c.role == "patient", users.c.clinician_id.is_not(None)
        )
    ).all()
    rows = [
        {
            "patient_id": patient_id,
            "clinician_id": clinician_id,
            "clinic_id": clinic_of[clinician_id],
            "status": "accepted",
            "asked_by": patient_id,
            "asked_at": now,
            "accepted_at": now,
        }
        for patient_id, clinician_id in links
        if clinician_id in clinic_of
    ]
    if rows:
        conn.execute(sa.insert(team), rows)
    for clinician_id, clinic_id in clinic_of.items():
        conn.execute(
            sa.update(notes).where(notes.c.clinician_id == clinician_id).values(clinic_id=clinic_id)
        )


def downgrade() -> None:
    # the care teams' lead clinicians are still in users.clinician_id; the rest goes
    with op.batch_alter_table("clinic_notes") as batch:
        batch.drop_index(op.f("ix_clinic_notes_clinic_id"))
        batch.drop_constraint(op.f("fk_clinic_notes_clinic_id_clinics"), type_="foreignkey")
        batch.drop_column("shared")
        batch.drop_column("clinic_id")
    op.drop_index("ix_care_team_clinician_status", table_name="care_team")
    op.drop_table("care_team")
    op.drop_index(op.f("ix_clinic_invitations_clinic_id"), table_name="clinic_invitations")
    op.drop_table("clinic_invitations")
    op.drop_index(op.f("ix_clinic_members_clinic_id"), table_name="clinic_members")
    op.drop_table("clinic_members")
    op.drop_table("clinics")
