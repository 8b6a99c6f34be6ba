"""Realistic histories from a seed, for the benchmarks, the tests and anyone who needs weeks or
years of a person's use without living through them (in the spirit of Datasette's
``fixtures.py``).

:func:`build` is pure: it takes the intake, ``now`` and a few knobs and returns a
:class:`~psoas.domain.tracking.History` (no clock, no database; the same arguments give the same
history). The person is assessed from the intake; the program is followed day by day with the
sets of the real session plan (:func:`~psoas.domain.session_plan.session_steps`), pain rated
before and after each session and most evenings, the patient-specific functional scale (PSFS)
filled in and the Thomas test repeated every two weeks. :func:`store` keeps a built history
under a profile name.
"""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

from sqlalchemy import insert

from psoas.catalog import load_catalog
from psoas.domain.catalog import Catalog
from psoas.domain.intake import Intake, ResistedResult
from psoas.domain.progression import PROGRESS_SOURCES, step_up
from psoas.domain.results import Assessment, Program
from psoas.domain.session_plan import Step, session_steps
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
    SessionStatus,
    SetLog,
    StoredAssessment,
)
from psoas.services.assessment import parse_intake, run_assessment
from psoas.services.tracking import TrackingError
from psoas.storage import repo
from psoas.storage.db import Database
from psoas.storage.tables import PainRow, SessionRow, SetLogRow

#: The example intakes of a source checkout (``examples/<name>.json``).
EXAMPLES = Path(__file__).resolve().parents[3] / "examples"

Trend = Literal["improving", "flat", "worsening"]

#: The person's own activities for the PSFS, unless others are given.
ACTIVITIES = ("Sitting through a meeting", "Getting out of the car", "Walking for 30 minutes")
#: When the sessions of a day start (the first ``sessions_per_day`` of them, in order of the day).
SESSION_HOURS = (7, 18, 12, 15, 10, 20)
#: When a stepped-up version starts on its day (before the first session).
STEP_UP_HOUR = timedelta(hours=6)
#: How fast things change: two-thirds of the way to where the trend heads in this many days.
SETTLE_DAYS = 14.0
#: Where each trend heads: pain (as a fraction of the intake's), PSFS points, Thomas degrees.
HEADING: dict[Trend, tuple[float, float, float]] = {
    "improving": (0.35, 4.0, -10.0),
    "flat": (1.0, 0.0, 0.0),
    "worsening": (1.6, -2.0, 5.0),
}
#: Pain after a session minus before, by trend, unless ``session_effect`` says otherwise.
SESSION_EFFECT: dict[Trend, int] = {"improving": -1, "flat": 0, "worsening": 1}
#: Hip angles used for the re-tests when the intake has no Thomas test (left, right).
THOMAS_WHEN_UNMEASURED = (5.0, 10.0)


def example_intake(name: str = "office-worker", *, minutes_per_day: int | None = None) -> Intake:
    """An example intake of the source checkout, with the minutes a day changed if given."""
    intake = parse_intake((EXAMPLES / f"{name}.json").read_bytes())
    if minutes_per_day is None:
        return intake
    preferences = intake.preferences.model_copy(update={"minutes_per_day": minutes_per_day})
    return intake.model_copy(update={"preferences": preferences})


@functools.lru_cache(maxsize=64)
def _assessed(intake_json: str) -> Assessment:
    """One assessment per distinct intake (a benchmark builds a thousand histories from one)."""
    return run_assessment(Intake.model_validate_json(intake_json))


