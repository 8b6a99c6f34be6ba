"""A program turned into session steps, and the break coach's timing rules."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

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
