"""Sign up, sign in (throttled), sign out, password change, joining a clinician, API tokens."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from psoas.services import account_links, accounts, care_team, landing
from psoas.services.mail import Mailer
from psoas.web.deps import DB, SESSION_COOKIE, BrowserUser, CurrentUser, Now, OptionalSession
from psoas.web.pages import render

router = APIRouter()

FORM_COOKIE = "psoas_form"
"""Before anyone is signed in, the sign-in and sign-up forms carry a token that must match this
cookie (double submit). Another site can make a browser post the form, but cannot read the
cookie or the page, so it cannot sign a person in to an account of its own choosing."""


def _form_token(request: Request) -> str:
    token = request.cookies.get(FORM_COOKIE, "")
    return token if len(token) == 43 and token.isascii() else secrets.token_urlsafe(32)


def _form_sent_matches(request: Request, sent: str) -> bool:
    cookie = request.cookies.get(FORM_COOKIE, "")
    return bool(cookie) and hmac.compare_digest(cookie.encode(), sent.encode())


def _account_form(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    """The sign-in or sign-up page with a fresh form token (kept in its cookie)."""
    token = _form_token(request)
    page = render(request, name, status_code=status_code, csrf_token=token, **context)
    page.set_cookie(
        FORM_COOKIE,
        token,
        max_age=86400,
        httponly=True,
        samesite="strict",
        secure=request.app.state.settings.cookie_secure,
        path="/",
    )
    return page


EXPIRED_FORM = "This form had expired. Please try again."


DEVICE_COOKIE = "psoas_device"
"""A browser that signed in fully keeps this cookie (its hash is stored): its own guesses are
counted on their own, so a stranger guessing at the account never slows its owner down here."""


SECOND_STEP_COOKIE = "psoas_second_step"
"""Between a right password and the code of two-step sign-in (10 minutes, used once)."""


def client_address(request: Request) -> str:
    """The client's address (behind a reverse proxy, uvicorn takes it from X-Forwarded-For
    when the proxy is allowed by --forwarded-allow-ips)."""
    return request.client.host if request.client else ""


def _signed_in(request: Request, db: DB, user: accounts.User, now: Now, to: str) -> Response:
    token, _ = accounts.start_session(db, user=user, now=now)
    known = request.cookies.get(DEVICE_COOKIE)
    device = accounts.trust_device(db, user=user, now=now, device=known)
    response = RedirectResponse(to, status_code=303)
    response.set_cookie(
        DEVICE_COOKIE,
        device,
        max_age=accounts.TRUSTED_DEVICE_DAYS * 86400,
        httponly=True,
        samesite="strict",
        secure=request.app.state.settings.cookie_secure,
        path="/",
    )
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=accounts.SESSION_DAYS * 86400,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.cookie_secure,
        path="/",
    )
    response.delete_cookie(FORM_COOKIE, path="/")
    return response


def home_for(user: accounts.User) -> str:
    return "/clinic" if user.role == "clinician" else "/me"


@router.get("/", include_in_schema=False)
def index(request: Request, session: OptionalSession) -> Response:
    if session is not None:
        return RedirectResponse(home_for(session.user), status_code=303)
    return render(
        request,
        "index.html",
        title="Low back pain and the hip flexors",
        time=landing.time_it_takes(),
        host=request.url.hostname,
    )


#: Set by signing out (a POST) for the next sign-in page only, which then empties what the
#: device kept (offline.js). A cookie, not a query: a link from anywhere to the sign-in page must
#: never empty a signed-in person's queue of unsent sets.
SIGNED_OUT_COOKIE = "psoas_signed_out"


#: What the sign-in page says after a link by email was used (``?done=``).
DONE = {
    "verified": "Your email is confirmed. Please sign in.",
    "password": "Your password is changed. Please sign in with it.",
}


@router.get("/signin", include_in_schema=False)
def signin_page(request: Request, session: OptionalSession, done: str = "") -> Response:
    if session is not None:  # already signed in: nothing to do here, and nothing is emptied
        return RedirectResponse(home_for(session.user), status_code=303)
    signed_out = request.cookies.get(SIGNED_OUT_COOKIE) == "1"
    page = _account_form(
        request,
        "account/signin.html",
        title="Sign in",
        signed_out=signed_out,
        done=DONE.get(done, ""),
    )
    if signed_out:
        page.delete_cookie(SIGNED_OUT_COOKIE, path="/signin")
    return page


@router.post("/signin", include_in_schema=False)
def signin(
    request: Request,
    db: DB,
    now: Now,
    background: BackgroundTasks,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    time_zone: Annotated[str, Form()] = "",
) -> Response:
    if not _form_sent_matches(request, csrf_token):
        return _account_form(
            request, "account/signin.html", 403, title="Sign in", errors=[EXPIRED_FORM], email=email
        )
    try:
        user = accounts.authenticate(
            db,
            email=email,
            password=password,
            now=now,
            client=client_address(request),
            device=request.cookies.get(DEVICE_COOKIE),
        )
    except accounts.Throttled as exc:
        page = _account_form(
            request,
            "account/signin.html",
            status_code=429,
            title="Sign in",
            errors=[str(exc)],
            email=email,
        )
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    except accounts.NeedsVerification as exc:  # the right password: a new link goes out
        post = Mailer(request.app.state.settings)
        background.add_task(
            account_links.resend_verification,
            db,
            post,
            user=exc.user,
            now=now,
            client=client_address(request),
        )
        return _account_form(
            request, "account/signin.html", 403, title="Sign in", errors=[str(exc)], email=email
        )
    except accounts.AccountError as exc:
        return _account_form(
            request,
            "account/signin.html",
            status_code=400,
            title="Sign in",
            errors=[str(exc)],
            email=email,
        )
    if not user.two_factor:  # signed in: keep the browser's zone if none is kept yet
        user = accounts.learn_time_zone(db, user=user, time_zone=time_zone)
    if user.two_factor:  # the password alone is not enough: the code page finishes
        pending = account_links.start_second_step(db, user=user, now=now)
        response = RedirectResponse("/signin/code", status_code=303)
        response.set_cookie(
            SECOND_STEP_COOKIE,
            pending,
            max_age=account_links.SECOND_STEP_MINUTES * 60,
            httponly=True,
            samesite="strict",
            secure=request.app.state.settings.cookie_secure,
            path="/signin",
        )
        return response
    return _signed_in(request, db, user, now, _after_sign_in(user))


def _after_sign_in(user: accounts.User) -> str:
    """Home, but a clinician without two-step sign-in is first offered it, every time."""
    if user.role == "clinician" and not user.two_factor:
        return "/account/two-factor?offer=1"
    return home_for(user)


def _signup_refused(request: Request, kept: dict[str, str], code: int, error: str) -> Response:
    """The sign-up form again, with what was typed (never the password) and why it was refused."""
    return _account_form(
        request, "account/signup.html", code, title="Create an account", errors=[error], **kept
    )


@router.get("/signup", include_in_schema=False)
def signup_page(request: Request, invite: str = "") -> Response:
    return _account_form(request, "account/signup.html", title="Create an account", invite=invite)


@router.post("/signup", include_in_schema=False)
def signup(
    request: Request,
    db: DB,
    now: Now,
    background: BackgroundTasks,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    display_name: Annotated[str, Form()] = "",
    invite: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    time_zone: Annotated[str, Form()] = "",
) -> Response:
    # open sign-up makes patients only: clinicians join a clinic by invitation (/join-clinic)
    kept = {"email": email, "display_name": display_name, "invite": invite, "role": "patient"}
    if not _form_sent_matches(request, csrf_token):
        return _signup_refused(request, kept, 403, EXPIRED_FORM)
    post = Mailer(request.app.state.settings)
    if post.configured:
        return _sign_up_by_email(request, db, now, background, post, kept, password, time_zone)
    try:
        user = accounts.sign_up(
            db,
            email=email,
            password=password,
            display_name=display_name,
            role="patient",
            now=now,
            invitation=invite or None,
            time_zone=time_zone or None,
        )
    except accounts.AccountError as exc:
        return _signup_refused(request, kept, 400, str(exc))
    return _signed_in(request, db, user, now, "/me/team" if invite else "/me/assess")


def _sign_up_by_email(
    request: Request,
    db: DB,
    now: Now,
    background: BackgroundTasks,
    post: Mailer,
    kept: dict[str, str],
    password: str,
    time_zone: str,
) -> Response:
    """With email: the same answer whether or not the address has an account. A new account
    gets a link to confirm the address; an existing one an email with a way back in."""
    try:
        user, new = account_links.sign_up_by_email(
            db,
            email=kept["email"],
            password=password,
            display_name=kept["display_name"],
            role=kept["role"],  # type: ignore[arg-type]
            now=now,
            invitation=kept["invite"] or None,
            time_zone=time_zone or None,
        )
    except accounts.AccountError as exc:
        return _signup_refused(request, kept, 400, str(exc))
    background.add_task(
        account_links.send_sign_up_mail,
        db,
        post,
        user=user,
        new=new,
        now=now,
        client=client_address(request),
    )
    return _account_form(
        request, "account/check_email.html", title="Check your email", email=kept["email"].strip()
    )


@router.post("/signout", include_in_schema=False)
def signout(request: Request, db: DB, session: OptionalSession) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token and session is not None:
        accounts.end_session(db, token=token)
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.set_cookie(
        SIGNED_OUT_COOKIE,
        "1",
        max_age=300,
        httponly=True,
        samesite="strict",
        secure=request.app.state.settings.cookie_secure,
        path="/signin",
    )
    return response


def _account_error(
    request: Request, db: DB, user: accounts.User, exc: Exception, status_code: int = 400
) -> Response:
    return render(
        request,
        "account/account.html",
        status_code=status_code,
        title="Account",
        errors=[str(exc)],
        tokens=accounts.api_tokens(db, user=user),
        audit=[],
    )


@router.get("/account", include_in_schema=False)
def account_page(request: Request, db: DB, user: CurrentUser, flash: str = "") -> Response:
    return render(
        request,
        "account/account.html",
        title="Account",
        tokens=accounts.api_tokens(db, user=user),
        audit=accounts.audit_log(db, patient=user) if user.role == "patient" else [],
        clinician=accounts.get_user(db, user_id=user.clinician_id) if user.clinician_id else None,
        team_size=sum(m.status == "accepted" for m in care_team.team(db, patient=user))
        if user.role == "patient"
        else 0,
        flash=flash,
        mail_configured=request.app.state.settings.mail_configured,
    )


@router.post("/account/password", include_in_schema=False)
def password_change(
    request: Request,
    db: DB,
    now: Now,
    user: BrowserUser,
    current_password: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
) -> Response:
    try:
        accounts.change_password(
            db,
            user=user,
            current=current_password,
            new=new_password,
            now=now,
            keep_token=request.cookies.get(SESSION_COOKIE),
        )
    except accounts.Throttled as exc:
        page = _account_error(request, db, user, exc, status_code=429)
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    except accounts.AccountError as exc:
        return _account_error(request, db, user, exc)
    return RedirectResponse("/account?flash=Password+changed", status_code=303)


@router.post("/account/time-zone", include_in_schema=False)
def time_zone_change(
    request: Request, db: DB, user: CurrentUser, time_zone: Annotated[str, Form()] = ""
) -> Response:
    """The person's time zone, for every time shown to them and every reminder."""
    try:
        accounts.set_time_zone(db, user=user, time_zone=time_zone)
    except accounts.AccountError as exc:
        return _account_error(request, db, user, exc)
    return RedirectResponse("/account?flash=Time+zone+saved#time-zone", status_code=303)


