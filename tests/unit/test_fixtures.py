"""The history builder's story knobs (psoas.services.fixtures): a pain curve, a session effect
that changes over the weeks, gaps away from the program, the PSFS and the Thomas test on given
lines, and resisted hip flexion back to normal on a given day. (The trend knobs, determinism and
storing are tested with the progress commands in tests/integration/test_progress_exports.py.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from psoas.domain.adherence import adherence, work_by_day
from psoas.domain.progression import session_shares, version_starts
from psoas.domain.tracking import History
from psoas.services import fixtures

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAYS = 42
START = NOW - timedelta(days=DAYS)
OFFICE = fixtures.example_intake()  # Thomas test measured: left 2, right 14 degrees
TAXI = fixtures.example_intake("taxi-driver")  # resisted hip flexion only: right weak


def day_of(at: datetime) -> int:
    """The day of ``at`` counted from the assessment's (day 0)."""
    return (at.date() - START.date()).days


def fraction(at: datetime) -> float:
    return (at - START) / timedelta(days=DAYS)


def test_along_joins_the_points_with_straight_lines() -> None:
    curve = ((0.0, 6.0), (0.5, 2.0), (1.0, 4.0))
    assert [fixtures.along(curve, x) for x in (0.0, 0.25, 0.5, 0.75, 1.0)] == [6, 4, 2, 3, 4]
    assert fixtures.along(curve, -1.0) == 6 and fixtures.along(curve, 2.0) == 4
    assert fixtures.along(((0.3, 5.0),), 0.9) == 5
    assert fixtures.along(((0.0, 1.0), (0.5, 1.0), (0.5, 7.0), (1.0, 7.0)), 0.75) == 7


def test_pain_follows_the_curve_given_whatever_the_trend() -> None:
    curve = ((0.0, 2.0), (0.5, 8.0), (1.0, 8.0))
    history = fixtures.build(OFFICE, now=NOW, days=DAYS, seed=4, pain="improving", pain_curve=curve)
    rated = [p for p in history.pain if p.context in ("daily", "before_session")]
    assert len(rated) > 60
    # Each rating is the curve's value with up to 0.7 of noise, rounded.
    assert all(abs(p.score - fixtures.along(curve, fraction(p.at))) <= 1.2 for p in rated)
    first = [p.score for p in rated if day_of(p.at) < 4]
    last = [p.score for p in rated if day_of(p.at) > DAYS - 7]
    assert max(first) <= 4 and min(last) >= 7
    assert history != fixtures.build(OFFICE, now=NOW, days=DAYS, seed=4)


def test_the_session_effect_can_change_over_the_weeks() -> None:
    effect = ((0.0, -2.0), (0.4, -2.0), (0.6, 2.0), (1.0, 2.0))
    history = fixtures.build(
        OFFICE,
        now=NOW,
        days=DAYS,
        seed=5,
        adherence=1.0,
        pain_curve=((0.0, 5.0), (1.0, 5.0)),  # room both ways: never clamped at 0 or 10
        session_effect=effect,
    )
    by_session: dict[int | None, dict[str, int]] = {}
    for p in history.pain:
        by_session.setdefault(p.session_id, {})[p.context] = p.score
    changes = {
        s.id: by_session[s.id]["after_session"] - by_session[s.id]["before_session"]
        for s in history.sessions
    }
    assert len(changes) == len(history.sessions) > 60
    for s in history.sessions:
        assert changes[s.id] == round(fixtures.along(effect, fraction(s.started_at))), s
    early = {changes[s.id] for s in history.sessions if fraction(s.started_at) < 0.4}
    late = {changes[s.id] for s in history.sessions if fraction(s.started_at) > 0.6}
    assert early == {-2} and late == {2}


def test_a_gap_has_no_session_measure_or_break_and_fewer_ratings() -> None:
    kwargs = {"now": NOW, "days": DAYS, "seed": 6, "adherence": 1.0, "quit_rate": 0.0}
    gap = range(12, 19)  # days 12 to 18, both included; day 14 would be a measure day
    history = fixtures.build(OFFICE, **kwargs, breaks_per_workday=3, gaps=((12, 18),))
    session_days = {day_of(s.started_at) for s in history.sessions}
    assert not session_days & set(gap)
    assert {11, 19} <= session_days  # the program goes on either side
    assert not {day_of(b.at) for b in history.breaks} & set(gap)
    assert {day_of(b.at) for b in history.breaks} & {11, 19}
    assert [day_of(e.at) for e in history.psfs] == [0, 28, 42]
    assert [day_of(r.at) for r in history.retests] == [28, 42]
    daily_in_gap = [p for p in history.pain if p.context == "daily" and day_of(p.at) in gap]
    assert len(daily_in_gap) < len(gap)

    # Days away are simply missing: the seed makes the same choices on either side of a gap
    # (the sessions before it are those of the same history without it).
    whole = fixtures.build(OFFICE, **kwargs, breaks_per_workday=3)
    assert [s.started_at for s in whole.sessions if day_of(s.started_at) < 12] == [
        s.started_at for s in history.sessions if day_of(s.started_at) < 12
    ]
    assert len(whole.sessions) > len(history.sessions)
    assert [day_of(e.at) for e in whole.psfs] == [0, 14, 28, 42]


