"""Realistic histories from a seed, for the benchmarks, the tests and anyone who needs weeks or
years of a person's use without living through them (in the spirit of Datasette's
``fixtures.py``).

:func:`build` is pure: it takes the intake, ``now`` and a few knobs and returns a
:class:`~psoas.domain.tracking.History` (no clock, no database; the same arguments give the same
history). The person is assessed from the intake; the program is followed day by day with the
sets of the real session plan (:func:`~psoas.domain.session_plan.session_steps`), pain rated
before and after each session and most evenings, the patient-specific functional scale (PSFS)
filled in and the Thomas test repeated every two weeks. Pain, the PSFS and the re-tests head
where a trend says, or follow the curves and lines a story gives (the demo clinic's patients are
built this way). :func:`store` keeps a built history under a profile name, new or one that holds
nothing yet (a patient account's).
"""

from __future__ import annotations

import functools
import itertools
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
from psoas.domain.program import allowed_for
from psoas.domain.progression import PROGRESS_SOURCES, LevelCheck, step_up_cited
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
from psoas.storage.tables import BreakRow, PainRow, SessionRow, SetLogRow

#: The example intakes of a source checkout (``examples/<name>.json``).
EXAMPLES = Path(__file__).resolve().parents[3] / "examples"

Trend = Literal["improving", "flat", "worsening"]
#: A value over the days: (fraction of the way from the assessment to ``now``, value) points,
#: joined by straight lines (flat before the first point and after the last).
Curve = tuple[tuple[float, float], ...]
#: A value's first and last: a straight line from the assessment to ``now``.
Line = tuple[float, float]

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
#: Hip angles used for the re-tests when the intake measured neither the Thomas test nor
#: resisted hip flexion (left, right).
THOMAS_WHEN_UNMEASURED = (5.0, 10.0)
#: The daily pain rating's chance on a day with sessions, and on a day without (a gap, stopped).
DAILY_RATING = (0.85, 0.45)


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
    pain_curve: Curve | None = None,
    sessions_per_day: int | None = None,
    session_effect: int | Curve | None = None,
    quit_rate: float = 0.05,
    max_sets: int | None = None,
    gaps: Sequence[tuple[int, int]] = (),
    stopped_days_ago: int = 0,
    step_up_on: Sequence[int] = (),
    measure_every: int | None = 14,
    activities: Sequence[str] = ACTIVITIES,
    psfs: Sequence[tuple[str, int, int]] = (),
    thomas: tuple[Line, Line] | None = None,
    resisted_normal_on: int | None = None,
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
    * ``pain_curve``: pain over the days as a :data:`Curve` instead (the ratings still wobble);
    * ``sessions_per_day``: the most sessions done a day (default: as many as the program asks);
    * ``session_effect``: pain after a session minus before, as a number or a :data:`Curve`
      over the days (default: -1, 0 or +1 by trend);
    * ``quit_rate``: the share of sessions stopped halfway (status ``quit``, half the sets);
    * ``max_sets``: keep only the first that many sets of each session (default: all the steps
      of the session plan);
    * ``gaps``: (first, last) days (from the assessment, both included) away from the program:
      no session, no PSFS or re-test, no break prompt and fewer daily ratings, as on a holiday;
    * ``stopped_days_ago``: the same for the last that many days;
    * ``step_up_on``: days (from the assessment) on which the program steps up one step as a
      new version, as the progression rule does;
    * ``measure_every``: PSFS every that many days from the assessment on and a re-test from
      the first interval on (``None``: neither);
    * ``activities``: the person's own 3 to 5 activities for the PSFS;
    * ``psfs``: the person's own activities with their first and last scores instead, each on a
      straight line from the assessment to ``now``;
    * ``thomas``: the re-tests' hip angles, left and right, each a :data:`Line` (first, last)
      with a degree of noise, instead of the intake's heading where ``pain`` says;
    * ``resisted_normal_on``: the day (from the assessment) from which re-tests find resisted
      hip flexion normal on both sides (default: once an improving trend has settled 60% of the
      way; as in the intake otherwise);
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
    versions = _versions(
        result, start, midnight, days, step_up_on, catalog, allowed_for(intake, result.triage)
    )
    course = _Course(
        intake,
        pain,
        rng,
        start=start,
        days=days,
        pain_curve=pain_curve,
        psfs=psfs,
        thomas=thomas,
        resisted_normal_on=resisted_normal_on,
    )
    if session_effect is None:
        session_effect = SESSION_EFFECT[pain]
    sessions: list[SessionRecord] = []
    sets: list[SetLog] = []
    ratings: list[PainRating] = []
    breaks: list[BreakEvent] = []
    plans = {v.version: session_steps(v.program, catalog)[:max_sets] for v in versions}
    last_active = days - stopped_days_ago

    def away(day: int) -> bool:
        return day > last_active or any(first <= day <= last for first, last in gaps)

    for day in range(days + 1):
        today = midnight + timedelta(days=day)
        active = not away(day)
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
            before = course.pain(at)
            effect = (
                session_effect
                if isinstance(session_effect, int)
                else round(along(session_effect, course.fraction(at)))
            )
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
        if rng.random() < DAILY_RATING[0 if active else 1] and start < evening <= now:
            ratings.append(PainRating(at=evening, score=course.pain(evening)))
        if active and today.weekday() < 5:
            breaks += _breaks(version.program, today, breaks_per_workday, start, now, rng)
    every = measure_every or 0
    measured = [d for d in range(0, days + 1, every) if not away(d)] if every else []
    return History(
        profile=profile,
        assessments=(assessment,),
        programs=tuple(versions),
        sessions=tuple(sessions),
        sets=tuple(sets),
        pain=tuple(sorted(ratings, key=lambda p: p.at)),
        psfs=tuple(course.psfs(start + timedelta(days=d), activities) for d in measured),
        retests=tuple(course.retest(start + timedelta(days=d)) for d in measured if d > 0),
        breaks=tuple(breaks),
    )


