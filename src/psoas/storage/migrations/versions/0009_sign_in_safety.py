"""sign-in safety: throttle counters, trusted devices, mailed tokens, two-factor, token scopes

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 21:50:00

Failed sign-ins are counted per key (account, client, trusted device) in auth_throttle instead
of a log of every attempt: login_attempts goes, and nothing in it is needed after its 15 minutes.
API tokens made before this revision could do everything, so they keep the write scope.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import psoas.storage.tables

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

UTC = psoas.storage.tables.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "auth_throttle",
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("blocked_until", UTC(timezone=True), nullable=False),
        sa.Column("updated_at", UTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key_hash", name=op.f("pk_auth_throttle")),
    )
    op.create_index(op.f("ix_auth_throttle_updated_at"), "auth_throttle", ["updated_at"])
    op.create_table(
        "trusted_devices",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.Column("expires_at", UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_trusted_devices_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_trusted_devices")),
    )
    op.create_index(op.f("ix_trusted_devices_user_id"), "trusted_devices", ["user_id"])
    op.create_table(
        "account_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.Column("expires_at", UTC(timezone=True), nullable=False),
        sa.Column("used_at", UTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_account_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_account_tokens")),
    )
    op.create_index(op.f("ix_account_tokens_user_id"), "account_tokens", ["user_id"])
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", UTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_recovery_codes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
    )
    op.create_index(op.f("ix_recovery_codes_user_id"), "recovery_codes", ["user_id"])
    # plain ADD COLUMN (never a batch copy of users: on SQLite that would drop the table and,
    # with foreign keys on, cascade to every session, token and record that points at it)
    op.add_column("users", sa.Column("email_verified_at", UTC(timezone=True), nullable=True))
    op.add_column(
        "users",
        sa.Column("needs_verification", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("users", sa.Column("totp_secret", sa.String(length=64), nullable=True))
    op.add_column("users", sa.Column("totp_enabled_at", UTC(timezone=True), nullable=True))
    op.add_column("users", sa.Column("totp_last_step", sa.Integer(), nullable=True))
    # tokens made before scopes could do everything: they keep doing so
    op.add_column(
        "api_tokens",
        sa.Column("scope", sa.String(length=10), nullable=False, server_default="write"),
    )
    op.drop_index("ix_login_attempts_email_at", table_name="login_attempts")
    op.drop_table("login_attempts")


def downgrade() -> None:
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("at", UTC(timezone=True), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempts")),
    )
    op.create_index("ix_login_attempts_email_at", "login_attempts", ["email", "at"])
    # plain DROP COLUMN (SQLite 3.35 and later): no copy of users, so nothing cascades
    op.drop_column("api_tokens", "scope")
    for column in (
        "totp_last_step",
        "totp_enabled_at",
        "totp_secret",
        "needs_verification",
        "email_verified_at",
    ):
        op.drop_column("users", column)
    for table in ("recovery_codes", "account_tokens", "trusted_devices"):
        op.drop_index(op.f(f"ix_{table}_user_id"), table_name=table)
        op.drop_table(table)
    op.drop_index(op.f("ix_auth_throttle_updated_at"), table_name="auth_throttle")
    op.drop_table("auth_throttle")
