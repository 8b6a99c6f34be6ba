"""Two web servers on one PostgreSQL (scale out): two real `psoas web` processes (uvicorn) on
two ports share one schema. A session made on one works on the other; sign-in throttling,
one-use invitations and idempotent sets hold across both, with requests sent at once."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from psoas.catalog import load_catalog
from psoas.domain.assess import assess
from psoas.services import accounts, throttle, tracking
from psoas.storage.db import Database
from psoas.storage.tables import CareTeamRow, SetLogRow
from tests.conftest import make_intake, postgres_url_with_fresh_schema

PASSWORD = "correct horse battery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(url: str, tmp_path: Path, name: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "PSOAS_DATABASE_URL": url, "PSOAS_DATA_DIR": str(tmp_path / name)}
    log = (tmp_path / f"{name}.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "psoas", "web", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError((tmp_path / f"{name}.log").read_text())
        try:
            if httpx.get(f"{base}/signin", timeout=2).status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError(f"{name} did not start: {(tmp_path / f'{name}.log').read_text()}")


@pytest.fixture
def two_servers(tmp_path: Path) -> Iterator[tuple[str, str, Database]]:
    for url in postgres_url_with_fresh_schema():
        db = Database(url)  # migrated once, as `psoas web` does before its workers
        servers = [start_server(url, tmp_path, name) for name in ("a", "b")]
        try:
            yield servers[0][1], servers[1][1], db
        finally:
            for process, _ in servers:
                os.killpg(process.pid, signal.SIGTERM)
            for process, _ in servers:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
            db.close()


def form_token(client: httpx.Client, path: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert match, path
    return match.group(1)


def clinician(base: str, db: Database, email: str) -> httpx.Client:
    """A clinic's first administrator, made on the server, signed in over HTTP."""
    from datetime import UTC, datetime

    from psoas.services import clinics

    clinics.create_clinic(
        db,
        name="Clinic",
        admin_email=email,
        admin_name="Ada",
        password=PASSWORD,
        now=datetime.now(UTC),
    )
    client = httpx.Client(base_url=base, timeout=30)
    data = {"email": email, "password": PASSWORD, "csrf_token": form_token(client, "/signin")}
    assert client.post("/signin", data=data).status_code == 303
    return client


def sign_up(base: str, email: str, invite: str = "") -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    data = {
        "email": email,
        "password": PASSWORD,
        "display_name": email.split("@")[0].title(),
        "invite": invite,
        "csrf_token": form_token(client, "/signup"),
    }
    made = client.post("/signup", data=data)
    assert made.status_code == 303, made.text
    return client


def on(base: str, signed_in: httpx.Client) -> httpx.Client:
    """The same browser (its cookies) talking to another server."""
    return httpx.Client(base_url=base, cookies=signed_in.cookies, timeout=30)


def csrf(client: httpx.Client) -> str:
    return form_token(client, "/account")


