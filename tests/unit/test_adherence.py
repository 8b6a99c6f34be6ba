"""What counts as done (psoas.domain.adherence): the share of a session's work, day by day
against the program version in force that day, and the words a session's end says."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from psoas.domain.adherence import (
    PlannedSet,
    VersionStart,
    about_percent,
    adherence,
    days,
    planned_sets,
    session_report,
    session_share,
    sessions_number,
    set_credit,
    work_by_day,
)
from psoas.domain.progression import session_shares, summarize
from psoas.domain.tracking import SessionRecord, SetLog
from tests.unit.test_progression import LONG_PROGRAM, PROGRAM, Builder, at

PLAN = planned_sets(PROGRAM)
WORK = sum(p.work_seconds for p in PLAN)
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def full_log(p: PlannedSet, n: int = 0, session_id: int = 1) -> SetLog:
    """The set as a player logs it when it was done in full."""
    return SetLog(
        session_id=session_id,
        item_id=p.item_id,
        side=p.side,
        set_number=p.set_number,
        hold_seconds=p.hold_seconds if p.kind == "hold" else None,
        reps=p.reps if p.kind == "reps" else None,
        minutes=p.minutes,
        completed_at=T0 + timedelta(minutes=n),
        key=f"key-{session_id}-{n:04d}",
    )


# --- a set and a session --------------------------------------------------------------------------


def test_the_plan_is_the_players_plan_weighted_by_work_time() -> None:
    kinds = {p.kind for p in PLAN}
    assert kinds == {"timed", "hold", "reps"}
    release = [p for p in PLAN if p.kind == "timed"]
    assert [p.work_seconds for p in release] == [60, 60] and release[0].minutes == 1.0
    hold = next(p for p in PLAN if p.kind == "hold" and p.hold_seconds == 30)
    assert hold.work_seconds == 30 * (hold.reps or 1)


def test_a_set_done_in_full_earns_one_and_a_shorter_one_its_share() -> None:
    hold = next(p for p in PLAN if p.kind == "hold" and p.hold_seconds == 30)
    assert set_credit(hold, full_log(hold)) == 1.0
    half = full_log(hold).model_copy(update={"hold_seconds": 15})
    assert set_credit(hold, half) == 0.5
    longer = full_log(hold).model_copy(update={"hold_seconds": 90})
    assert set_credit(hold, longer) == 1.0  # capped: more than planned does not make up others
    reps = next(p for p in PLAN if p.kind == "reps")
    assert set_credit(reps, full_log(reps).model_copy(update={"reps": 0})) == 0.0
    release = next(p for p in PLAN if p.kind == "timed")
    assert set_credit(release, full_log(release).model_copy(update={"minutes": 0.25})) == 0.25
    bare = full_log(hold).model_copy(update={"hold_seconds": None})
    assert set_credit(hold, bare) == 1.0  # logged as done, nothing measured


def test_skipping_15_of_17_sets_is_not_a_whole_session() -> None:
    plan = PLAN[:17]
    logs = [full_log(p, n) for n, p in enumerate(plan[:2])]
    share = session_share(plan, logs, completed=True)
    assert share == pytest.approx(
        sum(p.work_seconds for p in plan[:2]) / sum(p.work_seconds for p in plan)
    )
    assert share < 0.25  # the two done are the two longest: a minute of release a side
    report = session_report(plan, [p.key for p in plan[:2]], stopped=False)
    assert report.title == "Session ended: part done"
    assert report.summary.startswith(
        f"You did 2 of 17 sets, about {about_percent(share)}% of today's session. Skipped: "
    )
    assert "Well done" not in report.title and "complete" not in report.title
    assert report.share == share


def test_the_end_says_what_was_skipped_item_by_item() -> None:
    done = [
        p.key
        for p in PLAN
        if not (
            p.item_id == "dead-bug"
            or (
                p.item_id == "half-kneeling-hip-flexor-stretch"
                and p.side == "left"
                and p.set_number > 1
            )
        )
    ]
    report = session_report(PLAN, done, stopped=False)
    assert report.skipped == (
        "Half-kneeling hip-flexor stretch (left side: sets 2 and 3)",
        "Dead bug (all 4 sets)",
    )
    assert report.summary.endswith(
        "Skipped: Half-kneeling hip-flexor stretch (left side: sets 2 and 3); Dead bug (all 4 "
        "sets)."
    )


def test_a_whole_item_skipped_is_named_once() -> None:
    release = [p for p in PLAN if p.kind == "timed"]
    assert len(release) == 2 and {p.side for p in release} == {"left", "right"}
    done = [p.key for p in PLAN if p.kind != "timed"]
    assert session_report(PLAN, done, stopped=False).skipped == (f"{release[0].name} (both sides)",)
    bridge = [p for p in PLAN if p.item_id == "glute-bridge"]
    done = [p.key for p in PLAN if p != bridge[1]]
    assert session_report(PLAN, done, stopped=False).skipped == (f"{bridge[0].name} (set 2)",)


def test_a_whole_session_says_well_done_and_nothing_done_says_so() -> None:
    whole = session_report(PLAN, [p.key for p in PLAN], stopped=False)
    assert whole.title == "Well done: session complete" and whole.share == 1.0
    assert whole.summary == f"You did all {len(PLAN)} sets."
    none = session_report(PLAN, [], stopped=False)
    assert none.title == "Session ended: nothing done" and none.share == 0.0
    assert none.summary.startswith(f"You did none of the {len(PLAN)} sets of today's session.")
    stopped = session_report(PLAN, [PLAN[0].key], stopped=True)
    assert stopped.title == "Session stopped" and 0 < stopped.share < 1


def test_a_part_never_rounds_to_none_or_to_all() -> None:
    assert about_percent(0.001) == 1 and about_percent(0.999) == 99
    assert about_percent(0.0) == 0 and about_percent(1.0) == 100
    assert sessions_number(0.01, 7) == "0.1" and sessions_number(6.99, 7) == "6.9"
    assert sessions_number(7.0, 7) == "7" and sessions_number(4.46, 7) == "4.5"


logs_strategy = st.lists(
    st.tuples(
        st.integers(0, len(PLAN) - 1),
        st.one_of(st.none(), st.integers(0, 120)),
        st.one_of(st.none(), st.integers(0, 40)),
        st.one_of(st.none(), st.floats(0, 5)),
    ),
    max_size=60,
)


@given(logs_strategy, st.booleans())
def test_a_session_share_is_between_nothing_and_everything(
    raw: list[tuple[int, int | None, int | None, float | None]], completed: bool
) -> None:
    logs = [
        full_log(PLAN[i], n).model_copy(update={"hold_seconds": h, "reps": r, "minutes": m})
        for n, (i, h, r, m) in enumerate(raw)
    ]
    share = session_share(PLAN, logs, completed=completed)
    assert 0.0 <= share <= 1.0
    # adding every set in full makes it whole, whatever was logged before
    assert session_share(PLAN, [*logs, *(full_log(p) for p in PLAN)]) == 1.0


@given(st.sets(st.integers(0, len(PLAN) - 1)))
def test_the_end_of_session_share_is_the_adherence_share(chosen: set[int]) -> None:
    done = [PLAN[i] for i in sorted(chosen)]
    report = session_report(PLAN, [p.key for p in done], stopped=False)
    assert report.share == session_share(PLAN, [full_log(p, n) for n, p in enumerate(done)])
    assert report.complete == (len(done) == len(PLAN))
    assert ("Well done" in report.title) == report.complete


def test_sets_the_plan_does_not_have_count_nothing_and_a_set_twice_counts_once() -> None:
    stray = full_log(PLAN[0]).model_copy(update={"item_id": "not-in-this-plan"})
    assert session_share(PLAN, [stray]) == 0.0
    twice = [full_log(PLAN[0], 0), full_log(PLAN[0], 1)]
    assert session_share(PLAN, twice) == pytest.approx(PLAN[0].work_seconds / WORK)


# --- day by day ----------------------------------------------------------------------------------


def test_a_day_counts_at_most_what_the_version_in_force_that_day_asks_for() -> None:
    versions = [VersionStart(T0, 1), VersionStart(T0 + timedelta(days=2, hours=5), 2)]
    worked = {T0.date(): 1.7, T0.date() + timedelta(days=2): 1.7}
    got = days(versions, worked, T0.date(), T0.date() + timedelta(days=3))
    assert [(d.asked, d.done) for d in got] == [(1, 1.0), (1, 0.0), (2, 1.7), (2, 0.0)]


def test_a_new_version_does_not_reset_the_history() -> None:
    b = Builder().daily_sessions(range(0, 20))
    b.version(20, PROGRAM)  # a clinician's edit on day 20, before that day's session
    b.session(20)
    history = b.history()
    s = summarize(history=history, baseline_pain=5, baseline_thomas=None, now=at(20, 20))
    assert s.program_version == 2
    assert (s.adherence_7.completed, s.adherence_7.expected) == (7, 7)
    assert (s.adherence_28.completed, s.adherence_28.expected) == (21, 21)
    assert s.adherence_7.window_days == 7  # not "0 of 1" since the new version


def test_a_version_asking_for_more_changes_the_days_from_its_day_on() -> None:
    b = Builder().daily_sessions(range(0, 10))
    b.version(10, LONG_PROGRAM)  # two sessions a day from day 10
    for day in range(10, 14):
        b.session(day).session(day, hour=18)
    s = summarize(history=b.history(), baseline_pain=5, baseline_thomas=None, now=at(13, 20))
    assert (s.adherence_7.completed, s.adherence_7.expected) == (3 + 8, 3 + 8)


day_offsets = st.lists(
    st.tuples(st.integers(0, 40), st.integers(0, 23), st.floats(0, 1)), max_size=40
)


@settings(max_examples=60, deadline=None)
@given(
    day_offsets,
    st.lists(st.tuples(st.integers(0, 40), st.integers(1, 3)), min_size=1, max_size=4),
    st.integers(0, 45),
    st.sampled_from([1, 7, 14, 28]),
)
def test_adherence_is_a_share_of_what_was_asked(
    sessions: list[tuple[int, int, float]],
    version_days: list[tuple[int, int]],
    today: int,
    window: int,
) -> None:
    versions = [VersionStart(T0 + timedelta(days=d), n) for d, n in version_days]
    records = [
        SessionRecord(
            id=i + 1,
            program_version=1,
            started_at=T0 + timedelta(days=d, hours=h - 9),
            status="completed",
        )
        for i, (d, h, _) in enumerate(sessions)
    ]
    shares = {i + 1: share for i, (_, _, share) in enumerate(sessions)}
    now = T0 + timedelta(days=today, hours=10)
    a = adherence(versions, work_by_day(records, shares, now), now, window)
    if a.fraction is None:
        assert a.expected == 0 and a.completed == 0
        return
    assert 0.0 <= a.fraction <= 1.0
    assert 0 <= a.completed <= a.expected
    assert 1 <= a.window_days <= window
    # every day fully done is adherence 1; nothing done is 0
    first = min(v.created_at for v in versions if v.created_at <= now)
    span = days(versions, {}, first.date(), now.date())
    everything = {d.day: 10.0 for d in span}
    assert adherence(versions, everything, now, window).fraction == 1.0
    assert adherence(versions, {}, now, window).fraction == 0.0


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 27), st.integers(0, 23))
def test_a_version_change_never_changes_the_days_before_it(change_day: int, hour: int) -> None:
    b = Builder().daily_sessions(range(0, 28, 2))
    s_before = summarize(history=b.history(), baseline_pain=5, baseline_thomas=None, now=at(27, 20))
    b.version(change_day, PROGRAM, hour=hour)
    history = b.history()
    s_after = summarize(history=history, baseline_pain=5, baseline_thomas=None, now=at(27, 20))
    assert s_after.adherence_28 == s_before.adherence_28
    assert s_after.adherence_7 == s_before.adherence_7


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, len(PLAN)), min_size=1, max_size=10))
def test_the_summary_counts_each_session_by_its_logged_sets(done_sets: list[int]) -> None:
    b = Builder()
    for day, n in enumerate(done_sets):
        b.session(day, sets=n)
    history = b.history()
    shares = session_shares(history)
    expected = [session_share(PLAN, [full_log(p) for p in PLAN[:n]]) for n in done_sets]
    assert [shares[s.id or 0] for s in history.sessions] == pytest.approx(expected)
    s = summarize(
        history=history, baseline_pain=5, baseline_thomas=None, now=at(len(done_sets) - 1, 20)
    )
    assert s.adherence_7.completed == pytest.approx(sum(expected[-7:]))
    assert (s.adherence_7.fraction == 1.0) == all(n == len(PLAN) for n in done_sets[-7:])


def test_days_are_utc_calendar_days() -> None:
    late = SessionRecord(
        id=1, program_version=1, started_at=datetime(2026, 3, 2, 23, 30, tzinfo=UTC)
    )
    assert work_by_day([late], {1: 0.5}, T0 + timedelta(days=2)) == {date(2026, 3, 2): 0.5}


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 40), st.integers(0, 23), st.integers(1, 6)), max_size=5),
    st.dictionaries(st.integers(0, 45), st.floats(0, 7, allow_nan=False), max_size=30),
    st.integers(0, 45),
    st.integers(1, 30),
)
def test_adherence_is_the_sum_of_its_days(
    made: list[tuple[int, int, int]], work: dict[int, float], today: int, window: int
) -> None:
    """The fast count the list and the report use equals the day-by-day definition."""
    versions = [VersionStart(T0 + timedelta(days=d, hours=h - 9), n) for d, h, n in made]
    worked = {T0.date() + timedelta(days=d): w for d, w in work.items()}
    now = T0 + timedelta(days=today, hours=5)
    a = adherence(versions, worked, now, window)
    started = [v for v in versions if v.created_at <= now]
    if not started:
        assert (a.window_days, a.expected, a.fraction) == (0, 0, None)
        return
    first = min(v.created_at for v in started).date()
    counted = days(started, worked, max(first, now.date() - timedelta(days=window - 1)), now.date())
    assert a.window_days == len(counted)
    assert a.expected == sum(d.asked for d in counted)
    assert a.completed == pytest.approx(sum(d.done for d in counted), abs=1e-8)
