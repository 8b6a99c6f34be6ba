"""Password reset and email checks by email, two-step sign-in (set-up and the code after the
password). The rules live in services.account_links and services.two_factor."""

from __future__ import annotations

import contextlib
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import RedirectResponse, Response

from psoas.services import account_links, accounts, two_factor
from psoas.services.mail import RESET_HOURS, Mailer
from psoas.web.deps import DB, BrowserUser, Now, OptionalSession
from psoas.web.pages import render
from psoas.web.routes.account import (
    EXPIRED_FORM,
    SECOND_STEP_COOKIE,
    _account_form,
    _form_sent_matches,
    _signed_in,
    client_address,
    home_for,
)

router = APIRouter()


def mailer(request: Request) -> Mailer:
    return Mailer(request.app.state.settings)


def _throttled(page: Response, exc: accounts.Throttled) -> Response:
    page.headers["Retry-After"] = str(exc.retry_after)
    return page


# --- password reset ---------------------------------------------------------------------------


@router.get("/reset", include_in_schema=False)
def reset_page(request: Request) -> Response:
    return _account_form(
        request, "account/reset.html", title="Reset your password", mail=mailer(request).configured
    )


@router.post("/reset", include_in_schema=False)
def reset_ask(
    request: Request,
    db: DB,
    now: Now,
    background: BackgroundTasks,
    email: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """The same answer whether or not the address has an account: the look-up and the email
    happen after it has gone."""
    post = mailer(request)
    if not post.configured:
        return _account_form(request, "account/reset.html", title="Reset your password")
    if not _form_sent_matches(request, csrf_token):
        return _account_form(
            request,
            "account/reset.html",
            403,
            title="Reset your password",
            mail=True,
            errors=[EXPIRED_FORM],
            email=email,
        )
    background.add_task(
        account_links.send_reset_link,
        db,
        post,
        email=email,
        now=now,
        client=client_address(request),
    )
    return _account_form(
        request,
        "account/reset.html",
        title="Check your email",
        mail=True,
        sent=True,
        email=email.strip(),
        hours=RESET_HOURS,
    )


@router.get("/reset/new", include_in_schema=False)
def reset_new_page(request: Request, db: DB, now: Now, token: str = "") -> Response:
    usable = account_links.link_user(db, token=token, purpose=account_links.RESET, now=now)
    return render(
        request,
        "account/reset_new.html",
        status_code=200 if usable else 410,
        title="Choose a new password",
        token=token if usable else "",
        errors=[] if usable else [account_links.USED_OR_EXPIRED],
    )


@router.post("/reset/new", include_in_schema=False)
def reset_new(
    request: Request,
    db: DB,
    now: Now,
    token: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
) -> Response:
    try:
        user = account_links.reset_password(db, token=token, password=password, now=now)
    except accounts.AccountError as exc:
        spent = str(exc) == account_links.USED_OR_EXPIRED
        return render(
            request,
            "account/reset_new.html",
            status_code=410 if spent else 400,
            title="Choose a new password",
            token="" if spent else token,
            errors=[str(exc)],
        )
    if user.two_factor:  # the email alone never passes the second step
        return RedirectResponse("/signin?done=password", status_code=303)
    return _signed_in(request, db, user, now, home_for(user))


# --- the email check ------------------------------------------------------------------------


@router.get("/verify", include_in_schema=False)
def verify_page(request: Request, db: DB, now: Now, token: str = "") -> Response:
    """A button, not the check itself: mail scanners open links, and must not use them up."""
    usable = account_links.link_user(db, token=token, purpose=account_links.VERIFY, now=now)
    return render(
        request,
        "account/verify.html",
        status_code=200 if usable else 410,
        title="Confirm your email",
        token=token if usable else "",
        errors=[] if usable else [account_links.USED_OR_EXPIRED],
    )


@router.post("/verify", include_in_schema=False)
def verify(request: Request, db: DB, now: Now, token: Annotated[str, Form()] = "") -> Response:
    try:
        account_links.verify_email(db, token=token, now=now)
    except accounts.AccountError as exc:
        return render(
            request,
            "account/verify.html",
            status_code=410,
            title="Confirm your email",
            token="",
            errors=[str(exc)],
        )
    # confirmed; the person signs in with their password (a link alone never signs anyone in)
    return RedirectResponse("/signin?done=verified", status_code=303)


# --- the code after the password --------------------------------------------------------------


@router.get("/signin/code", include_in_schema=False)
def code_page(request: Request, session: OptionalSession) -> Response:
    if session is not None:
        return RedirectResponse(home_for(session.user), status_code=303)
    if not request.cookies.get(SECOND_STEP_COOKIE):
        return RedirectResponse("/signin", status_code=303)
    return _account_form(request, "account/signin_code.html", title="Two-step sign-in")


@router.post("/signin/code", include_in_schema=False)
def code(
    request: Request,
    db: DB,
    now: Now,
    code: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    pending = request.cookies.get(SECOND_STEP_COOKIE, "")
    if not pending:
        return RedirectResponse("/signin", status_code=303)
    if not _form_sent_matches(request, csrf_token):
        return _account_form(
            request,
            "account/signin_code.html",
            403,
            title="Two-step sign-in",
            errors=[EXPIRED_FORM],
        )
    try:
        user = account_links.finish_second_step(db, token=pending, code=code, now=now)
    except accounts.Throttled as exc:
        page = _account_form(
            request, "account/signin_code.html", 429, title="Two-step sign-in", errors=[str(exc)]
        )
        return _throttled(page, exc)
    except accounts.AccountError as exc:
        page = _account_form(
            request, "account/signin_code.html", 400, title="Two-step sign-in", errors=[str(exc)]
        )
        return page
    response = _signed_in(request, db, user, now, home_for(user))
    response.delete_cookie(SECOND_STEP_COOKIE, path="/signin")
    return response


# --- setting it up ----------------------------------------------------------------------------


def _two_factor_page(
    request: Request, db: DB, user: accounts.User, status_code: int = 200, **context: Any
) -> Response:
    secret = None if user.two_factor else two_factor.pending_secret(db, user=user)
    qr = two_factor.qr_svg(two_factor.setup_uri(user, secret)) if secret else ""
    return render(
        request,
        "account/two_factor.html",
        status_code=status_code,
        title="Two-step sign-in",
        secret=secret,
        qr=qr,
        codes_left=two_factor.recovery_codes_left(db, user=user) if user.two_factor else 0,
        **context,
    )


@router.get("/account/two-factor", include_in_schema=False)
def two_factor_page(
    request: Request, db: DB, user: BrowserUser, offer: str = "", flash: str = ""
) -> Response:
    return _two_factor_page(request, db, user, offer=bool(offer), flash=flash)


@router.post("/account/two-factor/start", include_in_schema=False)
def two_factor_start(db: DB, user: BrowserUser) -> Response:
    with contextlib.suppress(accounts.AccountError):  # already on: the page says so
        two_factor.begin(db, user=user)
    return RedirectResponse("/account/two-factor#set-up", status_code=303)


@router.post("/account/two-factor/confirm", include_in_schema=False)
def two_factor_confirm(
    request: Request, db: DB, now: Now, user: BrowserUser, code: Annotated[str, Form()] = ""
) -> Response:
    try:
        codes = two_factor.confirm(db, user=user, code=code, now=now)
    except accounts.Throttled as exc:
        return _throttled(_two_factor_page(request, db, user, 429, errors=[str(exc)]), exc)
    except accounts.AccountError as exc:
        return _two_factor_page(request, db, user, 400, errors=[str(exc)])
    fresh = accounts.get_user(db, user_id=user.id) or user
    request.state.user = fresh  # the page shows it on now
    return _two_factor_page(request, db, fresh, new_codes=codes)


@router.post("/account/two-factor/codes", include_in_schema=False)
def two_factor_codes(
    request: Request, db: DB, now: Now, user: BrowserUser, password: Annotated[str, Form()] = ""
) -> Response:
    try:
        codes = two_factor.new_recovery_codes(db, user=user, password=password, now=now)
    except accounts.Throttled as exc:
        return _throttled(_two_factor_page(request, db, user, 429, errors=[str(exc)]), exc)
    except accounts.AccountError as exc:
        return _two_factor_page(request, db, user, 400, errors=[str(exc)])
    return _two_factor_page(request, db, user, new_codes=codes)


@router.post("/account/two-factor/off", include_in_schema=False)
def two_factor_off(
    request: Request, db: DB, now: Now, user: BrowserUser, password: Annotated[str, Form()] = ""
) -> Response:
    try:
        two_factor.turn_off(db, user=user, password=password, now=now)
    except accounts.Throttled as exc:
        return _throttled(_two_factor_page(request, db, user, 429, errors=[str(exc)]), exc)
    except accounts.AccountError as exc:
        return _two_factor_page(request, db, user, 400, errors=[str(exc)])
    return RedirectResponse("/account?flash=Two-step+sign-in+is+off", status_code=303)


@router.post("/account/verify", include_in_schema=False)
def resend_verification(
    request: Request, db: DB, now: Now, user: BrowserUser, background: BackgroundTasks
) -> Response:
    post = mailer(request)
    if post.configured and not user.email_verified:
        background.add_task(
            account_links.resend_verification,
            db,
            post,
            user=user,
            now=now,
            client=client_address(request),
        )
    return RedirectResponse("/account?flash=We+sent+a+link+to+your+email", status_code=303)
