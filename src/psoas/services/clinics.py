"""Clinics: a clinic's clinicians, its administrators, and the invitations that bring a
clinician in. Open sign-up makes patients only; a clinician's account is made by joining a
clinic with an administrator's invitation (single use, expiring, only its hash stored), or on
the server for a new clinic's first administrator (``psoas admin create-clinic``).

Access: only a clinic's administrators see its invitations and invite; anything else is
:class:`psoas.services.accounts.NotFound`.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from psoas.services import accounts
from psoas.services.accounts import AccountError, NotFound, User
from psoas.storage.db import Database
from psoas.storage.tables import (
    ClinicInvitationRow,
    ClinicMemberRow,
    ClinicRow,
    UserRow,
)

#: How long an administrator's invitation stays good.
INVITATION_DAYS = 14
NAME_MAX = 120


@dataclass(frozen=True)
class Clinic:
    id: int
    name: str


@dataclass(frozen=True)
class Membership:
    clinic: Clinic
    is_admin: bool


@dataclass(frozen=True)
class Member:
    id: int
    display_name: str
    email: str
    is_admin: bool
    joined_at: datetime


@dataclass(frozen=True)
class PendingInvitation:
    #: the token's hash: names the invitation for revoking, never lets anyone in
    id: str
    email: str
    created_at: datetime
    expires_at: datetime


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _clinic_name(name: str) -> str:
    name = " ".join(name.split())
    if not 1 <= len(name) <= NAME_MAX:
        raise AccountError(f"name: the clinic's name must be 1 to {NAME_MAX} characters")
    return name


def create_clinic(
    db: Database,
    *,
    name: str,
    admin_email: str,
    admin_name: str,
    password: str,
    now: datetime,
) -> tuple[Clinic, User]:
    """A new clinic and its first administrator (a new clinician account), on the server."""
    name = _clinic_name(name)
    email, display_name = accounts.check_new_account(
        email=admin_email, password=password, display_name=admin_name
    )
    with db.session() as s, s.begin():
        row = accounts.new_account(
            s, email=email, password=password, display_name=display_name, role="clinician", now=now
        )
        clinic = ClinicRow(name=name, created_at=now)
        s.add(clinic)
        s.flush()
        s.add(ClinicMemberRow(user_id=row.id, clinic_id=clinic.id, is_admin=True, joined_at=now))
        return Clinic(clinic.id, clinic.name), accounts.get_user_in(s, row.id)


def membership(db: Database, *, user: User) -> Membership | None:
    """The clinician's clinic, or None (patients have none)."""
    with db.session() as s:
        return membership_in(s, user.id)


def membership_in(s: Session, user_id: int) -> Membership | None:
    found = s.execute(
        select(ClinicRow.id, ClinicRow.name, ClinicMemberRow.is_admin)
        .join(ClinicMemberRow, ClinicMemberRow.clinic_id == ClinicRow.id)
        .where(ClinicMemberRow.user_id == user_id)
    ).first()
    if found is None:
        return None
    clinic_id, name, is_admin = found
    return Membership(Clinic(clinic_id, name), bool(is_admin))


def _admin_clinic(s: Session, admin: User) -> int:
    held = membership_in(s, admin.id)
    if admin.role != "clinician" or held is None or not held.is_admin:
        raise NotFound("clinic")
    return held.clinic.id


def members(db: Database, *, clinician: User) -> list[Member]:
    """The clinician's clinic's clinicians, administrators first, then by name."""
    with db.session() as s:
        held = membership_in(s, clinician.id)
        if clinician.role != "clinician" or held is None:
            raise NotFound("clinic")
        clinic_id = held.clinic.id
        rows = s.execute(
            select(
                UserRow.id,
                UserRow.display_name,
                UserRow.email,
                ClinicMemberRow.is_admin,
                ClinicMemberRow.joined_at,
            )
            .join(ClinicMemberRow, ClinicMemberRow.user_id == UserRow.id)
            .where(ClinicMemberRow.clinic_id == clinic_id)
            .order_by(ClinicMemberRow.is_admin.desc(), UserRow.display_name, UserRow.id)
        ).all()
        return [Member(i, n, e, bool(a), j) for i, n, e, a, j in rows]