def test_after_stopping_there_is_no_measure_either() -> None:
    stopped = fixtures.build(OFFICE, now=NOW, days=DAYS, seed=1, stopped_days_ago=10)
    assert max(day_of(s.started_at) for s in stopped.sessions) <= DAYS - 10
    assert [day_of(e.at) for e in stopped.psfs] == [0, 14, 28]
    assert [day_of(r.at) for r in stopped.retests] == [14, 28]


def test_the_psfs_follows_the_activities_and_scores_given() -> None:
    lines = (("Lifting the baby", 2, 8), ("Driving to work", 6, 3), ("Gardening", 5, 5))
    history = fixtures.build(OFFICE, now=NOW, days=DAYS, seed=7, pain="worsening", psfs=lines)
    assert [day_of(e.at) for e in history.psfs] == [0, 14, 28, 42]
    for entry in history.psfs:
        assert [a.activity for a in entry.activities] == [name for name, _, _ in lines]
    scores = [[a.score for a in e.activities] for e in history.psfs]
    assert scores == [[2, 6, 5], [4, 5, 5], [6, 4, 5], [8, 3, 5]]  # straight lines, rounded
    # Without the knob: the default activities, moving with the trend.
    default = fixtures.build(OFFICE, now=NOW, days=DAYS, seed=7, pain="worsening")
    assert [a.activity for a in default.psfs[0].activities] == list(fixtures.ACTIVITIES)
    assert default.psfs[-1].mean < default.psfs[0].mean


def test_the_thomas_test_follows_the_lines_given_whatever_the_trend() -> None:
    history = fixtures.build(
        OFFICE, now=NOW, days=DAYS, seed=8, pain="worsening", thomas=((10, 0), (20, 2))
    )
    assert [day_of(r.at) for r in history.retests] == [14, 28, 42]
    for r in history.retests:
        x = fraction(r.at)
        assert r.thomas_left_hip_deg is not None and r.thomas_right_hip_deg is not None
        assert abs(r.thomas_left_hip_deg - (10 - 10 * x)) <= 1.5, r
        assert abs(r.thomas_right_hip_deg - (20 - 18 * x)) <= 1.5, r
    # Without the knob the worsening trend takes the intake's angles (2 and 14) up.
    default = fixtures.build(OFFICE, now=NOW, days=DAYS, seed=8, pain="worsening")
    last = default.retests[-1]
    assert last.thomas_left_hip_deg is not None and last.thomas_left_hip_deg >= 2 + 3
    assert last.thomas_right_hip_deg is not None and last.thomas_right_hip_deg >= 14 + 3


def test_resisted_hip_flexion_is_normal_from_the_day_given() -> None:
    history = fixtures.build(TAXI, now=NOW, days=56, seed=9, pain="flat", resisted_normal_on=35)
    start = NOW - timedelta(days=56)
    retests = [((r.at - start).days, r.resisted_left, r.resisted_right) for r in history.retests]
    assert retests == [
        (14, "normal", "weak"),
        (28, "normal", "weak"),
        (42, "normal", "normal"),
        (56, "normal", "normal"),
    ]
    # The taxi driver's intake measured resisted hip flexion and no Thomas test: the re-tests
    # repeat what was measured and invent no hip angle.
    assert {(r.thomas_left_hip_deg, r.thomas_right_hip_deg) for r in history.retests} == {
        (None, None)
    }
    # Without the knob a flat trend leaves the weak side weak.
    flat = fixtures.build(TAXI, now=NOW, days=56, seed=9, pain="flat")
    assert {r.resisted_right for r in flat.retests} == {"weak"}


@pytest.mark.parametrize("seed", [1, 2])
def test_a_story_is_deterministic(seed: int) -> None:
    def story() -> History:
        return fixtures.build(
            OFFICE,
            now=NOW,
            days=DAYS,
            seed=seed,
            pain_curve=((0.0, 6.0), (1.0, 2.0)),
            session_effect=((0.0, 0.0), (1.0, -2.0)),
            gaps=((20, 23),),
            psfs=(("Sitting", 3, 7), ("Walking", 4, 8), ("Sleeping", 5, 9)),
            thomas=((4, 0), (12, 2)),
            step_up_on=(21,),
            breaks_per_workday=4,
        )

    assert story() == story()


@settings(max_examples=40, deadline=None)
@given(minute=st.integers(0, 24 * 60 - 1), day=st.integers(0, 365))
def test_a_whole_history_misses_only_what_today_has_not_reached_whatever_the_hour(
    minute: int, day: int
) -> None:
    """Adherence counts today whole, so tests that build a history at the real time of day
    (the progress and browser journeys) see a figure that moves with the hour: with every
    session done and none stopped halfway, only today's sessions not yet reached (and one in
    progress) are missing, never more (a 5% halfway rate once took 0.9 below at 07:40)."""
    now = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=day, minutes=minute)
    history = fixtures.build(OFFICE, now=now, days=21, adherence=1.0, quit_rate=0.0)
    per_day = history.programs[-1].program.sessions_per_day
    shares = session_shares(history)
    found = adherence(
        version_starts(history, now), work_by_day(history.sessions, shares, now), now, 28
    )
    assert found.expected == 22 * per_day  # 21 days ago to today, both whole
    assert found.expected - per_day - 1 <= found.completed <= found.expected
