"""Terminal commands for following a program: session, breaks, log, progress, export, import."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, cast

import typer

from psoas.cli.common import Format, FormatOption, ProfileOption, echo_json, fail, profile_name

if TYPE_CHECKING:  # the terminal starts fast: the database is imported when a command runs
    from psoas.storage.db import Database

BreakAnswer = Literal["taken", "snoozed", "skipped"]

log_app = typer.Typer(help="Log pain, the functional scale or a re-test.", no_args_is_help=True)


def _now() -> datetime:
    return datetime.now(UTC)


def _db() -> Database:
    from psoas.services.tracking import open_database

    return open_database()


def _tracking_errors(*more: type[Exception]) -> tuple[type[Exception], ...]:
    """The errors a tracking command reports as problems with the input (and ``more``)."""
    from pydantic import ValidationError

    from psoas.services.tracking import TrackingError

    return (TrackingError, ValidationError, *more)


def _validation_lines(exc: Exception) -> list[str]:
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        from psoas.domain.intake import describe_errors

        return describe_errors(exc)
    return [str(exc)]


def session(
    profile: ProfileOption = None,
    pain_before: Annotated[
        int | None, typer.Option(min=0, max=10, help="pain now, 0-10 (asked if not given)")
    ] = None,
    pain_after: Annotated[
        int | None, typer.Option(min=0, max=10, help="pain after, 0-10 (asked if not given)")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="no spoken cues")] = False,
    speed: Annotated[float, typer.Option(hidden=True, help="time multiplier, for tests")] = 1.0,
) -> None:
    """Lead today's session: steps, countdowns, sides and sets, breathing and spoken cues."""
    from rich.console import Console

    from psoas.cli.format import format_session_end
    from psoas.cli.player import Keys, Player, Speaker
    from psoas.domain.adherence import planned_sets, session_report
    from psoas.domain.session_plan import session_steps
    from psoas.services import custom_exercises, tracking

    name = profile_name(profile)
    console = Console(highlight=False)
    db = _db()
    try:
        if _recheck_first(db, name, pain_now=pain_before):
            return
        record, version = tracking.start_session(db, profile_name=name, now=_now())
    except _tracking_errors() as exc:
        raise fail(_validation_lines(exc)) from exc
    assert record.id is not None
    session_id = record.id
    catalog = custom_exercises.catalog_for_program(db, version.program)
    steps = session_steps(version.program, catalog)
    minutes = sum(s.get_ready_seconds + s.run_seconds + s.rest_seconds for s in steps) / 60
    set_count = sum(len(s.sides) for s in steps)  # a step taking sides in turn does two sets
    console.print(
        f"[bold]Session for {name}[/bold]: program version {version.version}, "
        f"{set_count} sets, about {minutes:.0f} minutes. Every finished set is saved at once."
    )
    interactive = sys.stdin.isatty()
    if pain_before is None and interactive:
        pain_before = (
            typer.prompt("Pain right now, 0-10 (Enter to skip)", default="", show_default=False)
            or None
        )
        pain_before = _rating(pain_before)
    if pain_before is not None:
        tracking.log_pain(
            db,
            profile_name=name,
            score=pain_before,
            context="before_session",
            session_id=session_id,
            now=_now(),
        )

    def save(step, at: datetime) -> None:  # type: ignore[no-untyped-def]
        for entry in step.logs(session_id=session_id, completed_at=at, prefix=f"s{session_id}:"):
            tracking.log_set(db, entry=entry)

    speaker = Speaker(enabled=not quiet)
    with Keys() as keys:
        outcome = Player(console, speaker, keys, speed=speed).run(steps, save)
    status: Literal["quit", "completed"] = "quit" if outcome.quit else "completed"
    tracking.finish_session(db, session_id=session_id, status=status, now=_now())
    if pain_after is None and interactive:
        pain_after = _rating(
            typer.prompt("Pain now, 0-10 (Enter to skip)", default="", show_default=False) or None
        )
    if pain_after is not None:
        tracking.log_pain(
            db,
            profile_name=name,
            score=pain_after,
            context="after_session",
            session_id=session_id,
            now=_now(),
        )
    report = session_report(
        planned_sets(version.program),
        [k for s in outcome.completed for k in s.keys],
        stopped=outcome.quit,
    )
    console.print(format_session_end(report))


