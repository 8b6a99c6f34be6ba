"""Weeks of use, then progress, adaptation, exports and import, as a person runs them."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
from fhir.resources.R4B.bundle import Bundle

from psoas.catalog import load_catalog
from psoas.domain.assess import assess
from psoas.domain.session_plan import session_steps
from psoas.domain.tracking import History
from psoas.services import accounts, fixtures, tracking
from psoas.services.assessment import parse_intake
from psoas.storage.db import Database
from tests.cli_runner import Outcome, invoke
from tests.conftest import EXAMPLES


def run(url: str, *args: str) -> Outcome:
    return invoke(*args, env={"PSOAS_DATABASE_URL": url, "PSOAS_PROFILE": "kim"})


def three_good_weeks(db: Database, *, pain_after_delta: int = -1) -> History:
    """A program started 21 days ago, done twice a day and never stopped halfway, pain easing
    (the office worker with an hour a day, so there is room to step up). Today counts whole
    in adherence, so the figure moves with the hour the test runs: with no halfway sessions
    it stays above 0.93 at every minute of the day (0.897 at 07:40 UTC with the default 5%
    stopped halfway, which once failed CI)."""
    history = fixtures.build(
        fixtures.example_intake(minutes_per_day=60),
        now=datetime.now(UTC),
        days=21,
        adherence=1.0,
        quit_rate=0.0,
        session_effect=pain_after_delta,
    )
    fixtures.store(db, history, name="kim")
    return history


def test_progress_reads_the_weeks_and_steps_up_as_a_new_version(database_url: str) -> None:
    db = Database(database_url)
    three_good_weeks(db)
    db.close()
    shown = run(database_url, "progress", "-f", "json")
    assert shown.returncode == 0, shown.stderr
    report = json.loads(shown.stdout)
    assert report["summary"]["adherence_28"]["fraction"] > 0.9
    assert report["decision"]["kind"] == "progress"
    text = run(database_url, "progress")
    assert "Next: step up" in text.stdout and "Sessions, last 7 days" in text.stdout
    applied = run(database_url, "progress", "--apply")
    assert applied.returncode == 0, applied.stderr
    assert "Program version 2 saved" in applied.stderr
    db = Database(database_url)
    versions = tracking.history(db, profile_name="kim").programs
    db.close()
    assert [v.version for v in versions] == [1, 2]
    assert versions[1].reason.startswith("progress")
    old = {i.id: i.dose for i in versions[0].program.items}
    new = {i.id: i.dose for i in versions[1].program.items}
    assert old != new  # something got harder, and version 1 is kept as it was


def test_a_red_flag_after_good_weeks_holds_back_every_terminal_surface(database_url: str) -> None:
    """Three weeks that would step up, then an urgent warning sign: progress holds, --apply
    changes nothing (no traceback), and the session, calendar and handout are held back."""
    db = Database(database_url)
    three_good_weeks(db)
    doc = json.loads((EXAMPLES / "office-worker.json").read_text())
    doc["red_flags"] = {**doc.get("red_flags", {}), "significant_trauma": True}
    intake = parse_intake(json.dumps(doc))
    result = assess(intake, load_catalog())
    assert result.triage.level == "urgent" and result.program is None
    tracking.save_assessment(
        db, profile_name="kim", intake=intake, assessment=result, now=datetime.now(UTC)
    )
    db.close()
    shown = run(database_url, "progress", "-f", "json")
    assert shown.returncode == 0, shown.stderr
    decision = json.loads(shown.stdout)["decision"]
    assert decision["kind"] == "hold" and decision["program"] is None
    assert decision["rule"] == "held-back"
    assert "held back" in decision["message"]
    text = run(database_url, "progress")
    assert "Next: step up" not in text.stdout
    assert "held back" in text.stdout
    # hip-flexor measurements are set aside under a warning sign, as on the result
    assert "Thomas" not in text.stdout
    applied = run(database_url, "progress", "--apply")
    assert "Traceback" not in applied.stderr
    assert applied.returncode == 0 and "Nothing applied" in applied.stderr
    db = Database(database_url)
    assert [v.version for v in tracking.history(db, profile_name="kim").programs] == [1]
    db.close()
    for command in (("session",), ("export", "-f", "ics")):
        refused = run(database_url, *command)
        assert refused.returncode != 0, command
        assert "held back" in refused.stderr, command
        assert "Traceback" not in refused.stderr, command


def test_pain_worse_after_sessions_steps_back_and_advises_a_clinician(database_url: str) -> None:
    db = Database(database_url)
    three_good_weeks(db, pain_after_delta=3)
    db.close()
    shown = run(database_url, "progress", "-f", "json")
    decision = json.loads(shown.stdout)["decision"]
    assert decision["kind"] == "regress"
    assert decision["advise_clinician"] is True


def test_charts_are_written(database_url: str, tmp_path: Path) -> None:
    db = Database(database_url)
    three_good_weeks(db)
    db.close()
    done = run(database_url, "progress", "--charts", str(tmp_path), "--chart-format", "svg")
    assert done.returncode == 0, done.stderr
    assert {p.name for p in tmp_path.iterdir()} >= {"pain.svg", "adherence.svg"}


def test_every_export_format_and_a_backup_that_restores_exactly(
    database_url: str, tmp_path: Path
) -> None:
    db = Database(database_url)
    three_good_weeks(db)
    original = tracking.history(db, profile_name="kim")
    db.close()
    backup = tmp_path / "backup.json"
    assert run(database_url, "export", "-f", "json", "-o", str(backup)).returncode == 0
    rows = list(csv.DictReader(io.StringIO(run(database_url, "export", "-f", "csv").stdout)))
    assert len([r for r in rows if r["kind"] == "set"]) == len(original.sets)
    bundle = Bundle.model_validate_json(run(database_url, "export", "-f", "fhir").stdout)
    kinds = {e.resource.get_resource_type() for e in bundle.entry}
    assert {"Patient", "CarePlan", "Observation"} <= kinds
    calendar = icalendar.Calendar.from_ical(run(database_url, "export", "-f", "ics").stdout)
    events = calendar.walk("VEVENT")
    assert events and all(e.walk("VALARM") for e in events)
    handout = tmp_path / "handout.pdf"
    printed = run(database_url, "export", "-f", "pdf", "-o", str(handout))
    assert printed.returncode == 0, printed.stderr
    assert handout.read_bytes().startswith(b"%PDF-")
    # restore under another name in the same database, then compare
    restored = run(database_url, "import", str(backup), "--name", "kim-copy")
    assert restored.returncode == 0, restored.stderr
    db = Database(database_url)
    copy = tracking.history(db, profile_name="kim-copy")
    db.close()
    strip = {"profile": True, "assessments": {"__all__": {"id"}}, "sessions": {"__all__": {"id"}}}
    assert copy.model_dump(exclude=strip, mode="json")["sets"].__len__() == len(original.sets)
    assert [p.score for p in copy.pain] == [p.score for p in original.pain]
    assert copy.programs == original.programs or [
        p.model_copy(update={"assessment_id": None}) for p in copy.programs
    ] == [p.model_copy(update={"assessment_id": None}) for p in original.programs]


def test_a_corrupt_backup_changes_nothing(database_url: str, tmp_path: Path) -> None:
    db = Database(database_url)
    three_good_weeks(db)
    good = tracking.history(db, profile_name="kim")
    db.close()
    bad = json.loads(good.model_dump_json())
    bad["pain"][3]["score"] = 11
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    done = run(database_url, "import", str(path), "--name", "other")
    assert done.returncode == 2
    assert "pain[3].score" in done.stderr
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json")
    assert run(database_url, "import", str(garbage)).returncode == 2
    listed = run(database_url, "profiles", "-f", "json")
    assert [p["name"] for p in json.loads(listed.stdout)] == ["kim"]


# --- the history builder (psoas.services.fixtures) ---------------------------------------------

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_a_built_history_is_stored_as_it_was_built(database_url: str) -> None:
    built = fixtures.build(
        fixtures.example_intake(),
        now=NOW,
        days=60,
        seed=3,
        step_up_on=(21,),
        breaks_per_workday=3,
    )
    db = Database(database_url)
    fixtures.store(db, built, name="kim")
    stored = tracking.history(db, profile_name="kim")
    with pytest.raises(tracking.TrackingError, match="already exists"):
        fixtures.store(db, built, name="kim")
    db.close()
    ids = {
        "profile": True,
        "assessments": {"__all__": {"id"}},
        "programs": {"__all__": {"assessment_id"}},
        "sessions": {"__all__": {"id"}},
        "sets": {"__all__": {"session_id"}},
        "pain": {"__all__": {"session_id"}},
    }
    assert stored.model_dump(exclude=ids) == built.model_dump(exclude=ids)
    new_id = {b.id: s.id for b, s in zip(built.sessions, stored.sessions, strict=True)}
    assert [new_id[e.session_id] for e in built.sets] == [e.session_id for e in stored.sets]
    assert [p.session_id and new_id[p.session_id] for p in built.pain] == [
        p.session_id for p in stored.pain
    ]
    assert [p.assessment_id for p in stored.programs] == [stored.assessments[0].id, None]


def test_a_built_history_fills_a_new_accounts_empty_profile(database_url: str) -> None:
    """As the demo clinic does: the profile a patient's sign-up made takes the history (the
    account keeps pointing at it); once it holds anything, storing into it is refused."""
    built = fixtures.build(
        fixtures.example_intake(), now=NOW, days=30, seed=4, breaks_per_workday=2
    )
    db = Database(database_url)
    user = accounts.sign_up(
        db,
        email="kim@example.org",
        password="a long and quiet river",
        display_name="Kim",
        role="patient",
        now=NOW - timedelta(days=31),
    )
    profile = fixtures.store(db, built, name=user.profile_name)
    assert profile.id == user.profile_id
    stored = tracking.history(db, profile_name=user.profile_name)
    assert stored.profile.created_at == NOW - timedelta(days=31)  # the sign-up's
    assert len(stored.sessions) == len(built.sessions) > 20
    assert len(stored.sets) == len(built.sets) and len(stored.pain) == len(built.pain)
    assert stored.breaks == built.breaks and stored.retests == built.retests
    assert stored.psfs == built.psfs
    assert [a.result for a in stored.assessments] == [a.result for a in built.assessments]
    with pytest.raises(tracking.TrackingError, match="already exists"):
        fixtures.store(db, built, name=user.profile_name)
    db.close()


def test_the_builder_is_seeded_and_its_knobs_do_what_they_say() -> None:
    office = fixtures.example_intake()
    base = fixtures.build(office, now=NOW, days=42, seed=1)
    assert base == fixtures.build(office, now=NOW, days=42, seed=1)
    assert base != fixtures.build(office, now=NOW, days=42, seed=2)
    start = NOW - timedelta(days=42)
    times = [
        *(s.started_at for s in base.sessions),
        *(e.completed_at for e in base.sets),
        *(e.at for e in (*base.pain, *base.psfs, *base.retests)),
    ]
    assert start <= min(times) and max(times) <= NOW
    assert len(base.psfs) == 4 and len(base.retests) == 3  # days 0, 14, 28, 42
    # the real session plan, with the dose of each step
    plan = session_steps(base.programs[0].program, load_catalog())
    first = [e for e in base.sets if e.session_id == base.sessions[0].id]
    assert [(e.item_id, e.side, e.set_number) for e in first] == [k for s in plan for k in s.keys][
        : len(first)
    ]

    def last_week(h: History) -> float:
        scores = [p.score for p in h.pain if p.at > NOW - timedelta(days=7)]
        return sum(scores) / len(scores)

    worse = fixtures.build(office, now=NOW, days=42, seed=1, pain="worsening")
    assert last_week(base) <= office.pain.intensity_now - 2
    assert last_week(worse) >= office.pain.intensity_now + 2
    assert base.psfs[-1].mean > base.psfs[0].mean and worse.psfs[-1].mean < worse.psfs[0].mean

    per_day = base.programs[0].program.sessions_per_day
    every = fixtures.build(office, now=NOW, days=42, adherence=1.0, quit_rate=0.0)
    assert len(every.sessions) >= 41 * per_day
    assert {s.status for s in every.sessions} == {"completed"}
    once = fixtures.build(office, now=NOW, days=42, adherence=1.0, sessions_per_day=1)
    assert len({s.started_at.date() for s in once.sessions}) == len(once.sessions)
    stopped = fixtures.build(office, now=NOW, days=42, stopped_days_ago=10)
    assert max(s.started_at for s in stopped.sessions) < NOW - timedelta(days=9)
    stepped = fixtures.build(office, now=NOW, days=42, step_up_on=(21,))
    assert [v.version for v in stepped.programs] == [1, 2]
    assert stepped.programs[1].reason.startswith("progress: ")
    assert {s.program_version for s in stepped.sessions} == {1, 2}
    assert all(len({e.session_id for e in h.sets}) == len(h.sessions) for h in (base, stepped))

    emergency = office.model_copy(
        update={"red_flags": office.red_flags.model_copy(update={"saddle_numbness": True})}
    )
    held = fixtures.build(emergency, now=NOW, days=42)
    assert held.assessments and not held.programs and not held.sessions and not held.pain
