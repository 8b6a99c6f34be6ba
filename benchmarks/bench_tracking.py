"""Five years of daily use, then the time of `psoas progress` and of logging one set.

Builds five years of an office worker's use with `psoas.services.fixtures` (about 2,000
sessions of 10 sets, 5,500 pain ratings, PSFS and re-tests every two weeks), stores it on a
SQLite file and on the PostgreSQL at $PSOAS_TEST_POSTGRES_URL (default 127.0.0.1:5432/test, in
a scratch schema), and prints median times. Targets (issue 3): progress under 300 ms, one set
under 10 ms. Figures, not assertions.
"""

from __future__ import annotations

import statistics
import time
import uuid
from datetime import UTC, datetime

from _databases import on_both

from psoas.domain.tracking import SetLog
from psoas.services import fixtures, progress, tracking
from psoas.storage.db import Database

DAYS = 5 * 365


def fill(db: Database, now: datetime) -> int:
    """Two sessions a day asked for, about one done: the first 10 sets of each session."""
    history = fixtures.build(
        fixtures.example_intake(), now=now, days=DAYS, adherence=0.55, max_sets=10
    )
    fixtures.store(db, history, name="bench")
    return len(history.sets)


def median_ms(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def bench(label: str, url: str) -> None:
    db = Database(url)
    now = datetime.now(UTC)
    t = time.perf_counter()
    n_sets = fill(db, now)
    filled = time.perf_counter() - t
    history = tracking.history(db, profile_name="bench")
    report_ms = median_ms(lambda: progress.report(db, profile_name="bench", now=now), 5)
    session, version = tracking.start_session(db, profile_name="bench", now=now)
    item = version.program.items[1].id
    counter = iter(range(10**6))

    def one_set() -> None:
        tracking.log_set(
            db,
            entry=SetLog(
                session_id=session.id or 0,
                item_id=item,
                set_number=1,
                completed_at=now,
                key=f"bench-{next(counter)}-{uuid.uuid4().hex[:6]}",
            ),
        )

    set_ms = median_ms(one_set, 50)
    print(
        f"{label:<10} {len(history.sessions)} sessions, {n_sets} sets, {len(history.pain)} pain "
        f"ratings (filled in {filled:.1f} s): progress median {report_ms:.0f} ms, "
        f"log one set median {set_ms:.1f} ms"
    )
    db.close()


def main() -> None:
    on_both(bench)


if __name__ == "__main__":
    main()
