"""Exports of one person's history: a JSON backup, a CSV log, a FHIR R4 bundle, a calendar.

All functions are pure. The JSON backup is the only format that restores exactly
(``history_from_json(history_to_json(h)) == h``); the others are for people and other systems.
"""

from __future__ import annotations

import csv
import io
import json
import math
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Alarm, Calendar, Event, Timezone
from pydantic import ValidationError, model_validator

from psoas.domain.catalog import Catalog
from psoas.domain.errors import describe_errors
from psoas.domain.progression import session_shares
from psoas.domain.results import Program, ProgramItem
from psoas.domain.tracking import History, Profile, ProgramVersion
from psoas.reports.result_text import break_advice

__all__ = [
    "CSV_COLUMNS",
    "ExportError",
    "describe_item",
    "history_from_json",
    "history_to_csv",
    "history_to_fhir",
    "history_to_json",
    "program_to_ics",
    "session_items",
]


class ExportError(ValueError):
    """An export or backup file that cannot be read. ``problems`` has one line per problem,
    each starting with the dotted path of the field (``pain[3].score: must be at most 10``)."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


# --- dose text ---------------------------------------------------------------------------------


def _is_habit(item: ProgramItem) -> bool:
    """Posture habits and movement breaks: done through the day, not in a session."""
    return item.category in ("posture", "movement")


def describe_item(item: ProgramItem, catalog: Catalog) -> str:
    """``name: dose``. Habits use the catalog's own dose note, as the CLI does."""
    dose = item.dose.describe()
    if _is_habit(item):
        try:
            note = catalog.exercise(item.id).dose.note
        except KeyError:
            note = None
        dose = note or dose
    return f"{item.name}: {dose}"


# --- JSON backup -------------------------------------------------------------------------------


def history_to_json(history: History) -> str:
    """The whole history as indented UTF-8 JSON, fields in a fixed order, ending in a newline.

    The document starts with ``"format": "psoas-history"`` and ``"format_version": 1``.
    """
    data = history.model_dump(mode="json")
    for stored, out in zip(history.assessments, data["assessments"], strict=True):
        # The intake contract has no nulls: an unanswered question is left out, not null.
        out["intake"] = stored.intake.model_dump(mode="json", exclude_unset=True, exclude_none=True)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


class _Unchecked(History):
    """A history whose cross-references are checked here, with paths, instead of in the model."""

    @model_validator(mode="after")
    def _references(self) -> _Unchecked:
        return self


def _reference_problems(h: History) -> list[str]:
    problems: list[str] = []
    assessment_ids = [a.id for a in h.assessments]
    for i, a in enumerate(h.assessments):
        if assessment_ids.index(a.id) != i:
            problems.append(f"assessments[{i}].id: assessment {a.id} is listed twice")
    versions = [p.version for p in h.programs]
    for i, p in enumerate(h.programs):
        if versions.index(p.version) != i:
            problems.append(f"programs[{i}].version: version {p.version} is listed twice")
        if p.assessment_id is not None and p.assessment_id not in assessment_ids:
            problems.append(
                f"programs[{i}].assessment_id: no assessment {p.assessment_id} in this history"
            )
    session_ids: set[int] = set()
    for i, s in enumerate(h.sessions):
        if s.id is None:
            problems.append(f"sessions[{i}].id: is required in a history")
        elif s.id in session_ids:
            problems.append(f"sessions[{i}].id: session {s.id} is listed twice")
        else:
            session_ids.add(s.id)
        if s.program_version not in versions:
            problems.append(
                f"sessions[{i}].program_version: no program version {s.program_version} "
                "in this history"
            )
    for i, log in enumerate(h.sets):
        if log.session_id not in session_ids:
            problems.append(f"sets[{i}].session_id: no session {log.session_id} in this history")
    for i, rating in enumerate(h.pain):
        if rating.session_id is not None and rating.session_id not in session_ids:
            problems.append(f"pain[{i}].session_id: no session {rating.session_id} in this history")
    return problems


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f'the key "{key}" appears twice in one object')
        out[key] = value
    return out


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def history_from_json(text: str | bytes) -> History:
    """Read a backup written by :func:`history_to_json`.

    Raises :class:`ExportError` listing every problem found (not JSON, not a psoas history, an
    unsupported version, invalid records, references to sessions or program versions that are
    not in the file). Nothing is partly read: either the whole history or an error.
    """
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as err:
            raise ExportError([f"(document): not UTF-8 text (byte {err.start})"]) from None
    text = text.removeprefix("\ufeff")
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants)
    except json.JSONDecodeError as err:
        raise ExportError(
            [f"(document): not valid JSON: {err.msg} (line {err.lineno}, column {err.colno})"]
        ) from None
    except ValueError as err:
        raise ExportError([f"(document): not valid JSON: {err}"]) from None
    if not isinstance(data, dict):
        raise ExportError(["(document): must be a JSON object (a psoas history)"])
    marker = data.get("format")
    if marker != "psoas-history":
        got = "missing" if marker is None else json.dumps(marker, ensure_ascii=False)[:60]
        raise ExportError([f'format: must be "psoas-history" (got {got}); not a psoas history'])
    version = data.get("format_version")
    if version != 1 or isinstance(version, bool):
        raise ExportError(
            [f"format_version: this psoas reads version 1, not {json.dumps(version)[:20]}"]
        )
    try:
        # JSON mode: the strict intake models accept JSON arrays and ISO 8601 text as such.
        unchecked = _Unchecked.model_validate_json(text)
    except ValidationError as err:
        raise ExportError(describe_errors(err, extra="is not a field of a psoas history")) from None
    problems = _reference_problems(unchecked)
    if problems:
        raise ExportError(problems)
    try:
        return History.model_validate_json(text)
    except ValidationError as err:  # pragma: no cover - the checks above mirror the model's
        raise ExportError(describe_errors(err, extra="is not a field of a psoas history")) from None


