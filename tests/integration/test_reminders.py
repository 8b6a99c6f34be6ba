"""Reminders with the page closed, on SQLite and PostgreSQL: each person's time zone, the
private calendar feed (parsed, local times across a summer-time change, alarms, revoked
addresses answer 404), and Web Push end to end against a push service running in this test
process over real HTTP, which checks the VAPID signature and decrypts each payload."""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import http_ece
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from dateutil.rrule import rrulestr
from icalendar import Calendar

from psoas.domain.appointments import AppointmentIn
from psoas.services import accounts, appointments, push, reminders
from psoas.settings import Settings
from psoas.storage.db import Database
from tests.integration.conftest import SignedIn, Web, post_account_form
from tests.integration.test_web_clinician import invite
from tests.integration.test_web_session import seed


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def db_of(web: Web) -> Database:
    return web.app.state.db  # type: ignore[attr-defined,no-any-return]


def user_of(web: Web, patient: SignedIn) -> accounts.User:
    user = accounts.get_user(db_of(web), user_id=patient.id)
    assert user is not None
    return user


def set_zone(patient: SignedIn, zone: str) -> None:
    saved = patient.post("/account/time-zone", {"time_zone": zone}, follow_redirects=False)
    assert saved.status_code == 303, saved.text


def save_settings(patient: SignedIn, **form: object) -> None:
    data: dict[str, object] = {
        "session_time": ["18:00"],
        "work_start": "09:00",
        "work_end": "17:30",
        "work_day": ["0", "1", "2", "3", "4"],
    }
    data.update(form)
    saved = patient.post("/me/reminders", data, follow_redirects=False)
    assert saved.status_code == 303, saved.text


# --- time zones ---------------------------------------------------------------------------------


def test_the_time_zone_comes_from_the_browser_and_can_be_changed(web: Web) -> None:
    client = web.client()
    signed_up = post_account_form(
        client,
        "/signup",
        data={
            "email": "rui@example.org",
            "password": "correct horse battery",
            "display_name": "Rui",
            "role": "patient",
            "time_zone": "Europe/Lisbon",
        },
        follow_redirects=False,
    )
    assert signed_up.status_code == 303
    me = client.get("/api/v1/me").json()
    rui = SignedIn(client=client, id=me["id"], email="rui@example.org", role="patient")
    assert user_of(web, rui).time_zone == "Europe/Lisbon"
    page = rui.client.get("/account")
    assert "<option selected>Europe/Lisbon</option>" in page.text

    set_zone(rui, "America/New_York")
    assert user_of(web, rui).time_zone == "America/New_York"
    refused = rui.post("/account/time-zone", {"time_zone": "Mars/Olympus"})
    assert refused.status_code == 400
    assert "Mars/Olympus is not a time zone we know" in refused.text
    assert user_of(web, rui).time_zone == "America/New_York"

    # signing in from a browser elsewhere keeps the zone the person chose
    other = web.client()
    post_account_form(
        other,
        "/signin",
        data={
            "email": "rui@example.org",
            "password": "correct horse battery",
            "time_zone": "Asia/Tokyo",
        },
    )
    assert user_of(web, rui).time_zone == "America/New_York"


def test_sign_in_learns_the_zone_when_none_is_kept(web: Web) -> None:
    ann = web.sign_up("ann@example.org")  # the form sent no zone
    assert user_of(web, ann).time_zone is None
    client = web.client()
    post_account_form(
        client,
        "/signin",
        data={
            "email": "ann@example.org",
            "password": "correct horse battery",
            "time_zone": "Europe/Berlin",
        },
    )
    assert user_of(web, ann).time_zone == "Europe/Berlin"


def test_times_on_the_account_page_are_in_the_persons_zone(web: Web) -> None:
    ann = web.sign_up("ann@example.org")
    set_zone(ann, "Asia/Kolkata")  # UTC+05:30, no summer time
    created = ann.post("/account/tokens", {"name": "script"})
    assert created.status_code == 200
    db = db_of(web)
    token = re.search(r"<code>(psoas_[^<]+)</code>", created.text)
    assert token
    web.clock.now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    accounts.user_for_api_token(db, token=token.group(1), now=web.clock.now)
    page = ann.client.get("/account").text
    assert "last used 2026-11-23 14:30" in page  # 09:00 UTC is 14:30 in Kolkata


# --- the calendar feed --------------------------------------------------------------------------


