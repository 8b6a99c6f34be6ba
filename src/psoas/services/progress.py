"""Progress and adaptation: read the history, summarise it, decide, and keep each change as a
new program version with its reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from psoas.domain.progression import (
    Decision,
    ProgressSummary,
    baseline_intake,
    decide,
    summarize,
    thomas_baseline,
)
from psoas.domain.tracking import History, ProgramVersion
from psoas.services import custom_exercises, tracking
from psoas.storage import repo
from psoas.storage.db import Database


@dataclass(frozen=True)
class Report:
    history: History
    summary: ProgressSummary
    decision: Decision
    budget_minutes: int | None
    #: Each session's share of its planned work done, by session id (what adherence counts).
    shares: dict[int, float] = field(default_factory=dict)


def report(db: Database, *, profile_name: str, now: datetime, with_sets: bool = False) -> Report:
    """``with_sets`` loads every set too (for charts and exports); progress itself needs only
    each session's share of its work done, which the sessions keep."""
    history = tracking.history(db, profile_name=profile_name, with_sets=with_sets)
    latest = history.assessments[-1] if history.assessments else None
    first_intake = baseline_intake(history)
    shares = tracking.session_work(db, profile_name=profile_name)
    summary = summarize(
        history=history,
        baseline_pain=first_intake.pain.intensity_now if first_intake else None,
        baseline_thomas=thomas_baseline(history),
        now=now,
        shares=shares,
    )
    catalog = custom_exercises.catalog_for_history(db, history)  # and the clinic's it holds
    decision = decide(history=history, summary=summary, catalog=catalog, now=now)
    budget = latest.intake.preferences.minutes_per_day if latest else None
    if (
        decision.kind == "progress"
        and decision.program is not None
        and budget is not None
        and decision.program.minutes_per_day > budget
    ):
        decision = decision.model_copy(
            update={
                "kind": "hold",
                "program": None,
                "changes": (),
                "message": decision.message + f" Not applied: the harder program takes about "
                f"{decision.program.minutes_per_day:g} minutes a day, more than the {budget} "
                "you said you have. Raise your minutes in a new assessment to step up.",
            }
        )
    return Report(
        history=history, summary=summary, decision=decision, budget_minutes=budget, shares=shares
    )


def apply(db: Database, *, profile_name: str, decision: Decision, now: datetime) -> ProgramVersion:
    """Store the decision's program as the next version, with its reason and sources."""
    if decision.program is None:
        raise tracking.TrackingError("this decision does not change the program")
    # Held back since the decision was made: current_program refuses with the reason.
    current = tracking.current_program(db, profile_name=profile_name)
    profile = tracking.get_profile(db, profile_name)
    assert profile.id is not None
    with db.session() as s, s.begin():
        return repo.add_program_version(
            s,
            profile_id=profile.id,
            program=decision.program,
            reason=f"{decision.kind}: {decision.message}",
            sources=decision.sources,
            catalog_version=current.catalog_version,
            now=now,
        )
