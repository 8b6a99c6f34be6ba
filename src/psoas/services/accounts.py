"""Accounts for the web app: patients and clinicians, sign-in with throttling, server-side
sessions, invitations, personal API tokens, access rules and the audit log.

Access rule: a patient sees only themselves; a clinician only the patients who joined them.
Anything else is "not found" (never "forbidden"), so ids reveal nothing.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from psoas.services import badges, throttle
from psoas.services.throttle import Throttled
from psoas.services.timezones import UnknownZone, check_zone
from psoas.storage import repo
from psoas.storage.db import Database
from psoas.storage.tables import (
    AccountTokenRow,
    ApiTokenRow,
    AuditRow,
    CareTeamRow,
    ClinicMemberRow,
    InvitationRow,
    TrustedDeviceRow,
    UserRow,
    WebSessionRow,
)

Role = Literal["patient", "clinician"]
SESSION_DAYS = 14
#: A browser that signed in is trusted for this long after its last sign-in (its own allowance
#: of guesses, untouched by a stranger's).
TRUSTED_DEVICE_DAYS = 180
INVITATION_DAYS = 30
MIN_PASSWORD = 12
#: zxcvbn's score (0-4) a password needs: 3 is "safely unguessable" for an online attack.
MIN_PASSWORD_SCORE = 3
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

_hasher = PasswordHasher()


def use_password_hasher(hasher: PasswordHasher) -> PasswordHasher:
    """Hash and check passwords with ``hasher`` from now on; returns the one it replaces.

    The default is argon2-cffi's recommended profile (about 50 ms and 64 MiB a hash). The test
    suite passes a cheap profile: it checks the sign-in rules, not argon2's cost."""
    global _hasher
    previous, _hasher = _hasher, hasher
    return previous


class AccountError(ValueError):
    """Something the person can fix; the message names the field."""


class NotFound(LookupError):
    """No such thing for this user (including: it exists but is not theirs)."""


__all__ = ["AccountError", "NotFound", "Throttled", "User"]


@dataclass(frozen=True)
class User:
    id: int
    email: str
    role: Role
    display_name: str
    profile_id: int | None
    clinician_id: int | None
    #: two-factor sign-in is set up: the password alone never signs this person in
    two_factor: bool = False
    email_verified: bool = False
    #: IANA time zone for every time shown to this person and every reminder (None: UTC).
    time_zone: str | None = None
    #: clinicians waiting for this patient's answer to join their care team (read with the
    #: session on every request, so the pages can say so without another query)
    team_requests: int = 0
    #: the birth date the person gave on their account page (None: not given)
    birth_date: date | None = None
    #: unread messages from the other side of this person's threads, and (for a patient)
    #: appointments not yet over; read with the session too (psoas.services.badges)
    unread_messages: int = 0
    appointments: int = 0

    @property
    def profile_name(self) -> str:
        return profile_name_for(self.id)


class NeedsVerification(AccountError):
    """The password was right, but the account's email link was never opened."""

    def __init__(self, user: User):
        super().__init__(
            "Please open the link we sent to your email to finish creating your account. "
            "We have sent a new one."
        )
        self.user = user


@dataclass(frozen=True)
class WebSession:
    user: User
    csrf_token: str
    expires_at: datetime
    #: signed in with an API token, not a browser session: never allowed to manage credentials
    via_token: bool = False
    #: what an API token may do: read (GET and HEAD only) or write; a browser session writes
    scope: str = "write"


def profile_name_for(user_id: int) -> str:
    return f"user-{user_id}"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _user(row: UserRow) -> User:
    return User(
        id=row.id,
        email=row.email,
        role=row.role,  # type: ignore[arg-type]
        display_name=row.display_name,
        profile_id=row.profile_id,
        clinician_id=row.clinician_id,
        two_factor=row.totp_enabled_at is not None,
        email_verified=row.email_verified_at is not None,
        time_zone=row.time_zone,
        birth_date=row.birth_date,
    )