def pending_invitations(db: Database, *, admin: User, now: datetime) -> list[PendingInvitation]:
    """Invitations not yet used, revoked or expired, newest first."""
    with db.session() as s:
        clinic_id = _admin_clinic(s, admin)
        rows = s.scalars(
            select(ClinicInvitationRow)
            .where(
                ClinicInvitationRow.clinic_id == clinic_id,
                ClinicInvitationRow.used_at.is_(None),
                ClinicInvitationRow.revoked_at.is_(None),
                ClinicInvitationRow.expires_at > now,
            )
            .order_by(ClinicInvitationRow.created_at.desc())
        )
        return [PendingInvitation(r.token_hash, r.email, r.created_at, r.expires_at) for r in rows]


def invite_clinician(db: Database, *, admin: User, email: str, now: datetime) -> str:
    """An invitation for ``email`` to join the administrator's clinic; returns the secret code
    (shown once: only its hash is kept)."""
    email = email.strip().lower()
    if not accounts.EMAIL.match(email) or len(email) > 254:
        raise AccountError("email: must be an email address")
    token = secrets.token_urlsafe(24)
    with db.session() as s, s.begin():
        clinic_id = _admin_clinic(s, admin)
        if s.scalar(select(UserRow.id).where(UserRow.email == email)) is not None:
            raise AccountError(
                "email: this address already has a psoas account; invite another address"
            )
        s.add(
            ClinicInvitationRow(
                token_hash=_digest(token),
                clinic_id=clinic_id,
                email=email,
                invited_by=admin.id,
                created_at=now,
                expires_at=now + timedelta(days=INVITATION_DAYS),
            )
        )
    return token


def revoke_invitation(db: Database, *, admin: User, invitation_id: str, now: datetime) -> None:
    with db.session() as s, s.begin():
        clinic_id = _admin_clinic(s, admin)
        done = s.execute(
            update(ClinicInvitationRow)
            .where(
                ClinicInvitationRow.token_hash == invitation_id,
                ClinicInvitationRow.clinic_id == clinic_id,
                ClinicInvitationRow.used_at.is_(None),
                ClinicInvitationRow.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise NotFound("invitation")


@dataclass(frozen=True)
class Invitation:
    clinic: str
    email: str


INVALID_INVITATION = (
    "This invitation is not valid: it was used, withdrawn or has expired. "
    "Ask your clinic's administrator for a new one."
)


def invitation(db: Database, *, token: str, now: datetime) -> Invitation:
    """What an invitation is for (the join page shows it), or AccountError."""
    with db.session() as s:
        found = s.execute(
            select(ClinicRow.name, ClinicInvitationRow.email)
            .join(ClinicRow, ClinicRow.id == ClinicInvitationRow.clinic_id)
            .where(
                ClinicInvitationRow.token_hash == _digest(token.strip()),
                ClinicInvitationRow.used_at.is_(None),
                ClinicInvitationRow.revoked_at.is_(None),
                ClinicInvitationRow.expires_at > now,
            )
        ).first()
    if found is None:
        raise AccountError(INVALID_INVITATION)
    return Invitation(clinic=found[0], email=found[1])


def join_clinic(
    db: Database,
    *,
    token: str,
    password: str,
    display_name: str,
    now: datetime,
    time_zone: str | None = None,
) -> User:
    """A new clinician account for the invited email, in the inviting clinic. One conditional
    update takes the invitation, so of two joins at once exactly one succeeds."""
    digest = _digest(token.strip())
    with db.session() as s:
        email = s.scalar(
            select(ClinicInvitationRow.email).where(ClinicInvitationRow.token_hash == digest)
        )
    if email is None:
        raise AccountError(INVALID_INVITATION)
    email, display_name = accounts.check_new_account(
        email=email, password=password, display_name=display_name
    )
    with db.session() as s, s.begin():
        row = accounts.new_account(
            s,
            email=email,
            password=password,
            display_name=display_name,
            role="clinician",
            now=now,
            time_zone=time_zone,
        )
        taken = s.execute(
            update(ClinicInvitationRow)
            .where(
                ClinicInvitationRow.token_hash == digest,
                ClinicInvitationRow.used_at.is_(None),
                ClinicInvitationRow.revoked_at.is_(None),
                ClinicInvitationRow.expires_at > now,
            )
            .values(used_at=now, used_by=row.id)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            raise AccountError(INVALID_INVITATION)
        clinic_id = s.scalar(
            select(ClinicInvitationRow.clinic_id).where(ClinicInvitationRow.token_hash == digest)
        )
        assert clinic_id is not None
        s.add(ClinicMemberRow(user_id=row.id, clinic_id=clinic_id, is_admin=False, joined_at=now))
        return accounts.get_user_in(s, row.id)
