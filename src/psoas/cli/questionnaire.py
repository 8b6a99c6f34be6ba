"""The intake questionnaire in the terminal: warning signs first, an emergency stops it at once."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import typer

from psoas.cli.format import wrap
from psoas.domain.assessment import Assessment
from psoas.domain.intake import Intake
from psoas.domain.questionnaire import QUESTIONS, SECTIONS, Question, set_path
from psoas.domain.triage import LEVEL_TITLES
from psoas.services.assessment import IntakeError, emergency_stop, validate_intake


def _ask_number(q: Question) -> Any:
    while True:
        raw = typer.prompt(
            q.text + ("" if q.required else " (Enter to skip)"),
            default="" if not q.required else None,
            show_default=False,
        )
        raw = str(raw).strip()
        if not raw and not q.required:
            return None
        try:
            value: float = int(raw) if q.kind == "integer" else float(raw)
        except ValueError:
            typer.echo("  Please type a " + ("whole number." if q.kind == "integer" else "number."))
            continue
        if (
            not math.isfinite(value)
            or (q.minimum is not None and value < q.minimum)
            or (q.maximum is not None and value > q.maximum)
        ):
            typer.echo(f"  Please give a number from {q.minimum:g} to {q.maximum:g}.")
            continue
        return value


def _ask_choice(q: Question, multi: bool) -> Any:
    typer.echo(q.text)
    for n, (_, label) in enumerate(q.choices, 1):
        typer.echo(f"  {n}. {label}")
    hint = "numbers separated by commas" if multi else "a number"
    if not q.required:
        hint += ", or Enter to skip"
    while True:
        raw = str(
            typer.prompt(
                f"Your answer ({hint})", default="" if not q.required else None, show_default=False
            )
        ).strip()
        if not raw and not q.required:
            return [] if multi else None
        picks = [p.strip() for p in raw.split(",") if p.strip()]
        values = []
        for p in picks:
            if p.isdigit() and 1 <= int(p) <= len(q.choices):
                values.append(q.choices[int(p) - 1][0])
        if picks and len(values) == len(picks) and (multi or len(values) == 1):
            return list(dict.fromkeys(values)) if multi else values[0]
        typer.echo(f"  Please type {hint}.")


def ask(q: Question) -> Any:
    if q.kind == "yes_no":
        if q.required:
            return typer.confirm(q.text, default=None)
        while True:
            raw = str(
                typer.prompt(q.text + " [y/n, Enter to skip]", default="", show_default=False)
            )
            answer = raw.strip().lower()
            if not answer:
                return None
            if answer in ("y", "yes", "n", "no"):
                return answer.startswith("y")
            typer.echo("  Please type y or n, or press Enter to skip.")
    if q.kind in ("integer", "number"):
        return _ask_number(q)
    if q.kind == "choice":
        return _ask_choice(q, multi=False)
    if q.kind == "multi":
        return _ask_choice(q, multi=True)
    raw = str(typer.prompt(q.text + " (Enter to skip)", default="", show_default=False)).strip()
    return raw[:200] or None


@dataclass(frozen=True)
class Stopped:
    """The questions stopped at an emergency: what to keep so that the program is held back."""

    intake: Intake
    assessment: Assessment


def ask_intake() -> Intake | Stopped:
    """Ask every question; return the intake, or what an emergency stopped the questions at."""
    typer.echo(
        wrap(
            "psoas asks about warning signs first, then your pain, your day and what you can "
            "do. It informs; it does not diagnose. Answer y or n, or type the number shown."
        )
    )
    answers: dict[str, Any] = {}
    section = ""
    examined = False
    for q in QUESTIONS:
        if q.section != section:
            if section == "warning":
                stopped = emergency_stop(answers)
                if stopped is not None:
                    stop = stopped[1].triage
                    typer.echo("")
                    typer.echo(f"{LEVEL_TITLES[stop.level]}: {stop.action}")
                    for r in stop.reasons:
                        typer.echo(wrap(r.message, "    ", "  ! "))
                    typer.echo(wrap("The questions stop here: no exercise is offered."))
                    return Stopped(*stopped)
            section = q.section
            if section == "exam":
                examined = typer.confirm(
                    "\nHas a clinician examined you, and do you want to enter the findings?",
                    default=False,
                )
            if section != "exam" or examined:
                typer.echo(f"\n{SECTIONS[section]}")
        if section == "exam" and not examined:
            continue
        if q.path == "health.pregnant" and answers.get("person.sex") == "male":
            continue
        value = ask(q)
        if value is not None and value != []:
            answers[q.path] = value
    document: dict[str, Any] = {"version": 1}
    for path, value in answers.items():
        set_path(document, path, value)
    try:
        return validate_intake(document)
    except IntakeError as exc:  # the prompts check ranges, so this means a bug: say so plainly
        raise typer.BadParameter("; ".join(exc.problems)) from exc