def _rating(raw: Any) -> int | None:
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return None
    return value if 0 <= value <= 10 else None


def breaks(
    profile: ProfileOption = None,
    interval: Annotated[
        int | None,
        typer.Option(min=10, max=120, help="minutes between breaks (default: the program's)"),
    ] = None,
    start: Annotated[str, typer.Option(help="working hours start, HH:MM")] = "09:00",
    end: Annotated[str, typer.Option(help="working hours end, HH:MM")] = "17:30",
    weekends: Annotated[bool, typer.Option(help="also coach on Saturday and Sunday")] = False,
    pause: Annotated[
        int | None,
        typer.Option(min=1, max=480, help="pause the coach for this many minutes and exit"),
    ] = None,
    once: Annotated[bool, typer.Option(help="wait for one break, record the answer, exit")] = False,
    answer: Annotated[
        str | None, typer.Option(help="answer without asking: taken, snoozed or skipped")
    ] = None,
    no_wait: Annotated[bool, typer.Option(hidden=True, help="prompt at once, for tests")] = False,
) -> None:
    """Coach breaks from sitting: a reminder every N minutes with a short movement to do.

    Answer t (taken), s (snooze 10 minutes) or k (skip). Everything is recorded, so stopping
    and starting again never loses count.
    """
    from psoas.reports import result_text
    from psoas.services import breaks  # this command is named breaks too: the module wins here

    name = profile_name(profile)
    db = _db()
    try:
        plan = breaks.plan(
            db,
            profile_name=name,
            interval=interval,
            start=start,
            end=end,
            weekends=weekends,
            now=_now(),
        )
    except _tracking_errors(ValueError) as exc:
        raise fail(_validation_lines(exc)) from exc
    if pause is not None:
        breaks.record(
            db,
            profile_name=name,
            kind="snoozed",
            movement_id=None,
            snooze_minutes=pause,
            now=_now(),
        )
        typer.echo(f"Break coach paused for {pause} minutes.")
        return
    if answer is not None and answer not in ("taken", "snoozed", "skipped"):
        raise fail(["--answer: must be taken, snoozed or skipped"])
    typer.echo(
        f"Break coach for {name}: every {plan.interval} minutes, {start}-{end}"
        f"{' every day' if weekends else ' on weekdays'}. Ctrl+C to stop."
    )
    notifier = breaks.Notifier()
    while True:
        due = breaks.next_due(db, plan=plan, profile_name=name, now=_now())
        if not no_wait:
            typer.echo(f"Next break at {due.astimezone(plan.zone).strftime('%H:%M')}.")
            while _now() < due:
                time.sleep(min(30.0, max(0.5, (due - _now()).total_seconds())))
        movement = breaks.suggest(db, plan=plan, profile_name=name)
        breaks.record(
            db,
            profile_name=name,
            kind="prompted",
            movement_id=movement.id if movement else None,
            now=_now(),
        )
        message = breaks.prompt_text(movement, plan.interval, seated=plan.seated)
        notifier.notify(result_text.break_call(plan.seated), message)
        typer.echo("\a" + message)
        reply = cast(BreakAnswer, answer or _ask_break())
        snooze = 10 if reply == "snoozed" else None
        breaks.record(
            db,
            profile_name=name,
            kind=reply,
            movement_id=movement.id if movement else None,
            snooze_minutes=snooze,
            now=_now(),
        )
        typer.echo(
            {"taken": "Well done.", "snoozed": "Snoozed for 10 minutes.", "skipped": "Skipped."}[
                reply
            ]
        )
        if once:
            return


