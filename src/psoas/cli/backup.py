"""``psoas backup PATH`` and ``psoas restore PATH``: the whole database (every account and
profile), online, for SQLite; PostgreSQL gets the commands of its own tools."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from psoas.cli.common import Format, FormatOption, echo_json, fail

if TYPE_CHECKING:
    from psoas.services.backup import Summary


def _url() -> str:
    from psoas.settings import Settings

    return Settings().resolved_database_url()


def format_summary(summary: Summary) -> list[str]:
    rows = ", ".join(f"{n} {t.replace('_', ' ')}" for t, n in summary.rows.items())
    return [
        f"{summary.path} ({summary.bytes:,} bytes, schema {summary.revision}), checked: ok",
        f"Holds: {rows}.",
    ]


def _summary_json(summary: Summary) -> dict[str, object]:
    return {
        "path": str(summary.path),
        "bytes": summary.bytes,
        "schema": summary.revision,
        "rows": summary.rows,
        "integrity": "ok",
    }


def backup(
    path: Annotated[Path, typer.Argument(help="the backup file to write (replaced if it exists)")],
    format: FormatOption = Format.text,
) -> None:
    """Copy the whole database to PATH while psoas keeps running (SQLite), and check the copy."""
    from psoas.services import backup as backup_service

    try:
        summary = backup_service.backup(_url(), path)
    except backup_service.BackupError as exc:
        raise fail(str(exc).splitlines()) from exc
    if format == Format.json:
        echo_json(_summary_json(summary))
    else:
        typer.echo("\n".join(["Backup written and checked:", *format_summary(summary)]))


def restore(
    path: Annotated[Path, typer.Argument(help="a backup made by `psoas backup`")],
    yes: Annotated[bool, typer.Option("--yes", help="do not ask before replacing")] = False,
    format: FormatOption = Format.text,
) -> None:
    """Replace the database with the backup at PATH (the one replaced is kept beside it).
    Stop the web app first: people signed in would otherwise keep writing to the old one."""
    from psoas.services import backup as backup_service

    url = _url()
    try:
        incoming = backup_service.check(path)
        target = backup_service.sqlite_file(url)
    except backup_service.BackupError as exc:
        raise fail(str(exc).splitlines()) from exc
    if not yes and target.exists():
        typer.echo("\n".join(["Restoring:", *format_summary(incoming)]))
        if not typer.confirm(f"Replace the database at {target}?"):
            raise typer.Exit(1)
    try:
        summary, kept = backup_service.restore(url, path, now=datetime.now(UTC))
    except backup_service.BackupError as exc:
        raise fail(str(exc).splitlines()) from exc
    if format == Format.json:
        echo_json({**_summary_json(summary), "previous": str(kept) if kept else None})
        return
    lines = ["Restored:", *format_summary(summary)]
    if kept:
        lines.append(f"The database it replaced is kept at {kept}.")
    typer.echo("\n".join(lines))
