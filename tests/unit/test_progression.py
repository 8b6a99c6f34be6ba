"""Progression and outcome rules: histories built by hand, day by day, and one property test."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from psoas.catalog import load_catalog
from psoas.cli.format import format_item
from psoas.domain.adherence import planned_sets
from psoas.domain.assess import assess
from psoas.domain.intake import Intake
from psoas.domain.program import allowed_for
from psoas.domain.progression import (
    DECISION_TITLES,
    PROGRESSION_RULES,
    Decision,
    ProgressSummary,
    decide,
    decision_title,
    same_demands,
    step_back,
    step_up,
    summarize,
    thomas_baseline,
    thomas_points,
)
from psoas.domain.results import PerSide, Program
from psoas.domain.session_plan import session_steps
from psoas.domain.tracking import (
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
from psoas.reports.pdf import item_text
from tests.conftest import EXAMPLES, merge

CATALOG = load_catalog()
START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
OFFICE = json.loads((EXAMPLES / "office-worker.json").read_text())
ACTIVITIES = ("sitting at work", "getting out of the car", "walking the dog")


def office_program(**changes: Any) -> Program:
    program = assess(Intake.model_validate(merge(OFFICE, changes)), CATALOG).program
    assert program is not None
    return program


# 30 minutes a day, sitting 5 hours: one session, a release, two stretches, 4 strengthening.
PROGRAM = office_program(
    daily_life={"sitting_hours_per_day": 5}, preferences={"minutes_per_day": 30}
)
LONG_PROGRAM = office_program(preferences={"minutes_per_day": 60})  # two stretches, 2 a day
LONG_INTAKE = Intake.model_validate(merge(OFFICE, {"preferences": {"minutes_per_day": 60}}))
RELEASE = "massage-gun-psoas-release"


def at(day: float, hour: int = 9) -> datetime:
    return START + timedelta(days=day, hours=hour - 8)


@dataclass
class Builder:
    """A history built day by day. Day 0 is the day the first program starts (08:00 UTC)."""

    program: Program = PROGRAM
    versions: list[ProgramVersion] = field(default_factory=list)
    sessions: list[SessionRecord] = field(default_factory=list)
    sets: list[SetLog] = field(default_factory=list)
    pain: list[PainRating] = field(default_factory=list)
    psfs: list[PsfsEntry] = field(default_factory=list)
    retests: list[Retest] = field(default_factory=list)
    assessments: list[StoredAssessment] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.versions:
            self.version(0, self.program, hour=8)

    def version(self, day: float, program: Program, hour: int = 8) -> Builder:
        self.versions.append(
            ProgramVersion(
                version=len(self.versions) + 1,
                created_at=at(day, hour),
                reason="first program" if not self.versions else "changed by the rules",
                program=program,
                catalog_version=CATALOG.version,
            )
        )
        return self

    def session(
        self,
        day: float,
        *,
        before: int | None = None,
        after: int | None = None,
        status: SessionStatus = "completed",
        sets: int | None = None,
        hour: int = 9,
    ) -> Builder:
        """A session that logged the first ``sets`` sets of its plan in full (all of them
        when None), as the players log them."""
        sid = len(self.sessions) + 1
        started = at(day, hour)
        version = max(v.version for v in self.versions if v.created_at <= started)
        self.sessions.append(
            SessionRecord(
                id=sid,
                program_version=version,
                started_at=started,
                ended_at=started + timedelta(minutes=15),
                status=status,
            )
        )
        plan = planned_sets(self.versions[version - 1].program)
        for n, p in enumerate(plan if sets is None else plan[:sets]):
            self.sets.append(
                SetLog(
                    session_id=sid,
                    item_id=p.item_id,
                    side=p.side,
                    set_number=p.set_number,
                    hold_seconds=p.hold_seconds if p.kind == "hold" else None,
                    reps=p.reps if p.kind == "reps" else None,
                    minutes=p.minutes,
                    completed_at=started + timedelta(seconds=30 * (n + 1)),
                    key=f"set-{sid:04d}-{n:03d}",
                )
            )
        if before is not None:
            self.pain.append(
                PainRating(at=started, score=before, context="before_session", session_id=sid)
            )
        if after is not None:
            self.pain.append(
                PainRating(
                    at=started + timedelta(minutes=20),
                    score=after,
                    context="after_session",
                    session_id=sid,
                )
            )
        return self

    def daily_sessions(self, days: range, **kwargs: Any) -> Builder:
        for day in days:
            self.session(day, **kwargs)
        return self

    def daily_pain(self, days: range, score: int) -> Builder:
        for day in days:
            self.pain.append(PainRating(at=at(day, 20), score=score))
        return self

    def function(self, day: float, *scores: int) -> Builder:
        self.psfs.append(
            PsfsEntry(
                at=at(day, 19),
                activities=tuple(
                    PsfsActivity(activity=a, score=s)
                    for a, s in zip(ACTIVITIES, scores, strict=True)
                ),
            )
        )
        return self

    def retest(self, day: float, left: float | None, right: float | None) -> Builder:
        self.retests.append(
            Retest(at=at(day, 18), thomas_left_hip_deg=left, thomas_right_hip_deg=right)
        )
        return self

    def assessment(self, day: float, hour: int = 12, **changes: Any) -> Builder:
        """A new assessment of the office worker, with ``changes`` to the intake."""
        intake = Intake.model_validate(merge(OFFICE, changes))
        self.assessments.append(
            StoredAssessment(
                id=len(self.assessments) + 1,
                created_at=at(day, hour),
                intake=intake,
                result=assess(intake, CATALOG),
            )
        )
        return self

    def history(self) -> History:
        return History(
            profile=Profile(id=1, name="Office worker", created_at=START - timedelta(days=1)),
            assessments=tuple(self.assessments),
            programs=tuple(self.versions),
            sessions=tuple(self.sessions),
            sets=tuple(self.sets),
            pain=tuple(self.pain),
            psfs=tuple(self.psfs),
            retests=tuple(self.retests),
        )


def run(
    b: Builder,
    day: float,
    *,
    baseline_pain: int | None = 5,
    thomas: tuple[float | None, float | None] | None = (2, 14),
    hour: int = 20,
) -> tuple[ProgressSummary, Decision]:
    now = at(day, hour)
    history = b.history()
    summary = summarize(
        history=history, baseline_pain=baseline_pain, baseline_thomas=thomas, now=now
    )
    return summary, decide(history=history, summary=summary, catalog=CATALOG, now=now)


def item(program: Program, item_id: str) -> Any:
    return next(i for i in program.items if i.id == item_id)


def check_program(program: Program, before: Program) -> None:
    """What every changed program must keep: validity, items, sides, set and level limits; an
    item at a new level takes the level's name, place, kit, reason, sources and hold."""
    Program.model_validate(program.model_dump())
    assert [i.id for i in program.items] == [i.id for i in before.items]
    for new, old in zip(program.items, before.items, strict=True):
        assert new.category == old.category
        ex = CATALOG.exercise(new.id)
        assert new.level in ex.ladder
        done = ex.at_level(new.level)
        if new.level == old.level:
            assert (new.why, new.sources, new.name) == (old.why, old.sources, old.name)
            assert new.dose.hold_seconds == old.dose.hold_seconds
        else:
            assert (new.name, new.position, new.equipment, new.abdominal_pressure) == (
                done.name,
                done.position,
                done.equipment,
                done.abdominal_pressure,
            )
            assert new.dose.hold_seconds == done.dose.hold_seconds
            assert new.dose.reps == done.dose.reps
            level = ex.level(new.level)
            if level is not None:
                assert level.why in new.why and set(level.sources) <= set(new.sources)
        harder = [lv for lv in ex.levels if lv.kind == "harder"]
        assert 0 <= new.progression_level <= len(harder)
        if new.level is not None:
            assert new.progression_level == ex.ladder.index(new.level) - ex.ladder.index(None) or (
                new.progression_level == 0 and ex.ladder.index(new.level) < ex.ladder.index(None)
            )
        d = new.dose
        if d.sets is not None:
            assert d.sets >= 1
        if d.per_side and old.dose.per_side:
            assert min(d.per_side.left, d.per_side.right) >= 1
            if old.dose.per_side.right > old.dose.per_side.left:
                assert d.per_side.right >= d.per_side.left
            if old.dose.per_side.left > old.dose.per_side.right:
                assert d.per_side.left >= d.per_side.right
        if new.category == "stretch":
            cap = done.dose.sets_max
            assert cap is not None and d.sets is not None and d.sets <= cap
            if d.per_side:
                assert max(d.per_side.left, d.per_side.right) <= cap