# --- CSV ---------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "time",
    "kind",
    "session_id",
    "item_id",
    "side",
    "set_number",
    "hold_seconds",
    "reps",
    "minutes",
    "score",
    "context",
    "details",
)
#: A cell starting with one of these is read as a formula by spreadsheets.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _cell_number(value: float | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _cell_text(value: str | None) -> str:
    """Free text, defused: a leading apostrophe stops spreadsheets running it as a formula."""
    if not value:
        return ""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _kv(pairs: Iterable[tuple[str, object]]) -> str:
    return "; ".join(
        f"{k}={_cell_number(v) if isinstance(v, int | float) else v}"
        for k, v in pairs
        if v is not None
    )


def history_to_csv(history: History) -> str:
    """Every logged event, oldest first, as CSV (RFC 4180: header row, CRLF line ends).

    Columns are :data:`CSV_COLUMNS`; times are ISO 8601 in UTC. ``kind`` is one of
    ``session_start``, ``session_end`` (only for sessions that ended; ``work_done`` in
    ``details`` is the share of the session's planned work done, 0 to 1, as adherence counts
    it: psoas.domain.adherence), ``set``, ``pain``,
    ``psfs`` (one row per activity: ``details`` is the person's own words, ``score`` its
    0-10 rating), ``retest`` (measurements in ``details``) and ``break``. ``context`` is the
    pain context or the break kind. Text cells that a spreadsheet would run as a formula get
    a leading apostrophe.
    """
    rows: list[tuple[datetime, int, dict[str, str]]] = []

    def add(at: datetime, kind: str, **cells: str) -> None:
        rows.append((at, len(rows), {"time": _utc(at), "kind": kind, **cells}))

    shares = session_shares(history)
    for s in history.sessions:
        sid = _cell_number(s.id)
        add(
            s.started_at,
            "session_start",
            session_id=sid,
            details=_kv([("program_version", s.program_version)]),
        )
        if s.ended_at is not None:
            work = round(shares.get(s.id or 0, 0.0), 3)
            add(
                s.ended_at,
                "session_end",
                session_id=sid,
                details=_kv([("status", s.status), ("work_done", work)]),
            )
    for log in history.sets:
        add(
            log.completed_at,
            "set",
            session_id=_cell_number(log.session_id),
            item_id=_cell_text(log.item_id),
            side=log.side or "",
            set_number=_cell_number(log.set_number),
            hold_seconds=_cell_number(log.hold_seconds),
            reps=_cell_number(log.reps),
            minutes=_cell_number(log.minutes),
        )
    for p in history.pain:
        add(
            p.at,
            "pain",
            session_id=_cell_number(p.session_id),
            score=_cell_number(p.score),
            context=p.context,
        )
    for entry in history.psfs:
        for a in entry.activities:
            add(entry.at, "psfs", score=_cell_number(a.score), details=_cell_text(a.activity))
    for r in history.retests:
        add(
            r.at,
            "retest",
            details=_cell_text(_kv((k, v) for k, v in r if k != "at")),
        )
    for b in history.breaks:
        add(
            b.at,
            "break",
            context=b.kind,
            details=_cell_text(
                _kv([("movement", b.movement_id), ("snooze_minutes", b.snooze_minutes)])
            ),
        )
    rows.sort(key=lambda r: (r[0], r[1]))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n", restval="")
    writer.writeheader()
    for _, _, cells in rows:
        writer.writerow(cells)
    return out.getvalue()