def _ask_break() -> str:
    while True:
        raw = typer.prompt("Did you take it? t = taken, s = snooze 10 min, k = skip", default="t")
        choice = {"t": "taken", "s": "snoozed", "k": "skipped"}.get(raw.strip().lower()[:1])
        if choice:
            return choice
        typer.echo("Please type t, s or k.")


def _recheck_first(db: Any, name: str, *, pain_now: int | None) -> bool:
    """Rising pain re-asks the warning signs before anything else. True when the caller must
    stop (the check ran and held the program back, or it could not be asked)."""
    from psoas.cli.format import wrap
    from psoas.domain.recheck import PAIN_RISE_POINTS
    from psoas.services import programs, tracking

    state = tracking.program_state(db, profile_name=name)
    if state.assessment is None or state.held_back:
        return False
    start = state.assessment.intake.pain.intensity_now
    message = programs.recheck_message(state)
    if message is None and pain_now is not None and pain_now >= start + PAIN_RISE_POINTS:
        message = programs.RECHECK_MESSAGE.format(start=start, now=pain_now)
    if message is None:
        return False
    typer.echo(wrap(message), err=True)
    if not sys.stdin.isatty():
        raise fail(["Answer them with `psoas recheck`, then start the session again."])
    if pain_now is None:
        assert state.pain_rise is not None  # the message came from the stored ratings
        pain_now = state.pain_rise.score
    return _ask_recheck(db, name, pain_now=pain_now).program is None


def _ask_recheck(db: Any, name: str, *, pain_now: int) -> Any:
    """Ask the warning-sign questions again, assess, keep it and say what it found."""
    from psoas.cli.format import format_triage, wrap
    from psoas.cli.questionnaire import ask
    from psoas.domain.recheck import intake_answers, kept_answers, next_recheck_question
    from psoas.services import tracking

    state = tracking.program_state(db, profile_name=name)
    assert state.assessment is not None
    intake = state.assessment.intake
    kept = kept_answers(intake)
    answers: dict[str, Any] = {}
    q = next_recheck_question(intake, answers)
    if q is not None:
        typer.echo(
            wrap("The warning signs first; then your answers from last time, to keep or change.")
        )
    while q is not None:
        value = ask(q, {**intake_answers(intake), **answers}, keep=kept.get(q.path))
        answers[q.path] = [] if value is None and q.kind == "multi" else value
        if value is None and q.kind != "multi":
            del answers[q.path]
        q = next_recheck_question(intake, answers, after=q.path)
    result = tracking.recheck(db, profile_name=name, answers=answers, pain_now=pain_now, now=_now())
    typer.echo(format_triage(result))
    return result


def recheck(
    pain: Annotated[int, typer.Option(min=0, max=10, help="pain now, 0-10")],
    profile: ProfileOption = None,
) -> None:
    """Answer the warning-sign questions again (do it when pain goes up): a red flag holds the
    program back; otherwise the program is made again for today's pain."""
    if not sys.stdin.isatty():
        raise fail(["psoas recheck asks questions: run it in a terminal"])
    try:
        _ask_recheck(_db(), profile_name(profile), pain_now=pain)
    except _tracking_errors() as exc:
        raise fail(_validation_lines(exc)) from exc


@log_app.command("pain")
def log_pain(
    score: Annotated[int, typer.Argument(help="pain now, 0 (none) to 10 (worst imaginable)")],
    profile: ProfileOption = None,
) -> None:
    """Record today's pain, 0-10."""
    from psoas.services import tracking

    if not 0 <= score <= 10:
        raise fail([f"SCORE: must be from 0 to 10, not {score}"])
    try:
        db = _db()
        tracking.log_pain(db, profile_name=profile_name(profile), score=score, now=_now())
    except _tracking_errors() as exc:
        raise fail(_validation_lines(exc)) from exc
    typer.echo(f"Pain {score}/10 recorded.")
    from psoas.cli.format import wrap
    from psoas.services import programs

    message = programs.recheck_message(
        tracking.program_state(db, profile_name=profile_name(profile))
    )
    if message:
        typer.echo(wrap(message))
        typer.echo(f"Answer them with: psoas recheck --pain {score}")


