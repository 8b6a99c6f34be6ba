"""A program turned into session steps, and the break coach's timing rules."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from psoas.catalog import load_catalog
from psoas.domain import breaks
from psoas.domain.assess import assess
from psoas.domain.intake import Intake
from psoas.domain.session_plan import session_steps
from psoas.domain.tracking import BreakEvent
from tests.conftest import EXAMPLES, load_json

CATALOG = load_catalog()
# With time to spare: at 20 minutes a day the unproven release is dropped first (issue 9).
_OFFICE = load_json(EXAMPLES / "office-worker.json")
_OFFICE["preferences"]["minutes_per_day"] = 60
PROGRAM = assess(Intake.model_validate(_OFFICE), CATALOG).program
assert PROGRAM is not None


def test_steps_follow_the_program_side_by_side_with_the_tighter_side_getting_more() -> None:
    steps = session_steps(PROGRAM, CATALOG)
    items = [s.item_id for s in steps]
    assert items[0] == "massage-gun-psoas-release"
    assert not {"movement-break", "sit-back-in-chair"} & set(items)
    stretch = [s for s in steps if s.item_id == "half-kneeling-hip-flexor-stretch"]
    left = [s for s in stretch if s.side == "left"]
    right = [s for s in stretch if s.side == "right"]
    assert len(right) == len(left) + 1  # right is tighter in this example
    assert [s.side for s in stretch] == ["left"] * len(left) + ["right"] * len(right)
    assert all(s.kind == "hold" and s.work_seconds == 30 for s in stretch)
    release = [s for s in steps if s.category == "release"]
    assert [s.kind for s in release] == ["timed", "timed"]
    # Releases start at about a minute a side, the tighter side included (issue 9).
    assert release[1].work_seconds == release[0].work_seconds == 60
    assert release[0].breathing
    # The instructions say this program's sets, not the catalog's default.
    first = next(s for s in stretch if s.first_of_item)
    assert any("3 sets on your left side and 4 on your right" in t for t in first.instructions)


def test_every_step_has_a_unique_key_and_counts_its_sets() -> None:
    steps = session_steps(PROGRAM, CATALOG)
    keys = [s.key_part for s in steps]
    assert len(keys) == len(set(keys))
    for s in steps:
        assert 1 <= s.set_number <= s.sets_on_this_side
        assert s.announcement().startswith(s.name)


ZONE = ZoneInfo("Europe/London")
HOURS = breaks.WorkingHours(start=time(9), end=time(17, 30))
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=ZONE).astimezone(UTC)


def event(minutes: int, kind: str, snooze: int | None = None) -> BreakEvent:
    return BreakEvent(
        at=MONDAY_10 + timedelta(minutes=minutes),
        kind=kind,
        snooze_minutes=snooze,  # type: ignore[arg-type]
    )


def due(events: list[BreakEvent], started: int = 0) -> datetime:
    return breaks.next_due(
        events,
        interval_minutes=30,
        started_at=MONDAY_10 + timedelta(minutes=started),
        hours=HOURS,
        zone=ZONE,
    )


def test_first_break_comes_one_interval_after_starting() -> None:
    assert due([]) == MONDAY_10 + timedelta(minutes=30)


def test_taken_or_skipped_restarts_the_clock_and_snooze_pushes_it_back() -> None:
    assert due([event(30, "prompted"), event(31, "taken")]) == MONDAY_10 + timedelta(minutes=61)
    assert due([event(30, "prompted"), event(30, "skipped")]) == MONDAY_10 + timedelta(minutes=60)
    assert due([event(30, "prompted"), event(30, "snoozed", 10)]) == MONDAY_10 + timedelta(
        minutes=40
    )


def test_restart_keeps_counting_from_the_stored_events() -> None:
    events = [event(30, "prompted"), event(31, "taken")]
    assert due(events, started=0) == due(events, started=0)  # same events, same answer
    assert due(events) == MONDAY_10 + timedelta(minutes=61)


def test_outside_working_hours_the_break_waits_for_the_next_working_period() -> None:
    friday_17 = datetime(2026, 11, 27, 17, 10, tzinfo=ZONE).astimezone(UTC)
    got = breaks.next_due([], interval_minutes=30, started_at=friday_17, hours=HOURS, zone=ZONE)
    assert got.astimezone(ZONE) == datetime(2026, 11, 30, 9, 30, tzinfo=ZONE)  # Monday


def test_movements_rotate() -> None:
    allowed = ["a", "b", "c"]
    assert breaks.pick_movement(allowed, []) == "a"
    last = BreakEvent(at=MONDAY_10, kind="prompted", movement_id="b")
    assert breaks.pick_movement(allowed, [last]) == "c"
    assert breaks.pick_movement([], [last]) is None


def test_break_stats_count_each_answer() -> None:
    s = breaks.stats([event(0, "prompted"), event(1, "taken"), event(2, "skipped")])
    assert (s.prompted, s.taken, s.skipped, s.taken_share) == (1, 1, 1, 0.5)


# --- the player's plan: position, tempo, sides in turn ------------------------------------------


def test_getting_ready_follows_the_change_of_position() -> None:
    from psoas.domain import session_plan as sp

    ready = sp.get_ready_seconds
    # from standing down to the floor takes longest; the next set in place the least
    assert ready("standing", "kneeling") == ready("seated", "floor") == sp.READY_GET_DOWN
    assert ready("floor", "standing") == sp.READY_GET_UP
    assert ready("standing", "seated") == ready("floor", "kneeling") == sp.READY_NEW_POSITION
    assert ready("floor", "table") == sp.READY_GET_DOWN  # getting onto a table is a transfer
    assert ready("bed", "bed") == ready("any", "floor") == sp.GET_READY_SECONDS
    assert ready("bed", "bed", same_item=True, same_side=True) == sp.READY_NEXT_SET
    assert ready("bed", "bed", same_item=True, same_side=False) == sp.GET_READY_SECONDS
    # the first set: the person starts standing, phone in hand
    assert ready(None, "standing") == sp.READY_FIRST
    assert ready(None, "floor") == sp.READY_GET_DOWN
    assert (
        sp.READY_GET_DOWN
        > sp.READY_GET_UP
        > sp.READY_NEW_POSITION
        > sp.GET_READY_SECONDS
        > sp.READY_NEXT_SET
    )


def test_the_session_plan_gives_each_step_the_get_ready_of_its_change() -> None:
    steps = session_steps(PROGRAM, CATALOG)
    stretch = [s for s in steps if s.item_id == "half-kneeling-hip-flexor-stretch"]
    assert stretch[0].position == "kneeling"
    assert [s.get_ready_seconds for s in stretch[:3]] == [10, 3, 3]  # down from the release
    other_side = next(s for s in stretch if s.side == "right")
    assert other_side.get_ready_seconds == 5
    first = steps[0]
    assert first.get_ready_seconds == 15  # the release is lying down: from standing to a bed


def test_sides_taken_in_turn_rep_by_rep_make_one_step_that_completes_both_sets() -> None:
    steps = session_steps(PROGRAM, CATALOG)
    dead_bug = [s for s in steps if s.item_id == "dead-bug"]
    assert CATALOG.exercise("dead-bug").alternate == "each_rep"
    assert [s.set_number for s in dead_bug] == [1, 2]
    one = dead_bug[0]
    assert one.side is None and one.covers == ("left", "right")
    assert one.rep_sides[:4] == ("left", "right", "left", "right")
    assert one.rep_count == 2 * (one.reps or 0)
    assert one.keys == (("dead-bug", "left", 1), ("dead-bug", "right", 1))
    logs = one.logs(session_id=7, completed_at=datetime(2026, 11, 23, tzinfo=UTC), prefix="s7:")
    assert [(log.side, log.set_number, log.key) for log in logs] == [
        ("left", 1, "s7:dead-bug:left:1"),
        ("right", 1, "s7:dead-bug:right:1"),
    ]
    assert "sides in turn" in one.announcement()
    # every planned set is completed by exactly one step, and the shares still add up to 1
    from psoas.domain.adherence import planned_sets

    assert sorted(k for s in steps for k in s.keys) == sorted(p.key for p in planned_sets(PROGRAM))
    assert sum(s.share for s in steps) == pytest.approx(1)


def test_sides_taken_in_turn_set_by_set() -> None:
    from psoas.domain.adherence import PlannedSet
    from psoas.domain.session_plan import _in_turn

    def planned(side: str | None, n: int) -> PlannedSet:
        return PlannedSet("x", "X", "strengthen", side, n, 2, "reps", 10, 5, None, 30)  # type: ignore[arg-type]

    sets = [planned("left", 1), planned("left", 2), planned("right", 1), planned("right", 2)]
    by_set = CATALOG.exercise("mcgill-curl-up")  # each_set
    assert [[(p.side, p.set_number) for p in g] for g in _in_turn(by_set, sets)] == [
        [("left", 1)],
        [("right", 1)],
        [("left", 2)],
        [("right", 2)],
    ]
    together = CATALOG.exercise("glute-bridge")  # no alternation: each side's sets together
    assert [g[0].side for g in _in_turn(together, sets)] == ["left", "left", "right", "right"]


def test_repetitions_are_paced_lift_hold_lower() -> None:
    steps = session_steps(PROGRAM, CATALOG)
    bridge = next(s for s in steps if s.item_id == "glute-bridge")
    tempo = bridge.tempo
    assert tempo is not None and tempo.hold_seconds == bridge.hold_seconds == 3
    assert (tempo.lift_word, tempo.hold_word, tempo.lower_word) == ("Lift", "Hold", "Lower")
    cycle = tempo.rep_seconds + tempo.between_seconds
    n = bridge.rep_count
    assert bridge.run_seconds == n * tempo.rep_seconds + (n - 1) * tempo.between_seconds
    at = bridge.rep_at
    assert (at(0).rep, at(0).phase, at(0).phase_left) == (1, "lift", 2)  # type: ignore[union-attr]
    assert at(2.5).phase == "hold"  # type: ignore[union-attr]
    assert at(5.5).phase == "lower"  # type: ignore[union-attr]
    assert at(tempo.rep_seconds + 0.5).phase == "between"  # type: ignore[union-attr]
    assert at(cycle).rep == 2  # type: ignore[union-attr]
    assert at(bridge.run_seconds + 60).rep == n  # type: ignore[union-attr]
    marching = next(s for s in steps if s.item_id == "supine-marching")
    assert marching.tempo is not None and marching.tempo.hold_seconds == 0
    assert [marching.rep_at(i * 5).phase for i in range(2)] == ["lift", "lift"]  # type: ignore[union-attr]
    assert [marching.rep_at(i * 5).side for i in range(3)] == ["left", "right", "left"]  # type: ignore[union-attr]
    # a single hold and a timed release are not paced rep by rep
    assert all(s.tempo is None for s in steps if s.category in ("release", "stretch"))
    bracing = CATALOG.exercise("isometric-hip-flexion").tempo
    assert (bracing.lift_word, bracing.between_seconds) == ("Push", 5)


def test_the_preview_says_each_item_its_sets_and_time() -> None:
    from psoas.domain.session_plan import preview

    steps = session_steps(PROGRAM, CATALOG)
    items = preview(steps)
    assert [p.item_id for p in items] == list(dict.fromkeys(s.item_id for s in steps))
    by_id = {p.item_id: p for p in items}
    # the tighter side gets more sets, and the preview says so
    assert by_id["half-kneeling-hip-flexor-stretch"].amount == "3 sets left, 4 right, 30 s hold"
    assert by_id["dead-bug"].amount == "2 sets of 8 each side in turn, 2 s hold"
    assert by_id["glute-bridge"].amount == "2 sets of 10, 3 s hold"
    assert sum(p.seconds for p in items) == sum(
        s.get_ready_seconds + s.run_seconds + s.rest_seconds for s in steps
    )
    assert all(p.minutes_text.endswith("min") for p in items)