# --- FHIR R4 -----------------------------------------------------------------------------------

#: Namespace of the stable ids psoas gives to exported resources and calendar events.
_NAMESPACE = uuid.UUID("6f1d4c1e-3b0a-5c52-9a57-70736f617321")
LOINC = "http://loinc.org"
#: The code system of the psoas catalog: every exercise, stretch, release and habit by its id.
#: A URN, because the catalog is the same on every server (its version says which edition).
CATALOG_SYSTEM = "urn:uuid:2f7d6a3e-8c1b-5d0e-9f4a-7073636f6174"
#: The system of the identifier psoas gives a person (stable across exports of one server).
PERSON_ID_SYSTEM = "urn:uuid:5b3c9e21-4d7f-5a86-b0c2-70736f617069"
_GENDER = {"female": "female", "male": "male", "other": "other", "unspecified": "unknown"}
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
PAIN_LOINC = "72514-3"
PAIN_LOINC_DISPLAY = "Pain severity - 0-10 verbal numeric rating [Score] - Reported"
_BODY_SITES = {
    ("hip", "left"): ("287679003", "Left hip region structure"),
    ("hip", "right"): ("287579007", "Right hip region structure"),
    ("knee", "left"): ("82169009", "Structure of left knee region"),
    ("knee", "right"): ("6757004", "Structure of right knee region"),
}
_PAIN_CONTEXT = {
    "before_session": "Rated just before a session",
    "after_session": "Rated just after a session",
}
_RESISTED = {
    "normal": "strong and painless",
    "weak": "weak",
    "painful": "painful",
    "weak_painful": "weak and painful",
}


def _profile_key(profile: Profile) -> str:
    who = str(profile.id) if profile.id is not None else profile.name
    return f"profile/{who}/{profile.created_at.astimezone(UTC).isoformat()}"


def _uuid(*parts: object) -> str:
    return str(uuid.uuid5(_NAMESPACE, "/".join(str(p) for p in parts)))


def _fhir_time(value: datetime) -> str:
    return _utc(value)


def _category(code: str, display: str) -> list[dict[str, Any]]:
    return [{"coding": [{"system": _CATEGORY, "code": code, "display": display}]}]


def _body_site(part: str, side: str) -> dict[str, Any]:
    code, display = _BODY_SITES[(part, side)]
    return {
        "coding": [{"system": SNOMED, "code": code, "display": display}],
        "text": f"{side.capitalize()} {part}",
    }


def _citations(keys: Iterable[str], catalog: Catalog) -> list[str]:
    out: list[str] = []
    for key in dict.fromkeys(keys):
        try:
            out.append(f"[{key}] {catalog.reference(key).citation()}")
        except KeyError:
            out.append(f"[{key}]")
    return out


def catalog_code_system(catalog: Catalog, *, only: set[str] | None = None) -> dict[str, Any]:
    """The catalog as the body of a FHIR ``CodeSystem`` (``CATALOG_SYSTEM``, at the catalog's
    version): each item's id as the code, its name as the display, what it is for as the
    definition. With ``only``, just those codes (content ``fragment``)."""
    concepts = [
        {"code": item.id, "display": item.name, "definition": item.summary}
        for item in catalog.exercises
        if only is None or item.id in only
    ]
    return {
        "url": CATALOG_SYSTEM,
        "version": catalog.version,
        "name": "PsoasCatalog",
        "title": "psoas catalog of home exercises, stretches, releases and habits",
        "status": "active",
        "content": "complete" if only is None else "fragment",
        "caseSensitive": True,
        "concept": concepts,
    }


