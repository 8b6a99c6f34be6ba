"""Issue 14, accounts: growing delays per account, per address and per trusted browser, claimed
atomically (real threads on SQLite and PostgreSQL); read-only API tokens."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from psoas.services import accounts, throttle
from psoas.storage.db import Database
from psoas.storage.tables import ThrottleRow
from tests.integration.conftest import Web, post_account_form

PASSWORD = "correct horse battery"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class CountingHasher(PasswordHasher):
    """The tests' cheap argon2, counting every password check (and the dummy hash made when
    the account does not exist)."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1, hash_len=16, salt_len=16)
        self.checks = 0
        self._lock = threading.Lock()

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        with self._lock:
            self.checks += 1
        return super().verify(hash, password)


@pytest.fixture
def counting() -> Iterator[CountingHasher]:
    hasher = CountingHasher()
    previous = accounts.use_password_hasher(hasher)
    yield hasher
    accounts.use_password_hasher(previous)


def _member(db: Database, email: str = "clinic@example.org") -> accounts.User:
    return accounts.sign_up(
        db, email=email, password=PASSWORD, display_name="Dr Who", role="clinician", now=NOW
    )


def test_forty_guesses_at_once_get_no_more_checks_than_the_allowance(
    db: Database, counting: CountingHasher
) -> None:
    """Real threads, each with its own connection: the claim is one conditional UPDATE, so the
    40 queue on the row and only the free five reach the password check (before: 19 of 5)."""
    _member(db)
    start = threading.Barrier(40)

    def guess(n: int) -> str:
        start.wait()
        try:
            accounts.authenticate(
                db, email="clinic@example.org", password=f"wrong guess {n}", now=NOW, client="x"
            )
        except accounts.Throttled:
            return "throttled"
        except accounts.AccountError:
            return "wrong"
        return "in"

    with ThreadPoolExecutor(40) as pool:
        answers = list(pool.map(guess, range(40)))
    assert counting.checks == throttle.ACCOUNT.free
    assert answers.count("wrong") == throttle.ACCOUNT.free
    assert answers.count("throttled") == 40 - throttle.ACCOUNT.free


def test_delays_grow_and_the_owners_own_browser_is_never_slowed(db: Database) -> None:
    owner = _member(db)
    device = accounts.trust_device(db, user=owner, now=NOW)  # the owner signed in here before
    now = NOW
    waits = []
    for n in range(20):  # a stranger keeps guessing, waiting out each delay
        try:
            accounts.authenticate(
                db, email=owner.email, password=f"guess {n}", now=now, client="198.51.100.7"
            )
        except accounts.Throttled as exc:
            waits.append(exc.retry_after)
            now += timedelta(seconds=exc.retry_after)
        except accounts.AccountError:
            pass
        # the owner, on their own browser, signs in at once whatever the stranger did
        assert accounts.authenticate(
            db, email=owner.email, password=PASSWORD, now=now, client="192.0.2.1", device=device
        ) == (owner)
    # and the stranger, after another wrong guess, waits again however right the password
    with pytest.raises(accounts.AccountError):
        accounts.authenticate(db, email=owner.email, password="guess", now=now, client="x")
    with pytest.raises(accounts.Throttled):
        accounts.authenticate(db, email=owner.email, password=PASSWORD, now=now, client="x")
    assert waits[:4] == [2, 4, 8, 16] and waits == sorted(waits)
    assert max(waits) <= throttle.ACCOUNT.longest_wait.total_seconds()


def test_a_device_cookie_made_up_or_for_another_account_is_no_way_round(db: Database) -> None:
    owner = _member(db)
    other = _member(db, "other@example.org")
    others_device = accounts.trust_device(db, user=other, now=NOW)
    for day, device in enumerate(("made-up", others_device)):
        now = NOW + timedelta(days=day)
        for n in range(throttle.ACCOUNT.free):
            with pytest.raises(accounts.AccountError):
                accounts.authenticate(
                    db, email=owner.email, password=f"no {n}", now=now, device=device, client=str(n)
                )
        with pytest.raises(accounts.Throttled):
            accounts.authenticate(db, email=owner.email, password=PASSWORD, now=now, device=device)
        later = now + timedelta(hours=1)
        assert accounts.authenticate(db, email=owner.email, password=PASSWORD, now=later) == owner


def test_one_address_guessing_at_many_accounts_is_slowed(db: Database) -> None:
    for n in range(throttle.CLIENT.free):
        with pytest.raises(accounts.AccountError):
            accounts.authenticate(
                db, email=f"nobody{n}@example.org", password="guess", now=NOW, client="203.0.113.5"
            )
    with pytest.raises(accounts.Throttled):
        accounts.authenticate(
            db, email="someone@example.org", password="guess", now=NOW, client="203.0.113.5"
        )
    with pytest.raises(accounts.AccountError):  # another address is not slowed
        accounts.authenticate(
            db, email="someone@example.org", password="guess", now=NOW, client="203.0.113.6"
        )


