"""Is the program working, and what happens next: the outcome and progression rules.

Two pure functions read a person's :class:`~psoas.domain.tracking.History`:

* :func:`summarize` turns it into numbers and plain sentences: adherence, pain, function (PSFS)
  and the hip re-test, each judged against its published meaningful change;
* :func:`decide` turns a summary into one decision: hold it back when the latest assessment
  found a warning sign (see the doctor first), step the program up, step it back, hold it, or
  say that the hip-flexor part is probably not the key for this person (keep up general
  exercise and walking, and see a physiotherapist: never "stop exercising").

Nothing here reads a clock or does I/O: every function takes ``now`` (timezone-aware). Calendar
days are UTC days. :data:`PROGRESSION_RULES` lists every rule in plain words with its sources,
for the generated clinical-rules document.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from psoas.domain import recheck
from psoas.domain.adherence import (
    Adherence,
    VersionStart,
    adherences,
    planned_sets,
    session_share,
    sessions_number,
    work_by_day,
)
from psoas.domain.catalog import LEVEL_SAFETY_FIELDS, Catalog, Exercise
from psoas.domain.intake import Intake
from psoas.domain.program import allowed_for
from psoas.domain.recheck import PAIN_RISE_POINTS, pain_rise
from psoas.domain.results import ItemDose, PerSide, Program, ProgramItem
from psoas.domain.tracking import (
    History,
    PainRating,
    ProgramVersion,
    PsfsEntry,
    SetLog,
    StoredAssessment,
)
from psoas.domain.triage import withholds_program

# --- thresholds ---------------------------------------------------------------------------------

#: Pain (0-10): a change of 2 points or 30% of the baseline is meaningful (Ostelo 2008). The
#: 30% route also needs at least 1 whole point, the smallest step the scale can show.
PAIN_POINTS = 2.0
PAIN_FRACTION = 0.30
PAIN_MIN_POINTS = 1.0
#: Days with ratings needed before an improvement is claimed; a worsening (a safety signal) is
#: flagged once the last 7 days hold ratings on 3 different days.
PAIN_DAYS_TO_JUDGE = 7
PAIN_DAYS_TO_WARN = 3
PAIN_WINDOW_DAYS = 7
#: Sessions with before and after ratings that the session-pain figures look at.
SESSION_PAIN_SESSIONS = 5
REGRESS_SESSIONS = 3
REGRESS_SESSION_PAIN = 2.0
HOLD_SESSION_PAIN = 1.0
#: PSFS: 2 points for the mean, 3 for one activity (Stratford 1995).
PSFS_MEAN_POINTS = 2.0
PSFS_ACTIVITY_POINTS = 3
#: Thomas test: a change in hip angle counts only from this many degrees. A project choice, not a
#: figure from a study: the goniometer itself is precise (SEM about 1 degree, measurement error
#: about 2 degrees), but agreement between and within testers is only modest (kappa 0.39-0.47,
#: Peeler 2007), so psoas leaves a wide margin before it calls a change real.
THOMAS_DEGREES = 10.0
RETEST_EVERY_DAYS = 14
#: Progression.
STEP_UP_SESSIONS = 10
STEP_UP_WINDOW_DAYS = 14
STEP_UP_VERSION_DAYS = 14
#: A step back gets this long to work before daily pain can step it back again.
STEP_BACK_SETTLE_DAYS = 7
#: The hypothesis test.
DECISION_DAYS = 42
EARLY_DAYS = 28
FAIR_TRIAL_ADHERENCE = 0.5
#: Stretch holds never grow: 30 seconds is enough (Bandy 1994).
STRETCH_HOLD_SECONDS = 30
#: A release starts at about a minute a side (the program's RELEASE_START_MINUTES, the catalog's
#: advice for the first sessions); each step up adds this much a side, up to the catalog's dose.
RELEASE_STEP_MINUTES = 0.5

_EPS = 1e-9
_DAY = timedelta(days=1)

# --- sources ------------------------------------------------------------------------------------

PAIN_SOURCES = ("ostelo-2008",)
PSFS_SOURCES = ("stratford-1995",)
RETEST_SOURCES = ("peeler-2007",)
ADHERENCE_SOURCES = ("bandy-1997", "hayden-2021")
REGRESS_SOURCES = ("ostelo-2008", "nice-ng59", "bandy-1997")
HYPOTHESIS_SOURCES = (
    "ostelo-2008",
    "stratford-1995",
    "peeler-2007",
    "iliopsoas-length-2024",
    "hatefi-2021",
    "nice-ng59",
)
#: Keep moving whatever the verdict on the hip flexors: exercise and walking help back pain.
KEEP_ACTIVE_SOURCES = ("cochrane-exercise-lbp", "walking-lbp", "nice-ng59")
HELD_BACK_SOURCES = ("finucane-2020", "nice-cks-lbp")
RECHECK_SOURCES = recheck.SOURCES
PROGRESS_SOURCES = ("bandy-1994", "bandy-1997", "recovapro-2020", "energy-medicine-2020")
RELEASE_SOURCES = ("chen-2021", "percussion-device-precautions")
GENERAL_SOURCES = ("nice-ng59",)


# --- models -------------------------------------------------------------------------------------


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Reading(_Out):
    """One plain sentence a person can read, with the works it rests on."""

    code: str
    message: str
    sources: tuple[str, ...] = Field(min_length=1)


class SessionPain(_Out):
    """Pain before and after one session."""

    session_id: int
    program_version: int
    at: datetime
    before: int
    after: int

    @property
    def difference(self) -> int:
        """After minus before: above zero means the session left more pain."""
        return self.after - self.before


BaselineFrom = Literal["intake", "first_rating"]


class PainSummary(_Out):
    baseline: float | None = None
    baseline_from: BaselineFrom | None = None
    recent_average: float | None = Field(
        default=None, description="mean of daily and before-session ratings, last 7 days"
    )
    recent_ratings: int = 0
    days_rated: int = Field(default=0, description="days with a daily or before-session rating")
    change: float | None = Field(default=None, description="recent minus baseline; < 0 is better")
    percent_change: float | None = None
    judged: bool = Field(default=False, description="enough ratings to claim an improvement")
    meaningful_improvement: bool = False
    meaningful_worsening: bool = False
    sessions: tuple[SessionPain, ...] = Field(
        default=(), description="the last sessions with before and after ratings, oldest first"
    )
    session_change: float | None = Field(
        default=None, description="mean of after minus before over those sessions"
    )


class ActivityChange(_Out):
    activity: str
    first: int
    latest: int

    @property
    def change(self) -> int:
        return self.latest - self.first


class FunctionSummary(_Out):
    entries: int = 0
    first_mean: float | None = None
    latest_mean: float | None = None
    change: float | None = Field(default=None, description="latest minus first; > 0 is better")
    activities: tuple[ActivityChange, ...] = ()
    meaningful_improvement: bool = False
    meaningful_worsening: bool = False


ThomasFrom = Literal["intake", "retest"]


class ThomasPoint(_Out):
    """One Thomas-test hip angle that progress reads: the assessment's, or a re-test's."""

    at: datetime | None = Field(description="when it was measured (None: not known)")
    degrees: float
    source: ThomasFrom


class SideRetest(_Out):
    """One side's Thomas-test hip angle: the baseline (the assessment's measurement, else the
    first re-test of that side) against the latest later re-test (None until there is one)."""

    first: float | None = None
    first_from: ThomasFrom | None = None
    first_at: datetime | None = None
    latest: float | None = None
    latest_at: datetime | None = None
    change: float | None = Field(
        default=None, description="latest minus first hip angle; < 0 means more length"
    )
    meaningful_improvement: bool = False
    meaningful_worsening: bool = False

    @property
    def text(self) -> str:
        """The baseline and the latest re-test in a few words, for every table: ``2 (at the
        assessment) -> 1 (latest re-test)``; empty when the side was never measured."""
        if self.first is None:
            return ""
        start = f"{_fmt(self.first)} ({START_LABELS[self.first_from or 'intake']})"
        if self.latest is not None:
            return f"{start} → {_fmt(self.latest)} (latest re-test)"
        if self.first_from == "intake":
            return f"{start} → not re-tested yet"
        return f"{start} → re-test again to compare"


#: Where a side's baseline comes from: in a table, and in a sentence.
START_LABELS: dict[ThomasFrom, str] = {"intake": "assessment", "retest": "first re-test"}
START_WORDS: dict[ThomasFrom, str] = {
    "intake": "at the assessment",
    "retest": "at your first re-test",
}


class RetestSummary(_Out):
    left: SideRetest = SideRetest()
    right: SideRetest = SideRetest()
    retests: int = 0
    last_retest_at: datetime | None = None
    meaningful_improvement: bool = False
    meaningful_worsening: bool = False


class ProgressSummary(_Out):
    at: datetime
    program_version: int | None = None
    days_on_program: int | None = Field(default=None, description="since the first version")
    days_on_version: int | None = Field(default=None, description="since the current version")
    adherence_7: Adherence
    adherence_28: Adherence
    completed_last_14: float = Field(
        default=0.0, description="sessions' worth of work done in the last 14 days"
    )
    days_since_last_session: int | None = None
    inactive_week: bool = False
    pain: PainSummary
    function: FunctionSummary
    retest: RetestSummary
    retest_due: bool = False
    readings: tuple[Reading, ...]


DecisionKind = Literal["progress", "regress", "hold", "hypothesis_not_supported"]


def without_changes(message: str, changes: Sequence[str]) -> str:
    """A decision's message with its list of changes taken out, for pages that show the
    changes as a list beside it: "... so the program steps up, as listed. Holds stay ..."."""
    joined = " ".join(changes)
    if joined and ": " + joined in message:
        return message.replace(": " + joined, ", as listed.")
    return message


class Decision(_Out):
    kind: DecisionKind
    rule: str = Field(description="the name of the rule in PROGRESSION_RULES that decided")
    retest_due: bool = False
    message: str
    sources: tuple[str, ...] = Field(min_length=1)
    advise_clinician: bool = False
    changes: tuple[str, ...] = Field(default=(), description="what changed, one line an item")
    program: Program | None = Field(
        default=None, description="the new program when the decision changes it, else None"
    )

    @property
    def lead(self) -> str:
        """The message without the changes it lists (see :func:`without_changes`)."""
        return without_changes(self.message, self.changes)


# --- the rules, in plain words ------------------------------------------------------------------

PROGRESSION_RULES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "held-back",
        "Checked before anything else. When the latest assessment up to now withholds the "
        "program (an emergency or urgent warning sign, or no program given), the decision is "
        "to hold: nothing steps up, back or changes, and the person is told to see a doctor "
        "first and to answer the warning-sign questions again once seen.",
        HELD_BACK_SOURCES,
    ),
    (
        "recheck-first",
        "Checked next. When the latest pain rating is at least "
        f"{PAIN_RISE_POINTS} points above the pain the latest assessment started from, the "
        "decision is to hold: nothing steps up, back or changes until the warning-sign "
        "questions have been answered again (a re-check makes a new assessment).",
        RECHECK_SOURCES,
    ),
    (
        "adherence",
        "A session counts by the share of its planned work that was done, 0 to 1: each planned "
        "set weighs its work time (a hold times its repetitions, 3 seconds a repetition, a "
        "release's minutes) and a logged set earns what it did against the plan (hold, "
        "repetitions or minutes logged over planned, at most 1), so a session with most of its "
        "sets skipped counts only the part done, whatever the session's status. A (UTC) calendar "
        "day counts its sessions' shares, at most the sessions a day asked for by the program "
        "version in force that day (the latest made on or before it). Adherence is what the days "
        "counted over what they asked for, for the last 7 and 28 calendar days (today counts "
        "whole), from the first program's day at the earliest: a new version changes what a day "
        "asks for, never the history. No session with any work done for 7 days (once the "
        "program is a week old) is an inactive week.",
        ADHERENCE_SOURCES,
    ),
    (
        "pain-change",
        "Pain at the start is the intake rating, or else the first rating. It is compared with "
        "the mean of the daily and before-session ratings of the last 7 days. A fall of "
        f"{PAIN_POINTS:g} points, or of {PAIN_FRACTION:.0%} with at least {PAIN_MIN_POINTS:g} "
        "point, is a meaningful improvement, and a rise as large a meaningful worsening. An "
        f"improvement is only claimed after ratings on {PAIN_DAYS_TO_JUDGE} different days; a "
        f"worsening is flagged once the last 7 days hold ratings on {PAIN_DAYS_TO_WARN} days.",
        PAIN_SOURCES,
    ),
    (
        "session-pain",
        "Pain after a session minus pain before it, paired by session, averaged over the last "
        f"{SESSION_PAIN_SESSIONS} sessions that have both.",
        PAIN_SOURCES,
    ),
    (
        "function-change",
        "The Patient-Specific Functional Scale: the first and latest entries are compared. A "
        f"change of the mean by {PSFS_MEAN_POINTS:g} points, or of one activity rated both times "
        f"by {PSFS_ACTIVITY_POINTS} points, is meaningful.",
        PSFS_SOURCES,
    ),
    (
        "retest-change",
        "Thomas-test hip angles, per side: the baseline is the measurement of the assessment "
        "progress is measured against (the first that gave a program), or else the first "
        "re-test that measured that side; the latest is the most recent later re-test of that "
        "side (none until there is one). Every table, chart and sentence shows these two. Only "
        f"a change of {THOMAS_DEGREES:g} degrees or more counts "
        "(a project choice: the goniometer is precise to about 2 degrees, but testers agree "
        "only modestly on the result); a fall is more length.",
        RETEST_SOURCES,
    ),
    (
        "retest-due",
        f"A re-test is due when {RETEST_EVERY_DAYS} days or more have passed since the later of "
        "the program's start and the last re-test.",
        ("kendall-2005", "peeler-2007"),
    ),
    (
        "regress",
        "Checked first. When pain after sessions exceeds pain before by "
        f"{REGRESS_SESSION_PAIN:g} points or more on average over the last {REGRESS_SESSIONS} "
        "sessions of the current program with both ratings, or daily pain is meaningfully worse "
        "than at the start, the program steps back: every stretch and strengthening item loses "
        "one set (not below 1) and moves one level easier along its catalog levels (a harder "
        "level back toward the exercise itself, the exercise to its first easier level) when "
        "that level is safe for the person (the level-safety rule), releases lose 1 minute a "
        "side (not below 1) and, at 1 minute, move to their gentler level (the lowest speed, "
        "a soft head, no leg movements), and the person is advised to see a clinician. After a "
        "step back, "
        f"daily pain alone steps back again only once the lighter program is "
        f"{STEP_BACK_SETTLE_DAYS} days old; until then the program holds, still advising a "
        "clinician. One 30-second stretch a day still works.",
        REGRESS_SOURCES,
    ),
    (
        "hypothesis-not-supported",
        f"{DECISION_DAYS} days or more after the first program, with at least "
        f"{FAIR_TRIAL_ADHERENCE:.0%} of the sessions of the last 28 days done, and no meaningful "
        "improvement in pain, function or the re-test: psoas says that the hip-flexor part is "
        "probably not the key for this person, to keep up general exercise and walking, and to "
        "see a physiotherapist. It never tells anyone to stop exercising, and changes no "
        "program.",
        (*HYPOTHESIS_SOURCES, *KEEP_ACTIVE_SOURCES[:2]),
    ),
    (
        "six-week-wait",
        f"From day {EARLY_DAYS} to day {DECISION_DAYS - 1} with nothing improved meaningfully, the "
        "program holds: the decision comes at six weeks.",
        HYPOTHESIS_SOURCES,
    ),
    (
        "fair-trial",
        f"At six weeks with fewer than {FAIR_TRIAL_ADHERENCE:.0%} of the sessions of the last 28 "
        "days done and nothing improved, the program has not had a fair trial: it holds and "
        "says so.",
        ADHERENCE_SOURCES,
    ),
    (
        "progress",
        f"At least {STEP_UP_SESSIONS} sessions' worth of work counted (as adherence counts it) "
        f"in the last {STEP_UP_WINDOW_DAYS} calendar days, "
        "pain not meaningfully worse, pain after sessions not higher than before by "
        f"{HOLD_SESSION_PAIN:g} point or more on average, and the current program version at "
        f"least {STEP_UP_VERSION_DAYS} days old: each stretch and strengthening item gains one "
        "set on each side up to the most sets of the level it is at (the tighter side keeps its "
        "extra set, so the step stops when that side reaches the most); an item already at "
        "those most sets moves to the next harder level in the catalog, with that level's own "
        "name, dose, steps, cues, safety notes and figure, starting at its first number of sets "
        "(an item at an easier level moves back toward the exercise itself), when that level is "
        "safe for the person (the level-safety rule). Each release gains "
        f"{RELEASE_STEP_MINUTES:g} minute a side up to the catalog's time (a release at its "
        "gentler level first returns to its usual way, at the same time). Every change says "
        "why in plain words and cites the level's sources.",
        PROGRESS_SOURCES,
    ),
    (
        "progress-holds",
        f"Stretch holds stay at {STRETCH_HOLD_SECONDS} seconds at every level: longer holds "
        "add nothing, so a harder stretch level changes the position, never the hold.",
        ("bandy-1994", "bandy-1997"),
    ),
    (
        "level-safety",
        "A program item moves to a level (harder or easier) only when the exclusion rules, "
        "applied to the answers of the latest assessment, allow the level itself: its position "
        "(floor, kneeling, standing, lying on the back, a table), its kit, any pressure into the "
        "belly, deep hip bending, heavy lengthening load and whether it stretches the hip "
        "flexors are judged as for any exercise. So a level is never offered where it would be "
        "unsafe: nothing presses the belly where that is unsafe, nothing stretches an injured "
        "hip flexor, nothing asks for kneeling or the floor from someone who cannot. Without an "
        "assessment, only a level that asks nothing more of the body than its exercise is "
        "offered. An item whose next level is not allowed stays where it is.",
        ("psoas-safety-rules", "eastwest-psoas", "crawford-2003"),
    ),
    (
        "release-grows-slowly",
        "Releases start short, about a minute a side with the tighter side no longer (the "
        "catalog's advice for the first sessions), and grow only with a step up, that is once "
        f"sessions have been done and tolerated: {RELEASE_STEP_MINUTES:g} minute a side at a "
        "time, never beyond the catalog's dose (2 minutes a side).",
        RELEASE_SOURCES,
    ),
    (
        "tighter-side",
        "Every change moves both sides by the same amount, so the tighter side never gets less "
        "than the other.",
        ("energy-medicine-2020",),
    ),
    (
        "program-time",
        "When a program changes, the minutes of each changed item are recomputed from its sets, "
        "holds, repetitions and rests (minutes a side for releases), and the minutes a day by "
        "the same change; nothing else in the program changes.",
        ("bandy-1997", "ayala-2010"),
    ),
    (
        "hold",
        "Otherwise the program stays as it is, and the decision says what is still needed for a "
        "step up.",
        ("bandy-1997",),
    ),
)


# --- small helpers ------------------------------------------------------------------------------


def _aware(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must include a time zone")
    return now.astimezone(UTC)


def _day(at: datetime) -> date:
    return at.astimezone(UTC).date()


def _days(delta: timedelta) -> int:
    """Whole days in a span (floored), never negative."""
    return max(0, delta // _DAY)


def _fmt(x: float) -> str:
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _plural(n: float, word: str, many: str | None = None) -> str:
    text = _fmt(n)
    return f"{text} {word if text == '1' else (many or word + 's')}"


def _angle(degrees: float) -> str:
    """A Thomas-test hip angle in words: the thigh above (short) or below the table."""
    if abs(degrees) < 0.05:
        return "thigh level with the table"
    where = "above" if degrees > 0 else "below"
    return f"thigh {_plural(abs(degrees), 'degree')} {where} the table"


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _unique(*groups: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(k for g in groups for k in g))


def meaningful_pain(baseline: float, delta: float) -> bool:
    """Is a change of ``delta`` points (positive: in the direction asked) meaningful?"""
    if delta >= PAIN_POINTS - _EPS:
        return True
    return (
        baseline > 0
        and delta >= PAIN_MIN_POINTS - _EPS
        and delta / baseline >= PAIN_FRACTION - _EPS
    )


def _versions(history: History, now: datetime) -> list[ProgramVersion]:
    return sorted((v for v in history.programs if v.created_at <= now), key=lambda v: v.version)


def version_starts(history: History, now: datetime) -> list[VersionStart]:
    """When each program version up to ``now`` started and the sessions a day it asks for."""
    return [VersionStart(v.created_at, v.program.sessions_per_day) for v in _versions(history, now)]


def session_shares(history: History) -> dict[int, float]:
    """Each session's share of its planned work that was done, from the history's sets (see
    :func:`psoas.domain.adherence.session_share`)."""
    plans = {v.version: planned_sets(v.program) for v in history.programs}
    logs: dict[int, list[SetLog]] = {}
    for log in history.sets:
        logs.setdefault(log.session_id, []).append(log)
    return {
        s.id: session_share(
            plans[s.program_version], logs.get(s.id, ()), completed=s.status == "completed"
        )
        for s in history.sessions
        if s.id is not None
    }


# --- summarize ----------------------------------------------------------------------------------


def _session_pain(history: History, now: datetime) -> tuple[SessionPain, ...]:
    before: dict[int, PainRating] = {}
    after: dict[int, PainRating] = {}
    for p in sorted(history.pain, key=lambda p: p.at):
        if p.session_id is None or p.at > now:
            continue
        if p.context == "before_session":
            before[p.session_id] = p
        elif p.context == "after_session":
            after[p.session_id] = p
    pairs = [
        SessionPain(
            session_id=s.id,
            program_version=s.program_version,
            at=s.started_at,
            before=before[s.id].score,
            after=after[s.id].score,
        )
        for s in sorted(history.sessions, key=lambda s: s.started_at)
        if s.id is not None and s.started_at <= now and s.id in before and s.id in after
    ]
    return tuple(pairs[-SESSION_PAIN_SESSIONS:])


def baseline_assessment(history: History) -> StoredAssessment | None:
    """The assessment progress is measured against: the first that gave a program (an
    emergency stop records only the warning signs, not a pain rating)."""
    return next((a for a in history.assessments if a.result.program is not None), None)


def baseline_intake(history: History) -> Intake | None:
    """The answers progress is measured against (see :func:`baseline_assessment`)."""
    first = baseline_assessment(history)
    return first.intake if first is not None else None


def thomas_baseline(history: History) -> tuple[float | None, float | None] | None:
    """The Thomas-test hip angles (left, right) of the baseline assessment, if it measured
    them: where every surface starts the hip's course."""
    intake = baseline_intake(history)
    t = intake.observations.thomas_test if intake is not None else None
    if t is None:
        return None
    return (
        t.left.hip_angle_deg if t.left else None,
        t.right.hip_angle_deg if t.right else None,
    )