# --- no data ------------------------------------------------------------------------------------


def test_no_data_at_all_is_too_early_and_changes_nothing() -> None:
    history = History(profile=Profile(name="New", created_at=START))
    s = summarize(history=history, baseline_pain=None, baseline_thomas=None, now=at(0))
    assert s.program_version is None and s.adherence_7.fraction is None
    assert not s.inactive_week and not s.retest_due
    assert s.pain.baseline is None and not s.pain.meaningful_improvement
    assert s.readings and all("Too early" in r.message for r in s.readings)
    d = decide(history=history, summary=s, catalog=CATALOG, now=at(0))
    assert d.kind == "hold" and d.program is None and not d.advise_clinician


def test_new_program_with_nothing_logged_is_too_early() -> None:
    s, d = run(Builder(), 2, baseline_pain=None, thomas=None)
    assert s.adherence_7.completed == 0 and s.adherence_7.window_days == 3
    assert not s.inactive_week
    assert any("Too early" in r.message for r in s.readings)
    assert d.kind == "hold" and d.program is None


def test_now_must_have_a_time_zone() -> None:
    history = Builder().history()
    with pytest.raises(ValueError):
        summarize(
            history=history, baseline_pain=None, baseline_thomas=None, now=datetime(2026, 2, 1)
        )


# --- adherence ----------------------------------------------------------------------------------


def test_adherence_over_7_and_28_days() -> None:
    b = Builder().daily_sessions(range(0, 30, 2))  # every other day
    s, _ = run(b, 29)
    assert (s.adherence_7.completed, s.adherence_7.expected) == (3, 7)
    assert s.adherence_7.fraction == pytest.approx(3 / 7)
    assert (s.adherence_28.completed, s.adherence_28.expected) == (14, 28)
    assert s.days_since_last_session == 1 and not s.inactive_week
    assert any("3 of the 7 sessions" in r.message for r in s.readings)


