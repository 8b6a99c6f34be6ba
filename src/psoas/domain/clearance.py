"""A doctor's medical clearance: the one way a red-flag hold is released.

A warning sign at the emergency or urgent level withholds the home program on every surface
until a doctor has seen the person (:func:`psoas.domain.triage.withholds_program`). A clinician
of the person's care team may then record a **medical clearance**: who cleared it (a name and a
doctor's role), when, and what for (the codes of the warning-sign rules of
:mod:`psoas.domain.triage` that the doctor checked, plus free text). :func:`psoas.domain.assess.
assess` takes the clearance and leaves the cleared rules out of the triage; every other rule
still runs, and so does every exclusion of the program (belly pressure, an injured muscle,
position, pregnancy, ...), because the program is built from the same answers as always.

The rules this module decides (pure; the services store clearances and pass them in):

- **Only warning signs that withhold the program can be cleared** (emergency and urgent rules
  that fired for these answers, :func:`clearable_rules`). A see-a-clinician reason is advice,
  not a hold, and stays as it is.
- **Only a doctor clears**, and every role in :data:`ROLES` is a doctor: the hold says "until a
  doctor has seen you", and the red-flag framework (finucane-2020) places the decision that a
  serious cause has been ruled out with the doctor who examined the person, after the tests they
  judged necessary.
- **Emergency-level reasons can be cleared** too, by the same doctors: suspected cauda equina is
  confirmed or excluded by an emergency assessment and MRI (girft-ces-2023); once a doctor who
  saw the person has ruled it out, holding the exercises for ever would only keep them from
  the usual care for back pain. A pulsating belly mass or a known aneurysm with new pain are
  cleared the same way, and belly pressure stays out for them whatever the clearance says
  (the program rules read the answers, not the triage).
- **A reason not covered keeps the hold**: a rule that fires but is not in the clearance's
  codes, including a rule that a cleared one used to hide (clearing "both legs weak" brings back
  "worsening leg weakness", which needs its own clearance).
- **A clearance covers the answers the doctor saw.** It applies to the assessment it was
  recorded for, and to a later one only when that one gives exactly the same warning-sign
  answers (:data:`psoas.domain.triage.WARNING_SIGN_FIELDS`) and is not a re-check made because
  pain rose (:func:`carries_over`). Any change in those answers, a better one included, or a
  rise in pain, holds the program again until a clinician records a new clearance: when in
  doubt, hold.
- After a clearance releases the hold, the person still gets a see-a-clinician reason
  (:data:`CLEARED_CODE`): keep in touch with the physiotherapist or doctor over the next two
  weeks. As for every see-a-clinician result, deep self-release waits for the clinician.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from psoas.domain.intake import Intake
from psoas.domain.results import ClearanceOut, Triage, TriageReason
from psoas.domain.triage import (
    RULES,
    WARNING_SIGN_FIELDS,
    RedFlagRule,
    action,
    fired_rules,
    withholds_program,
)

ClearerRole = Literal["gp", "emergency_physician", "hospital_specialist", "other_doctor"]

#: The doctors who may clear a warning sign, as the pages name them.
ROLES: dict[ClearerRole, str] = {
    "gp": "GP (family doctor)",
    "emergency_physician": "Emergency physician",
    "hospital_specialist": "Hospital specialist",
    "other_doctor": "Another doctor",
}

NAME_MAX = 120
NOTE_MAX = 2000

#: The reason a released hold leaves in the triage.
CLEARED_CODE = "medically-cleared"
CLEARED_SOURCES = ("finucane-2020", "nice-ng59")
CLEARED_MESSAGE = (
    "A doctor checked the warning signs in your answers and cleared you for the home program "
    "(see below). Keep in touch with your physiotherapist or doctor over the next two weeks, "
    "and get help at once if anything new appears."
)


class MedicalClearance(BaseModel):
    """A doctor's clearance as the care team recorded it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    cleared_by: str = Field(min_length=1, max_length=NAME_MAX, description="the doctor's name")
    role: ClearerRole
    cleared_at: datetime = Field(description="when the doctor cleared it (aware)")
    codes: frozenset[str] = Field(min_length=1, description="the warning-sign rules it covers")
    note: str = Field(default="", max_length=NOTE_MAX)
    recorded_by: str = Field(default="", max_length=NAME_MAX, description="the clinician")

    @field_validator("cleared_by", "recorded_by", "note", mode="before")
    @classmethod
    def _tidy(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value

    @field_validator("cleared_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("must have a time zone")
        return value

    @field_validator("codes")
    @classmethod
    def _known(cls, value: frozenset[str]) -> frozenset[str]:
        unknown = sorted(value - WITHHOLDING_CODES)
        if unknown:
            raise ValueError(f"not a warning sign that holds the program: {', '.join(unknown)}")
        return value


#: The rules in plain words, for the generated clinical-rules document.
DOC_RULES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "medical-clearance",
        "A red-flag hold is released only by a doctor's clearance recorded by a clinician of the "
        "person's care team: who cleared it (a GP, an emergency physician, a hospital specialist "
        "or another doctor), when, and the codes of the emergency or urgent rules it covers. Those "
        "rules are left out of the triage (the ones they hid count again); any other rule that "
        "fires keeps the hold. Every exclusion of the program still runs. The result keeps a "
        "see-a-clinician reason to stay in touch over two weeks.",
        ("finucane-2020", "girft-ces-2023"),
    ),
    (
        "clearance-carries-over",
        "A clearance covers the answers the doctor saw: a later assessment keeps it only with "
        "exactly the same warning-sign answers and never for a re-check made because pain rose. "
        "Any change holds the program again until a new clearance is recorded; withdrawing a "
        "clearance holds it at once.",
        ("finucane-2020", "nice-ng59"),
    ),
)

