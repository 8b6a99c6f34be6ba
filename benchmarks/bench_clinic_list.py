"""A clinic with 1,000 patients and 500,000 sets: the time of the clinician's patient list.

Fills one clinician's 1,000 patients with ten weeks each (about 50,000 sessions of 10 sets,
150,000 pain ratings, re-tests; some patients stopped, some in pain, a few with red flags) by
bulk inserts with SQLAlchemy core, on a SQLite file and on the PostgreSQL at
$PSOAS_TEST_POSTGRES_URL (default 127.0.0.1:5432/test, in a scratch schema that is dropped
afterwards). Prints the median time of `clinic.patient_rows` and of `GET /clinic` through
FastAPI's TestClient. Target: under 200 ms. Figures, not assertions.
"""

from __future__ import annotations

import random
import re
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _databases import on_both
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import bindparam, insert, text, update

from psoas.catalog import load_catalog
from psoas.domain.assess import assess
from psoas.domain.session_plan import session_steps
from psoas.services import accounts, clinic
from psoas.services.assessment import parse_intake
from psoas.storage.db import Database
from psoas.storage.tables import (
    AssessmentRow,
    PainRow,
    ProfileRow,
    ProgramVersionRow,
    RetestRow,
    SessionRow,
    SetLogRow,
    UserRow,
)
from psoas.web.app import create_app

ROOT = Path(__file__).resolve().parents[1]
PATIENTS = 1000
SETS_PER_SESSION = 10
SESSIONS_PER_PATIENT = 51  # 50,000 sessions and 500,000 sets for the 980 without red flags
DAYS = 70
PASSWORD = "bench-clinic-password"
CHUNK = 10_000


