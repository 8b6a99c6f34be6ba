"""reminders: each person's time zone, reminder settings, Web Push subscriptions

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 22:00:00

A person's IANA time zone (from the browser or the account page) is kept on the account and
used for every time shown to them and every reminder. Reminder settings hold the session
times, the working hours and days for sitting-break nudges, a pause, quiet hours and the hash
of the calendar feed's secret. Push subscriptions hold each browser's endpoint and keys.
Reminder sends are claimed rows: one per person, kind and due time, so that two servers (or a
cron run beside the built-in scheduler) never send the same reminder twice. Server keys hold
the VAPID key, made once and shared by every server on the database.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import psoas.storage.tables

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("time_zone", sa.String(length=64), nullable=True))
    op.create_table(
        "reminder_settings",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("session_times", sa.JSON(), nullable=False),
        sa.Column("break_nudges", sa.Boolean(), nullable=False),
        sa.Column("work_start", sa.String(length=5), nullable=False),
        sa.Column("work_end", sa.String(length=5), nullable=False),
        sa.Column("work_days", sa.JSON(), nullable=False),
        sa.Column("quiet_start", sa.String(length=5), nullable=True),
        sa.Column("quiet_end", sa.String(length=5), nullable=True),
        sa.Column("paused_until", psoas.storage.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("feed_token_hash", sa.String(length=64), nullable=True),
        sa.Column(
            "feed_created_at", psoas.storage.tables.UTCDateTime(timezone=True), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_reminder_settings_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_reminder_settings")),
        sa.UniqueConstraint("feed_token_hash", name=op.f("uq_reminder_settings_feed_token_hash")),
    )
    op.create_table(
        "push_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("endpoint", sa.String(length=1000), nullable=False),
        sa.Column("p256dh", sa.String(length=200), nullable=False),
        sa.Column("auth", sa.String(length=100), nullable=False),
        sa.Column("created_at", psoas.storage.tables.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_push_subscriptions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_push_subscriptions")),
        sa.UniqueConstraint("endpoint", name=op.f("uq_push_subscriptions_endpoint")),
    )
    op.create_index(
        op.f("ix_push_subscriptions_user_id"), "push_subscriptions", ["user_id"], unique=False
    )
    op.create_table(
        "reminder_sends",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("slot", psoas.storage.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", psoas.storage.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("delivered", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_reminder_sends_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_sends")),
        sa.UniqueConstraint("user_id", "kind", "slot", name=op.f("uq_reminder_sends_user_id")),
    )
    op.create_table(
        "server_keys",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("created_at", psoas.storage.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_server_keys")),
    )


def downgrade() -> None:
    op.drop_table("server_keys")
    op.drop_table("reminder_sends")
    op.drop_index(op.f("ix_push_subscriptions_user_id"), table_name="push_subscriptions")
    op.drop_table("push_subscriptions")
    op.drop_table("reminder_settings")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("time_zone")
