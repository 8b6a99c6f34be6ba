"""The web app factory: `create_app()` for uvicorn, `create_app(url, clock=...)` for tests."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import SQLAlchemyError
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from psoas import __version__
from psoas.domain.errors import InputError, Problem, problems_of
from psoas.services import accounts, push
from psoas.services.programs import ProgramUnavailable
from psoas.settings import Settings
from psoas.storage.db import Database
from psoas.web.deps import SignInRequired, now_utc
from psoas.web.errors import error_page, http_error, plain_error_page, wants_page
from psoas.web.routes import (
    account,
    account_security,
    api_docs,
    appointments,
    assessment,
    clearance,
    clinician,
    clinics,
    custom_exercises,
    illustrations,
    installable,
    messages,
    outcomes,
    patient,
    patient_api,
    person,
    program_editor,
    recheck,
    reminders,
    session,
)

HERE = Path(__file__).parent
LOG = logging.getLogger("psoas.web")
#: Only this server's own scripts, styles, pictures and fonts; no inline script or style
#: anywhere (charts are drawn as images: ``data:`` pictures are allowed), no framing, no
#: plugins, forms post only here.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; manifest-src 'self'; worker-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
#: Addresses whose answers caches may keep (each changes its address when it changes, or is
#: the installed package's own file).
CACHEABLE = ("/static/", "/illustrations/", "/api/docs/assets/")


class SecurityHeaders:
    """Headers on every response, errors included (a plain ASGI middleware: no extra task per
    request): no sniffing, no referrer, no framing, and nothing but static files and pictures
    kept in caches."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cacheable = scope["path"].startswith(CACHEABLE)
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "no-referrer")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                if not cacheable:
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            # An unexpected fault: answer here, with the headers, before the server's own
            # handler (outside every middleware) would answer without them; then let it log.
            if not started:
                if scope["path"].startswith("/api/"):
                    body = b'{"detail":"Something went wrong on our side."}'
                    await _answer(send_with_headers, 500, body, b"application/json")
                else:
                    body = plain_error_page(500)
                    await _answer(send_with_headers, 500, body, b"text/html; charset=utf-8")
            raise