def _check_password(password: str, *, field: str = "password", avoid: tuple[str, ...] = ()) -> None:
    """At least 12 characters, and not easy to guess (a common or breached password, a keyboard
    run, or the person's own name or email), judged by zxcvbn."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"{field}: must be at least {MIN_PASSWORD} characters")
    if len(password) > 1024:
        raise AccountError(f"{field}: must be at most 1024 characters")
    from zxcvbn import zxcvbn  # type: ignore[import-untyped]  # word lists: loaded when asked

    judged = zxcvbn(password[:100], user_inputs=[a for a in avoid if a])
    if judged["score"] < MIN_PASSWORD_SCORE:
        why = judged["feedback"].get("warning") or "it is too easy to guess"
        raise AccountError(
            f"{field}: {why.rstrip('.')}. Try a few unrelated words together, "
            "for example a short sentence only you would say."
        )


#: The answer when the email has an account, also when two sign-ups with it arrive at once
#: (the unique email decides which one is kept).
EMAIL_TAKEN = "email: an account with this email exists; sign in instead"


def sign_up(
    db: Database,
    *,
    email: str,
    password: str,
    display_name: str,
    role: Role,
    now: datetime,
    invitation: str | None = None,
    time_zone: str | None = None,
    needs_verification: bool = False,
) -> User:
    """A new account; ``time_zone`` is the browser's (ignored when not a known zone).
    ``needs_verification``: no sign-in until the link sent by email is opened."""
    email = email.strip().lower()
    if not EMAIL.match(email) or len(email) > 254:
        raise AccountError("email: must be an email address")
    display_name = display_name.strip()
    if not 1 <= len(display_name) <= 80:
        raise AccountError("display_name: must be 1 to 80 characters")
    if role not in ("patient", "clinician"):
        raise AccountError("role: must be patient or clinician")
    if invitation and role != "patient":
        raise AccountError(ONLY_PATIENTS_JOIN)
    _check_password(password, avoid=(email, display_name, *email.split("@")))
    with db.session() as s, s.begin():
        row = new_account(
            s,
            email=email,
            password=password,
            display_name=display_name,
            role=role,
            now=now,
            time_zone=time_zone,
            needs_verification=needs_verification,
        )
        if invitation:
            _use_invitation(s, row, code=invitation, now=now)
        return _user(row)


def new_account(
    s: Session,
    *,
    email: str,
    password: str,
    display_name: str,
    role: Role,
    now: datetime,
    time_zone: str | None = None,
    needs_verification: bool = False,
) -> UserRow:
    """The account's row, in the caller's transaction (the caller checked every field)."""
    if s.scalar(select(UserRow.id).where(UserRow.email == email)) is not None:
        raise AccountError(EMAIL_TAKEN)
    row = UserRow(
        email=email,
        password_hash=_hasher.hash(password),
        role=role,
        display_name=display_name,
        created_at=now,
        time_zone=_known_zone(time_zone),
        needs_verification=needs_verification,
    )
    s.add(row)
    try:
        s.flush()
    except IntegrityError:  # the same email signed up at the same moment: one account
        raise AccountError(EMAIL_TAKEN) from None
    if role == "patient":
        profile = repo.create_profile(s, name=profile_name_for(row.id), now=now)
        row.profile_id = profile.id
    return row


def check_new_account(*, email: str, password: str, display_name: str) -> tuple[str, str]:
    """The email and name as they are kept, or AccountError naming the field."""
    email = email.strip().lower()
    if not EMAIL.match(email) or len(email) > 254:
        raise AccountError("email: must be an email address")
    display_name = display_name.strip()
    if not 1 <= len(display_name) <= 80:
        raise AccountError("display_name: must be 1 to 80 characters")
    _check_password(password, avoid=(email, display_name, *email.split("@")))
    return email, display_name


def _verify(row: UserRow | None, password: str) -> bool:
    """Check ``password`` against the account's hash; with no account, spend the same time."""
    if row is None:
        _hasher.hash(password)  # same cost whether or not the account exists
        return False
    try:
        return bool(_hasher.verify(row.password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def _trusted_device(s: Session, *, email: str, device: str | None, now: datetime) -> bool:
    if not device:
        return False
    found = s.scalar(
        select(TrustedDeviceRow.token_hash)
        .join(UserRow, UserRow.id == TrustedDeviceRow.user_id)
        .where(
            TrustedDeviceRow.token_hash == _digest(device),
            TrustedDeviceRow.expires_at > now,
            UserRow.email == email,
        )
    )
    return found is not None


def authenticate(
    db: Database,
    *,
    email: str,
    password: str,
    now: datetime,
    client: str = "",
    device: str | None = None,
) -> User:
    """The user whose password this is, or AccountError; Throttled while a key must wait.

    A browser that signed in to this account before (``device``, its trusted-device cookie) is
    counted on its own. Any other is counted for the account and for its address (``client``),
    so a stranger's guesses slow down strangers, never the owner's own browser; and the owner
    can always reset the password by email. NeedsVerification when the password is right but
    the sign-up link was never opened."""
    email = email.strip().lower()
    with db.session() as s, s.begin():
        if _trusted_device(s, email=email, device=device, now=now):
            keys: list[throttle.Key] = [(throttle.DEVICE, _digest(device or ""))]
        else:
            keys = [(throttle.ACCOUNT, email), (throttle.CLIENT, client)]
        throttle.claim(s, keys, now)  # committed: a wrong guess stays counted
    with db.session() as s, s.begin():
        row = s.scalar(select(UserRow).where(UserRow.email == email))
        ok = _verify(row, password)
        if not ok or row is None:
            raise AccountError("email or password: not recognised")
        throttle.forgive(s, [k for k in keys if k[0] is not throttle.CLIENT])
        throttle.give_back(s, [k for k in keys if k[0] is throttle.CLIENT])
        if _hasher.check_needs_rehash(row.password_hash):
            row.password_hash = _hasher.hash(password)
        user = _user(row)
        pending = row.needs_verification
    if pending:
        raise NeedsVerification(user)
    return user


def trust_device(db: Database, *, user: User, now: datetime, device: str | None = None) -> str:
    """Remember this browser as one the person signs in with (after a full sign-in); returns
    the cookie value (a known one is kept and its time extended)."""
    expires = now + timedelta(days=TRUSTED_DEVICE_DAYS)
    with db.session() as s, s.begin():
        if device:
            kept = s.execute(
                update(TrustedDeviceRow)
                .where(
                    TrustedDeviceRow.token_hash == _digest(device),
                    TrustedDeviceRow.user_id == user.id,
                )
                .values(expires_at=expires)
            )
            if kept.rowcount:  # type: ignore[attr-defined]
                return device
        token = secrets.token_urlsafe(32)
        s.add(
            TrustedDeviceRow(
                token_hash=_digest(token), user_id=user.id, created_at=now, expires_at=expires
            )
        )
    return token


def purge(db: Database, *, now: datetime) -> None:
    """Forget what sign-in no longer needs: throttle counts left alone for a day, expired
    sessions, trusted browsers and mailed links."""
    with db.session() as s, s.begin():
        throttle.purge(s, now)
        s.execute(delete(WebSessionRow).where(WebSessionRow.expires_at < now))
        s.execute(delete(TrustedDeviceRow).where(TrustedDeviceRow.expires_at < now))
        s.execute(delete(AccountTokenRow).where(AccountTokenRow.expires_at < now))


def start_session(db: Database, *, user: User, now: datetime) -> tuple[str, WebSession]:
    """A new server-side session; returns the cookie value (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    expires = now + timedelta(days=SESSION_DAYS)
    with db.session() as s, s.begin():
        s.add(
            WebSessionRow(
                token_hash=_digest(token),
                user_id=user.id,
                csrf_token=csrf,
                created_at=now,
                expires_at=expires,
            )
        )
    purge(db, now=now)
    return token, WebSession(user=user, csrf_token=csrf, expires_at=expires)


_TEAM_REQUESTS = (
    select(func.count())
    .where(CareTeamRow.patient_id == UserRow.id, CareTeamRow.status == "pending")
    .correlate(UserRow)
    .scalar_subquery()
)
_SESSION_USER = (
    select(
        UserRow,
        WebSessionRow.csrf_token,
        WebSessionRow.expires_at,
        _TEAM_REQUESTS.label("team_requests"),
        badges.UNREAD,
        badges.APPOINTMENTS,
    )
    .join(WebSessionRow, WebSessionRow.user_id == UserRow.id)
    .where(WebSessionRow.token_hash == bindparam("token_hash"))
)


def resolve_session(db: Database, *, token: str, now: datetime) -> WebSession | None:
    """The session and its user in one query (asked on every request)."""
    with db.session() as s:
        found = s.execute(_SESSION_USER, {"token_hash": _digest(token), "now": now}).first()
        if found is None or found.expires_at <= now:
            return None
        user = replace(
            _user(found.UserRow),
            team_requests=found.team_requests,
            unread_messages=found.unread_messages,
            appointments=found.appointments,
        )
        return WebSession(user=user, csrf_token=found.csrf_token, expires_at=found.expires_at)


def end_session(db: Database, *, token: str) -> None:
    with db.session() as s, s.begin():
        s.execute(delete(WebSessionRow).where(WebSessionRow.token_hash == _digest(token)))


def change_password(
    db: Database, *, user: User, current: str, new: str, now: datetime, keep_token: str | None
) -> None:
    """Change the password, end every other session of this user and revoke their API
    tokens."""
    keys = [(throttle.PASSWORD_CHANGE, str(user.id))]  # guesses here are throttled too
    with db.session() as s, s.begin():
        throttle.claim(s, keys, now, "wrong current passwords")  # committed: a guess counts
    with db.session() as s:
        ok = _verify(s.get(UserRow, user.id), current)
    if not ok:
        raise AccountError("current_password: not recognised")
    with db.session() as s, s.begin():
        throttle.forgive(s, keys)
    _check_password(new, field="new_password", avoid=(user.email, user.display_name))
    _set_password(db, user_id=user.id, password=new, keep_token=keep_token)


def _set_password(db: Database, *, user_id: int, password: str, keep_token: str | None) -> None:
    """A new password: every API token, trusted browser and other session of the person ends."""
    with db.session() as s, s.begin():
        user = s.get(UserRow, user_id)
        if user is None:
            raise NotFound("user")
        user.password_hash = _hasher.hash(password)
        # a new password ends every API token too: one made by whoever knew the old one goes
        s.execute(delete(ApiTokenRow).where(ApiTokenRow.user_id == user.id))
        s.execute(delete(TrustedDeviceRow).where(TrustedDeviceRow.user_id == user.id))
        keep = _digest(keep_token) if keep_token else ""
        s.execute(
            delete(WebSessionRow).where(
                WebSessionRow.user_id == user.id, WebSessionRow.token_hash != keep
            )
        )


# --- clinicians and their patients --------------------------------------------------------------


def create_invitation(db: Database, *, clinician: User, now: datetime) -> str:
    if clinician.role != "clinician":
        raise NotFound("invitation")
    code = secrets.token_urlsafe(9)
    with db.session() as s, s.begin():
        s.add(
            InvitationRow(
                code=code,
                clinician_id=clinician.id,
                created_at=now,
                expires_at=now + timedelta(days=INVITATION_DAYS),
            )
        )
    return code


ONLY_PATIENTS_JOIN = "invitation: only patients join a clinician"


def _use_invitation(s: Session, row: UserRow, *, code: str, now: datetime) -> None:
    """Join ``row`` to the inviting clinician, in the caller's transaction (nothing on error)."""
    if row.role != "patient":
        raise AccountError(ONLY_PATIENTS_JOIN)
    code = code.strip()
    # One conditional update takes the code: of joins arriving at once, exactly one matches
    # (PostgreSQL re-checks the row after the first commits; SQLite runs writers one at a time).
    taken = s.execute(
        update(InvitationRow)
        .where(
            InvitationRow.code == code,
            InvitationRow.used_at.is_(None),
            InvitationRow.used_by.is_(None),
            InvitationRow.expires_at > now,
        )
        .values(used_by=row.id, used_at=now)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        raise AccountError("invitation: this code is not valid (used, expired or mistyped)")
    clinician_id = s.scalar(select(InvitationRow.clinician_id).where(InvitationRow.code == code))
    assert clinician_id is not None
    ask_to_join_team(s, patient_id=row.id, clinician_id=clinician_id, asked_by=row.id, now=now)


def ask_to_join_team(
    s: Session, *, patient_id: int, clinician_id: int, asked_by: int, now: datetime
) -> None:
    """A pending place in the patient's care team for the clinician (with their clinic), in the
    caller's transaction: nothing is seen until the patient accepts. Audited."""
    found = s.execute(
        select(UserRow.display_name, ClinicMemberRow.clinic_id)
        .join(ClinicMemberRow, ClinicMemberRow.user_id == UserRow.id)
        .where(UserRow.id == clinician_id, UserRow.role == "clinician")
    ).first()
    if found is None:
        raise AccountError("invitation: this clinician is not in a clinic yet")
    name, clinic_id = found
    already = s.scalar(
        select(CareTeamRow.status).where(
            CareTeamRow.patient_id == patient_id, CareTeamRow.clinician_id == clinician_id
        )
    )
    if already is not None:
        return  # already asked or in the team: nothing changes
    s.add(
        CareTeamRow(
            patient_id=patient_id,
            clinician_id=clinician_id,
            clinic_id=clinic_id,
            status="pending",
            asked_by=asked_by,
            asked_at=now,
        )
    )
    s.add(
        AuditRow(
            patient_id=patient_id,
            actor_id=asked_by,
            at=now,
            action=f"asked to add {name} to the care team"[:80],
        )
    )


def join_clinician(db: Database, *, user: User, code: str, now: datetime) -> User:
    with db.session() as s, s.begin():
        row = s.get(UserRow, user.id)
        assert row is not None
        _use_invitation(s, row, code=code, now=now)
        return _user(row)


#: The demo clinic's accounts (``psoas web --demo``), whose passwords are published.
DEMO_EMAIL_DOMAIN = "@demo.psoas"


def demo_accounts(db: Database) -> int:
    """How many demo accounts the database holds: production refuses to start with any."""
    with db.session() as s:
        found = s.scalar(
            select(func.count())
            .select_from(UserRow)
            .where(UserRow.email.endswith(DEMO_EMAIL_DOMAIN))
        )
    return int(found or 0)


def get_user(db: Database, *, user_id: int) -> User | None:
    with db.session() as s:
        row = s.get(UserRow, user_id)
        return _user(row) if row else None


def get_user_in(s: Session, user_id: int) -> User:
    row = s.get(UserRow, user_id)
    if row is None:
        raise NotFound("user")
    return _user(row)


def in_care_team(db: Database, *, clinician: User, patient_id: int) -> bool:
    """True when ``clinician`` is an accepted member of the patient's care team: the one
    access rule for every clinician page and API call about a patient."""
    if clinician.role != "clinician":
        return False
    with db.session() as s:
        found = s.scalar(
            select(CareTeamRow.id).where(
                CareTeamRow.patient_id == patient_id,
                CareTeamRow.clinician_id == clinician.id,
                CareTeamRow.status == "accepted",
            )
        )
    return found is not None


def patient_for(db: Database, *, viewer: User, patient_id: int, now: datetime) -> User:
    """The patient ``viewer`` may see, or NotFound. A clinician's access is audited."""
    patient = get_user(db, user_id=patient_id)
    if patient is None or patient.role != "patient":
        raise NotFound("patient")
    if viewer.role == "patient" and viewer.id == patient.id:
        return patient
    if viewer.role == "clinician" and in_care_team(db, clinician=viewer, patient_id=patient.id):
        audit(db, patient=patient, actor=viewer, action="viewed record", now=now)
        return patient
    raise NotFound("patient")


def patients_of(db: Database, *, clinician: User) -> list[User]:
    """The patients whose care team this clinician is in (accepted)."""
    if clinician.role != "clinician":
        return []
    with db.session() as s:
        rows = s.scalars(
            select(UserRow)
            .join(CareTeamRow, CareTeamRow.patient_id == UserRow.id)
            .where(
                CareTeamRow.clinician_id == clinician.id,
                CareTeamRow.status == "accepted",
                UserRow.role == "patient",
            )
            .order_by(UserRow.display_name, UserRow.id)
        )
        return [_user(r) for r in rows]


def audit(db: Database, *, patient: User, actor: User, action: str, now: datetime) -> None:
    with db.session() as s, s.begin():
        s.add(AuditRow(patient_id=patient.id, actor_id=actor.id, at=now, action=action[:80]))


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str


def audit_log(db: Database, *, patient: User, limit: int = 200) -> list[AuditEntry]:
    with db.session() as s:
        rows = s.execute(
            select(AuditRow.at, UserRow.display_name, AuditRow.action)
            .join(UserRow, UserRow.id == AuditRow.actor_id)
            .where(AuditRow.patient_id == patient.id)
            .order_by(AuditRow.at.desc(), AuditRow.id.desc())
            .limit(limit)
        )
        return [AuditEntry(at=at, actor=name, action=action) for at, name, action in rows]


# --- personal API tokens -------------------------------------------------------------------------


#: What an API token may do: read only looks (GET); write also records and changes things.
#: No token ever manages the password, two-factor sign-in or tokens.
TOKEN_SCOPES = ("read", "write")


@dataclass(frozen=True)
class ApiToken:
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    scope: str = "write"


def create_api_token(
    db: Database, *, user: User, name: str, now: datetime, scope: str = "read"
) -> str:
    name = name.strip()
    if not 1 <= len(name) <= 80:
        raise AccountError("name: must be 1 to 80 characters")
    if scope not in TOKEN_SCOPES:
        raise AccountError("scope: choose read only, or read and write")
    token = "psoas_" + secrets.token_urlsafe(32)
    with db.session() as s, s.begin():
        s.add(
            ApiTokenRow(
                user_id=user.id, name=name, token_hash=_digest(token), created_at=now, scope=scope
            )
        )
    return token


def api_tokens(db: Database, *, user: User) -> list[ApiToken]:
    with db.session() as s:
        rows = s.scalars(
            select(ApiTokenRow).where(ApiTokenRow.user_id == user.id).order_by(ApiTokenRow.id)
        )
        return [ApiToken(r.id, r.name, r.created_at, r.last_used_at, r.scope) for r in rows]


def revoke_api_token(db: Database, *, user: User, token_id: int) -> None:
    with db.session() as s, s.begin():
        done = s.execute(
            delete(ApiTokenRow).where(ApiTokenRow.id == token_id, ApiTokenRow.user_id == user.id)
        )
        if not done.rowcount:  # type: ignore[attr-defined]
            raise NotFound("token")


TOKEN_USE_PRECISION = timedelta(minutes=1)
"""A token's "last used" time is kept to the minute, so that calls do not each write."""


def user_for_api_token(db: Database, *, token: str, now: datetime) -> User | None:
    session = api_token_session(db, token=token, now=now)
    return session.user if session else None


def api_token_session(db: Database, *, token: str, now: datetime) -> WebSession | None:
    """What a request with this API token may do: whose it is and its scope."""
    with db.session() as s, s.begin():
        row = s.scalar(select(ApiTokenRow).where(ApiTokenRow.token_hash == _digest(token)))
        if row is None:
            return None
        last = row.last_used_at
        if last is None or now - last >= TOKEN_USE_PRECISION:
            row.last_used_at = now  # a write only now and then, not on every call
        user = s.get(UserRow, row.user_id)
        if user is None:
            return None
        return WebSession(
            user=_user(user), csrf_token="", expires_at=now, via_token=True, scope=row.scope
        )


# --- time zones ----------------------------------------------------------------------------------


def _known_zone(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return check_zone(name)
    except UnknownZone:
        return None


def set_time_zone(db: Database, *, user: User, time_zone: str) -> User:
    """Keep ``time_zone`` (an IANA name) for this person; AccountError if it is not one."""
    try:
        name = check_zone(time_zone)
    except UnknownZone as exc:
        raise AccountError(f"time_zone: {exc}") from None
    with db.session() as s, s.begin():
        row = s.get(UserRow, user.id)
        if row is None:
            raise NotFound("user")
        row.time_zone = name
        return _user(row)


def learn_time_zone(db: Database, *, user: User, time_zone: str | None) -> User:
    """At sign-in: keep the browser's zone when none is stored yet (one chosen on the account
    page is never overwritten)."""
    name = _known_zone(time_zone)
    if user.time_zone or name is None:
        return user
    return set_time_zone(db, user=user, time_zone=name)
