"""The guided session player and the sitting-break coach: their pages and their JSON API.

Sets, pain ratings and the finish may arrive more than once (the browser retries what it could
not send while offline): a set's client-made key, one pain rating per moment and a finish that
never rewrites make every retry harmless.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response, status
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ConfigDict, Field

from psoas.domain.adherence import planned_sets
from psoas.domain.catalog import Exercise
from psoas.domain.program import item_steps
from psoas.domain.session_plan import Step, preview
from psoas.domain.tracking import BreakKind, SetLog
from psoas.reports import pictures, result_text
from psoas.services import reminders, session_web
from psoas.web.deps import DB, Now, Patient
from psoas.web.pages import render
from psoas.web.routes import recheck

router = APIRouter()

SessionId = Annotated[int, Path(ge=1, le=2**31 - 1, description="the session's id")]
Score = Annotated[int, Field(ge=0, le=10, description="0 = no pain, 10 = worst imaginable")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- response and request models ----------------------------------------------------------------


class TempoOut(BaseModel):
    """The pace of one repetition, in seconds, with the words said for each phase."""

    lift_seconds: int
    hold_seconds: int
    lower_seconds: int
    between_seconds: int
    lift_word: str
    hold_word: str
    lower_word: str


class PlannedOut(BaseModel):
    """One planned set: what adherence counts, and the end of a session reports."""

    key_part: str = Field(description="item:side:set")
    item_id: str
    name: str
    side: Literal["left", "right"] | None
    set_number: int
    share: float = Field(ge=0, le=1, description="its part of the session's work, 0 to 1")


class StepOut(BaseModel):
    """One set of one item on one side (or both sides' sets taken in turn), as the player
    runs it."""

    key_part: str = Field(description="item:side:set, stable within a session")
    item_id: str
    name: str
    category: str
    side: Literal["left", "right"] | None
    set_number: int
    sets_on_this_side: int
    kind: Literal["hold", "reps", "timed"]
    work_seconds: int
    share: float = Field(
        ge=0, le=1, description="this set's part of the session's work (its work time), 0 to 1"
    )
    reps: int | None
    hold_seconds: int | None
    rest_seconds: int
    get_ready_seconds: int
    first_of_item: bool
    instructions: list[str] = Field(description="the item's numbered steps, on its first set")
    breathing: str | None
    cue: str | None
    clinician_note: str | None = Field(
        default=None, description="the patient's clinician's own note or cue on the item"
    )
    announcement: str = Field(description="what a spoken cue says as the set starts")
    position: str = Field(description="standing, seated, kneeling, floor, bed, table or any")
    figure: str = Field(
        default="main", description="the item's picture at its catalog level (see pictures)"
    )
    covers: list[str] = Field(description="the planned sets (key parts) this step completes")
    rep_sides: list[Literal["left", "right"]] = Field(
        description="each repetition's side when the sides are taken in turn; else empty"
    )
    swap_sides: bool = Field(description="a two-sided item led by the other side this set")
    tempo: TempoOut | None = Field(description="the pace of each repetition, if paced")
    rep_count: int = Field(description="repetitions counted in this step")
    run_seconds: int = Field(description="how long the work takes, the tempo's pauses included")

    @classmethod
    def of(cls, step: Step) -> StepOut:
        return cls(
            key_part=step.key_part,
            announcement=step.announcement(),
            **step.model_dump(exclude={"instructions", "covers", "tempo", "rep_sides"}),
            instructions=list(step.instructions),
            covers=list(step.key_parts),
            rep_sides=list(step.rep_sides),
            tempo=TempoOut(**step.tempo.model_dump()) if step.tempo else None,
            rep_count=step.rep_count,
            run_seconds=step.run_seconds,
        )


class PicturesOut(BaseModel):
    """Where an item's pictures are: the moving figure for each side, and the placement
    diagram of a release."""

    right: str
    left: str
    placement_right: str | None = None
    placement_left: str | None = None


class SessionPlanOut(BaseModel):
    program_version: int
    total_seconds: int
    recheck_from_pain: int | None = Field(
        default=None,
        description="pain before a session from this score (0-10) means the warning-sign "
        "questions come first (/me/recheck)",
    )
    server_now: datetime = Field(description="the server's clock, to correct the device's")
    steps: list[StepOut]
    planned: list[PlannedOut] = Field(
        default_factory=list, description="every planned set, in order, with its share"
    )
    pictures: dict[str, PicturesOut] = Field(
        default_factory=dict, description="each item's pictures (SVG addresses), by item id"
    )


class SessionIn(_In):
    pain_before: Score | None = None


class SessionOut(BaseModel):
    id: int
    program_version: int
    status: Literal["in_progress", "completed", "quit"] = "in_progress"
    started_at: datetime
    ended_at: datetime | None = None
    sets_saved: int = 0
    work_done: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="the share of the session's planned work done, 0 to 1: each set weighed by "
        "its work time, as adherence counts sessions everywhere",
    )
    server_now: datetime


class SetIn(_In):
    key: str = Field(
        min_length=8,
        max_length=80,
        pattern=r"^[A-Za-z0-9:_.-]+$",
        description="client-made idempotency key (a UUID): the same key is stored once",
    )
    item_id: str = Field(min_length=1, max_length=80, pattern=r"^[a-z0-9-]+$")
    side: Literal["left", "right"] | None = None
    set_number: int = Field(ge=1, le=20)
    hold_seconds: int | None = Field(default=None, ge=0, le=3600)
    reps: int | None = Field(default=None, ge=0, le=500)
    minutes: float | None = Field(default=None, ge=0, le=120)
    completed_at: datetime | None = Field(
        default=None, description="when the set ended, with a time zone; default: now"
    )


class SetOut(BaseModel):
    key: str
    stored: bool = Field(description="true: stored now (201); false: stored before (200)")


class PainIn(_In):
    moment: Literal["before", "after"]
    score: Score


class PainOut(BaseModel):
    moment: Literal["before", "after"]
    score: int = Field(description="the stored score (the first one sent for this moment)")
    stored: bool


class FinishIn(_In):
    status: Literal["completed", "quit"]
    pain_after: Score | None = None


class FinishOut(BaseModel):
    id: int
    status: Literal["in_progress", "completed", "quit"]
    ended_at: datetime | None
    finished_now: bool = Field(description="false when the session had been finished before")
    work_done: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="the share of the session's planned work done, 0 to 1: each set weighed by "
        "its work time, as adherence counts sessions everywhere",
    )


class BreakIn(_In):
    kind: BreakKind
    movement_id: str | None = Field(default=None, max_length=80, pattern=r"^[a-z0-9-]+$")
    snooze_minutes: int | None = Field(default=None, ge=1, le=120)
    at: datetime | None = Field(default=None, description="when (with a time zone); default now")


class MovementOut(BaseModel):
    id: str
    name: str
    count: str = Field(description='how much to do, e.g. "10 times" or "2 minutes"')
    prompt: str = Field(description="the movement, its count and what it is, in one line")
    first_step: str
    steps: list[str] = Field(description="every step, with the dose's numbers filled in")

    @classmethod
    def of(cls, ex: Exercise) -> MovementOut:
        steps = list(item_steps(ex))
        return cls(
            id=ex.id,
            name=ex.name,
            count=result_text.break_count(ex),
            prompt=result_text.break_prompt(ex),
            first_step=steps[0],
            steps=steps,
        )


class BreakStatsOut(BaseModel):
    prompted: int
    taken: int
    snoozed: int
    skipped: int


class BreakStateOut(BaseModel):
    interval_minutes: int
    next_due: datetime
    awaiting_answer: bool = Field(description="a prompt for this break is out and not answered")
    movement: MovementOut | None
    today: BreakStatsOut
    today_since: datetime
    server_now: datetime
    work_start: str = Field(description="working hours start, HH:MM in time_zone")
    work_end: str = Field(description="working hours end, HH:MM in time_zone")
    work_days: list[int] = Field(description="working days, Monday = 0")
    paused_until: datetime | None = Field(description="the coach is paused until then")
    time_zone: str


class BreakOut(BaseModel):
    kind: BreakKind
    at: datetime
    movement_id: str | None
    snooze_minutes: int | None
    state: BreakStateOut = Field(
        description="the coach's state with this event stored (as GET /api/v1/me/breaks/state)"
    )


# --- helpers ------------------------------------------------------------------------------------


def _not_found(exc: Exception) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, "not found")


def _no_program(exc: session_web.NoProgram) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, str(exc))


def _recheck_first(exc: session_web.RecheckFirst) -> HTTPException:
    return HTTPException(status.HTTP_409_CONFLICT, str(exc))


RECHECK_FIRST: dict[int | str, dict[str, Any]] = {
    409: {"description": "pain has risen: answer the warning signs first"}
}


def _break_state_out(state: session_web.BreakState, now: datetime) -> BreakStateOut:
    return BreakStateOut(
        interval_minutes=state.interval_minutes,
        next_due=state.next_due,
        awaiting_answer=state.awaiting_answer,
        movement=MovementOut.of(state.movement) if state.movement else None,
        today=BreakStatsOut(**vars(state.today)),
        today_since=state.today_since,
        server_now=now,
        work_start=state.hours.start.strftime("%H:%M"),
        work_end=state.hours.end.strftime("%H:%M"),
        work_days=sorted(state.hours.weekdays),
        paused_until=state.paused_until,
        time_zone=state.time_zone,
    )


def _plan_out(plan: session_web.SessionPlan, now: datetime) -> SessionPlanOut:
    return SessionPlanOut(
        program_version=plan.version.version,
        total_seconds=plan.total_seconds,
        recheck_from_pain=plan.recheck_from_pain,
        server_now=now,
        steps=[StepOut.of(s) for s in plan.steps],
        planned=_planned_out(plan),
        pictures={
            i: out
            for i, figure in dict.fromkeys((s.item_id, s.figure) for s in plan.steps)
            if (out := _pictures(i, figure))
        },
    )


def _planned_out(plan: session_web.SessionPlan) -> list[PlannedOut]:
    sets = planned_sets(plan.version.program)
    total = sum(p.work_seconds for p in sets)
    return [
        PlannedOut(
            key_part=f"{p.item_id}:{p.side or 'both'}:{p.set_number}",
            item_id=p.item_id,
            name=p.name,
            side=p.side,
            set_number=p.set_number,
            share=p.work_seconds / total if total else 0.0,
        )
        for p in sets
    ]


def _pictures(item_id: str, figure: str = "main") -> PicturesOut | None:
    """The item's moving figure at its level (``figure``: a level's drawn variant, or main)."""
    main = pictures.find(item_id, figure) or pictures.find(item_id)
    place = pictures.find(item_id, "placement")
    if main is None:
        return None
    return PicturesOut(
        right=main.url("right", motion=True),
        left=main.url("left", motion=True),
        placement_right=place.url("right") if place else None,
        placement_left=place.url("left") if place else None,
    )


# --- pages --------------------------------------------------------------------------------------


@router.get("/me/session", include_in_schema=False)
def session_page(request: Request, db: DB, now: Now, user: Patient) -> Response:
    if recheck.recheck_due(db, user):  # rising pain: the warning signs come before anything
        return RedirectResponse("/me/recheck", status_code=303)
    try:
        plan = session_web.session_plan(db, user=user)
    except session_web.NoProgram as exc:
        return render(
            request, "patient/session.html", title="Session", message=str(exc), offline="forget"
        )
    except session_web.RecheckFirst:
        return RedirectResponse("/me/recheck", status_code=303)
    data: dict[str, Any] = _plan_out(plan, now).model_dump(mode="json")
    return render(
        request,
        "patient/session.html",
        title="Session",
        plan=data,
        minutes=round(plan.total_seconds / 60),
        preview=preview(plan.steps),
        planned_sets=len(data["planned"]),
        offline="keep",
    )


@router.get("/me/breaks", include_in_schema=False)
def breaks_page(request: Request, db: DB, now: Now, user: Patient) -> Response:
    coach_settings = reminders.settings_for(db, user=user)
    try:
        version = session_web.program_for(db, user=user)
    except session_web.NoProgram as exc:
        return render(
            request,
            "patient/breaks.html",
            title="Break coach",
            message=str(exc),
            offline="forget",
        )
    return render(
        request,
        "patient/breaks.html",
        title="Break coach",
        advice=result_text.break_advice(version.program),
        seated=result_text.seated_breaks(version.program.items),
        hours_text=reminders.hours_text(coach_settings, user),
        paused_until=coach_settings.paused_until if coach_settings.paused(now) else None,
        offline="keep",
    )


# --- the session API ----------------------------------------------------------------------------


@router.get(
    "/api/v1/me/session-plan",
    response_model=SessionPlanOut,
    tags=["session"],
    responses={404: {"description": "no program, or held back by warning signs"}, **RECHECK_FIRST},
)
def api_session_plan(db: DB, now: Now, user: Patient) -> SessionPlanOut:
    """Today's session: the program version and every set in order, with its timings and cues."""
    try:
        return _plan_out(session_web.session_plan(db, user=user), now)
    except session_web.NoProgram as exc:
        raise _no_program(exc) from exc
    except session_web.RecheckFirst as exc:
        raise _recheck_first(exc) from exc