@log_app.command("psfs")
def log_psfs(
    entries: Annotated[
        list[str],
        typer.Argument(
            metavar="ACTIVITY=SCORE...",
            help="3 to 5 of your own activities, each scored 0 (cannot do it) to 10 (as well "
            "as before the problem), e.g. 'getting out of the car=4'",
        ),
    ],
    profile: ProfileOption = None,
) -> None:
    """Record the patient-specific functional scale: your own 3-5 activities, 0-10 each."""
    from psoas.domain.tracking import PsfsActivity, PsfsEntry
    from psoas.services import tracking

    activities = []
    problems = []
    for n, raw in enumerate(entries):
        activity, sep, score = raw.rpartition("=")
        if not sep or not score.strip().isdigit():
            problems.append(f"ACTIVITY=SCORE[{n}]: {raw!r} must look like 'walking the dog=6'")
            continue
        activities.append({"activity": activity.strip(), "score": int(score)})
    if problems:
        raise fail(problems)
    try:
        entry = PsfsEntry(at=_now(), activities=tuple(PsfsActivity(**a) for a in activities))
        tracking.log_psfs(_db(), profile_name=profile_name(profile), entry=entry)
    except _tracking_errors() as exc:
        raise fail(_validation_lines(exc)) from exc
    typer.echo(
        f"Functional scale recorded: mean {entry.mean:.1f}/10 over {len(activities)} activities."
    )


@log_app.command("retest")
def log_retest(
    thomas_left: Annotated[
        float | None,
        typer.Option(help="Thomas test hip angle, left, degrees above (+) or below (-) the table"),
    ] = None,
    thomas_right: Annotated[float | None, typer.Option(help="Thomas test hip angle, right")] = None,
    knee_left: Annotated[
        float | None, typer.Option(help="Thomas test knee angle, left, degrees")
    ] = None,
    knee_right: Annotated[float | None, typer.Option(help="Thomas test knee angle, right")] = None,
    resisted_left: Annotated[
        str | None, typer.Option(help="normal, weak, painful or weak_painful")
    ] = None,
    resisted_right: Annotated[
        str | None, typer.Option(help="normal, weak, painful or weak_painful")
    ] = None,
    profile: ProfileOption = None,
) -> None:
    """Record a re-test: Thomas test angles and resisted hip flexion."""
    from psoas.domain.tracking import Retest
    from psoas.services import tracking

    try:
        retest = Retest(
            at=_now(),
            thomas_left_hip_deg=thomas_left,
            thomas_right_hip_deg=thomas_right,
            thomas_left_knee_deg=knee_left,
            thomas_right_knee_deg=knee_right,
            resisted_left=resisted_left,
            resisted_right=resisted_right,
        )
        tracking.log_retest(_db(), profile_name=profile_name(profile), retest=retest)
    except _tracking_errors() as exc:
        raise fail(_validation_lines(exc)) from exc
    typer.echo("Re-test recorded.")


def export(
    format: Annotated[
        str,
        typer.Option(
            "--format", "-f", help="json (backup), csv, fhir, ics (calendar) or pdf (handout)"
        ),
    ] = "json",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="file to write (default: standard output)")
    ] = None,
    profile: ProfileOption = None,
) -> None:
    """Export everything recorded: a JSON backup, CSV of logs, a FHIR bundle, a calendar of the
    sessions or the printable handout."""
    from psoas.services import exports, programs
    from psoas.settings import Settings

    if format == "pdf" and output is None and sys.stdout.isatty():
        raise fail(["--format pdf: the handout is a PDF file: add -o handout.pdf"])
    try:
        data = exports.export(
            _db(),
            profile_name=profile_name(profile),
            fmt=format,
            now=_now(),
            emergency_number=Settings().emergency_number,
        ).data
    except programs.ProgramUnavailable as exc:
        raise fail([exc.message]) from exc
    except _tracking_errors(ValueError) as exc:
        raise fail(_validation_lines(exc)) from exc
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        output.write_bytes(data)
        typer.echo(f"Wrote {output} ({len(data)} bytes).", err=True)