@router.post("/account/join", include_in_schema=False)
def join(
    request: Request, db: DB, now: Now, user: CurrentUser, code: Annotated[str, Form()] = ""
) -> Response:
    try:
        accounts.join_clinician(db, user=user, code=code, now=now)
    except accounts.AccountError as exc:
        return _account_error(request, db, user, exc)
    return RedirectResponse(
        "/me/team?flash=Please+check+the+request+below+and+accept+it", status_code=303
    )


@router.post("/account/tokens", include_in_schema=False)
def new_token(
    request: Request,
    db: DB,
    now: Now,
    user: BrowserUser,
    name: Annotated[str, Form()] = "",
    scope: Annotated[str, Form()] = "read",
) -> Response:
    try:
        token = accounts.create_api_token(db, user=user, name=name, now=now, scope=scope)
    except accounts.AccountError as exc:
        return _account_error(request, db, user, exc)
    return render(
        request,
        "account/account.html",
        title="Account",
        new_token=token,
        tokens=accounts.api_tokens(db, user=user),
        audit=[],
    )


@router.post("/account/tokens/{token_id}/revoke", include_in_schema=False)
def revoke_token(db: DB, user: BrowserUser, token_id: int) -> Response:
    try:
        accounts.revoke_api_token(db, user=user, token_id=token_id)
    except accounts.NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "not found") from exc
    return RedirectResponse("/account?flash=Token+revoked", status_code=303)


class Me(BaseModel):
    id: int
    email: str
    role: str
    display_name: str
    clinician_id: int | None


@router.get("/api/v1/me", response_model=Me, tags=["account"])
def api_me(user: CurrentUser) -> Me:
    """Who this session or token belongs to."""
    return Me(
        id=user.id,
        email=user.email,
        role=user.role,
        display_name=user.display_name,
        clinician_id=user.clinician_id,
    )