def thomas_points(
    history: History,
    baseline: tuple[float | None, float | None] | None,
    now: datetime | None = None,
) -> dict[Literal["left", "right"], tuple[ThomasPoint, ...]]:
    """Every Thomas-test hip angle progress reads, per side and oldest first: the baseline
    assessment's (``baseline``, from :func:`thomas_baseline`), then each re-test up to ``now``
    that measured the side. The first point of a side is its baseline and the last (when there
    are two or more) its latest re-test: the table, the chart and the readings all read these."""
    first = baseline_assessment(history)
    base_at = first.created_at if first is not None else None
    retests = sorted((r for r in history.retests if now is None or r.at <= now), key=lambda r: r.at)
    out: dict[Literal["left", "right"], tuple[ThomasPoint, ...]] = {}
    sides: tuple[Literal["left", "right"], ...] = ("left", "right")
    for n, side in enumerate(sides):
        points: list[ThomasPoint] = []
        base = baseline[n] if baseline is not None else None
        if base is not None:
            points.append(ThomasPoint(at=base_at, degrees=base, source="intake"))
        for r in retests:
            value = r.thomas_left_hip_deg if side == "left" else r.thomas_right_hip_deg
            if value is not None:
                points.append(ThomasPoint(at=r.at, degrees=value, source="retest"))
        out[side] = tuple(points)
    return out