def test_adherence_window_is_shorter_for_a_new_program() -> None:
    b = Builder().daily_sessions(range(0, 3))
    s, _ = run(b, 2)  # day 2 at 20:00: 2.5 days, counted as 3
    assert (s.adherence_7.completed, s.adherence_7.expected) == (3, 3)
    assert s.adherence_7.fraction == 1
    assert s.adherence_28 == s.adherence_7


def test_a_session_counts_by_the_share_of_its_work_done_and_once_a_day_for_one_a_day() -> None:
    plan = planned_sets(PROGRAM)
    b = Builder()
    b.session(0, status="in_progress", sets=0)  # nothing logged: does not count
    b.session(1, status="quit", sets=1)  # one set logged: counts its share of the work
    b.session(2).session(2, hour=12)  # two whole ones on one day: the program asks for one
    b.session(3, sets=0)  # "completed" with every set skipped: nothing done
    s, _ = run(b, 3)
    one_set = plan[0].work_seconds / sum(p.work_seconds for p in plan)
    assert s.adherence_7.completed == pytest.approx(1 + one_set)
    assert s.adherence_7.expected == 4
    assert s.completed_last_14 == pytest.approx(1 + one_set)
    assert s.days_since_last_session == 1  # the skipped session of day 3 is not a session done


def test_inactive_week_after_seven_days_without_a_session() -> None:
    b = Builder().daily_sessions(range(0, 5))
    s, _ = run(b, 10, hour=8)
    assert s.days_since_last_session == 5 and not s.inactive_week
    s, _ = run(b, 11, hour=10)
    assert s.days_since_last_session == 7 and s.inactive_week
    assert any(r.code == "inactive-week" for r in s.readings)
    s, _ = run(Builder(), 7)
    assert s.days_since_last_session is None and s.inactive_week


# --- pain ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("baseline", "score", "improved", "worse"),
    [
        (6, 3, True, False),  # 3 points
        (6, 4, True, False),  # 2 points
        (6, 5, False, False),  # 1 point, 17%
        (3, 2, True, False),  # 1 point but 33%
        (10, 8, True, False),  # 2 points, 20%
        (10, 9, False, False),  # 1 point, 10%
        (1, 0, True, False),  # 1 point, 100%
        (0, 0, False, False),
        (3, 4, False, True),  # 33% worse
        (5, 6, False, False),  # 20% worse, 1 point
        (5, 7, False, True),  # 2 points worse
        (0, 1, False, False),  # no percentage from 0; 1 point
        (0, 2, False, True),
    ],
)
def test_pain_two_points_or_thirty_percent(
    baseline: int, score: int, improved: bool, worse: bool
) -> None:
    b = Builder().daily_pain(range(0, 10), score)
    s, _ = run(b, 9, baseline_pain=baseline)
    assert s.pain.baseline == baseline and s.pain.baseline_from == "intake"
    assert s.pain.recent_average == score and s.pain.judged
    assert s.pain.meaningful_improvement is improved
    assert s.pain.meaningful_worsening is worse


def test_pain_reading_says_a_drop_is_meaningful() -> None:
    b = Builder().daily_pain(range(0, 8), 3)
    s, _ = run(b, 7, baseline_pain=6)
    assert s.pain.change == -3 and s.pain.percent_change == pytest.approx(-50)
    reading = next(r for r in s.readings if r.code == "pain")
    assert reading.message == "Your pain has dropped from 6 to 3 on average, a meaningful change."
    assert reading.sources == ("ostelo-2008",)


def test_pain_average_covers_only_the_last_seven_days() -> None:
    b = Builder().daily_pain(range(0, 7), 6).daily_pain(range(7, 14), 3)
    s, _ = run(b, 13, baseline_pain=None)
    assert s.pain.baseline == 6 and s.pain.baseline_from == "first_rating"
    assert s.pain.recent_average == 3 and s.pain.recent_ratings == 7
    assert s.pain.meaningful_improvement


def test_fewer_than_seven_days_of_ratings_is_too_early_for_an_improvement() -> None:
    b = Builder().daily_pain(range(0, 6), 2)
    s, _ = run(b, 5, baseline_pain=6)
    assert not s.pain.judged and not s.pain.meaningful_improvement
    reading = next(r for r in s.readings if r.code == "pain")
    assert reading.message.startswith("Too early to judge: fewer than 7 days of ratings")


def test_a_worsening_is_flagged_after_three_days_of_ratings() -> None:
    s, _ = run(Builder().daily_pain(range(0, 2), 8), 1, baseline_pain=5)
    assert not s.pain.meaningful_worsening
    s, _ = run(Builder().daily_pain(range(0, 3), 8), 2, baseline_pain=5)
    assert s.pain.meaningful_worsening


def test_after_minus_before_session_over_the_last_five_sessions() -> None:
    b = Builder()
    for day, (before, after) in enumerate([(2, 9), (4, 5), (4, 4), (5, 4), (3, 5), (4, 6)]):
        b.session(day, before=before, after=after)
    b.session(6, before=4)  # no after rating: not paired
    s, _ = run(b, 6)
    assert [x.difference for x in s.pain.sessions] == [1, 0, -1, 2, 2]
    assert s.pain.session_change == pytest.approx(0.8)


# --- function -----------------------------------------------------------------------------------


def test_psfs_mean_change_of_two_is_meaningful() -> None:
    s, _ = run(Builder().function(0, 3, 4, 5).function(14, 5, 6, 7), 14)
    assert s.function.change == pytest.approx(2) and s.function.meaningful_improvement
    assert "a meaningful change" in next(r for r in s.readings if r.code == "function").message


