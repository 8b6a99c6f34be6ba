"""A program turned into the ordered steps of one guided session, for every player (terminal,
browser): get ready, work (a hold, a set of repetitions or a timed release), rest.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from psoas.domain.adherence import SECONDS_PER_REP, SetKey, StepKind, planned_sets
from psoas.domain.catalog import Catalog
from psoas.domain.program import item_steps
from psoas.domain.results import Program
from psoas.domain.tracking import SetLog

__all__ = ["GET_READY_SECONDS", "SECONDS_PER_REP", "Step", "StepKind", "session_steps"]

GET_READY_SECONDS = 5


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
    figure: str = Field(
        default="main", description="the item's picture at its level (a variant's slug, or main)"
    )

    @property
    def key(self) -> SetKey:
        """Item, side and set number: what adherence matches a logged set by."""
        return self.item_id, self.side, self.set_number

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


def session_steps(program: Program, catalog: Catalog) -> list[Step]:
    """Releases, then stretches, then strengthening; posture habits and breaks are not timed.

    Each side's sets are done together before switching, as the source protocols describe.
    The sets are :func:`~psoas.domain.adherence.planned_sets`, the plan adherence counts by.
    """
    plan = planned_sets(program)
    total = sum(p.work_seconds for p in plan)
    items = {i.id: i for i in program.items}
    steps: list[Step] = []
    seen: set[str] = set()
    for p in plan:
        level = items[p.item_id].level  # the item's level: its words, dose and figure
        ex = catalog.exercise_at(p.item_id, level)
        first = p.item_id not in seen
        seen.add(p.item_id)
        cues = list(ex.cues)
        steps.append(
            Step(
                item_id=p.item_id,
                name=p.name,
                category=p.category,
                side=p.side,
                set_number=p.set_number,
                sets_on_this_side=p.sets_on_this_side,
                kind=p.kind,
                work_seconds=p.work_seconds,
                share=p.work_seconds / total if total else 0.0,
                reps=p.reps,
                hold_seconds=p.hold_seconds,
                rest_seconds=p.rest_seconds,
                get_ready_seconds=GET_READY_SECONDS,
                first_of_item=first,
                instructions=item_steps(ex, items[p.item_id].dose) if first else (),
                breathing=ex.breathing,
                cue=cues[(p.set_number - 1) % len(cues)] if cues else None,
                figure=catalog.figure_at(p.item_id, level),
            )
        )
    return steps
