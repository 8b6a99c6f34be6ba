"""Two-step sign-in: a code from an authenticator app (TOTP, RFC 6238, with pyotp) after the
password, or one of ten single-use recovery codes (only their hashes are kept).

Clinicians are strongly offered it and, once it is set up, cannot turn it off themselves (the
server administrator can, with ``psoas account reset-password --remove-two-factor``); patients
may turn it on and off. Codes are throttled like passwords, and each code is taken once: an
accepted time step is kept, and a code from it or an earlier one is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
import segno
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from psoas.services import throttle
from psoas.services.accounts import AccountError, User, _verify
from psoas.storage.db import Database
from psoas.storage.tables import RecoveryCodeRow, UserRow

ISSUER = "psoas"
RECOVERY_CODES = 10
#: Codes from the step before and after the current one count too (a phone's clock drifts).
DRIFT_STEPS = 1
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread

WRONG_CODE = "code: not recognised. Type the 6 digits your app shows now, or a recovery code."


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _normalise(code: str) -> str:
    return "".join(c for c in code.lower() if c.isalnum())


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def begin(db: Database, *, user: User) -> str:
    """A new secret for setting up (not in force until confirmed with a code from it)."""
    with db.session() as s, s.begin():
        row = s.get(UserRow, user.id)
        assert row is not None
        if row.totp_enabled_at is not None:
            raise AccountError("Two-step sign-in is already on.")
        row.totp_secret = pyotp.random_base32()
        return row.totp_secret


def pending_secret(db: Database, *, user: User) -> str | None:
    with db.session() as s:
        row = s.get(UserRow, user.id)
        if row is None or row.totp_enabled_at is not None:
            return None
        return row.totp_secret


def setup_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The setup link as a QR code: inline SVG with classes, no style attribute."""
    return str(
        segno.make(uri, error="m").svg_inline(
            scale=5,
            title="QR code for your authenticator app",
            svgclass="qr",
            lineclass="qr-dark",
            dark="#000",
            light="#fff",
        )
    )


def _step(now: datetime) -> int:
    return int(now.timestamp()) // 30


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    totp = pyotp.TOTP(secret)
    here = _step(now)
    for step in range(here - DRIFT_STEPS, here + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def confirm(db: Database, *, user: User, code: str, now: datetime) -> list[str]:
    """Turn it on with a code from the new secret; returns the recovery codes (shown once)."""
    code = _normalise(code)
    keys = [(throttle.SECOND_FACTOR, str(user.id))]
    with db.session() as s, s.begin():
        throttle.claim(s, keys, now, "wrong codes")
    with db.session() as s, s.begin():
        row = s.get(UserRow, user.id)
        assert row is not None
        if row.totp_enabled_at is not None or not row.totp_secret:
            raise AccountError("Start the set-up again: this set-up is no longer open.")
        step = _matching_step(row.totp_secret, code, now)
        if step is None:
            raise AccountError(WRONG_CODE)
        row.totp_enabled_at = now
        row.totp_last_step = step
        codes = _replace_recovery_codes(s, user.id)
        throttle.forgive(s, keys)
    return codes


def _replace_recovery_codes(s: Session, user_id: int) -> list[str]:
    s.execute(delete(RecoveryCodeRow).where(RecoveryCodeRow.user_id == user_id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    s.add_all(RecoveryCodeRow(user_id=user_id, code_hash=_hash(_normalise(c))) for c in codes)
    return codes


def check(db: Database, *, user_id: int, code: str, now: datetime) -> bool:
    """The second step of a sign-in: a current code (each time step once) or an unused recovery
    code (then used up). Throttled: Throttled while the person must wait."""
    code = _normalise(code)
    keys = [(throttle.SECOND_FACTOR, str(user_id))]
    with db.session() as s, s.begin():
        throttle.claim(s, keys, now, "wrong codes")  # committed: a wrong code stays counted
    with db.session() as s, s.begin():
        row = s.get(UserRow, user_id)
        if row is None or row.totp_enabled_at is None or not row.totp_secret:
            return False
        if code.isdigit():
            step = _matching_step(row.totp_secret, code, now)
            ok = step is not None and bool(
                s.execute(
                    update(UserRow)
                    .where(
                        UserRow.id == user_id,
                        or_(UserRow.totp_last_step.is_(None), UserRow.totp_last_step < step),
                    )
                    .values(totp_last_step=step)
                ).rowcount  # type: ignore[attr-defined]
            )
        else:
            ok = bool(
                s.execute(
                    update(RecoveryCodeRow)
                    .where(
                        RecoveryCodeRow.user_id == user_id,
                        RecoveryCodeRow.code_hash == _hash(code),
                        RecoveryCodeRow.used_at.is_(None),
                    )
                    .values(used_at=now)
                ).rowcount  # type: ignore[attr-defined]
            )
        if ok:
            throttle.forgive(s, keys)
    return ok


def recovery_codes_left(db: Database, *, user: User) -> int:
    with db.session() as s:
        left = s.scalar(
            select(func.count())
            .select_from(RecoveryCodeRow)
            .where(RecoveryCodeRow.user_id == user.id, RecoveryCodeRow.used_at.is_(None))
        )
    return int(left or 0)


def _password_checked(db: Database, *, user: User, password: str, now: datetime) -> None:
    keys = [(throttle.PASSWORD_CHANGE, str(user.id))]
    with db.session() as s, s.begin():
        throttle.claim(s, keys, now, "wrong passwords")
    with db.session() as s:
        ok = _verify(s.get(UserRow, user.id), password)
    if not ok:
        raise AccountError("password: not recognised")
    with db.session() as s, s.begin():
        throttle.forgive(s, keys)


def new_recovery_codes(db: Database, *, user: User, password: str, now: datetime) -> list[str]:
    """Ten fresh recovery codes (the old ones stop working); asks for the password."""
    _password_checked(db, user=user, password=password, now=now)
    with db.session() as s, s.begin():
        row = s.get(UserRow, user.id)
        assert row is not None
        if row.totp_enabled_at is None:
            raise AccountError("Two-step sign-in is not on.")
        return _replace_recovery_codes(s, user.id)


def turn_off(db: Database, *, user: User, password: str, now: datetime) -> None:
    """A patient turns it off (with the password). A clinician cannot: their patients' records
    depend on it, so only the server administrator can remove it."""
    if user.role == "clinician":
        raise AccountError(
            "Clinicians keep two-step sign-in on. If you lost your phone and your recovery "
            "codes, ask your clinic's administrator."
        )
    _password_checked(db, user=user, password=password, now=now)
    with db.session() as s, s.begin():
        row = s.get(UserRow, user.id)
        assert row is not None
        remove(s, row)


def remove(s: Session, row: UserRow) -> None:
    """Two-step sign-in off for ``row``, in the caller's transaction."""
    row.totp_secret = None
    row.totp_enabled_at = None
    row.totp_last_step = None
    s.execute(delete(RecoveryCodeRow).where(RecoveryCodeRow.user_id == row.id))
