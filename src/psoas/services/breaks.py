"""The sitting-break coach: settings, when the next break is due, what to do, what was done."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo

from psoas.catalog import load_catalog
from psoas.domain import breaks as domain_breaks
from psoas.domain.breaks import WorkingHours, pick_movement
from psoas.domain.catalog import Exercise
from psoas.domain.program import exclusion
from psoas.domain.tracking import BreakEvent, BreakKind, StoredAssessment
from psoas.reports import result_text
from psoas.services import timezones, tracking
from psoas.storage import repo
from psoas.storage.db import Database

#: Movements the coach rotates through, each one or two minutes at the desk.
MOVEMENT_IDS = (
    "movement-break",
    "break-walk",
    "break-sit-to-stand",
    "break-standing-hip-opener",
    "seated-break",
    "pressure-relief-break",
)
#: Only for people who sit in a wheelchair: lifting weight off the seat at each break.
WHEELCHAIR_ONLY = frozenset({"pressure-relief-break"})


@dataclass(frozen=True)
class Plan:
    interval: int
    hours: WorkingHours
    zone: tzinfo
    started_at: datetime
    movements: tuple[Exercise, ...]

    @property
    def seated(self) -> bool:
        """Every break is done sitting: the coach never says "get up"."""
        return result_text.seated_breaks(self.movements)


def _clock(text: str, field: str) -> time:
    try:
        hours, minutes = text.split(":")
        return time(int(hours), int(minutes))
    except ValueError as exc:
        raise ValueError(f"--{field}: {text!r} is not a time like 09:00") from exc


def plan(
    db: Database,
    *,
    profile_name: str,
    interval: int | None,
    start: str,
    end: str,
    weekends: bool,
    now: datetime,
) -> Plan:
    """The coach's settings for this person, with the movements that are safe for them."""
    version = tracking.current_program(db, profile_name=profile_name)
    hours = WorkingHours(
        start=_clock(start, "start"),
        end=_clock(end, "end"),
        weekdays=frozenset(range(7 if weekends else 5)),
    )
    if hours.start >= hours.end:
        raise ValueError("--end: working hours must end after they start")
    profile = tracking.get_profile(db, profile_name)
    assert profile.id is not None
    with db.session() as s:
        latest = repo.latest_assessment(s, profile_id=profile.id)
    movements = safe_movements(latest)
    return Plan(
        interval=interval or version.program.break_interval_minutes,
        hours=hours,
        zone=timezones.machine_zone(),  # the terminal's; the web uses the person's own
        started_at=now,
        movements=tuple(movements),
    )


def safe_movements(latest: StoredAssessment | None) -> tuple[Exercise, ...]:
    """The break movements that are safe for the person whose latest assessment is ``latest``
    (the standing ones when nothing is known yet)."""
    catalog = load_catalog()
    movements: list[Exercise] = []
    for movement_id in MOVEMENT_IDS:
        ex = catalog.exercise(movement_id)
        if latest is None:
            if ex.needs_standing:  # nothing known about this person yet: the standing breaks
                movements.append(ex)
            continue
        wheelchair = latest.intake.equipment_and_ability.uses_wheelchair is True
        if movement_id in WHEELCHAIR_ONLY and not wheelchair:
            continue
        if exclusion(latest.intake, latest.result.triage, ex) is None:
            movements.append(ex)
    return tuple(movements)


def _recent(db: Database, profile_name: str, now: datetime) -> list[BreakEvent]:
    return tracking.breaks_since(db, profile_name=profile_name, since=now - timedelta(days=1))


def next_due(db: Database, *, plan: Plan, profile_name: str, now: datetime) -> datetime:
    events = _recent(db, profile_name, now)
    last_answer = max((e.at for e in events if e.kind in ("taken", "skipped")), default=None)
    # a restart keeps counting from the last answered break, not from the restart
    started = last_answer if last_answer and last_answer > now - timedelta(hours=4) else now
    return domain_breaks.next_due(
        events,
        interval_minutes=plan.interval,
        started_at=min(started, plan.started_at),
        hours=plan.hours,
        zone=plan.zone,
    )


def suggest(db: Database, *, plan: Plan, profile_name: str) -> Exercise | None:
    events = _recent(db, profile_name, plan.started_at)
    chosen = pick_movement([m.id for m in plan.movements], events)
    return next((m for m in plan.movements if m.id == chosen), None)


def record(
    db: Database,
    *,
    profile_name: str,
    kind: BreakKind,
    movement_id: str | None,
    now: datetime,
    snooze_minutes: int | None = None,
) -> None:
    tracking.record_break(
        db,
        profile_name=profile_name,
        event=BreakEvent(at=now, kind=kind, movement_id=movement_id, snooze_minutes=snooze_minutes),
    )


def prompt_text(movement: Exercise | None, interval: int, *, seated: bool = False) -> str:
    """The prompt: how long the person has sat, then the whole movement with its count."""
    if movement is None:
        return f"You have been sitting {interval} minutes. {result_text.break_move(seated)}"
    return f"You have been sitting {interval} minutes. {result_text.break_prompt(movement)}"


class Notifier:
    """A desktop notification where the desktop offers one; silent otherwise, never failing."""

    def __init__(self) -> None:
        self._notifier = None
        if sys.platform.startswith("linux") and not (
            os.environ.get("DBUS_SESSION_BUS_ADDRESS") or os.environ.get("DISPLAY")
        ):
            return  # no desktop session to notify
        logging.getLogger("desktop_notifier").setLevel(logging.CRITICAL)
        with contextlib.suppress(Exception):
            from desktop_notifier import DesktopNotifier

            self._notifier = DesktopNotifier(app_name="psoas")

    def notify(self, title: str, message: str) -> bool:
        if self._notifier is None:
            return False
        try:
            asyncio.run(asyncio.wait_for(self._notifier.send(title=title, message=message), 5))
            return True
        except Exception:
            return False
