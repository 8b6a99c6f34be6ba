"""Storage on a real SQLite file and the real PostgreSQL: migrations, records, history."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import inspect

from psoas.catalog import load_catalog
from psoas.domain.assess import assess
from psoas.domain.tracking import BreakEvent, PsfsActivity, PsfsEntry, Retest, SetLog
from psoas.services import tracking
from psoas.services.assessment import parse_intake
from psoas.storage.db import Database, downgrade, make_engine, migrate
from psoas.storage.tables import Base
from tests.conftest import EXAMPLES, make_intake, postgres_url_with_fresh_schema

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def saved(db: Database, name: str = "ana"):  # type: ignore[no-untyped-def]
    intake = parse_intake((EXAMPLES / "office-worker.json").read_bytes())
    result = assess(intake, load_catalog())
    return tracking.save_assessment(db, profile_name=name, intake=intake, assessment=result, now=T0)


def test_migrations_go_from_empty_to_head_and_back(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    migrate(engine)
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    downgrade(engine, "base")
    assert not set(Base.metadata.tables) & set(inspect(engine).get_table_names())
    migrate(engine)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_migrating_down_and_up_again_keeps_every_row(database_url: str) -> None:
    """A migration that rebuilds a table (SQLite's batch mode copies it and drops the old one)
    must not cascade: the users table rebuilt once deleted every account's notes, invitations,
    tokens and audit entries. Every row of every table kept across the revisions survives."""
    from sqlalchemy import select, text

    from psoas.services import accounts
    from psoas.storage.tables import UserRow
    from psoas.web.demo import load_demo

    db = Database(database_url)
    load_demo(db, T0)
    with db.session() as s:
        first = s.scalars(select(UserRow.id).where(UserRow.role == "clinician")).first()
    clinician = accounts.get_user(db, user_id=first)
    assert clinician is not None
    accounts.create_api_token(db, user=clinician, name="laptop", now=T0, scope="write")
    accounts.start_session(db, user=clinician, now=T0)
    db.close()
    engine = make_engine(database_url)

    def counts() -> dict[str, int]:
        with engine.connect() as conn:
            return {
                table: conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
                for table in inspect(engine).get_table_names()
                if table != "alembic_version"
            }

    at_head = counts()
    assert at_head["api_tokens"] and at_head["audit_log"] and at_head["clinic_notes"]
    downgrade(engine, "0005")
    down = counts()
    assert {t: n for t, n in down.items() if t in at_head and n != at_head[t]} == {}
    migrate(engine)
    assert {t: n for t, n in counts().items() if t in down and n != down[t]} == {}
    engine.dispose()


def test_programs_saved_before_the_column_keep_their_sessions_a_day(
    empty_database_url: str, tmp_path: Path
) -> None:
    """Migration 0004 fills program_versions.sessions_per_day from each stored program."""
    import json

    from sqlalchemy import text

    engine = make_engine(empty_database_url)
    migrate(engine, "0003")
    program = saved(Database(f"sqlite:///{tmp_path / 'x.db'}"), "twice").program
    assert program.sessions_per_day == 2  # the office worker sits 8 hours a day
    with engine.begin() as conn:  # a version stored before the column, as 0003 knew it
        conn.execute(
            text("INSERT INTO profiles (id, name, created_at) VALUES (1, 'twice', :at)"),
            {"at": T0},
        )
        conn.execute(
            text(
                "INSERT INTO program_versions (profile_id, version, created_at, reason, sources,"
                " catalog_version, program) VALUES (1, 1, :at, 'first', '[]', 'v', :program)"
            ),
            {"at": T0, "program": json.dumps(program.model_dump(mode="json"))},
        )
    migrate(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT sessions_per_day FROM program_versions").all() == [(2,)]
    engine.dispose()


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    db.close()


def test_assessment_and_program_versions_are_kept(db: Database) -> None:
    first = saved(db)
    assert first is not None and first.version == 1
    second = saved(db)
    assert second is not None and second.version == 2
    history = tracking.history(db, profile_name="ana")
    assert [p.version for p in history.programs] == [1, 2]
    assert history.programs[0].program == first.program
    assert history.programs[0].catalog_version == load_catalog().version


def test_a_red_flag_assessment_holds_back_the_program(db: Database) -> None:
    saved(db)
    intake = make_intake(red_flags={"saddle_numbness": True})
    result = assess(intake, load_catalog())
    assert (
        tracking.save_assessment(db, profile_name="ana", intake=intake, assessment=result, now=T0)
        is None
    )
    with pytest.raises(tracking.TrackingError, match="held back"):
        tracking.start_session(db, profile_name="ana", now=T0)


def test_sets_are_saved_once_per_key(db: Database) -> None:
    saved(db)
    session, version = tracking.start_session(db, profile_name="ana", now=T0)
    assert session.id is not None
    item = version.program.items[1].id
    entry = SetLog(
        session_id=session.id,
        item_id=item,
        side="left",
        set_number=1,
        hold_seconds=30,
        completed_at=T0 + timedelta(minutes=1),
        key="k-0001-abcdef",
    )
    assert tracking.log_set(db, entry=entry) is True
    assert tracking.log_set(db, entry=entry) is False
    history = tracking.history(db, profile_name="ana")
    assert len(history.sets) == 1
    assert history.sets[0] == entry


def test_unknown_item_is_refused_and_nothing_is_written(db: Database) -> None:
    saved(db)
    session, _ = tracking.start_session(db, profile_name="ana", now=T0)
    assert session.id is not None
    bad = SetLog(
        session_id=session.id,
        item_id="no-such-item",
        set_number=1,
        completed_at=T0,
        key="bad-key-1",
    )
    with pytest.raises(tracking.TrackingError, match="no-such-item"):
        tracking.log_set(db, entry=bad)
    assert tracking.history(db, profile_name="ana").sets == ()


def test_bad_values_are_refused_before_anything_is_written(db: Database) -> None:
    saved(db)
    with pytest.raises(ValidationError, match="less than or equal to 10"):
        tracking.log_pain(db, profile_name="ana", score=11, now=T0)
    with pytest.raises(ValidationError):
        PsfsEntry(at=T0, activities=(PsfsActivity(activity="sitting", score=3),))
    assert tracking.history(db, profile_name="ana").pain == ()


def test_finished_session_is_never_rewritten(db: Database) -> None:
    saved(db)
    session, _ = tracking.start_session(db, profile_name="ana", now=T0)
    assert session.id is not None
    tracking.finish_session(db, session_id=session.id, status="completed", now=T0)
    tracking.finish_session(db, session_id=session.id, status="quit", now=T0 + timedelta(hours=1))
    (stored,) = tracking.history(db, profile_name="ana").sessions
    assert (stored.status, stored.ended_at) == ("completed", T0)


def test_history_holds_everything_in_time_order_and_restores_exactly(db: Database) -> None:
    saved(db)
    session, version = tracking.start_session(db, profile_name="ana", now=T0)
    assert session.id is not None
    tracking.log_pain(
        db, profile_name="ana", score=5, now=T0, context="before_session", session_id=session.id
    )
    for n in (1, 2):
        tracking.log_set(
            db,
            entry=SetLog(
                session_id=session.id,
                item_id=version.program.items[1].id,
                side="right",
                set_number=n,
                hold_seconds=30,
                completed_at=T0 + timedelta(minutes=n),
                key=f"key-{n}-0000000",
            ),
        )
    tracking.finish_session(
        db, session_id=session.id, status="completed", now=T0 + timedelta(minutes=9)
    )
    tracking.log_pain(db, profile_name="ana", score=3, now=T0 + timedelta(hours=3))
    tracking.log_psfs(
        db,
        profile_name="ana",
        entry=PsfsEntry(
            at=T0,
            activities=(
                PsfsActivity(activity="getting out of the car", score=4),
                PsfsActivity(activity="standing at a party", score=5),
                PsfsActivity(activity="walking the dog", score=6),
            ),
        ),
    )
    tracking.log_retest(db, profile_name="ana", retest=Retest(at=T0, thomas_right_hip_deg=12.5))
    tracking.record_break(
        db, profile_name="ana", event=BreakEvent(at=T0, kind="snoozed", snooze_minutes=10)
    )
    original = tracking.history(db, profile_name="ana")
    assert [p.score for p in original.pain] == [5, 3]
    assert len(original.sets) == 2 and original.psfs[0].mean == 5
    # restore into a fresh database of the same kind: the same history, exactly
    if db.url.startswith("sqlite"):
        urls = iter([db.url.replace("psoas.db", "restored.db")])
    else:
        urls = postgres_url_with_fresh_schema()
    other = Database(next(urls))
    try:
        restored_profile = tracking.restore(other, backup=original)
        restored = tracking.history(other, profile_name=restored_profile.name)
        assert restored.model_copy(update={"profile": original.profile}) == original
        with pytest.raises(tracking.TrackingError, match="already exists"):
            tracking.restore(other, backup=original)
    finally:
        other.close()
        for _ in urls:  # let the schema generator drop its schema
            pass


def test_two_processes_logging_at_once_lose_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    db = Database(url)
    saved(db)
    session, version = tracking.start_session(db, profile_name="ana", now=T0)
    item = version.program.items[1].id
    db.close()
    script = f"""
import sys
from datetime import UTC, datetime
from psoas.domain.tracking import SetLog
from psoas.services import tracking
from psoas.storage.db import Database
db = Database({url!r})
who = sys.argv[1]
for n in range(60):
    tracking.log_set(db, entry=SetLog(session_id={session.id}, item_id={item!r}, set_number=1,
        completed_at=datetime.now(UTC), key=f"{{who}}-{{n:04d}}-xxxx"))
    tracking.log_pain(db, profile_name="ana", score=n % 11, now=datetime.now(UTC))
"""
    procs = [subprocess.Popen([sys.executable, "-c", script, who]) for who in ("alpha", "bravo")]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    db = Database(url)
    history = tracking.history(db, profile_name="ana")
    assert len(history.sets) == 120
    assert len(history.pain) == 120
    db.close()


def test_the_migrations_match_the_tables(empty_database_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = make_engine(empty_database_url)
    migrate(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []
