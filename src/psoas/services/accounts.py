"""Accounts for the web app: patients and clinicians, sign-in with throttling, server-side
sessions, invitations, personal API tokens, access rules and the audit log.

Access rule: a patient sees only themselves; a clinician only the patients who joined them.
Anything else is "not found" (never "forbidden"), so ids reveal nothing.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from psoas.storage import repo
from psoas.storage.db import Database
from psoas.storage.tables import (
    ApiTokenRow,
    AuditRow,
    InvitationRow,
    LoginAttemptRow,
    UserRow,
    WebSessionRow,
)

Role = Literal["patient", "clinician"]
SESSION_DAYS = 14
THROTTLE_WINDOW = timedelta(minutes=15)
THROTTLE_FAILURES = 5
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


class Throttled(RuntimeError):
    def __init__(self, retry_after: int, what: str = "failed sign-ins"):
        super().__init__(f"too many {what}; try again in {retry_after // 60 + 1} minutes")
        self.retry_after = retry_after


@dataclass(frozen=True)
class User:
    id: int
    email: str
    role: Role
    display_name: str
    profile_id: int | None
    clinician_id: int | None

    @property
    def profile_name(self) -> str:
        return profile_name_for(self.id)


@dataclass(frozen=True)
class WebSession:
    user: User
    csrf_token: str
    expires_at: datetime
    #: signed in with an API token, not a browser session: never allowed to manage credentials
    via_token: bool = False


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


def sign_up(
    db: Database,
    *,
    email: str,
    password: str,
    display_name: str,
    role: Role,
    now: datetime,
    invitation: str | None = None,
) -> User:
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
        if s.scalar(select(UserRow.id).where(UserRow.email == email)) is not None:
            raise AccountError("email: an account with this email exists; sign in instead")
        row = UserRow(
            email=email,
            password_hash=_hasher.hash(password),
            role=role,
            display_name=display_name,
            created_at=now,
        )
        s.add(row)
        s.flush()
        if role == "patient":
            profile = repo.create_profile(s, name=profile_name_for(row.id), now=now)
            row.profile_id = profile.id
        if invitation:
            _use_invitation(s, row, code=invitation, now=now)
        return _user(row)


def _throttle_wait(s: Session, key: str, now: datetime) -> int:
    """Seconds to wait before another password check for ``key`` (an email, or a user's
    password change), 0 when allowed: after THROTTLE_FAILURES failures in THROTTLE_WINDOW."""
    since = now - THROTTLE_WINDOW
    failed = (
        LoginAttemptRow.email == key,
        LoginAttemptRow.at >= since,
        LoginAttemptRow.success.is_(False),
    )
    failures = s.scalar(select(func.count()).select_from(LoginAttemptRow).where(*failed))
    if (failures or 0) < THROTTLE_FAILURES:
        return 0
    oldest = s.scalar(select(func.min(LoginAttemptRow.at)).where(*failed))
    return max(int(((oldest or now) + THROTTLE_WINDOW - now).total_seconds()), 1)


def authenticate(db: Database, *, email: str, password: str, now: datetime) -> User:
    """The user, or AccountError; Throttled after repeated failures for the same email."""
    email = email.strip().lower()
    with db.session() as s, s.begin():
        wait = _throttle_wait(s, email, now)
        if wait:
            raise Throttled(wait)
        row = s.scalar(select(UserRow).where(UserRow.email == email))
        ok = False
        if row is not None:
            try:
                ok = _hasher.verify(row.password_hash, password)
            except (VerificationError, InvalidHashError):
                ok = False
        else:
            _hasher.hash(password)  # same cost whether or not the account exists
        s.add(LoginAttemptRow(email=email, at=now, success=ok))
        user = _user(row) if ok and row is not None else None
        if user is not None and row is not None and _hasher.check_needs_rehash(row.password_hash):
            row.password_hash = _hasher.hash(password)
    # the attempt is committed above, so failures count even though we raise here
    if user is None:
        raise AccountError("email or password: not recognised")
    return user


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
        s.execute(delete(WebSessionRow).where(WebSessionRow.expires_at < now))
    return token, WebSession(user=user, csrf_token=csrf, expires_at=expires)


def resolve_session(db: Database, *, token: str, now: datetime) -> WebSession | None:
    with db.session() as s:
        row = s.get(WebSessionRow, _digest(token))
        if row is None or row.expires_at <= now:
            return None
        user = s.get(UserRow, row.user_id)
        if user is None:
            return None
        return WebSession(user=_user(user), csrf_token=row.csrf_token, expires_at=row.expires_at)


def end_session(db: Database, *, token: str) -> None:
    with db.session() as s, s.begin():
        s.execute(delete(WebSessionRow).where(WebSessionRow.token_hash == _digest(token)))


def change_password(
    db: Database, *, user: User, current: str, new: str, now: datetime, keep_token: str | None
) -> None:
    """Change the password, end every other session of this user and revoke their API
    tokens."""
    key = f"password-change:{user.id}"  # its own count: guesses here are throttled too
    with db.session() as s, s.begin():
        wait = _throttle_wait(s, key, now)
        if wait:
            raise Throttled(wait, "wrong current passwords")
        row = s.get(UserRow, user.id)
        assert row is not None
        try:
            ok: bool = _hasher.verify(row.password_hash, current)
        except (VerificationError, InvalidHashError):
            ok = False
        s.add(LoginAttemptRow(email=key, at=now, success=ok))
    # the attempt is committed above, so a wrong guess counts even though we raise here
    if not ok:
        raise AccountError("current_password: not recognised")
    _check_password(new, field="new_password", avoid=(user.email, user.display_name))
    with db.session() as s, s.begin():
        row = s.get(UserRow, user.id)
        assert row is not None
        row.password_hash = _hasher.hash(new)
        # a new password ends every API token too: one made by whoever knew the old one goes
        s.execute(delete(ApiTokenRow).where(ApiTokenRow.user_id == user.id))
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
    invitation = s.get(InvitationRow, code.strip())
    if invitation is None or invitation.used_by is not None or invitation.expires_at <= now:
        raise AccountError("invitation: this code is not valid (used, expired or mistyped)")
    row.clinician_id = invitation.clinician_id
    invitation.used_by = row.id
    invitation.used_at = now
    s.add(AuditRow(patient_id=row.id, actor_id=row.id, at=now, action="joined clinician"))


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


def patient_for(db: Database, *, viewer: User, patient_id: int, now: datetime) -> User:
    """The patient ``viewer`` may see, or NotFound. A clinician's access is audited."""
    patient = get_user(db, user_id=patient_id)
    if patient is None or patient.role != "patient":
        raise NotFound("patient")
    if viewer.role == "patient" and viewer.id == patient.id:
        return patient
    if viewer.role == "clinician" and patient.clinician_id == viewer.id:
        audit(db, patient=patient, actor=viewer, action="viewed record", now=now)
        return patient
    raise NotFound("patient")