def test_right_passwords_never_use_up_an_address_and_counts_are_forgotten(db: Database) -> None:
    for n in range(throttle.CLIENT.free + 5):  # a clinic behind one address, all signing in
        user = _member(db, f"clinician{n}@example.org")
        accounts.authenticate(db, email=user.email, password=PASSWORD, now=NOW, client="clinic")
    with pytest.raises(accounts.AccountError):
        accounts.authenticate(db, email=user.email, password="nope", now=NOW, client="stranger")
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(ThrottleRow)) > 0
        # only hashes: no email or address in the clear
        assert all(len(k) == 64 for k in s.scalars(select(ThrottleRow.key_hash)))
    accounts.purge(db, now=NOW + throttle.THROTTLE_FORGET + timedelta(minutes=1))
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(ThrottleRow)) == 0


def _client(web: Web, address: str) -> TestClient:
    return TestClient(web.app, base_url="http://testserver", client=(address, 50000))  # type: ignore[arg-type]


def test_a_stranger_cannot_lock_a_clinician_out_over_http(web: Web) -> None:
    web.sign_up("dr@example.org", role="clinician")
    own = _client(web, "192.0.2.10")  # the clinician's own computer: it signed in before
    first = post_account_form(
        own,
        "/signin",
        data={"email": "dr@example.org", "password": PASSWORD},
        follow_redirects=False,
    )
    assert first.status_code == 303 and "psoas_device=" in first.headers["set-cookie"]
    own.post("/signout", data={"csrf_token": own.cookies.get("psoas_session", "")})
    own.cookies.delete("psoas_session")
    stranger = _client(web, "198.51.100.66")
    answers = [
        post_account_form(
            stranger, "/signin", data={"email": "dr@example.org", "password": f"guess {n}"}
        ).status_code
        for n in range(30)
    ]
    assert answers[:5] == [400] * 5 and set(answers[5:]) == {429}
    again = post_account_form(
        own,
        "/signin",
        data={"email": "dr@example.org", "password": PASSWORD},
        follow_redirects=False,
    )
    assert again.status_code == 303 and again.headers["location"] == "/account/two-factor?offer=1"
    held = post_account_form(stranger, "/signin", data={"email": "dr@example.org", "password": "x"})
    assert held.status_code == 429 and "Please wait" in held.text
    assert int(held.headers["Retry-After"]) >= 1


def _token(web: Web, person: object, scope: str) -> str:
    page = person.post("/account/tokens", {"name": f"{scope} script", "scope": scope})  # type: ignore[attr-defined]
    assert page.status_code == 200
    return re.search(r"psoas_[A-Za-z0-9_\-]+", page.text).group(0)  # type: ignore[union-attr]


def test_a_read_token_only_reads_and_a_write_token_writes(web: Web) -> None:
    ann = web.sign_up("ann@example.org")
    page = ann.client.get("/account").text
    assert 'name="scope" value="read" checked' in page and 'value="write"' in page
    bare = web.client()
    read = {"Authorization": f"Bearer {_token(web, ann, 'read')}"}
    write = {"Authorization": f"Bearer {_token(web, ann, 'write')}"}
    assert bare.get("/api/v1/me", headers=read).status_code == 200
    posts = ["/api/v1/me/assessment", "/api/v1/me/pain", "/api/v1/me/psfs", "/api/v1/me/retest"]
    for path in posts:
        refused = bare.post(path, headers=read, json={})
        assert refused.status_code == 403, path
        assert "can only read" in refused.json()["detail"]
    # the write token gets past the scope check to the endpoint itself (a bad body: 422)
    assert bare.post("/api/v1/me/pain", headers=write, json={}).status_code == 422
    listed = ann.client.get("/account").text
    assert "read script (read only)" in listed and "write script (read and write)" in listed


def test_tokens_made_before_scopes_keep_writing(empty_database_url: str) -> None:
    from sqlalchemy import text

    from psoas.storage.db import make_engine, migrate

    engine = make_engine(empty_database_url)
    migrate(engine, "0008")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (email, password_hash, role, display_name, created_at) "
                "VALUES ('old@example.org', 'x', 'patient', 'Old', :at)"
            ),
            {"at": NOW},
        )
        conn.execute(
            text(
                "INSERT INTO api_tokens (user_id, name, token_hash, created_at) "
                "SELECT id, 'old', :h, :at FROM users"
            ),
            {"h": "a" * 64, "at": NOW},
        )
    migrate(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT scope FROM api_tokens")).scalar_one() == "write"
    engine.dispose()


def test_two_servers_on_one_database_share_the_count(database_url: str) -> None:
    """Two web apps on the same database (two servers behind a balancer): guesses split
    between them still get five checks in all."""
    from psoas.web.app import create_app
    from tests.integration.conftest import Clock

    clock = Clock()
    apps = [create_app(database_url, clock=clock) for _ in range(2)]
    try:
        Web(app=apps[0], clock=clock).sign_up("dr@example.org", role="clinician")
        clients = [_client(Web(app=a, clock=clock), "198.51.100.80") for a in apps]
        answers = [
            post_account_form(
                clients[n % 2], "/signin", data={"email": "dr@example.org", "password": f"g{n}"}
            ).status_code
            for n in range(10)
        ]
        assert answers == [400] * 5 + [429] * 5
    finally:
        for app in apps:
            app.state.db.close()
