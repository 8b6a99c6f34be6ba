"""Reminders: the settings page, pause, the private calendar feed, Web Push subscriptions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, Response, status
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from psoas.services import push, reminders
from psoas.services.accounts import User
from psoas.web.deps import DB, Now, Patient
from psoas.web.pages import render

router = APIRouter()

#: Where a pause or a setting sends the person back to (the coach's page, or this one).
BACK = {"reminders": "/me/reminders", "breaks": "/me/breaks"}
FLASH = {
    "saved": "Saved.",
    "paused": "Reminders paused.",
    "resumed": "Reminders are on again.",
    "revoked": "The calendar address no longer works. Remove it from your calendar app.",
}


def _feed_url(request: Request, token: str) -> str:
    return str(request.url_for("calendar_feed", token=token))


def _page(
    request: Request,
    db: DB,
    user: User,
    now: datetime,
    *,
    status_code: int = 200,
    errors: list[str] | None = None,
    feed_url: str | None = None,
    flash: str = "",
    form: reminders.Settings | None = None,
) -> Response:
    settings = reminders.settings_for(db, user=user)
    shown = form or settings
    times = [reminders.clock_text(t) for t in shown.session_times]
    return render(
        request,
        "patient/reminders.html",
        status_code=status_code,
        title="Reminders",
        settings=settings,
        shown=shown,
        times=times + [""] * (reminders.MAX_SESSION_TIMES - len(times)),
        weekdays=reminders.WEEKDAYS,
        zone=reminders.zone_label(user),
        paused=settings.paused(now),
        paused_until=settings.paused_until,
        sessions_per_day=reminders.program_sessions_per_day(db, user=user),
        devices=len(push.subscriptions(db, user=user)),
        feed_url=feed_url,
        errors=errors or [],
        flash=FLASH.get(flash, ""),
    )


@router.get("/me/reminders", include_in_schema=False)
def reminders_page(request: Request, db: DB, now: Now, user: Patient, flash: str = "") -> Response:
    return _page(request, db, user, now, flash=flash)


@router.post("/me/reminders", include_in_schema=False)
def save_reminders(
    request: Request,
    db: DB,
    now: Now,
    user: Patient,
    session_time: Annotated[list[str] | None, Form()] = None,
    break_nudges: Annotated[str, Form()] = "",
    work_start: Annotated[str, Form()] = "09:00",
    work_end: Annotated[str, Form()] = "17:30",
    work_day: Annotated[list[int] | None, Form()] = None,
    quiet_start: Annotated[str, Form()] = "",
    quiet_end: Annotated[str, Form()] = "",
) -> Response:
    try:
        chosen = reminders.parse(
            session_times=session_time or [],
            break_nudges=bool(break_nudges),
            work_start=work_start,
            work_end=work_end,
            work_days=work_day or [],
            quiet_start=quiet_start,
            quiet_end=quiet_end,
        )
    except reminders.ReminderError as exc:
        return _page(request, db, user, now, status_code=400, errors=[str(exc)])
    reminders.save(db, user=user, settings=chosen)
    return RedirectResponse("/me/reminders?flash=saved", status_code=303)


@router.post("/me/reminders/pause", include_in_schema=False)
def pause_reminders(
    db: DB,
    now: Now,
    user: Patient,
    pause: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "reminders",
) -> Response:
    """Pause every reminder for an hour, for today or for a week; ``resume`` ends a pause."""
    kind = None if pause == "resume" else pause
    if kind is not None and kind not in reminders.PAUSES:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "Pause for an hour, today or a week.")
    reminders.pause(db, user=user, kind=kind, now=now)
    to = BACK.get(back, BACK["reminders"])
    return RedirectResponse(f"{to}?flash={'resumed' if kind is None else 'paused'}", 303)


@router.post("/me/reminders/feed", include_in_schema=False)
def new_feed(request: Request, db: DB, now: Now, user: Patient) -> Response:
    """A new secret calendar address (any old one stops working), shown once."""
    token = reminders.new_feed(db, user=user, now=now)
    return _page(request, db, user, now, feed_url=_feed_url(request, token))


@router.post("/me/reminders/feed/revoke", include_in_schema=False)
def revoke_feed(db: DB, user: Patient) -> Response:
    reminders.revoke_feed(db, user=user)
    return RedirectResponse("/me/reminders?flash=revoked", status_code=303)


@router.get("/calendar/{token}.ics", name="calendar_feed", include_in_schema=False)
def calendar_feed(db: DB, now: Now, token: str) -> Response:
    """The private calendar feed: no sign-in, the secret in the address is the key."""
    user = reminders.user_for_feed(db, token=token)
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No calendar at this address.")
    return Response(
        reminders.feed(db, user=user, now=now),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'inline; filename="psoas.ics"'},
    )


# --- Web Push -----------------------------------------------------------------------------------


class PushKeyOut(BaseModel):
    public_key: str = Field(description="the VAPID public key, as applicationServerKey")


class PushKeys(BaseModel):
    p256dh: str = Field(max_length=200)
    auth: str = Field(max_length=100)


class SubscriptionIn(BaseModel):
    endpoint: str = Field(max_length=1000)
    keys: PushKeys


class EndpointIn(BaseModel):
    endpoint: str = Field(max_length=1000)


class SubscriptionOut(BaseModel):
    id: int
    devices: int


class TestOut(BaseModel):
    delivered: int
    devices: int


@router.get("/api/v1/me/push/key", response_model=PushKeyOut, tags=["reminders"])
def api_push_key(request: Request, db: DB, now: Now, user: Patient) -> PushKeyOut:
    """The server's public key, for the browser's push subscription."""
    key = push.vapid_key(db, settings=request.app.state.settings, now=now)
    return PushKeyOut(public_key=push.application_server_key(key))


@router.post(
    "/api/v1/me/push/subscriptions",
    response_model=SubscriptionOut,
    status_code=status.HTTP_201_CREATED,
    tags=["reminders"],
)
def api_subscribe(
    request: Request, db: DB, now: Now, user: Patient, body: SubscriptionIn
) -> SubscriptionOut:
    """Keep this browser's push subscription: reminders reach it with the page closed."""
    settings = request.app.state.settings
    try:
        sub = push.subscribe(
            db,
            user=user,
            endpoint=body.endpoint,
            p256dh=body.keys.p256dh,
            auth=body.keys.auth,
            now=now,
            allow_http=settings.environment != "production",
        )
    except push.PushError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
    return SubscriptionOut(id=sub.id, devices=len(push.subscriptions(db, user=user)))


@router.post("/api/v1/me/push/unsubscribe", response_model=SubscriptionOut, tags=["reminders"])
def api_unsubscribe(db: DB, user: Patient, body: EndpointIn) -> SubscriptionOut:
    """Stop reminders to this browser."""
    push.unsubscribe(db, user=user, endpoint=body.endpoint)
    return SubscriptionOut(id=0, devices=len(push.subscriptions(db, user=user)))


@router.post("/api/v1/me/push/test", response_model=TestOut, tags=["reminders"])
def api_push_test(request: Request, db: DB, now: Now, user: Patient) -> TestOut:
    """Send a test notification to every device of this person, now."""
    settings = request.app.state.settings
    delivered = push.send_test(db, user=user, settings=settings, now=now)
    return TestOut(delivered=delivered, devices=len(push.subscriptions(db, user=user)))