def pain_baseline(
    baseline_pain: int | None, ratings: Sequence[PainRating]
) -> tuple[float, BaselineFrom] | tuple[None, None]:
    """The pain everything is compared with: the rating given at the assessment, else the
    first rating logged (``ratings`` in time order, after-session ratings left out)."""
    if baseline_pain is not None:
        return float(baseline_pain), "intake"
    if ratings:
        return float(ratings[0].score), "first_rating"
    return None, None


def _pain(history: History, baseline_pain: int | None, now: datetime) -> PainSummary:
    ratings = sorted(
        (p for p in history.pain if p.context != "after_session" and p.at <= now),
        key=lambda p: p.at,
    )
    baseline, source = pain_baseline(baseline_pain, ratings)
    recent = [p for p in ratings if p.at > now - timedelta(days=PAIN_WINDOW_DAYS)]
    average = _mean([float(p.score) for p in recent])
    days_rated = len({_day(p.at) for p in ratings})
    recent_days = len({_day(p.at) for p in recent})
    sessions = _session_pain(history, now)
    session_change = _mean([float(s.difference) for s in sessions])
    change = percent = None
    judged = improved = worse = False
    if baseline is not None and average is not None:
        change = average - baseline
        percent = change / baseline * 100 if baseline > 0 else None
        judged = days_rated >= PAIN_DAYS_TO_JUDGE
        improved = judged and meaningful_pain(baseline, -change)
        worse = (judged or recent_days >= PAIN_DAYS_TO_WARN) and meaningful_pain(baseline, change)
    return PainSummary(
        baseline=baseline,
        baseline_from=source,
        recent_average=average,
        recent_ratings=len(recent),
        days_rated=days_rated,
        change=change,
        percent_change=percent,
        judged=judged,
        meaningful_improvement=improved,
        meaningful_worsening=worse,
        sessions=sessions,
        session_change=session_change,
    )