def test_psfs_one_activity_by_three_is_meaningful_even_when_the_mean_is_not() -> None:
    s, _ = run(Builder().function(0, 3, 4, 5).function(14, 6, 4, 5), 14)
    assert s.function.change == pytest.approx(1)
    assert s.function.meaningful_improvement and not s.function.meaningful_worsening
    reading = next(r for r in s.readings if r.code == "function")
    assert "'sitting at work' has risen from 3 to 6" in reading.message


def test_psfs_small_change_is_not_meaningful_and_one_entry_is_too_early() -> None:
    s, _ = run(Builder().function(0, 3, 4, 5).function(14, 4, 5, 6), 14)
    assert not s.function.meaningful_improvement and not s.function.meaningful_worsening
    s, _ = run(Builder().function(0, 3, 4, 5), 14)
    assert s.function.change is None
    assert any(r.code == "function-too-early" for r in s.readings)


def test_psfs_worsening() -> None:
    s, _ = run(Builder().function(0, 6, 6, 6).function(14, 4, 4, 3), 14)
    assert s.function.meaningful_worsening and not s.function.meaningful_improvement


# --- re-test ------------------------------------------------------------------------------------


def test_retest_change_beyond_measurement_error() -> None:
    s, _ = run(Builder().retest(14, 1, 4), 14)  # intake: left 2, right 14
    assert s.retest.right.change == -10 and s.retest.right.meaningful_improvement
    assert s.retest.left.change == -1 and not s.retest.left.meaningful_improvement
    assert s.retest.meaningful_improvement
    right = next(r for r in s.readings if r.code == "retest-right")
    assert "10 degrees more length" in right.message and right.sources == ("peeler-2007",)
    s, _ = run(Builder().retest(14, 1, 5), 14)
    assert s.retest.right.change == -9 and not s.retest.meaningful_improvement


def test_retest_first_is_the_first_retest_without_an_intake_measurement() -> None:
    b = Builder().retest(0, None, 20).retest(14, 3, 8)
    s, _ = run(b, 14, thomas=None)
    assert s.retest.right.first == 20 and s.retest.right.first_from == "retest"
    assert s.retest.right.change == -12 and s.retest.meaningful_improvement
    assert s.retest.left.first == 3 and s.retest.left.change is None


def test_right_after_a_first_retest_no_reading_says_there_is_no_retest() -> None:
    b = Builder().retest(3, 12, 20)  # no Thomas test at the assessment
    s, _ = run(b, 3, thomas=None)
    texts = [r.message for r in s.readings if r.code.startswith("retest-")]
    assert texts and not any("no re-test" in t for t in texts)
    left = next(r.message for r in s.readings if r.code == "retest-left")
    assert "at your first re-test" in left and "the next re-test will show" in left
    # measured at the assessment and not yet again: then it does say so
    s, _ = run(Builder(), 3)
    left = next(r.message for r in s.readings if r.code == "retest-left")
    assert "at the assessment; no re-test of this side yet" in left


def test_the_baseline_and_latest_are_the_first_and_last_thomas_points() -> None:
    b = Builder().assessment(0, hour=7).retest(14, 1, 4).retest(28, None, 3)
    history = b.history()
    baseline = thomas_baseline(history)
    assert baseline == (2, 14)  # the office worker's assessment
    s = summarize(history=history, baseline_pain=5, baseline_thomas=baseline, now=at(28, 20))
    points = thomas_points(history, baseline, at(28, 20))
    for side, summary in (("left", s.retest.left), ("right", s.retest.right)):
        first, last = points[side][0], points[side][-1]  # type: ignore[index]
        assert (summary.first, summary.first_from, summary.first_at) == (
            first.degrees,
            first.source,
            first.at,
        )
        assert (summary.latest, summary.latest_at) == (last.degrees, last.at)
    assert s.retest.left.first_at == at(0, 7) and s.retest.left.latest_at == at(14, 18)
    assert s.retest.right.latest == 3 and s.retest.right.latest_at == at(28, 18)


def test_retest_due_at_fourteen_days_from_start_or_last_retest() -> None:
    s, _ = run(Builder(), 13, hour=23)
    assert not s.retest_due
    s, _ = run(Builder(), 14, hour=8)
    assert s.retest_due and any(r.code == "retest-due" for r in s.readings)
    b = Builder().retest(10, 2, 10)
    s, _ = run(b, 23, hour=17)
    assert not s.retest_due
    s, _ = run(b, 24, hour=18)
    assert s.retest_due


# --- decide: progress ---------------------------------------------------------------------------


def progressing(program: Program = PROGRAM, sessions: int = 10, day: int = 14) -> Builder:
    b = Builder(program=program)
    return b.daily_sessions(range(day - sessions, day), before=4, after=4)


