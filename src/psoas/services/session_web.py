"""What the web session player and the break coach need on top of `tracking` and `breaks`:
the plan with a message when there is none, sessions that belong to the signed-in person,
pain before and after a session stored once each, a finish that can be retried, and the break
coach's state worked out from the stored events.

Every call that records something may be repeated (the browser retries from its offline queue):
a set with a key that is already stored, a second pain rating for the same moment of the same
session and a second finish all store nothing new.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from psoas.domain import breaks as domain_breaks
from psoas.domain.catalog import Exercise
from psoas.domain.errors import InputError, Problem
from psoas.domain.recheck import PAIN_RISE_POINTS, has_risen
from psoas.domain.session_plan import Step, session_steps
from psoas.domain.tracking import (
    BreakEvent,
    BreakKind,
    PainContext,
    PainRating,
    ProgramVersion,
    SessionRecord,
    SetLog,
    aware_time,
)
from psoas.domain.triage import WITHHOLDING_LEVELS
from psoas.services import breaks, custom_exercises, programs, reminders, timezones, tracking
from psoas.services.accounts import User
from psoas.storage import repo
from psoas.storage.db import Database
from psoas.storage.tables import PainRow, ProfileRow, SessionRow

#: How far a time sent by a browser may be ahead of the server's clock (clocks drift).
CLOCK_SLACK = timedelta(minutes=5)
#: A break prompt (shown on a page or pushed) still waits for its answer this long.
PUSHED_PROMPT_WAITS = timedelta(minutes=10)
#: How far back a browser may say it started the break coach.
LONGEST_SITTING = timedelta(hours=12)

PainMoment = Literal["before", "after"]
_CONTEXT: dict[str, PainContext] = {"before": "before_session", "after": "after_session"}


class NoProgram(LookupError):
    """There is no program to follow, with a message for the person saying why."""


class RecheckFirst(LookupError):
    """Pain has risen since the assessment: the warning-sign questions come before a session.
    The message says so to the person."""


class NotFound(LookupError):
    """No such session for this person (including: it belongs to someone else)."""


class Invalid(InputError):
    """A value a person can fix; ``field`` names it."""

    def __init__(self, field: str, message: str):
        super().__init__([Problem(field, message)])
        self.field = field
        self.message = message


def _profile_id(db: Database, user: User) -> int:
    profile = tracking.get_profile(db, user.profile_name)
    assert profile.id is not None
    return profile.id


def _state(db: Database, user: User) -> programs.ProgramState:
    with db.session() as s:
        return programs.state_in(s, profile_id=_profile_id(db, user))


def _require(state: programs.ProgramState) -> ProgramVersion:
    try:
        return state.require()
    except programs.ProgramUnavailable as exc:
        raise NoProgram(exc.message) from exc


def program_for(db: Database, *, user: User) -> ProgramVersion:
    """The program the person follows now, or NoProgram saying why there is none."""
    return _require(_state(db, user))


def _ready(state: programs.ProgramState) -> ProgramVersion:
    """The program to exercise with now: NoProgram, or RecheckFirst while rising pain waits
    for the warning-sign questions."""
    version = _require(state)
    message = programs.recheck_message(state)
    if message is not None:
        raise RecheckFirst(message)
    return version


@dataclass(frozen=True)
class SessionPlan:
    version: ProgramVersion
    steps: list[Step]
    #: Pain before a session from this score (0-10) sends the person to the warning signs
    #: first; None without an assessment.
    recheck_from_pain: int | None = None

    @property
    def total_seconds(self) -> int:
        return sum(s.get_ready_seconds + s.run_seconds + s.rest_seconds for s in self.steps)


def session_plan(db: Database, *, user: User) -> SessionPlan:
    """Today's session, or NoProgram / RecheckFirst saying why there is none to do now."""
    state = _state(db, user)
    version = _ready(state)
    start = state.assessment.intake.pain.intensity_now if state.assessment else None
    return SessionPlan(
        version=version,
        steps=session_steps(version.program, custom_exercises.catalog_seen(version.program)),
        recheck_from_pain=None if start is None else start + PAIN_RISE_POINTS,
    )


