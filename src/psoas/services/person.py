"""The person's rights over their data: everything psoas holds about them in one download, and
deleting their account and health data on request.

What is kept after a deletion, and why (said the same way on the page, in the API and in
docs/your-data.md): the log of who opened the person's record and what they did (dates, names
and actions, never health data), because a clinic can be required by law to show who accessed
a health record. Nothing else is kept: the account row stays only as the anchor of that log,
with its email, name, password and every other detail wiped.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Column, Table, delete, func, select, update
from sqlalchemy.orm import Session

from psoas.services import (
    accounts,
    appointments,
    care_team,
    clearance,
    clinic,
    exports,
    messages,
    outcomes,
    programs,
    throttle,
)
from psoas.services.accounts import AccountError, User
from psoas.storage.db import Database
from psoas.storage.tables import (
    ApiTokenRow,
    AuditRow,
    Base,
    CareTeamRow,
    ClinicRow,
    InvitationRow,
    ProfileRow,
    PushSubscriptionRow,
    ReminderSettingsRow,
    ThrottleRow,
    TrustedDeviceRow,
    UserRow,
    WebSessionRow,
)

KEPT_AFTER_DELETION = (
    "The log of who opened your record and what they did (dates, names and actions, no health "
    "data) is kept, because a clinic can be required by law to show who accessed a health "
    "record. Everything else is deleted now."
)
BACKUPS_NOTE = (
    "Backups the clinic took before today still hold your data until they are replaced; "
    "ask the clinic how long it keeps them."
)
DELETED_NAME = "Deleted account"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _json(data: Any) -> bytes:
    return json.dumps(data, indent=2, ensure_ascii=False).encode()


# --- export -------------------------------------------------------------------------------------


def _account(s: Session, user: User) -> dict[str, Any]:
    """The account's own data, without any secret (no password hash, no token, no code)."""
    row = s.get(UserRow, user.id)
    assert row is not None
    clinician = s.get(UserRow, row.clinician_id) if row.clinician_id else None
    settings = s.get(ReminderSettingsRow, user.id)
    reminders = None
    if settings is not None:
        reminders = {
            "session_times": settings.session_times,
            "break_nudges": settings.break_nudges,
            "work_start": settings.work_start,
            "work_end": settings.work_end,
            "work_days": settings.work_days,
            "quiet_start": settings.quiet_start,
            "quiet_end": settings.quiet_end,
            "paused_until": _iso(settings.paused_until),
            "calendar_feed_made": _iso(settings.feed_created_at),
        }
    by_user = (ApiTokenRow.user_id == user.id,)
    return {
        "id": row.id,
        "email": row.email,
        "role": row.role,
        "display_name": row.display_name,
        "birth_date": row.birth_date.isoformat() if row.birth_date else None,
        "created_at": _iso(row.created_at),
        "time_zone": row.time_zone,
        "email_verified_at": _iso(row.email_verified_at),
        "two_factor_since": _iso(row.totp_enabled_at),
        "clinician": (
            {"id": clinician.id, "display_name": clinician.display_name} if clinician else None
        ),
        "api_tokens": [
            {
                "name": t.name,
                "scope": t.scope,
                "created_at": _iso(t.created_at),
                "last_used_at": _iso(t.last_used_at),
            }
            for t in s.scalars(select(ApiTokenRow).where(*by_user).order_by(ApiTokenRow.id))
        ],
        "signed_in_sessions": [
            {"created_at": _iso(w.created_at), "expires_at": _iso(w.expires_at)}
            for w in s.scalars(
                select(WebSessionRow)
                .where(WebSessionRow.user_id == user.id)
                .order_by(WebSessionRow.created_at)
            )
        ],
        "trusted_browsers": [
            {"created_at": _iso(d.created_at), "expires_at": _iso(d.expires_at)}
            for d in s.scalars(
                select(TrustedDeviceRow)
                .where(TrustedDeviceRow.user_id == user.id)
                .order_by(TrustedDeviceRow.created_at)
            )
        ],
        "care_team": [
            {
                "clinician": name,
                "clinic": clinic_name,
                "status": status,
                "asked_at": _iso(asked_at),
                "accepted_at": _iso(accepted_at),
            }
            for name, clinic_name, status, asked_at, accepted_at in s.execute(
                select(
                    UserRow.display_name,
                    ClinicRow.name,
                    CareTeamRow.status,
                    CareTeamRow.asked_at,
                    CareTeamRow.accepted_at,
                )
                .join(UserRow, UserRow.id == CareTeamRow.clinician_id)
                .join(ClinicRow, ClinicRow.id == CareTeamRow.clinic_id)
                .where(CareTeamRow.patient_id == user.id)
                .order_by(CareTeamRow.asked_at)
            )
        ],
        "reminder_settings": reminders,
        "push_subscriptions": [
            {"created_at": _iso(p.created_at), "service": urlsplit(p.endpoint).hostname}
            for p in s.scalars(
                select(PushSubscriptionRow)
                .where(PushSubscriptionRow.user_id == user.id)
                .order_by(PushSubscriptionRow.id)
            )
        ],
        "invitations_made": [
            {
                "created_at": _iso(i.created_at),
                "expires_at": _iso(i.expires_at),
                "used_at": _iso(i.used_at),
            }
            for i in s.scalars(
                select(InvitationRow)
                .where(InvitationRow.clinician_id == user.id)
                .order_by(InvitationRow.created_at)
            )
        ],
        "sign_in_counts": (
            "Failed sign-ins are counted under a one-way hash of the email, not kept as a "
            "list, and forgotten after a day without one."
        ),
    }


