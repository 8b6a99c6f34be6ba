"""A program turned into the ordered steps of one guided session, for every player (terminal,
browser): get ready, work (a hold, a set of repetitions or a timed release), rest.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from psoas.domain.catalog import Catalog
from psoas.domain.program import item_steps
from psoas.domain.results import Program, ProgramItem
from psoas.domain.tracking import SetLog

StepKind = Literal["hold", "reps", "timed"]
GET_READY_SECONDS = 5
SECONDS_PER_REP = 3


class Step(BaseModel):
    """One set of one item on one side (or both sides at once for two-sided items)."""

    model_config = ConfigDict(frozen=True)

    item_id: str
    name: str
    category: str
    side: Literal["left", "right"] | None
    set_number: int
    sets_on_this_side: int
    kind: StepKind
    work_seconds: int
    reps: int | None
    hold_seconds: int | None
    rest_seconds: int
    get_ready_seconds: int
    first_of_item: bool
    instructions: tuple[str, ...] = ()  # the item's numbered steps, on its first set only
    breathing: str | None
    cue: str | None

    @property
    def key_part(self) -> str:
        """Stable within a session: item, side and set number."""
        return f"{self.item_id}:{self.side or 'both'}:{self.set_number}"

    def log(self, *, session_id: int, completed_at: datetime, key: str | None = None) -> SetLog:
        """This set, done: what is stored (the hold, the repetitions or the minutes of its
        kind), under ``key`` (the step's own key by default)."""
        return SetLog(
            session_id=session_id,
            item_id=self.item_id,
            side=self.side,
            set_number=self.set_number,
            hold_seconds=self.hold_seconds if self.kind == "hold" else None,
            reps=self.reps if self.kind == "reps" else None,
            minutes=round(self.work_seconds / 60, 2) if self.kind == "timed" else None,
            completed_at=completed_at,
            key=key or self.key_part,
        )

    def announcement(self) -> str:
        """What a spoken cue says at the start of the step."""
        side = f", {self.side} side" if self.side else ""
        what = {
            "hold": f"hold {self.hold_seconds} seconds",
            "reps": f"{self.reps} repetitions",
            "timed": f"{self.work_seconds // 60} minutes"
            if self.work_seconds % 60 == 0
            else f"{self.work_seconds} seconds",
        }[self.kind]
        return f"{self.name}{side}. Set {self.set_number} of {self.sets_on_this_side}: {what}."


def _sides(item: ProgramItem) -> list[tuple[Literal["left", "right"] | None, float]]:
    if item.dose.per_side is not None:
        return [("left", item.dose.per_side.left), ("right", item.dose.per_side.right)]
    return [(None, float(item.dose.sets or 1))]


def session_steps(program: Program, catalog: Catalog) -> list[Step]:
    """Releases, then stretches, then strengthening; posture habits and breaks are not timed.

    Each side's sets are done together before switching, as the source protocols describe.
    """
    steps: list[Step] = []
    for item in program.items:
        if item.category in ("posture", "movement"):
            continue
        ex = catalog.exercise(item.id)
        cues = list(ex.cues)
        first = True
        for side, amount in _sides(item):
            timed = item.dose.minutes is not None and not item.dose.sets
            count = 1 if timed else max(1, int(amount))
            for n in range(1, count + 1):
                if timed:
                    kind: StepKind = "timed"
                    work = round(amount * 60)
                elif item.dose.hold_seconds:
                    kind = "hold"
                    work = item.dose.hold_seconds * (item.dose.reps or 1)
                else:
                    kind = "reps"
                    work = (item.dose.reps or 1) * SECONDS_PER_REP
                steps.append(
                    Step(
                        item_id=item.id,
                        name=item.name,
                        category=item.category,
                        side=side,
                        set_number=n,
                        sets_on_this_side=count,
                        kind=kind,
                        work_seconds=work,
                        reps=item.dose.reps,
                        hold_seconds=item.dose.hold_seconds,
                        rest_seconds=item.dose.rest_seconds,
                        get_ready_seconds=GET_READY_SECONDS,
                        first_of_item=first,
                        instructions=item_steps(ex, item.dose) if first else (),
                        breathing=ex.breathing,
                        cue=cues[(n - 1) % len(cues)] if cues else None,
                    )
                )
                first = False
    return steps
