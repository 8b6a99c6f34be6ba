"""The sitting-break coach's rules: when the next break is due and which movement to suggest.

Everything is worked out from the stored break events, so a restart never loses count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo

from psoas.domain.tracking import BreakEvent

SOURCES = ("psoas-paradox", "thorp-2014", "waongenngarm-2021")


@dataclass(frozen=True)
class WorkingHours:
    start: time = time(9, 0)
    end: time = time(17, 30)
    weekdays: frozenset[int] = frozenset(range(5))  # Monday = 0

    def contains(self, moment: datetime, zone: tzinfo) -> bool:
        local = moment.astimezone(zone)
        return local.weekday() in self.weekdays and self.start <= local.time() < self.end

    def next_start(self, moment: datetime, zone: tzinfo) -> datetime:
        """The next moment inside working hours: ``moment`` itself, or a later start."""
        local = moment.astimezone(zone)
        for days in range(8):
            day = local.date() + timedelta(days=days)
            if day.weekday() not in self.weekdays:
                continue
            start = datetime.combine(day, self.start, tzinfo=zone)
            end = datetime.combine(day, self.end, tzinfo=zone)
            if local < end:
                return max(start, local).astimezone(moment.tzinfo)
        return moment  # no working day configured: never wait forever


def next_due(
    events: Sequence[BreakEvent],
    *,
    interval_minutes: int,
    started_at: datetime,
    hours: WorkingHours,
    zone: tzinfo,
) -> datetime:
    """When the next break is due.

    The clock restarts at the last answered prompt (taken or skipped) or at ``started_at`` if
    later; a snooze pushes the break back by its minutes. Outside working hours the break waits
    for the next working period, then gives the sitter a full interval.
    """
    interval = timedelta(minutes=interval_minutes)
    anchor = started_at
    due: datetime | None = None
    for event in sorted(events, key=lambda e: e.at):
        if event.kind in ("taken", "skipped") and event.at >= anchor:
            anchor, due = event.at, None
        elif event.kind == "snoozed" and event.at >= anchor:
            due = event.at + timedelta(minutes=event.snooze_minutes or 10)
    candidate = due or anchor + interval
    if not hours.contains(candidate, zone):
        candidate = hours.next_start(candidate, zone) + interval
    return candidate


def pick_movement(allowed: Sequence[str], events: Sequence[BreakEvent]) -> str | None:
    """Rotate through the allowed movements, starting after the one suggested last."""
    if not allowed:
        return None
    last = next((e.movement_id for e in reversed(events) if e.movement_id in allowed), None)
    if last is None:
        return allowed[0]
    return allowed[(list(allowed).index(last) + 1) % len(allowed)]


@dataclass(frozen=True)
class BreakStats:
    prompted: int
    taken: int
    snoozed: int
    skipped: int

    @property
    def taken_share(self) -> float | None:
        answered = self.taken + self.skipped
        return self.taken / answered if answered else None


def stats(events: Sequence[BreakEvent]) -> BreakStats:
    count = {k: 0 for k in ("prompted", "taken", "snoozed", "skipped")}
    for e in events:
        count[e.kind] += 1
    return BreakStats(**count)