def test_progress_with_exactly_ten_sessions_on_a_program_fourteen_days_old() -> None:
    s, d = run(progressing(), 14)
    assert s.completed_last_14 == 10
    assert d.kind == "progress" and d.rule == "progress" and not d.advise_clinician
    assert d.program is not None
    check_program(d.program, PROGRAM)
    stretch = item(d.program, "half-kneeling-hip-flexor-stretch")
    old = item(PROGRAM, "half-kneeling-hip-flexor-stretch")
    assert stretch.dose.sets == old.dose.sets + 1
    assert stretch.dose.per_side.left == old.dose.per_side.left + 1
    assert stretch.dose.per_side.right == old.dose.per_side.right + 1  # tighter keeps its extra
    assert stretch.dose.hold_seconds == 30 and stretch.progression_level == 0
    for strengthen in ("dead-bug", "glute-bridge", "supine-marching"):
        # more sets first, at the same level; a harder level comes at the level's most sets
        was, now = item(PROGRAM, strengthen), item(d.program, strengthen)
        assert now.level is None and now.dose.reps == was.dose.reps
        assert now.dose.sets == was.dose.sets + 1
    # The release, tolerated for two weeks, grows by half a minute a side (it started at 1).
    assert item(PROGRAM, RELEASE).dose.per_side == PerSide(left=1, right=1)
    grown = item(d.program, RELEASE).dose
    assert grown.per_side == PerSide(left=1.5, right=1.5) and grown.minutes == 1.5
    assert "1.5 minutes a side (left 1.5, right 1.5), up from 1 minute a side" in d.message
    assert stretch.minutes_per_session > old.minutes_per_session
    assert d.program.minutes_per_day > PROGRAM.minutes_per_day
    assert "Half-kneeling hip-flexor stretch" in d.message and "30 seconds" in d.message
    assert "Glute bridge: 3 sets, up from 2 sets." in d.message
    assert set(d.sources) >= {"bandy-1994", "bandy-1997"}


def test_nine_sessions_hold_and_say_how_many_are_needed() -> None:
    _, d = run(progressing(sessions=9), 14)
    assert d.kind == "hold" and d.program is None
    assert "9 of the 10 sessions" in d.message


def test_thirteen_days_on_the_program_hold_fourteen_progress() -> None:
    b = progressing(sessions=13, day=13)
    _, d = run(b, 13, hour=7)  # 12 days 23 hours after the start
    assert d.kind == "hold" and "14 days" in d.message
    _, d = run(b, 14, hour=8)  # exactly 14 days
    assert d.kind == "progress"


def test_a_new_version_restarts_the_fourteen_days() -> None:
    b = progressing(sessions=14, day=20)  # days 6 to 19
    b.version(10, PROGRAM)
    _, d = run(b, 20)
    assert d.kind == "hold" and "10 days old" in d.message
    _, d = run(b, 24)  # 14 days on version 2, but only days 11 to 19 in the last 14 days
    assert d.kind == "hold" and "9 of the 10 sessions" in d.message
    b.session(24, hour=12)
    _, d = run(b, 24)
    assert d.kind == "progress"


def test_pain_after_sessions_one_point_higher_holds() -> None:
    b = Builder().daily_sessions(range(0, 14), before=3, after=4)
    _, d = run(b, 14)
    assert d.kind == "hold" and "1 point higher" in d.message
    b = Builder().daily_sessions(range(0, 14), before=3, after=3)
    _, d = run(b, 14)
    assert d.kind == "progress"


def test_progress_without_session_ratings_asks_for_them() -> None:
    b = Builder().daily_sessions(range(0, 14))
    _, d = run(b, 14)
    assert d.kind == "progress" and "rate pain before and after" in d.message


def test_repeated_steps_up_stop_at_sets_max_keep_the_tighter_side_and_the_levels() -> None:
    program = LONG_PROGRAM
    check = allowed_for(LONG_INTAKE, assess(LONG_INTAKE, CATALOG).triage)
    for _ in range(12):
        new, _ = step_up(program, CATALOG, check=check)
        check_program(new, program)
        program = new
    for i in program.items:
        ex = CATALOG.exercise(i.id)
        if i.category in ("stretch", "strengthen"):
            # at the most sets of the hardest level this person may do
            done = ex.at_level(i.level)
            cap = done.dose.sets_max or done.dose.sets
            top = (
                max(i.dose.per_side.left, i.dose.per_side.right) if i.dose.per_side else i.dose.sets
            )
            assert top == cap, i.id
            ladder = ex.ladder
            nxt = ladder.index(i.level) + 1
            assert nxt == len(ladder) or not check(ex.at_level(ladder[nxt])), i.id
        if i.category == "stretch":
            assert i.dose.per_side is not None and i.dose.hold_seconds == 30
            assert i.dose.per_side.right == 5 and i.dose.per_side.left == 4  # tighter right
    assert item(program, "glute-bridge").level == "single-leg-bridge"
    assert item(program, "half-kneeling-hip-flexor-stretch").level == "holding-the-back-foot"
    assert step_up(program, CATALOG, check=check) == (program, ())


def test_a_stretch_without_levels_grows_by_sets_and_keeps_30_second_holds() -> None:
    new, changes = step_up(LONG_PROGRAM, CATALOG)
    table = item(new, "table-hip-flexor-stretch")
    old = item(LONG_PROGRAM, "table-hip-flexor-stretch")
    assert table.level is None and table.dose.hold_seconds == 30
    assert table.dose.sets == old.dose.sets + 1
    assert any(c.startswith("Table hip-flexor stretch") and "30 seconds" in c for c in changes)