def _audit(s: Session, *, column: Any, user_id: int) -> list[dict[str, Any]]:
    actor = UserRow.__table__.alias("actor")
    patient = UserRow.__table__.alias("patient")
    rows = s.execute(
        select(AuditRow.at, actor.c.display_name, patient.c.display_name, AuditRow.action)
        .join(actor, actor.c.id == AuditRow.actor_id)
        .join(patient, patient.c.id == AuditRow.patient_id)
        .where(column == user_id)
        .order_by(AuditRow.at, AuditRow.id)
    )
    return [
        {"at": _iso(at), "who": who, "whose_record": whose, "action": action}
        for at, who, whose, action in rows
    ]


README = """Everything psoas holds about you, {when}.

account.json        your account: email, name, birth date, role, clinician, time zone, API
                    tokens (names and dates; never the tokens), sessions and trusted browsers,
                    reminder settings.
                    No password or secret is in it: psoas keeps only one-way hashes of those.
audit.json          who opened your record and what they did (for a clinician: what you did
                    in your patients' records).
shared-notes.json   the notes your clinicians shared with you.
appointments.json   every follow-up booked with you (video call or in person), cancelled and past
                    ones too, with the clinic and the clinician.
messages.json       every message between you and your clinics, with who wrote it and when.
clearances.json     a doctor's clearances of warning signs your clinician recorded: who cleared
                    what, when, and who recorded it (withdrawn ones too).
outcomes.json       the Oswestry and Roland-Morris totals your clinic entered and your ratings of
                    how your back has changed (with who entered each, and when).
record/             your records in the formats psoas offers: backup.json (everything you
                    logged: assessments with your answers, every program version, sessions and
                    sets, pain, function, re-tests, breaks; `psoas import` restores it),
                    history.csv, fhir.json for a clinician's system, and the handout and
                    calendar when there is a program to show.{missing}
"""


def _clearance(c: clearance.ClearanceRecord) -> dict[str, Any]:
    return {
        "cleared_by": c.cleared_by,
        "role": c.role_name,
        "cleared_at": _iso(c.cleared_at),
        "signs": [sign.title for sign in c.signs],
        "note": c.note,
        "recorded_by": c.recorded_by,
        "recorded_at": _iso(c.recorded_at),
        "withdrawn_at": _iso(c.withdrawn_at),
    }


def export_archive(
    db: Database, *, user: User, now: datetime, emergency_number: str = "112"
) -> bytes:
    """One zip of everything psoas holds about ``user``: account, audit log, shared notes and
    every record download (a handout or calendar only when the program may be shown)."""
    with db.session() as s:
        account = _account(s, user)
        column = AuditRow.patient_id if user.role == "patient" else AuditRow.actor_id
        audit = _audit(s, column=column, user_id=user.id)
    buffer = io.BytesIO()
    missing: list[str] = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("account.json", _json(account))
        archive.writestr("audit.json", _json(audit))
        if user.role == "patient":
            shared = clinic.shared_notes_for_patient(db, patient=user)
            archive.writestr(
                "shared-notes.json", _json([n.model_dump(mode="json") for n in shared])
            )
            booked = appointments.every_for_patient(db, patient=user)
            archive.writestr(
                "appointments.json", _json([a.model_dump(mode="json") for a in booked])
            )
            archive.writestr("messages.json", _json(messages.every_for_patient(db, patient=user)))
            archive.writestr(
                "clearances.json",
                _json([_clearance(c) for c in clearance.records(db, patient=user)]),
            )
            scored = outcomes.scores(db, patient_id=user.id)
            archive.writestr("outcomes.json", _json([x.model_dump(mode="json") for x in scored]))
            for download in exports.DOWNLOADS:
                try:
                    made = exports.export(
                        db,
                        profile_name=user.profile_name,
                        fmt=download.fmt,
                        now=now,
                        person=user.display_name,
                        emergency_number=emergency_number,
                        time_zone=user.time_zone,
                    )
                except programs.ProgramUnavailable as exc:
                    missing.append(f"{download.name}: {exc.message}")
                    continue
                archive.writestr(f"record/{download.name}", made.data)
        note = "".join(f"\n\nNot included: {m}" for m in missing)
        archive.writestr("README.txt", README.format(when=now.isoformat(), missing=note))
    return buffer.getvalue()


# --- deletion -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deleted:
    """What a deletion removed (counts of rows), and what it kept."""

    removed: dict[str, int]
    kept_audit_entries: int


def _count(s: Session, table: Any, *where: Any) -> int:
    return int(s.scalar(select(func.count()).select_from(table).where(*where)) or 0)