def _function(history: History, now: datetime) -> FunctionSummary:
    entries: list[PsfsEntry] = sorted((e for e in history.psfs if e.at <= now), key=lambda e: e.at)
    if len(entries) < 2:
        return FunctionSummary(
            entries=len(entries), first_mean=entries[0].mean if entries else None
        )
    first, latest = entries[0], entries[-1]
    later = {a.activity.strip().lower(): a.score for a in latest.activities}
    activities = tuple(
        ActivityChange(activity=a.activity.strip(), first=a.score, latest=later[key])
        for a in first.activities
        if (key := a.activity.strip().lower()) in later
    )
    change = latest.mean - first.mean
    return FunctionSummary(
        entries=len(entries),
        first_mean=first.mean,
        latest_mean=latest.mean,
        change=change,
        activities=activities,
        meaningful_improvement=change >= PSFS_MEAN_POINTS - _EPS
        or any(a.change >= PSFS_ACTIVITY_POINTS for a in activities),
        meaningful_worsening=change <= -PSFS_MEAN_POINTS + _EPS
        or any(a.change <= -PSFS_ACTIVITY_POINTS for a in activities),
    )


def _side(points: Sequence[ThomasPoint]) -> SideRetest:
    if not points:
        return SideRetest()
    first = points[0]
    latest = points[-1] if len(points) > 1 else None
    change = latest.degrees - first.degrees if latest is not None else None
    return SideRetest(
        first=first.degrees,
        first_from=first.source,
        first_at=first.at,
        latest=latest.degrees if latest is not None else None,
        latest_at=latest.at if latest is not None else None,
        change=change,
        meaningful_improvement=change is not None and change <= -THOMAS_DEGREES + _EPS,
        meaningful_worsening=change is not None and change >= THOMAS_DEGREES - _EPS,
    )


def _retest(
    history: History, baseline: tuple[float | None, float | None] | None, now: datetime
) -> RetestSummary:
    retests = [r for r in history.retests if r.at <= now]
    points = thomas_points(history, baseline, now)
    left, right = _side(points["left"]), _side(points["right"])
    return RetestSummary(
        left=left,
        right=right,
        retests=len(retests),
        last_retest_at=max((r.at for r in retests), default=None),
        meaningful_improvement=left.meaningful_improvement or right.meaningful_improvement,
        meaningful_worsening=left.meaningful_worsening or right.meaningful_worsening,
    )


def _sessions_done(a: Adherence) -> str:
    """Sessions' worth of work done, in the wording every surface uses."""
    return sessions_number(a.completed, a.expected)


def _adherence_reading(label: str, a: Adherence) -> Reading:
    if a.fraction is None:
        return Reading(
            code=f"adherence-{label}",
            message="Too early to judge how often you exercise: no program has started yet.",
            sources=ADHERENCE_SOURCES,
        )
    span = "Today" if a.window_days == 1 else f"In the last {a.window_days} days"
    return Reading(
        code=f"adherence-{label}",
        message=f"{span} you did {_sessions_done(a)} of the {_plural(a.expected, 'session')} "
        f"your program asked for ({a.percent_text}), counting each session by the share of its "
        "sets done.",
        sources=ADHERENCE_SOURCES,
    )


def _pain_readings(p: PainSummary) -> list[Reading]:
    out: list[Reading] = []
    if p.baseline is None or p.recent_average is None or p.change is None:
        why = (
            "no ratings yet"
            if p.days_rated == 0
            else "no daily or before-session rating in the last 7 days"
        )
        out.append(
            Reading(
                code="pain-too-early",
                message=f"Too early to judge your pain: {why}. Rate it once a day, 0 to 10.",
                sources=PAIN_SOURCES,
            )
        )
    else:
        start, now_avg = _fmt(p.baseline), _fmt(p.recent_average)
        if p.meaningful_worsening:
            message = (
                f"Your pain has risen from {start} to {now_avg} on average, a meaningful change "
                "for the worse."
            )
        elif not p.judged:
            message = (
                f"Too early to judge: fewer than {PAIN_DAYS_TO_JUDGE} days of ratings (you have "
                f"{_plural(p.days_rated, 'day')}). So far your pain averages {now_avg} against "
                f"{start} at the start."
            )
        elif p.meaningful_improvement:
            message = (
                f"Your pain has dropped from {start} to {now_avg} on average, a meaningful change."
            )
        else:
            message = (
                f"Your pain averages {now_avg} against {start} at the start: not a meaningful "
                f"change yet (that takes {PAIN_POINTS:g} points or {PAIN_FRACTION:.0%})."
            )
        out.append(Reading(code="pain", message=message, sources=PAIN_SOURCES))
    if p.session_change is not None:
        n = len(p.sessions)
        d = p.session_change
        if abs(d) < 0.05:
            how = "the same after a session as before it"
        elif d > 0:
            how = f"{_plural(d, 'point')} higher after a session than before it"
        else:
            how = f"{_plural(-d, 'point')} lower after a session than before it"
        message = f"Over your last {_plural(n, 'session')} with both ratings, pain was {how} on "
        message += "average."
        if d >= HOLD_SESSION_PAIN - _EPS:
            message += " Sessions seem to stir your pain up, so the dose will not go up."
        out.append(Reading(code="session-pain", message=message, sources=PAIN_SOURCES))
    return out


def _function_reading(f: FunctionSummary) -> list[Reading]:
    if f.first_mean is None or f.latest_mean is None or f.change is None:
        have = "no entry yet" if f.entries == 0 else "one entry so far"
        return [
            Reading(
                code="function-too-early",
                message=f"Too early to judge your activities: {have}. Score the activities you "
                "find hard now, and again every two weeks.",
                sources=PSFS_SOURCES,
            )
        ]
    start, latest = _fmt(f.first_mean), _fmt(f.latest_mean)
    if f.change >= PSFS_MEAN_POINTS - _EPS:
        message = f"Your activity scores have risen from {start} to {latest} on average, a "
        message += "meaningful change."
    elif f.change <= -PSFS_MEAN_POINTS + _EPS:
        message = f"Your activity scores have fallen from {start} to {latest} on average, a "
        message += "meaningful change for the worse."
    else:
        message = f"Your activity scores average {latest} against {start} at the start: not a "
        message += f"meaningful change on average (that takes {PSFS_MEAN_POINTS:g} points)."
    for a in f.activities:
        if abs(a.change) >= PSFS_ACTIVITY_POINTS:
            way = "risen" if a.change > 0 else "fallen"
            message += (
                f" '{a.activity}' has {way} from {a.first} to {a.latest}, a meaningful change for "
                "that activity."
            )
    return [Reading(code="function", message=message, sources=PSFS_SOURCES)]


