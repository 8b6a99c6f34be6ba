"""Single-use, expiring links sent by email (password reset, email check), the sign-up that
never says whether an address has an account, and the administrator's reset without email.

A link's token is random (256 bits); only its sha256 is stored. Using one is one conditional
UPDATE (``... SET used_at = now WHERE used_at IS NULL AND expires_at > now``), so it works once
even when two requests bring it at the same moment. Asking for a reset gives the same answer
whether or not the address has an account: the look-up, the token and the email all happen
after the answer has gone (services.mail, a background task).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update

from psoas.services import throttle
from psoas.services.accounts import (
    EMAIL,
    EMAIL_TAKEN,
    AccountError,
    NotFound,
    Role,
    User,
    _check_password,
    _digest,
    _hasher,
    _set_password,
    _user,
    get_user,
    sign_up,
)
from psoas.services.mail import (
    RESET_HOURS,
    VERIFY_HOURS,
    Mailer,
    already_registered_mail,
    reset_mail,
    verify_mail,
)
from psoas.storage.db import Database
from psoas.storage.tables import AccountTokenRow, InvitationRow, UserRow

RESET = "reset"
VERIFY = "verify"
#: The step between a right password and the second factor (a cookie, not a mailed link).
SECOND_STEP = "second-factor"
SECOND_STEP_MINUTES = 10

#: Emails to one address asked from one client: three at once, then growing waits, so a
#: stranger cannot flood a person with reset emails, while the owner, asking from elsewhere,
#: still gets theirs ...
MAIL = throttle.Rule(
    "mail", free=3, first_wait=timedelta(minutes=5), longest_wait=timedelta(hours=6)
)
#: ... up to ten a day to one address from anywhere (many strangers at once).
MAIL_TO_ADDRESS = throttle.Rule(
    "mail-address", free=10, first_wait=timedelta(minutes=10), longest_wait=timedelta(hours=1)
)

USED_OR_EXPIRED = "This link has been used or has expired. Please ask for a new one."


def _issue(db: Database, *, user_id: int, purpose: str, now: datetime, hours: int) -> str:
    token = secrets.token_urlsafe(32)
    with db.session() as s, s.begin():
        s.add(
            AccountTokenRow(
                token_hash=_digest(token),
                user_id=user_id,
                purpose=purpose,
                created_at=now,
                expires_at=now + timedelta(hours=hours),
            )
        )
    return token


def _usable(purpose: str, token: str, now: datetime) -> tuple[object, ...]:
    return (
        AccountTokenRow.token_hash == _digest(token),
        AccountTokenRow.purpose == purpose,
        AccountTokenRow.used_at.is_(None),
        AccountTokenRow.expires_at > now,
    )


def link_user(db: Database, *, token: str, purpose: str, now: datetime) -> User | None:
    """Whose link this is while it can still be used (looking uses nothing up)."""
    with db.session() as s:
        user_id = s.scalar(select(AccountTokenRow.user_id).where(*_usable(purpose, token, now)))  # type: ignore[arg-type]
        row = s.get(UserRow, user_id) if user_id is not None else None
        return _user(row) if row else None


def _use(db: Database, *, token: str, purpose: str, now: datetime) -> int:
    """Use the link (once: an atomic conditional update); the user's id, or AccountError."""
    with db.session() as s, s.begin():
        user_id = s.scalar(
            update(AccountTokenRow)
            .where(*_usable(purpose, token, now))  # type: ignore[arg-type]
            .values(used_at=now)
            .returning(AccountTokenRow.user_id)
        )
        if user_id is None:
            raise AccountError(USED_OR_EXPIRED)
        # any other link of the same kind goes too: the newest use wins, the rest are spent
        s.execute(
            update(AccountTokenRow)
            .where(
                AccountTokenRow.user_id == user_id,
                AccountTokenRow.purpose == purpose,
                AccountTokenRow.used_at.is_(None),
            )
            .values(used_at=now)
        )
        row = s.get(UserRow, user_id)
        assert row is not None
        if purpose in (RESET, VERIFY):  # opening a link sent there proves the address
            row.email_verified_at = row.email_verified_at or now
            row.needs_verification = False
        return int(user_id)


def _may_mail(db: Database, email: str, now: datetime, client: str = "") -> bool:
    keys = [(MAIL, f"{email}\0{client}"), (MAIL_TO_ADDRESS, email)]
    try:
        with db.session() as s, s.begin():
            throttle.claim(s, keys, now, "emails")
    except throttle.Throttled:
        return False
    return True


# --- password reset -------------------------------------------------------------------------


def send_reset_link(
    db: Database, mailer: Mailer, *, email: str, now: datetime, client: str = ""
) -> None:
    """Email a reset link if ``email`` has an account; nothing at all otherwise. Run after the
    answer has gone: the person is told the same either way."""
    email = email.strip().lower()
    if not EMAIL.match(email) or not _may_mail(db, email, now, client):
        return
    with db.session() as s:
        user_id = s.scalar(select(UserRow.id).where(UserRow.email == email))
    if user_id is None:
        return
    token = _issue(db, user_id=user_id, purpose=RESET, now=now, hours=RESET_HOURS)
    mailer.send(reset_mail(email, mailer.link(f"/reset/new?token={token}")))