def feed_url(page: str) -> str:
    match = re.search(r'id="feed-url" class="reminders-url" value="([^"]+)"', page)
    assert match, "no calendar address on the page"
    return match.group(1)


def test_the_calendar_feed_has_the_sessions_in_local_time_across_summer_time(web: Web) -> None:
    web.clock.now = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)  # London leaves summer time 25 Oct
    doctor = web.sign_up("doc@example.org", role="clinician")
    ann = web.sign_up("ann@example.org", invite=invite(doctor))
    seed(web, ann)
    set_zone(ann, "Europe/London")
    save_settings(ann, session_time=["07:30", ""])
    follow_up = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
    appointments.book(
        db_of(web),
        clinician=user_of(web, doctor),
        patient_id=ann.id,
        booking=AppointmentIn(
            starts_at=follow_up,
            note="Check the hip flexor stretch",
            link="https://meet.example.org/ann",
        ),
        now=web.clock.now,
    )

    made = ann.post("/me/reminders/feed")
    assert made.status_code == 200
    url = feed_url(made.text)
    assert "shown only once" in made.text
    # the secret is shown once: the page never shows it again
    assert url not in ann.client.get("/me/reminders").text

    stranger = web.client()  # a calendar app: no cookie, the address is the key
    answer = stranger.get(url)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/calendar")
    cal = Calendar.from_ical(answer.content)
    zones = [tz for tz in cal.walk("VTIMEZONE")]
    assert [str(tz["TZID"]) for tz in zones] == ["Europe/London"]
    events = list(cal.walk("VEVENT"))
    sessions = [e for e in events if "home program" in str(e["SUMMARY"])]
    calls = [e for e in events if "Video call" in str(e["SUMMARY"])]
    assert len(sessions) == 1 and len(calls) == 1
    for event in events:
        alarms = event.walk("VALARM")
        assert alarms and all(str(a["ACTION"]) == "DISPLAY" for a in alarms)

    session = sessions[0]
    start = session.decoded("DTSTART")
    assert start.tzinfo is not None and getattr(start.tzinfo, "key", None) == "Europe/London"
    assert session["DTSTART"].params["TZID"] == "Europe/London"
    rule = rrulestr(session["RRULE"].to_ical().decode(), dtstart=start)
    days = list(rule)
    before = next(d for d in days if d.date().isoformat() == "2026-10-24")
    after = next(d for d in days if d.date().isoformat() == "2026-10-26")
    # the same 07:30 on the wall clock on both sides of the change; an hour apart in UTC
    assert before.time() == after.time() == time(7, 30)
    assert before.astimezone(UTC).hour == 6 and after.astimezone(UTC).hour == 7

    appointment = calls[0]
    assert appointment.decoded("DTSTART") == follow_up
    assert "https://meet.example.org/ann" in str(appointment["DESCRIPTION"])
    trigger = appointment.walk("VALARM")[0].decoded("TRIGGER")
    assert trigger == -timedelta(minutes=30)

    # a new address ends the old one; revoking ends the new one
    renewed = feed_url(ann.post("/me/reminders/feed").text)
    assert stranger.get(url).status_code == 404
    assert stranger.get(renewed).status_code == 200
    revoked = ann.post("/me/reminders/feed/revoke", follow_redirects=False)
    assert revoked.status_code == 303
    assert stranger.get(renewed).status_code == 404
    assert stranger.get("/calendar/" + "x" * 43 + ".ics").status_code == 404


def test_a_held_back_program_leaves_the_sessions_out_of_the_feed(web: Web) -> None:
    from tests.conftest import make_intake

    ann = web.sign_up("ann@example.org")
    seed(web, ann)
    url = feed_url(ann.post("/me/reminders/feed").text)
    sessions_a_day = reminders.program_sessions_per_day(db_of(web), user=user_of(web, ann))
    assert len(Calendar.from_ical(web.client().get(url).content).walk("VEVENT")) == sessions_a_day
    seed(web, ann, make_intake(red_flags={"saddle_numbness": True}))
    held = web.client().get(url)
    assert held.status_code == 200
    assert Calendar.from_ical(held.content).walk("VEVENT") == []


