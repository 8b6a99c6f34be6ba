"""Request dependencies: the database, the clock, the signed-in user, CSRF checks."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from psoas.services import accounts
from psoas.storage.db import Database

SESSION_COOKIE = "psoas_session"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
#: All a read-only API token may send.
READ_ONLY = {"GET", "HEAD", "OPTIONS"}


# get_db and get_now are async because they never wait: a plain def would cost each request a
# trip through the thread pool. current_session does wait (the database), so it sends that work
# to the thread pool and keeps the event loop free.


async def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


async def get_now(request: Request) -> datetime:
    clock: Callable[[], datetime] = request.app.state.clock
    return clock()


DB = Annotated[Database, Depends(get_db)]
Now = Annotated[datetime, Depends(get_now)]


class SignInRequired(Exception):
    """Raised for pages; the app turns it into a redirect to the sign-in page."""


async def _csrf_token_from(request: Request) -> str | None:
    header = request.headers.get("x-csrf-token")
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        return value if isinstance(value, str) else None
    return None


async def current_session(request: Request, db: DB, now: Now) -> accounts.WebSession | None:
    """The web session from the cookie (CSRF-checked on unsafe methods), or an API token."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        by_token = await run_in_threadpool(
            accounts.api_token_session, db, token=auth[7:].strip(), now=now
        )
        if by_token is None:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid API token")
        if by_token.scope != "write" and request.method not in READ_ONLY:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                "This API token can only read. Make a token that can read and write on your "
                "account page.",
            )
        return by_token
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    session = await run_in_threadpool(accounts.resolve_session, db, token=token, now=now)
    if session is None:
        return None
    if request.method in UNSAFE:
        sent = await _csrf_token_from(request)
        if not sent or not hmac.compare_digest(sent, session.csrf_token):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "CSRF token missing or wrong")
    request.state.csrf_token = session.csrf_token
    return session


async def form_data(request: Request) -> FormData:
    """The posted form (already read and cached by the CSRF check for cookie sessions), for
    handlers that are plain functions and so run in the thread pool."""
    return await request.form()


Form = Annotated[FormData, Depends(form_data)]

OptionalSession = Annotated[accounts.WebSession | None, Depends(current_session)]


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/")


async def require_user(request: Request, session: OptionalSession) -> accounts.User:
    if session is None:
        if _wants_html(request):
            raise SignInRequired()
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "sign in or send an API token")
    request.state.user = session.user
    return session.user


CurrentUser = Annotated[accounts.User, Depends(require_user)]


async def require_browser_user(request: Request, session: OptionalSession) -> accounts.User:
    """A person signed in in the browser: an API token may never change the password or make
    or revoke tokens, so a leaked token cannot take the account over."""
    if session is not None and session.via_token:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            "An API token cannot manage the password, two-step sign-in or tokens. "
            "Sign in in the browser.",
        )
    return await require_user(request, session)


BrowserUser = Annotated[accounts.User, Depends(require_browser_user)]


async def require_patient(user: CurrentUser) -> accounts.User:
    if user.role != "patient":
        raise HTTPException(status.HTTP_404_NOT_FOUND, "not found")
    return user


async def require_clinician(user: CurrentUser) -> accounts.User:
    if user.role != "clinician":
        raise HTTPException(status.HTTP_404_NOT_FOUND, "not found")
    return user


Patient = Annotated[accounts.User, Depends(require_patient)]
Clinician = Annotated[accounts.User, Depends(require_clinician)]


def now_utc() -> datetime:
    return datetime.now(UTC)
