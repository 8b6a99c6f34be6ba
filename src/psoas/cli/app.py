"""The ``psoas`` command. Commands import what they need when they run, so start-up stays fast."""

from __future__ import annotations

import enum
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

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


class Format(enum.StrEnum):
    text = "text"
    json = "json"


class SchemaName(enum.StrEnum):
    intake = "intake"
    assessment = "assessment"


FormatOption = Annotated[
    Format, typer.Option("--format", "-f", help="text for people, json for scripts")
]


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _fail(lines: list[str], code: int = 2) -> typer.Exit:
    for line in lines:
        typer.echo(line, err=True)
    return typer.Exit(code)


@app.command()
def assess(
    input: Annotated[
        str | None,
        typer.Option(
            "--input",
            "-i",
            help="An intake file (intake-v1 JSON), or - for standard input. Without it, psoas "
            "asks the questions in the terminal.",
        ),
    ] = None,
    format: FormatOption = Format.text,
) -> None:
    """Assess an intake: warning signs, hip-flexor signs, tighter side and a home program."""
    from psoas.services.assessment import IntakeError, parse_intake, run_assessment

    if input is None:
        from psoas.cli.questionnaire import ask_intake

        intake = ask_intake()
        if intake is None:
            raise typer.Exit(0)
    else:
        try:
            raw = sys.stdin.buffer.read() if input == "-" else Path(input).read_bytes()
        except OSError as exc:
            raise _fail([f"--input: cannot read {input}: {exc.strerror}"]) from exc
        try:
            intake = parse_intake(raw)
        except IntakeError as exc:
            raise _fail(exc.problems) from exc
    assessment = run_assessment(intake)
    if format is Format.json:
        _echo_json(assessment.model_dump(mode="json"))
    else:
        from psoas.catalog import load_catalog
        from psoas.cli.format import format_assessment

        typer.echo(format_assessment(assessment, load_catalog()))


@catalog_app.command("list")
def catalog_list(
    category: Annotated[
        str | None, typer.Option(help="release, stretch, strengthen, posture or movement")
    ] = None,
    format: FormatOption = Format.text,
) -> None:
    """List every exercise in the catalog."""
    from psoas.catalog import load_catalog
    from psoas.cli.format import format_catalog_list

    catalog = load_catalog()
    items = [e for e in catalog.exercises if category is None or e.category == category]
    if category is not None and not items:
        raise _fail([f"--category: no exercises in category {category!r}"])
    if format is Format.json:
        _echo_json(
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
        raise _fail([f"ID: no exercise {exercise_id!r}. Known ids: {known}"]) from exc
    if format is Format.json:
        _echo_json(ex.model_dump(mode="json"))
    else:
        typer.echo(format_exercise(ex, catalog))


@app.command()
def sources(format: FormatOption = Format.text) -> None:
    """The bibliography every exercise and rule cites."""
    from psoas.catalog import load_catalog
    from psoas.cli.format import format_sources

    refs = load_catalog().references
    if format is Format.json:
        _echo_json([r.model_dump(mode="json") for r in refs])
    else:
        typer.echo(format_sources(refs))


@app.command()
def schema(name: Annotated[SchemaName, typer.Argument(help="intake or assessment")]) -> None:
    """Print the JSON Schema psoas generates for its intake or its assessment."""
    from psoas.services.schemas import json_schema

    _echo_json(json_schema(name.value))


def main() -> None:
    app()