@router.post(
    "/api/v1/me/sessions",
    response_model=SessionOut,
    status_code=status.HTTP_201_CREATED,
    tags=["session"],
    responses={404: {"description": "no program, or held back by warning signs"}, **RECHECK_FIRST},
)
def api_start_session(db: DB, now: Now, user: Patient, body: SessionIn | None = None) -> SessionOut:
    """Start a session on the current program version (optionally with pain before, 0-10)."""
    try:
        record = session_web.start(
            db, user=user, now=now, pain_before=body.pain_before if body else None
        )
    except session_web.NoProgram as exc:
        raise _no_program(exc) from exc
    except session_web.RecheckFirst as exc:
        raise _recheck_first(exc) from exc
    assert record.id is not None
    return SessionOut(
        id=record.id,
        program_version=record.program_version,
        started_at=record.started_at,
        server_now=now,
    )


@router.get("/api/v1/me/sessions/{session_id}", response_model=SessionOut, tags=["session"])
def api_get_session(db: DB, now: Now, user: Patient, session_id: SessionId) -> SessionOut:
    """One of your sessions: its status and how many sets are stored (to resume after a reload)."""
    try:
        record = session_web.owned_session(db, user=user, session_id=session_id)
    except session_web.NotFound as exc:
        raise _not_found(exc) from exc
    assert record.id is not None
    return SessionOut(
        id=record.id,
        program_version=record.program_version,
        status=record.status,
        started_at=record.started_at,
        ended_at=record.ended_at,
        sets_saved=len(session_web.sets_saved(db, session_id=record.id)),
        work_done=session_web.work_done(db, session_id=record.id),
        server_now=now,
    )


