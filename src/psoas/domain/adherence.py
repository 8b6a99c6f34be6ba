"""How much of the program was done: the one definition every surface counts with.

* **A session's plan** is its program version's sets (:func:`planned_sets`: each item's sets,
  side by side, as the players run them); each set weighs its work time (a hold times its
  repetitions, 3 seconds a repetition, or a release's minutes).
* **A logged set** earns what it did against what was planned: for each measure it records
  (hold seconds, repetitions, minutes) the amount logged over the amount planned, at most 1,
  multiplied together (:func:`set_credit`); a set logged without a measure counts whole. A set
  logged twice counts once (the better), and a set the plan does not have counts nothing.
* **A session counts** by the share of its planned work that was done, 0 to 1
  (:func:`session_share`): the sum of each set's weight times its credit, over the sum of the
  weights. Skipping 15 of 17 sets counts about an eighth of a session, whatever its status.
* **A day** (a UTC calendar day) counts the shares of the sessions started on it, at most the
  sessions a day that the program version in force that day asks for (the latest version made
  on or before that day).
* **Adherence** over a window of N days (the last N calendar days up to today, never before
  the day of the first program) is what the days counted over what they asked for
  (:func:`adherence`). A new version changes what a day asks for from its day on; it never
  restarts the count.

Pure: no clock (callers pass ``now``), no I/O.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from psoas.domain.results import Program, ProgramItem
from psoas.domain.tracking import SessionRecord, SetLog

Side = Literal["left", "right"]
StepKind = Literal["hold", "reps", "timed"]
#: A set within a session: item, side (None: both at once) and set number.
SetKey = tuple[str, Side | None, int]
#: The work time of one repetition of a strengthening exercise.
SECONDS_PER_REP = 3
SOURCES = ("bandy-1997", "hayden-2021")

_DAY = timedelta(days=1)


# --- the plan and what a logged set earns --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlannedSet:
    """One set of one item on one side (or both sides at once), as a session plans it."""

    item_id: str
    name: str
    category: str
    side: Side | None
    set_number: int
    sets_on_this_side: int
    kind: StepKind
    work_seconds: int
    reps: int | None
    hold_seconds: int | None
    rest_seconds: int

    @property
    def key(self) -> SetKey:
        """What a logged set is matched by: item, side and set number."""
        return self.item_id, self.side, self.set_number

    @property
    def minutes(self) -> float | None:
        """The minutes a timed set logs (to the hundredth, as the players store them)."""
        return round(self.work_seconds / 60, 2) if self.kind == "timed" else None


def _sides(item: ProgramItem) -> list[tuple[Side | None, float]]:
    if item.dose.per_side is not None:
        return [("left", item.dose.per_side.left), ("right", item.dose.per_side.right)]
    return [(None, float(item.dose.sets or 1))]


def planned_sets(program: Program) -> tuple[PlannedSet, ...]:
    """The sets of one session of ``program``: releases, stretches and strengthening in the
    program's order, each side's sets together; posture habits and breaks are not timed."""
    out: list[PlannedSet] = []
    for item in program.items:
        if item.category in ("posture", "movement"):
            continue
        dose = item.dose
        timed = dose.minutes is not None and not dose.sets
        for side, amount in _sides(item):
            count = 1 if timed else max(1, int(amount))
            for n in range(1, count + 1):
                if timed:
                    kind: StepKind = "timed"
                    work = round(amount * 60)
                elif dose.hold_seconds:
                    kind = "hold"
                    work = dose.hold_seconds * (dose.reps or 1)
                else:
                    kind = "reps"
                    work = (dose.reps or 1) * SECONDS_PER_REP
                out.append(
                    PlannedSet(
                        item_id=item.id,
                        name=item.name,
                        category=item.category,
                        side=side,
                        set_number=n,
                        sets_on_this_side=count,
                        kind=kind,
                        work_seconds=work,
                        reps=dose.reps,
                        hold_seconds=dose.hold_seconds,
                        rest_seconds=dose.rest_seconds,
                    )
                )
    return tuple(out)


def set_credit(planned: PlannedSet, log: SetLog) -> float:
    """What one logged set did against its plan, 0 to 1: each measure it records over the
    planned amount (at most 1), multiplied; a set logged without a measure counts whole."""
    credit = 1.0
    if log.hold_seconds is not None and planned.hold_seconds:
        credit *= min(1.0, log.hold_seconds / planned.hold_seconds)
    if log.reps is not None and planned.reps:
        credit *= min(1.0, log.reps / planned.reps)
    minutes = planned.minutes
    if log.minutes is not None and minutes:
        credit *= min(1.0, log.minutes / minutes)
    return credit


def session_share(
    plan: Sequence[PlannedSet], logs: Iterable[SetLog], *, completed: bool = False
) -> float:
    """The share of a session's planned work that was done, 0 to 1: each planned set weighs
    its work time and earns its logged set's credit (see the module). A plan with no timed
    work counts 1 when the session was completed, else 0."""
    by_key = {p.key: p for p in plan}
    best: dict[SetKey, float] = {}
    for log in logs:
        planned = by_key.get((log.item_id, log.side, log.set_number))
        if planned is None:
            continue
        credit = set_credit(planned, log)
        if credit > best.get(planned.key, 0.0):
            best[planned.key] = credit
    return _share(plan, best, completed=completed)


def _share(
    plan: Sequence[PlannedSet], credits: Mapping[SetKey, float], *, completed: bool
) -> float:
    total = sum(p.work_seconds for p in plan)
    if total <= 0:
        return 1.0 if completed else 0.0
    done = sum(p.work_seconds * credits.get(p.key, 0.0) for p in plan)
    return min(1.0, done / total)


# --- what the end of a session says --------------------------------------------------------------


def about_percent(share: float) -> int:
    """A share as a whole percentage that never rounds a part to none or to all."""
    pct = math.floor(share * 100 + 0.5)  # half up, as the browser's Math.round
    if 0 < share < 1:
        pct = min(99, max(1, pct))
    return pct


def _numbers(values: Sequence[int]) -> str:
    text = [str(v) for v in values]
    return text[0] if len(text) == 1 else ", ".join(text[:-1]) + " and " + text[-1]


def _undone_text(item: Sequence[PlannedSet], undone: Sequence[PlannedSet]) -> str:
    """One item's sets that were not done: ``Dead bug (all 4 sets)``, ``Release (both
    sides)``, ``Stretch (left side: set 3; right side: all 4 sets)``, ``Bridge (set 2)``; a
    one-set item by its name alone."""
    name = item[0].name
    sides = list(dict.fromkeys(p.side for p in item))
    if len(undone) == len(item):
        if len(item) == 1:
            return name
        if len(sides) == len(item) and None not in sides:
            return f"{name} (both sides)"
        return f"{name} (all {len(item)} sets)"
    parts: list[str] = []
    for side in sides:
        planned = [p for p in item if p.side == side]
        missed = [p.set_number for p in undone if p.side == side]
        if not missed:
            continue
        if len(missed) == len(planned):
            parts.append(
                f"{side} side" + ("" if len(planned) == 1 else f": all {len(planned)} sets")
            )
            continue
        which = ("set " if len(missed) == 1 else "sets ") + _numbers(missed)
        parts.append(f"{side} side: {which}" if side else which)
    return f"{name} ({'; '.join(parts)})"


@dataclass(frozen=True)
class SessionReport:
    """What a session's end says: sets done of planned, the share of the work, what was
    skipped (item by item, in the plan's order)."""

    sets_planned: int
    sets_done: int
    share: float
    skipped: tuple[str, ...]
    stopped: bool

    @property
    def complete(self) -> bool:
        return self.sets_done == self.sets_planned

    @property
    def title(self) -> str:
        if self.complete:
            return "Well done: session complete"
        if self.stopped:
            return "Session stopped"
        if self.sets_done == 0:
            return "Session ended: nothing done"
        return "Session ended: part done"

    @property
    def summary(self) -> str:
        n = self.sets_planned
        sets = "set" if n == 1 else "sets"
        if self.complete:
            text = "You did the whole session." if n <= 1 else f"You did all {n} sets."
        elif self.sets_done == 0:
            text = f"You did none of the {n} {sets} of today's session."
        else:
            text = (
                f"You did {self.sets_done} of {n} {sets}, about {about_percent(self.share)}% "
                "of today's session."
            )
        if self.skipped:
            text += " Skipped: " + "; ".join(self.skipped) + "."
        return text


def session_report(
    plan: Sequence[PlannedSet], done: Iterable[SetKey], *, stopped: bool
) -> SessionReport:
    """The end of a session whose sets ``done`` (by :attr:`PlannedSet.key`) were done in full,
    as the players do them; the share is :func:`session_share`'s."""
    done_keys = set(done)
    plan = list(plan)
    share = _share(plan, dict.fromkeys(done_keys, 1.0), completed=not stopped)
    items: dict[str, list[PlannedSet]] = {}
    for p in plan:
        items.setdefault(p.item_id, []).append(p)
    skipped = tuple(
        _undone_text(sets, undone)
        for sets in items.values()
        if (undone := [p for p in sets if p.key not in done_keys])
    )
    return SessionReport(
        sets_planned=len(plan),
        sets_done=sum(1 for p in plan if p.key in done_keys),
        share=share,
        skipped=skipped,
        stopped=stopped,
    )


# --- day by day ----------------------------------------------------------------------------------


class VersionStart(NamedTuple):
    """When a program version started and the sessions a day it asks for."""

    created_at: datetime
    sessions_per_day: int


class DayWork(NamedTuple):
    day: date
    asked: int = 0
    done: float = 0.0


class Adherence(BaseModel):
    """Sessions' worth of work done against the sessions the program asked for, day by day,
    over a window of days (see :mod:`psoas.domain.adherence`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    window_days: int = Field(ge=0, description="days counted (fewer when the program is new)")
    completed: float = Field(
        ge=0,
        description="sessions' worth of work done: each session counts by the share of its "
        "planned work that was done, at most the day's sessions on one day",
    )
    expected: int = Field(ge=0, description="sessions the program in force each day asked for")
    fraction: float | None = Field(default=None, ge=0, le=1)

    @property
    def sessions_text(self) -> str:
        """``4.5 of 7`` (sessions' worth done of sessions asked for), in one wording."""
        return f"{sessions_number(self.completed, self.expected)} of {self.expected}"

    @property
    def percent_text(self) -> str:
        return "-" if self.fraction is None else f"{about_percent(self.fraction)}%"


def sessions_number(done: float, of: int | None = None) -> str:
    """Sessions' worth of work to a tenth, never rounding a part to none (or to all ``of``)."""
    tenths = math.floor(done * 10 + 0.5)
    if done > 0 and tenths == 0:
        tenths = 1
    if of is not None and done < of and tenths >= of * 10:
        tenths = of * 10 - 1
    text = f"{tenths / 10:.1f}"
    return text[:-2] if text.endswith(".0") else text


def utc_day(at: datetime) -> date:
    return at.astimezone(UTC).date()


def work_by_day(
    sessions: Iterable[SessionRecord], shares: Mapping[int, float], now: datetime
) -> dict[date, float]:
    """The shares of the sessions started up to ``now``, summed by UTC day (not capped)."""
    out: dict[date, float] = {}
    for s in sessions:
        share = shares.get(s.id, 0.0) if s.id is not None else 0.0
        if share > 0 and s.started_at <= now:
            day = utc_day(s.started_at)
            out[day] = out.get(day, 0.0) + share
    return out


def days(
    versions: Sequence[VersionStart], worked: Mapping[date, float], first: date, last: date
) -> list[DayWork]:
    """Each day from ``first`` to ``last``: what the version in force that day asked for, and
    the work done, at most that."""
    ordered = sorted(versions, key=lambda v: v.created_at)
    starts = [(utc_day(v.created_at), v.sessions_per_day) for v in ordered]
    out: list[DayWork] = []
    i, asked = 0, 0
    day = first
    while day <= last:
        while i < len(starts) and starts[i][0] <= day:
            asked = starts[i][1]
            i += 1
        out.append(DayWork(day, asked, min(float(asked), worked.get(day, 0.0))))
        day += _DAY
    return out


def _asked_from(versions: Iterable[VersionStart]) -> list[tuple[date, int]]:
    """From which day each version's sessions a day are asked (a later version made on the
    same day replaces an earlier one for that whole day)."""
    out: list[tuple[date, int]] = []
    for v in sorted(versions, key=lambda v: v.created_at):
        day = utc_day(v.created_at)
        if out and out[-1][0] == day:
            out[-1] = (day, v.sessions_per_day)
        else:
            out.append((day, v.sessions_per_day))
    return out


def adherence(
    versions: Sequence[VersionStart], worked: Mapping[date, float], now: datetime, window: int
) -> Adherence:
    """Adherence over the last ``window`` calendar days up to ``now`` (today counts whole),
    from the first program's day at the earliest; versions made after ``now`` are left out.
    The same count as summing :func:`days` (a property test holds them equal)."""
    return adherences(versions, worked, now, (window,))[0]


def adherences(
    versions: Sequence[VersionStart],
    worked: Mapping[date, float],
    now: datetime,
    windows: Sequence[int],
) -> tuple[Adherence, ...]:
    """:func:`adherence` over each of ``windows`` at once, by version spans and worked days
    rather than day by day: the clinic's list counts a thousand patients."""
    asked = _asked_from(v for v in versions if v.created_at <= now)
    if not asked:
        none = Adherence.model_construct(window_days=0, completed=0.0, expected=0, fraction=None)
        return tuple(none for _ in windows)
    today = utc_day(now)
    first = asked[0][0]
    starts = [max(first, today - (window - 1) * _DAY) for window in windows]
    earliest = min(starts)
    # each worked day in the longest window, at most what its day asked for
    if len(asked) == 1:
        cap = float(asked[0][1])
        counted = [
            (day, cap if work > cap else work)
            for day, work in worked.items()
            if earliest <= day <= today
        ]
    else:
        begins = [since for since, _ in asked]
        counted = [
            (day, min(float(asked[bisect_right(begins, day) - 1][1]), work))
            for day, work in worked.items()
            if earliest <= day <= today
        ]
    out: list[Adherence] = []
    for start in starts:
        expected = 0
        for k, (since, per_day) in enumerate(asked):
            until = asked[k + 1][0] - _DAY if k + 1 < len(asked) else today
            lo, hi = max(since, start), min(until, today)
            if lo <= hi:
                expected += ((hi - lo).days + 1) * per_day
        # rounded: the same work summed in another order (SQL, by day) agrees to the last digit
        done = round(sum([work for day, work in counted if day >= start]), 9)
        # Built without validation: every value is computed here.
        out.append(
            Adherence.model_construct(
                window_days=(today - start).days + 1,
                completed=done,
                expected=expected,
                fraction=min(1.0, done / expected) if expected else None,
            )
        )
    return tuple(out)
