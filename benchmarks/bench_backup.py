"""`psoas backup` on a SQLite file with five years of one person's use, taken while a thread
keeps logging sets: how long the backup takes, the file's size, and how many sets the writer
committed meanwhile (the web app is not stopped). Figures, not assertions.
"""

from __future__ import annotations

import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from psoas.domain.tracking import SetLog
from psoas.services import backup, fixtures, tracking
from psoas.storage.db import Database

DAYS = 5 * 365


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/live.db"
        db = Database(url)
        now = datetime.now(UTC)
        history = fixtures.build(
            fixtures.example_intake(), now=now, days=DAYS, adherence=0.55, max_sets=10
        )
        fixtures.store(db, history, name="bench")
        session, version = tracking.start_session(db, profile_name="bench", now=now)
        item = version.program.items[1].id
        committed: list[float] = []
        stop = threading.Event()

        def write() -> None:
            n = 0
            while not stop.is_set():
                n += 1
                tracking.log_set(
                    db,
                    entry=SetLog(
                        session_id=session.id or 0,
                        item_id=item,
                        side=None,
                        set_number=1,
                        reps=1,
                        completed_at=now,
                        key=f"load-set-{n:06d}",
                    ),
                )
                committed.append(time.perf_counter())

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        time.sleep(1.0)
        rounds = []
        for n in range(5):
            t0 = time.perf_counter()
            summary = backup.backup(url, Path(tmp) / f"b{n}.db")
            t1 = time.perf_counter()
            during = sum(1 for c in committed if t0 <= c <= t1)
            rounds.append((t1 - t0, summary, during))
            time.sleep(0.3)
        stop.set()
        writer.join()
        rate = len(committed) / (committed[-1] - committed[0]) if len(committed) > 1 else 0
        print(f"{len(history.sets):,} sets of five years; writer: {rate:,.0f} sets/s overall")
        for seconds, summary, during in rounds:
            print(
                f"backup {summary.bytes / 1e6:.1f} MB in {seconds * 1000:.0f} ms (checked), "
                f"{summary.rows['set_logs']:,} sets; {during} sets committed meanwhile"
            )
        db.close()


if __name__ == "__main__":
    main()
