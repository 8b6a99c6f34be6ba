"""Web Push reminders: session reminders at the person's chosen times and sitting-break nudges
within their working hours and days, sent by the server on a schedule.

* The VAPID key that signs every push request is ``PSOAS_VAPID_PRIVATE_KEY`` when set (PEM
  text, or the path of a PEM file); otherwise it is made once and kept in the database, so that
  every server on the same database signs with the same key.
* Each reminder is claimed before it is sent: a row per person, kind and due time, under a
  unique key. A second server, or a cron run beside the built-in scheduler, finds it claimed
  and skips it, so each reminder goes out once.
* A subscription the push service reports gone (404 or 410) is removed.
* Nothing is sent while the program may not be shown (none yet, or held back by a warning
  sign), while reminders are paused, or in the person's quiet hours.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Literal

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from py_vapid import Vapid01, Vapid02  # type: ignore[import-untyped]
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from psoas.domain.breaks import next_due, pick_movement
from psoas.domain.tracking import BreakEvent
from psoas.reports import result_text
from psoas.services import programs, reminders, timezones, tracking
from psoas.services.accounts import User
from psoas.services.breaks import Plan, record, safe_movements
from psoas.settings import Settings
from psoas.storage.db import Database
from psoas.storage.tables import PushSubscriptionRow, ReminderSendRow, ServerKeyRow, SessionRow

LOG = logging.getLogger("psoas.push")

Kind = Literal["session", "break"]
#: A session reminder still goes out this long after its time (a cron every few minutes, or a
#: server that restarted), never later: a stale reminder only confuses.
SESSION_GRACE = timedelta(minutes=30)
#: The same for a break nudge, which is only useful while the person is still sitting.
BREAK_GRACE = timedelta(minutes=10)
#: How long a push service keeps a reminder for a device that is offline.
TTL = {"session": 30 * 60, "break": 10 * 60}
VAPID_KEY_NAME = "vapid"
BASE64URL = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")


class PushError(ValueError):
    """A subscription the server cannot use; the message says why."""


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    url: str
    tag: str

    def payload(self) -> bytes:
        return json.dumps(dataclasses.asdict(self), ensure_ascii=False).encode()


@dataclass(frozen=True)
class Reminder:
    user: User
    kind: Kind
    #: when it is due (UTC, to the minute): with the person and kind, the claim's key
    slot: datetime
    message: Message
    movement_id: str | None = None


@dataclass
class Report:
    due: int = 0
    sent: int = 0
    already_claimed: int = 0
    delivered: int = 0
    failed: int = 0
    removed: int = 0


# --- the VAPID key ------------------------------------------------------------------------------


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def vapid_key(db: Database, *, settings: Settings, now: datetime) -> Vapid01:
    """The key that signs push requests: the settings' own, else the one kept in the
    database (made here the first time; if two servers make one at once, the first kept wins)."""
    configured = settings.vapid_private_key.strip()
    if configured:
        pem = configured if "BEGIN" in configured else Path(configured).read_text()
        return Vapid02.from_pem(pem.encode())
    with db.session() as s:
        row = s.get(ServerKeyRow, VAPID_KEY_NAME)
        if row is not None:
            return Vapid02.from_pem(row.value.encode())
    fresh = Vapid02()
    fresh.generate_keys()
    try:
        with db.session() as s, s.begin():
            s.add(
                ServerKeyRow(
                    name=VAPID_KEY_NAME, value=fresh.private_pem().decode(), created_at=now
                )
            )
    except IntegrityError:
        pass  # another server kept its key first: use that one
    with db.session() as s:
        row = s.get(ServerKeyRow, VAPID_KEY_NAME)
        assert row is not None
        return Vapid02.from_pem(row.value.encode())


def application_server_key(key: Vapid01) -> str:
    """The public key as the browser's ``applicationServerKey`` (base64url, uncompressed)."""
    raw = key.public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return _b64url(raw)


# --- subscriptions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subscription:
    id: int
    endpoint: str
    p256dh: str
    auth: str

    def info(self) -> dict[str, object]:
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


def _check_key(value: str, name: str, size: int) -> str:
    value = value.strip()
    if not BASE64URL.match(value):
        raise PushError(f"This browser sent a {name} key we cannot read.")
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except ValueError:
        raise PushError(f"This browser sent a {name} key we cannot read.") from None
    if len(raw) != size:
        raise PushError(f"This browser sent a {name} key of the wrong size.")
    return value