def history_to_fhir(
    history: History,
    catalog: Catalog,
    *,
    timestamp: datetime | None = None,
    display_name: str | None = None,
    birth_date: date | None = None,
) -> dict[str, Any]:
    """The history as a FHIR R4 ``Bundle`` (type ``collection``), as a JSON-ready dict.

    Contains a ``Patient`` (an identifier of its own, the name (``display_name`` when the
    person has an account, else the profile's), the sex given in the latest assessment, and
    ``birth_date`` when known), one ``CarePlan`` per program
    version (the newest ``active``, earlier ones ``revoked`` and replaced by the next),
    ``Observation`` resources for pain ratings (LOINC 72514-3) and re-test measurements
    (modified Thomas test hip and knee angles in degrees, resisted hip flexion), and one
    ``QuestionnaireResponse`` per patient-specific functional scale entry (the person's own
    activities and 0-10 scores only). Activities are coded in the catalog's code system
    (``CATALOG_SYSTEM``), and the bundle carries that ``CodeSystem`` for the codes it uses.
    Every resource is validated with the ``fhir.resources``
    R4B models (R4B validates R4 content). Resource ids are stable for the same history, so a
    second import can update rather than duplicate. ``timestamp`` (when the bundle was made)
    is passed in; without it the bundle has none.
    """
    from fhir.resources.R4B.bundle import Bundle
    from fhir.resources.R4B.careplan import CarePlan
    from fhir.resources.R4B.codesystem import CodeSystem
    from fhir.resources.R4B.observation import Observation
    from fhir.resources.R4B.patient import Patient
    from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

    key = _profile_key(history.profile)
    entries: list[dict[str, Any]] = []

    def add(model: Any, resource: dict[str, Any], *id_parts: object) -> str:
        rid = _uuid(key, *id_parts)
        url = f"urn:uuid:{rid}"
        entries.append({"fullUrl": url, "resource": model.model_validate({"id": rid, **resource})})
        return url

    name = display_name or history.profile.name
    latest = max(history.assessments, key=lambda a: (a.created_at, a.id), default=None)
    patient: dict[str, Any] = {
        "identifier": [{"use": "usual", "system": PERSON_ID_SYSTEM, "value": _uuid(key, "person")}],
        "name": [{"text": name}],
    }
    sex = latest.intake.person.sex if latest is not None else None
    if sex is not None:
        patient["gender"] = _GENDER[sex]
    if birth_date is not None:
        patient["birthDate"] = birth_date.isoformat()
    patient_url = add(Patient, patient, "patient")
    subject = {"reference": patient_url, "display": name}

    versions = sorted(history.programs, key=lambda v: v.version)
    catalog_names = {e.id: e.name for e in catalog.exercises}
    held = latest is not None and latest.result.program is None  # a warning sign holds it back
    previous_url: str | None = None
    for n, version in enumerate(versions):
        current = n == len(versions) - 1
        program = version.program
        notes = [*program.notes]
        if current and held:
            notes.insert(
                0,
                "On hold: the latest assessment found warning signs that a doctor needs to "
                "check before any exercise.",
            )
        notes += [f"{item.name}: {caution}" for item in program.items for caution in item.cautions]
        sources = _citations(
            [*version.sources, *(s for item in program.items for s in item.sources)], catalog
        )
        if sources:
            notes.append("Sources:\n" + "\n".join(sources))
        period: dict[str, str] = {"start": _fhir_time(version.created_at)}
        if not current:
            period["end"] = _fhir_time(versions[n + 1].created_at)
        plan: dict[str, Any] = {
            "status": ("on-hold" if held else "active") if current else "revoked",
            "intent": "plan",
            "title": f"psoas home program, version {version.version}",
            "description": version.reason,
            "subject": subject,
            "created": _fhir_time(version.created_at),
            "period": period,
            "activity": [
                {
                    "detail": {
                        "code": {
                            "coding": [
                                {
                                    "system": CATALOG_SYSTEM,
                                    "code": item.id,
                                    "display": catalog_names.get(item.id, item.name),
                                }
                            ],
                            "text": item.name,
                        },
                        "reasonCode": [{"text": why} for why in item.why],
                        "status": ("on-hold" if held else "in-progress") if current else "stopped",
                        "scheduledTiming": {
                            "repeat": {
                                "frequency": item.dose.times_per_day,
                                "period": 1,
                                "periodUnit": "d",
                            }
                        },
                        "description": describe_item(item, catalog),
                    }
                }
                for item in program.items
            ],
            "note": [{"text": t} for t in notes],
        }
        if previous_url is not None:
            plan["replaces"] = [{"reference": previous_url}]
        if not plan["note"]:
            del plan["note"]
        previous_url = add(CarePlan, plan, "careplan", version.version)

    pain_code = {
        "coding": [{"system": LOINC, "code": PAIN_LOINC, "display": PAIN_LOINC_DISPLAY}],
        "text": "Pain intensity (0-10)",
    }
    for n, p in enumerate(history.pain):
        obs: dict[str, Any] = {
            "status": "final",
            "category": _category("survey", "Survey"),
            "code": pain_code,
            "subject": subject,
            "effectiveDateTime": _fhir_time(p.at),
            "valueInteger": p.score,
        }
        if p.context in _PAIN_CONTEXT:
            obs["note"] = [{"text": _PAIN_CONTEXT[p.context]}]
        add(Observation, obs, "pain", _fhir_time(p.at), n)

    exam = _category("exam", "Exam")
    for n, r in enumerate(history.retests):
        measures: list[tuple[str, str, dict[str, Any]]] = []
        for side in ("left", "right"):
            hip = getattr(r, f"thomas_{side}_hip_deg")
            if hip is not None:
                measures.append(
                    (
                        f"hip-{side}",
                        "hip",
                        {
                            "code": {"text": "Modified Thomas test hip angle"},
                            "bodySite": _body_site("hip", side),
                            "valueQuantity": _degrees(hip),
                            "note": [
                                {
                                    "text": "Degrees of the thigh above the table: 0 = thigh "
                                    "resting on the table, negative = below it."
                                }
                            ],
                        },
                    )
                )
            knee = getattr(r, f"thomas_{side}_knee_deg")
            if knee is not None:
                measures.append(
                    (
                        f"knee-{side}",
                        "knee",
                        {
                            "code": {"text": "Modified Thomas test knee angle"},
                            "bodySite": _body_site("knee", side),
                            "valueQuantity": _degrees(knee),
                            "note": [{"text": "Degrees of knee bend with the thigh lowered."}],
                        },
                    )
                )
            resisted = getattr(r, f"resisted_{side}")
            if resisted is not None:
                measures.append(
                    (
                        f"resisted-{side}",
                        "hip",
                        {
                            "code": {"text": "Resisted hip flexion"},
                            "bodySite": _body_site("hip", side),
                            "valueString": _RESISTED[resisted],
                        },
                    )
                )
        for what, _, body in measures:
            obs = {
                "status": "final",
                "category": exam,
                "subject": subject,
                "effectiveDateTime": _fhir_time(r.at),
                **body,
            }
            add(Observation, obs, "retest", _fhir_time(r.at), n, what)

    for n, entry in enumerate(history.psfs):
        response = {
            "status": "completed",
            "subject": subject,
            "authored": _fhir_time(entry.at),
            "item": [
                {
                    "linkId": f"activity-{i}",
                    "text": a.activity,
                    "answer": [{"valueInteger": a.score}],
                }
                for i, a in enumerate(entry.activities, 1)
            ],
        }
        add(QuestionnaireResponse, response, "psfs", _fhir_time(entry.at), n)

    used = {item.id for version in versions for item in version.program.items}
    if used:
        add(CodeSystem, catalog_code_system(catalog, only=used), "codesystem", catalog.version)
    bundle: dict[str, Any] = {"id": _uuid(key, "bundle"), "type": "collection", "entry": entries}
    if timestamp is not None:
        bundle["timestamp"] = _fhir_time(timestamp)
    result: dict[str, Any] = Bundle.model_validate(bundle).model_dump(mode="json")
    return result