def at_once(calls: list[Callable[[], httpx.Response]]) -> list[httpx.Response]:
    gate = threading.Barrier(len(calls))
    answers: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        gate.wait()
        try:
            answers[i] = calls[i]()
        except Exception as exc:
            answers[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    for a in answers:
        assert isinstance(a, httpx.Response), a
    return answers


def test_two_servers_share_sessions_throttling_invitations_and_idempotency(
    two_servers: tuple[str, str, Database],
) -> None:
    a, b, db = two_servers

    # a session made on A works on B, and signing out on B ends it on A
    ada = clinician(a, db, "ada@clinic.test")
    ada_b = on(b, ada)
    me = ada_b.get("/api/v1/me")
    assert me.status_code == 200 and me.json()["email"] == "ada@clinic.test"
    extra = sign_up(a, "extra@home.test")
    assert on(b, extra).post("/signout", data={"csrf_token": csrf(extra)}).status_code == 303
    assert extra.get("/api/v1/me").status_code == 401

    # one invitation code, eight patients joining at once, half through each server
    code = ada_b.post("/api/v1/invitations", headers={"X-CSRF-Token": csrf(ada_b)}).json()["code"]
    patients = [sign_up(a if i % 2 else b, f"p{i}@home.test") for i in range(8)]
    tokens = [csrf(p) for p in patients]
    joins = at_once(
        [
            (
                lambda p=p, t=t: p.post(
                    "/account/join", data={"code": code, "csrf_token": t}, follow_redirects=False
                )
            )
            for p, t in zip(patients, tokens, strict=True)
        ]
    )
    assert sorted(j.status_code for j in joins) == [303] + [400] * 7
    with db.session() as s:
        joined = s.scalar(select(func.count()).select_from(CareTeamRow))
    assert joined == 1

    # throttling is counted in the database: five wrong passwords, alternating servers, use up
    # the account's free checks, and the next guess waits on either server
    def guess(base: str, email: str, n: int) -> httpx.Response:
        client = httpx.Client(base_url=base, timeout=30)
        data = {"email": email, "password": f"wrong guess {n}"}
        return client.post("/signin", data={**data, "csrf_token": form_token(client, "/signin")})

    free = throttle.ACCOUNT.free
    answers = [guess(a if n % 2 else b, "p0@home.test", n).status_code for n in range(free)]
    assert answers == [400] * free
    # (the first wait after the free checks is seconds long: these come at once)
    assert guess(a, "p0@home.test", 98).status_code == 429
    assert guess(b, "p0@home.test", 99).status_code == 429

    # and 20 guesses at once, half to each server, never get more checks than the free ones
    strangers = [httpx.Client(base_url=a if i % 2 else b, timeout=30) for i in range(20)]
    forms = [form_token(c, "/signin") for c in strangers]
    guesses = at_once(
        [
            (
                lambda c=c, t=t, i=i: c.post(
                    "/signin",
                    data={"email": "p2@home.test", "password": f"wrong {i}", "csrf_token": t},
                )
            )
            for i, (c, t) in enumerate(zip(strangers, forms, strict=True))
        ]
    )
    checked = [g for g in guesses if g.status_code == 400]
    assert 1 <= len(checked) <= free
    assert all(g.status_code == 429 for g in guesses if g.status_code != 400)

    # idempotency: the same set, with one key, sent to both servers at once, is stored once
    pat = patients[1]
    pat_id = pat.get("/api/v1/me").json()["id"]
    intake = make_intake()
    tracking.save_assessment(
        db,
        profile_name=accounts.profile_name_for(pat_id),
        intake=intake,
        assessment=assess(intake, load_catalog()),
        now=tracking_now(),
    )
    started = pat.post("/api/v1/me/sessions", json={}, headers={"X-CSRF-Token": csrf(pat)})
    assert started.status_code == 201, started.text
    sid = started.json()["id"]
    step = pat.get("/api/v1/me/session-plan").json()["steps"][0]
    body = {
        "key": "6f1c9a52-0d0e-4a51-9d39-2b1f3c0e9a11",
        "item_id": step["item_id"],
        "side": step["side"],
        "set_number": step["set_number"],
        "hold_seconds": step["hold_seconds"] if step["kind"] == "hold" else None,
        "reps": step["reps"] if step["kind"] == "reps" else None,
        "minutes": round(step["work_seconds"] / 60, 2) if step["kind"] == "timed" else None,
        "completed_at": started.json()["started_at"],
    }
    senders = [on(a if i % 2 else b, pat) for i in range(8)]
    sender_tokens = [csrf(c) for c in senders]
    sent = at_once(
        [
            (
                lambda c=c, t=t: c.post(
                    f"/api/v1/me/sessions/{sid}/sets", json=body, headers={"X-CSRF-Token": t}
                )
            )
            for c, t in zip(senders, sender_tokens, strict=True)
        ]
    )
    assert sorted(r.status_code for r in sent) == [200] * 7 + [201], [r.text for r in sent]
    with db.session() as s:
        stored = s.scalar(select(func.count()).where(SetLogRow.session_id == sid))
    assert stored == 1


def tracking_now() -> Any:
    from datetime import UTC, datetime, timedelta

    return datetime.now(UTC) - timedelta(minutes=5)