def check_time(value: datetime, *, field: str, now: datetime) -> datetime:
    """A time sent by a browser: with a time zone, and not later than the server's clock allows."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise Invalid(field, "must include a time zone, e.g. 2026-11-23T09:00:00Z")
    try:
        aware_time(value)
    except ValueError as exc:
        raise Invalid(field, str(exc)) from None
    if value > now + CLOCK_SLACK:
        raise Invalid(field, "is in the future; check the device's clock")
    return value


# --- sessions -----------------------------------------------------------------------------------


def start(
    db: Database, *, user: User, now: datetime, pain_before: int | None = None
) -> SessionRecord:
    state = _state(db, user)
    _ready(state)  # says why, when there is nothing to start now
    if (
        pain_before is not None
        and state.assessment is not None
        and has_risen(state.assessment.intake, pain_before)
    ):  # kept as today's pain, and the warning signs come first
        with db.session() as s, s.begin():
            rating = PainRating(at=now, score=pain_before, context="daily")
            repo.add_pain(s, profile_id=_profile_id(db, user), rating=rating)
        _ready(_state(db, user))
    record, _version = tracking.start_session(db, profile_name=user.profile_name, now=now)
    assert record.id is not None
    if pain_before is not None:
        add_pain(db, user=user, session_id=record.id, moment="before", score=pain_before, now=now)
    return record


def _owner_profile(s: Session, *, user: User, session_id: int) -> int:
    """The profile id of the session if it is this person's; NotFound otherwise (ids reveal
    nothing)."""
    profile_id = None
    if user.role == "patient":
        profile_id = s.scalar(
            select(ProfileRow.id)
            .join(SessionRow, SessionRow.profile_id == ProfileRow.id)
            .where(SessionRow.id == session_id, ProfileRow.name == user.profile_name)
        )
    if profile_id is None:
        raise NotFound(f"session {session_id}")
    return profile_id


def owned_session(db: Database, *, user: User, session_id: int) -> SessionRecord:
    """The session if it is this person's; NotFound otherwise."""
    with db.session() as s:
        _owner_profile(s, user=user, session_id=session_id)
        return repo.get_session(s, session_id=session_id)


def work_done(db: Database, *, session_id: int) -> float:
    """The share of the session's planned work done, 0 to 1 (psoas.domain.adherence)."""
    with db.session() as s, s.begin():
        return repo.session_work_done(s, session_id=session_id)


def sets_saved(db: Database, *, session_id: int) -> list[SetLog]:
    with db.session() as s:
        return repo.sets_for_session(s, session_id=session_id)


def log_set(db: Database, *, user: User, entry: SetLog, now: datetime) -> bool:
    """Store one completed set; False when its key was stored before (a retry).

    A set done after an assessment that held the program back is refused (NoProgram); one done
    before it, and sent later from a device's queue, is kept: it happened."""
    with db.session() as s:
        profile_id = _owner_profile(s, user=user, session_id=entry.session_id)
        latest = repo.latest_triage(s, profile_id=profile_id)
    check_time(entry.completed_at, field="completed_at", now=now)
    # Done after the red flag (a player left open): refused. Done before it: kept.
    if latest and latest[1] in WITHHOLDING_LEVELS and entry.completed_at >= latest[0]:
        raise NoProgram(programs.held_back_message(latest[1]))
    try:
        return tracking.log_set(db, entry=entry)
    except tracking.TrackingError as exc:
        message = f"{entry.item_id!r} is not part of this session's program"
        raise Invalid("item_id", message) from exc


def _stored_pain(db: Database, *, session_id: int, moment: PainMoment) -> int | None:
    with db.session() as s:
        return s.scalar(
            select(PainRow.score)
            .where(PainRow.session_id == session_id, PainRow.context == _CONTEXT[moment])
            .order_by(PainRow.id)
            .limit(1)
        )


def add_pain(
    db: Database,
    *,
    user: User,
    session_id: int,
    moment: PainMoment,
    score: int,
    now: datetime,
) -> tuple[bool, int]:
    """Pain before or after a session, stored once per moment: (stored now?, the stored score).

    A repeat (a retry, or a second tap) changes nothing: what was logged is never rewritten.
    """
    owned_session(db, user=user, session_id=session_id)
    stored = _stored_pain(db, session_id=session_id, moment=moment)
    if stored is not None:
        return False, stored
    rating = PainRating(at=now, score=score, context=_CONTEXT[moment], session_id=session_id)
    try:
        with db.session() as s, s.begin():
            repo.add_pain(s, profile_id=_profile_id(db, user), rating=rating)
    except IntegrityError:  # the same rating sent at the same moment: the first one is kept
        stored = _stored_pain(db, session_id=session_id, moment=moment)
        if stored is None:
            raise
        return False, stored
    return True, score


def finish(
    db: Database,
    *,
    user: User,
    session_id: int,
    status: Literal["completed", "quit"],
    now: datetime,
    pain_after: int | None = None,
) -> tuple[SessionRecord, bool]:
    """End the session: (the session as stored, whether this call ended it).

    A finished session is never rewritten; a repeat only adds a missing pain-after rating.
    """
    before = owned_session(db, user=user, session_id=session_id)
    tracking.finish_session(db, session_id=session_id, status=status, now=now)
    if pain_after is not None:
        add_pain(db, user=user, session_id=session_id, moment="after", score=pain_after, now=now)
    return owned_session(db, user=user, session_id=session_id), before.status == "in_progress"