@router.post(
    "/api/v1/me/sessions/{session_id}/sets",
    response_model=SetOut,
    status_code=status.HTTP_201_CREATED,
    tags=["session"],
    responses={
        200: {"description": "a set with this key was stored before; nothing changed"},
        409: {"description": "done after an assessment that held the program back"},
    },
)
def api_log_set(
    response: Response, db: DB, now: Now, user: Patient, session_id: SessionId, body: SetIn
) -> SetOut:
    """Store one completed set. Sending the same key again stores nothing and answers 200."""
    try:
        completed_at = now
        if body.completed_at is not None:
            completed_at = session_web.check_time(body.completed_at, field="completed_at", now=now)
        entry = SetLog(
            session_id=session_id,
            completed_at=completed_at,
            **body.model_dump(exclude={"completed_at"}),
        )
        stored = session_web.log_set(db, user=user, entry=entry, now=now)
    except session_web.NotFound as exc:
        raise _not_found(exc) from exc
    except session_web.NoProgram as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    if not stored:
        response.status_code = status.HTTP_200_OK
    return SetOut(key=body.key, stored=stored)


@router.post(
    "/api/v1/me/sessions/{session_id}/pain",
    response_model=PainOut,
    status_code=status.HTTP_201_CREATED,
    tags=["session"],
    responses={200: {"description": "a rating for this moment was stored before; kept as it was"}},
)
def api_session_pain(
    response: Response, db: DB, now: Now, user: Patient, session_id: SessionId, body: PainIn
) -> PainOut:
    """Pain before or after this session, 0-10; one rating per moment, never rewritten."""
    try:
        stored, score = session_web.add_pain(
            db, user=user, session_id=session_id, moment=body.moment, score=body.score, now=now
        )
    except session_web.NotFound as exc:
        raise _not_found(exc) from exc
    if not stored:
        response.status_code = status.HTTP_200_OK
    return PainOut(moment=body.moment, score=score, stored=stored)