def test_reminder_settings_refuse_what_makes_no_sense(web: Web) -> None:
    ann = web.sign_up("ann@example.org")
    seed(web, ann)
    bad = ann.post(
        "/me/reminders",
        {"session_time": ["18:00"], "work_start": "17:00", "work_end": "09:00", "work_day": ["0"]},
    )
    assert bad.status_code == 400 and "Working hours must end after they start." in bad.text
    bad = ann.post(
        "/me/reminders",
        {"work_start": "09:00", "work_end": "17:00", "quiet_start": "21:00"},
    )
    assert bad.status_code == 400 and "both ends of the quiet hours" in bad.text
    user = user_of(web, ann)
    kept = reminders.settings_for(db_of(web), user=user)
    sessions_a_day = reminders.program_sessions_per_day(db_of(web), user=user)
    assert kept == reminders.defaults(sessions_a_day)  # nothing was stored
    assert len(kept.session_times) == sessions_a_day  # a time for each session of the day


# --- Web Push, end to end -------------------------------------------------------------------------


@dataclass
class Received:
    path: str
    payload: dict[str, object]
    ttl: int


@dataclass
class Device:
    """A browser's push subscription: its own key pair and auth secret."""

    path: str
    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth: bytes = field(default_factory=lambda: secrets.token_bytes(16))

    @property
    def p256dh(self) -> str:
        raw = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(raw)


class PushService:
    """A push service in this process: it checks each request's VAPID JWT against the key the
    app handed the browser and decrypts the aes128gcm body with the device's private key.
    Paths starting /gone/ answer 410 (an expired subscription)."""

    def __init__(self) -> None:
        self.devices: dict[str, Device] = {}
        self.received: list[Received] = []
        self.refused: list[str] = []
        self.server_key: str | None = None
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                try:
                    code = service.accept(self.path, self.headers, body)
                except Exception as exc:  # refused: say why to the test
                    service.refused.append(f"{self.path}: {exc!r}")
                    code = 400
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def device(self, path: str) -> Device:
        self.devices[path] = Device(path)
        return self.devices[path]

    def accept(self, path: str, headers: Message, body: bytes) -> int:
        if path.startswith("/gone/"):
            return 410
        scheme, _, params = headers["Authorization"].partition(" ")
        assert scheme == "vapid"
        parts = dict(p.strip().split("=", 1) for p in params.split(","))
        token, public = parts["t"], parts["k"]
        assert public == self.server_key, "signed with another key than the browser was given"
        head, claims, signature = token.split(".")
        assert json.loads(unb64url(head)) == {"typ": "JWT", "alg": "ES256"}
        raw = unb64url(signature)
        der = encode_dss_signature(int.from_bytes(raw[:32]), int.from_bytes(raw[32:]))
        key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(public))
        key.verify(der, f"{head}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))  # or raises
        claim = json.loads(unb64url(claims))
        assert claim["aud"] == self.origin
        assert claim["sub"].startswith("mailto:")
        assert claim["exp"] > datetime.now(UTC).timestamp()
        assert headers["Content-Encoding"] == "aes128gcm"
        device = self.devices[path]
        plain = http_ece.decrypt(
            body, private_key=device.key, auth_secret=device.auth, version="aes128gcm"
        )
        self.received.append(Received(path, json.loads(plain), int(headers["TTL"])))
        return 201

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def push_service() -> Iterator[PushService]:
    service = PushService()
    yield service
    service.close()


def subscribe(web: Web, patient: SignedIn, service: PushService, path: str) -> None:
    key = patient.client.get("/api/v1/me/push/key").json()["public_key"]
    service.server_key = key
    device = service.device(path)
    body = {
        "endpoint": service.origin + path,
        "keys": {"p256dh": device.p256dh, "auth": b64url(device.auth)},
    }
    answer = patient.api("POST", "/api/v1/me/push/subscriptions", json=body)
    assert answer.status_code == 201, answer.text


def send(web: Web) -> push.Report:
    settings: Settings = web.app.state.settings  # type: ignore[attr-defined]
    return push.send_due(db_of(web), settings=settings, now=web.clock.now)


def test_session_reminders_reach_the_device_at_the_local_time(
    web: Web, push_service: PushService
) -> None:
    ann = web.sign_up("ann@example.org")
    seed(web, ann)
    set_zone(ann, "America/New_York")  # 18:00 there is 23:00 UTC in November
    save_settings(ann, session_time=["18:00"])
    subscribe(web, ann, push_service, "/push/ann-phone")
    subscribe(web, ann, push_service, "/gone/ann-old-laptop")
    assert len(push.subscriptions(db_of(web), user=user_of(web, ann))) == 2

    web.clock.now = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)  # 13:00 in New York
    assert send(web).sent == 0 and push_service.received == []

    web.clock.now = datetime(2026, 11, 23, 23, 4, tzinfo=UTC)  # 18:04 in New York
    report = send(web)
    assert push_service.refused == []
    assert (report.sent, report.delivered, report.removed) == (1, 1, 1)
    [got] = push_service.received
    assert got.path == "/push/ann-phone"
    assert got.payload["title"] == "Time for your psoas session"
    assert "minutes" in str(got.payload["body"]) and got.payload["url"] == "/me/session"
    assert got.ttl == push.TTL["session"]
    # the expired subscription is gone; the reminder is not sent twice
    assert [s.endpoint for s in push.subscriptions(db_of(web), user=user_of(web, ann))] == [
        push_service.origin + "/push/ann-phone"
    ]
    web.clock.advance(minutes=5)
    again = send(web)
    assert again.sent == 0 and again.already_claimed == 1 and len(push_service.received) == 1

    # a session already started that day means no reminder for it
    next_day = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
    web.clock.now = next_day
    assert ann.api("POST", "/api/v1/me/sessions", json={}).status_code == 201
    web.clock.now = datetime(2026, 11, 24, 23, 1, tzinfo=UTC)
    assert send(web).sent == 0 and len(push_service.received) == 1


