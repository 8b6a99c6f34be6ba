"""SQLAlchemy 2 tables. One schema for SQLite and PostgreSQL; times are stored in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on every backend (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("refusing to store a datetime without a time zone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ProfileRow(Base):
    __tablename__ = "profiles"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AssessmentRow(Base):
    __tablename__ = "assessments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    catalog_version: Mapped[str] = mapped_column(String(40))
    triage_level: Mapped[str] = mapped_column(String(20))
    intake: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    # False when the questions stopped at an emergency: the intake then holds the answers given
    # so far, completed with neutral placeholders that nobody answered.
    complete: Mapped[bool] = mapped_column(Boolean, server_default=true(), default=True)


class ProgramVersionRow(Base):
    __tablename__ = "program_versions"
    __table_args__ = (UniqueConstraint("profile_id", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(Text)
    sources: Mapped[list[str]] = mapped_column(JSON)
    catalog_version: Mapped[str] = mapped_column(String(40))
    assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessments.id", ondelete="SET NULL"), nullable=True
    )
    program: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: The program's sessions a day, beside the document (the clinic's list reads it).
    sessions_per_day: Mapped[int] = mapped_column(Integer, server_default="1")


class SessionRow(Base):
    __tablename__ = "sessions"
    __table_args__ = (
        # with the work done, so the clinic's list sums a window's work from the index alone
        Index("ix_sessions_profile_started_work", "profile_id", "started_at", "work_done"),
        # the few sessions whose work is not worked out yet, found without reading the rest
        Index(
            "ix_sessions_work_unknown",
            "profile_id",
            sqlite_where=text("work_done IS NULL"),
            postgresql_where=text("work_done IS NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    program_version: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    status: Mapped[str] = mapped_column(String(20))
    #: The share of the session's planned work done, 0 to 1 (psoas.domain.adherence), kept
    #: as its sets are logged so that lists need not read every set; NULL until worked out
    #: (rows written in bulk), see repo.fill_session_work. Derived: never a person's record.
    work_done: Mapped[float | None] = mapped_column(Float, nullable=True)


class SetLogRow(Base):
    __tablename__ = "set_logs"
    __table_args__ = (UniqueConstraint("session_id", "key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[str] = mapped_column(String(80))
    side: Mapped[str | None] = mapped_column(String(5), nullable=True)
    set_number: Mapped[int] = mapped_column(Integer)
    hold_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reps: Mapped[int | None] = mapped_column(Integer, nullable=True)
    minutes: Mapped[float | None] = mapped_column(Float, nullable=True)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    key: Mapped[str] = mapped_column(String(80))


_SESSION_MOMENTS = "session_id IS NOT NULL AND context IN ('before_session', 'after_session')"


class PainRow(Base):
    __tablename__ = "pain_ratings"
    __table_args__ = (
        Index("ix_pain_profile_at", "profile_id", "at"),
        # one rating before and one after each session: a retry finds the first (0006)
        Index(
            "uq_pain_session_moment",
            "session_id",
            "context",
            unique=True,
            sqlite_where=text(_SESSION_MOMENTS),
            postgresql_where=text(_SESSION_MOMENTS),
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    score: Mapped[int] = mapped_column(Integer)
    context: Mapped[str] = mapped_column(String(20))
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("sessions.id", ondelete="SET NULL"), nullable=True
    )


class PsfsRow(Base):
    __tablename__ = "psfs_entries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        ForeignKey("profiles.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    activities: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class RetestRow(Base):
    __tablename__ = "retests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        ForeignKey("profiles.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    measures: Mapped[dict[str, Any]] = mapped_column(JSON)


class BreakRow(Base):
    __tablename__ = "break_events"
    __table_args__ = (Index("ix_breaks_profile_at", "profile_id", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(10))
    movement_id: Mapped[str | None] = mapped_column(String(80), nullable=True)
    snooze_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)


# --- web accounts -------------------------------------------------------------------------------


class UserRow(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(10))  # patient | clinician
    display_name: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    profile_id: Mapped[int | None] = mapped_column(
        ForeignKey("profiles.id", ondelete="SET NULL"), nullable=True, unique=True
    )
    clinician_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    #: When the person proved they read this address (a link by email); NULL until then.
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: Made by a sign-up that sent a link: no sign-in until the link is opened.
    needs_verification: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: The TOTP secret (base32); set up when totp_enabled_at is set, pending before.
    totp_secret: Mapped[str | None] = mapped_column(String(64), nullable=True)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: The last 30-second step whose code was accepted: a code is never taken twice.
    totp_last_step: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: The person's IANA time zone (e.g. Europe/Lisbon), from their browser or the account
    #: page; NULL until known (times then show in UTC).
    time_zone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: A clinician's choice for this patient: a step up applies at once instead of waiting for
    #: the clinician's approval (0008).
    auto_steps: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: The person's birth date, if they gave it (0014): their age on the record and exports.
    birth_date: Mapped[date | None] = mapped_column(Date, nullable=True)


class WebSessionRow(Base):
    __tablename__ = "web_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ThrottleRow(Base):
    """Failed password (or second-factor) checks counted for one key: an account, a client's
    address, a trusted device, a password change. Only the count is kept, no attempt log; a key
    left alone for a day is purged (services.throttle.THROTTLE_FORGET)."""

    __tablename__ = "auth_throttle"
    #: sha256 of the kind and the key (an email or address is never stored in the clear)
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    failures: Mapped[int] = mapped_column(Integer)
    blocked_until: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class TrustedDeviceRow(Base):
    """A browser that signed in to this account before (its cookie's hash): a stranger's failed
    guesses elsewhere never slow it down."""

    __tablename__ = "trusted_devices"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AccountTokenRow(Base):
    """A single-use, expiring token (only its hash): a password reset or an email check sent by
    mail, or the step between the password and the second factor."""

    __tablename__ = "account_tokens"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))  # reset | verify | second-factor
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class RecoveryCodeRow(Base):
    """One of a person's single-use two-factor recovery codes (only its hash)."""

    __tablename__ = "recovery_codes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class InvitationRow(Base):
    __tablename__ = "invitations"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    clinician_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class AuditRow(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_patient_at", "patient_id", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    action: Mapped[str] = mapped_column(String(80))


class ApiTokenRow(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: read (GET only) or write (everything a browser session may do, but never credentials)
    scope: Mapped[str] = mapped_column(String(10), default="write", server_default="write")


class ClinicRow(Base):
    """A clinic (organisation): its clinicians, its patients' care teams and its notes (0010)."""

    __tablename__ = "clinics"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: How patients reach the clinic, on the handout and the episode report (0014).
    phone: Mapped[str | None] = mapped_column(String(40), nullable=True)
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    website: Mapped[str | None] = mapped_column(String(300), nullable=True)


class ClinicMemberRow(Base):
    """A clinician's clinic (one each); administrators invite the clinic's clinicians."""

    __tablename__ = "clinic_members"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id", ondelete="CASCADE"), index=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ClinicInvitationRow(Base):
    """An administrator's invitation for a clinician to join the clinic: single use, expiring,
    only its hash kept; revoked ones keep their row (who invited whom stays on record)."""

    __tablename__ = "clinic_invitations"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    invited_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    used_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class CareTeamRow(Base):
    """A clinician in a patient's care team: pending until the patient accepts, then accepted;
    a patient who declines or leaves deletes the row (the audit log keeps the story)."""

    __tablename__ = "care_team"
    __table_args__ = (
        UniqueConstraint("patient_id", "clinician_id"),
        Index("ix_care_team_clinician_status", "clinician_id", "status"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    clinician_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10))  # pending | accepted
    asked_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ClinicNoteRow(Base):
    __tablename__ = "clinic_notes"
    __table_args__ = (Index("ix_clinic_notes_patient", "patient_id", "created_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    clinician_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: The clinic that wrote the note: only its clinicians read it (0010); NULL only for a
    #: note whose clinician had no clinic when the clinics came (none after 0010's fill).
    clinic_id: Mapped[int | None] = mapped_column(
        ForeignKey("clinics.id", ondelete="CASCADE"), nullable=True, index=True
    )
    #: Shared with the patient on purpose: the patient sees it on their care-team page.
    shared: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: always "note" since 0016 (telehealth follow-ups became appointments; the two columns
    #: below were theirs and are empty)
    kind: Mapped[str] = mapped_column(String(10))
    scheduled_for: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    link: Mapped[str | None] = mapped_column(String(500), nullable=True)
    summary: Mapped[str] = mapped_column(Text)


# --- reminders ----------------------------------------------------------------------------------


class ReminderSettingsRow(Base):
    """When a person wants to be reminded: session times, working hours for sitting breaks,
    a pause, quiet hours, and the (hashed) secret of their calendar feed."""

    __tablename__ = "reminder_settings"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    #: Local times of day ("HH:MM") for the session reminders, in the person's zone.
    session_times: Mapped[list[str]] = mapped_column(JSON)
    #: Push a nudge to get up from sitting, within the working hours and days.
    break_nudges: Mapped[bool] = mapped_column(Boolean, default=False)
    work_start: Mapped[str] = mapped_column(String(5), default="09:00")
    work_end: Mapped[str] = mapped_column(String(5), default="17:30")
    #: Working days, Monday = 0.
    work_days: Mapped[list[int]] = mapped_column(JSON)
    #: Do not disturb between these local times (may cross midnight); both NULL for none.
    quiet_start: Mapped[str | None] = mapped_column(String(5), nullable=True)
    quiet_end: Mapped[str | None] = mapped_column(String(5), nullable=True)
    paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    feed_token_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    feed_created_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class PushSubscriptionRow(Base):
    """A browser's Web Push subscription (its endpoint and keys) for a person."""

    __tablename__ = "push_subscriptions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    endpoint: Mapped[str] = mapped_column(String(1000), unique=True)
    p256dh: Mapped[str] = mapped_column(String(200))
    auth: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReminderSendRow(Base):
    """One reminder due at ``slot``, claimed by the server that sends it: the unique key makes
    a second server (or a second run) skip a reminder that is already claimed."""

    __tablename__ = "reminder_sends"
    __table_args__ = (UniqueConstraint("user_id", "kind", "slot"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))  # session | break
    slot: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: How many of the person's devices took the notification (NULL while sending).
    delivered: Mapped[int | None] = mapped_column(Integer, nullable=True)


class ServerKeyRow(Base):
    """Keys the server makes once and every server on this database shares (the VAPID key
    that signs Web Push requests), unless the settings name one."""

    __tablename__ = "server_keys"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ProgramStepRow(Base):
    """A linked patient's step up or back: asked (pending), approved, declined, or applied
    straight away (automatic steps, steps back); the clinician is told of each (0008)."""

    __tablename__ = "program_steps"
    __table_args__ = (
        Index("ix_program_steps_patient_asked", "patient_id", "asked_at"),
        Index("ix_program_steps_clinician_seen", "clinician_id", "seen_at"),
        # one waiting request a patient (0008)
        Index(
            "uq_program_steps_one_pending",
            "patient_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    clinician_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    kind: Mapped[str] = mapped_column(String(10))  # progress | regress
    status: Mapped[str] = mapped_column(String(10))  # pending | approved | declined | applied
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decided_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    from_version: Mapped[int] = mapped_column(Integer)
    to_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    message: Mapped[str] = mapped_column(Text)
    changes: Mapped[list[str]] = mapped_column(JSON)
    sources: Mapped[list[str]] = mapped_column(JSON)
    #: When the clinician opened the patient's page after this step; NULL: news to them.
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


# --- Program templates of a clinic (0011) ---


class ProgramTemplateRow(Base):
    """A program saved by a clinic's clinician to start other patients from: items (exercise,
    level, dose, note) in order and sessions a day (psoas.domain.program_edit.TemplateContent).
    Every clinician of the clinic may use, rename or delete it (0011)."""

    __tablename__ = "program_templates"
    __table_args__ = (UniqueConstraint("clinic_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


# --- A clinic's own exercises (0012) ---


class ClinicExerciseRow(Base):
    """An exercise a clinic wrote itself (psoas.services.custom_exercises): the catalog's fields
    (a psoas.domain.catalog.Exercise, stored as JSON under ``item_id``), the references the
    clinic entered, and the drawn picture it shows. Archived, never deleted, once used (0012)."""

    __tablename__ = "clinic_exercises"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    exercise: Mapped[dict[str, Any]] = mapped_column(JSON)
    references: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    figure: Mapped[str] = mapped_column(String(100))
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


# --- Appointments and messages (0013) ---


class AppointmentRow(Base):
    """A follow-up booked by a clinician of the patient's care team: a video call (an https
    link) or in person (a place). Belongs to the clinic that booked it; a cancelled one keeps
    its row, marked cancelled (psoas.services.appointments, 0013)."""

    __tablename__ = "appointments"
    __table_args__ = (
        Index("ix_appointments_patient_starts", "patient_id", "starts_at"),
        Index("ix_appointments_clinician_starts", "clinician_id", "starts_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id", ondelete="CASCADE"))
    #: the clinician the appointment is with (the one who booked it)
    clinician_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    clinician_name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(10))  # telehealth | in_person
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    link: Mapped[str | None] = mapped_column(String(500), nullable=True)
    place: Mapped[str | None] = mapped_column(String(200), nullable=True)
    note: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(10))  # booked | cancelled
    #: one more at each move or cancellation (a calendar's SEQUENCE: phones take the change)
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MessageRow(Base):
    """One message in the thread between a patient and the clinicians of one clinic of their
    care team; the thread belongs to that clinic (psoas.services.messages, 0013)."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_thread", "patient_id", "clinic_id", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id", ondelete="CASCADE"))
    sender_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    sender_name: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MessageReadRow(Base):
    """How far one person has read one thread (the last message id they saw), and whether an
    email already said that a message is waiting there (at most one until they read it)."""

    __tablename__ = "message_reads"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    clinic_id: Mapped[int] = mapped_column(
        ForeignKey("clinics.id", ondelete="CASCADE"), primary_key=True
    )
    last_read_id: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


# --- Outcomes scored elsewhere, birth dates (0014) ---
# (and users.birth_date, clinics.phone/email/website, on their tables above)


class OutcomeScoreRow(Base):
    """A total scored on the clinic's own form (Oswestry, Roland-Morris: the total only, never
    an item), or a global rating of change, for one patient (psoas.domain.outcomes)."""

    __tablename__ = "outcome_scores"
    __table_args__ = (Index("ix_outcome_scores_patient", "patient_id", "scored_on"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    measure: Mapped[str] = mapped_column(String(10))  # odi | rmdq | groc
    score: Mapped[float] = mapped_column(Float)
    scored_on: Mapped[date] = mapped_column(Date)
    entered_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    entered_by_name: Mapped[str] = mapped_column(String(80))
    entered_by_role: Mapped[str] = mapped_column(String(10))  # clinician | patient
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime())


# --- Medical clearances, clinic administration (0015) ---


class MedicalClearanceRow(Base):
    """A doctor's clearance of warning signs, recorded by a clinician of the patient's care team
    for one assessment (psoas.domain.clearance); withdrawn ones keep their row (0015)."""

    __tablename__ = "medical_clearances"
    __table_args__ = (Index("ix_medical_clearances_patient", "patient_id", "recorded_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: the held assessment it was recorded for
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    recorded_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    recorded_by_name: Mapped[str] = mapped_column(String(80))
    clinic_id: Mapped[int | None] = mapped_column(
        ForeignKey("clinics.id", ondelete="SET NULL"), nullable=True
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    cleared_by: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(30))
    cleared_at: Mapped[datetime] = mapped_column(UTCDateTime())
    codes: Mapped[list[str]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    withdrawn_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )


class ClinicEventRow(Base):
    """What a clinic's administrators did to the clinic (a clinician removed, an administrator
    added or handed over, the clinic renamed): the clinic's own audit log (0015)."""

    __tablename__ = "clinic_events"
    __table_args__ = (Index("ix_clinic_events_clinic_at", "clinic_id", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    action: Mapped[str] = mapped_column(String(200))
