"""The ``psoas`` command. Commands import what they need when they run, so start-up stays fast."""

from __future__ import annotations

import enum
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from psoas.cli import backup, tracking
from psoas.cli.account import account_app
from psoas.cli.admin import admin_app
from psoas.cli.common import Format, FormatOption, ProfileOption, echo_json, fail, profile_name
from psoas.cli.reminders import reminders_app

if TYPE_CHECKING:
    from psoas.cli.questionnaire import Stopped

app = typer.Typer(
    name="psoas",
    help="Low back pain and the hip flexors: screen for warning signs, weigh the signs, and get "
    "a safe home program with its reasons and sources. It informs; it does not diagnose.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
catalog_app = typer.Typer(help="The exercises and protocols psoas draws on.", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")


class SchemaName(enum.StrEnum):
    intake = "intake"
    assessment = "assessment"


@app.command()
def assess(
    input: Annotated[
        str | None,
        typer.Option(
            "--input",
            "-i",
            help="An intake file (intake-v2 or intake-v1 JSON), or - for standard input. "
            "Without it, psoas asks the questions in the terminal.",
        ),
    ] = None,
    format: FormatOption = Format.text,
    save: Annotated[
        bool,
        typer.Option(
            "--save",
            help="keep the intake, the result and the program under --profile, to follow it "
            "with `psoas session`",
        ),
    ] = False,
    profile: ProfileOption = None,
) -> None:
    """Assess an intake: warning signs, hip-flexor signs, tighter side and a home program."""
    from psoas.services.assessment import IntakeError, parse_intake, run_assessment

    if input is None:
        from psoas.cli.questionnaire import Stopped, ask_intake

        if _stdin_is_a_pipe_or_file():
            raise fail(
                [
                    "--input: standard input is not a terminal. To assess a file, pass it: "
                    "`psoas assess --input FILE`, or `--input -` to read standard input."
                ]
            )

        asked = ask_intake()
        if isinstance(asked, Stopped):
            _keep_emergency_stop(asked, save=save, profile=profile)
            if format is Format.json:
                echo_json(asked.assessment.model_dump(mode="json"))
            raise typer.Exit(0)
        intake = asked
    else:
        try:
            raw = sys.stdin.buffer.read() if input == "-" else Path(input).read_bytes()
        except OSError as exc:
            raise fail([f"--input: cannot read {input}: {exc.strerror}"]) from exc
        try:
            intake = parse_intake(raw)
        except IntakeError as exc:
            raise fail(exc.problems) from exc
    assessment = run_assessment(intake)
    if input is None and not save and sys.stdin.isatty() and assessment.program is not None:
        save = typer.confirm("Save this program to follow it with `psoas session`?", default=True)
    if save:
        from datetime import UTC, datetime

        from psoas.services.tracking import open_database, save_assessment

        name = profile_name(profile)
        version = save_assessment(
            open_database(),
            profile_name=name,
            intake=intake,
            assessment=assessment,
            now=datetime.now(UTC),
        )
        note = (
            f"Saved for profile {name!r}: program version {version.version}. Next: `psoas session`."
            if version
            else f"Saved for profile {name!r}; no program is given until the warning signs "
            "are checked."
        )
        typer.echo(note, err=True)
    if format is Format.json:
        echo_json(assessment.model_dump(mode="json"))
    else:
        from psoas.catalog import load_catalog
        from psoas.cli.format import format_assessment
        from psoas.settings import Settings

        number = Settings().emergency_number
        typer.echo(format_assessment(assessment, load_catalog(), emergency_number=number))


def _keep_emergency_stop(stopped: Stopped, *, save: bool, profile: str | None) -> None:
    """With --save, or when the profile already has a saved program, keep the emergency so
    that `psoas session` and the web app hold that program back too."""
    from datetime import UTC, datetime

    from psoas.services.tracking import open_database, profile_saved, save_assessment

    name = profile_name(profile)
    if not (save or profile_saved(name)):
        return
    save_assessment(
        open_database(),
        profile_name=name,
        intake=stopped.intake,
        assessment=stopped.assessment,
        now=datetime.now(UTC),
        complete=False,
    )
    typer.echo(
        f"Kept for profile {name!r}: its home program is held back until a doctor has checked "
        "these signs and you answer the questions again.",
        err=True,
    )


def _stdin_is_a_pipe_or_file() -> bool:
    """True when standard input is a real file or pipe (someone meant --input -)."""
    try:
        fd = sys.stdin.fileno()
    except (AttributeError, OSError, ValueError):
        return False  # not backed by a file descriptor: an in-process driver
    return not os.isatty(fd)


class Side(enum.StrEnum):
    right = "right"
    left = "left"


class Category(enum.StrEnum):
    release = "release"
    stretch = "stretch"
    strengthen = "strengthen"
    posture = "posture"
    movement = "movement"


@catalog_app.command("list")
def catalog_list(
    category: Annotated[Category | None, typer.Option(help="only this category")] = None,
    format: FormatOption = Format.text,
) -> None:
    """List every exercise in the catalog."""
    from psoas.catalog import load_catalog
    from psoas.cli.format import format_catalog_list

    catalog = load_catalog()
    items = [e for e in catalog.exercises if category is None or e.category == category]
    if format is Format.json:
        echo_json(
            {
                "version": catalog.version,
                "exercises": [e.model_dump(mode="json") for e in items],
                "clinician_options": [c.model_dump(mode="json") for c in catalog.clinician_options]
                if category is None
                else [],
            }
        )
    else:
        typer.echo(format_catalog_list(items))
        if category is None:
            typer.echo("\nWith a clinician only (never a home item):")
            for c in catalog.clinician_options:
                typer.echo(f"  {c.id:<38} {c.name} ({c.who})")
        typer.echo(f"\ncatalog {catalog.version}; `psoas catalog show ID` for the details")


@catalog_app.command("show")
def catalog_show(
    exercise_id: Annotated[str, typer.Argument(metavar="ID", help="an exercise id")],
    format: FormatOption = Format.text,
) -> None:
    """Show one exercise in full: steps, cues, dose, safety, variants and sources."""
    from psoas.catalog import load_catalog
    from psoas.cli.format import format_exercise

    catalog = load_catalog()
    try:
        ex = catalog.exercise(exercise_id)
    except KeyError as exc:
        known = ", ".join(e.id for e in catalog.exercises)
        raise fail([f"ID: no exercise {exercise_id!r}. Known ids: {known}"]) from exc
    from psoas.reports import pictures

    listed = pictures.pictures(ex.id)
    if format is Format.json:
        echo_json(
            {
                **ex.model_dump(mode="json"),
                "pictures": [{"name": p.name, "title": p.title, "url": p.url()} for p in listed],
            }
        )
    else:
        typer.echo(format_exercise(ex, catalog))
        typer.echo("\nPictures (psoas catalog illustrate ID; on the web at the address shown):")
        for p in listed:
            typer.echo(f"  {p.name:<32} {p.url()}")


@catalog_app.command("illustrate")
def catalog_illustrate(
    exercise_id: Annotated[
        str | None, typer.Argument(metavar="ID", help="an exercise id (or --all)")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="the SVG file to write (default stdout)")
    ] = None,
    picture: Annotated[
        str, typer.Option("--picture", "-p", help="main, technique, placement or a variant")
    ] = "main",
    side: Annotated[Side, typer.Option(help="the side being worked")] = Side.right,
    all_to: Annotated[
        Path | None, typer.Option("--all", help="write every picture of every item to DIR")
    ] = None,
    check: Annotated[
        bool,
        typer.Option("--check", help="check the pictures' geometry (all without an ID)"),
    ] = False,
) -> None:
    """Draw an exercise's picture as SVG, or every picture with --all DIR."""
    from psoas.catalog import load_catalog
    from psoas.reports import pictures

    if all_to is None and exercise_id is None and not check:
        raise fail(["give an exercise ID, or --all DIR, or --check"])
    catalog = load_catalog()
    if exercise_id is not None and exercise_id not in {e.id for e in catalog.exercises}:
        raise fail([f"ID: no exercise {exercise_id!r}; `psoas catalog list` shows them"])
    ids = [e.id for e in catalog.exercises] if exercise_id is None else [exercise_id]
    undrawn = [i for i in ids if pictures.find(i) is None]
    chosen = [
        p
        for i in ids
        if i not in undrawn
        for p in pictures.pictures(i)
        if exercise_id is None or all_to is not None or check or p.name == picture
    ]
    if undrawn and not check:
        raise fail([f"ID: no pictures yet for {', '.join(undrawn)}"])
    if not chosen and not check:
        names = ", ".join(p.name for p in pictures.pictures(ids[0]))
        raise fail([f"--picture: {exercise_id} has {names}"])
    if check:
        bad = len(undrawn)
        for i in undrawn:
            typer.echo(f"{i}: no pictures")
        for p in chosen:
            for problem in pictures.check(p.item_id, p.name):
                bad += 1
                typer.echo(f"{p.item_id}/{p.name}: {problem}")
        typer.echo(f"{len(chosen)} pictures checked, {bad} problems")
        raise typer.Exit(1 if bad else 0)
    if all_to is not None:
        all_to.mkdir(parents=True, exist_ok=True)
        for p in chosen:
            for s in ("right", "left"):
                name = p.item_id if p.name == "main" else f"{p.item_id}--{p.name}"
                text = pictures.svg(p.item_id, p.name, s)
                (all_to / f"{name}.{s}.svg").write_text(text, encoding="utf-8")
        typer.echo(f"{len(chosen) * 2} pictures written to {all_to}")
        return
    text = pictures.svg(chosen[0].item_id, chosen[0].name, side.value)
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"{chosen[0].title} written to {output}", err=True)