def test_a_step_up_to_a_level_changes_its_name_dose_steps_cues_and_figure() -> None:
    program = PROGRAM
    while item(program, "glute-bridge").level is None:
        program, changes = step_up(program, CATALOG)
    bridge = item(program, "glute-bridge")
    level = CATALOG.exercise("glute-bridge").level("marching-bridge")
    assert level is not None and bridge.level == "marching-bridge"
    assert bridge.name == "Marching bridge" and bridge.progression_level == 1
    assert (bridge.dose.sets, bridge.dose.reps, bridge.dose.hold_seconds) == (2, 8, None)
    said = next(c for c in changes if c.startswith("Glute bridge:"))
    assert "now marching bridge, 2 sets of 8." in said and level.why in said
    text = item_text(bridge, CATALOG)
    assert text.name == "Marching bridge" and "harder level of the glute bridge" in text.kind
    assert text.steps[2].startswith("Keeping the hips up and level, lift one foot")
    assert text.cues == level.cues
    assert [p.name for p in text.pictures] == ["marching-bridge"]
    steps = [s for s in session_steps(program, CATALOG) if s.item_id == "glute-bridge"]
    assert steps[0].name == "Marching bridge" and steps[0].figure == "marching-bridge"
    assert steps[0].reps == 8 and steps[0].cue in level.cues
    assert steps[0].instructions == text.steps
    assert "Marching bridge" in format_item(1, bridge, CATALOG.exercise("glute-bridge"))


def test_a_level_that_asks_more_of_the_body_waits_for_the_persons_answers() -> None:
    """Without an assessment only a level that asks nothing more than its exercise is offered;
    with one, the person's answers decide (here: cannot stand, so no standing level)."""
    ex = CATALOG.exercise("abdominal-bracing")
    standing = ex.at_level("brace-while-you-move")
    assert standing.needs_standing and not same_demands(standing, ex)
    cannot = Intake.model_validate(
        merge(OFFICE, {"equipment_and_ability": {"can_stand_unaided": False}})
    )
    assert not allowed_for(cannot, assess(cannot, CATALOG).triage)(standing)
    assert allowed_for(LONG_INTAKE, assess(LONG_INTAKE, CATALOG).triage)(standing)


def test_top_dose_holds() -> None:
    program = LONG_PROGRAM
    for _ in range(6):
        program, _ = step_up(program, CATALOG)
    b = Builder(program=program).daily_sessions(range(0, 14))
    _, d = run(b, 14)
    assert d.kind == "hold" and "top dose" in d.message and d.program is None


# --- decide: regress ----------------------------------------------------------------------------


def test_pain_two_points_worse_after_the_last_three_sessions_regresses() -> None:
    b = Builder().daily_sessions(range(0, 10), before=3, after=3)
    b.daily_sessions(range(10, 13), before=3, after=5)
    _, d = run(b, 12)
    assert d.kind == "regress" and d.advise_clinician and "clinician" in d.message
    assert d.program is not None
    check_program(d.program, PROGRAM)
    stretch = item(d.program, "half-kneeling-hip-flexor-stretch")
    old = item(PROGRAM, "half-kneeling-hip-flexor-stretch")
    assert stretch.dose.sets == old.dose.sets - 1
    assert stretch.dose.per_side.right - stretch.dose.per_side.left == 1
    release = item(d.program, RELEASE)
    assert release.dose.minutes == 1  # it starts at its shortest: nothing to take away
    assert (release.dose.per_side.left, release.dose.per_side.right) == (1, 1)
    assert d.program.minutes_per_day < PROGRAM.minutes_per_day


def test_two_flare_ups_in_the_last_three_sessions_averaging_under_two_do_not_regress() -> None:
    b = Builder().daily_sessions(range(0, 10), before=3, after=3)
    b.session(10, before=3, after=6).session(11, before=3, after=3).session(12, before=3, after=5)
    _, d = run(b, 12)
    assert d.kind == "hold" and "1 point higher" in d.message  # last 3 average 5/3: no regress


def test_daily_pain_meaningfully_worse_regresses() -> None:
    b = Builder().daily_sessions(range(0, 5)).daily_pain(range(0, 5), 7)
    _, d = run(b, 4, baseline_pain=5)
    assert d.kind == "regress" and d.advise_clinician and d.program is not None


def test_regress_at_the_floor_keeps_the_program_and_still_advises_a_clinician() -> None:
    program = PROGRAM
    for _ in range(5):
        new, _ = step_back(program, CATALOG)
        check_program(new, program)
        program = new
    assert step_back(program, CATALOG) == (program, ())
    for i in program.items:
        if i.category in ("stretch", "strengthen"):
            ex = CATALOG.exercise(i.id)
            assert i.dose.sets == 1 and i.progression_level == 0
            # at the easiest level that asks nothing more of the body than the exercise
            below = ex.ladder[: ex.ladder.index(i.level)]
            assert all(not same_demands(ex.at_level(lv), ex) for lv in below[-1:])
            assert i.dose.per_side is None or min(i.dose.per_side.left, i.dose.per_side.right) == 1
    b = Builder(program=program).daily_sessions(range(0, 3), before=2, after=5)
    _, d = run(b, 2)
    assert d.kind == "regress" and d.advise_clinician and d.program is None
    assert "lightest" in d.message


def test_a_step_back_gets_a_week_before_daily_pain_steps_it_back_again() -> None:
    lighter, _ = step_back(PROGRAM)
    b = Builder().daily_pain(range(0, 20), 8).version(14, lighter)
    _, d = run(b, 17, baseline_pain=5)
    assert d.kind == "hold" and d.rule == "regress" and d.advise_clinician
    _, d = run(b, 21, baseline_pain=5)
    assert d.kind == "regress"


