"""Program generation: a safe, personal home program built from the catalog.

The safety rules here cannot be bypassed by any caller:

* emergency and urgent triage withhold the program (``build_program`` returns ``None``);
* nothing that presses into the abdomen is offered with pregnancy, an aortic aneurysm,
  anticoagulants, recent abdominal or hip surgery, a hernia, unexplained belly pain, or when
  those questions were not answered;
* nothing is stretched when a hip flexor is injured (strengthening comes first);
* nothing is offered that needs the floor, kneeling or equipment the person has not said they
  can use.

Items a person could not or should not do are listed in ``excluded`` with the reason.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from psoas.domain.assessment import (
    Excluded,
    Involvement,
    ItemDose,
    PerSide,
    Program,
    ProgramItem,
    Side,
    Triage,
)
from psoas.domain.catalog import HOUSEHOLD_EQUIPMENT, Catalog, ConditionCode, Exercise
from psoas.domain.intake import Intake
from psoas.domain.triage import withholds_program

DEFAULT_MINUTES_PER_DAY = 15
HEAVY_SITTING_HOURS = 6

#: Conditions under which nothing may press into the abdomen, and why, in plain words.
ABDOMINAL_PRESSURE_UNSAFE: dict[ConditionCode, str] = {
    "pregnancy": "you are pregnant",
    "aortic_aneurysm": "of a known or possible aortic aneurysm",
    "anticoagulants": "you take blood thinners, which make deep bruising and bleeding likelier",
    "recent_abdominal_or_hip_surgery": "you had abdominal or hip surgery recently",
    "abdominal_hernia": "you have an abdominal hernia",
    "abdominal_pain": "you have pain in the belly that should be checked first",
}
#: Sources for the abdominal-pressure rule.
ABDOMINAL_SOURCES = ("crawford-2003", "percussion-device-precautions", "psoas-safety-rules")

_HEALTH_QUESTIONS = (
    "pregnant",
    "known_aortic_aneurysm",
    "takes_anticoagulants",
    "recent_abdominal_or_hip_surgery",
    "abdominal_hernia",
)


def conditions(intake: Intake) -> frozenset[ConditionCode]:
    """The person's conditions that the catalog's contraindications refer to."""
    h, rf = intake.health, intake.red_flags
    found: set[ConditionCode] = set()
    if h.pregnant:
        found.add("pregnancy")
    if h.known_aortic_aneurysm or rf.pulsating_abdominal_mass:
        found.add("aortic_aneurysm")
    if h.takes_anticoagulants:
        found.add("anticoagulants")
    if h.recent_abdominal_or_hip_surgery:
        found.add("recent_abdominal_or_hip_surgery")
    if h.abdominal_hernia:
        found.add("abdominal_hernia")
    if "abdomen" in intake.pain.areas:
        found.add("abdominal_pain")
    if h.recent_hip_flexor_injury:
        found.add("recent_hip_flexor_injury")
    if h.hip_replacement:
        found.add("hip_replacement")
    if rf.osteoporosis_or_long_term_steroids:
        found.add("osteoporosis_or_long_term_steroids")
    if rf.saddle_numbness or intake.pain.numbness_or_tingling_below_knee:
        found.add("altered_sensation")
    return frozenset(found)


def _unanswered_abdominal_questions(intake: Intake) -> list[str]:
    """Health questions that must be answered 'no' before anything presses on the belly."""
    missing = []
    for name in _HEALTH_QUESTIONS:
        if name == "pregnant" and intake.person.sex == "male":
            continue
        if getattr(intake.health, name) is None:
            missing.append(name.replace("_", " "))
    return missing


def _owned_equipment(intake: Intake) -> set[str]:
    e = intake.equipment_and_ability
    owned = set(HOUSEHOLD_EQUIPMENT)
    if e.has_massage_gun:
        owned.add("massage_gun")
    if e.has_release_tool:
        owned.add("release_tool")
    if e.has_table_or_firm_bed_edge:
        owned.add("table_or_firm_bed_edge")
    if intake.daily_life.has_standing_desk:
        owned.add("standing_desk")
    return owned


def stretches_hip_flexors(ex: Exercise) -> bool:
    return ex.category == "stretch" or ex.stretches_hip_flexors


@dataclass(frozen=True)
class _Person:
    """What the exclusion rules need to know about one person, worked out once."""

    found: frozenset[ConditionCode]
    owned: frozenset[str]
    unanswered: tuple[str, ...]

    @classmethod
    def of(cls, intake: Intake) -> _Person:
        return cls(
            conditions(intake),
            frozenset(_owned_equipment(intake)),
            tuple(_unanswered_abdominal_questions(intake)),
        )


def exclusion(
    intake: Intake, triage: Triage, ex: Exercise, person: _Person | None = None
) -> Excluded | None:
    """Why this exercise must not be offered to this person, or None if it may be."""
    person = person or _Person.of(intake)
    found = person.found
    if ex.abdominal_pressure:
        for condition, why in ABDOMINAL_PRESSURE_UNSAFE.items():
            if condition in found:
                return Excluded(
                    id=ex.id,
                    code=f"abdominal-pressure:{condition}",
                    message=f"Left out because {why}: nothing in psoas presses into the belly "
                    "then.",
                )
        missing = person.unanswered
        if missing:
            return Excluded(
                id=ex.id,
                code="abdominal-pressure:unanswered",
                message="Left out until you answer the health questions about "
                + ", ".join(missing)
                + ": pressing into the belly is only offered when each is a clear no.",
            )
    if stretches_hip_flexors(ex) and "recent_hip_flexor_injury" in found:
        return Excluded(
            id=ex.id,
            code="injured-no-stretch",
            message="Left out because a hip flexor is injured: stretching an injured muscle can "
            "make it worse. Gentle strengthening comes first; stretching is added once it is "
            "strong and pain-free.",
        )
    if ex.deep_hip_flexion and "hip_replacement" in found:
        return Excluded(
            id=ex.id,
            code="hip-replacement",
            message="Left out because it bends the hip past a right angle, which some hip "
            "replacements must avoid. Ask your surgical team before adding it.",
        )
    for c in ex.contraindications:
        if c.condition in found:
            return Excluded(id=ex.id, code=c.condition.replace("_", "-"), message=c.reason)
    if ex.category == "release" and triage.level != "self_care":
        return Excluded(
            id=ex.id,
            code="see-clinician-first",
            message="Left out until a clinician has looked at the signs that need checking: "
            "deep release waits for that.",
        )
    ability = intake.equipment_and_ability
    if ex.needs_floor and not ability.can_get_down_to_floor:
        return Excluded(
            id=ex.id,
            code="needs-floor",
            message="Left out because it is done on the floor and you did not say you can get "
            "down to the floor and up again.",
        )
    if ex.needs_kneeling and not ability.can_kneel:
        return Excluded(
            id=ex.id,
            code="needs-kneeling",
            message="Left out because it is done kneeling and you did not say you can kneel.",
        )
    missing_kit = [e for e in ex.equipment if e not in person.owned]
    if missing_kit:
        return Excluded(
            id=ex.id,
            code="needs-equipment",
            message="Left out because it needs "
            + " and ".join(k.replace("_", " ") for k in missing_kit)
            + ", which you did not say you have.",
        )
    return None


# --- choosing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """A place in the program: the first allowed candidate fills it. When time is short the
    slot with the highest ``priority`` number goes first; ``keep_when_short`` slots stay."""

    name: str
    candidates: tuple[str, ...]
    priority: int
    keep_when_short: bool = False


POSTURE_IDS = (
    "sit-back-in-chair",
    "feet-flat-not-hooked",
    "change-position-often",
    "stand-for-gym-exercises",
    "avoid-sleeping-on-stomach",
    "standing-desk-intervals",
)
RELEASE_SLOT = Slot(
    "release", ("massage-gun-psoas-release", "release-tool-prone", "release-tool-supine"), 4
)
PRIMARY_STRETCH = Slot(
    "primary stretch",
    (
        "half-kneeling-hip-flexor-stretch",
        "standing-staggered-hip-flexor-stretch",
        "lunge-stretch",
    ),
    1,
    keep_when_short=True,
)
SECOND_STRETCH = Slot(
    "second stretch",
    ("table-hip-flexor-stretch", "lunge-stretch", "flexed-position-stretch"),
    6,
)
CORE = Slot("core", ("dead-bug", "abdominal-bracing", "bird-dog"), 2)
EXTENSORS = Slot("hip extensors", ("glute-bridge", "standing-hip-extension", "bird-dog"), 3)
FLEXOR_STRENGTH = Slot(
    "hip-flexor strength", ("supine-marching", "standing-hip-flexion", "isometric-hip-flexion"), 5
)
INJURED_FLEXOR_STRENGTH = Slot(
    "hip-flexor strength", ("isometric-hip-flexion",), 2, keep_when_short=True
)


@dataclass
class Choice:
    exercise: Exercise
    slot: Slot
    reasons: list[str] = field(default_factory=list)


def _posture_wanted(intake: Intake, involvement: Involvement, ex_id: str) -> str | None:
    """A personal reason to include a posture item, or None to leave it out."""
    hours = intake.daily_life.sitting_hours_per_day
    if ex_id in ("sit-back-in-chair", "feet-flat-not-hooked", "change-position-often"):
        return f"You sit about {hours:g} hours a day." if hours >= 2 else None
    if ex_id == "stand-for-gym-exercises":
        return "You train at the gym." if "gym" in intake.daily_life.activities else None
    if ex_id == "avoid-sleeping-on-stomach":
        if "lying_on_stomach" in intake.pain.worse_with:
            return "Your pain is worse lying on your stomach."
        if involvement.level != "unlikely":
            return "Your answers point at the hip flexors; stomach sleeping adds to their pull."
        return None
    if ex_id == "standing-desk-intervals":
        return "You have a standing desk." if intake.daily_life.has_standing_desk else None
    return None


def _choose(
    intake: Intake, triage: Triage, involvement: Involvement, catalog: Catalog
) -> tuple[list[Choice], list[Excluded]]:
    excluded: dict[str, Excluded] = {}
    allowed: dict[str, Exercise] = {}
    person = _Person.of(intake)
    for ex in catalog.exercises:
        why_not = exclusion(intake, triage, ex, person)
        if why_not is None:
            allowed[ex.id] = ex
        else:
            excluded[ex.id] = why_not

    chosen: list[Choice] = []
    taken: set[str] = set()

    def fill(slot: Slot, reason: str | None = None) -> None:
        for cid in slot.candidates:
            if cid in allowed and cid not in taken:
                choice = Choice(allowed[cid], slot)
                if reason:
                    choice.reasons.append(reason)
                if cid != slot.candidates[0]:
                    first = slot.candidates[0]
                    if first in excluded:
                        choice.reasons.append(
                            f"Chosen instead of {catalog.exercise(first).name.lower()}: "
                            + excluded[first].message[0].lower()
                            + excluded[first].message[1:]
                        )
                chosen.append(choice)
                taken.add(cid)
                return

    injured = "recent_hip_flexor_injury" in person.found
    flexor_signs = involvement.level != "unlikely"
    short_rf = any(f.code == "thomas-short-rectus-femoris" for f in involvement.findings)
    if not injured:
        fill(
            PRIMARY_STRETCH,
            "Your rectus femoris is short too; this version stretches it as well."
            if short_rf
            else None,
        )
    if flexor_signs:
        fill(RELEASE_SLOT, f"Your signs point at the hip flexors ({involvement.level}).")
    if injured:
        fill(
            INJURED_FLEXOR_STRENGTH,
            "A hip flexor is injured, so it is strengthened gently before any stretching.",
        )
    fill(CORE)
    fill(EXTENSORS)
    if not injured:
        fill(FLEXOR_STRENGTH)
    if involvement.level == "likely" and not injured:
        fill(SECOND_STRETCH, "Your signs are clear, so a second stretch adds time at length.")

    for pid in POSTURE_IDS:
        if pid in allowed:
            reason = _posture_wanted(intake, involvement, pid)
            if reason:
                chosen.append(Choice(allowed[pid], Slot("posture", (pid,), 0, True), [reason]))
    if "movement-break" in allowed:
        chosen.append(
            Choice(
                allowed["movement-break"],
                Slot("movement", ("movement-break",), 0, True),
                ["Getting up often is the simplest thing that helps sitters' backs."],
            )
        )
    return chosen, list(excluded.values())


# --- dosing -------------------------------------------------------------------------------------


def sessions_per_day(intake: Intake) -> int:
    """2 for heavy sitters and cyclists (the sources say 2-3 times a day), else 1."""
    heavy = intake.daily_life.sitting_hours_per_day >= HEAVY_SITTING_HOURS
    cyclist = "cycling" in intake.daily_life.activities
    return 2 if heavy or cyclist else 1


def break_interval(intake: Intake) -> int:
    """20 minutes for long unbroken sitting or heavy sitting, else 30."""
    longest = intake.daily_life.longest_sitting_minutes or 0
    heavy = intake.daily_life.sitting_hours_per_day >= 8
    return 20 if heavy or longest >= 90 else 30


def _per_session(ex: Exercise) -> bool:
    """Stretches are repeated at every session; everything else keeps its own daily dose."""
    return ex.category == "stretch"


def _sides(ex: Exercise, tighter: Side | None, sets: int | None) -> tuple[float, float] | None:
    """Sets (or minutes, for timed items) on the left and right, or None for two-sided items.

    The tighter side gets one more set of a stretch and half as much time again of a release;
    strengthening is the same on both sides.
    """
    if not ex.one_sided:
        return None
    d = ex.dose
    if ex.category not in ("stretch", "release"):
        tighter = None
    if d.minutes is not None and not d.sets:
        base = d.minutes
        extra = math.ceil(base * 1.5 * 2) / 2 if tighter else base
    else:
        base = float(sets or d.sets or 1)
        extra = base + 1 if tighter else base
    return (extra if tighter == "left" else base, extra if tighter == "right" else base)


def session_minutes(ex: Exercise, tighter: Side | None, sets: int | None) -> float:
    """Minutes one item takes in one session (posture habits and breaks take none)."""
    d = ex.dose
    if ex.category in ("posture", "movement"):
        return 0.0
    sides = _sides(ex, tighter, sets)
    if d.minutes is not None and not d.sets:
        return sum(sides) if sides else d.minutes
    total_sets = sum(sides) if sides else float(sets or d.sets or 1)
    return total_sets * d.seconds_per_side_set() / 60


def item_dose(ex: Exercise, tighter: Side | None, sets: int | None, sessions: int) -> ItemDose:
    d = ex.dose
    if ex.category in ("posture", "movement"):
        return ItemDose(minutes=d.minutes, times_per_day=d.times_per_day)
    sides = _sides(ex, tighter, sets)
    return ItemDose(
        sets=sets if d.sets else None,
        reps=d.reps,
        hold_seconds=d.hold_seconds,
        minutes=d.minutes,
        per_side=PerSide(left=sides[0], right=sides[1]) if sides else None,
        rest_seconds=d.rest_seconds,
        times_per_day=sessions if _per_session(ex) else d.times_per_day,
    )


@dataclass
class _Plan:
    choices: list[Choice]
    sessions: int
    sets: dict[str, int]
    dropped: list[Choice] = field(default_factory=list)

    def minutes(self, tighter: Side | None) -> float:
        total = 0.0
        for c in self.choices:
            per_session = session_minutes(c.exercise, tighter, self.sets.get(c.exercise.id))
            total += per_session * (self.sessions if _per_session(c.exercise) else 1)
        return total


def _drop(slot: Slot) -> Callable[[_Plan], bool]:
    def step(plan: _Plan) -> bool:
        victims = [c for c in plan.choices if c.slot is slot]
        for victim in victims:
            plan.choices.remove(victim)
            plan.dropped.append(victim)
        return bool(victims)

    return step


def _sets_down_to(category: str, floor: int) -> Callable[[_Plan], bool]:
    def step(plan: _Plan) -> bool:
        changed = False
        for c in plan.choices:
            if c.exercise.category == category and plan.sets.get(c.exercise.id, 0) > floor:
                plan.sets[c.exercise.id] -= 1
                changed = True
        return changed

    return step


def _one_session(plan: _Plan) -> bool:
    if plan.sessions > 1:
        plan.sessions -= 1
        return True
    return False


#: What gives way, in order, when the program is longer than the person's minutes a day. The
#: primary stretch, posture habits and movement breaks never go; one 30-second set a day of a
#: stretch keeps its effect (Bandy 1997), so stretches go down to one set last.
FIT_LADDER: tuple[tuple[str, Callable[[_Plan], bool]], ...] = (
    ("drop the second stretch", _drop(SECOND_STRETCH)),
    ("strengthening down to 2 sets", _sets_down_to("strengthen", 2)),
    ("stretches down to 2 sets", _sets_down_to("stretch", 2)),
    ("one session a day instead of two", _one_session),
    ("drop hip-flexor strengthening", _drop(FLEXOR_STRENGTH)),
    ("strengthening down to 1 set", _sets_down_to("strengthen", 1)),
    ("stretches down to 1 set", _sets_down_to("stretch", 1)),
    ("drop hip-extensor strengthening", _drop(EXTENSORS)),
    ("drop the release", _drop(RELEASE_SLOT)),
    ("drop core strengthening", _drop(CORE)),
)


def _fit(plan: _Plan, budget: float, tighter: Side | None) -> None:
    """Shrink the plan, one rung of the ladder at a time, until it fits the minutes a day."""
    for _, step in FIT_LADDER:
        while plan.minutes(tighter) > budget and step(plan):
            pass


def item_why(choice: Choice, tighter: Side | None, intake: Intake) -> tuple[str, ...]:
    ex = choice.exercise
    reasons = [*ex.why, *choice.reasons]
    if ex.one_sided and ex.category in ("stretch", "release") and tighter:
        reasons.append(f"Your {tighter} side is tighter, so it gets more.")
    if ex.category == "stretch" and ex.dose.hold_seconds == 30:
        reasons.append("Holds of 30 seconds work as well as longer ones.")
    return tuple(dict.fromkeys(reasons))


def item_sources(ex: Exercise) -> tuple[str, ...]:
    extra: tuple[str, ...] = ()
    if ex.category == "stretch" and ex.dose.hold_seconds == 30:
        extra = ("bandy-1994", "bandy-1997")
    return tuple(dict.fromkeys((*ex.sources, *extra)))


def item_cautions(ex: Exercise, found: frozenset[ConditionCode]) -> tuple[str, ...]:
    cautions = list(ex.safety)
    if "hip_replacement" in found and ex.category in ("stretch", "strengthen"):
        cautions.append(
            "You have a hip replacement: keep within the movements your surgical team allowed."
        )
    if "pregnancy" in found and ex.position in ("floor", "bed"):
        cautions.append(
            "From the middle of pregnancy, avoid lying flat on your back for long; prop yourself "
            "up or choose a standing version."
        )
    return tuple(cautions)


def build_program(
    intake: Intake,
    triage: Triage,
    involvement: Involvement,
    tighter: Side | None,
    catalog: Catalog,
) -> Program | None:
    """The home program for this person, or None when a red flag withholds it."""
    if withholds_program(triage.level):
        return None
    choices, excluded = _choose(intake, triage, involvement, catalog)
    sessions = sessions_per_day(intake)
    plan = _Plan(
        choices,
        sessions,
        {c.exercise.id: c.exercise.dose.sets for c in choices if c.exercise.dose.sets},
    )
    budget = float(intake.preferences.minutes_per_day or DEFAULT_MINUTES_PER_DAY)
    _fit(plan, budget, tighter)
    notes: list[str] = []
    for d in plan.dropped:
        excluded.append(
            Excluded(
                id=d.exercise.id,
                code="time",
                message=f"Left out to fit {budget:g} minutes a day; add it when you have more "
                "time.",
            )
        )
    if plan.minutes(tighter) > budget:
        notes.append(
            f"Even the shortest safe program takes a little over {budget:g} minutes a day."
        )
    found = conditions(intake)
    items: list[ProgramItem] = []
    order = {"release": 0, "stretch": 1, "strengthen": 2, "movement": 3, "posture": 4}
    for c in sorted(plan.choices, key=lambda c: order[c.exercise.category]):
        ex = c.exercise
        sets = plan.sets.get(ex.id)
        dose = item_dose(ex, tighter, sets, plan.sessions)
        per_session = round(session_minutes(ex, tighter, sets), 1)
        items.append(
            ProgramItem(
                id=ex.id,
                name=ex.name,
                category=ex.category,
                position=ex.position,
                abdominal_pressure=ex.abdominal_pressure,
                equipment=ex.equipment,
                dose=dose,
                minutes_per_session=per_session,
                why=item_why(c, tighter, intake),
                cautions=item_cautions(ex, found),
                sources=item_sources(ex),
            )
        )
    if plan.sessions > 1:
        notes.append(
            f"Do the stretches {plan.sessions} times a day (for example morning and after "
            "work); the rest once a day is enough."
        )
    return Program(
        sessions_per_day=plan.sessions,
        break_interval_minutes=break_interval(intake),
        minutes_per_day=round(plan.minutes(tighter), 1),
        items=tuple(items),
        excluded=tuple(excluded),
        notes=tuple(notes),
    )