def _retest_readings(r: RetestSummary, due: bool, days_since: int | None) -> list[Reading]:
    out: list[Reading] = []
    for name, side in (("left", r.left), ("right", r.right)):
        if side.first is None:
            continue
        where = START_WORDS[side.first_from or "intake"]
        if side.latest is None or side.change is None:
            nxt = (
                "no re-test of this side yet to compare with"
                if side.first_from == "intake"
                else "the next re-test will show any change"
            )
            out.append(
                Reading(
                    code=f"retest-{name}",
                    message=f"{name.capitalize()} hip (Thomas test): {_angle(side.first)} "
                    f"{where}; {nxt}.",
                    sources=RETEST_SOURCES,
                )
            )
            continue
        size = _plural(abs(side.change), "degree")
        if side.meaningful_improvement:
            verdict = f"{size} more length, beyond the {THOMAS_DEGREES:g}-degree margin psoas uses"
        elif side.meaningful_worsening:
            verdict = f"{size} less length, beyond the {THOMAS_DEGREES:g}-degree margin psoas uses"
        else:
            verdict = (
                f"a change of {size}, within the {THOMAS_DEGREES:g}-degree margin psoas uses "
                "(re-tests vary between testers), so not a real change yet"
            )
        out.append(
            Reading(
                code=f"retest-{name}",
                message=f"{name.capitalize()} hip (Thomas test): {_angle(side.first)} "
                f"{where}, {_angle(side.latest)} at the latest re-test: {verdict}.",
                sources=RETEST_SOURCES,
            )
        )
    if not out:
        out.append(
            Reading(
                code="retest-too-early",
                message="Too early to judge hip-flexor length: no Thomas-test measurement yet.",
                sources=RETEST_SOURCES,
            )
        )
    if due:
        since = "" if days_since is None else f" ({_plural(days_since, 'day')} since the last)"
        out.append(
            Reading(
                code="retest-due",
                message=f"A re-test is due{since}: repeat the Thomas test, your pain rating and "
                "your activity scores.",
                sources=("kendall-2005", "peeler-2007"),
            )
        )
    return out


def summarize(
    *,
    history: History,
    baseline_pain: int | None,
    baseline_thomas: tuple[float | None, float | None] | None,
    now: datetime,
    shares: Mapping[int, float] | None = None,
) -> ProgressSummary:
    """Adherence, pain, function and re-test, judged against their meaningful changes.

    ``baseline_pain`` is the intake's pain rating (0-10) and ``baseline_thomas`` the intake's
    Thomas-test hip angles (left, right) in degrees (:func:`thomas_baseline`); either may be
    None. Records later than ``now`` are ignored. ``shares`` gives each session's share of its
    work done (:func:`session_shares`) when the caller loaded the history without its sets.
    """
    now = _aware(now)
    if baseline_pain is not None and not 0 <= baseline_pain <= 10:
        raise ValueError("baseline_pain must be 0 to 10")
    versions = _versions(history, now)
    first = versions[0] if versions else None
    current = versions[-1] if versions else None
    starts = version_starts(history, now)
    if shares is None:
        shares = session_shares(history)
    worked = work_by_day(history.sessions, shares, now)
    adherence_7, adherence_28, last_14_days = adherences(
        starts, worked, now, (7, 28, STEP_UP_WINDOW_DAYS)
    )
    last_14 = last_14_days.completed
    done = [
        s.started_at
        for s in history.sessions
        if s.id is not None and s.started_at <= now and shares.get(s.id, 0.0) > 0
    ]
    last = max(done, default=None)
    days_since_last = _days(now - last) if last else None
    days_on_program = _days(now - first.created_at) if first else None
    days_on_version = _days(now - current.created_at) if current else None
    inactive = current is not None and (
        (days_since_last is not None and days_since_last >= 7)
        or (days_since_last is None and (days_on_program or 0) >= 7)
    )

    pain = _pain(history, baseline_pain, now)
    function = _function(history, now)
    retest = _retest(history, baseline_thomas, now)
    due = False
    days_since_retest: int | None = None
    if first is not None:
        anchor = first.created_at
        if retest.last_retest_at is not None:
            anchor = max(anchor, retest.last_retest_at)
            days_since_retest = _days(now - retest.last_retest_at)
        due = now - anchor >= timedelta(days=RETEST_EVERY_DAYS)

    readings: list[Reading] = []
    if current is None:
        readings.append(
            Reading(
                code="no-program",
                message="Too early to judge: no program has started yet, so there is nothing "
                "to measure against.",
                sources=GENERAL_SOURCES,
            )
        )
    else:
        readings.append(_adherence_reading("7", adherence_7))
        if adherence_28.window_days > adherence_7.window_days:
            readings.append(_adherence_reading("28", adherence_28))
        if inactive:
            gap = (
                f"for {_plural(days_since_last, 'day')}"
                if days_since_last is not None
                else "since your program started"
            )
            readings.append(
                Reading(
                    code="inactive-week",
                    message=f"You have not done a session {gap}. Even one 30-second stretch a "
                    "day helps: start with today's session.",
                    sources=("bandy-1997",),
                )
            )
    readings += _pain_readings(pain)
    readings += _function_reading(function)
    readings += _retest_readings(retest, due, days_since_retest)

    return ProgressSummary(
        at=now,
        program_version=current.version if current else None,
        days_on_program=days_on_program,
        days_on_version=days_on_version,
        adherence_7=adherence_7,
        adherence_28=adherence_28,
        completed_last_14=last_14,
        days_since_last_session=days_since_last,
        inactive_week=inactive,
        pain=pain,
        function=function,
        retest=retest,
        retest_due=due,
        readings=tuple(readings),
    )


# --- changing a program -------------------------------------------------------------------------

#: Checks an exercise (or a level of one) for the person whose program steps: True when it is
#: safe and possible for them (psoas.domain.program.allowed_for).
LevelCheck = Callable[[Exercise], bool]


def same_demands(ex: Exercise, base: Exercise) -> bool:
    """Does ``ex`` (a level) ask nothing of the body, the belly or the kit that ``base`` does
    not? Without a person's answers, only such a level can be offered."""
    return all(getattr(ex, f) == getattr(base, f) for f in LEVEL_SAFETY_FIELDS)


def _seconds_per_side_set(d: ItemDose) -> float:
    if d.hold_seconds:
        work = d.hold_seconds * (d.reps or 1)
    elif d.reps:
        work = 3 * d.reps
    else:
        work = 0
    return float(work + d.rest_seconds)


def item_minutes(item: ProgramItem, d: ItemDose) -> float:
    """Minutes one item takes in one session (posture habits and breaks take none)."""
    if item.category in ("posture", "movement"):
        return 0.0
    if d.sets is None and d.minutes is not None:
        return d.per_side.left + d.per_side.right if d.per_side else d.minutes
    total = d.per_side.left + d.per_side.right if d.per_side else float(d.sets or 1)
    return total * _seconds_per_side_set(d) / 60


def _sets_text(d: ItemDose) -> str:
    sides = f" (left {_fmt(d.per_side.left)}, right {_fmt(d.per_side.right)})" if d.per_side else ""
    count = d.sets if d.sets is not None else (d.per_side.left if d.per_side else 1)
    return f"{_plural(count, 'set')}{sides}"


def _dose_text(d: ItemDose) -> str:
    """A level's dose in a few words: ``2 sets of 8, each held 3 seconds``."""
    text = _sets_text(d)
    if d.reps:
        text += f" of {d.reps}"
    if d.hold_seconds:
        text += f", each held {_plural(d.hold_seconds, 'second')}"
    return text


def _minutes_text(d: ItemDose) -> str:
    if d.per_side:
        return (
            f"{_plural(min(d.per_side.left, d.per_side.right), 'minute')} a side (left "
            f"{_fmt(d.per_side.left)}, right {_fmt(d.per_side.right)})"
        )
    return _plural(d.minutes or 0, "minute")


def _rebuild(program: Program, items: Sequence[ProgramItem]) -> Program:
    """The program with new items; minutes a day move by exactly the changed items' minutes."""
    mult = {True: program.sessions_per_day, False: 1}
    delta = 0.0
    for old, new in zip(program.items, items, strict=True):
        if old is not new:
            delta += (item_minutes(new, new.dose) - item_minutes(old, old.dose)) * mult[
                old.category == "stretch"
            ]
    data = program.model_dump()
    data["items"] = [i.model_dump() for i in items]
    data["minutes_per_day"] = round(max(0.0, program.minutes_per_day + delta), 1)
    return Program.model_validate(data)


def _with(item: ProgramItem, dose: ItemDose, **changes: object) -> ProgramItem:
    data = item.model_dump()
    data.update(changes)
    data["dose"] = dose.model_dump()
    data["minutes_per_session"] = round(item_minutes(item, dose), 1)
    return ProgramItem.model_validate(data)