def build(
    intake: Intake,
    *,
    now: datetime,
    days: int = 28,
    seed: int = 0,
    adherence: float = 0.85,
    pain: Trend = "improving",
    sessions_per_day: int | None = None,
    session_effect: int | None = None,
    quit_rate: float = 0.05,
    max_sets: int | None = None,
    stopped_days_ago: int = 0,
    step_up_on: Sequence[int] = (),
    measure_every: int | None = 14,
    activities: Sequence[str] = ACTIVITIES,
    breaks_per_workday: int = 0,
) -> History:
    """The history of a person assessed from ``intake`` ``days`` days before ``now`` (an aware
    datetime) who has followed the program since; nothing in it is later than ``now``.

    Knobs:

    * ``seed``: the random choices (which sessions are missed, minutes, the noise on ratings);
    * ``adherence``: the chance, 0 to 1, of doing each session the program asks for;
    * ``pain``: where pain, function and the Thomas test head from the intake's: ``improving``
      (pain to about a third, PSFS up 4 points, hip angle down 10 degrees), ``flat`` or
      ``worsening`` (pain up by 60%, PSFS down 2, angle up 5), two-thirds of the way in
      :data:`SETTLE_DAYS`; ratings wobble by up to a point;
    * ``sessions_per_day``: the most sessions done a day (default: as many as the program asks);
    * ``session_effect``: pain after a session minus before (default: -1, 0 or +1 by trend);
    * ``quit_rate``: the share of sessions stopped halfway (status ``quit``, half the sets);
    * ``max_sets``: keep only the first that many sets of each session (default: all the steps
      of the session plan);
    * ``stopped_days_ago``: no session (and fewer daily ratings) in the last that many days;
    * ``step_up_on``: days (from the assessment) on which the program steps up one level as a
      new version, as the progression rule does;
    * ``measure_every``: PSFS every that many days from the assessment on and a re-test from
      the first interval on (``None``: neither);
    * ``activities``: the person's own 3 to 5 activities for the PSFS;
    * ``breaks_per_workday``: sitting-break prompts answered on weekdays (0: no break coach).

    An intake whose result holds the program back (a warning sign) gives the assessment alone.
    Ids are local to the history: the assessment is 1, sessions count from 1.
    """
    rng = random.Random(seed)
    start = now - timedelta(days=days)
    result = _assessed(intake.model_dump_json(exclude_unset=True))
    assessment = StoredAssessment(id=1, created_at=start, intake=intake, result=result)
    profile = Profile(name=f"fixture-{seed}", created_at=start)
    if result.program is None:
        return History(profile=profile, assessments=(assessment,))
    catalog = load_catalog()
    midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
    versions = _versions(result, start, midnight, days, step_up_on, catalog)
    course = _Course(intake, pain, rng)
    effect = SESSION_EFFECT[pain] if session_effect is None else session_effect
    sessions: list[SessionRecord] = []
    sets: list[SetLog] = []
    ratings: list[PainRating] = []
    breaks: list[BreakEvent] = []
    plans = {v.version: session_steps(v.program, catalog)[:max_sets] for v in versions}
    last_active = days - stopped_days_ago
    for day in range(days + 1):
        today = midnight + timedelta(days=day)
        active = day <= last_active
        version = [versions[0], *(v for v in versions if v.created_at <= today + STEP_UP_HOUR)][-1]
        per_day = sessions_per_day or version.program.sessions_per_day
        for hour in sorted(SESSION_HOURS[:per_day]):
            at = today + timedelta(hours=hour, minutes=rng.randrange(50))
            if not active or rng.random() >= adherence or not start < at < now:
                continue
            steps = plans[version.version]
            quit_early = rng.random() < quit_rate
            if quit_early:
                steps = steps[: max(1, len(steps) // 2)]
            sid = len(sessions) + 1
            logs, ended = _sets(steps, sid, at)
            if ended + timedelta(minutes=1) > now:
                continue
            sets += logs
            status: SessionStatus = "quit" if quit_early else "completed"
            sessions.append(
                SessionRecord(
                    id=sid,
                    program_version=version.version,
                    started_at=at,
                    ended_at=ended,
                    status=status,
                )
            )
            before = course.pain(at, start)
            after = max(0, min(10, before + effect))
            ratings.append(
                PainRating(at=at, score=before, context="before_session", session_id=sid)
            )
            ratings.append(
                PainRating(
                    at=ended + timedelta(minutes=1),
                    score=after,
                    context="after_session",
                    session_id=sid,
                )
            )
        evening = today + timedelta(hours=20, minutes=rng.randrange(90))
        if rng.random() < (0.85 if active else 0.45) and start < evening <= now:
            ratings.append(PainRating(at=evening, score=course.pain(evening, start)))
        if active and today.weekday() < 5:
            breaks += _breaks(version.program, today, breaks_per_workday, start, now, rng)
    every = measure_every or 0
    measured = [start + timedelta(days=d) for d in range(0, days + 1, every)] if every else []
    return History(
        profile=profile,
        assessments=(assessment,),
        programs=tuple(versions),
        sessions=tuple(sessions),
        sets=tuple(sets),
        pain=tuple(sorted(ratings, key=lambda p: p.at)),
        psfs=tuple(course.psfs(at, start, activities) for at in measured),
        retests=tuple(course.retest(at, start) for at in measured[1:]),
        breaks=tuple(breaks),
    )


def _versions(
    result: Assessment,
    start: datetime,
    midnight: datetime,
    days: int,
    step_up_on: Sequence[int],
    catalog: Catalog,
) -> list[ProgramVersion]:
    """The first program, then one version a step harder on each day of ``step_up_on`` (at
    06:00, before that day's sessions) while anything can still step up."""
    assert result.program is not None
    first = ProgramVersion(
        version=1,
        created_at=start,
        reason="first program, from the assessment",
        program=result.program,
        catalog_version=result.catalog_version,
        assessment_id=1,
    )
    versions = [first]
    for day in sorted(d for d in step_up_on if 0 < d <= days):
        program, changes = step_up(versions[-1].program, catalog)
        if not changes:
            break
        versions.append(
            ProgramVersion(
                version=len(versions) + 1,
                created_at=midnight + timedelta(days=day) + STEP_UP_HOUR,
                reason="progress: " + " ".join(changes),
                sources=PROGRESS_SOURCES,
                program=program,
                catalog_version=result.catalog_version,
            )
        )
    return versions


def _sets(steps: Sequence[Step], session_id: int, at: datetime) -> tuple[list[SetLog], datetime]:
    """The sets of a session started ``at``, each logged as a player logs it (the hold, the
    repetitions or the minutes of its kind) when its work ends, and when the session ends."""
    logs: list[SetLog] = []
    t = at
    for step in steps:
        t += timedelta(seconds=step.get_ready_seconds + step.work_seconds)
        logs.append(step.log(session_id=session_id, completed_at=t))
        t += timedelta(seconds=step.rest_seconds)
    return logs, t


def _breaks(
    program: Program,
    day: datetime,
    count: int,
    start: datetime,
    now: datetime,
    rng: random.Random,
) -> list[BreakEvent]:
    """A working day's sitting-break prompts from 09:00, each taken, snoozed or skipped."""
    movements = [i.id for i in program.items if i.category == "movement"] or ["movement-break"]
    events: list[BreakEvent] = []
    for k in range(count):
        prompt = day + timedelta(hours=9, minutes=k * program.break_interval_minutes * 2)
        if not start < prompt < now - timedelta(minutes=1):
            continue
        movement = movements[k % len(movements)]
        events.append(BreakEvent(at=prompt, kind="prompted", movement_id=movement))
        roll = rng.random()
        answer = prompt + timedelta(minutes=1)
        if roll < 0.7:
            events.append(BreakEvent(at=answer, kind="taken", movement_id=movement))
        elif roll < 0.88:
            events.append(BreakEvent(at=answer, kind="snoozed", snooze_minutes=10))
        else:
            events.append(BreakEvent(at=answer, kind="skipped"))
    return events


class _Course:
    """Where pain, function and the Thomas test are on a given day: from the intake's values
    toward where the trend heads, with a little noise."""

    def __init__(self, intake: Intake, trend: Trend, rng: random.Random) -> None:
        self.rng = rng
        self.pain_start = float(intake.pain.intensity_now)
        fraction, self.psfs_change, self.thomas_change = HEADING[trend]
        self.pain_change = min(10.0, self.pain_start * fraction) - self.pain_start
        self.psfs_start = [rng.randint(3, 6) for _ in range(5)]
        thomas = intake.observations.thomas_test
        left = thomas.left.hip_angle_deg if thomas and thomas.left else None
        right = thomas.right.hip_angle_deg if thomas and thomas.right else None
        if left is None and right is None:
            left, right = THOMAS_WHEN_UNMEASURED
        self.thomas = (left, right)
        resisted = intake.observations.resisted_hip_flexion
        self.resisted = (resisted.left, resisted.right) if resisted else (None, None)
        self.improving = trend == "improving"

    def settled(self, at: datetime, start: datetime) -> float:
        return 1 - math.exp(-(at - start).total_seconds() / 86400 / SETTLE_DAYS)

    def pain(self, at: datetime, start: datetime) -> int:
        value = self.pain_start + self.pain_change * self.settled(at, start)
        return max(0, min(10, round(value + self.rng.uniform(-0.7, 0.7))))

    def psfs(self, at: datetime, start: datetime, activities: Sequence[str]) -> PsfsEntry:
        moved = self.psfs_change * self.settled(at, start)
        return PsfsEntry(
            at=at,
            activities=tuple(
                PsfsActivity(activity=a, score=max(0, min(10, round(first + moved))))
                for a, first in zip(activities, self.psfs_start, strict=False)
            ),
        )

    def retest(self, at: datetime, start: datetime) -> Retest:
        moved = self.thomas_change * self.settled(at, start)
        left, right = (
            None
            if angle is None
            else max(-40, min(60, round(angle + moved + self.rng.uniform(-1, 1))))
            for angle in self.thomas
        )
        resisted_left, resisted_right = (
            self._resisted(r, self.settled(at, start)) for r in self.resisted
        )
        return Retest(
            at=at,
            thomas_left_hip_deg=left,
            thomas_right_hip_deg=right,
            resisted_left=resisted_left,
            resisted_right=resisted_right,
        )

    def _resisted(self, first: ResistedResult | None, settled: float) -> ResistedResult | None:
        if first is None or not self.improving or settled < 0.6:
            return first
        return "normal"


def store(db: Database, history: History, *, name: str | None = None) -> Profile:
    """Keep a built history under ``name`` (default: the history's own), refusing a name that
    is taken, as :func:`psoas.services.tracking.restore` does, with the sessions, sets and pain
    ratings inserted in bulk: five years (20,000 sets) take about a second where ``restore``,
    a row at a time, takes 3 s on SQLite and 5 s on PostgreSQL."""
    target = name or history.profile.name
    bulk = {"sessions": (), "sets": (), "pain": ()}
    with db.session() as s, s.begin():
        if repo.find_profile(s, name=target) is not None:
            raise TrackingError(f"profile {target!r} already exists")
        profile = repo.restore_history(s, history=history.model_copy(update=bulk), name=target)
        conn = s.connection()
        ids: dict[int | None, int] = {}
        if history.sessions:
            rows = [
                {
                    "profile_id": profile.id,
                    "program_version": r.program_version,
                    "started_at": r.started_at,
                    "ended_at": r.ended_at,
                    "status": r.status,
                }
                for r in history.sessions
            ]
            returned = conn.execute(
                insert(SessionRow).returning(SessionRow.id, sort_by_parameter_order=True),
                rows,
            )
            ids = dict(zip((r.id for r in history.sessions), returned.scalars(), strict=True))
        if history.sets:
            conn.execute(
                insert(SetLogRow),
                [{**e.model_dump(), "session_id": ids[e.session_id]} for e in history.sets],
            )
        if history.pain:
            conn.execute(
                insert(PainRow),
                [
                    {
                        "profile_id": profile.id,
                        "at": p.at,
                        "score": p.score,
                        "context": p.context,
                        "session_id": None if p.session_id is None else ids[p.session_id],
                    }
                    for p in history.pain
                ],
            )
    return profile