@app.command()
def sources(format: FormatOption = Format.text) -> None:
    """The bibliography every exercise and rule cites."""
    from psoas.catalog import load_catalog
    from psoas.cli.format import format_sources

    refs = load_catalog().references
    if format is Format.json:
        echo_json([r.model_dump(mode="json") for r in refs])
    else:
        typer.echo(format_sources(refs))


@app.command()
def schema(name: Annotated[SchemaName, typer.Argument(help="intake or assessment")]) -> None:
    """Print the JSON Schema psoas generates for its intake or its assessment."""
    from psoas.services.schemas import json_schema

    echo_json(json_schema(name.value))


app.command()(tracking.session)
app.command()(tracking.breaks)
app.add_typer(tracking.log_app, name="log")
app.command()(tracking.export)
app.command("import")(tracking.import_)
app.command()(tracking.profiles)
app.command()(tracking.progress)
app.command()(tracking.recheck)
app.command()(backup.backup)
app.command()(backup.restore)
app.add_typer(reminders_app, name="reminders")
app.add_typer(account_app, name="account")
app.add_typer(admin_app, name="admin")


@app.command()
def web(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=16, help="worker processes")] = 1,
    demo: Annotated[
        bool, typer.Option("--demo", help="load the demo clinic (published demo passwords)")
    ] = False,
) -> None:
    """Serve the web app for patients and clinicians (SQLite by default, or PSOAS_DATABASE_URL)."""
    import os
    from datetime import UTC, datetime

    from psoas.settings import Settings
    from psoas.web import serve

    if demo:
        os.environ["PSOAS_DEMO"] = "true"
    Settings()  # refuses unsafe production settings, naming them, before anything starts
    from psoas.services.tracking import open_database

    db = open_database()  # migrate once here, before the workers start
    if demo:
        from psoas.web.demo import CLINIC_NAME, CLINICIAN_EMAIL, DEMO_ACCOUNTS, load_demo

        load_demo(db, datetime.now(UTC))
        typer.echo("Demo clinic loaded. Sign in with:")
        for email, password, role in DEMO_ACCOUNTS:
            typer.echo(f"  {role:<10} {email:<24} {password}")
        typer.echo(f"{CLINICIAN_EMAIL} administers the demo clinic, {CLINIC_NAME} (Clinic page).")
    db.close()
    typer.echo(f"psoas web app: http://{host}:{port}/  (Ctrl+C to stop)")
    serve.run(host=host, port=port, workers=workers)


def main() -> None:
    try:
        app()
    except Exception as exc:
        # A PSOAS_ setting that is not valid: name it, as a refused intake names its fields.
        if type(exc).__name__ != "ValidationError" or getattr(exc, "title", "") != "Settings":
            raise
        for error in exc.errors():  # type: ignore[attr-defined]
            name = "PSOAS_" + str(error["loc"][0]).upper() if error["loc"] else "psoas settings"
            typer.echo(f"{name}: {error['msg'].removeprefix('Value error, ')}", err=True)
        sys.exit(2)
