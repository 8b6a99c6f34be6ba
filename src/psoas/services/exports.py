"""Exports and backups for a profile: JSON backup, CSV of logs, FHIR bundle, iCalendar."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from psoas.domain.tracking import Profile
from psoas.reports import exports
from psoas.services import custom_exercises, outcomes, programs, timezones, tracking
from psoas.storage.db import Database

DownloadFormat = Literal["pdf", "ics", "csv", "fhir", "json"]


@dataclass(frozen=True)
class Download:
    """One kind of file a person or their clinician can take away."""

    fmt: DownloadFormat
    #: The file's name after "psoas-" (a person's download) or "psoas-patient-N-" (a clinic's),
    #: and the address of a person's download (/me/download/{name}).
    name: str
    media_type: str
    #: What it is, in a person's words (the pages' link text).
    title: str
    #: The handout and the calendar show the program, so a program that may be shown is
    #: needed; the records (CSV, FHIR, backup) are the person's own and always available.
    needs_program: bool


#: Every download, in the order the pages list them: the one registry for the terminal, the
#: person's pages, the API and the clinic.
DOWNLOADS: tuple[Download, ...] = (
    Download("pdf", "handout.pdf", "application/pdf", "Printable handout (PDF)", True),
    Download(
        "ics",
        "program.ics",
        "text/calendar; charset=utf-8",
        "Session reminders for your calendar (iCalendar)",
        True,
    ),
    Download("csv", "history.csv", "text/csv; charset=utf-8", "Everything you logged (CSV)", False),
    Download(
        "fhir", "fhir.json", "application/fhir+json", "FHIR bundle for a clinician's system", False
    ),
    Download("json", "backup.json", "application/json", "Full backup (JSON)", False),
)
BY_FORMAT: dict[str, Download] = {d.fmt: d for d in DOWNLOADS}
BY_NAME: dict[str, Download] = {d.name: d for d in DOWNLOADS}
FORMATS: tuple[str, ...] = tuple(BY_FORMAT)
ImportProblem = exports.ExportError


@dataclass(frozen=True)
class Export:
    data: bytes
    download: Download

    @property
    def media_type(self) -> str:
        return self.download.media_type

    def filename(self, prefix: str = "psoas-") -> str:
        return prefix + self.download.name


def export(
    db: Database,
    *,
    profile_name: str,
    fmt: str,
    now: datetime,
    person: str | None = None,
    emergency_number: str = "112",
    audience: programs.Audience = "patient",
    time_zone: str | None = None,
    app_url: str | None = None,
    clinician_id: int | None = None,
) -> Export:
    """One download of a profile. A handout or calendar without a program that may be shown
    raises :class:`~psoas.services.programs.ProgramUnavailable` saying why (none yet, or held
    back by a warning sign); a FHIR bundle made while the program is held back has its care
    plans on hold. The handout carries the latest assessment's heading, safety net (with
    ``emergency_number``) and other explanations, for ``person`` (the profile's name when
    None). ``audience`` words why a program cannot be shown, for the person or their
    clinician. ``time_zone`` (IANA) puts the calendar's sessions in the person's own zone (the
    computer's when None). The handout names the clinic and clinician (``clinician_id``, else
    the person's main clinician) with their contact details, and carries a QR code to
    ``app_url`` when given; the FHIR Patient has the birth date the person gave."""
    download = BY_FORMAT.get(fmt)
    if download is None:
        raise ValueError(f"--format: must be one of {', '.join(FORMATS)}, not {fmt!r}")
    state = tracking.program_state(db, profile_name=profile_name)
    version = state.require(audience=audience) if download.needs_program else None
    if download.fmt == "pdf":
        assert version is not None
        from psoas.reports import pdf

        data = pdf.handout_pdf(
            version.program,
            custom_exercises.catalog_for_program(db, version.program),
            person=person or profile_name,
            on=now.date(),
            version=version.version,
            catalog_version=version.catalog_version,
            sources=version.sources,
            assessment=state.assessment.result if state.assessment else None,
            emergency_number=emergency_number,
            care=outcomes.care_line(
                db, profile_name=profile_name, clinician_id=clinician_id, app_url=app_url
            ),
        )
        return Export(data, download)
    if download.fmt == "ics":
        assert version is not None
        zone = timezones.zone(time_zone) if time_zone else timezones.machine_zone()
        history = tracking.history(db, profile_name=profile_name)
        data = exports.program_to_ics(
            version,
            custom_exercises.catalog_for_program(db, version.program),
            start=now.astimezone(zone).date(),
            profile=history.profile,
            tz=timezones.zone_name(zone),
            dtstamp=now,
        )
        return Export(data, download)
    history = tracking.history(db, profile_name=profile_name)
    if download.fmt == "json":
        return Export(exports.history_to_json(history).encode(), download)
    if download.fmt == "csv":
        return Export(exports.history_to_csv(history).encode(), download)
    catalog = custom_exercises.catalog_for_history(db, history)  # and the clinic's it holds
    bundle = exports.history_to_fhir(
        history,
        catalog,
        timestamp=now,
        display_name=person,
        birth_date=outcomes.birth_date_for_profile(db, profile_name=profile_name),
    )
    return Export(json.dumps(bundle, indent=2, ensure_ascii=False).encode(), download)


def import_backup(db: Database, *, data: bytes, name: str | None = None) -> Profile:
    """Restore a JSON backup as a new profile; a corrupt file raises and writes nothing."""
    return tracking.restore(db, backup=exports.history_from_json(data), name=name)
