"""Exports and backups for a profile: JSON backup, CSV of logs, FHIR bundle, iCalendar."""

from __future__ import annotations

from datetime import datetime

from psoas.catalog import load_catalog
from psoas.domain.tracking import Profile
from psoas.reports import exports as formats
from psoas.services import tracking
from psoas.storage.db import Database

FORMATS = ("json", "csv", "fhir", "ics")
ImportProblem = formats.ExportError


def export(db: Database, *, profile_name: str, fmt: str, now: datetime) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(f"--format: must be one of {', '.join(FORMATS)}, not {fmt!r}")
    history = tracking.history(db, profile_name=profile_name)
    if fmt == "json":
        return formats.history_to_json(history).encode()
    if fmt == "csv":
        return formats.history_to_csv(history).encode()
    if fmt == "fhir":
        import json

        bundle = formats.history_to_fhir(history, load_catalog(), timestamp=now)
        return json.dumps(bundle, indent=2, ensure_ascii=False).encode()
    version = tracking.current_program(db, profile_name=profile_name)
    zone = now.astimezone().tzinfo
    return formats.program_to_ics(
        version,
        load_catalog(),
        start=now.astimezone().date(),
        profile=history.profile,
        tz=getattr(zone, "key", "UTC"),
        dtstamp=now,
    )


def import_backup(db: Database, *, data: bytes, name: str | None = None) -> Profile:
    """Restore a JSON backup as a new profile; a corrupt file raises and writes nothing."""
    return tracking.restore(db, backup=formats.history_from_json(data), name=name)
