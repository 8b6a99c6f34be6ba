"""A clinic with 1,000 patients and 500,000 sets: the time of the clinician's patient list.

Fills one clinician's 1,000 patients with ten weeks each, built by `psoas.services.fixtures`
(about 50,000 sessions of 10 sets, 160,000 pain ratings, PSFS and re-tests every two or four
weeks; some patients stopped, some in pain, some stepped up, a few with red flags), on a SQLite
file and on the PostgreSQL at $PSOAS_TEST_POSTGRES_URL (default 127.0.0.1:5432/test, in a
scratch schema that is dropped afterwards). Prints the median time of `clinic.patient_rows` and
of `GET /clinic` through FastAPI's TestClient. Target: under 200 ms. Figures, not assertions.

The histories are inserted in bulk, without each session's share of its work done (which the
players' saving keeps); the first list works them out once from the sets, and is timed apart.
"""

from __future__ import annotations

import random
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from _databases import on_both
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import bindparam, insert, text, update

from psoas.domain import patient_list
from psoas.services import accounts, clinic, clinics, fixtures
from psoas.storage.db import Database
from psoas.storage.tables import CareTeamRow, UserRow
from psoas.web.app import create_app

PATIENTS = 1000
SETS_PER_SESSION = 10
DAYS = 70
PASSWORD = "bench-clinic-password"


def fill(db: Database, now: datetime) -> tuple[accounts.User, Counter[str]]:
    """About 51 sessions a patient: once a day most days, or (a third of the patients, with
    more minutes to spend) now and then twice; one in ten stopped ten days ago, one in ten in
    more pain, three in ten stepped up after three weeks, one in fifty with a red flag; half
    measure every two weeks, half every four."""
    rng = random.Random(7)
    clinic_made, clinician = clinics.create_clinic(
        db,
        name="Bench Clinic",
        admin_email="clinician@bench.test",
        admin_name="Bench Clinician",
        password=PASSWORD,
        now=now - timedelta(days=DAYS + 1),
    )
    intake = fixtures.example_intake()
    roomy = fixtures.example_intake(minutes_per_day=60)
    emergency = intake.model_copy(
        update={
            "red_flags": intake.red_flags.model_copy(
                update={"new_bladder_or_bowel_dysfunction": True}
            )
        }
    )
    password_hash = PasswordHasher().hash("bench-patient-password")
    with db.engine.begin() as conn:
        user_ids = [
            row[0]
            for row in conn.execute(
                insert(UserRow).returning(UserRow.id, sort_by_parameter_order=True),
                [
                    {
                        "email": f"patient{n:04d}@bench.test",
                        "password_hash": password_hash,
                        "role": "patient",
                        "display_name": f"Patient {n:04d}",
                        "created_at": now - timedelta(days=DAYS),
                        "clinician_id": clinician.id,
                    }
                    for n in range(PATIENTS)
                ],
            )
        ]
        # every patient accepted the clinician into their care team
        conn.execute(
            insert(CareTeamRow),
            [
                {
                    "patient_id": uid,
                    "clinician_id": clinician.id,
                    "clinic_id": clinic_made.id,
                    "status": "accepted",
                    "asked_by": uid,
                    "asked_at": now - timedelta(days=DAYS),
                    "accepted_at": now - timedelta(days=DAYS),
                }
                for uid in user_ids
            ],
        )
    red = set(rng.sample(user_ids, PATIENTS // 50))
    twice = set(rng.sample(user_ids, PATIENTS // 3))
    counts: Counter[str] = Counter()
    links = []
    for uid in user_ids:
        history = fixtures.build(
            emergency if uid in red else roomy if uid in twice else intake,
            now=now,
            days=DAYS,
            seed=uid,
            adherence=0.38 if uid in twice else 0.75,
            pain="worsening" if rng.random() < 0.1 else "improving",
            sessions_per_day=None if uid in twice else 1,
            max_sets=SETS_PER_SESSION,
            stopped_days_ago=10 if rng.random() < 0.1 else 0,
            step_up_on=(21,) if rng.random() < 0.3 else (),
            measure_every=rng.choice((14, 28)),  # every four weeks: a re-test is due
        )
        profile = fixtures.store(db, history, name=accounts.profile_name_for(uid))
        links.append({"uid": uid, "pid": profile.id})
        counts.update(sessions=len(history.sessions), sets=len(history.sets))
        counts.update(pain=len(history.pain))
    with db.engine.begin() as conn:
        conn.execute(
            update(UserRow)
            .where(UserRow.id == bindparam("uid"))
            .values(profile_id=bindparam("pid"))
            .execution_options(synchronize_session=False),
            links,
        )
        conn.execute(text("ANALYZE"))
    return clinician, counts


def timed(fn: Callable[[], object], repeat: int = 15) -> str:
    """Median and fastest of ``repeat`` runs, after one to warm caches and the pool."""
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return f"median {statistics.median(times) * 1000:.0f} ms (fastest {min(times) * 1000:.0f})"


def bench(label: str, url: str) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    db = Database(url)
    t = time.perf_counter()
    clinician, counts = fill(db, now)
    filled = time.perf_counter() - t
    t = time.perf_counter()
    rows = clinic.patient_rows(db, clinician, now)  # works out each session's share of work
    first = time.perf_counter() - t
    flags = {f: sum(1 for r in rows if f in r.flags) for f in patient_list.FLAGS}
    rows_ms = timed(lambda: clinic.patient_rows(db, clinician, now))
    db.close()

    app = create_app(url, clock=lambda: now)
    client = TestClient(app)
    form = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/signin").text)
    assert form, "no token on the sign-in form"
    signed = client.post(
        "/signin",
        data={"email": "clinician@bench.test", "password": PASSWORD, "csrf_token": form.group(1)},
        follow_redirects=False,
    )
    assert signed.status_code == 303, signed.text

    def page() -> None:
        response = client.get("/clinic")
        assert response.status_code == 200

    page_ms = timed(page)
    api_ms = timed(lambda: client.get("/api/v1/patients"))
    app.state.db.close()
    print(
        f"{label:<10} {len(rows)} patients, {counts['sessions']} sessions, {counts['sets']} sets, "
        f"{counts['pain']} pain ratings (filled in {filled:.0f} s); flags: "
        + ", ".join(f"{n} {f}" for f, n in flags.items())
    )
    print(
        f"{'':<10} patient_rows {rows_ms}; GET /clinic {page_ms}; "
        f"GET /api/v1/patients {api_ms} (target under 200 ms)"
    )
    print(
        f"{'':<10} the first list after the bulk load, working out every session's share of "
        f"its work from its sets (once): {first:.1f} s"
    )


def main() -> None:
    on_both(bench)


if __name__ == "__main__":
    main()