@router.post("/api/v1/me/sessions/{session_id}/finish", response_model=FinishOut, tags=["session"])
def api_finish_session(
    db: DB, now: Now, user: Patient, session_id: SessionId, body: FinishIn
) -> FinishOut:
    """End the session (completed or quit), with pain after if given. A repeat changes nothing
    except adding a pain-after rating that was missing."""
    try:
        record, finished_now = session_web.finish(
            db,
            user=user,
            session_id=session_id,
            status=body.status,
            pain_after=body.pain_after,
            now=now,
        )
    except session_web.NotFound as exc:
        raise _not_found(exc) from exc
    assert record.id is not None
    return FinishOut(
        id=record.id,
        status=record.status,
        ended_at=record.ended_at,
        finished_now=finished_now,
        work_done=session_web.work_done(db, session_id=record.id),
    )


# --- the break coach API ------------------------------------------------------------------------

StartedAt = Annotated[
    datetime | None,
    Query(description="when the coach was opened (default now); at most 12 hours back"),
]


def _check_started_at(started_at: datetime | None) -> None:
    if started_at is not None and (started_at.tzinfo is None or started_at.utcoffset() is None):
        raise session_web.Invalid("started_at", "must include a time zone")


def _break_state(
    db: DB, now: datetime, user: Patient, started_at: datetime | None
) -> BreakStateOut:
    _check_started_at(started_at)
    try:
        state = session_web.break_state(db, user=user, now=now, started_at=started_at)
    except session_web.NoProgram as exc:
        raise _no_program(exc) from exc
    return _break_state_out(state, now)


