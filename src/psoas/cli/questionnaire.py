"""The intake questionnaire in the terminal: warning signs first, an emergency stops it at once.

Which questions are asked, how an answer is read and the intake document the answers make all
come from :mod:`psoas.domain.questionnaire`, the same functions the web form uses; this module
only prompts and prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import typer

from psoas.cli.format import wrap
from psoas.domain.intake import Intake
from psoas.domain.questionnaire import (
    SECTIONS,
    Answers,
    Question,
    answer,
    intake_document,
    next_question,
)
from psoas.domain.results import Assessment
from psoas.domain.triage import LEVEL_TITLES
from psoas.services.assessment import IntakeError, emergency_stop, validate_intake


def _hint(q: Question, skip: bool = True) -> str:
    """What to type, after the question."""
    if q.kind in ("choice", "multi"):
        hint = "numbers separated by commas" if q.kind == "multi" else "a number"
    elif q.kind == "yes_no":
        hint = "y or n"
    elif q.kind in ("integer", "number"):
        hint = f"{'a whole number' if q.kind == 'integer' else 'a number'} from {q.minimum:g}"
        hint += f" to {q.maximum:g}"
    else:
        hint = "a few words"
    if skip and not q.required:
        hint += f", or Enter if {q.skip_label.lower()}" if q.skip_label else ", or Enter to skip"
    return hint


def _say(q: Question, problem: str) -> str:
    """A problem as a sentence, with what to type unless it says so already."""
    sentence = problem[0].upper() + problem[1:] + "."
    if _hint(q, skip=False) in problem:
        return sentence
    return f"{sentence} Please type {_hint(q)}."


def _shown(q: Question, value: Any) -> str:
    """An earlier answer in the question's own words."""
    labels: dict[str, str] = dict(q.choices)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(labels.get(str(v), str(v)) for v in value) or "none of these"
    return str(labels.get(value, value))


def ask(q: Question, answers: Answers, keep: Any = None) -> Any:
    """Ask one question until the answer reads well; the typed value (None: skipped).
    ``keep``: an earlier answer that Enter keeps."""
    if keep is not None:
        typer.echo(f"  Last time: {_shown(q, keep)} (Enter keeps it)")
    if q.kind in ("choice", "multi"):
        typer.echo(q.text)
        for n, (_, label) in enumerate(q.choices, 1):
            typer.echo(f"  {n}. {label}")
        prompt = f"Your answer ({_hint(q, skip=keep is None)})"
    else:
        prompt = f"{q.text} [{_hint(q, skip=keep is None)}]"
    if q.help:
        typer.echo(wrap(q.help, "  "))
    while True:
        raw = str(typer.prompt(prompt, default="", show_default=False))
        if keep is not None and not raw.strip():
            return keep
        read = answer(q, raw, answers)
        if read.problem is None:
            return read.value
        typer.echo(f"  {_say(q, read.problem)}")


@dataclass(frozen=True)
class Stopped:
    """The questions stopped at an emergency: what to keep so that the program is held back."""

    intake: Intake
    assessment: Assessment


def _stop(answers: Answers) -> Stopped | None:
    stopped = emergency_stop(dict(answers))
    if stopped is None:
        return None
    stop = stopped[1].triage
    typer.echo("")
    typer.echo(f"{LEVEL_TITLES[stop.level]}: {stop.action}")
    for r in stop.reasons:
        typer.echo(wrap(r.message, "    ", "  ! "))
    typer.echo(wrap("The questions stop here: no exercise is offered."))
    return Stopped(*stopped)


def ask_intake() -> Intake | Stopped:
    """Ask every question that applies; return the intake, or what an emergency stopped the
    questions at (checked at the end of each section, the warning signs first)."""
    typer.echo(
        wrap(
            "psoas asks about warning signs first, then your pain, your day and what you can "
            "do. It informs; it does not diagnose. Answer y or n, or type the number shown."
        )
    )
    answers: dict[str, Any] = {}
    section = ""
    q = next_question(answers)
    while q is not None:
        if q.section != section:
            if section and (stopped := _stop(answers)) is not None:
                return stopped
            section = q.section
            if section == "exam" and not typer.confirm(
                "\nHas a clinician examined you, and do you want to enter the findings?",
                default=False,
            ):
                break
            typer.echo(f"\n{SECTIONS[section]}")
        value = ask(q, answers)
        if value is not None:
            answers[q.path] = value
        q = next_question(answers, q.path)
    try:
        return validate_intake(intake_document(answers))
    except IntakeError as exc:  # the prompts check every answer, so this means a bug: say so
        raise typer.BadParameter("; ".join(exc.problems)) from exc