def reset_password(db: Database, *, token: str, password: str, now: datetime) -> User:
    """Set a new password with a reset link (once). Every session, API token and trusted
    browser of the account ends; the account's sign-in count starts again. Two-factor sign-in,
    when set up, is still asked for at the next sign-in."""
    user = link_user(db, token=token, purpose=RESET, now=now)
    if user is None:
        raise AccountError(USED_OR_EXPIRED)
    _check_password(password, avoid=(user.email, user.display_name, *user.email.split("@")))
    user_id = _use(db, token=token, purpose=RESET, now=now)
    _set_password(db, user_id=user_id, password=password, keep_token=None)
    with db.session() as s, s.begin():
        throttle.forgive(s, [(throttle.ACCOUNT, user.email)])
    found = get_user(db, user_id=user_id)
    assert found is not None
    return found


def reset_password_by_admin(
    db: Database, *, email: str, password: str, remove_two_factor: bool = False
) -> User:
    """The server administrator sets a new password (``psoas account reset-password``), for a
    clinic without email: every session, token and trusted browser of the account ends."""
    email = email.strip().lower()
    with db.session() as s:
        row = s.scalar(select(UserRow).where(UserRow.email == email))
        if row is None:
            raise NotFound("no account has this email")
        user = _user(row)
    _check_password(password, avoid=(user.email, user.display_name, *user.email.split("@")))
    _set_password(db, user_id=user.id, password=password, keep_token=None)
    with db.session() as s, s.begin():
        row = s.get(UserRow, user.id)
        assert row is not None
        row.needs_verification = False
        if remove_two_factor:
            from psoas.services import two_factor

            two_factor.remove(s, row)
        throttle.forgive(s, [(throttle.ACCOUNT, email)])
    found = get_user(db, user_id=user.id)
    assert found is not None
    return found


# --- sign-up that says nothing about existing accounts, and the email check ----------------


def sign_up_by_email(
    db: Database,
    *,
    email: str,
    password: str,
    display_name: str,
    role: Role,
    now: datetime,
    invitation: str | None = None,
    time_zone: str | None = None,
) -> tuple[User, bool]:
    """Sign-up on a server that sends email: (the account, True) for a new one, which signs in
    only once its link is opened; (the existing account, False) when the email has one, which
    is then sent an email instead. The person sees the same answer either way; the work done
    is the same too (the password is hashed either way)."""
    try:
        user = sign_up(
            db,
            email=email,
            password=password,
            display_name=display_name,
            role=role,
            now=now,
            invitation=invitation,
            time_zone=time_zone,
            needs_verification=True,
        )
        return user, True
    except AccountError as exc:
        if str(exc) != EMAIL_TAKEN:
            raise
    _hasher.hash(password)  # as long as making the account would have taken
    with db.session() as s:
        row = s.scalar(select(UserRow).where(UserRow.email == email.strip().lower()))
        if invitation:  # a bad code is refused the same way for a new account
            code = s.get(InvitationRow, invitation.strip())
            if code is None or code.used_by is not None or code.expires_at <= now:
                raise AccountError("invitation: this code is not valid (used, expired or mistyped)")
        assert row is not None
        return _user(row), False


def send_sign_up_mail(
    db: Database, mailer: Mailer, *, user: User, new: bool, now: datetime, client: str = ""
) -> None:
    """After a sign-up (in the background): the new account's link, or a note to the existing
    account with a way in."""
    if not _may_mail(db, user.email, now, client):
        return
    if new:
        send_verification(db, mailer, user=user, now=now)
        return
    token = _issue(db, user_id=user.id, purpose=RESET, now=now, hours=RESET_HOURS)
    mailer.send(
        already_registered_mail(
            user.email, mailer.link("/signin"), mailer.link(f"/reset/new?token={token}")
        )
    )


def send_verification(db: Database, mailer: Mailer, *, user: User, now: datetime) -> None:
    token = _issue(db, user_id=user.id, purpose=VERIFY, now=now, hours=VERIFY_HOURS)
    mailer.send(verify_mail(user.email, mailer.link(f"/verify?token={token}")))


def resend_verification(
    db: Database, mailer: Mailer, *, user: User, now: datetime, client: str = ""
) -> None:
    if _may_mail(db, user.email, now, client):
        send_verification(db, mailer, user=user, now=now)


def verify_email(db: Database, *, token: str, now: datetime) -> User:
    """Open the email check's link (once): the address is confirmed."""
    user_id = _use(db, token=token, purpose=VERIFY, now=now)
    found = get_user(db, user_id=user_id)
    assert found is not None
    return found


# --- the step between the password and the second factor -----------------------------------


def start_second_step(db: Database, *, user: User, now: datetime) -> str:
    """After a right password, for an account with two-step sign-in: a token for the cookie
    that lets the code page finish this sign-in (10 minutes, once)."""
    token = secrets.token_urlsafe(32)
    with db.session() as s, s.begin():
        s.add(
            AccountTokenRow(
                token_hash=_digest(token),
                user_id=user.id,
                purpose=SECOND_STEP,
                created_at=now,
                expires_at=now + timedelta(minutes=SECOND_STEP_MINUTES),
            )
        )
    return token


def finish_second_step(db: Database, *, token: str, code: str, now: datetime) -> User:
    """The code for a pending sign-in: the user, or AccountError (Throttled while waiting)."""
    from psoas.services import two_factor

    user = link_user(db, token=token, purpose=SECOND_STEP, now=now)
    if user is None:
        raise AccountError("This sign-in has expired. Please sign in again.")
    if not two_factor.check(db, user_id=user.id, code=code, now=now):
        raise AccountError(two_factor.WRONG_CODE)
    _use(db, token=token, purpose=SECOND_STEP, now=now)
    return user
