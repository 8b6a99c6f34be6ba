"""What a signed-in person does on the web, one function each, called by both the HTML pages
and their JSON twins, so that a page and its API never disagree.

Every function works on one profile (a patient's ``user.profile_name``). Bad input raises
:class:`InputError` naming each field before anything is written; a program that cannot be
shown (none yet, or held back by a warning sign) raises :class:`Unavailable`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from psoas.catalog import load_catalog
from psoas.domain.catalog import Catalog, Reference
from psoas.domain.errors import InputError, Problem, describe_errors, problems_from_lines
from psoas.domain.outcomes import OutcomeScore
from psoas.domain.progression import Decision, ProgressSummary, Reading, shown_readings
from psoas.domain.results import Assessment, Program
from psoas.domain.tracking import (
    PainRating,
    ProgramVersion,
    PsfsActivity,
    PsfsEntry,
    Retest,
    StoredAssessment,
)
from psoas.reports import pdf
from psoas.services import (
    clearance,
    custom_exercises,
    outcomes,
    programs,
    progress,
    steps,
    tracking,
)
from psoas.services.assessment import IntakeError, emergency_stop, run_assessment, validate_intake
from psoas.services.charts import WebChart, web_charts
from psoas.storage import repo
from psoas.storage.db import Database

# --- problems -----------------------------------------------------------------------------------


Unavailable = programs.ProgramUnavailable


def _validate(model: type[BaseModel], data: Any, *, document: str) -> Any:
    if not isinstance(data, Mapping):
        raise InputError([Problem(document, "must be a JSON object")])
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        raise InputError(problems_from_lines(describe_errors(exc), document=document)) from exc


# --- the assessment and the program ------------------------------------------------------------

NO_PROGRAM = programs.NO_PROGRAM
ProgramState = programs.ProgramState


def _profile_id(db: Database, profile_name: str) -> int:
    profile = tracking.get_profile(db, profile_name)
    assert profile.id is not None
    return profile.id


def latest_assessment(db: Database, *, profile_name: str) -> StoredAssessment | None:
    pid = _profile_id(db, profile_name)
    with db.session() as s:
        return repo.latest_assessment(s, profile_id=pid)


def program_state(db: Database, *, profile_name: str) -> ProgramState:
    """What /me shows. A red flag in the latest assessment withholds every program version.
    Read in one database session: it is asked on every visit of the program page and API."""
    with db.session() as s:
        try:
            return programs.state_in(s, name=profile_name)  # one query
        except repo.NotFound:
            tracking.profile_in(s, profile_name)  # says there is no such profile, and how
            raise


def require_program(db: Database, *, profile_name: str) -> ProgramVersion:
    return program_state(db, profile_name=profile_name).require()


def assess(db: Database, *, profile_name: str, document: Any, now: datetime) -> Assessment:
    """Validate an intake-v1 document, assess it and keep both (a program becomes the next
    version). Invalid: InputError naming every field, and nothing is saved."""
    try:
        intake = validate_intake(document)
    except IntakeError as exc:
        raise InputError(problems_from_lines(exc.problems)) from exc
    cleared = clearance.carried(db, profile_name=profile_name, intake=intake, pain_risen=False)
    result = run_assessment(intake, clearance=cleared)
    tracking.save_assessment(
        db, profile_name=profile_name, intake=intake, assessment=result, now=now
    )
    return result


def stop_for_emergency(
    db: Database, *, profile_name: str, answers: Mapping[str, Any], now: datetime
) -> Assessment | None:
    """When the answers so far are an emergency, keep that result (so that every surface holds
    the program back from now on) and return it; else None and nothing is saved.

    The questions stop at once, so the intake kept is the answers so far completed with the
    questionnaire's neutral placeholders (``provisional_intake``).
    """
    stopped = emergency_stop(dict(answers))
    if stopped is None:
        return None
    intake, result = stopped
    cleared = clearance.newest_codes(db, profile_name=profile_name)
    if cleared and {r.code for r in result.triage.reasons} <= cleared:
        return None  # a doctor cleared this emergency: the full answers decide
    tracking.save_assessment(
        db, profile_name=profile_name, intake=intake, assessment=result, now=now, complete=False
    )
    return result


def cited_references(keys: Iterable[str], *, catalog: Catalog | None = None) -> list[Reference]:
    catalog = catalog or load_catalog()
    return [catalog.reference(k) for k in dict.fromkeys(keys) if catalog.has_reference(k)]


@dataclass(frozen=True)
class ProgramView:
    version: ProgramVersion
    items: list[pdf.ItemText]
    excluded: list[tuple[str, str]]  # (name, why)
    references: list[Reference]

    def outline(self, item: pdf.ItemText) -> tuple[str, ...]:
        """The item's steps at a glance: the first sentence of each (the whole step is one tap
        away)."""
        return tuple(first_sentence(s) for s in item.steps)


_SENTENCE_END = re.compile(r"(?<=[a-z0-9)'\u2019])[.!?]\s+(?=[A-Z])")


def first_sentence(text: str) -> str:
    """``text`` up to the end of its first sentence."""
    match = _SENTENCE_END.search(text)
    return text if match is None else text[: match.start() + 1]


def program_items(program: Program) -> list[pdf.ItemText]:
    catalog = custom_exercises.catalog_seen(program)  # psoas's, and the clinic's it holds
    return [pdf.item_text(item, catalog) for item in program.items]


def program_view(version: ProgramVersion) -> ProgramView:
    """A program version in words: the same text the handout prints."""
    catalog = custom_exercises.catalog_seen(version.program)
    program = version.program
    return ProgramView(
        version=version,
        items=program_items(program),
        excluded=[(catalog.exercise(e.id).name, e.message) for e in program.excluded],
        references=cited_references(
            pdf.program_reference_keys(program, version.sources), catalog=catalog
        ),
    )


# --- logging -----------------------------------------------------------------------------------


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class PainIn(_In):
    """Today's pain."""

    score: int = Field(ge=0, le=10, description="0 = no pain, 10 = worst imaginable")