#: The push services browsers use (Chrome and Edge's FCM, Firefox's autopush, Safari's, the
#: Windows notification service). A subscription must name one of them, so that nobody can make
#: the server post to its own network or any host of their choosing; a name that merely looks
#: public may still point at a private address.
PUSH_SERVICES = (
    "fcm.googleapis.com",
    "push.services.mozilla.com",
    "push.apple.com",
    "notify.windows.com",
)


def _public_host(endpoint: str) -> bool:
    """The address is at one of the browsers' push services (``PUSH_SERVICES``, or a host under
    one of them)."""
    from urllib.parse import urlsplit

    host = (urlsplit(endpoint).hostname or "").rstrip(".").lower()
    return any(host == known or host.endswith("." + known) for known in PUSH_SERVICES)


def subscribe(
    db: Database,
    *,
    user: User,
    endpoint: str,
    p256dh: str,
    auth: str,
    now: datetime,
    allow_http: bool = False,
) -> Subscription:
    """Keep this browser's subscription for ``user`` (a repeat changes nothing new; an endpoint
    that moved to another account moves with it)."""
    endpoint = endpoint.strip()
    schemes = ("https://", "http://") if allow_http else ("https://",)
    if not endpoint.startswith(schemes) or len(endpoint) > 1000:
        raise PushError("This browser's push address is not one we can send to (https only).")
    if not allow_http and not _public_host(endpoint):
        raise PushError("This browser's push address is not a public push service.")
    p256dh = _check_key(p256dh, "p256dh", 65)
    auth = _check_key(auth, "auth", 16)
    with db.session() as s, s.begin():
        row = s.scalar(select(PushSubscriptionRow).where(PushSubscriptionRow.endpoint == endpoint))
        if row is None:
            row = PushSubscriptionRow(
                user_id=user.id, endpoint=endpoint, p256dh=p256dh, auth=auth, created_at=now
            )
            s.add(row)
        else:
            row.user_id, row.p256dh, row.auth = user.id, p256dh, auth
        s.flush()
        return Subscription(row.id, row.endpoint, row.p256dh, row.auth)


def unsubscribe(db: Database, *, user: User, endpoint: str) -> bool:
    with db.session() as s, s.begin():
        done = s.execute(
            delete(PushSubscriptionRow).where(
                PushSubscriptionRow.user_id == user.id,
                PushSubscriptionRow.endpoint == endpoint.strip(),
            )
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]


def _devices(db: Database, user_ids: list[int]) -> dict[int, list[Subscription]]:
    found: dict[int, list[Subscription]] = {}
    with db.session() as s:
        for start in range(0, len(user_ids), 500):
            rows = s.scalars(
                select(PushSubscriptionRow)
                .where(PushSubscriptionRow.user_id.in_(user_ids[start : start + 500]))
                .order_by(PushSubscriptionRow.id)
            )
            for r in rows:
                found.setdefault(r.user_id, []).append(
                    Subscription(r.id, r.endpoint, r.p256dh, r.auth)
                )
    return found


def subscriptions(db: Database, *, user: User) -> list[Subscription]:
    with db.session() as s:
        rows = s.scalars(
            select(PushSubscriptionRow)
            .where(PushSubscriptionRow.user_id == user.id)
            .order_by(PushSubscriptionRow.id)
        )
        return [Subscription(r.id, r.endpoint, r.p256dh, r.auth) for r in rows]


# --- what is due --------------------------------------------------------------------------------


