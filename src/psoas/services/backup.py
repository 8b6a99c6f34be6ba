"""Whole-database backups that restore: ``psoas backup PATH`` and ``psoas restore PATH``.

SQLite (the default): an online copy with SQLite's own backup API, taken in one step inside one
read transaction, so it is a consistent snapshot even while the web app keeps writing (in WAL
mode readers and writers do not block each other). The copy is checked (``PRAGMA
integrity_check``) and written as one self-contained file (no ``-wal`` beside it) before it
replaces anything at PATH. Restoring copies a checked backup back with the same API, keeps the
database it replaces beside it, and brings the schema up to this version of psoas.

PostgreSQL: the server's own tools do this better than an application can (``pg_dump`` takes
one consistent snapshot while the app writes); the commands are in docs/backups.md, and
:func:`backup` refuses with them.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from psoas.storage.db import Database

#: Tables a psoas database always has: a file without them is not a psoas backup.
_REQUIRED = ("alembic_version", "profiles", "users")
#: The rows counted in a backup's summary: the person's records and the accounts.
COUNTED = (
    "users",
    "profiles",
    "assessments",
    "program_versions",
    "sessions",
    "set_logs",
    "pain_ratings",
    "psfs_entries",
    "audit_log",
)

POSTGRES_PROCEDURE = (
    "This database is PostgreSQL: back it up with its own tools (one consistent snapshot while "
    "the app runs):\n"
    '  pg_dump --format=custom --file=psoas.dump "$PSOAS_DATABASE_URL"\n'
    "and restore into an empty database with:\n"
    '  pg_restore --no-owner --exit-on-error --dbname="$PSOAS_DATABASE_URL" psoas.dump\n'
    "(docs/backups.md has the details)."
)


class BackupError(RuntimeError):
    """The backup or restore cannot be done; the message says why in plain words."""


@dataclass(frozen=True)
class Summary:
    """What a backup file holds."""

    path: Path
    bytes: int
    revision: str
    rows: dict[str, int]


def sqlite_file(url: str) -> Path:
    """The file of a SQLite database URL; BackupError for PostgreSQL or an in-memory database."""
    if not url.startswith("sqlite"):
        raise BackupError(POSTGRES_PROCEDURE)
    path = url.split("///", 1)[-1]
    if path in ("", ":memory:"):
        raise BackupError("an in-memory database has nothing to back up")
    return Path(path).expanduser()


def check(path: Path) -> Summary:
    """The summary of a psoas SQLite file, or BackupError when it is damaged or not psoas's."""
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"{path}: cannot be opened ({exc})") from exc
    try:
        verdict = conn.execute("PRAGMA integrity_check").fetchone()
        if verdict is None or verdict[0] != "ok":
            raise BackupError(f"{path}: the file is damaged ({verdict[0] if verdict else '?'})")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        missing = [t for t in _REQUIRED if t not in tables]
        if missing:
            raise BackupError(f"{path}: not a psoas database (no {', '.join(missing)} table)")
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        rows = {
            t: int(conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0])
            for t in COUNTED
            if t in tables
        }
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path}: not a SQLite database ({exc})") from exc
    finally:
        conn.close()
    return Summary(path=path, bytes=path.stat().st_size, revision=revision[0], rows=rows)


def _copy(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    """Every page in one step: one read transaction, so one consistent snapshot."""
    source.backup(target, pages=-1)


def backup(url: str, dest: Path) -> Summary:
    """Copy the SQLite database at ``url`` to ``dest`` while it is in use; a checked copy only
    replaces ``dest`` once complete."""
    source_path = sqlite_file(url)
    if not source_path.is_file():
        raise BackupError(f"{source_path}: there is no database yet")
    dest = dest.expanduser()
    if dest.resolve() == source_path.resolve():
        raise BackupError("the backup must go to another file than the database itself")
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(f".{dest.name}.partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(source_path, timeout=30)
    target = sqlite3.connect(partial)
    try:
        _copy(source, target)
        target.execute("PRAGMA journal_mode=DELETE")  # one file, no -wal beside it
    finally:
        target.close()
        source.close()
    try:
        summary = check(partial)
    except BackupError:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, dest)
    return Summary(path=dest, bytes=summary.bytes, revision=summary.revision, rows=summary.rows)


def restore(url: str, src: Path, *, now: datetime) -> tuple[Summary, Path | None]:
    """Replace the SQLite database at ``url`` with the backup ``src`` (checked first) and
    migrate it to this version's schema. The database it replaces is kept beside it; returns
    the restored summary and where the old one went (None when there was none)."""
    target_path = sqlite_file(url)
    src = src.expanduser()
    check(src)
    kept: Path | None = None
    if target_path.is_file():
        kept = target_path.with_name(
            f"{target_path.stem}.before-restore-{now:%Y%m%dT%H%M%S}{target_path.suffix}"
        )
        backup(url, kept)
    target_path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    target = sqlite3.connect(target_path, timeout=30)
    try:
        _copy(source, target)
        target.execute("PRAGMA journal_mode=WAL")
    finally:
        target.close()
        source.close()
    Database(url).close()  # brings an older backup's schema up to this version
    return check(target_path), kept