class PsfsActivityIn(_In):
    activity: str = Field(min_length=2, max_length=120, description="in your own words")
    score: int = Field(ge=0, le=10, description="0 = cannot do it, 10 = as well as before")


class PsfsIn(_In):
    """The patient-specific functional scale: 3 to 5 of your own activities."""

    activities: list[PsfsActivityIn] = Field(min_length=3, max_length=5)


Resisted = Literal["normal", "weak", "painful", "weak_painful"]


class RetestIn(_In):
    """A re-test: at least one measurement."""

    thomas_left_hip_deg: float | None = Field(
        default=None, ge=-40, le=60, description="thigh above (+) or below (-) the table"
    )
    thomas_right_hip_deg: float | None = Field(default=None, ge=-40, le=60)
    thomas_left_knee_deg: float | None = Field(default=None, ge=0, le=160)
    thomas_right_knee_deg: float | None = Field(default=None, ge=0, le=160)
    resisted_left: Resisted | None = None
    resisted_right: Resisted | None = None


def record_pain(db: Database, *, profile_name: str, data: Any, now: datetime) -> PainRating:
    given: PainIn = _validate(PainIn, data, document="score")
    return tracking.log_pain(db, profile_name=profile_name, score=given.score, now=now)


def record_psfs(db: Database, *, profile_name: str, data: Any, now: datetime) -> PsfsEntry:
    given: PsfsIn = _validate(PsfsIn, data, document="activities")
    activities = tuple(
        PsfsActivity(activity=a.activity.strip(), score=a.score) for a in given.activities
    )
    try:
        entry = PsfsEntry(at=now, activities=activities)
    except ValidationError as exc:
        raise InputError(problems_from_lines(describe_errors(exc), document="activities")) from exc
    tracking.log_psfs(db, profile_name=profile_name, entry=entry)
    return entry


def record_retest(db: Database, *, profile_name: str, data: Any, now: datetime) -> Retest:
    given: RetestIn = _validate(RetestIn, data, document="retest")
    try:
        retest = Retest(at=now, **given.model_dump())
    except ValidationError as exc:
        raise InputError(problems_from_lines(describe_errors(exc), document="retest")) from exc
    tracking.log_retest(db, profile_name=profile_name, retest=retest)
    return retest


def last_psfs_activities(db: Database, *, profile_name: str) -> list[str]:
    """The activity names of the latest functional-scale entry, to offer them again."""
    history = tracking.history(db, profile_name=profile_name, with_sets=False)
    if not history.psfs:
        return []
    latest = max(history.psfs, key=lambda e: e.at)
    return [a.activity for a in latest.activities]


# --- progress ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressView:
    summary: ProgressSummary
    decision: Decision | None  # None when the program is held back
    held_back: str | None
    charts: list[WebChart]
    readings: tuple[Reading, ...] = ()
    #: a linked patient asks their clinician for a step up; their latest request or answer
    step: steps.PatientSide = steps.NO_STEPS

    @property
    def can_apply(self) -> bool:
        return self.decision is not None and self.decision.program is not None


def progress_view(
    db: Database,
    *,
    profile_name: str,
    now: datetime,
    charts: bool = True,
    tz: str = "UTC",
    scored: Sequence[OutcomeScore] | None = None,
) -> ProgressView:
    """The progress report, with its charts as numbers for the browser to draw (dates in time
    zone ``tz``); the decision is left out while a warning sign holds the program back (it
    could otherwise show exercises). ``scored``: the person's totals scored elsewhere and
    ratings of change, when already read (else read here)."""
    report = progress.report(db, profile_name=profile_name, now=now)
    state = program_state(db, profile_name=profile_name)
    held = state.message() if state.held_back else None
    drawn = (
        web_charts(
            report.history,
            report.summary,
            shares=report.shares,
            tz=tz,
            outcomes=outcomes.scores_for_profile(db, profile_id=report.history.profile.id)
            if scored is None
            else scored,
        )
        if charts
        else []
    )
    return ProgressView(
        summary=report.summary,
        decision=None if held else report.decision,
        held_back=held,
        charts=drawn,
        readings=shown_readings(report.summary, held_back=held is not None),
        step=steps.patient_side(db, profile_name=profile_name),
    )


class NothingToApply(ValueError):
    """The decision as of now does not change the program."""


def apply_progress(db: Database, *, profile_name: str, now: datetime) -> steps.Outcome:
    """Act on today's decision (decided again now, never taken from what the browser sent):
    store it as the next program version, or ask the patient's clinician (services.steps)."""
    require_program(db, profile_name=profile_name)
    try:
        return steps.step(db, profile_name=profile_name, now=now)
    except steps.StepError as exc:
        raise NothingToApply(str(exc)) from exc