def _degrees(value: float) -> dict[str, Any]:
    return {"value": value, "unit": "deg", "system": UCUM, "code": "deg"}


# --- iCalendar ---------------------------------------------------------------------------------


def session_items(program: Program, index: int) -> list[ProgramItem]:
    """The items done in session ``index`` (0-based) of a day: everything in the first session,
    then only what is dosed more than once a day (the stretches). Habits are never in one."""
    return [i for i in program.items if not _is_habit(i) and i.dose.times_per_day > index]


def _zone(tz: str) -> tzinfo:
    if tz.upper() in ("UTC", "Z", "ETC/UTC"):
        return UTC  # icalendar writes this as a plain "Z", with no VTIMEZONE
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"tz: unknown time zone {tz!r}") from None


def _session_description(
    version: ProgramVersion, catalog: Catalog, index: int, sessions: int, minutes: int
) -> str:
    program = version.program
    lines = [
        f"psoas home program, version {version.version}: session {index + 1} of {sessions} "
        f"a day, about {minutes} min.",
        "",
    ]
    lines += [
        f"{n}. {describe_item(item, catalog)}"
        for n, item in enumerate(session_items(program, index), 1)
    ]
    habits = [i for i in program.items if _is_habit(i)]
    if habits:
        lines += ["", "Through the day:"]
        lines += [f"- {describe_item(item, catalog)}" for item in habits]
    lines += [
        "",
        break_advice(program),
    ]
    return "\n".join(lines)