def test_regress_levels_go_back_one_step() -> None:
    up, _ = step_up(step_up(PROGRAM, CATALOG)[0], CATALOG)
    assert item(up, "dead-bug").level == "longer-hold"
    down, changes = step_back(up, CATALOG)
    bug = item(down, "dead-bug")
    assert bug.level is None and bug.name == "Dead bug" and bug.dose.sets == 1
    assert bug.dose.hold_seconds == CATALOG.exercise("dead-bug").dose.hold_seconds
    assert any(c.startswith("Dead bug with a longer hold: back to dead bug") for c in changes)
    # a step back from the exercise itself goes to its first easier level
    easier, changes = step_back(PROGRAM, CATALOG)
    assert item(easier, "dead-bug").level == "toe-taps"
    assert item(easier, "dead-bug").name == "Toe taps"
    assert any("now toe taps" in c for c in changes)


# --- decide: the hypothesis ---------------------------------------------------------------------


def six_weeks(day: int, *, every: int = 1, pain: int = 5) -> Builder:
    b = Builder().daily_sessions(range(0, day, every), before=pain, after=pain)
    return b.daily_pain(range(0, day + 1), pain).retest(14, 2, 14).retest(28, 2, 13)


def test_42_days_without_meaningful_change_says_the_hypothesis_is_not_supported() -> None:
    s, d = run(six_weeks(42), 42)
    assert s.days_on_program == 42 and (s.adherence_28.fraction or 0) >= 0.5
    assert d.kind == "hypothesis_not_supported" and d.advise_clinician and d.program is None
    assert "probably not the key" in d.message
    assert "Keep up general exercise and walking" in d.message
    assert "see a physiotherapist" in d.message
    assert "stop" not in d.message.lower()  # never "stop the program" or "stop exercising"
    assert {"ostelo-2008", "stratford-1995", "peeler-2007", "walking-lbp"} <= set(d.sources)


def test_41_days_without_change_holds_until_six_weeks() -> None:
    _, d = run(six_weeks(41), 41)
    assert d.kind == "hold" and d.rule == "six-week-wait" and "six weeks" in d.message
    assert d.program is None


def test_28_days_without_change_already_waits_27_does_not() -> None:
    _, d = run(six_weeks(28), 28)
    assert d.rule == "six-week-wait"
    _, d = run(six_weeks(27), 27)
    assert d.rule != "six-week-wait"


def test_42_days_with_low_adherence_is_not_a_fair_trial() -> None:
    _, d = run(six_weeks(42, every=3), 42)
    assert d.kind == "hold" and d.rule == "fair-trial" and "fair trial" in d.message


@pytest.mark.parametrize("which", ["pain", "function", "retest"])
def test_any_meaningful_improvement_keeps_the_hypothesis_alive(which: str) -> None:
    b = Builder().daily_sessions(range(0, 42), before=4, after=4)
    b.daily_pain(range(0, 43), 3 if which == "pain" else 5)
    b.function(0, 3, 3, 3).function(40, *((6, 6, 6) if which == "function" else (3, 4, 3)))
    b.retest(40, 2, 2 if which == "retest" else 13)
    _, d = run(b, 42)
    assert d.kind == "progress"


def test_retest_due_accompanies_the_decision() -> None:
    _, d = run(progressing(), 14)
    assert d.kind == "progress" and d.retest_due and "re-test is also due" in d.message


# --- decide: a warning sign after the program holds it back ------------------------------------

SADDLE = {"red_flags": {"saddle_numbness": True}}


@pytest.mark.parametrize(
    ("flags", "level"),
    [({"saddle_numbness": True}, "emergency"), ({"significant_trauma": True}, "urgent")],
)
def test_a_warning_sign_after_the_program_holds_it_back_instead_of_stepping_up(
    flags: dict[str, bool], level: str
) -> None:
    b = progressing().assessment(13, red_flags=flags)
    assert b.assessments[-1].result.triage.level == level
    _, d = run(b, 14)
    assert d.kind == "hold" and d.rule == "held-back" and d.program is None
    assert d.message.startswith("Held back: see the doctor first.")
    assert level in d.message and d.advise_clinician and not d.changes
    reason_keys = {k for r in b.assessments[-1].result.triage.reasons for k in r.sources}
    assert reason_keys <= set(d.sources)
    assert "re-test" not in d.message  # nothing else to do until a doctor has looked


def test_without_the_warning_sign_the_same_history_steps_up() -> None:
    _, d = run(progressing().assessment(13), 14)  # a new assessment, no red flag
    assert d.kind == "progress" and d.program is not None


def test_held_back_comes_before_a_step_back_and_the_six_week_verdict() -> None:
    flare = Builder().daily_sessions(range(0, 10), before=3, after=3)
    flare.daily_sessions(range(10, 13), before=3, after=5)
    assert run(flare, 12)[1].kind == "regress"
    _, d = run(flare.assessment(12, hour=10, **SADDLE), 12)
    assert d.rule == "held-back" and d.program is None
    _, d = run(six_weeks(42).assessment(41, **SADDLE), 42)
    assert d.rule == "held-back" and d.kind == "hold"


