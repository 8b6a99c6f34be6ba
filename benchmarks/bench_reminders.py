"""One round of the reminder sender for 200 patients, each with a program, reminder settings
and a push subscription (to a push service on 127.0.0.1 that answers 201): a quiet minute
(nothing due), a minute when every session reminder is due (each one encrypted, signed with
VAPID and sent over HTTP), and a minute when every break nudge is due. Prints milliseconds per
round on a SQLite file and on PostgreSQL. Figures, not assertions.
"""

from __future__ import annotations

import base64
import secrets
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from _databases import on_both
from argon2 import PasswordHasher
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import event

from psoas.catalog import load_catalog
from psoas.domain.assess import assess
from psoas.services import accounts, fixtures, push, reminders, tracking
from psoas.settings import Settings
from psoas.storage.db import Database

PATIENTS = 200
MONDAY = datetime(2026, 11, 23, tzinfo=UTC)


class Accept(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def fill(db: Database, origin: str) -> None:
    intake = fixtures.example_intake()
    result = assess(intake, load_catalog())
    for n in range(PATIENTS):
        user = accounts.sign_up(
            db,
            email=f"p{n}@example.org",
            password="correct horse battery staple",
            display_name=f"Patient {n}",
            role="patient",
            now=MONDAY,
            time_zone="Europe/London",
        )
        tracking.save_assessment(
            db, profile_name=user.profile_name, intake=intake, assessment=result, now=MONDAY
        )
        chosen = reminders.parse(
            session_times=["08:00"],
            break_nudges=True,
            work_start="09:00",
            work_end="17:00",
            work_days=[0, 1, 2, 3, 4],
        )
        reminders.save(db, user=user, settings=chosen)
        key = ec.generate_private_key(ec.SECP256R1()).public_key()
        raw = key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        push.subscribe(
            db,
            user=user,
            endpoint=f"{origin}/push/{n}",
            p256dh=b64url(raw),
            auth=b64url(secrets.token_bytes(16)),
            now=MONDAY,
            allow_http=True,
        )


def bench(label: str, url: str) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Accept)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    db = Database(url)
    settings = Settings()
    fill(db, origin)
    statements = [0]

    def count(*_: Any) -> None:
        statements[0] += 1

    event.listen(db.engine, "before_cursor_execute", count)
    for what, hour, minute in (
        ("quiet minute (nothing due)", 7, 0),
        ("every session reminder due", 8, 1),
        ("every break nudge due", 9, 21),
    ):
        statements[0] = 0
        t = time.perf_counter()
        report = push.send_due(db, settings=settings, now=MONDAY.replace(hour=hour, minute=minute))
        ms = (time.perf_counter() - t) * 1000
        each = f" ({ms / report.sent:.1f} ms each)" if report.sent else ""
        print(
            f"{label:10} {what:30} {ms:8.0f} ms for {PATIENTS} patients, {report.sent} sent{each}, "
            f"{statements[0]} SQL statements"
        )
    db.close()
    server.shutdown()
    server.server_close()


if __name__ == "__main__":
    accounts.use_password_hasher(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    on_both(bench)
