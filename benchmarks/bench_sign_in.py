"""Sign-in safety under load, with argon2's recommended cost, on SQLite and PostgreSQL:

- 40 wrong passwords for one account sent at the same moment (40 threads, 40 connections): how
  many password checks they got (the free allowance is 5; before the atomic claim, 19) and how
  long the 40 answers took;
- sign-up on a server that sends email, for a new address and for one that has an account: the
  answer must not tell them apart, so the median times should match.

Figures, not assertions.
"""

from __future__ import annotations

import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from _databases import on_both
from argon2 import PasswordHasher

from psoas.services import account_links, accounts, throttle
from psoas.storage.db import Database

PASSWORD = "correct horse battery"


class Counting(PasswordHasher):
    def __init__(self) -> None:
        super().__init__()  # argon2-cffi's recommended profile, as a server runs
        self.checks = 0
        self.lock = threading.Lock()

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        with self.lock:
            self.checks += 1
        return super().verify(hash, password)


def bench(label: str, url: str) -> None:
    hasher = Counting()
    previous = accounts.use_password_hasher(hasher)
    db = Database(url)
    try:
        now = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
        accounts.sign_up(
            db,
            email="dr@example.org",
            password=PASSWORD,
            display_name="Dr",
            role="clinician",
            now=now,
        )
        start = threading.Barrier(40)

        def guess(n: int) -> str:
            start.wait()
            try:
                accounts.authenticate(
                    db, email="dr@example.org", password=f"guess {n}", now=now, client=str(n)
                )
            except accounts.Throttled:
                return "wait"
            except accounts.AccountError:
                return "wrong"
            return "in"

        began = time.perf_counter()
        with ThreadPoolExecutor(40) as pool:
            answers = list(pool.map(guess, range(40)))
        took = time.perf_counter() - began
        print(
            f"{label}: 40 guesses at once -> {hasher.checks} password checks "
            f"(allowance {throttle.ACCOUNT.free}), {answers.count('wait')} told to wait, "
            f"all answered in {took:.2f} s"
        )
        times: dict[bool, list[float]] = {True: [], False: []}
        for n in range(12):
            for new in (True, False):
                email = f"new{n}@example.org" if new else "dr@example.org"
                t0 = time.perf_counter()
                account_links.sign_up_by_email(
                    db,
                    email=email,
                    password="violet ferns whisper loudly",
                    display_name="Ann",
                    role="patient",
                    now=now + timedelta(seconds=n),
                )
                times[new].append(time.perf_counter() - t0)
        print(
            f"{label}: sign-up answer, new address {statistics.median(times[True]) * 1000:.0f} ms,"
            f" address with an account {statistics.median(times[False]) * 1000:.0f} ms (medians)"
        )
    finally:
        db.close()
        accounts.use_password_hasher(previous)


if __name__ == "__main__":
    on_both(bench)
