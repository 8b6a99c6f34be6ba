"""Backups that restore, taken while the app writes: ``psoas backup`` / ``psoas restore`` on a
SQLite file (SQLite's backup API), and the documented pg_dump / pg_restore procedure on
PostgreSQL. A thread logs sets the whole time; the backup passes an integrity check and holds
every set committed before it began."""

from __future__ import annotations

import sqlite3
import subprocess
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.pool import NullPool
from typer.testing import CliRunner

from psoas.catalog import load_catalog
from psoas.cli.app import app
from psoas.domain.assess import assess
from psoas.domain.tracking import SetLog
from psoas.services import backup, tracking
from psoas.storage.db import Database
from psoas.storage.tables import SetLogRow
from tests.conftest import PG_URL, make_intake, postgres_url_with_fresh_schema, require_tool

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class Writer(threading.Thread):
    """Logs sets one transaction each until stopped; remembers each key once committed."""

    def __init__(self, db: Database, session_id: int, item_id: str):
        super().__init__(daemon=True)
        self.db, self.session_id, self.item_id = db, session_id, item_id
        self.committed: list[str] = []
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        n = 0
        try:
            while not self.stop.is_set():
                n += 1
                key = f"k{n}"
                with self.db.session() as s, s.begin():
                    s.add(
                        SetLogRow(
                            session_id=self.session_id,
                            item_id=self.item_id,
                            side=None,
                            set_number=n,
                            reps=10,
                            completed_at=NOW + timedelta(seconds=n),
                            key=key,
                        )
                    )
                self.committed.append(key)
        except BaseException as exc:  # shown by the test
            self.error = exc


def seeded(url: str) -> tuple[Database, int, str]:
    """A database with one profile, its program and a session to log sets into."""
    db = Database(url)
    intake = make_intake()
    tracking.save_assessment(
        db, profile_name="me", intake=intake, assessment=assess(intake, load_catalog()), now=NOW
    )
    record, version = tracking.start_session(db, profile_name="me", now=NOW)
    assert record.id is not None
    # a larger file, so that the copy takes a while as the writer goes on
    for i in range(300):
        tracking.log_set(
            db,
            entry=SetLog(
                session_id=record.id,
                item_id=version.program.items[0].id,
                side=None,
                set_number=1,
                reps=1,
                completed_at=NOW,
                key=f"seed-{i}-" + "x" * 60,
            ),
        )
    return db, record.id, version.program.items[0].id


def stored_keys(db: Database) -> set[str]:
    with db.session() as s:
        return set(s.scalars(select(SetLogRow.key)))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'live' / 'psoas.db'}"