@router.post(
    "/api/v1/me/breaks",
    response_model=BreakOut,
    status_code=status.HTTP_201_CREATED,
    tags=["session"],
)
def api_record_break(
    db: DB,
    now: Now,
    user: Patient,
    body: BreakIn,
    started_at: StartedAt = None,
) -> BreakOut:
    """Record a break prompt or its answer: taken, snoozed (10 minutes unless told) or skipped.

    The response carries the coach's state with the event stored (``started_at`` as for the
    state), so a page can apply it at once.
    """
    _check_started_at(started_at)
    try:
        event = session_web.record_break(
            db,
            user=user,
            kind=body.kind,
            movement_id=body.movement_id,
            snooze_minutes=body.snooze_minutes,
            at=body.at,
            now=now,
        )
    except session_web.NoProgram as exc:
        raise _no_program(exc) from exc
    state = _break_state(db, now, user, started_at)
    return BreakOut(**event.model_dump(), state=state)


@router.get("/api/v1/me/breaks/state", response_model=BreakStateOut, tags=["session"])
def api_break_state(
    db: DB,
    now: Now,
    user: Patient,
    started_at: StartedAt = None,
) -> BreakStateOut:
    """When the next break is due (within the person's working hours and days, in their time
    zone, after any pause), the movement to suggest with its count, and today's counts."""
    return _break_state(db, now, user, started_at)
