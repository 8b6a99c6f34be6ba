"""Five years of daily use, then the time of `psoas progress` and of logging one set.

Fills about 2,000 sessions, 20,000 sets and 4,000 pain ratings on a SQLite file and on the
PostgreSQL at $PSOAS_TEST_POSTGRES_URL (default 127.0.0.1:5432/test, in a scratch schema), and
prints median times. Targets (issue 3): progress under 300 ms, one set under 10 ms. Figures,
not assertions.
"""

from __future__ import annotations

import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _databases import on_both
from sqlalchemy import insert, text

from psoas.catalog import load_catalog
from psoas.domain.assess import assess
from psoas.domain.session_plan import session_steps
from psoas.domain.tracking import SetLog
from psoas.services import progress, tracking
from psoas.services.assessment import parse_intake
from psoas.storage.db import Database
from psoas.storage.tables import PainRow, SessionRow, SetLogRow

ROOT = Path(__file__).resolve().parents[1]
DAYS = 5 * 365


def fill(db: Database, now: datetime) -> int:
    start = now - timedelta(days=DAYS)
    intake = parse_intake((ROOT / "examples" / "office-worker.json").read_bytes())
    result = assess(intake, load_catalog())
    version = tracking.save_assessment(
        db, profile_name="bench", intake=intake, assessment=result, now=start
    )
    assert version is not None
    steps = session_steps(version.program, load_catalog())[:10]
    profile = tracking.get_profile(db, "bench")
    sessions, sets, pains = [], [], []
    for day in range(DAYS + 1):
        for extra in range(2 if day % 10 == 0 else 1):  # about 2,000 sessions
            at = start + timedelta(days=day, hours=8 + 10 * extra)
            sid = len(sessions) + 1
            sessions.append(
                dict(
                    id=sid,
                    profile_id=profile.id,
                    program_version=1,
                    started_at=at,
                    ended_at=at + timedelta(minutes=20),
                    status="completed",
                )
            )
            for n, step in enumerate(steps[:10]):
                sets.append(
                    dict(
                        session_id=sid,
                        item_id=step.item_id,
                        side=step.side,
                        set_number=step.set_number,
                        hold_seconds=step.hold_seconds,
                        reps=None,
                        minutes=None,
                        completed_at=at + timedelta(minutes=n),
                        key=f"bench-{sid:06d}-{n:02d}",
                    )
                )
            pains.append(
                dict(
                    profile_id=profile.id, at=at, score=4, context="before_session", session_id=sid
                )
            )
            pains.append(
                dict(
                    profile_id=profile.id,
                    at=at + timedelta(minutes=20),
                    score=3,
                    context="after_session",
                    session_id=sid,
                )
            )
    with db.engine.begin() as conn:
        conn.execute(insert(SessionRow), sessions)
        for chunk in range(0, len(sets), 5000):
            conn.execute(insert(SetLogRow), sets[chunk : chunk + 5000])
        conn.execute(insert(PainRow), pains)
        if db.engine.dialect.name == "postgresql":
            conn.execute(text("SELECT setval('sessions_id_seq', (SELECT max(id) FROM sessions))"))
    return len(sets)


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
