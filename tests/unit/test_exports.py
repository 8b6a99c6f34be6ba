"""Exports: the JSON backup restores exactly, bad files are refused with the field named, and
the CSV, FHIR and iCalendar files read back in the tools a person or a clinic would use."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from psoas.catalog import load_catalog
from psoas.domain.assess import assess
from psoas.domain.intake import Intake
from psoas.domain.results import Program
from psoas.domain.tracking import (
    BreakEvent,
    History,
    PainRating,
    Profile,
    ProgramVersion,
    PsfsActivity,
    PsfsEntry,
    Retest,
    SessionRecord,
    SetLog,
    StoredAssessment,
)
from psoas.reports.exports import (
    CATALOG_SYSTEM,
    CSV_COLUMNS,
    PERSON_ID_SYSTEM,
    ExportError,
    catalog_code_system,
    history_from_json,
    history_to_csv,
    history_to_fhir,
    history_to_json,
    program_to_ics,
)
from psoas.services import fixtures
from tests.conftest import EXAMPLES

CATALOG = load_catalog()
INTAKE = Intake.model_validate(json.loads((EXAMPLES / "office-worker.json").read_text()))
ASSESSMENT = assess(INTAKE, CATALOG)
assert ASSESSMENT.program is not None
PROGRAM: Program = ASSESSMENT.program
T0 = datetime(2024, 3, 4, 7, 30, tzinfo=UTC)


def _version(n: int, at: datetime, program: Program = PROGRAM, **kw: Any) -> ProgramVersion:
    return ProgramVersion(
        version=n,
        created_at=at,
        reason="first program from the assessment" if n == 1 else "stretch twice a day",
        program=program,
        catalog_version=CATALOG.version,
        **kw,
    )


def make_history(*, weeks: int = 3, with_assessment: bool = True) -> History:
    """About three weeks of a person's log: two program versions, sessions most days with
    sets and pain before and after, daily pain, function and re-tests every two weeks, breaks.
    """
    twice = PROGRAM.model_copy(
        update={
            "sessions_per_day": 2,
            "items": tuple(
                i.model_copy(update={"dose": i.dose.model_copy(update={"times_per_day": 2})})
                if i.category == "stretch"
                else i
                for i in PROGRAM.items
            ),
        }
    )
    v2_at = T0 + timedelta(days=10)
    programs = (
        _version(1, T0, assessment_id=1 if with_assessment else None),
        _version(2, v2_at, twice),
    )
    sessions: list[SessionRecord] = []
    sets: list[SetLog] = []
    pain: list[PainRating] = []
    breaks: list[BreakEvent] = []
    sid = 0
    for day in range(weeks * 7):
        morning = T0 + timedelta(days=day, hours=1)
        pain.append(PainRating(at=morning - timedelta(minutes=30), score=max(1, 6 - day // 4)))
        if day % 3 == 2:
            continue  # a missed day
        sid += 1
        status = "quit" if day == 4 else "completed"
        start = morning
        sessions.append(
            SessionRecord(
                id=sid,
                program_version=1 if start < v2_at else 2,
                started_at=start,
                ended_at=start + timedelta(minutes=18),
                status=status,
            )
        )
        pain.append(
            PainRating(
                at=start - timedelta(minutes=1),
                score=max(1, 5 - day // 5),
                context="before_session",
                session_id=sid,
            )
        )
        pain.append(
            PainRating(
                at=start + timedelta(minutes=19),
                score=max(0, 4 - day // 5),
                context="after_session",
                session_id=sid,
            )
        )
        for n, side in enumerate(("left", "right", "right"), 1):
            sets.append(
                SetLog(
                    session_id=sid,
                    item_id="half-kneeling-hip-flexor-stretch",
                    side=side,  # type: ignore[arg-type]
                    set_number=n,
                    hold_seconds=30,
                    completed_at=start + timedelta(minutes=5 + n),
                    key=f"s{sid:04d}-stretch-{n}",
                )
            )
        sets.append(
            SetLog(
                session_id=sid,
                item_id="glute-bridge",
                set_number=1,
                reps=10,
                completed_at=start + timedelta(minutes=12),
                key=f"s{sid:04d}-bridge-1",
            )
        )
        breaks.append(
            BreakEvent(at=start + timedelta(hours=3), kind="taken", movement_id="walk-about")
        )
        breaks.append(BreakEvent(at=start + timedelta(hours=4), kind="snoozed", snooze_minutes=10))
    activities = ("Sitting through a meeting", "Getting out of the car", "=cmd|' /C calc'!A0")
    psfs = tuple(
        PsfsEntry(
            at=T0 + timedelta(days=d),
            activities=tuple(
                PsfsActivity(activity=a, score=min(10, s + d // 7))
                for a, s in zip(activities, (3, 4, 5), strict=True)
            ),
        )
        for d in range(0, weeks * 7, 14)
    )
    retests = tuple(
        Retest(
            at=T0 + timedelta(days=d),
            thomas_left_hip_deg=2 - d / 7,
            thomas_right_hip_deg=14 - d / 2,
            thomas_right_knee_deg=70 + d,
            resisted_right="weak" if d == 0 else "normal",
        )
        for d in range(0, weeks * 7, 14)
    )
    assessments = (
        (StoredAssessment(id=1, created_at=T0, intake=INTAKE, result=ASSESSMENT),)
        if with_assessment
        else ()
    )
    return History(
        profile=Profile(id=7, name="Zoë Example", created_at=T0 - timedelta(hours=1)),
        assessments=assessments,
        programs=programs,
        sessions=tuple(sessions),
        sets=tuple(sets),
        pain=tuple(pain),
        psfs=psfs,
        retests=retests,
        breaks=tuple(breaks),
    )


HISTORY = make_history()


# --- JSON backup -------------------------------------------------------------------------------


def test_json_backup_restores_the_history_exactly() -> None:
    text = history_to_json(HISTORY)
    assert history_from_json(text) == HISTORY
    assert history_from_json(text.encode("utf-8")) == HISTORY


def test_json_backup_of_a_new_profile_restores_exactly() -> None:
    empty = History(profile=Profile(name="A", created_at=T0))
    assert history_from_json(history_to_json(empty)) == empty


def test_json_backup_is_marked_indented_utf8_and_stable() -> None:
    text = history_to_json(HISTORY)
    doc = json.loads(text)
    assert list(doc)[:2] == ["format", "format_version"]
    assert doc["format"] == "psoas-history"
    assert doc["format_version"] == 1
    assert text.startswith('{\n  "format": "psoas-history",\n  "format_version": 1,')
    assert "Zoë Example" in text  # written as UTF-8, not \u escapes
    assert text.endswith("}\n")
    assert history_to_json(make_history()) == text


def test_json_backup_leaves_unanswered_intake_questions_out_rather_than_null() -> None:
    doc = json.loads(history_to_json(HISTORY))
    intake = doc["assessments"][0]["intake"]
    assert "sex" in intake["person"]
    assert "palpation" not in intake["observations"]  # not examined: absent, not null


def _corrupt(change: Callable[[dict[str, Any]], None]) -> str:
    doc = json.loads(history_to_json(HISTORY))
    change(doc)
    return json.dumps(doc)


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A change that sets a dotted path like ``pain.3.score`` to ``value``."""

    def change(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = doc
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value

    return change


def _delete(path: str) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = doc
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        del target[last]

    return change


CORRUPT: list[tuple[str, str | bytes, str]] = [
    ("not JSON", '{"format": "psoas-history",', "(document): not valid JSON"),
    ("not UTF-8", b'{"format": "psoas-hist\xff"}', "(document): not UTF-8 text"),
    ("a list", "[]", "(document): must be a JSON object"),
    ("NaN", '{"format": "psoas-history", "x": NaN}', "(document): not valid JSON: NaN"),
    ("duplicate key", '{"format": "psoas-history", "format": "x"}', 'the key "format" appears'),
    ("other file", _corrupt(_set("format", "fhir")), 'format: must be "psoas-history"'),
    ("no marker", _corrupt(_delete("format")), "format: must be"),
    ("newer version", _corrupt(_set("format_version", 2)), "format_version: this psoas reads"),
    ("pain too high", _corrupt(_set("pain.3.score", 11)), "pain[3].score: must be at most 10"),
    ("pain as text", _corrupt(_set("pain.0.score", "5")), "pain[0].score: must be a whole number"),
    (
        "naive time",
        _corrupt(_set("sessions.0.started_at", "2024-03-04T08:30:00")),
        "sessions[0].started_at: must include a time zone",
    ),
    (
        "not a time",
        _corrupt(_set("breaks.1.at", "yesterday")),
        "breaks[1].at: must be a date and time",
    ),
    ("bad side", _corrupt(_set("sets.2.side", "middle")), "sets[2].side: must be one of"),
    ("unknown field", _corrupt(_set("breaks.0.colour", "red")), "breaks[0].colour: is not a field"),
    ("no profile", _corrupt(_delete("profile")), "profile: is required"),
    (
        "psfs repeats",
        _corrupt(_set("psfs.0.activities.1.activity", "sitting through a MEETING")),
        "psfs[0]: each activity must be listed once",
    ),
    (
        "angle out of range",
        _corrupt(_set("retests.1.thomas_left_hip_deg", 75)),
        "retests[1].thomas_left_hip_deg: must be at most 60",
    ),
    (
        "null in the intake",
        _corrupt(_set("assessments.0.intake.person.sex", None)),
        "assessments[0].intake.person.sex: must not be null",
    ),
    (
        "set of a missing session",
        _corrupt(_set("sets.4.session_id", 999)),
        "sets[4].session_id: no session 999 in this history",
    ),
    (
        "pain of a missing session",
        _corrupt(_set("pain.2.session_id", 999)),
        "pain[2].session_id: no session 999 in this history",
    ),
    (
        "session of a missing program",
        _corrupt(_set("sessions.0.program_version", 9)),
        "sessions[0].program_version: no program version 9 in this history",
    ),
    (
        "program of a missing assessment",
        _corrupt(_set("programs.0.assessment_id", 4)),
        "programs[0].assessment_id: no assessment 4 in this history",
    ),
    (
        "session without id",
        _corrupt(_set("sessions.3.id", None)),
        "sessions[3].id: is required in a history",
    ),
    (
        "two sessions with one id",
        _corrupt(_set("sessions.1.id", 1)),
        "sessions[1].id: session 1 is listed twice",
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in CORRUPT], ids=[c[0] for c in CORRUPT]
)
def test_a_corrupt_backup_is_refused_naming_the_field(text: str | bytes, expected: str) -> None:
    with pytest.raises(ExportError) as caught:
        history_from_json(text)
    assert any(expected in line for line in caught.value.problems), caught.value.problems
    assert expected in str(caught.value)


def test_every_problem_in_a_backup_is_listed_once() -> None:
    text = _corrupt(lambda d: (_set("pain.3.score", 11)(d), _set("pain.4.score", -1)(d)))
    with pytest.raises(ExportError) as caught:
        history_from_json(text)
    assert caught.value.problems == [
        "pain[3].score: must be at most 10",
        "pain[4].score: must be at least 0",
    ]


# generated small histories ------------------------------------------------------------------

_ZONES = st.sampled_from(
    [UTC, timezone(timedelta(hours=2)), timezone(-timedelta(hours=5, minutes=30))]
)
_WHEN = st.builds(
    lambda minutes, micro, zone: (T0 + timedelta(minutes=minutes, microseconds=micro)).astimezone(
        zone
    ),
    st.integers(0, 60 * 24 * 90),
    st.integers(0, 999_999),
    _ZONES,
)
_TEXT = st.text(st.characters(codec="utf-8"), min_size=2, max_size=40)
_ANGLE = st.none() | st.floats(-40, 60, allow_nan=False)


@st.composite
def histories(draw: st.DrawFn) -> History:
    n_versions = draw(st.integers(0, 2))
    programs = tuple(_version(n, draw(_WHEN)) for n in range(1, n_versions + 1))
    ids = draw(st.lists(st.integers(1, 10_000), unique=True, max_size=4)) if programs else []
    sessions = tuple(
        SessionRecord(
            id=i,
            program_version=draw(st.integers(1, n_versions)),
            started_at=draw(_WHEN),
            ended_at=draw(st.none() | _WHEN),
            status=draw(st.sampled_from(["in_progress", "completed", "quit"])),
        )
        for i in ids
    )
    sets = tuple(
        SetLog(
            session_id=draw(st.sampled_from(ids)),
            item_id=draw(st.from_regex(r"[a-z0-9-]{1,20}", fullmatch=True)),
            side=draw(st.sampled_from([None, "left", "right"])),
            set_number=draw(st.integers(1, 20)),
            hold_seconds=draw(st.none() | st.integers(0, 3600)),
            reps=draw(st.none() | st.integers(0, 500)),
            minutes=draw(st.none() | st.floats(0, 120, allow_nan=False)),
            completed_at=draw(_WHEN),
            key=f"key-{n:06d}",
        )
        for n in range(draw(st.integers(0, 3) if ids else st.just(0)))
    )
    pain = tuple(
        PainRating(
            at=draw(_WHEN),
            score=draw(st.integers(0, 10)),
            context=draw(st.sampled_from(["daily", "before_session", "after_session"])),
            session_id=draw(st.none() | st.sampled_from(ids)) if ids else None,
        )
        for _ in range(draw(st.integers(0, 3)))
    )
    psfs = tuple(
        PsfsEntry(
            at=draw(_WHEN),
            activities=tuple(
                PsfsActivity(activity=a, score=draw(st.integers(0, 10)))
                for a in draw(
                    st.lists(_TEXT, min_size=3, max_size=5, unique_by=lambda a: a.strip().lower())
                )
            ),
        )
        for _ in range(draw(st.integers(0, 2)))
    )
    retests = tuple(
        Retest(
            at=draw(_WHEN),
            thomas_left_hip_deg=draw(_ANGLE),
            thomas_right_hip_deg=draw(_ANGLE),
            resisted_left="weak",
        )
        for _ in range(draw(st.integers(0, 2)))
    )
    breaks = tuple(
        BreakEvent(
            at=draw(_WHEN),
            kind=draw(st.sampled_from(["prompted", "taken", "snoozed", "skipped"])),
            movement_id=draw(st.none() | _TEXT),
            snooze_minutes=draw(st.none() | st.integers(1, 120)),
        )
        for _ in range(draw(st.integers(0, 2)))
    )
    return History(
        profile=Profile(
            id=draw(st.none() | st.integers(1, 10**6)),
            name=draw(st.text(min_size=1, max_size=80)),
            created_at=draw(_WHEN),
        ),
        programs=programs,
        sessions=sessions,
        sets=sets,
        pain=pain,
        psfs=psfs,
        retests=retests,
        breaks=breaks,
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_any_history_restores_exactly_and_its_csv_reads_back(history: History) -> None:
    assert history_from_json(history_to_json(history)) == history
    rows = list(csv.DictReader(io.StringIO(history_to_csv(history), newline="")))
    assert len(rows) == _expected_rows(history)


def test_weeks_of_realistic_use_restore_exactly_and_read_back_as_csv_and_fhir() -> None:
    """Eight weeks built by the history builder: every kind of record, two program versions."""
    history = fixtures.build(
        INTAKE,
        now=T0 + timedelta(weeks=8),
        days=56,
        seed=5,
        step_up_on=(21,),
        breaks_per_workday=3,
    )
    assert history_from_json(history_to_json(history)) == history
    assert len(_csv_rows(history)) == _expected_rows(history)
    bundle = history_to_fhir(history, CATALOG)
    Bundle.model_validate(bundle)
    counts = Counter(e["resource"]["resourceType"] for e in bundle["entry"])
    assert counts["CarePlan"] == 2 and counts["QuestionnaireResponse"] == len(history.psfs)


# --- CSV ---------------------------------------------------------------------------------------


def _expected_rows(h: History) -> int:
    return (
        len(h.sessions)
        + sum(s.ended_at is not None for s in h.sessions)
        + len(h.sets)
        + len(h.pain)
        + sum(len(e.activities) for e in h.psfs)
        + len(h.retests)
        + len(h.breaks)
    )


def _csv_rows(history: History) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(history_to_csv(history), newline=""))
    assert tuple(reader.fieldnames or ()) == CSV_COLUMNS
    return list(reader)


def test_csv_has_every_event_once_in_time_order() -> None:
    rows = _csv_rows(HISTORY)
    assert len(rows) == _expected_rows(HISTORY)
    kinds = Counter(r["kind"] for r in rows)
    assert kinds["session_start"] == kinds["session_end"] == len(HISTORY.sessions)
    assert kinds["set"] == len(HISTORY.sets)
    assert kinds["pain"] == len(HISTORY.pain)
    assert kinds["retest"] == len(HISTORY.retests)
    assert kinds["break"] == len(HISTORY.breaks)
    times = [datetime.fromisoformat(r["time"]) for r in rows]
    assert times == sorted(times)
    assert all(r["time"].endswith("Z") for r in rows)


def test_csv_rows_carry_the_logged_values() -> None:
    rows = _csv_rows(HISTORY)
    first_set = next(r for r in rows if r["kind"] == "set")
    assert first_set["session_id"] == "1"
    assert first_set["item_id"] == "half-kneeling-hip-flexor-stretch"
    assert (first_set["side"], first_set["set_number"], first_set["hold_seconds"]) == (
        "left",
        "1",
        "30",
    )
    before = next(r for r in rows if r["context"] == "before_session")
    assert (before["kind"], before["score"], before["session_id"]) == ("pain", "5", "1")
    retest = next(r for r in rows if r["kind"] == "retest")
    assert "thomas_right_hip_deg=14" in retest["details"]
    assert "resisted_right=weak" in retest["details"]
    snooze = next(r for r in rows if r["context"] == "snoozed")
    assert snooze["details"] == "snooze_minutes=10"


def test_csv_session_ends_carry_the_share_of_work_adherence_counts() -> None:
    from psoas.domain.progression import session_shares

    shares = session_shares(HISTORY)
    ends = {r["session_id"]: r["details"] for r in _csv_rows(HISTORY) if r["kind"] == "session_end"}
    assert len(ends) == len(HISTORY.sessions)
    for s in HISTORY.sessions:
        share = shares[s.id or 0]
        assert 0 < share < 1  # three sets of each session's plan
        assert ends[str(s.id)] == f"status={s.status}; work_done={round(share, 3)!r}"


def test_csv_is_rfc4180_with_crlf_line_ends_in_utc() -> None:
    plus_two = timezone(timedelta(hours=2))
    words = ('Lifting a box, "carefully"', "Putting on\nsocks", "Gardening")
    history = History(
        profile=Profile(name="A", created_at=T0),
        pain=(PainRating(at=datetime(2024, 3, 4, 10, 0, tzinfo=plus_two), score=3),),
        psfs=(
            PsfsEntry(
                at=datetime(2024, 3, 5, 0, 30, tzinfo=plus_two),
                activities=tuple(PsfsActivity(activity=w, score=4) for w in words),
            ),
        ),
    )
    text = history_to_csv(history)
    assert text.startswith(",".join(CSV_COLUMNS) + "\r\n")
    assert "2024-03-04T08:00:00Z,pain,,,,,,,,3,daily,\r\n" in text
    assert '"Lifting a box, ""carefully"""' in text  # quoted, quotes doubled
    rows = _csv_rows(history)
    assert [r["details"] for r in rows[1:]] == list(words)
    assert rows[1]["time"] == "2024-03-04T22:30:00Z"


@pytest.mark.parametrize("danger", ["=1+1", "+1", "-1", "@SUM(A1)", "=cmd|' /C calc'!A0"])
def test_csv_defuses_spreadsheet_formulas_in_a_persons_own_words(danger: str) -> None:
    entry = PsfsEntry(
        at=T0,
        activities=(
            PsfsActivity(activity=danger + " x", score=2),
            PsfsActivity(activity="Walking the dog", score=5),
            PsfsActivity(activity="a-b = c", score=6),
        ),
    )
    history = History(profile=Profile(name="A", created_at=T0), psfs=(entry,))
    details = [r["details"] for r in _csv_rows(history)]
    assert details == ["'" + danger + " x", "Walking the dog", "a-b = c"]


def test_csv_of_a_new_profile_is_just_the_header() -> None:
    history = History(profile=Profile(name="A", created_at=T0))
    assert history_to_csv(history) == ",".join(CSV_COLUMNS) + "\r\n"


# --- FHIR --------------------------------------------------------------------------------------


def _resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_fhir_bundle_validates_and_holds_one_resource_per_record() -> None:
    bundle = history_to_fhir(HISTORY, CATALOG)
    Bundle.model_validate(bundle)  # re-parsed by the R4B models: raises if anything is off
    Bundle.model_validate_json(json.dumps(bundle))
    assert bundle["resourceType"] == "Bundle"
    assert bundle["type"] == "collection"
    counts = Counter(e["resource"]["resourceType"] for e in bundle["entry"])
    # per re-test: hip left and right, knee right, resisted right
    retest_obs = 4 * len(HISTORY.retests)
    assert counts == {
        "Patient": 1,
        "CodeSystem": 1,
        "CarePlan": 2,
        "Observation": len(HISTORY.pain) + retest_obs,
        "QuestionnaireResponse": len(HISTORY.psfs),
    }
    assert all(e["fullUrl"] == f"urn:uuid:{e['resource']['id']}" for e in bundle["entry"])


def test_fhir_patient_has_an_identifier_the_name_and_what_the_person_told() -> None:
    (patient,) = _resources(history_to_fhir(HISTORY, CATALOG), "Patient")
    assert patient["name"] == [{"text": "Zoë Example"}]
    (identifier,) = patient["identifier"]
    assert identifier["system"] == PERSON_ID_SYSTEM and identifier["value"]
    assert patient["gender"] == {"female": "female", "male": "male"}.get(
        HISTORY.assessments[-1].intake.person.sex or "", "other"
    )
    assert "birthDate" not in patient  # never guessed from an age
    assert set(patient) == {"resourceType", "id", "identifier", "name", "gender"}
    named = history_to_fhir(HISTORY, CATALOG, display_name="Zoë E.", birth_date=date(1980, 2, 29))
    (patient,) = _resources(named, "Patient")
    assert (patient["name"], patient["birthDate"]) == ([{"text": "Zoë E."}], "1980-02-29")
    assert _resources(named, "CarePlan")[0]["subject"]["display"] == "Zoë E."


def test_fhir_activities_are_coded_in_the_catalogs_code_system_carried_in_the_bundle() -> None:
    bundle = history_to_fhir(HISTORY, CATALOG)
    (system,) = _resources(bundle, "CodeSystem")
    assert (system["url"], system["version"], system["content"]) == (
        CATALOG_SYSTEM,
        CATALOG.version,
        "fragment",
    )
    concepts = {c["code"]: c for c in system["concept"]}
    for plan in _resources(bundle, "CarePlan"):
        for activity in plan["activity"]:
            (coding,) = activity["detail"]["code"]["coding"]
            assert coding["system"] == CATALOG_SYSTEM
            item = CATALOG.exercise(coding["code"])
            assert coding["display"] == item.name == concepts[item.id]["display"]
            assert concepts[item.id]["definition"] == item.summary
    whole = catalog_code_system(CATALOG)
    assert whole["content"] == "complete"
    assert [c["code"] for c in whole["concept"]] == [e.id for e in CATALOG.exercises]


def test_fhir_care_plans_show_the_current_program_and_what_it_replaced() -> None:
    bundle = history_to_fhir(HISTORY, CATALOG)
    old, current = _resources(bundle, "CarePlan")
    assert (current["status"], current["intent"]) == ("active", "plan")
    assert old["status"] == "revoked"
    assert current["replaces"] == [{"reference": f"urn:uuid:{old['id']}"}]
    assert old["period"]["end"] == current["period"]["start"] == "2024-03-14T07:30:00Z"
    assert len(current["activity"]) == len(PROGRAM.items)
    first = current["activity"][0]["detail"]
    assert first["code"]["coding"][0]["code"] == PROGRAM.items[0].id
    assert first["code"]["text"] == PROGRAM.items[0].name
    assert first["description"].startswith(PROGRAM.items[0].name + ": ")
    assert "left 3 sets, right 4 sets" in first["description"]  # the stretch, tighter right
    patient = _resources(bundle, "Patient")[0]
    assert current["subject"]["reference"] == f"urn:uuid:{patient['id']}"


def test_fhir_pain_is_a_loinc_coded_whole_number() -> None:
    pain = [
        o
        for o in _resources(history_to_fhir(HISTORY, CATALOG), "Observation")
        if "valueInteger" in o
    ]
    assert len(pain) == len(HISTORY.pain)
    (coding,) = pain[0]["code"]["coding"]
    assert coding["system"] == "http://loinc.org"
    assert coding["code"] == "72514-3"
    assert coding["display"] == "Pain severity - 0-10 verbal numeric rating [Score] - Reported"
    assert [o["valueInteger"] for o in pain] == [p.score for p in HISTORY.pain]
    assert pain[1]["note"] == [{"text": "Rated just before a session"}]


def test_fhir_thomas_test_angles_are_degrees_at_the_right_hip() -> None:
    observations = _resources(history_to_fhir(HISTORY, CATALOG), "Observation")
    hips = [o for o in observations if o["code"].get("text") == "Modified Thomas test hip angle"]
    assert len(hips) == 2 * len(HISTORY.retests)
    left, right = hips[0], hips[1]
    assert left["bodySite"]["coding"][0]["code"] == "287679003"
    assert right["bodySite"]["coding"][0]["code"] == "287579007"
    assert right["valueQuantity"] == {
        "value": 14.0,
        "unit": "deg",
        "system": "http://unitsofmeasure.org",
        "code": "deg",
    }
    assert right["effectiveDateTime"] == "2024-03-04T07:30:00Z"


def test_fhir_function_is_the_persons_own_activities_and_scores() -> None:
    responses = _resources(history_to_fhir(HISTORY, CATALOG), "QuestionnaireResponse")
    first = responses[0]
    assert first["status"] == "completed"
    assert [(i["text"], i["answer"][0]["valueInteger"]) for i in first["item"]] == [
        (a.activity, a.score) for a in HISTORY.psfs[0].activities
    ]
    assert "questionnaire" not in first


def test_fhir_ids_are_stable_so_a_second_import_updates() -> None:
    first = history_to_fhir(HISTORY, CATALOG)
    again = history_to_fhir(make_history(), CATALOG)
    assert first == again
    other = history_to_fhir(
        HISTORY.model_copy(update={"profile": HISTORY.profile.model_copy(update={"id": 8})}),
        CATALOG,
    )
    assert {e["fullUrl"] for e in first["entry"]}.isdisjoint(e["fullUrl"] for e in other["entry"])


def test_fhir_bundle_of_a_new_profile_has_just_the_patient_and_a_passed_timestamp() -> None:
    history = History(profile=Profile(name="A", created_at=T0))
    bundle = history_to_fhir(history, CATALOG, timestamp=T0)
    assert [e["resource"]["resourceType"] for e in bundle["entry"]] == ["Patient"]
    assert bundle["timestamp"] == "2024-03-04T07:30:00Z"


# --- iCalendar ---------------------------------------------------------------------------------


def _ics(version: ProgramVersion | None = None, **kw: Any) -> Calendar:
    kw.setdefault("start", date(2024, 3, 5))
    data = program_to_ics(version or HISTORY.programs[1], CATALOG, **kw)
    assert isinstance(data, bytes)
    return Calendar.from_ical(data)


def test_calendar_has_one_daily_recurring_event_per_session_with_a_reminder() -> None:
    cal = _ics(profile=HISTORY.profile)
    events = cal.walk("VEVENT")
    assert len(events) == 2  # version 2: two sessions a day
    for event, at in zip(events, (time(8, 0), time(18, 0)), strict=True):
        assert event["RRULE"]["FREQ"] == ["DAILY"]
        assert event["RRULE"]["COUNT"] == [28]
        assert event.decoded("DTSTART") == datetime.combine(date(2024, 3, 5), at, tzinfo=UTC)
        (alarm,) = event.walk("VALARM")
        assert str(alarm["ACTION"]) == "DISPLAY"
        assert alarm.decoded("TRIGGER") == timedelta(minutes=-10)
        assert event.decoded("DTSTAMP") == HISTORY.programs[1].created_at
    morning, evening = (str(e["SUMMARY"]) for e in events)
    assert morning == "psoas: home program (15 min)"
    assert evening == "psoas: home program (6 min)"  # only the stretch is repeated


def test_calendar_description_lists_the_items_with_doses() -> None:
    morning, evening = _ics().walk("VEVENT")
    text = str(morning["DESCRIPTION"])
    # At 20 minutes a day the release is dropped first (issue 9): the stretch leads.
    assert "1. Half-kneeling hip-flexor stretch: left 3 sets, right 4 sets" in text
    assert "Glute bridge: 2 sets, 10 reps" in text
    assert "get up and move every 20 minutes" in text
    assert "Glute bridge" not in str(evening["DESCRIPTION"]).split("Through the day")[0]


def test_calendar_uids_are_stable_and_a_new_version_updates_the_same_events() -> None:
    kw: dict[str, Any] = {"start": date(2024, 3, 5), "profile": HISTORY.profile}
    assert program_to_ics(HISTORY.programs[1], CATALOG, **kw) == program_to_ics(
        make_history().programs[1], CATALOG, **kw
    )
    v1 = _ics(HISTORY.programs[0], **kw).walk("VEVENT")
    v2 = _ics(HISTORY.programs[1], **kw).walk("VEVENT")
    assert str(v1[0]["UID"]) == str(v2[0]["UID"])
    assert (v1[0]["SEQUENCE"], v2[0]["SEQUENCE"]) == (1, 2)
    assert len({str(e["UID"]) for e in v2}) == 2
    other = HISTORY.profile.model_copy(update={"id": 8})
    assert str(_ics(profile=other).walk("VEVENT")[0]["UID"]) != str(v2[0]["UID"])


def test_calendar_follows_the_given_days_times_and_time_zone() -> None:
    cal = _ics(
        HISTORY.programs[0],
        days=14,
        times=(time(7, 15),),
        tz="Europe/Berlin",
        dtstamp=datetime(2024, 3, 1, tzinfo=UTC),
    )
    (event,) = cal.walk("VEVENT")
    assert event["RRULE"]["COUNT"] == [14]
    start = event.decoded("DTSTART")
    assert (start.hour, start.minute, start.utcoffset()) == (7, 15, timedelta(hours=1))
    assert str(event["DTSTART"].params["TZID"]) == "Europe/Berlin"
    assert [str(z["TZID"]) for z in cal.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert event.decoded("DTSTAMP") == datetime(2024, 3, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"days": 0}, "days"),
        ({"times": ()}, "times"),
        ({"times": (time(8), time(8))}, "times"),
        ({"tz": "Mars/Olympus"}, "tz"),
    ],
)
def test_calendar_refuses_impossible_settings(kw: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        program_to_ics(HISTORY.programs[0], CATALOG, start=date(2024, 3, 5), **kw)


def test_one_registry_names_every_download_for_every_surface() -> None:
    """The terminal, the person's pages, the API and the clinic take their downloads from one
    list: each with a file name, a media type and words a person understands."""
    from psoas.services import exports as registry

    assert registry.FORMATS == ("pdf", "ics", "csv", "fhir", "json")
    assert {d.fmt for d in registry.DOWNLOADS if d.needs_program} == {"pdf", "ics"}
    assert len(registry.BY_NAME) == len(registry.DOWNLOADS)
    for d in registry.DOWNLOADS:
        assert d.name.endswith((".pdf", ".ics", ".csv", ".json")) and d.title
