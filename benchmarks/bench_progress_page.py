"""The person's progress page with five years of daily use: server time and weight.

Builds five years of an office worker's use with the seeded history builder
(`psoas.services.fixtures`: about 3,000 sessions, 7,800 pain ratings, the functional scale and
re-tests every two weeks), stores it in a patient account on a SQLite file and on the
PostgreSQL at $PSOAS_TEST_POSTGRES_URL (default 127.0.0.1:5432/test, in a scratch schema), and
asks the app in this process for `/me/progress` as the signed-in person. Prints the median and
slowest server time (wall clock, and the CPU time it took, which a busy machine does not
inflate), the page's weight as sent (gzip) and unpacked, and the weight of the
chart script and style it loads once. Targets (issue 12): under 150 ms server time, well
under 150 kB. Figures, not assertions.
"""

from __future__ import annotations

import gzip
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from _databases import on_both
from fastapi.testclient import TestClient

from psoas.services import accounts, fixtures
from psoas.web.app import create_app

DAYS = 5 * 365
RUNS = 15
STATIC = Path(__file__).resolve().parents[1] / "src" / "psoas" / "web" / "static"


def bench(label: str, url: str) -> None:
    now = datetime.now(UTC)
    app = create_app(url, clock=lambda: now)
    db = app.state.db
    user = accounts.sign_up(
        db,
        email="five-years@example.org",
        password="correct horse battery staple",
        display_name="Five Years",
        role="patient",
        now=now,
    )
    history = fixtures.build(fixtures.example_intake(), now=now, days=DAYS, adherence=0.85)
    fixtures.store(db, history, name=user.profile_name)
    cookie, _ = accounts.start_session(db, user=user, now=now)
    client = TestClient(app, base_url="http://testserver")
    client.cookies.set("psoas_session", cookie)
    times, cpu = [], []
    page = client.get("/me/progress")  # first: templates compiled
    assert page.status_code == 200, page.status_code
    for _ in range(RUNS):
        t, c = time.perf_counter(), time.process_time()
        page = client.get("/me/progress", headers={"accept-encoding": "identity"})
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    raw = page.content
    sent = gzip.compress(raw, compresslevel=1)
    once = sum((STATIC / f).stat().st_size for f in ("progress-charts.js", "progress.css"))
    print(
        f"{label:<10} {len(history.sessions)} sessions, {len(history.pain)} pain ratings, "
        f"{len(history.psfs)} PSFS, {len(history.retests)} re-tests over {DAYS} days: "
        f"/me/progress median {statistics.median(times) * 1000:.0f} ms "
        f"(CPU {statistics.median(cpu) * 1000:.0f} ms), slowest {max(times) * 1000:.0f} ms; "
        f"page {len(raw) / 1000:.1f} kB "
        f"({len(sent) / 1000:.1f} kB gzip), chart script and style {once / 1000:.1f} kB "
        "(kept by the browser)"
    )
    db.close()


def main() -> None:
    on_both(bench)


if __name__ == "__main__":
    main()