def along(curve: Curve, x: float) -> float:
    """The value of ``curve`` at ``x``, on the straight line between the points either side."""
    if x <= curve[0][0]:
        return curve[0][1]
    for (x0, y0), (x1, y1) in itertools.pairwise(curve):
        if x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0) if x1 > x0 else y1
    return curve[-1][1]


def _versions(
    result: Assessment,
    start: datetime,
    midnight: datetime,
    days: int,
    step_up_on: Sequence[int],
    catalog: Catalog,
    check: LevelCheck,
) -> list[ProgramVersion]:
    """The first program, then one version a step harder on each day of ``step_up_on`` (at
    06:00, before that day's sessions) while anything can still step up; a level only where
    ``check`` (the person's answers) allows it."""
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
        program, changes, cited = step_up_cited(versions[-1].program, catalog, check=check)
        if not changes:
            break
        versions.append(
            ProgramVersion(
                version=len(versions) + 1,
                created_at=midnight + timedelta(days=day) + STEP_UP_HOUR,
                reason="progress: " + " ".join(changes),
                sources=tuple(dict.fromkeys((*PROGRESS_SOURCES, *cited))),
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
        logs.extend(step.logs(session_id=session_id, completed_at=t))
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
    """Where pain, function and the re-tests are at a given time: from the intake's values
    toward where the trend heads, or along the curves and lines given, with a little noise."""

    def __init__(
        self,
        intake: Intake,
        trend: Trend,
        rng: random.Random,
        *,
        start: datetime,
        days: int,
        pain_curve: Curve | None,
        psfs: Sequence[tuple[str, int, int]],
        thomas: tuple[Line, Line] | None,
        resisted_normal_on: int | None,
    ) -> None:
        self.rng = rng
        self.start = start
        self.span = timedelta(days=max(1, days))
        self.pain_start = float(intake.pain.intensity_now)
        fraction, self.psfs_change, self.thomas_change = HEADING[trend]
        self.pain_change = min(10.0, self.pain_start * fraction) - self.pain_start
        self.pain_curve = pain_curve
        self.psfs_start = [rng.randint(3, 6) for _ in range(5)]
        self.psfs_lines = tuple(psfs)
        measured = intake.observations.thomas_test
        left = measured.left.hip_angle_deg if measured and measured.left else None
        right = measured.right.hip_angle_deg if measured and measured.right else None
        resisted = intake.observations.resisted_hip_flexion
        if left is None and right is None and resisted is None:
            left, right = THOMAS_WHEN_UNMEASURED
        self.thomas_start = (left, right)
        self.thomas_lines = thomas
        self.resisted = (resisted.left, resisted.right) if resisted else (None, None)
        self.resisted_normal_on = resisted_normal_on
        self.improving = trend == "improving"

    def fraction(self, at: datetime) -> float:
        """How far ``at`` is from the assessment to ``now``, 0 to 1."""
        return (at - self.start) / self.span

    def settled(self, at: datetime) -> float:
        return 1 - math.exp(-(at - self.start).total_seconds() / 86400 / SETTLE_DAYS)

    def pain(self, at: datetime) -> int:
        if self.pain_curve is None:
            value = self.pain_start + self.pain_change * self.settled(at)
        else:
            value = along(self.pain_curve, self.fraction(at))
        return max(0, min(10, round(value + self.rng.uniform(-0.7, 0.7))))

    def psfs(self, at: datetime, activities: Sequence[str]) -> PsfsEntry:
        if self.psfs_lines:
            x = self.fraction(at)
            scores = [(a, first + (last - first) * x) for a, first, last in self.psfs_lines]
        else:
            moved = self.psfs_change * self.settled(at)
            scores = [
                (a, first + moved) for a, first in zip(activities, self.psfs_start, strict=False)
            ]
        return PsfsEntry(
            at=at,
            activities=tuple(
                PsfsActivity(activity=a, score=max(0, min(10, round(score)))) for a, score in scores
            ),
        )

    def retest(self, at: datetime) -> Retest:
        if self.thomas_lines is None:
            moved = self.thomas_change * self.settled(at)
            angles = tuple(None if a is None else a + moved for a in self.thomas_start)
        else:
            x = self.fraction(at)
            angles = tuple(first + (last - first) * x for first, last in self.thomas_lines)
        left, right = (
            None if angle is None else max(-40, min(60, round(angle + self.rng.uniform(-1, 1))))
            for angle in angles
        )
        resisted_left, resisted_right = (self._resisted(r, at) for r in self.resisted)
        return Retest(
            at=at,
            thomas_left_hip_deg=left,
            thomas_right_hip_deg=right,
            resisted_left=resisted_left,
            resisted_right=resisted_right,
        )

    def _resisted(self, first: ResistedResult | None, at: datetime) -> ResistedResult | None:
        if first is None:
            return None
        if self.resisted_normal_on is not None:
            recovered = at - self.start >= timedelta(days=self.resisted_normal_on)
        else:
            recovered = self.improving and self.settled(at) >= 0.6
        return "normal" if recovered else first


def store(db: Database, history: History, *, name: str | None = None) -> Profile:
    """Keep a built history under ``name`` (default: the history's own): a new profile, or one
    that holds nothing yet (the one a patient's sign-up makes); a profile with anything in it is
    refused, as :func:`psoas.services.tracking.restore` refuses a taken name. The sessions, sets,
    pain ratings and breaks are inserted in bulk: five years (20,000 sets) take about a second
    where ``restore``, a row at a time, takes 3 s on SQLite and 5 s on PostgreSQL."""
    target = name or history.profile.name
    with db.session() as s, s.begin():
        profile = repo.find_profile(s, name=target)
        if profile is None:
            profile = repo.create_profile(s, name=target, now=history.profile.created_at)
        elif _holds_anything(repo.load_history(s, profile_id=_id(profile), with_sets=False)):
            raise TrackingError(f"profile {target!r} already exists")
        pid = _id(profile)
        assessment_ids = {
            a.id: repo.save_assessment(
                s,
                profile_id=pid,
                intake=a.intake,
                assessment=a.result,
                now=a.created_at,
                complete=a.complete,
            )
            for a in history.assessments
        }
        for v in history.programs:
            stored = repo.add_program_version(
                s,
                profile_id=pid,
                program=v.program,
                reason=v.reason,
                sources=v.sources,
                catalog_version=v.catalog_version,
                assessment_id=None if v.assessment_id is None else assessment_ids[v.assessment_id],
                now=v.created_at,
            )
            assert stored.version == v.version, "a built history numbers its versions from 1"
        conn = s.connection()
        ids: dict[int | None, int] = {}
        if history.sessions:
            rows = [
                {
                    "profile_id": pid,
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
                        "profile_id": pid,
                        "at": p.at,
                        "score": p.score,
                        "context": p.context,
                        "session_id": None if p.session_id is None else ids[p.session_id],
                    }
                    for p in history.pain
                ],
            )
        for entry in history.psfs:
            repo.add_psfs(s, profile_id=pid, entry=entry)
        for retest in history.retests:
            repo.add_retest(s, profile_id=pid, retest=retest)
        if history.breaks:
            conn.execute(
                insert(BreakRow), [{"profile_id": pid, **b.model_dump()} for b in history.breaks]
            )
    return profile


def _id(profile: Profile) -> int:
    assert profile.id is not None
    return profile.id


def _holds_anything(history: History) -> bool:
    return any(
        (
            history.assessments,
            history.programs,
            history.sessions,
            history.pain,
            history.psfs,
            history.retests,
            history.breaks,
        )
    )