def test_two_servers_send_each_reminder_once(
    web: Web, push_service: PushService, database_url: str
) -> None:
    ann = web.sign_up("ann@example.org")
    seed(web, ann)
    save_settings(ann, session_time=["08:00"])
    subscribe(web, ann, push_service, "/push/ann")
    now = datetime(2026, 11, 23, 8, 1, tzinfo=UTC)
    settings: Settings = web.app.state.settings  # type: ignore[attr-defined]
    servers = [Database(database_url) for _ in range(4)]
    reports: list[push.Report] = []
    start = threading.Barrier(len(servers))

    def one(db: Database) -> None:
        start.wait()
        reports.append(push.send_due(db, settings=settings, now=now))

    threads = [threading.Thread(target=one, args=(db,)) for db in servers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for db in servers:
        db.close()
    assert push_service.refused == []
    assert len(push_service.received) == 1
    assert sum(r.sent for r in reports) == 1
    assert sum(r.already_claimed for r in reports) == len(servers) - 1


def test_break_nudges_follow_working_hours_pause_and_quiet_hours(
    web: Web, push_service: PushService
) -> None:
    ann = web.sign_up("ann@example.org")
    seed(web, ann)
    set_zone(ann, "Europe/Berlin")  # UTC+1 in November
    save_settings(
        ann,
        session_time=[""],
        break_nudges="1",
        work_start="09:00",
        work_end="12:00",
        work_day=["0", "1", "2", "3", "4"],
    )
    subscribe(web, ann, push_service, "/push/ann")

    # Monday 08:50 in Berlin: before work
    web.clock.now = datetime(2026, 11, 23, 7, 50, tzinfo=UTC)
    assert send(web).sent == 0
    # 09:22: a break was due at 09:20 (every 20 minutes from the start of work)
    web.clock.now = datetime(2026, 11, 23, 8, 22, tzinfo=UTC)
    assert send(web).sent == 1
    nudge = push_service.received[-1].payload
    assert nudge["title"] == "Time to get up" and nudge["url"] == "/me/breaks"
    assert re.search(r"\d+ (times|minutes?)|seconds", str(nudge["body"])), nudge
    # the coach's page counts it as a reminder, with the same movement waiting for an answer
    state = ann.client.get("/api/v1/me/breaks/state").json()
    assert state["today"]["prompted"] == 1 and state["time_zone"] == "Europe/Berlin"
    assert state["movement"]["prompt"] == nudge["body"]
    # nothing more until the next one is due; it comes 20 minutes after the last nudge
    web.clock.now = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)
    assert send(web).sent == 0
    web.clock.now = datetime(2026, 11, 23, 8, 41, tzinfo=UTC)
    assert send(web).sent == 1 and len(push_service.received) == 2

    # paused for today: nothing, and the coach page says paused
    paused = ann.post("/me/reminders/pause", {"pause": "today"}, follow_redirects=False)
    assert paused.status_code == 303
    web.clock.now = datetime(2026, 11, 23, 9, 5, tzinfo=UTC)
    assert send(web).sent == 0
    assert ann.client.get("/api/v1/me/breaks/state").json()["paused_until"] == (
        "2026-11-23T23:00:00Z"  # midnight in Berlin
    )
    # the next working day it starts again, on its own
    web.clock.now = datetime(2026, 11, 24, 8, 21, tzinfo=UTC)
    assert send(web).sent == 1
    # quiet hours win over working hours
    save_settings(
        ann,
        session_time=[""],
        break_nudges="1",
        work_start="09:00",
        work_end="12:00",
        quiet_start="11:00",
        quiet_end="13:00",
    )
    web.clock.now = datetime(2026, 11, 24, 10, 1, tzinfo=UTC)  # 11:01 in Berlin
    assert send(web).sent == 0
    # Saturday is not a working day
    web.clock.now = datetime(2026, 11, 28, 8, 21, tzinfo=UTC)
    assert send(web).sent == 0
    assert push_service.refused == []


