"""Error answers in the browser: a styled page, in plain words, for every unknown address and
every error status outside ``/api/`` (the API keeps its JSON problems).

The page shows the site's menu for whoever is signed in, so that a person who mistypes an
address is not told to sign in again, and a patient's copy kept for offline use stays.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from psoas.services import accounts
from psoas.web.deps import SESSION_COOKIE
from psoas.web.pages import render, templates

#: What each status means to a person, and what to do about it.
WORDS: dict[int, tuple[str, str]] = {
    400: ("That did not work", "Something in that request was not right. Go back and try again."),
    401: ("Please sign in", "Sign in to see this page."),
    403: (
        "Not allowed",
        "This page or form is not yours to use, or the form has expired. Go back, reload the "
        "page and try again.",
    ),
    404: (
        "We can't find that page",
        "The address may be mistyped, or the page has moved. Nothing is lost: your records are "
        "where they were.",
    ),
    405: ("That address does not work that way", "Go back and use the page's own buttons."),
    409: ("That can't be done right now", "Something else has changed meanwhile. Reload the page."),
    413: ("That was too large to send", "Please send something smaller."),
    422: ("Please check what you sent", "Some of it could not be read. Go back and try again."),
    429: ("Too many tries", "Please wait a few minutes, then try again."),
    500: (
        "Something went wrong on our side",
        "Nothing you sent was shown to anyone. Please try again in a moment.",
    ),
}


def wants_page(request: Request) -> bool:
    """An error for a person in the browser (a page), not for a program (JSON)."""
    return not request.url.path.startswith("/api/")


def words_for(status: int, detail: object = None) -> tuple[str, str]:
    """The page's title and message. A detail written for people (a whole sentence, like
    "No such patient among yours.") is shown; a developer's note ("not found") is not."""
    default = 500 if status >= 500 else 400
    title, message = WORDS.get(status, WORDS[default])
    if isinstance(detail, str) and detail[:1].isupper() and detail.endswith((".", "!", "?")):
        message = detail
    return title, message


async def _signed_in(request: Request) -> None:
    """Who is signed in, for the page's menu (an unknown address ran no dependency)."""
    if getattr(request.state, "user", None) is not None or request.method != "GET":
        return
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return
    db = request.app.state.db
    now = request.app.state.clock()
    try:
        session = await run_in_threadpool(accounts.resolve_session, db, token=token, now=now)
    except Exception:  # the error page must answer even when the database cannot
        return
    if session is not None:
        request.state.user = session.user
        request.state.csrf_token = session.csrf_token


async def error_page(request: Request, status: int, detail: object = None) -> HTMLResponse:
    """The styled page for an error status."""
    await _signed_in(request)
    title, message = words_for(status, detail)
    return render(
        request,
        "error.html",
        status_code=status,
        title=title,
        message=message,
        status=status,
    )


async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
    """Every HTTP error, unknown addresses included: a page in the browser, JSON for the API."""
    if not wants_page(request):
        from fastapi.exception_handlers import http_exception_handler

        return await http_exception_handler(request, exc)
    page = await error_page(request, exc.status_code, exc.detail)
    for name, value in (exc.headers or {}).items():  # Allow, Retry-After, WWW-Authenticate
        page.headers[name] = value
    return page


def plain_error_page(status: int) -> bytes:
    """The error page without a request (an ASGI middleware's answer): no menu, since who is
    signed in is not known here."""
    title, message = words_for(status)
    html = templates.get_template("error.html").render(
        title=title, message=message, status=status, offline="", user=None, bare=True
    )
    return html.encode()
