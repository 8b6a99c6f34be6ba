"""A program turned into the ordered steps of one guided session, for every player (terminal,
browser): get ready, work (a hold, a set of repetitions or a timed release), rest.

Repetitions are paced one by one (lift, hold, lower: the catalog's tempo); items whose sides
are taken in turn rep by rep run both sides' sets of one number as one step; the time to get
ready follows the change of position (:func:`get_ready_seconds`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from psoas.domain.adherence import SECONDS_PER_REP, PlannedSet, SetKey, StepKind, planned_sets
from psoas.domain.catalog import Catalog, Exercise, Position
from psoas.domain.program import item_steps
from psoas.domain.results import Program
from psoas.domain.tracking import SetLog

__all__ = [
    "GET_READY_SECONDS",
    "SECONDS_PER_REP",
    "Step",
    "StepKind",
    "Tempo",
    "get_ready_seconds",
    "session_steps",
]

Side = Literal["left", "right"]

#: Seconds to get ready for a set, by what has to change before it (see get_ready_seconds).
READY_NEXT_SET = 3  # the next set of the same item on the same side: nothing to change
GET_READY_SECONDS = 5  # the other side, or another item in the same position
READY_NEW_POSITION = 10  # standing <-> sitting, or from one way of being down to another
READY_GET_UP = 12  # from the floor, a bed or a table up to sitting or standing
READY_GET_DOWN = 15  # from standing or sitting down to the floor, a bed or a table
READY_FIRST = 10  # the first set: time to put the phone down, at the least
#: Where a person starts a session: up, phone in hand.
START_POSITION: Position = "standing"
_UPRIGHT = frozenset({"standing", "seated"})


def get_ready_seconds(
    before: Position | None,
    after: Position,
    *,
    same_item: bool = False,
    same_side: bool = False,
) -> int:
    """Seconds to get ready for a set in ``after`` when the set before was in ``before``
    (None: the session's first set). Getting down to the floor takes longest, the next set of
    the same item on the same side least; "any" position means no change."""
    if before is None:
        return max(READY_FIRST, get_ready_seconds(START_POSITION, after))
    if after == "any" or before == "any" or after == before:
        return READY_NEXT_SET if same_item and same_side else GET_READY_SECONDS
    up_before, up_after = before in _UPRIGHT, after in _UPRIGHT
    if up_before and up_after:
        return READY_NEW_POSITION
    if up_before:
        return READY_GET_DOWN
    if up_after:
        return READY_GET_UP
    # from one way of being down to another; getting onto or off a table is a transfer
    return READY_GET_DOWN if "table" in (before, after) else READY_NEW_POSITION


TempoPhase = Literal["lift", "hold", "lower", "between"]


class RepMoment(BaseModel):
    """One moment of a paced set: the rep (1 first), its side, the phase and its time left."""

    model_config = ConfigDict(frozen=True)

    rep: int
    side: Side | None
    phase: TempoPhase
    phase_left: float


class Tempo(BaseModel):
    """The pace of one repetition: lift, hold, lower, then a pause; the words are said."""

    model_config = ConfigDict(frozen=True)

    lift_seconds: int
    hold_seconds: int
    lower_seconds: int
    between_seconds: int
    lift_word: str
    hold_word: str
    lower_word: str

    @property
    def rep_seconds(self) -> int:
        return self.lift_seconds + self.hold_seconds + self.lower_seconds


class Step(BaseModel):
    """One set of one item on one side (or both sides at once for two-sided items)."""

    model_config = ConfigDict(frozen=True)

    item_id: str
    name: str
    category: str
    side: Side | None
    set_number: int
    sets_on_this_side: int
    kind: StepKind
    work_seconds: int
    share: float = Field(
        default=0.0, ge=0, le=1, description="this set's part of the session's work, 0 to 1"
    )
    reps: int | None
    hold_seconds: int | None
    rest_seconds: int
    get_ready_seconds: int
    first_of_item: bool
    instructions: tuple[str, ...] = ()  # the item's numbered steps, on its first set only
    breathing: str | None
    cue: str | None
    clinician_note: str | None = Field(
        default=None, description="the patient's clinician's own note or cue on the item"
    )
    position: Position = "any"
    figure: str = Field(
        default="main", description="the item's picture at its level (a variant's slug, or main)"
    )
    covers: tuple[Side | None, ...] = Field(
        default=(), description="the sides whose set of this number the step completes"
    )
    rep_sides: tuple[Side, ...] = Field(
        default=(), description="each repetition's side, when the sides are taken in turn"
    )
    swap_sides: bool = Field(
        default=False, description="a two-sided item done with the other side leading this set"
    )
    tempo: Tempo | None = Field(default=None, description="the pace of each repetition")

    @property
    def sides(self) -> tuple[Side | None, ...]:
        """The sides completed by this step: its own, or both when taken in turn."""
        return self.covers or (self.side,)

    @property
    def key(self) -> SetKey:
        """Item, side and set number: what adherence matches a logged set by (the first side's,
        for a step that takes the sides in turn; see :attr:`keys`)."""
        return self.keys[0]

    @property
    def keys(self) -> tuple[SetKey, ...]:
        """The planned sets this step completes (two when the sides are taken in turn)."""
        return tuple((self.item_id, side, self.set_number) for side in self.sides)

    @property
    def key_part(self) -> str:
        """Stable within a session: item, side and set number."""
        side = "alternating" if self.rep_sides else self.side or "both"
        return f"{self.item_id}:{side}:{self.set_number}"

    @property
    def key_parts(self) -> tuple[str, ...]:
        """The planned sets' keys, as :attr:`key_part` spells them."""
        return tuple(f"{self.item_id}:{side or 'both'}:{self.set_number}" for side in self.sides)

    @property
    def rep_count(self) -> int:
        """Repetitions the player counts in this step (both sides' when taken in turn)."""
        return len(self.rep_sides) or self.reps or 1

    @property
    def run_seconds(self) -> int:
        """How long the work takes in the player: the tempo's reps and pauses, else the work."""
        if self.tempo is None:
            return self.work_seconds
        n = self.rep_count
        return n * self.tempo.rep_seconds + (n - 1) * self.tempo.between_seconds

    def rep_at(self, elapsed: float) -> RepMoment | None:
        """Where the tempo is ``elapsed`` seconds into the work: which rep, on which side, in
        which phase and how long that phase still runs; None for work without a tempo. The
        browser player (static/player.js, ``repAt``) follows the same rule."""
        t = self.tempo
        if t is None:
            return None
        cycle = t.rep_seconds + t.between_seconds
        index = min(int(max(elapsed, 0) // cycle), self.rep_count - 1)
        into = max(elapsed, 0) - index * cycle
        phases: list[tuple[TempoPhase, int]] = [
            ("lift", t.lift_seconds),
            ("hold", t.hold_seconds),
            ("lower", t.lower_seconds),
            ("between", t.between_seconds),
        ]
        phase: TempoPhase = "between"
        left = 0.0
        start = 0.0
        for name, seconds in phases:
            if seconds and into < start + seconds:
                phase, left = name, start + seconds - into
                break
            start += seconds
        side = self.rep_sides[index] if self.rep_sides else self.side
        return RepMoment(rep=index + 1, side=side, phase=phase, phase_left=left)

    def logs(self, *, session_id: int, completed_at: datetime, prefix: str = "") -> list[SetLog]:
        """This step, done: one stored set for each side it completes (the hold, the
        repetitions or the minutes of its kind), each keyed ``prefix`` + its key part."""
        return [
            SetLog(
                session_id=session_id,
                item_id=self.item_id,
                side=side,
                set_number=self.set_number,
                hold_seconds=self.hold_seconds if self.kind == "hold" else None,
                reps=self.reps if self.kind == "reps" else None,
                minutes=round(self.work_seconds / 60, 2) if self.kind == "timed" else None,
                completed_at=completed_at,
                key=prefix + part,
            )
            for side, part in zip(self.sides, self.key_parts, strict=True)
        ]

    def announcement(self) -> str:
        """What a spoken cue says at the start of the step."""
        side = ", sides in turn" if self.rep_sides else f", {self.side} side" if self.side else ""
        each = " each side" if self.rep_sides else ""
        what = {
            "hold": f"hold {self.hold_seconds} seconds"
            + (f", {self.reps} times{each}" if self.tempo else ""),
            "reps": f"{self.reps} repetitions{each}",
            "timed": f"{self.work_seconds // 60} minutes"
            if self.work_seconds % 60 == 0
            else f"{self.work_seconds} seconds",
        }[self.kind]
        swap = " Swap sides from the last set." if self.swap_sides else ""
        return (
            f"{self.name}{side}. Set {self.set_number} of {self.sets_on_this_side}: {what}.{swap}"
        )


def session_steps(program: Program, catalog: Catalog) -> list[Step]:
    """Releases, then stretches, then strengthening; posture habits and breaks are not timed.

    Each side's sets are done together before switching, as the source protocols describe,
    unless the catalog says the sides are taken in turn: rep by rep (both sides' sets of one
    number become one step) or set by set. The sets are
    :func:`~psoas.domain.adherence.planned_sets`, the plan adherence counts by.
    """
    plan = planned_sets(program)
    total = sum(p.work_seconds for p in plan)
    items = {i.id: i for i in program.items}
    steps: list[Step] = []
    before: Step | None = None
    for item_id, sets in _by_item(plan):
        level = items[item_id].level  # the item's level: its words, dose and figure
        ex = catalog.exercise_at(item_id, level)
        for n, group in enumerate(_in_turn(ex, sets)):
            p = group[0]
            cues = list(ex.cues)
            both = len(group) > 1
            sides = tuple(g.side for g in group)
            reps = p.reps or 1
            step = Step(
                item_id=p.item_id,
                name=p.name,
                category=p.category,
                side=None if both else p.side,
                set_number=p.set_number,
                sets_on_this_side=max(g.sets_on_this_side for g in group),
                kind=p.kind,
                work_seconds=sum(g.work_seconds for g in group),
                share=sum(g.work_seconds for g in group) / total if total else 0.0,
                reps=p.reps,
                hold_seconds=p.hold_seconds,
                rest_seconds=p.rest_seconds,
                get_ready_seconds=get_ready_seconds(
                    before.position if before else None,
                    ex.position,
                    same_item=before is not None and before.item_id == item_id,
                    same_side=before is not None and before.sides == sides,
                ),
                first_of_item=n == 0,
                instructions=item_steps(ex, items[item_id].dose) if n == 0 else (),
                breathing=ex.breathing,
                cue=cues[(p.set_number - 1) % len(cues)] if cues else None,
                position=ex.position,
                figure=catalog.figure_at(item_id, level),
                clinician_note=items[item_id].clinician_note,
                covers=sides if both else (),
                rep_sides=tuple(g.side for _ in range(reps) for g in group if g.side)
                if both
                else (),
                swap_sides=ex.alternate == "each_set" and p.side is None and p.set_number % 2 == 0,
                tempo=_tempo(ex, p, both),
            )
            steps.append(step)
            before = step
    return steps


def _by_item(plan: tuple[PlannedSet, ...]) -> list[tuple[str, list[PlannedSet]]]:
    out: list[tuple[str, list[PlannedSet]]] = []
    for p in plan:
        if out and out[-1][0] == p.item_id:
            out[-1][1].append(p)
        else:
            out.append((p.item_id, [p]))
    return out


def _in_turn(ex: Exercise, sets: list[PlannedSet]) -> list[list[PlannedSet]]:
    """The item's sets in the order done, grouped by step: one set a step, or a left and a
    right set together when the sides are taken in turn rep by rep."""
    if ex.alternate is None or all(p.side is None for p in sets):
        return [[p] for p in sets]
    by_number: dict[int, list[PlannedSet]] = {}
    for p in sorted(sets, key=lambda p: (p.set_number, p.side != "left")):
        by_number.setdefault(p.set_number, []).append(p)
    if ex.alternate == "each_rep":
        return list(by_number.values())
    return [[p] for group in by_number.values() for p in group]


def _tempo(ex: Exercise, p: PlannedSet, both: bool) -> Tempo | None:
    """Repetitions are paced one by one; a single hold or a timed release is not."""
    if p.kind == "timed" or not (p.kind == "reps" or (p.reps or 1) > 1 or both):
        return None
    t = ex.tempo
    return Tempo(
        lift_seconds=t.lift_seconds,
        hold_seconds=p.hold_seconds or 0,
        lower_seconds=t.lower_seconds,
        between_seconds=t.between_seconds,
        lift_word=t.lift_word,
        hold_word=t.hold_word,
        lower_word=t.lower_word,
    )


class PreviewItem(BaseModel):
    """One exercise of today's session as the preview before Start lists it."""

    model_config = ConfigDict(frozen=True)

    item_id: str
    name: str
    amount: str  # "3 sets each side, hold 30 s"
    seconds: int  # getting ready, the work and the rests

    @property
    def minutes_text(self) -> str:
        minutes = self.seconds / 60
        return "under 1 min" if minutes < 1 else f"{round(minutes)} min"


def preview(steps: list[Step]) -> list[PreviewItem]:
    """Today's session item by item: how many sets (each side, or sides in turn), what one set
    is, and about how long the item takes."""
    out: list[PreviewItem] = []
    for item_id, group in _steps_by_item(steps):
        first = group[0]
        per_side: dict[Side | None, int] = {}
        for s in group:
            for side in s.sides:
                per_side[side] = per_side.get(side, 0) + 1
        counts = set(per_side.values())
        sets = max(counts)
        if first.kind == "timed":
            minutes = first.work_seconds / 60
            amount = f"{minutes:g} min" if minutes >= 1 else f"{first.work_seconds} s"
            amount += " each side" if None not in per_side else ""
        else:
            each = None not in per_side and not first.rep_sides
            if len(counts) > 1:  # more sets on the tighter side
                how_many = f"{per_side.get('left', 0)} sets left, {per_side.get('right', 0)} right"
                each = False
            else:
                how_many = f"{sets} set" + ("s" if sets > 1 else "")
            if first.tempo is not None:
                how_many += f" of {first.reps}"
            if first.rep_sides:
                how_many += " each side in turn"
            elif each:
                how_many += " each side"
            hold = f"{first.hold_seconds} s hold" if first.hold_seconds else ""
            amount = ", ".join(x for x in (how_many, hold) if x)
        seconds = sum(s.get_ready_seconds + s.run_seconds + s.rest_seconds for s in group)
        out.append(PreviewItem(item_id=item_id, name=first.name, amount=amount, seconds=seconds))
    return out


def _steps_by_item(steps: list[Step]) -> list[tuple[str, list[Step]]]:
    out: list[tuple[str, list[Step]]] = []
    for s in steps:
        if out and out[-1][0] == s.item_id:
            out[-1][1].append(s)
        else:
            out.append((s.item_id, [s]))
    return out