def test_a_backup_taken_while_sets_are_logged_restores_every_committed_set(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, sid, item = seeded(sqlite_url)
    writer = Writer(db, sid, item)
    writer.start()
    while len(writer.committed) < 50:  # the writer is well under way
        assert writer.error is None and writer.is_alive()
    rounds = []
    for n in range(5):  # several backups during the writes
        before = list(writer.committed)
        summary = backup.backup(sqlite_url, tmp_path / f"b{n}.db")
        after = len(writer.committed)
        rounds.append((before, summary, after))
    writer.stop.set()
    writer.join(timeout=30)
    assert writer.error is None, writer.error
    for before, summary, after in rounds:
        conn = sqlite3.connect(summary.path)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        keys = {k for (k,) in conn.execute("SELECT key FROM set_logs")}
        conn.close()
        assert set(before) <= keys  # every set committed before the backup began
        logged = {k for k in keys if not k.startswith("seed-")}
        assert len(logged) <= after  # and nothing that was not committed by its end
        assert not (tmp_path / f"{summary.path.name}-wal").exists()
    # the CLI restores the last one into a new place, and psoas reads it
    restored_url = f"sqlite:///{tmp_path / 'new' / 'psoas.db'}"
    monkeypatch.setenv("PSOAS_DATABASE_URL", restored_url)
    result = CliRunner().invoke(app, ["restore", str(rounds[-1][1].path), "--yes"])
    assert result.exit_code == 0, result.output
    assert "Restored:" in result.output and "checked: ok" in result.output
    again = Database(restored_url)
    assert set(rounds[-1][0]) <= stored_keys(again)
    assert tracking.current_program(again, profile_name="me").version == 1
    again.close()
    db.close()


def test_the_cli_backs_up_and_restore_keeps_the_database_it_replaces(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, _sid, _item = seeded(sqlite_url)
    monkeypatch.setenv("PSOAS_DATABASE_URL", sqlite_url)
    made = CliRunner().invoke(app, ["backup", str(tmp_path / "psoas-backup.db"), "-f", "json"])
    assert made.exit_code == 0, made.output
    assert '"integrity": "ok"' in made.output and '"set_logs": 300' in made.output
    # something changes after the backup, then the backup is restored over it
    tracking.log_pain(db, profile_name="me", score=7, now=NOW)
    db.close()
    done = CliRunner().invoke(app, ["restore", str(tmp_path / "psoas-backup.db"), "--yes"])
    assert done.exit_code == 0, done.output
    kept = next((tmp_path / "live").glob("psoas.before-restore-*.db"))
    assert f"kept at {kept}" in done.output.replace("\n", "")
    back = Database(sqlite_url)
    assert tracking.history(back, profile_name="me").pain == ()
    back.close()
    assert backup.check(kept).rows["pain_ratings"] == 1


def test_restore_refuses_a_file_that_is_not_a_psoas_backup(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, _sid, _item = seeded(sqlite_url)
    db.close()
    monkeypatch.setenv("PSOAS_DATABASE_URL", sqlite_url)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    for bad, why in ((junk, "not a SQLite database"), (other, "not a psoas database")):
        result = CliRunner().invoke(app, ["restore", str(bad), "--yes"])
        assert result.exit_code == 2
        assert why in result.output
    assert backup.check(Path(sqlite_url.split("///")[1])).rows["set_logs"] == 300


def test_postgresql_is_told_to_use_pg_dump(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PSOAS_DATABASE_URL", "postgresql://psoas@db.example/psoas")
    result = CliRunner().invoke(app, ["backup", "x.db"])
    assert result.exit_code == 2
    assert "pg_dump --format=custom" in result.output


# --- PostgreSQL: the documented procedure ------------------------------------------------------


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from postgres_url_with_fresh_schema()


def _plain(url: str) -> str:
    """A libpq URL (no SQLAlchemy driver, no search_path option)."""
    return url.split("?", 1)[0].replace("postgresql+psycopg://", "postgresql://")


def test_pg_dump_while_sets_are_logged_restores_every_committed_set(
    pg_url: str, tmp_path: Path
) -> None:
    pg_dump = require_tool("pg_dump", "postgresql-client")
    pg_restore = require_tool("pg_restore", "postgresql-client")
    schema = pg_url.rsplit("%3D", 1)[1]
    db, sid, item = seeded(pg_url)
    writer = Writer(db, sid, item)
    writer.start()
    while len(writer.committed) < 50:
        assert writer.error is None and writer.is_alive()
    before = list(writer.committed)
    dump = tmp_path / "psoas.dump"
    subprocess.run(
        [pg_dump, "--format=custom", f"--schema={schema}", f"--file={dump}", _plain(PG_URL)],
        check=True,
    )
    writer.stop.set()
    writer.join(timeout=30)
    assert writer.error is None, writer.error
    db.close()
    # restore into an empty database, as docs/backups.md says
    name = f"restore_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        target = _plain(PG_URL).rsplit("/", 1)[0] + f"/{name}"
        subprocess.run(
            [pg_restore, "--no-owner", "--exit-on-error", f"--dbname={target}", str(dump)],
            check=True,
        )
        restored = Database(
            f"{target}?options=-csearch_path%3D{schema}".replace(
                "postgresql://", "postgresql+psycopg://"
            )
        )
        keys = stored_keys(restored)
        assert set(before) <= keys
        assert tracking.current_program(restored, profile_name="me").version == 1
        restored.close()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