class BodyLimit:
    """Refuses a request body over ``limit`` bytes before anything reads it: by its
    Content-Length at once, or as it streams in when it does not say (413)."""

    def __init__(self, app: ASGIApp, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _too_large(send, scope["path"])
            return
        seen = 0
        refused = False

        async def counted() -> Message:
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:  # answer now; the app then sees the client gone
                    refused = True
                    await _too_large(send, scope["path"])
                    return {"type": "http.disconnect"}
            return message

        async def unless_refused(message: Message) -> None:
            if not refused:
                await send(message)

        await self.app(scope, counted, unless_refused)


async def _answer(send: Send, status: int, body: bytes, content_type: bytes) -> None:
    """A whole response sent straight from an ASGI middleware (the connection then closes)."""
    headers = [
        (b"content-type", content_type),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _too_large(send: Send, path: str) -> None:
    if path.startswith("/api/"):
        await _answer(send, 413, b'{"detail":"The request is too large."}', b"application/json")
    else:
        await _answer(send, 413, plain_error_page(413), b"text/html; charset=utf-8")


def _problems(problems: list[Problem]) -> JSONResponse:
    """Every refused input, in one shape: each field named, with what to fix."""
    detail = [{"field": p.field, "message": p.message} for p in problems]
    return JSONResponse({"detail": detail}, status_code=422)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """While the app serves: the built-in reminder scheduler (``PSOAS_REMINDER_SCHEDULER``),
    sending due Web Push reminders every ``PSOAS_REMINDER_EVERY_SECONDS``."""
    settings: Settings = app.state.settings
    task = None
    if settings.reminder_scheduler:
        task = asyncio.create_task(
            push.scheduler(
                app.state.db,
                settings=settings,
                clock=app.state.clock,
                every_seconds=settings.reminder_every_seconds,
            )
        )
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def create_app(
    database_url: str | None = None,
    *,
    clock: Callable[[], datetime] = now_utc,
    settings: Settings | None = None,
) -> FastAPI:
    settings = settings or Settings()  # refuses unsafe production settings
    app = FastAPI(
        title="psoas",
        version=__version__,
        description="Low back pain and the hip flexors: assessment, home program, follow-up. "
        "Authenticate with a session cookie (and X-CSRF-Token on changes) or a personal API "
        "token as `Authorization: Bearer psoas_...`.",
        docs_url=None,  # served below from the installed package, not a CDN
        openapi_url="/api/openapi.json",
        redoc_url=None,
        lifespan=_lifespan,
    )
    app.state.db = Database(database_url or settings.resolved_database_url())
    if settings.environment == "production" and accounts.demo_accounts(app.state.db):
        app.state.db.close()
        raise RuntimeError(
            "This database holds the demo clinic's accounts, whose passwords are published: "
            "production refuses to start on it. Use a fresh database, or delete the accounts "
            f"ending in {accounts.DEMO_EMAIL_DOMAIN}."
        )
    app.state.clock = clock
    app.state.settings = settings
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.mount("/api/docs/assets", StaticFiles(directory=str(api_docs.ASSETS)), name="docs")
    # Level 1: the program page (37 kB) compresses to 13 kB in 0.6 ms; level 6 saves 1.8 kB more
    # for 1.6 ms of CPU on every page.
    app.add_middleware(GZipMiddleware, minimum_size=2048, compresslevel=1)
    app.add_middleware(BodyLimit, limit=settings.max_request_bytes)
    app.add_middleware(SecurityHeaders)

    @app.get("/sw.js", include_in_schema=False)
    async def _service_worker() -> Response:
        """The service worker, from the root so that it may serve the patient's pages."""
        return FileResponse(HERE / "static" / "sw.js", media_type="text/javascript")

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, _exc: SignInRequired) -> Response:
        return RedirectResponse("/signin", status_code=303)

    @app.exception_handler(InputError)
    async def _input(request: Request, exc: InputError) -> Response:
        return _problems(exc.problems)

    @app.exception_handler(RequestValidationError)
    async def _request(request: Request, exc: RequestValidationError) -> Response:
        if request.method == "GET" and wants_page(request):  # a mistyped address: no such page
            return await error_page(request, 404)
        return _problems(problems_of(exc.errors(), drop=("body", "query", "path", "header")))

    @app.exception_handler(ProgramUnavailable)
    async def _no_program(request: Request, exc: ProgramUnavailable) -> Response:
        return JSONResponse({"detail": exc.message}, status_code=404)

    @app.exception_handler(SQLAlchemyError)
    async def _database(request: Request, exc: SQLAlchemyError) -> Response:
        """A database fault, logged without its values: the database's own message may repeat
        them (PostgreSQL's "Key (email)=(...) already exists"), so only its kind, SQLSTATE and
        constraint are logged; the statement's parameters are hidden by the engine."""
        orig = getattr(exc, "orig", None)
        diag = getattr(orig, "diag", None)
        LOG.error(
            "database error %s (sqlstate %s, constraint %s) on %s %s",
            type(orig or exc).__name__,
            getattr(orig, "sqlstate", None),
            getattr(diag, "constraint_name", None),
            request.method,
            request.url.path,
        )
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "Something went wrong on our side."}, status_code=500)
        return await error_page(request, 500)

    # Every HTTP error, an unknown address included (Starlette's own 404 and 405 are not
    # FastAPI's HTTPException): a styled page in the browser, JSON under /api/.
    app.add_exception_handler(StarletteHTTPException, http_error)  # type: ignore[arg-type]

    for module in (
        account,
        account_security,
        assessment,
        patient,
        patient_api,
        person,
        recheck,
        reminders,
        session,
        appointments,
        messages,
        clearance,
        program_editor,
        clinician,
        clinics,
        custom_exercises,
        outcomes,
        illustrations,
        api_docs,
        installable,
    ):
        app.include_router(module.router)
    return app