#: Every rule that can hold the program back, by code.
WITHHOLDING_CODES: frozenset[str] = frozenset(r.code for r in RULES if withholds_program(r.level))


def clearable_rules(intake: Intake, *, pain_risen: bool = False) -> tuple[RedFlagRule, ...]:
    """The warning signs that hold these answers' program back, including those a more urgent
    one hides: what a clearance must cover for the program to be given."""
    return tuple(
        r for r in fired_rules(intake, pain_risen=pain_risen) if withholds_program(r.level)
    )


def covered(
    intake: Intake, clearance: MedicalClearance | None, *, pain_risen: bool = False
) -> frozenset[str]:
    """The codes of ``clearance`` that apply to these answers (the rest mean nothing here)."""
    if clearance is None:
        return frozenset()
    return clearance.codes & {r.code for r in clearable_rules(intake, pain_risen=pain_risen)}


def _answer(intake: Intake, dotted: str) -> object:
    value: object = intake
    for part in dotted.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def warning_sign_answers(intake: Intake) -> dict[str, object]:
    """The answers the warning-sign rules read (the re-check's questions)."""
    return {f: _answer(intake, f) for f in WARNING_SIGN_FIELDS}


def carries_over(cleared_for: Intake, later: Intake, *, pain_risen: bool) -> bool:
    """Whether a clearance recorded for ``cleared_for`` still covers the ``later`` answers:
    the same warning-sign answers, and not a re-check made because pain rose."""
    return not pain_risen and warning_sign_answers(cleared_for) == warning_sign_answers(later)


def release(triage: Triage, codes: frozenset[str]) -> Triage:
    """The triage once ``codes`` were cleared (the caller left those rules out): when no hold
    remains, a see-a-clinician reason says that the doctor cleared it and to keep in touch."""
    if not codes or withholds_program(triage.level):
        return triage
    reason = TriageReason(
        code=CLEARED_CODE,
        level="see_clinician",
        message=CLEARED_MESSAGE,
        sources=CLEARED_SOURCES,
        within_hours=336,
        where="physiotherapist",
    )
    reasons = (*triage.reasons, reason)
    if triage.level == "see_clinician":
        return triage.model_copy(update={"reasons": reasons})
    return Triage(
        level="see_clinician",
        action=action("see_clinician", 336, "physiotherapist"),
        reasons=reasons,
        within_hours=336,
        where="physiotherapist",
    )


def described(
    clearance: MedicalClearance, codes: frozenset[str], intake: Intake, *, pain_risen: bool
) -> ClearanceOut:
    """What the result says about the clearance: who, when, and the warning signs it covers
    (each with its own message, as the person was first told)."""
    rules = [r for r in clearable_rules(intake, pain_risen=pain_risen) if r.code in codes]
    return ClearanceOut(
        cleared_by=clearance.cleared_by,
        role=clearance.role,
        role_name=ROLES[clearance.role],
        cleared_at=clearance.cleared_at,
        note=clearance.note,
        recorded_by=clearance.recorded_by,
        reasons=tuple(
            TriageReason(
                code=r.code,
                level=r.level,
                message=r.message,
                sources=r.sources,
                within_hours=r.within_hours,
                where=r.where,
            )
            for r in rules
        ),
        signs=tuple(r.title for r in rules),
    )


def rule_title(code: str) -> str:
    """A warning sign's short title (the code itself for an unknown one)."""
    for rule in RULES:
        if rule.code == code:
            return rule.title
    return code