def _harder_levels(ex: Exercise, level_id: str | None) -> int:
    """How many levels above the base exercise ``level_id`` is (0: the base or easier)."""
    ladder = ex.ladder
    return max(0, ladder.index(level_id) - ladder.index(None))


def _at(item: ProgramItem, ex: Exercise, level_id: str | None, dose: ItemDose) -> ProgramItem:
    """The item moved to a level of its exercise: the level's name, place, kit and belly
    pressure, its reason after the item's own, its safety notes and sources added (those of the
    level it leaves taken off), and ``dose``."""
    old = ex.level(item.level)
    new = ex.level(level_id)
    done = ex.at_level(level_id)
    why = [w for w in item.why if old is None or w != old.why]
    cautions = [c for c in item.cautions if old is None or c not in old.safety or c in ex.safety]
    sources = [k for k in item.sources if old is None or k not in old.sources or k in ex.sources]
    if new is not None:
        why.append(new.why)
        cautions += [c for c in new.safety if c not in cautions]
        sources += [k for k in new.sources if k not in sources]
    return _with(
        item,
        dose,
        level=level_id,
        progression_level=_harder_levels(ex, level_id),
        name=done.name,
        position=done.position,
        equipment=done.equipment,
        abdominal_pressure=done.abdominal_pressure,
        why=tuple(why),
        cautions=tuple(cautions),
        sources=tuple(sources),
    )


def _sides_to(sides: PerSide | None, sets: int, cap: int) -> PerSide | None:
    """Per-side sets starting from ``sets``, the tighter side keeping its extra (up to ``cap``)."""
    if sides is None:
        return None
    extra = abs(sides.left - sides.right)
    high = max(float(sets), min(float(sets) + extra, float(cap)))
    if sides.left > sides.right:
        return PerSide(left=high, right=float(sets))
    if sides.right > sides.left:
        return PerSide(left=float(sets), right=high)
    return PerSide(left=float(sets), right=float(sets))


def level_dose(item: ProgramItem, ex: Exercise, level_id: str | None, sets: int) -> ItemDose:
    """The item's dose at a level: the level's repetitions, hold and rest, ``sets`` sets (within
    the level's range), the tighter side keeping its extra set, and the item's times a day."""
    d = ex.at_level(level_id).dose
    cap = d.sets_max or d.sets or sets
    sets = max(1, min(sets, cap))
    return ItemDose(
        sets=sets,
        reps=d.reps,
        hold_seconds=d.hold_seconds,
        minutes=None,
        per_side=_sides_to(item.dose.per_side, sets, cap),
        rest_seconds=d.rest_seconds,
        times_per_day=item.dose.times_per_day,
    )


def _step_up_release(item: ProgramItem, ex: Exercise) -> tuple[ProgramItem, list[str]]:
    """Half a minute more a side, never beyond the catalog's minutes (and never less than now)."""
    d = item.dose
    cap = ex.dose.minutes
    if cap is None or d.sets is not None or d.per_side is None:
        return item, []
    left, right = d.per_side.left, d.per_side.right
    if min(left, right) + _EPS >= cap:
        return item, []
    per_side = PerSide(
        left=max(left, min(left + RELEASE_STEP_MINUTES, cap)),
        right=max(right, min(right + RELEASE_STEP_MINUTES, cap)),
    )
    dose = d.model_copy(
        update={"per_side": per_side, "minutes": min(per_side.left, per_side.right)}
    )
    new = _with(item, ItemDose.model_validate(dose.model_dump()))
    return new, [f"{item.name}: {_minutes_text(dose)}, up from {_minutes_text(d)}."]


def _offered(ex: Exercise, level_id: str | None, check: LevelCheck | None) -> bool:
    """May the item move to this level? Checked against the person's answers when known;
    otherwise only a level that asks nothing more of the body than the exercise itself."""
    done = ex.at_level(level_id)
    if check is not None:
        return check(done)
    return same_demands(done, ex)


def _known_level(item: ProgramItem, ex: Exercise) -> str | None:
    """The item's level when the catalog still has it, else the base exercise."""
    return item.level if item.level in ex.ladder else None


def _step_up_item(
    item: ProgramItem, catalog: Catalog, check: LevelCheck | None
) -> tuple[ProgramItem, list[str], tuple[str, ...]]:
    """One step up for one item, what changed, and the sources of a new level."""
    if item.category not in ("stretch", "strengthen", "release"):
        return item, [], ()
    try:
        ex = catalog.exercise(item.id)
    except KeyError:
        return item, [], ()
    if item.category == "release":
        current = _known_level(item, ex)
        if current is not None:  # an easier way of the release: back toward the release itself
            ladder = ex.ladder
            target = ladder[ladder.index(current) + 1]
            if not _offered(ex, target, check):
                return item, [], ()
            moved = _at(item, ex, target, item.dose)
            level = ex.level(target)
            words = f"now {level.name.lower()}" if level else f"back to the {ex.name.lower()}"
            why = (
                level.why
                if level
                else "Your sessions show you tolerate it, so the usual way returns, at the same "
                "time."
            )
            return (
                moved,
                [f"{item.name}: {words}, {_minutes_text(moved.dose)}. {why}"],
                level.sources if level else ex.sources,
            )
        new, notes = _step_up_release(item, ex)
        return new, notes, ()
    d = item.dose
    if d.sets is None:
        return item, [], ()
    current = _known_level(item, ex)
    now = ex.at_level(current)
    cap = now.dose.sets_max or now.dose.sets or d.sets
    top = int(max(d.per_side.left, d.per_side.right)) if d.per_side else d.sets
    if top + 1 <= cap:
        per_side = (
            PerSide(left=d.per_side.left + 1, right=d.per_side.right + 1) if d.per_side else None
        )
        dose = d.model_copy(update={"sets": d.sets + 1, "per_side": per_side})
        hold = (
            f"; each hold stays {d.hold_seconds or STRETCH_HOLD_SECONDS} seconds"
            if item.category == "stretch"
            else ""
        )
        new = _with(item, ItemDose.model_validate(dose.model_dump()))
        return new, [f"{item.name}: {_sets_text(dose)}, up from {_sets_text(d)}{hold}."], ()
    ladder = ex.ladder
    at = ladder.index(current)
    if at + 1 >= len(ladder):
        return item, [], ()
    target = ladder[at + 1]
    if not _offered(ex, target, check):
        return item, [], ()
    level = ex.level(target)
    start = ex.at_level(target).dose.sets or 1
    new = _at(item, ex, target, level_dose(item, ex, target, start))
    if level is None:
        words = f"back to {ex.name.lower()}, the full exercise"
        why = "You have built up the easier version, so the exercise returns to its usual form."
        sources: tuple[str, ...] = ex.sources
    else:
        words = f"now {level.name.lower()}"
        why = level.why
        sources = level.sources
    return new, [f"{item.name}: {words}, {_dose_text(new.dose)}. {why}"], sources


def _sides_down(sides: PerSide | None) -> PerSide | None:
    """One less on each side, not below 1, keeping the tighter side's extra."""
    if sides is None:
        return None
    extra = abs(sides.left - sides.right)
    low = max(1.0, min(sides.left, sides.right) - 1)
    high = low + extra
    if sides.left > sides.right:
        return PerSide(left=high, right=low)
    return PerSide(left=low, right=high)