def program_to_ics(
    program_version: ProgramVersion,
    catalog: Catalog,
    *,
    start: date,
    days: int = 28,
    times: tuple[time, ...] = (time(8, 0), time(18, 0)),
    tz: str = "UTC",
    profile: Profile | None = None,
    dtstamp: datetime | None = None,
) -> bytes:
    """The program as an iCalendar file (RFC 5545): one daily recurring event per session.

    Session ``k`` starts at ``times[k]`` in time zone ``tz`` on ``start`` and repeats every day
    for ``days`` days (``RRULE:FREQ=DAILY;COUNT=days``), with a display reminder 10 minutes
    before. Only the first ``sessions_per_day`` times are used; a session with nothing timed in
    it gets no event. UIDs derive from the profile (when given) and the session index, and
    ``SEQUENCE`` is the program version, so importing the file for a newer version updates the
    same events instead of adding new ones (without a profile, UIDs derive from the program
    version). ``DTSTAMP`` is ``dtstamp`` or the version's ``created_at``: no wall clock.
    """
    if days < 1:
        raise ValueError("days: must be at least 1")
    if not times:
        raise ValueError("times: give at least one session time")
    if len(set(times)) != len(times):
        raise ValueError("times: each session time must be different")
    zone = _zone(tz)
    stamp = (dtstamp or program_version.created_at).astimezone(UTC)
    program = program_version.program
    sessions = min(program.sessions_per_day, len(times))
    if profile is not None:
        uid_key = _profile_key(profile)
    else:
        uid_key = f"program-version/{program_version.version}/{_utc(program_version.created_at)}"

    cal = Calendar()
    cal.add("prodid", "-//psoas//home program//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", "psoas home program")
    for index in range(sessions):
        items = session_items(program, index)
        if not items:
            continue
        minutes = max(1, math.ceil(sum(i.minutes_per_session for i in items) - 1e-9))
        summary = f"psoas: home program ({minutes} min)"
        event = Event()
        event.add("uid", f"{_uuid(uid_key, 'home-program', 'session', index)}@psoas")
        event.add("dtstamp", stamp)
        event.add("sequence", program_version.version)
        event.add("dtstart", datetime.combine(start, times[index], tzinfo=zone))
        event.add("duration", timedelta(minutes=minutes))
        event.add("rrule", {"freq": "daily", "count": days})
        event.add("summary", summary)
        event.add(
            "description",
            _session_description(program_version, catalog, index, sessions, minutes),
        )
        event.add("categories", ["psoas"])
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary)
        alarm.add("trigger", timedelta(minutes=-10))
        event.add_component(alarm)
        cal.add_component(event)
    if isinstance(zone, ZoneInfo):
        first = start - timedelta(days=1)
        last = start + timedelta(days=days + 1)
        cal.subcomponents.insert(
            0, Timezone.from_tzinfo(zone, tzid=tz, first_date=first, last_date=last)
        )
    ical: bytes = cal.to_ical()
    return ical