# --- the break coach ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BreakState:
    interval_minutes: int
    next_due: datetime
    awaiting_answer: bool
    movement: Exercise | None
    today: domain_breaks.BreakStats
    today_since: datetime
    #: the person's working hours and days (the coach is quiet outside them)
    hours: domain_breaks.WorkingHours
    #: reminders are paused until then (None: not paused)
    paused_until: datetime | None
    #: the person's time zone (IANA), in which the hours and "today" are counted
    time_zone: str


def break_plan(
    db: Database,
    *,
    user: User,
    now: datetime,
    started_at: datetime | None = None,
) -> breaks.Plan:
    """The coach's settings: the program's interval, the person's working hours and days in
    their time zone (their reminder settings), the movements safe for this person.

    ``started_at`` is when the person opened the coach (kept by the browser, so that a reload
    does not restart the count); the CLI's rules then apply unchanged.
    """
    program_for(db, user=user)
    plan = breaks.plan(
        db,
        profile_name=user.profile_name,
        interval=None,
        start="00:00",
        end="23:59",
        weekends=True,
        now=now,
    )
    if started_at is None or started_at > now:
        started_at = now
    started_at = max(started_at, now - LONGEST_SITTING)
    hours = reminders.settings_for(db, user=user).hours
    zone = timezones.zone(user.time_zone)
    return dataclasses.replace(plan, hours=hours, zone=zone, started_at=started_at)


def break_state(
    db: Database,
    *,
    user: User,
    now: datetime,
    started_at: datetime | None = None,
) -> BreakState:
    plan = break_plan(db, user=user, now=now, started_at=started_at)
    settings = reminders.settings_for(db, user=user)
    paused_until = settings.paused_until if settings.paused(now) else None
    if paused_until is not None:  # after a pause, a full interval of sitting
        plan = dataclasses.replace(plan, started_at=max(plan.started_at, paused_until))
    due = breaks.next_due(db, plan=plan, profile_name=user.profile_name, now=now)
    if paused_until is not None and due < paused_until:
        due = domain_breaks.next_due(
            [],
            interval_minutes=plan.interval,
            started_at=paused_until,
            hours=plan.hours,
            zone=plan.zone,
        )
    since = now - timedelta(days=1)
    recent = tracking.breaks_since(db, profile_name=user.profile_name, since=since)
    last = max(recent, key=lambda e: e.at, default=None)
    # a prompt already shown for this break waits for its answer (and keeps its movement), as
    # does a reminder pushed to the person's phone a moment ago (opening it shows the prompt)
    awaiting = (
        last is not None and last.kind == "prompted" and last.at >= due - timedelta(minutes=1)
    )
    prompt = max((e for e in recent if e.kind == "prompted"), key=lambda e: e.at, default=None)
    if not awaiting and prompt is not None and now - prompt.at < PUSHED_PROMPT_WAITS:
        answered = any(e.kind != "prompted" and e.at >= prompt.at for e in recent)
        if not answered:
            awaiting, last = True, prompt
    movement: Exercise | None
    if awaiting and last is not None and last.movement_id in {m.id for m in plan.movements}:
        movement = next(m for m in plan.movements if m.id == last.movement_id)
    else:
        movement = breaks.suggest(db, plan=plan, profile_name=user.profile_name)
    local = now.astimezone(plan.zone)
    midnight = datetime.combine(local.date(), time(0, 0), tzinfo=plan.zone)
    today = [e for e in recent if e.at >= midnight]
    return BreakState(
        interval_minutes=plan.interval,
        next_due=due,
        awaiting_answer=awaiting,
        movement=movement,
        today=domain_breaks.stats(today),
        today_since=midnight,
        hours=plan.hours,
        paused_until=paused_until,
        time_zone=timezones.zone_name(plan.zone),
    )


def record_break(
    db: Database,
    *,
    user: User,
    kind: BreakKind,
    now: datetime,
    movement_id: str | None = None,
    snooze_minutes: int | None = None,
    at: datetime | None = None,
) -> BreakEvent:
    program_for(db, user=user)
    if movement_id is not None and movement_id not in breaks.MOVEMENT_IDS:
        raise Invalid("movement_id", f"{movement_id!r} is not one of the break movements")
    if kind == "snoozed":
        snooze_minutes = snooze_minutes or 10
    elif snooze_minutes is not None:
        raise Invalid("snooze_minutes", "only goes with kind snoozed")
    when = check_time(at, field="at", now=now) if at is not None else now
    if when < now - timedelta(days=1):
        raise Invalid("at", "is more than a day ago")
    event = BreakEvent(at=when, kind=kind, movement_id=movement_id, snooze_minutes=snooze_minutes)
    tracking.record_break(db, profile_name=user.profile_name, event=event)
    return event