def _minute(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


def session_message(db: Database, *, user: User) -> Message | None:
    """The session reminder's words, or None when there is no program to show."""
    try:
        version = tracking.program_state(db, profile_name=user.profile_name).require()
    except programs.ProgramUnavailable:
        return None
    program = version.program
    minutes = max(1, round(program.minutes_per_day / max(1, program.sessions_per_day)))
    body = f"Your home program: about {minutes} minutes. Tap to start."
    return Message(
        title="Time for your psoas session",
        body=body,
        url="/me/session",
        tag="psoas-session",
    )


def _sessions_started(db: Database, *, user: User, since: datetime) -> int:
    profile = tracking.get_profile(db, user.profile_name)
    with db.session() as s:
        rows = s.scalars(
            select(SessionRow.id).where(
                SessionRow.profile_id == profile.id, SessionRow.started_at >= since
            )
        )
        return len(list(rows))


def due_sessions(
    db: Database, *, user: User, settings: reminders.Settings, now: datetime
) -> list[Reminder]:
    """Session reminders due now: at each chosen time (in the person's zone), unless paused, in
    quiet hours, or that day's sessions are already started."""
    if not settings.session_times:
        return []
    zone = user.time_zone
    today = timezones.local(now, zone).date()
    found: list[Reminder] = []
    message: Message | None = None
    for day in (today - timedelta(days=1), today):
        midnight = timezones.at_local(day, time(0, 0), zone)
        for index, clock in enumerate(settings.session_times):
            slot = timezones.at_local(day, clock, zone)
            if not slot <= now < slot + SESSION_GRACE:
                continue
            if settings.paused(slot) or settings.quiet(clock):
                continue
            if _sessions_started(db, user=user, since=midnight) > index:
                continue  # done already today: no reminder for it
            message = message or session_message(db, user=user)
            if message is None:
                return []
            found.append(Reminder(user, "session", _minute(slot), message))
    return found


def break_message(movement: object, *, seated: bool) -> Message:
    from psoas.domain.catalog import Exercise

    body = (
        result_text.break_prompt(movement)
        if isinstance(movement, Exercise)
        else result_text.break_move(seated)
    )
    return Message(
        title=result_text.break_call(seated), body=body, url="/me/breaks", tag="psoas-break"
    )


def _break_slots(db: Database, *, user: User, since: datetime) -> list[datetime]:
    with db.session() as s:
        return list(
            s.scalars(
                select(ReminderSendRow.slot).where(
                    ReminderSendRow.user_id == user.id,
                    ReminderSendRow.kind == "break",
                    ReminderSendRow.slot >= since,
                )
            )
        )


def due_break(
    db: Database, *, user: User, settings: reminders.Settings, now: datetime
) -> Reminder | None:
    """The sitting-break nudge due now, within the working hours and days (in the person's
    zone): the break coach's own rule, counted from the start of the working day, the last
    answered break, the end of a pause or the last nudge, whichever is latest."""
    if not settings.break_nudges or settings.paused(now):
        return None
    zone = timezones.zone(user.time_zone)
    hours = settings.hours
    if not hours.contains(now, zone):
        return None
    local = timezones.local(now, user.time_zone)
    if settings.quiet(local.time()):
        return None
    day_start = timezones.at_local(local.date(), settings.work_start, user.time_zone)
    state = tracking.program_state(db, profile_name=user.profile_name)
    if state.version is None:
        return None  # no program to show (none yet, or held back): no nudges
    every = state.version.program.break_interval_minutes
    started = max(day_start, settings.paused_until or day_start)
    events = tracking.breaks_since(db, profile_name=user.profile_name, since=day_start)
    nudged = [
        BreakEvent(at=slot, kind="skipped", movement_id=None)
        for slot in _break_slots(db, user=user, since=day_start)
    ]
    due = next_due(
        [*events, *nudged], interval_minutes=every, started_at=started, hours=hours, zone=zone
    )
    if due > now:
        return None
    interval = timedelta(minutes=every)
    slot = due + ((now - due) // interval) * interval  # the latest one, when some were missed
    if now - slot >= BREAK_GRACE:
        return None
    # due: the movements that are safe for this person, in the coach's turn
    plan = Plan(
        interval=every,
        hours=hours,
        zone=zone,
        started_at=now,
        movements=safe_movements(state.assessment),
    )
    chosen = pick_movement([m.id for m in plan.movements], events)
    movement = next((m for m in plan.movements if m.id == chosen), None)
    return Reminder(
        user,
        "break",
        _minute(slot),
        break_message(movement, seated=plan.seated),
        movement_id=movement.id if movement else None,
    )


def due(
    db: Database, *, user: User, now: datetime, settings: reminders.Settings | None = None
) -> list[Reminder]:
    settings = settings or reminders.settings_for(db, user=user)
    found = due_sessions(db, user=user, settings=settings, now=now)
    nudge = due_break(db, user=user, settings=settings, now=now)
    return found + ([nudge] if nudge else [])


# --- sending ------------------------------------------------------------------------------------

#: Sends one encrypted push and answers the push service's status code.
Sender = Callable[[Subscription, bytes, Vapid01, str, int], int]


class WebPushSender:
    """Sends pushes through pywebpush (aes128gcm, a VAPID JWT signed with the key), over one
    kept-alive HTTP session for a round."""

    def __init__(self) -> None:
        import requests

        self.session = requests.Session()

    def __call__(self, sub: Subscription, data: bytes, key: Vapid01, subject: str, ttl: int) -> int:
        return webpush_send(sub, data, key, subject, ttl, session=self.session)


def webpush_send(
    sub: Subscription,
    data: bytes,
    key: Vapid01,
    subject: str,
    ttl: int,
    session: object | None = None,
) -> int:
    """One push through pywebpush (aes128gcm, a VAPID JWT signed with ``key``)."""
    from pywebpush import WebPushException, webpush  # type: ignore[import-untyped]

    try:
        response = webpush(
            sub.info(),
            data=data.decode(),
            vapid_private_key=key,
            vapid_claims={"sub": subject},
            ttl=ttl,
            timeout=10,
            headers={"Urgency": "high"},
            requests_session=session,
        )
    except WebPushException as exc:
        return exc.response.status_code if exc.response is not None else 0
    except Exception as exc:  # a network fault: counted as failed, the next reminder tries again
        LOG.warning("push to %s failed: %s", sub.endpoint.split("/")[2], type(exc).__name__)
        return 0
    return int(getattr(response, "status_code", 0))


def _claim(db: Database, reminder: Reminder, now: datetime) -> int | None:
    try:
        with db.session() as s, s.begin():
            row = ReminderSendRow(
                user_id=reminder.user.id, kind=reminder.kind, slot=reminder.slot, claimed_at=now
            )
            s.add(row)
            s.flush()
            return row.id
    except IntegrityError:
        return None


#: Pushes in flight at once in a round (push services answer in tens of milliseconds each).
PARALLEL_SENDS = 8


def send_due(
    db: Database, *, settings: Settings, now: datetime, send: Sender | None = None
) -> Report:
    """One round: every reminder due now, to every device of each person who has one.

    What is due is worked out and claimed one person after another; the claimed reminders then
    go out ``PARALLEL_SENDS`` at a time, and what each push service answered is kept."""
    from concurrent.futures import ThreadPoolExecutor

    send = send or WebPushSender()
    report = Report()
    people = reminders.people_with_devices(db)
    devices = _devices(db, [user.id for user, _ in people])
    claimed: list[tuple[int, Reminder, list[Subscription]]] = []
    for user, chosen in people:
        subs = devices.get(user.id, [])
        if not subs:
            continue
        for reminder in due(db, user=user, now=now, settings=chosen):
            report.due += 1
            claim = _claim(db, reminder, now)
            if claim is None:
                report.already_claimed += 1
            else:
                claimed.append((claim, reminder, subs))
    if not claimed:
        return report
    key = vapid_key(db, settings=settings, now=now)

    def one(job: tuple[int, Reminder, list[Subscription]]) -> list[tuple[Subscription, int]]:
        _, reminder, subs = job
        data = reminder.message.payload()
        return [
            (sub, send(sub, data, key, settings.vapid_subject, TTL[reminder.kind])) for sub in subs
        ]

    with ThreadPoolExecutor(max_workers=PARALLEL_SENDS) as pool:
        answers = list(pool.map(one, claimed))
    for (claim, reminder, _), answered in zip(claimed, answers, strict=True):
        delivered = 0
        for sub, code in answered:
            if 200 <= code < 300:
                delivered += 1
            elif code in (404, 410):
                _remove(db, sub)
                report.removed += 1
            else:
                report.failed += 1
        report.sent += 1
        report.delivered += delivered
        with db.session() as s, s.begin():
            row = s.get(ReminderSendRow, claim)
            if row is not None:
                row.delivered = delivered
        if reminder.kind == "break" and delivered:
            record(
                db,
                profile_name=reminder.user.profile_name,
                kind="prompted",
                movement_id=reminder.movement_id,
                now=now,
            )
    return report


def send_test(
    db: Database, *, user: User, settings: Settings, now: datetime, send: Sender = webpush_send
) -> int:
    """A test notification to each of the person's devices now; how many took it."""
    message = Message(
        title="psoas reminders are on",
        body="This is how your reminders will look.",
        url="/me/reminders",
        tag="psoas-test",
    )
    key = vapid_key(db, settings=settings, now=now)
    delivered = 0
    for sub in subscriptions(db, user=user):
        code = send(sub, message.payload(), key, settings.vapid_subject, 60)
        if 200 <= code < 300:
            delivered += 1
        elif code in (404, 410):
            _remove(db, sub)
    return delivered


def _remove(db: Database, sub: Subscription) -> None:
    with db.session() as s, s.begin():
        s.execute(delete(PushSubscriptionRow).where(PushSubscriptionRow.id == sub.id))


async def scheduler(
    db: Database,
    *,
    settings: Settings,
    clock: Callable[[], datetime],
    every_seconds: float,
) -> None:
    """The built-in scheduler: a round every ``every_seconds`` until cancelled (the web app
    runs it for as long as it serves). A failing round is logged and the next one runs."""
    while True:
        await asyncio.sleep(every_seconds)
        try:
            report = await asyncio.to_thread(send_due, db, settings=settings, now=clock())
        except Exception:
            LOG.exception("a reminder round failed")
            continue
        if report.sent:
            LOG.info("reminders: %s", report)
