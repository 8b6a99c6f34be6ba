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

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from psoas.services import accounts
from psoas.services.accounts import AccountError, NotFound, User
from psoas.storage.db import Database
from psoas.storage.tables import (
    AuditRow,
    CareTeamRow,
    ClinicEventRow,
    ClinicInvitationRow,
    ClinicMemberRow,
    ClinicRow,
    ProgramStepRow,
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


# --- running a clinic: remove a clinician, administrators, the clinic's name (0015) --------------


@dataclass(frozen=True)
class ClinicEvent:
    at: datetime
    actor: str
    action: str


def _event(s: Session, clinic_id: int, actor_id: int | None, action: str, now: datetime) -> None:
    s.add(ClinicEventRow(clinic_id=clinic_id, actor_id=actor_id, at=now, action=action[:200]))


def _member(s: Session, clinic_id: int, clinician_id: int) -> tuple[ClinicMemberRow, str]:
    row = s.get(ClinicMemberRow, clinician_id)
    if row is None or row.clinic_id != clinic_id:
        raise NotFound("clinician")
    name = s.scalar(select(UserRow.display_name).where(UserRow.id == clinician_id)) or "?"
    return row, name


def user_by_email(db: Database, *, email: str) -> User:
    """The account with this email (for the server's operator), or NotFound."""
    with db.session() as s:
        found = s.scalar(select(UserRow.id).where(UserRow.email == email.strip().lower()))
        if found is None:
            raise NotFound("account")
        return accounts.get_user_in(s, found)


def events(db: Database, *, admin: User, limit: int = 50) -> list[ClinicEvent]:
    """What the clinic's administrators did, newest first."""
    with db.session() as s:
        clinic_id = _admin_clinic(s, admin)
        rows = s.execute(
            select(ClinicEventRow.at, UserRow.display_name, ClinicEventRow.action)
            .outerjoin(UserRow, UserRow.id == ClinicEventRow.actor_id)
            .where(ClinicEventRow.clinic_id == clinic_id)
            .order_by(ClinicEventRow.at.desc(), ClinicEventRow.id.desc())
            .limit(limit)
        ).all()
    return [ClinicEvent(at, actor or "a former clinician", action) for at, actor, action in rows]


def _new_lead(s: Session, patient_id: int, clinic_id: int, gone: int) -> int | None:
    """The patient's next lead after ``gone`` left the clinic: the longest-standing member of
    the same clinic in their team, else of another clinic in it, else nobody."""
    rows = s.execute(
        select(CareTeamRow.clinician_id, CareTeamRow.clinic_id)
        .where(
            CareTeamRow.patient_id == patient_id,
            CareTeamRow.status == "accepted",
            CareTeamRow.clinician_id != gone,
        )
        .order_by(CareTeamRow.accepted_at, CareTeamRow.id)
    ).all()
    same = [c for c, k in rows if k == clinic_id]
    others = same or [c for c, _ in rows]
    return others[0] if others else None


def remove_clinician(db: Database, *, admin: User, clinician_id: int, now: datetime) -> int:
    """The administrator removes a clinician from the clinic: their places in this clinic's
    care teams end at once (pending requests too); each patient they led gets another member
    of the team as lead (this clinic's first), or none, and is told in their audit log; the
    clinic's notes stay with the clinic. Returns how many patients were affected. An
    administrator cannot remove themselves (hand the role over first)."""
    with db.session() as s, s.begin():
        clinic_id = _admin_clinic(s, admin)
        if clinician_id == admin.id:
            raise AccountError(
                "clinician: you cannot remove yourself; hand the administrator role to a "
                "colleague first, and they can remove you"
            )
        member, name = _member(s, clinic_id, clinician_id)
        clinic_name = s.scalar(select(ClinicRow.name).where(ClinicRow.id == clinic_id)) or ""
        places = s.execute(
            select(CareTeamRow.patient_id, CareTeamRow.status).where(
                CareTeamRow.clinician_id == clinician_id, CareTeamRow.clinic_id == clinic_id
            )
        ).all()
        for patient_id, status in places:
            s.execute(
                delete(CareTeamRow).where(
                    CareTeamRow.patient_id == patient_id,
                    CareTeamRow.clinician_id == clinician_id,
                )
            )
            lead = s.scalar(select(UserRow.clinician_id).where(UserRow.id == patient_id))
            told = f"{name} left {clinic_name}"
            if status == "pending":
                told = f"{name}'s request was withdrawn: they left {clinic_name}"
            elif lead == clinician_id:
                heir = _new_lead(s, patient_id, clinic_id, clinician_id)
                s.execute(update(UserRow).where(UserRow.id == patient_id).values(clinician_id=heir))
                s.execute(
                    update(ProgramStepRow)
                    .where(
                        ProgramStepRow.patient_id == patient_id,
                        ProgramStepRow.status == "pending",
                    )
                    .values(clinician_id=heir)
                )
                heir_name = (
                    s.scalar(select(UserRow.display_name).where(UserRow.id == heir))
                    if heir is not None
                    else None
                )
                told += f"; {heir_name} is now your main clinician" if heir_name else ""
            s.add(AuditRow(patient_id=patient_id, actor_id=admin.id, at=now, action=told[:80]))
        s.delete(member)
        _event(s, clinic_id, admin.id, f"removed {name} from the clinic", now)
        return len(places)


def set_admin(
    db: Database, *, admin: User, clinician_id: int, is_admin: bool, now: datetime
) -> None:
    """Make a clinician of the clinic an administrator, or take the role back (one's own
    included); the clinic always keeps at least one administrator."""
    with db.session() as s, s.begin():
        clinic_id = _admin_clinic(s, admin)
        member, name = _member(s, clinic_id, clinician_id)
        if member.is_admin == is_admin:
            return
        if not is_admin:
            admins = s.scalars(
                select(ClinicMemberRow.user_id).where(
                    ClinicMemberRow.clinic_id == clinic_id, ClinicMemberRow.is_admin.is_(True)
                )
            ).all()
            if len(admins) <= 1:
                raise AccountError(
                    "clinician: a clinic always has an administrator; make someone else one first"
                )
        member.is_admin = is_admin
        what = "made {} an administrator" if is_admin else "took the administrator role from {}"
        _event(s, clinic_id, admin.id, what.format(name), now)


def hand_over(db: Database, *, admin: User, clinician_id: int, now: datetime) -> None:
    """Hand the administrator role to a colleague: they become an administrator, and the one
    handing over stays a clinician of the clinic."""
    if clinician_id == admin.id:
        raise AccountError("clinician: choose a colleague to hand the role to")
    set_admin(db, admin=admin, clinician_id=clinician_id, is_admin=True, now=now)
    set_admin(db, admin=admin, clinician_id=admin.id, is_admin=False, now=now)


def rename_clinic(db: Database, *, admin: User, name: str, now: datetime) -> Clinic:
    name = _clinic_name(name)
    with db.session() as s, s.begin():
        clinic_id = _admin_clinic(s, admin)
        row = s.get(ClinicRow, clinic_id)
        assert row is not None
        old, row.name = row.name, name
        if old != name:
            _event(s, clinic_id, admin.id, f"renamed the clinic from {old!r} to {name!r}", now)
        return Clinic(clinic_id, name)
