"""Assessing an intake: what every surface (CLI, web, API) calls."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from psoas.catalog import load_catalog
from psoas.domain.assess import assess
from psoas.domain.clearance import MedicalClearance
from psoas.domain.errors import InputError, load_document
from psoas.domain.intake import Intake, describe_errors, parse
from psoas.domain.questionnaire import provisional_intake
from psoas.domain.results import Assessment, Triage
from psoas.domain.triage import triage


class IntakeError(ValueError):
    """An intake that is not valid JSON or breaks the intake contract (version 1 or 2)."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def parse_intake(text: str | bytes) -> Intake:
    """Parse and validate an intake document, naming every offending field on failure."""
    try:
        data = load_document(text)
    except InputError as exc:
        raise IntakeError([f"{p.field}: {p.message}" for p in exc.problems]) from exc
    return validate_intake(data)


def validate_intake(data: Any) -> Intake:
    if not isinstance(data, dict):
        raise IntakeError(["(document): must be a JSON object"])
    try:
        return parse(data)
    except ValidationError as exc:
        raise IntakeError(describe_errors(exc)) from exc


def run_assessment(
    intake: Intake, *, pain_risen: bool = False, clearance: MedicalClearance | None = None
) -> Assessment:
    return assess(intake, load_catalog(), pain_risen=pain_risen, clearance=clearance)


def early_emergency(answers: dict[str, Any]) -> Triage | None:
    """An emergency found in the answers so far (used to stop a questionnaire at once)."""
    try:
        intake = Intake.model_validate(provisional_intake(answers))
    except ValidationError:
        return None
    result = triage(intake)
    return result if result.level == "emergency" else None


def emergency_stop(answers: dict[str, Any]) -> tuple[Intake, Assessment] | None:
    """When the answers so far are an emergency: the intake to keep (the answers completed with
    the questionnaire's neutral placeholders) and its result, which holds every program back.
    None otherwise. Every surface that stops its questions early keeps this."""
    if early_emergency(answers) is None:
        return None
    intake = Intake.model_validate(provisional_intake(answers))
    return intake, run_assessment(intake)
