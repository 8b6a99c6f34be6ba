"""telehealth follow-ups kept as notes become appointments

Before appointments (0013) a clinician scheduled a video follow-up as a note of kind
"telehealth". Each one becomes an appointment of its clinic (30 minutes, booked, with its link
and its words as the note for the patient), so that every follow-up is in one place: the
patient's page with its Join button, the calendar feed, the clinician's schedule. A follow-up
whose clinician had no clinic (none after 0010) stays, as a note shared with the patient saying
when it was.
Going back leaves the appointments as they are.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 04:40:00
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from alembic import op

import psoas.storage.tables

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

UTC_TIME = psoas.storage.tables.UTCDateTime
NOTE_MAX = 500  # appointments.note

notes = sa.table(
    "clinic_notes",
    sa.column("id", sa.Integer),
    sa.column("patient_id", sa.Integer),
    sa.column("clinician_id", sa.Integer),
    sa.column("clinic_id", sa.Integer),
    sa.column("shared", sa.Boolean),
    sa.column("created_at", UTC_TIME(timezone=True)),
    sa.column("kind", sa.String),
    sa.column("scheduled_for", UTC_TIME(timezone=True)),
    sa.column("link", sa.String),
    sa.column("summary", sa.Text),
)
users = sa.table("users", sa.column("id", sa.Integer), sa.column("display_name", sa.String))
appointments = sa.table(
    "appointments",
    sa.column("patient_id", sa.Integer),
    sa.column("clinic_id", sa.Integer),
    sa.column("clinician_id", sa.Integer),
    sa.column("clinician_name", sa.String),
    sa.column("kind", sa.String),
    sa.column("starts_at", UTC_TIME(timezone=True)),
    sa.column("ends_at", UTC_TIME(timezone=True)),
    sa.column("link", sa.String),
    sa.column("place", sa.String),
    sa.column("note", sa.String),
    sa.column("status", sa.String),
    sa.column("revision", sa.Integer),
    sa.column("created_at", UTC_TIME(timezone=True)),
    sa.column("updated_at", UTC_TIME(timezone=True)),
)


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(notes, users.c.display_name)
        .join(users, users.c.id == notes.c.clinician_id)
        .where(notes.c.kind == "telehealth")
        .order_by(notes.c.id)
    ).all()
    for row in rows:
        if row.clinic_id is None or row.scheduled_for is None:
            when = f" (for {row.scheduled_for:%Y-%m-%d %H:%M} UTC)" if row.scheduled_for else ""
            bind.execute(
                notes.update()
                .where(notes.c.id == row.id)
                .values(
                    kind="note",
                    shared=True,  # the patient saw their follow-ups
                    summary=f"Video follow-up{when}: {row.summary}",
                )
            )
            continue
        bind.execute(
            appointments.insert().values(
                patient_id=row.patient_id,
                clinic_id=row.clinic_id,
                clinician_id=row.clinician_id,
                clinician_name=row.display_name[:80],
                kind="telehealth",
                starts_at=row.scheduled_for,
                ends_at=row.scheduled_for + timedelta(minutes=30),
                link=row.link,
                place=None,
                note=row.summary[:NOTE_MAX],
                status="booked",
                revision=0,
                created_at=row.created_at,
                updated_at=row.created_at,
            )
        )
        bind.execute(notes.delete().where(notes.c.id == row.id))


def downgrade() -> None:
    """The appointments stay appointments (they are the newer, fuller record)."""