def import_(
    file: Annotated[Path, typer.Argument(help="a JSON backup made by `psoas export`")],
    name: Annotated[str | None, typer.Option(help="restore under this profile name")] = None,
) -> None:
    """Restore a JSON backup as a new profile. A corrupt file changes nothing."""
    from psoas.services import exports

    try:
        profile = exports.import_backup(_db(), data=file.read_bytes(), name=name)
    except OSError as exc:
        raise fail([f"FILE: cannot read {file}: {exc.strerror}"]) from exc
    except exports.ImportProblem as exc:
        raise fail(exc.problems) from exc
    except _tracking_errors() as exc:
        raise fail(_validation_lines(exc)) from exc
    typer.echo(f"Restored profile {profile.name!r}.")


def profiles(format: FormatOption = Format.text) -> None:
    """List the profiles on this machine."""
    from psoas.storage import repo

    db = _db()
    with db.session() as s:
        found = repo.list_profiles(s)
    if format is Format.json:
        echo_json([p.model_dump(mode="json") for p in found])
        return
    for p in found:
        typer.echo(f"{p.name}  (since {p.created_at:%Y-%m-%d})")
    if not found:
        typer.echo("No profiles yet: `psoas assess --save` makes one.")


def progress(
    profile: ProfileOption = None,
    apply: Annotated[
        bool, typer.Option("--apply", help="apply the suggested change as a new program version")
    ] = False,
    charts: Annotated[
        Path | None, typer.Option(help="write charts (pain, adherence, function, re-test) here")
    ] = None,
    chart_format: Annotated[str, typer.Option(help="png or svg")] = "png",
    format: FormatOption = Format.text,
) -> None:
    """Adherence, pain, function and re-tests over time, and what the program should do next."""
    from psoas.cli.format import format_progress
    from psoas.services import progress  # the module, inside the command of the same name

    name = profile_name(profile)
    db = _db()
    try:
        report = progress.report(db, profile_name=name, now=_now(), with_sets=charts is not None)
    except _tracking_errors() as exc:
        raise fail(_validation_lines(exc)) from exc
    written: list[str] = []
    if charts is not None:
        if chart_format not in ("png", "svg"):
            raise fail(["--chart-format: must be png or svg"])
        from psoas.reports.charts import progress_charts

        charts.mkdir(parents=True, exist_ok=True)
        for filename, data in progress_charts(report.history, fmt=chart_format).items():  # type: ignore[arg-type]
            (charts / filename).write_bytes(data)
            written.append(str(charts / filename))
    if format is Format.json:
        echo_json(
            {
                "summary": report.summary.model_dump(mode="json"),
                "decision": report.decision.model_dump(mode="json"),
                "charts": written,
            }
        )
    else:
        typer.echo(format_progress(report.summary, report.decision))
        for path in written:
            typer.echo(f"chart: {path}")
    if report.decision.program is None:
        if apply:
            typer.echo("Nothing applied: this decision does not change the program.", err=True)
        return
    if not apply and format is Format.text and sys.stdin.isatty():
        apply = typer.confirm("Apply this change to your program?", default=False)
    if apply:
        from psoas.services import steps

        try:  # decided again now; a profile linked to a clinician asks them for a step up
            outcome = steps.step(db, profile_name=name, now=_now())
        except steps.StepError as exc:
            raise fail([str(exc)]) from exc
        except _tracking_errors() as exc:
            raise fail(_validation_lines(exc)) from exc
        if outcome.applied is not None:
            typer.echo(
                f"Program version {outcome.applied.version} saved: {report.decision.kind}.",
                err=True,
            )
        else:
            typer.echo(outcome.message, err=True)