def _step_back_item(
    item: ProgramItem, catalog: Catalog | None, check: LevelCheck | None
) -> tuple[ProgramItem, list[str], tuple[str, ...]]:
    d = item.dose
    if item.category == "release":
        per_side = _sides_down(d.per_side)
        minutes = max(1.0, d.minutes - 1) if d.minutes is not None else None
        dose = d.model_copy(update={"minutes": minutes, "per_side": per_side})
        if dose == d:  # at its shortest: a gentler way of doing it, where there is one
            return _release_easier(item, catalog, check)
        new = _with(item, ItemDose.model_validate(dose.model_dump()))
        return new, [f"{item.name}: {_minutes_text(dose)}, down from {_minutes_text(d)}."], ()
    if item.category not in ("stretch", "strengthen"):
        return item, [], ()
    per_side = _sides_down(d.per_side)
    sets = max(1, d.sets - 1) if d.sets is not None else None
    dose = ItemDose.model_validate(
        d.model_copy(update={"sets": sets, "per_side": per_side}).model_dump()
    )
    ex = None
    if catalog is not None and d.sets is not None:
        try:
            ex = catalog.exercise(item.id)
        except KeyError:
            ex = None
    if ex is not None and sets is not None:
        current = _known_level(item, ex)
        at = ex.ladder.index(current)
        target = ex.ladder[at - 1] if at > 0 else None
        if at > 0 and _offered(ex, target, check):
            level = ex.level(target)
            new = _at(item, ex, target, level_dose(item, ex, target, sets))
            if level is None:
                words = f"back to {ex.name.lower()}, the basic version"
                why = "The harder version is set aside until your pain settles."
                sources: tuple[str, ...] = ex.sources
            else:
                words = f"now {level.name.lower()}"
                why = level.why
                sources = level.sources
            return new, [f"{item.name}: {words}, {_dose_text(new.dose)}. {why}"], sources
    if dose == d:
        return item, [], ()
    new = _with(item, dose)
    return new, [f"{item.name}: {_sets_text(dose)}, down from {_sets_text(d)}."], ()


def _release_easier(
    item: ProgramItem, catalog: Catalog | None, check: LevelCheck | None
) -> tuple[ProgramItem, list[str], tuple[str, ...]]:
    """A release already at its shortest moves to its next easier level (the same minutes)."""
    if catalog is None:
        return item, [], ()
    try:
        ex = catalog.exercise(item.id)
    except KeyError:
        return item, [], ()
    ladder = ex.ladder
    at = ladder.index(_known_level(item, ex))
    if at == 0 or not _offered(ex, ladder[at - 1], check):
        return item, [], ()
    target = ladder[at - 1]
    level = ex.level(target)
    moved = _at(item, ex, target, item.dose)
    words = f"now {level.name.lower()}" if level else f"back to the {ex.name.lower()}"
    why = level.why if level else "The usual way returns."
    sources = level.sources if level else ex.sources
    return moved, [f"{item.name}: {words}, {_minutes_text(moved.dose)}. {why}"], sources


def _step(
    program: Program,
    one: Callable[[ProgramItem], tuple[ProgramItem, list[str], tuple[str, ...]]],
) -> tuple[Program, tuple[str, ...], tuple[str, ...]]:
    items: list[ProgramItem] = []
    changes: list[str] = []
    sources: list[str] = []
    for item in program.items:
        new, notes, cited = one(item)
        items.append(new)
        changes += notes
        sources += cited
    changed = _rebuild(program, items) if changes else program
    return changed, tuple(changes), _unique(sources)


def step_up(
    program: Program, catalog: Catalog, *, check: LevelCheck | None = None
) -> tuple[Program, tuple[str, ...]]:
    """The program one step harder (see the ``progress`` rule), and what changed. ``check``
    is the person's check of a level (:func:`psoas.domain.program.allowed_for`); without it
    only a level that asks nothing more of the body than its exercise is offered."""
    new, changes, _ = step_up_cited(program, catalog, check=check)
    return new, changes


def step_up_cited(
    program: Program, catalog: Catalog, *, check: LevelCheck | None = None
) -> tuple[Program, tuple[str, ...], tuple[str, ...]]:
    """:func:`step_up`, with the sources of the levels it moves to."""
    return _step(program, lambda item: _step_up_item(item, catalog, check))


def step_back(
    program: Program, catalog: Catalog | None = None, *, check: LevelCheck | None = None
) -> tuple[Program, tuple[str, ...]]:
    """The program one step easier (see the ``regress`` rule), and what changed. Without the
    catalog, only sets and minutes come down."""
    new, changes, _ = step_back_cited(program, catalog, check=check)
    return new, changes


def step_back_cited(
    program: Program, catalog: Catalog | None = None, *, check: LevelCheck | None = None
) -> tuple[Program, tuple[str, ...], tuple[str, ...]]:
    """:func:`step_back`, with the sources of the levels it moves to."""
    return _step(program, lambda item: _step_back_item(item, catalog, check))


# --- decide -------------------------------------------------------------------------------------


def _minutes_change(old: Program, new: Program) -> str:
    if abs(new.minutes_per_day - old.minutes_per_day) < 0.05:
        return ""
    return (
        f" The program now takes about {_fmt(new.minutes_per_day)} minutes a day (it was "
        f"{_fmt(old.minutes_per_day)})."
    )


def _decision(
    summary: ProgressSummary,
    *,
    kind: DecisionKind,
    rule: str,
    message: str,
    sources: Iterable[str],
    advise_clinician: bool = False,
    changes: tuple[str, ...] = (),
    program: Program | None = None,
) -> Decision:
    srcs = _unique(sources)
    if summary.retest_due:
        message += (
            " A re-test is also due: repeat the Thomas test, your pain rating and your "
            "activity scores."
        )
        srcs = _unique(srcs, ("peeler-2007",))
    return Decision(
        kind=kind,
        rule=rule,
        retest_due=summary.retest_due,
        message=message,
        sources=srcs,
        advise_clinician=advise_clinician,
        changes=changes,
        program=program,
    )


def _regress(
    summary: ProgressSummary,
    current: ProgramVersion,
    versions: Sequence[ProgramVersion],
    now: datetime,
    catalog: Catalog,
    check: LevelCheck | None,
) -> Decision | None:
    mine = [s for s in summary.pain.sessions if s.program_version == current.version]
    recent = mine[-REGRESS_SESSIONS:]
    session_mean = _mean([float(s.difference) for s in recent])
    flare = (
        len(recent) == REGRESS_SESSIONS
        and session_mean is not None
        and session_mean >= REGRESS_SESSION_PAIN - _EPS
    )
    worse = summary.pain.meaningful_worsening
    if not (flare or worse):
        return None
    settled = len(versions) == 1 or now - current.created_at >= timedelta(
        days=STEP_BACK_SETTLE_DAYS
    )
    p = summary.pain
    if flare and session_mean is not None:
        why = (
            f"Your pain has been {_plural(session_mean, 'point')} higher after sessions than "
            f"before them on average over your last {REGRESS_SESSIONS} sessions."
        )
    else:
        why = (
            f"Your pain has risen from {_fmt(p.baseline or 0)} to {_fmt(p.recent_average or 0)} "
            "on average, a meaningful change for the worse."
        )
    if not flare and not settled:
        return _decision(
            summary,
            kind="hold",
            rule="regress",
            message=f"{why} Your program was made lighter "
            f"{_plural(_days(now - current.created_at), 'day')} ago; give it "
            f"{STEP_BACK_SETTLE_DAYS} days to work before changing it again. Please see a "
            "clinician (a physiotherapist or your doctor) about the pain meanwhile.",
            sources=REGRESS_SOURCES,
            advise_clinician=True,
        )
    new, changes, cited = step_back_cited(current.program, catalog, check=check)
    clinician = (
        " Please see a clinician (a physiotherapist or your doctor) before you go on, and stop "
        "any exercise that makes pain spread into your leg."
    )
    if not changes:
        return _decision(
            summary,
            kind="regress",
            rule="regress",
            message=f"{why} Your program is already at its lightest: one set of each stretch "
            "and exercise, the easiest levels that suit you, and the shortest release." + clinician,
            sources=REGRESS_SOURCES,
            advise_clinician=True,
        )
    return _decision(
        summary,
        kind="regress",
        rule="regress",
        message=f"{why} The program steps back: "
        + " ".join(changes)
        + clinician
        + _minutes_change(current.program, new),
        sources=_unique(REGRESS_SOURCES, cited),
        advise_clinician=True,
        changes=changes,
        program=new,
    )


def _improved(summary: ProgressSummary) -> bool:
    return (
        summary.pain.meaningful_improvement
        or summary.function.meaningful_improvement
        or summary.retest.meaningful_improvement
    )