def test_only_the_latest_assessment_up_to_now_counts() -> None:
    later = progressing().assessment(15, **SADDLE)  # recorded after the moment decided for
    assert run(later, 14)[1].kind == "progress"
    cleared = progressing().assessment(10, **SADDLE).assessment(12)  # seen, answered again
    assert run(cleared, 14)[1].kind == "progress"
    again = progressing().assessment(10).assessment(12, **SADDLE)
    assert run(again, 14)[1].rule == "held-back"


def test_releases_start_at_a_minute_a_side_and_grow_only_to_the_catalog_dose() -> None:
    program = LONG_PROGRAM
    assert item(program, RELEASE).dose.per_side == PerSide(left=1, right=1)
    seen = []
    for _ in range(6):
        program, _ = step_up(program, CATALOG)
        seen.append(item(program, RELEASE).dose.per_side)
    full = CATALOG.exercise(RELEASE).dose.minutes
    assert seen[:2] == [PerSide(left=1.5, right=1.5), PerSide(left=2, right=2)]
    assert full == 2 and all(s == PerSide(left=2, right=2) for s in seen[2:])


def test_rule_list_names_the_held_back_and_release_rules() -> None:
    names = [name for name, _, _ in PROGRESSION_RULES]
    assert names[0] == "held-back"
    assert "release-grows-slowly" in names and "releases-not-progressed" not in names
    verdict = dict((n, t) for n, t, _ in PROGRESSION_RULES)["hypothesis-not-supported"]
    assert "never tells anyone to stop exercising" in verdict


# --- sources ------------------------------------------------------------------------------------


def test_rules_and_readings_cite_the_bibliography() -> None:
    for name, text, sources in PROGRESSION_RULES:
        assert name and len(text) > 20 and sources
        for key in sources:
            assert CATALOG.has_reference(key), (name, key)
    histories = [
        (Builder().history(), 0),
        (six_weeks(42).function(0, 3, 3, 3).function(30, 7, 3, 3).history(), 42),
        (progressing().history(), 14),
    ]
    for history, day in histories:
        s = summarize(history=history, baseline_pain=6, baseline_thomas=(2, 14), now=at(day, 20))
        d = decide(history=history, summary=s, catalog=CATALOG, now=at(day, 20))
        for r in (*s.readings, d):
            assert r.message and r.sources
            assert all(CATALOG.has_reference(k) for k in r.sources), r


# --- property -----------------------------------------------------------------------------------

day_events = st.tuples(
    st.integers(0, 2),  # sessions that day
    st.one_of(st.none(), st.integers(0, 10)),  # before
    st.one_of(st.none(), st.integers(0, 10)),  # after
    st.one_of(st.none(), st.integers(0, 10)),  # daily rating
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    days=st.lists(day_events, min_size=0, max_size=70),
    baseline=st.one_of(st.none(), st.integers(0, 10)),
    long=st.booleans(),
)
def test_decide_never_raises_never_exceeds_sets_max_and_regress_advises(
    days: list[tuple[int, int | None, int | None, int | None]], baseline: int | None, long: bool
) -> None:
    """Simulate weeks of random use, applying every decision's program as a new version."""
    b = Builder(program=LONG_PROGRAM if long else PROGRAM)
    for day, (count, before, after, daily) in enumerate(days):
        for n in range(count):
            b.session(day, before=before, after=after, hour=9 + 3 * n)
        if daily is not None:
            b.daily_pain(range(day, day + 1), daily)
        if day % 7 == 6:
            now = at(day, 21)
            history = b.history()
            s = summarize(history=history, baseline_pain=baseline, baseline_thomas=(2, 14), now=now)
            d = decide(history=history, summary=s, catalog=CATALOG, now=now)
            assert d.sources and d.message
            if d.kind == "regress":
                assert d.advise_clinician
            if d.kind in ("hold", "hypothesis_not_supported"):
                assert d.program is None
            if d.program is not None:
                check_program(d.program, b.versions[-1].program)
                b.version(day, d.program, hour=21)


def test_rising_pain_since_the_assessment_asks_for_the_warning_signs_before_any_change() -> None:
    start = OFFICE["pain"]["intensity_now"]
    b = progressing().assessment(10)
    assert run(b, 14)[1].kind == "progress"
    b.pain.append(PainRating(at=at(13, 21), score=start + 2))
    _, d = run(b, 14)
    assert (d.kind, d.rule, d.program) == ("hold", "recheck-first", None)
    assert f"from {start} to {start + 2}" in d.message
    assert decision_title(d) == "Next: answer the warning-sign questions again first"
    # a new assessment (the re-check) answers it
    assert run(b.assessment(13, hour=22), 14)[1].rule != "recheck-first"


def test_every_decision_has_one_title_and_the_verdict_never_says_stop() -> None:
    for kind, title in DECISION_TITLES.items():
        assert title.startswith("Next: ") and "stop" not in title.lower(), kind


def test_every_decision_names_a_registered_rule() -> None:
    """Each ``rule=`` a decision can carry is one of PROGRESSION_RULES (the registry
    docs/clinical-rules.md is generated from)."""
    import ast
    import inspect

    from psoas.domain import progression

    names = {name for name, _, _ in PROGRESSION_RULES}
    tree = ast.parse(inspect.getsource(progression))
    given = {
        kw.value.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        for kw in node.keywords
        if kw.arg == "rule" and isinstance(kw.value, ast.Constant)
    }
    assert given and given <= names, given - names