def _sign_in_keys(s: Session, user: User) -> list[str]:
    """The throttle rows counted for this person: their email, their account id, and the
    browsers they trusted (an address is shared, so it is not theirs)."""
    values = [user.email, str(user.id)]
    rules = (throttle.ACCOUNT, throttle.PASSWORD_CHANGE, throttle.SECOND_FACTOR, throttle.DEVICE)
    keys = [throttle.key_hash(rule, v) for rule in rules for v in values]
    devices = s.scalars(
        select(TrustedDeviceRow.token_hash).where(TrustedDeviceRow.user_id == user.id)
    )
    keys += [throttle.key_hash(throttle.DEVICE, d) for d in devices]
    return keys


#: What each table's rows are, in the deletion's summary.
_LABELS = {
    "web_sessions": "signed-in sessions",
    "api_tokens": "API tokens",
    "trusted_devices": "trusted browsers",
    "account_tokens": "emailed links",
    "recovery_codes": "recovery codes",
    "reminder_settings": "reminder settings",
    "push_subscriptions": "push subscriptions",
    "reminder_sends": "reminders sent",
    "clinic_notes": "notes about you",
    "invitations": "invitations made",
    "program_steps": "program steps",
    "care_team": "care team places",
    "clinic_members": "clinic membership",
    "outcome_scores": "Oswestry and Roland-Morris totals and ratings of change",
    "appointments": "appointments",
    "messages": "messages",
    "message_reads": "messages read",
    "medical_clearances": "medical clearances",
}
#: Links kept on purpose: the audit log (KEPT_AFTER_DELETION), and the notes a clinician wrote
#: about their patients, which are the patients' records, not the clinician's.
KEPT_LINKS = frozenset(
    {("audit_log", "patient_id"), ("audit_log", "actor_id"), ("clinic_notes", "clinician_id")}
)


def links_to_users() -> list[tuple[Table, Column[Any], str | None]]:
    """Every (table, column, on delete) whose column points at an account, from the schema:
    a table added later is covered without a change here."""
    links = []
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == "users":
                links.append((table, fk.parent, fk.ondelete))
    return links


def delete_account(db: Database, *, user: User, password: str, now: datetime) -> Deleted:
    """Delete the account and its health data, once the password is confirmed (checked and
    throttled like a password change). Keeps only the audit log (KEPT_AFTER_DELETION)."""
    keys = [(throttle.PASSWORD_CHANGE, str(user.id))]
    with db.session() as s, s.begin():
        throttle.claim(s, keys, now, "wrong passwords")  # committed: a guess counts
    with db.session() as s:
        ok = accounts._verify(s.get(UserRow, user.id), password)
    if not ok:
        raise AccountError("password: not recognised; your account was not deleted")
    removed: dict[str, int] = {}
    with db.session() as s, s.begin():
        row = s.get(UserRow, user.id)
        assert row is not None
        sign_in = _sign_in_keys(s, user)
        removed["sign-in counts"] = s.execute(
            delete(ThrottleRow).where(ThrottleRow.key_hash.in_(sign_in))
        ).rowcount  # type: ignore[attr-defined]
        # a patient's health data: the profile and everything that hangs from it
        if row.profile_id is not None:
            profile_id = row.profile_id
            row.profile_id = None
            s.flush()
            removed["health records (profile)"] = s.execute(
                delete(ProfileRow).where(ProfileRow.id == profile_id)
            ).rowcount  # type: ignore[attr-defined]
        if user.role == "clinician":  # their patients and clinic carry on without them
            care_team.before_clinician_goes(s, clinician_id=user.id)
        # Every row that belongs to the account (a link that deletes with it) goes; a link that
        # only points at it (set to NULL when an account goes: the codes they used, a
        # clinician's patients) is cut.
        for table, column, ondelete in links_to_users():
            if (table.name, column.name) in KEPT_LINKS:
                continue
            if ondelete == "CASCADE":
                done = s.execute(delete(table).where(column == user.id))
                label = _LABELS.get(table.name, table.name.replace("_", " "))
                removed[label] = removed.get(label, 0) + done.rowcount  # type: ignore[attr-defined]
            else:
                s.execute(update(table).where(column == user.id).values({column.name: None}))
        if user.role == "patient":
            s.add(
                AuditRow(patient_id=user.id, actor_id=user.id, at=now, action="deleted the account")
            )
        # the row stays only as the anchor of the audit log: every detail goes
        row.email = f"deleted-{user.id}@deleted.invalid"
        row.password_hash = "!deleted"
        # who opened a record is what the log is for: a clinician's name stays with it
        row.display_name = DELETED_NAME if user.role == "patient" else row.display_name
        row.clinician_id = None
        row.time_zone = None
        row.birth_date = None
        row.email_verified_at = None
        row.needs_verification = False
        row.totp_secret = None
        row.totp_enabled_at = None
        row.totp_last_step = None
        s.flush()
        kept = _count(
            s, AuditRow, (AuditRow.patient_id == user.id) | (AuditRow.actor_id == user.id)
        )
    return Deleted(removed={k: v for k, v in removed.items() if v}, kept_audit_entries=kept)