def _chunks(conn: Any, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        conn.execute(insert(table), rows[start : start + CHUNK])


def fill(db: Database, now: datetime) -> tuple[accounts.User, dict[str, int]]:
    rng = random.Random(7)
    catalog = load_catalog()
    clinician = accounts.sign_up(
        db,
        email="clinician@bench.test",
        password=PASSWORD,
        display_name="Bench Clinician",
        role="clinician",
        now=now - timedelta(days=DAYS + 1),
    )
    intake = parse_intake((ROOT / "examples" / "office-worker.json").read_bytes())
    result = assess(intake, catalog)
    assert result.program is not None
    emergency = assess(
        intake.model_copy(
            update={
                "red_flags": intake.red_flags.model_copy(
                    update={"new_bladder_or_bowel_dysfunction": True}
                )
            }
        ),
        catalog,
    )
    # A third of the patients have a program of two sessions a day (more minutes to spend).
    roomy = assess(
        intake.model_copy(
            update={"preferences": intake.preferences.model_copy(update={"minutes_per_day": 60})}
        ),
        catalog,
    )
    assert roomy.program is not None and roomy.program.sessions_per_day == 2
    intake_json = intake.model_dump(mode="json", exclude_unset=True)
    result_json = result.model_dump(mode="json")
    emergency_json = emergency.model_dump(mode="json")
    program_json = {
        1: result.program.model_dump(mode="json"),
        2: roomy.program.model_dump(mode="json"),
    }
    steps = session_steps(result.program, catalog)[:SETS_PER_SESSION]
    start = now - timedelta(days=DAYS)
    password_hash = PasswordHasher().hash("bench-patient-password")
    counts = {"sessions": 0, "sets": 0, "pain": 0}

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
                        "created_at": start,
                        "clinician_id": clinician.id,
                    }
                    for n in range(PATIENTS)
                ],
            )
        ]
        profile_ids = [
            row[0]
            for row in conn.execute(
                insert(ProfileRow).returning(ProfileRow.id, sort_by_parameter_order=True),
                [{"name": accounts.profile_name_for(uid), "created_at": start} for uid in user_ids],
            )
        ]
        conn.execute(
            update(UserRow)
            .where(UserRow.id == bindparam("uid"))
            .values(profile_id=bindparam("pid"))
            .execution_options(synchronize_session=False),
            [{"uid": u, "pid": p} for u, p in zip(user_ids, profile_ids, strict=True)],
        )
        red = set(rng.sample(profile_ids, PATIENTS // 50))
        twice = set(rng.sample(profile_ids, PATIENTS // 3))
        assessments: list[dict[str, Any]] = []
        versions: list[dict[str, Any]] = []
        retests: list[dict[str, Any]] = []
        for pid in profile_ids:
            flagged = pid in red
            assessments.append(
                {
                    "profile_id": pid,
                    "created_at": start,
                    "catalog_version": result.catalog_version,
                    "triage_level": "emergency" if flagged else "self_care",
                    "intake": intake_json,
                    "result": emergency_json if flagged else result_json,
                }
            )
            if flagged:
                continue
            for version in (1, 2) if rng.random() < 0.3 else (1,):
                versions.append(
                    {
                        "profile_id": pid,
                        "version": version,
                        "created_at": start + timedelta(days=21 * (version - 1)),
                        "reason": "bench",
                        "sources": [],
                        "catalog_version": result.catalog_version,
                        "assessment_id": None,
                        "program": program_json[2 if pid in twice else 1],
                        "sessions_per_day": 2 if pid in twice else 1,
                    }
                )
            for day in (14, 28, 42, 60)[: rng.choice((3, 4))]:
                retests.append(
                    {
                        "profile_id": pid,
                        "at": start + timedelta(days=day),
                        "measures": {"thomas_left_hip_deg": 4.0, "thomas_right_hip_deg": 9.0},
                    }
                )
        _chunks(conn, AssessmentRow, assessments)
        _chunks(conn, ProgramVersionRow, versions)
        _chunks(conn, RetestRow, retests)

        active = [p for p in profile_ids if p not in red]
        for block in range(0, len(active), 100):
            sessions: list[dict[str, Any]] = []
            pain: list[dict[str, Any]] = []
            for pid in active[block : block + 100]:
                stopped = rng.random() < 0.1  # no session in the last 10 days
                worse = rng.random() < 0.1
                last_day = DAYS - (10 if stopped else 0)
                if pid in twice:  # some days twice, now and then three times
                    slots = sorted(rng.choices(range(last_day * 2), k=SESSIONS_PER_PATIENT))
                else:
                    slots = sorted(rng.sample(range(last_day), SESSIONS_PER_PATIENT))
                    slots = [2 * d for d in slots]
                for slot in slots:
                    day = slot // 2
                    hour = 7 if slot % 2 == 0 else 18
                    at = start + timedelta(days=day, hours=hour, minutes=rng.randrange(60))
                    sessions.append(
                        {
                            "profile_id": pid,
                            "program_version": 1 if day < 21 else 2,
                            "started_at": at,
                            "ended_at": at + timedelta(minutes=15),
                            "status": "completed" if rng.random() < 0.9 else "quit",
                        }
                    )
                    score = round(5 + (3 if worse else -2) * day / DAYS)
                    pain.append(
                        {"profile_id": pid, "at": at, "score": score, "context": "before_session"}
                    )
                    pain.append(
                        {
                            "profile_id": pid,
                            "at": at + timedelta(minutes=16),
                            "score": max(0, score - 1),
                            "context": "after_session",
                        }
                    )
                    pain.append(
                        {
                            "profile_id": pid,
                            "at": at + timedelta(hours=13),
                            "score": score,
                            "context": "daily",
                        }
                    )
            # Sessions of patients with one version are all version 1.
            with_v2 = {v["profile_id"] for v in versions if v["version"] == 2}
            for s in sessions:
                if s["profile_id"] not in with_v2:
                    s["program_version"] = 1
            ids = [
                row[0]
                for row in conn.execute(
                    insert(SessionRow).returning(SessionRow.id, sort_by_parameter_order=True),
                    sessions,
                )
            ]
            sets = [
                {
                    "session_id": sid,
                    "item_id": step.item_id,
                    "side": step.side,
                    "set_number": step.set_number,
                    "hold_seconds": step.hold_seconds,
                    "reps": step.reps,
                    "minutes": None,
                    "completed_at": s["started_at"] + timedelta(minutes=n),
                    "key": f"s{sid}:{step.key_part}",
                }
                for sid, s in zip(ids, sessions, strict=True)
                for n, step in enumerate(steps)
            ]
            _chunks(conn, SetLogRow, sets)
            _chunks(conn, PainRow, pain)
            counts["sessions"] += len(sessions)
            counts["sets"] += len(sets)
            counts["pain"] += len(pain)
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
    rows = clinic.patient_rows(db, clinician, now)
    flags = {f: sum(1 for r in rows if f in r.flags) for f in clinic.FLAGS}
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


def main() -> None:
    on_both(bench)


if __name__ == "__main__":
    main()