def patients_of(db: Database, *, clinician: User) -> list[User]:
    if clinician.role != "clinician":
        return []
    with db.session() as s:
        rows = s.scalars(
            select(UserRow)
            .where(UserRow.clinician_id == clinician.id, UserRow.role == "patient")
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


@dataclass(frozen=True)
class ApiToken:
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None


def create_api_token(db: Database, *, user: User, name: str, now: datetime) -> str:
    name = name.strip()
    if not 1 <= len(name) <= 80:
        raise AccountError("name: must be 1 to 80 characters")
    token = "psoas_" + secrets.token_urlsafe(32)
    with db.session() as s, s.begin():
        s.add(ApiTokenRow(user_id=user.id, name=name, token_hash=_digest(token), created_at=now))
    return token


def api_tokens(db: Database, *, user: User) -> list[ApiToken]:
    with db.session() as s:
        rows = s.scalars(
            select(ApiTokenRow).where(ApiTokenRow.user_id == user.id).order_by(ApiTokenRow.id)
        )
        return [ApiToken(r.id, r.name, r.created_at, r.last_used_at) for r in rows]


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
    with db.session() as s, s.begin():
        row = s.scalar(select(ApiTokenRow).where(ApiTokenRow.token_hash == _digest(token)))
        if row is None:
            return None
        last = row.last_used_at
        if last is None or now - last >= TOKEN_USE_PRECISION:
            row.last_used_at = now  # a write only now and then, not on every call
        user = s.get(UserRow, row.user_id)
        return _user(user) if user else None