def test_push_subscriptions_belong_to_their_person(web: Web, push_service: PushService) -> None:
    ann = web.sign_up("ann@example.org")
    seed(web, ann)
    subscribe(web, ann, push_service, "/push/shared")
    bad = ann.api(
        "POST",
        "/api/v1/me/push/subscriptions",
        json={"endpoint": "ftp://nowhere", "keys": {"p256dh": "abc", "auth": "abc"}},
    )
    assert bad.status_code == 422 and "push address" in bad.text
    test = ann.api("POST", "/api/v1/me/push/test").json()
    assert test == {"delivered": 1, "devices": 1}
    assert push_service.received[-1].payload["title"] == "psoas reminders are on"
    off = ann.api(
        "POST",
        "/api/v1/me/push/unsubscribe",
        json={"endpoint": push_service.origin + "/push/shared"},
    )
    assert off.json()["devices"] == 0
    clinician = web.sign_up("doc@example.org", role="clinician")
    assert clinician.client.get("/api/v1/me/push/key").status_code == 404
    assert clinician.client.get("/me/reminders").status_code == 404


def test_the_cli_sends_due_reminders_for_cron(
    web: Web, push_service: PushService, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from psoas.cli.app import app

    ann = web.sign_up("ann@example.org")
    seed(web, ann)
    # the command reads the real clock: a zone where it is not just past midnight, so that the
    # slot two minutes ago is today's
    name = next(
        z
        for z in ("Europe/Lisbon", "Asia/Tokyo", "America/New_York")
        if datetime.now(ZoneInfo(z)).time() >= time(0, 10)
    )
    local_now = datetime.now(ZoneInfo(name))
    set_zone(ann, name)
    slot = (local_now - timedelta(minutes=2)).strftime("%H:%M")
    save_settings(ann, session_time=[slot])
    subscribe(web, ann, push_service, "/push/ann")
    monkeypatch.setenv("PSOAS_DATABASE_URL", database_url)
    result = CliRunner().invoke(app, ["reminders", "send", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["sent"] == 1 and report["delivered"] == 1
    assert push_service.received[-1].payload["title"] == "Time for your psoas session"
    again = CliRunner().invoke(app, ["reminders", "send"])
    assert again.exit_code == 0
    assert "1 already sent by another server" in again.output


def test_the_web_app_sends_due_reminders_on_its_own_schedule(
    database_url: str, push_service: PushService
) -> None:
    """The built-in scheduler: while the app serves (its lifespan), a round runs every
    PSOAS_REMINDER_EVERY_SECONDS and the due reminder reaches the device."""
    import time as clock_time

    from fastapi.testclient import TestClient

    from psoas.web.app import create_app
    from tests.integration.conftest import Clock

    when = Clock(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    settings = Settings(reminder_scheduler=True, reminder_every_seconds=5)
    app = create_app(database_url, clock=when, settings=settings)
    web = Web(app=app, clock=when)
    ann = web.sign_up("ann@example.org")
    seed(web, ann)
    save_settings(ann, session_time=["08:30"])
    subscribe(web, ann, push_service, "/push/ann")
    when.now = datetime(2026, 11, 23, 8, 31, tzinfo=UTC)
    with TestClient(app):  # starts the lifespan, and with it the scheduler
        deadline = clock_time.monotonic() + 20
        while not push_service.received and clock_time.monotonic() < deadline:
            clock_time.sleep(0.2)
    app.state.db.close()
    assert push_service.refused == []
    assert [r.payload["title"] for r in push_service.received] == ["Time for your psoas session"]