def _hypothesis(summary: ProgressSummary, first: ProgramVersion, now: datetime) -> Decision | None:
    if _improved(summary):
        return None
    days = _days(now - first.created_at)
    if days >= DECISION_DAYS:
        a = summary.adherence_28
        if a.fraction is not None and a.fraction >= FAIR_TRIAL_ADHERENCE - _EPS:
            measured = (
                summary.pain.judged
                or summary.function.change is not None
                or summary.retest.left.change is not None
                or summary.retest.right.change is not None
            )
            evidence = (
                "neither your pain, nor the activities you find hard, nor the hip re-test has "
                "changed meaningfully"
                if measured
                else "nothing was measured that shows it helps (no pain ratings over a week, no "
                "second activity score, no re-test)"
            )
            return _decision(
                summary,
                kind="hypothesis_not_supported",
                rule="hypothesis-not-supported",
                message=f"After {days} days on the program, with {_sessions_done(a)} of the last "
                f"{a.expected} sessions done, {evidence}. That suggests the hip flexors are "
                "probably not the key to your back pain: many people with back pain have normal "
                "hip-flexor length. Keep up general exercise and walking, which help most back "
                "pain whatever its cause. Please see a physiotherapist, who can look at what "
                "else may be behind it and shape your exercise around that.",
                sources=_unique(HYPOTHESIS_SOURCES, KEEP_ACTIVE_SOURCES),
                advise_clinician=True,
            )
        done = f"{_sessions_done(a)} of {a.expected}" if a.fraction is not None else "few"
        return _decision(
            summary,
            kind="hold",
            rule="fair-trial",
            message=f"After {days} days nothing has changed meaningfully, but you did {done} "
            f"sessions in the last {a.window_days} days, fewer than half, so the program has "
            "not had a fair trial. Either follow it for a few weeks more, or, if it does not "
            "fit your days, ask a physiotherapist or your doctor for an assessment.",
            sources=ADHERENCE_SOURCES,
        )
    if days >= EARLY_DAYS:
        return _decision(
            summary,
            kind="hold",
            rule="six-week-wait",
            message=f"After {days} days nothing has changed meaningfully yet: not your pain, "
            "not your activities, not the re-test. Keep the program as it is; the decision "
            f"comes at six weeks ({DECISION_DAYS - days} days from now). If nothing has changed "
            "by then, the hip flexors are probably not the key, and general exercise and walking "
            "are what to keep up.",
            sources=HYPOTHESIS_SOURCES,
        )
    return None


def level_check(history: History, now: datetime) -> LevelCheck | None:
    """The check every new level must pass: the exclusion rules applied to the answers of the
    latest assessment up to ``now`` (None when there is none: see :func:`same_demands`)."""
    latest = latest_assessment(history, _aware(now))
    if latest is None:
        return None
    return allowed_for(latest.intake, latest.result.triage)


def latest_assessment(history: History, now: datetime) -> StoredAssessment | None:
    """The most recent assessment made up to ``now`` (the later id on a tie)."""
    made = [a for a in history.assessments if a.created_at <= now]
    return max(made, key=lambda a: (a.created_at, a.id)) if made else None


def held_back(history: History, now: datetime) -> Decision | None:
    """The ``held-back`` decision when the latest assessment withholds the program, else None.

    A warning sign recorded after a program was given holds it back here too: nothing steps
    up, back or changes until a doctor has checked and the questions are answered again.
    """
    latest = latest_assessment(history, _aware(now))
    if latest is None:
        return None
    result = latest.result
    if result.program is not None and not withholds_program(result.triage.level):
        return None
    level = result.triage.level.replace("_", " ")
    sources = _unique((k for r in result.triage.reasons for k in r.sources), HELD_BACK_SOURCES)
    return Decision(
        kind="hold",
        rule="held-back",
        message=f"Held back: see the doctor first. Your latest answers include a warning sign "
        f"({level}). {result.triage.action} Your program does not step up or change until a "
        "doctor has checked you; then answer the warning-sign questions again.",
        sources=sources,
        advise_clinician=True,
    )


def recheck_first(history: History, now: datetime) -> Decision | None:
    """The ``recheck-first`` decision when pain has risen since the latest assessment and the
    warning signs have not been asked again, else None."""
    latest = latest_assessment(history, _aware(now))
    if latest is None:
        return None
    rise = pain_rise(latest.intake, latest.created_at, (r for r in history.pain if r.at <= now))
    if rise is None:
        return None
    return Decision(
        kind="hold",
        rule="recheck-first",
        message=f"Your pain has gone up since your last assessment (from "
        f"{latest.intake.pain.intensity_now} to {rise.score} out of 10). Answer the "
        "warning-sign questions again first; nothing steps up or back until you have.",
        sources=RECHECK_SOURCES,
    )


#: What each decision means for the person next, in one wording for every surface.
DECISION_TITLES: dict[DecisionKind, str] = {
    "progress": "Next: step up",
    "regress": "Next: step back",
    "hold": "Next: keep going as you are",
    "hypothesis_not_supported": "Next: keep moving, and see a physiotherapist",
}
_RULE_TITLES = {
    "held-back": "Next: the program is held back: see a doctor first",
    "recheck-first": "Next: answer the warning-sign questions again first",
}


def decision_title(decision: Decision) -> str:
    """The heading of a decision: what comes next, in plain words."""
    return _RULE_TITLES.get(decision.rule) or DECISION_TITLES[decision.kind]


def shown_readings(summary: ProgressSummary, *, held_back: bool) -> tuple[Reading, ...]:
    """The readings a person is shown: under a warning sign that holds the program back, the
    hip-flexor measurements are set aside (as on the assessment's result)."""
    if not held_back:
        return summary.readings
    return tuple(r for r in summary.readings if not r.code.startswith("retest"))


def decide(
    *, history: History, summary: ProgressSummary, catalog: Catalog, now: datetime
) -> Decision:
    """One decision about the current program: held back (a warning sign in the latest
    assessment), progress, regress, hold, or say that the hip-flexor part is probably not the
    key. ``summary`` comes from :func:`summarize` for the same history and time."""
    now = _aware(now)
    stop = held_back(history, now) or recheck_first(history, now)
    if stop is not None:
        return stop
    versions = _versions(history, now)
    if not versions:
        return _decision(
            summary,
            kind="hold",
            rule="hold",
            message="There is no program yet, so there is nothing to change.",
            sources=GENERAL_SOURCES,
        )
    first, current = versions[0], versions[-1]

    check = level_check(history, now)
    regress = _regress(summary, current, versions, now, catalog, check)
    if regress is not None:
        return regress
    verdict = _hypothesis(summary, first, now)
    if verdict is not None:
        return verdict

    reasons: list[str] = []
    sources: list[str] = ["bandy-1997"]
    if summary.completed_last_14 < STEP_UP_SESSIONS - _EPS:
        reasons.append(
            f"You have done {sessions_number(summary.completed_last_14, STEP_UP_SESSIONS)} of "
            f"the {STEP_UP_SESSIONS} sessions "
            f"in {STEP_UP_WINDOW_DAYS} days needed for a step up."
        )
    age = now - current.created_at
    if age < timedelta(days=STEP_UP_VERSION_DAYS):
        reasons.append(
            f"Your current program is {_plural(_days(age), 'day')} old; a step up comes after "
            f"{STEP_UP_VERSION_DAYS} days on the same program."
        )
    change = summary.pain.session_change
    if change is not None and change >= HOLD_SESSION_PAIN - _EPS:
        reasons.append(
            f"Pain after sessions is {_plural(change, 'point')} higher than before on average; the "
            "dose stays until sessions stop stirring it up."
        )
        sources.append("ostelo-2008")
    if reasons:
        return _decision(
            summary,
            kind="hold",
            rule="hold",
            message="Keep the program as it is. " + " ".join(reasons),
            sources=sources,
        )
    new, changes, cited = step_up_cited(current.program, catalog, check=check)
    if not changes:
        return _decision(
            summary,
            kind="hold",
            rule="hold",
            message="Keep going: your program is already at its top dose (the most sets of "
            "each stretch and exercise, the hardest levels that suit you and the full release "
            "time). Holds stay at 30 seconds: longer holds add nothing.",
            sources=("bandy-1994", "bandy-1997"),
        )
    checked = (
        ", and they did not stir up your pain"
        if change is not None
        else " (rate pain before and after sessions so psoas can check they do not stir it up)"
    )
    return _decision(
        summary,
        kind="progress",
        rule="progress",
        message=f"You did {sessions_number(summary.completed_last_14)} sessions' "
        f"worth of work in the last "
        f"{STEP_UP_WINDOW_DAYS} days{checked}, so the program steps up: "
        + " ".join(changes)
        + " Holds stay at 30 seconds: longer holds add nothing."
        + _minutes_change(current.program, new),
        sources=_unique(PROGRESS_SOURCES, RELEASE_SOURCES, cited),
        changes=changes,
        program=new,
    )
