"""What an assessment produces (contracts ``assessment-v1`` and ``assessment-v2``, plus a few
extra output fields). One model serves both: a version 1 result is the same document with
``version: 1``, and its extra fields are allowed by the version 1 contract."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

TriageLevel = Literal["emergency", "urgent", "see_clinician", "self_care"]
InvolvementLevel = Literal["unlikely", "possible", "likely"]
Side = Literal["left", "right"]
Where = Literal[
    "emergency_department",
    "same_day_doctor",
    "doctor",
    "physiotherapist",
    "midwife_or_womens_health_physiotherapist",
    "surgical_team",
    "child_and_adolescent_clinician",
    "none",
]
AlternativeCode = Literal[
    "hip-joint",
    "spinal-stenosis",
    "disc-or-nerve-root",
    "abdominal-or-visceral",
    "inflammatory",
    "iliopsoas-bleed",
    "stress-fracture",
    "other",
]

#: Most urgent first.
TRIAGE_ORDER: tuple[TriageLevel, ...] = ("emergency", "urgent", "see_clinician", "self_care")

DISCLAIMER = (
    "psoas gives information to help you and your clinician decide what to do. It does not "
    "diagnose and it does not replace an examination. The link between tight hip flexors and "
    "back pain is a hypothesis to test, not a fact: try the program, re-test, and keep it only "
    "if it helps."
)


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Reason(_Out):
    code: str
    message: str
    sources: tuple[str, ...] = Field(min_length=1)


class TriageReason(Reason):
    level: TriageLevel
    within_hours: float | None = Field(
        default=None, ge=0, description="the most time that should pass before being seen"
    )
    where: Where = "none"


class Triage(_Out):
    level: TriageLevel
    action: str = Field(description="where to go and how soon, in plain words")
    reasons: tuple[TriageReason, ...]
    within_hours: float | None = Field(
        default=None,
        ge=0,
        description="the shortest time frame of the rules that fired: 0 now, 24 today, 72 "
        "within a few days, 336 within two weeks; null for self_care",
    )
    where: Where = "none"


class Alternative(Reason):
    """Another explanation the answers also fit: why, and what to do about it."""

    code: AlternativeCode
    what_to_do: str


class Finding(Reason):
    weight: int = Field(description="points for (+) or against (-) hip-flexor involvement")
    side: Side | None = None


class Involvement(_Out):
    level: InvolvementLevel
    score: int
    findings: tuple[Finding, ...]


class PerSide(_Out):
    left: float = Field(ge=0)
    right: float = Field(ge=0)


def _plural(n: float, word: str) -> str:
    return word if n == 1 else word + "s"


class ItemDose(_Out):
    sets: int | None = Field(default=None, ge=1)
    reps: int | None = Field(default=None, ge=1)
    hold_seconds: int | None = Field(default=None, ge=1)
    minutes: float | None = Field(default=None, ge=0)
    per_side: PerSide | None = None
    rest_seconds: int = 0
    times_per_day: int = Field(default=1, ge=1)

    def describe(self) -> str:
        """In plain words: ``left 2 sets, right 3 sets, hold 30 s, once a day``."""
        parts: list[str] = []
        if self.per_side is not None:
            timed = self.minutes is not None and not self.sets
            left, right = self.per_side.left, self.per_side.right
            parts.append(
                f"left {left:g} {'min' if timed else _plural(left, 'set')}, "
                f"right {right:g} {'min' if timed else _plural(right, 'set')}"
            )
        elif self.sets:
            parts.append(f"{self.sets} {_plural(self.sets, 'set')}")
        elif self.minutes:
            parts.append(f"{self.minutes:g} min")
        if self.reps:
            parts.append(f"{self.reps} reps")
        if self.hold_seconds:
            parts.append(f"hold {self.hold_seconds} s")
        if self.rest_seconds:
            parts.append(f"rest {self.rest_seconds} s")
        times = self.times_per_day
        parts.append("once a day" if times == 1 else f"{times} times a day")
        return ", ".join(parts)


class ProgramItem(_Out):
    id: str
    name: str
    category: Literal["release", "stretch", "strengthen", "posture", "movement"]
    position: Literal["standing", "kneeling", "floor", "bed", "table", "seated", "any"]
    abdominal_pressure: bool
    equipment: tuple[str, ...]
    dose: ItemDose
    minutes_per_session: float = Field(ge=0, description="estimated time in one session")
    progression_level: int = Field(
        default=0,
        ge=0,
        description="how many levels above the base exercise the item is (0: the base or an "
        "easier level)",
    )
    level: str | None = Field(
        default=None,
        description="the catalog level the item is done at (an id among its exercise's levels); "
        "null: the base exercise",
    )
    why: tuple[str, ...] = Field(min_length=1)
    cautions: tuple[str, ...] = ()
    sources: tuple[str, ...] = Field(min_length=1)
    clinician_note: str | None = Field(
        default=None,
        max_length=300,
        description="a note or cue of the patient's clinician, shown wherever the item is "
        "(never part of an assessment: set by a program edit or a clinic's template)",
    )


class Excluded(_Out):
    id: str
    code: str
    message: str


class ClinicianOptionOut(_Out):
    id: str
    name: str
    who: str
    why: tuple[str, ...]
    sources: tuple[str, ...]


class Program(_Out):
    sessions_per_day: int = Field(ge=1, le=6)
    break_interval_minutes: int = Field(ge=10, le=120)
    minutes_per_day: float = Field(ge=0, description="estimated total, all sessions")
    items: tuple[ProgramItem, ...] = Field(min_length=1)
    excluded: tuple[Excluded, ...]
    notes: tuple[str, ...] = ()


class EducationCardOut(_Out):
    """Advice in plain words chosen for this person (psoas.domain.education)."""

    id: str
    title: str
    body: str
    points_to: Literal["physiotherapist", "doctor", "physiotherapist_or_doctor"] | None = None
    notice: str | None = Field(default=None, description="a copyright notice shown with it")
    sources: tuple[str, ...] = Field(min_length=1)


class ClearanceOut(_Out):
    """A doctor's medical clearance that released (part of) a red-flag hold: who cleared it,
    when, and the warning signs it covers (psoas.domain.clearance)."""

    cleared_by: str = Field(description="the doctor who cleared it")
    role: str = Field(description="gp, emergency_physician, hospital_specialist or other_doctor")
    role_name: str
    cleared_at: datetime = Field(description="when the doctor cleared it")
    note: str = ""
    recorded_by: str = Field(default="", description="the clinician who recorded it")
    reasons: tuple[TriageReason, ...] = Field(
        description="the warning signs it covers, each as the person was first told"
    )
    signs: tuple[str, ...] = Field(
        default=(), description="the same warning signs, each in a few plain words"
    )


class Assessment(_Out):
    version: Literal[1, 2] = 2
    triage: Triage
    hip_flexor_involvement: Involvement
    tighter_side: Side | None
    program: Program | None
    clinician_options: tuple[ClinicianOptionOut, ...] = ()
    next_steps: tuple[str, ...] = ()
    catalog_version: str
    disclaimer: str = DISCLAIMER
    safety_net: tuple[Reason, ...] = Field(
        default=(),
        description="what to watch for and what to do at once if it appears; empty only for an "
        "emergency",
    )
    alternatives: tuple[Alternative, ...] = ()
    education: tuple[EducationCardOut, ...] = ()
    clearance: ClearanceOut | None = Field(
        default=None,
        description="a doctor's clearance of warning signs in these answers: those signs no "
        "longer hold the program back (the triage leaves them out)",
    )

    def cited_keys(self) -> list[str]:
        """Every bibliography key the assessment cites, in order of first use."""
        keys: list[str] = []
        groups: list[tuple[str, ...]] = [r.sources for r in self.triage.reasons]
        groups += [f.sources for f in self.hip_flexor_involvement.findings]
        if self.program:
            groups += [i.sources for i in self.program.items]
        groups += [o.sources for o in self.clinician_options]
        groups += [a.sources for a in self.alternatives]
        groups += [n.sources for n in self.safety_net]
        groups += [c.sources for c in self.education]
        if self.clearance is not None:
            groups += [r.sources for r in self.clearance.reasons]
        for group in groups:
            keys += [k for k in group if k not in keys]
        return keys
