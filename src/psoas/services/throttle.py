"""Growing delays after failed password or code checks, counted per key (an account, a client's
address, a trusted device), claimed atomically in the database before each check.

Each check first *claims* a failure for every key it is counted under, in one transaction:
``UPDATE ... SET failures = failures + 1 WHERE key = ? AND blocked_until <= now RETURNING
failures``, then sets the key's next allowed time from that count. The row lock (PostgreSQL)
or the write lock (SQLite) makes simultaneous claims queue, and each one re-reads the row, so
40 guesses at once get exactly as many checks as the free allowance, never more. A check that
succeeds gives its claims back. Only counts are kept, under a hash of the key, and a key left
alone for THROTTLE_FORGET is forgotten (purged).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from psoas.storage.tables import ThrottleRow

#: A key with no failure for this long starts again from nothing, and its row is purged.
THROTTLE_FORGET = timedelta(hours=24)


@dataclass(frozen=True)
class Rule:
    kind: str
    #: failed checks allowed without any wait
    free: int
    #: the wait after the first failure beyond the free ones; it doubles with each further one
    first_wait: timedelta = timedelta(seconds=2)
    longest_wait: timedelta = timedelta(minutes=15)

    def wait_after(self, failures: int) -> timedelta:
        if failures < self.free:
            return timedelta(0)
        doublings = min(failures - self.free, 30)
        wait: timedelta = self.first_wait * (2**doublings)
        return min(wait, self.longest_wait)


#: Guesses at one account from browsers that never signed in to it (any address).
ACCOUNT = Rule("account", free=5)
#: Guesses from one address at any accounts (a clinic behind one address shares it).
CLIENT = Rule("client", free=20)
#: Guesses from a browser that signed in to the account before: its own allowance, so a
#: stranger's guesses never slow the owner down on their own phone or computer.
DEVICE = Rule("device", free=5)
PASSWORD_CHANGE = Rule("password-change", free=5)
SECOND_FACTOR = Rule("second-factor", free=5)


class Throttled(RuntimeError):
    def __init__(self, retry_after: int, what: str = "failed sign-ins"):
        if retry_after < 60:
            when = f"{retry_after} second{'s' if retry_after != 1 else ''}"
        else:
            minutes = -(-retry_after // 60)
            when = f"{minutes} minute{'s' if minutes != 1 else ''}"
        super().__init__(f"Too many {what}. Please wait {when} and try again.")
        self.retry_after = retry_after


Key = tuple[Rule, str]


def key_hash(rule: Rule, value: str) -> str:
    return hashlib.sha256(f"{rule.kind}\0{value}".encode()).hexdigest()


def _insert_missing(s: Session, rule: Rule, digest: str, now: datetime) -> None:
    values = {
        "key_hash": digest,
        "kind": rule.kind,
        "failures": 0,
        "blocked_until": now,
        "updated_at": now,
    }
    dialect = s.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    s.execute(insert(ThrottleRow).values(**values).on_conflict_do_nothing())


def claim(s: Session, keys: Iterable[Key], now: datetime, what: str = "failed sign-ins") -> None:
    """Count one failure for each key before a check, in the caller's transaction. Raises
    Throttled when any key must still wait; the caller's rollback then un-counts the others."""
    by_hash = sorted((key_hash(rule, value), rule) for rule, value in keys)
    stale = now - THROTTLE_FORGET
    for digest, rule in by_hash:  # always the same order: two claims never deadlock
        _insert_missing(s, rule, digest, now)
        failures = s.scalar(
            update(ThrottleRow)
            .where(ThrottleRow.key_hash == digest, ThrottleRow.blocked_until <= now)
            .values(
                failures=case((ThrottleRow.updated_at < stale, 1), else_=ThrottleRow.failures + 1),
                updated_at=now,
            )
            .returning(ThrottleRow.failures)
        )
        if failures is None:
            until = s.scalar(
                select(ThrottleRow.blocked_until).where(ThrottleRow.key_hash == digest)
            )
            wait = max(int(((until or now) - now).total_seconds() + 0.999), 1)
            raise Throttled(wait, what)
        s.execute(
            update(ThrottleRow)
            .where(ThrottleRow.key_hash == digest)
            .values(blocked_until=now + rule.wait_after(failures))
        )


def forgive(s: Session, keys: Iterable[Key]) -> None:
    """A check succeeded: these keys start again from nothing."""
    digests = [key_hash(rule, value) for rule, value in keys]
    if digests:
        s.execute(delete(ThrottleRow).where(ThrottleRow.key_hash.in_(digests)))


def give_back(s: Session, keys: Iterable[Key]) -> None:
    """A check succeeded: return its claim on keys that others share (a client's address), so
    people who sign in correctly never use up their address's allowance."""
    digests = [key_hash(rule, value) for rule, value in keys]
    if digests:
        s.execute(
            update(ThrottleRow)
            .where(ThrottleRow.key_hash.in_(digests), ThrottleRow.failures > 0)
            .values(failures=ThrottleRow.failures - 1)
        )


def purge(s: Session, now: datetime) -> int:
    """Forget keys left alone for THROTTLE_FORGET; returns how many went."""
    done = s.execute(
        delete(ThrottleRow).where(
            ThrottleRow.updated_at < now - THROTTLE_FORGET, ThrottleRow.blocked_until < now
        )
    )
    return int(done.rowcount)  # type: ignore[attr-defined]
