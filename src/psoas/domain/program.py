"""Program generation: a safe, personal home program built from the catalog.

The safety rules here cannot be bypassed by any caller:

* emergency and urgent triage withhold the program (``build_program`` returns ``None``);
* :func:`why_no_belly_pressure` is the one place that decides whether anything may press into
  the belly (a program item or a clinician's hands-on option alike), and why not;
* nothing is stretched, and nothing loads the hip flexors heavily while they lengthen, when a
  hip flexor is freshly injured (gentle strengthening comes first);
* nothing is offered that needs the floor, kneeling, standing, a table transfer or equipment
  the person has not said they can use or have; nothing lying flat on the back in pregnancy;
* the dose follows how irritable the pain is, and releases start short.

Items a person could not or should not do are listed in ``excluded`` with a stable code and the
reason in plain words (:data:`PROGRAM_RULES` lists every code). What the person is shown for
an item (steps and summary) is filled in from the item's own dose (:func:`item_steps`), and its
cautions leave out notes about conditions the person cannot have (:func:`item_cautions`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from psoas.domain.alternatives import alternatives, weigh_with_alternatives
from psoas.domain.catalog import HOUSEHOLD_EQUIPMENT, Catalog, ConditionCode, Exercise
from psoas.domain.intake import Intake
from psoas.domain.involvement import weigh
from psoas.domain.questionnaire import could_be_pregnant
from psoas.domain.results import (
    Excluded,
    Involvement,
    ItemDose,
    PerSide,
    Program,
    ProgramItem,
    Side,
    Triage,
)
from psoas.domain.triage import withholds_program

DEFAULT_MINUTES_PER_DAY = 15
HEAVY_SITTING_HOURS = 6

# --- thresholds (each a source's figure or a stated project choice) ----------------------------

#: Pain is *irritable* (acute and severe) when it began less than this many weeks ago (acute
#: low back pain is usually defined as under 6 weeks; the same cut-off as acute guarding in
#: :mod:`psoas.domain.involvement`)...
IRRITABLE_WEEKS = 6.0
#: ...and pain now or at its worst this week is at least this (0-10). 7 or more out of 10 is
#: read as severe: a project choice, the usual bands of the 0-10 scale (psoas-safety-rules).
#: Pain *now* at or above it, however long it has lasted (high pain), is treated the same way:
#: no belly pressure (code ``abdominal-pressure:irritable``) and the gentle dose.
IRRITABLE_PAIN = 7
#: A gentle program caps the sets of each stretch and strengthening item, the tighter side
#: included (a project choice: below the sources' 3 sets, above the one 30-second stretch a day
#: that still works, Bandy 1997).
GENTLE_MAX_SETS = 2
#: Releases start at about this many minutes a side, the tighter side included: the catalog's
#: own note for the massage gun ("keep to about 1 minute a side" for the first sessions). The
#: progression engine lengthens them only once sessions are tolerated.
RELEASE_START_MINUTES = 1.0
#: NICE NG59 covers people aged 16 and over; younger people get a gentle program.
ADULT_AGE = 16
#: Men are invited for aneurysm screening at 65 (NHS AAA screening); aneurysms are rare under 50
#: and common with age (RACGP 2013); consider one in men over 50 with back pain (de Boer 2010).
AAA_MEN_AGE = 65
AAA_RISK_FACTOR_AGE = 50
#: Over this age the four aneurysm risk questions must each be answered no before the belly is
#: pressed (a project choice, ten years into the age at which aneurysms become common).
AAA_UNANSWERED_AGE = 60
#: From this age a person counts as frail for a table transfer (a project choice), as does
#: anyone with falls or poor balance, who cannot stand unaided or uses a wheelchair.
FRAIL_AGE = 80

#: Conditions under which nothing may press into the abdomen, and why, in plain words. Each is
#: also a catalog contraindication of every item that presses the belly.
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
AAA_SOURCES = ("crawford-2003", "deboer-2010", "racgp-2013-aaa", "nhs-aaa-screening")

_HEALTH_QUESTIONS = (
    "pregnant",
    "known_aortic_aneurysm",
    "takes_anticoagulants",
    "recent_abdominal_or_hip_surgery",
    "abdominal_hernia",
)
_AAA_QUESTIONS: dict[str, str] = {
    "smoker_or_former_smoker": "smoking",
    "high_blood_pressure": "high blood pressure",
    "heart_or_circulation_disease": "heart or circulation disease",
    "family_history_aortic_aneurysm": "aneurysms in your family",
}
_AAA_FACTOR_WORDS: dict[str, str] = {
    "smoker_or_former_smoker": "you smoke or have smoked",
    "high_blood_pressure": "you have high blood pressure",
    "heart_or_circulation_disease": "you have heart or circulation disease",
    "family_history_aortic_aneurysm": "a parent, brother or sister had an aortic aneurysm",
}


# --- the person ---------------------------------------------------------------------------------


def conditions(intake: Intake) -> frozenset[ConditionCode]:
    """The person's conditions that the catalog's contraindications refer to."""
    h, rf = intake.health, intake.red_flags
    found: set[ConditionCode] = set()
    if h.pregnant:
        found.add("pregnancy")
    if h.postpartum_within_6_months:
        found.add("postpartum")
    if h.known_aortic_aneurysm or rf.pulsating_abdominal_mass:
        found.add("aortic_aneurysm")
    if h.takes_anticoagulants:
        found.add("anticoagulants")
    if h.recent_abdominal_or_hip_surgery:
        found.add("recent_abdominal_or_hip_surgery")
    if h.abdominal_hernia:
        found.add("abdominal_hernia")
    if "abdomen" in intake.pain.areas or rf.new_severe_abdominal_pain:
        found.add("abdominal_pain")
    if h.recent_hip_flexor_injury:
        found.add("recent_hip_flexor_injury")
    if h.hip_replacement:
        found.add("hip_replacement")
    if rf.osteoporosis_or_long_term_steroids:
        found.add("osteoporosis_or_long_term_steroids")
    if rf.saddle_numbness or intake.pain.numbness_or_tingling_below_knee:
        found.add("altered_sensation")
    if intake.person.age < ADULT_AGE:
        found.add("under_16")
    if cannot_stand(intake):
        found.add("wheelchair_or_cannot_stand")
    if frail(intake):
        found.add("falls_or_frailty")
    return frozenset(found)


def cannot_stand(intake: Intake) -> bool:
    """Said they cannot stand unaided, or use a wheelchair (unanswered: may stand, as in v1)."""
    e = intake.equipment_and_ability
    return e.can_stand_unaided is False or e.uses_wheelchair is True


def frail(intake: Intake) -> bool:
    """Falls or poor balance, cannot stand unaided, a wheelchair, or :data:`FRAIL_AGE` or over."""
    return (
        intake.health.falls_or_poor_balance is True
        or cannot_stand(intake)
        or intake.person.age >= FRAIL_AGE
    )


def irritability(intake: Intake) -> str | None:
    """Why the pain calls for the gentle dose, in words that follow "your pain ...", or None.

    Acute and severe (under :data:`IRRITABLE_WEEKS` weeks, and :data:`IRRITABLE_PAIN` or more
    out of 10 now or at its worst this week), or high now whatever its duration.
    """
    p = intake.pain
    worst = max(p.intensity_now, p.intensity_worst_week or 0)
    if p.duration_weeks < IRRITABLE_WEEKS and worst >= IRRITABLE_PAIN:
        return (
            f"started recently and has been severe ({worst} out of 10), so it is easily stirred up"
        )
    if p.intensity_now >= IRRITABLE_PAIN:
        return f"is high at the moment ({p.intensity_now} out of 10)"
    return None


def _could_be_pregnant_or_postpartum(intake: Intake) -> bool:
    """The questionnaire's own rule, so that a question it skips is never one this needs."""
    return could_be_pregnant(intake.person.age, intake.person.sex)


def _unanswered_abdominal_questions(intake: Intake) -> list[str]:
    """Health questions that must be answered 'no' before anything presses on the belly."""
    missing = []
    for name in _HEALTH_QUESTIONS:
        if name == "pregnant" and not _could_be_pregnant_or_postpartum(intake):
            continue
        if getattr(intake.health, name) is None:
            missing.append(name.replace("_", " "))
    if intake.version == 2:  # the version 2 forms always ask these (contracts/README.md)
        if intake.health.recent_hip_flexor_injury is None:
            missing.append("a recent hip flexor injury")
        if (
            _could_be_pregnant_or_postpartum(intake)
            and intake.health.postpartum_within_6_months is None
        ):
            missing.append("giving birth in the last six months")
    return missing


# --- belly pressure: one decision for program items and clinician options ----------------------


@dataclass(frozen=True)
class NoBellyPressure:
    """Why nothing may press into this person's belly: a stable code and plain words."""

    code: str
    message: str
    sources: tuple[str, ...]


def _no(code: str, message: str, *sources: str) -> NoBellyPressure:
    return NoBellyPressure(f"abdominal-pressure:{code}", message, sources or ABDOMINAL_SOURCES)


_THEN = ": nothing in psoas presses into the belly then."


def why_no_belly_pressure(intake: Intake, involvement: Involvement) -> NoBellyPressure | None:
    """None when pressing into the belly (massage gun, release tool, a clinician's hands or
    needles) may be offered to this person; otherwise the first reason why not.

    Every program item and every clinician option with ``abdominal_pressure`` goes through
    this one function, so the two can never disagree.
    """
    found = conditions(intake)
    h, age, sex = intake.health, intake.person.age, intake.person.sex
    for condition, why in ABDOMINAL_PRESSURE_UNSAFE.items():
        if condition in found:
            return _no(condition, f"Left out because {why}{_THEN}")
    if h.postpartum_within_6_months:
        return _no(
            "postpartum",
            "Left out because you gave birth in the last six months: the belly wall and what "
            "lies behind it are still recovering, so nothing in psoas presses into the belly "
            "then. A women's health physiotherapist can check it and advise.",
            "acog-804-2020",
            "psoas-safety-rules",
        )
    if age < ADULT_AGE:
        return _no(
            "under_16",
            "Left out because you are under 16: psoas never presses into the belly of a child "
            "or teenager. A clinician who works with young people can advise what suits you.",
            "nice-ng59",
            "psoas-safety-rules",
        )
    if age >= AAA_MEN_AGE and sex != "female":
        who = "in men" if sex == "male" else "from this age, above all in men"
        return _no(
            "men_65_and_over",
            f"Left out because a swelling of the main artery behind the belly (an aortic "
            f"aneurysm) is much commoner {who} from 65, and pressing deep into the belly could "
            "harm one. Men are offered a screening scan at 65: ask your doctor if you have "
            "not had one.",
            *AAA_SOURCES,
        )
    if age > AAA_RISK_FACTOR_AGE:
        factors = [words for name, words in _AAA_FACTOR_WORDS.items() if getattr(h, name)]
        if factors:
            return _no(
                "aneurysm_risk_factors",
                f"Left out because you are over {AAA_RISK_FACTOR_AGE} and "
                + " and ".join(factors)
                + ", which make a swelling of the main artery behind the belly (an aortic "
                "aneurysm) likelier. Pressing deep into the belly could harm one. Ask your "
                "doctor whether a check is worthwhile.",
                *AAA_SOURCES,
            )
    if age > AAA_UNANSWERED_AGE:
        missing = [words for name, words in _AAA_QUESTIONS.items() if getattr(h, name) is None]
        if missing:
            return _no(
                "aneurysm_risk_unanswered",
                "Left out until you answer the questions about " + ", ".join(missing) + ": over "
                f"{AAA_UNANSWERED_AGE}, psoas presses into the belly only when each is a clear "
                "no, because a swelling of the main artery behind the belly becomes commoner "
                "with age.",
                *AAA_SOURCES,
            )
    if h.recent_hip_flexor_injury:
        return _no(
            "recent_hip_flexor_injury",
            "Left out because a hip flexor is freshly injured: pressing deep into an injured "
            "muscle can make it worse. Let it heal and strengthen first.",
            "percussion-device-precautions",
            "psoas-safety-rules",
        )
    pain = irritability(intake)
    if pain:
        return _no(
            "irritable",
            f"Left out because your pain {pain}: deep pressure is best left until it settles. "
            "Gentle movement helps more for now.",
            "nice-ng59",
            "psoas-safety-rules",
        )
    if involvement.level == "unlikely":
        return _no(
            "involvement_unlikely",
            "Left out because your answers do not point at the hip flexors, so pressing deep "
            "into the belly to reach them is not worth its risks.",
            "iliopsoas-length-2024",
            "psoas-safety-rules",
        )
    missing = _unanswered_abdominal_questions(intake)
    if missing:
        return _no(
            "unanswered",
            "Left out until you answer the health questions about "
            + ", ".join(missing)
            + ": pressing into the belly is only offered when each is a clear no.",
            "psoas-safety-rules",
        )
    return None


def involvement_for(intake: Intake, triage: Triage) -> Involvement:
    """The hip-flexor involvement exactly as :func:`psoas.domain.assess.assess` weighs it, for
    callers that check one exercise without a full assessment at hand."""
    weighed = weigh(intake)
    return weigh_with_alternatives(weighed, alternatives(intake, triage, weighed))


# --- exclusions ---------------------------------------------------------------------------------


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


def gentle_reason(intake: Intake) -> str | None:
    """Why this person gets the gentle program (fewer sets, no second stretch, no release), in
    words that follow "because", or None."""
    pain = irritability(intake)
    if pain:
        return f"your pain {pain}"
    if intake.health.pregnant:
        return "you are pregnant"
    if intake.health.postpartum_within_6_months:
        return "you gave birth in the last six months"
    if intake.person.age < ADULT_AGE:
        return "you are under 16"
    return None


@dataclass(frozen=True)
class _Person:
    """What the exclusion rules need to know about one person, worked out once."""

    found: frozenset[ConditionCode]
    owned: frozenset[str]
    belly: NoBellyPressure | None
    cannot_stand: bool
    frail: bool
    hip_cleared: bool
    gentle: str | None

    @classmethod
    def of(cls, intake: Intake, involvement: Involvement) -> _Person:
        return cls(
            found=conditions(intake),
            owned=frozenset(_owned_equipment(intake)),
            belly=why_no_belly_pressure(intake, involvement),
            cannot_stand=cannot_stand(intake),
            frail=frail(intake),
            hip_cleared=intake.health.hip_replacement_cleared_for_exercise is True,
            gentle=gentle_reason(intake),
        )


def _frail_words(intake: Intake) -> str:
    if intake.health.falls_or_poor_balance:
        return "you have had a fall or feel unsteady"
    if cannot_stand(intake):
        return "you cannot stand unaided or use a wheelchair"
    return f"from {FRAIL_AGE} a fall from a table is a real risk"


def exclusion(
    intake: Intake,
    triage: Triage,
    ex: Exercise,
    person: _Person | None = None,
    *,
    involvement: Involvement | None = None,
) -> Excluded | None:
    """Why this exercise must not be offered to this person, or None if it may be.

    ``involvement`` defaults to the one :func:`involvement_for` weighs from the intake.
    """
    if person is None:
        person = _Person.of(intake, involvement or involvement_for(intake, triage))
    found = person.found

    def out(code: str, message: str) -> Excluded:
        return Excluded(id=ex.id, code=code, message=message)

    if ex.abdominal_pressure and person.belly is not None:
        return out(person.belly.code, person.belly.message)
    if ex.category == "release" and person.gentle:
        return out(
            "gentle-no-release",
            f"Left out because {person.gentle}: the program starts gently, without deep release.",
        )
    if person.cannot_stand and (ex.needs_standing or ex.position == "standing"):
        return out(
            "needs-standing",
            "Left out because it is done standing, and you said you cannot stand unaided or use "
            "a wheelchair. A version done sitting or lying is chosen instead where there is one.",
        )
    if person.frail and ex.table_transfer:
        return out(
            "no-table-transfer",
            f"Left out because it means getting onto and off a table or high bed edge, and "
            f"{_frail_words(intake)}. A stretch you can do with a chair or in bed is chosen "
            "instead.",
        )
    if "pregnancy" in found and ex.lies_on_back:
        return out(
            "pregnancy-lying-on-back",
            "Left out because it is done lying flat on your back. From the middle of pregnancy "
            "that can press on a large vein and make you feel faint, and psoas does not know how "
            "far along you are, so it leaves it out to be safe.",
        )
    injured = "recent_hip_flexor_injury" in found
    if injured and stretches_hip_flexors(ex):
        return out(
            "injured-no-stretch",
            "Left out because a hip flexor is injured: stretching an injured muscle can make it "
            "worse. Gentle strengthening comes first; stretching is added once it is strong and "
            "pain-free.",
        )
    if injured and ex.heavy_lengthening_load:
        return out(
            "injured-heavy-lengthening",
            "Left out because a hip flexor is freshly injured: this exercise loads the hip "
            "flexors heavily while they lengthen, which an injured muscle is not ready for. It "
            "can be added once the muscle is strong and pain-free.",
        )
    hip = "hip_replacement" in found
    if hip and ex.deep_hip_flexion:
        cleared = (
            " Your surgical team cleared you for exercise, but deep bending is the movement "
            "most likely to strain a replaced hip, so psoas leaves it to them."
            if person.hip_cleared
            else ""
        )
        return out(
            "hip-replacement",
            "Left out because it bends the hip past a right angle, which some hip replacements "
            f"must avoid.{cleared} Ask your surgical team before adding it.",
        )
    if hip and not person.hip_cleared and ex.hip_rotation_under_load:
        return out(
            "hip-replacement-rotation",
            "Left out because it rolls the leg in and out under pressure, a twisting movement "
            "some hip replacements must avoid. Once your surgical team clears you for exercise "
            "without restrictions, it can be offered.",
        )
    for c in ex.contraindications:
        if c.condition == "hip_replacement" and person.hip_cleared:
            continue  # the surgical team cleared exercise; deep bending is handled above
        if c.condition in found:
            return out(c.condition.replace("_", "-"), c.reason)
    if ex.category == "release" and triage.level != "self_care":
        return out(
            "see-clinician-first",
            "Left out until a clinician has looked at the signs that need checking: deep "
            "release waits for that.",
        )
    ability = intake.equipment_and_ability
    if ex.needs_floor and not ability.can_get_down_to_floor:
        return out(
            "needs-floor",
            "Left out because it is done on the floor and you did not say you can get down to "
            "the floor and up again.",
        )
    if ex.needs_kneeling and not ability.can_kneel:
        return out(
            "needs-kneeling",
            "Left out because it is done kneeling and you did not say you can kneel.",
        )
    missing_kit = [e for e in ex.equipment if e not in person.owned]
    if missing_kit:
        return out(
            "needs-equipment",
            "Left out because it needs "
            + " and ".join(k.replace("_", " ") for k in missing_kit)
            + ", which you did not say you have.",
        )
    return None


def allowed_for(intake: Intake, triage: Triage) -> Callable[[Exercise], bool]:
    """A check of exercises (a level of one, too) against one person's answers: True when
    :func:`exclusion` finds nothing that makes it unsafe or impossible for them."""
    person = _Person.of(intake, involvement_for(intake, triage))

    def allowed(ex: Exercise) -> bool:
        return exclusion(intake, triage, ex, person) is None

    return allowed


#: Every exclusion code the program can give, what it means, and its sources (for the
#: clinical-rules document). ``abdominal-pressure:*`` codes come from :func:`why_no_belly_pressure`
#: and apply to clinician options too.
PROGRAM_RULES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    *(
        (
            f"abdominal-pressure:{c}",
            f"Nothing presses into the belly (the person is told: left out because {why}).",
            ABDOMINAL_SOURCES,
        )
        for c, why in ABDOMINAL_PRESSURE_UNSAFE.items()
    ),
    (
        "abdominal-pressure:postpartum",
        "Nothing presses into the belly in the six months after giving birth.",
        ("acog-804-2020", "psoas-safety-rules"),
    ),
    (
        "abdominal-pressure:under_16",
        f"Nothing presses into the belly under {ADULT_AGE}.",
        ("nice-ng59", "psoas-safety-rules"),
    ),
    (
        "abdominal-pressure:men_65_and_over",
        f"Nothing presses into the belly of a man of {AAA_MEN_AGE} or over (or anyone of that "
        "age whose sex is not recorded as female): aneurysm risk.",
        AAA_SOURCES,
    ),
    (
        "abdominal-pressure:aneurysm_risk_factors",
        f"Nothing presses into the belly over {AAA_RISK_FACTOR_AGE} with smoking (now or "
        "before), high blood pressure, heart or circulation disease, or a family history of "
        "aortic aneurysm.",
        AAA_SOURCES,
    ),
    (
        "abdominal-pressure:aneurysm_risk_unanswered",
        f"Over {AAA_UNANSWERED_AGE}, the belly is pressed only when each of those four aneurysm "
        "questions was answered no.",
        AAA_SOURCES,
    ),
    (
        "abdominal-pressure:recent_hip_flexor_injury",
        "Nothing presses into the belly with a recent hip-flexor injury.",
        ("percussion-device-precautions", "psoas-safety-rules"),
    ),
    (
        "abdominal-pressure:irritable",
        f"Nothing presses into the belly when pain is acute and severe (under "
        f"{IRRITABLE_WEEKS:g} weeks and {IRRITABLE_PAIN} or more out of 10 now or at its worst "
        f"this week) or high now ({IRRITABLE_PAIN} or more).",
        ("nice-ng59", "psoas-safety-rules"),
    ),
    (
        "abdominal-pressure:involvement_unlikely",
        "Nothing presses into the belly when hip-flexor involvement is unlikely.",
        ("iliopsoas-length-2024", "psoas-safety-rules"),
    ),
    (
        "abdominal-pressure:unanswered",
        "Otherwise the belly is pressed only when the pregnancy (not asked of men), aneurysm, "
        "blood-thinner, surgery and hernia questions, and in version 2 also the hip-flexor "
        "injury question and the question about giving birth in the last six months (not asked "
        "of men), were each answered no.",
        ("psoas-safety-rules",),
    ),
    (
        "gentle-no-release",
        "No release in a gentle program (irritable or high pain, pregnancy, the six months "
        "after birth, under 16).",
        ("nice-ng59", "psoas-safety-rules"),
    ),
    (
        "needs-standing",
        "Nothing done standing for someone who cannot stand unaided or uses a wheelchair; the "
        "seated stretch, seated strengthening and seated or pressure-relief breaks are chosen "
        "instead.",
        ("psoas-safety-rules",),
    ),
    (
        "no-table-transfer",
        f"No table transfer with falls or poor balance, for someone who cannot stand unaided or "
        f"uses a wheelchair, or from {FRAIL_AGE}.",
        ("psoas-safety-rules",),
    ),
    (
        "pregnancy-lying-on-back",
        "Nothing lying flat on the back in pregnancy (the week is not known, so from the start).",
        ("acog-804-2020", "pregnancy-lbp"),
    ),
    (
        "injured-no-stretch",
        "With a recent hip-flexor injury nothing that stretches the hip flexors; gentle "
        "isometric strengthening comes first.",
        ("eastwest-psoas",),
    ),
    (
        "injured-heavy-lengthening",
        "With a recent hip-flexor injury nothing that loads the hip flexors heavily while they "
        "lengthen (the dead bug and the like).",
        ("eastwest-psoas", "psoas-safety-rules"),
    ),
    (
        "hip-replacement",
        "Nothing bending the hip past 90 degrees with a hip replacement, even when cleared. "
        "Without clearance the catalog's stretch contraindications also apply; with the "
        "surgical team's clearance for exercise without restrictions, the other stretches are "
        "offered.",
        ("aaos-hip-replacement",),
    ),
    (
        "hip-replacement-rotation",
        "Nothing that rolls the leg in and out under pressure (the massage-gun release, or a "
        "clinic's exercise marked so) with a hip replacement until the surgical team has "
        "cleared exercise without restrictions.",
        ("aaos-hip-replacement", "psoas-safety-rules"),
    ),
)


# --- choosing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """A place in the program: the first allowed candidate fills it. When time is short the
    slots go in the order of :data:`FIT_LADDER` (``priority``: the higher, the sooner it goes;
    0 never goes); ``keep_when_short`` slots stay."""

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
    "release", ("massage-gun-psoas-release", "release-tool-prone", "release-tool-supine"), 7
)
PRIMARY_STRETCH = Slot(
    "primary stretch",
    (
        "half-kneeling-hip-flexor-stretch",
        "standing-staggered-hip-flexor-stretch",
        "lunge-stretch",
        "seated-hip-flexor-stretch",
    ),
    0,
    keep_when_short=True,
)
SECOND_STRETCH = Slot(
    "second stretch",
    ("table-hip-flexor-stretch", "lunge-stretch", "flexed-position-stretch"),
    6,
)
SIDE_BRIDGE = Slot("side bridge", ("side-bridge",), 5)
CORE = Slot(
    "core",
    ("dead-bug", "mcgill-curl-up", "abdominal-bracing", "bird-dog", "seated-core-bracing"),
    2,
)
EXTENSORS = Slot("hip extensors", ("glute-bridge", "standing-hip-extension", "bird-dog"), 3)
FLEXOR_STRENGTH = Slot(
    "hip-flexor strength",
    ("supine-marching", "standing-hip-flexion", "seated-marching", "isometric-hip-flexion"),
    4,
)
INJURED_FLEXOR_STRENGTH = Slot(
    "hip-flexor strength", ("isometric-hip-flexion",), 0, keep_when_short=True
)
MOVEMENT = Slot("movement", ("movement-break", "seated-break"), 0, keep_when_short=True)
PRESSURE_RELIEF = Slot("pressure relief", ("pressure-relief-break",), 0, keep_when_short=True)
WALKING = Slot("walking", ("graded-walking",), 0, keep_when_short=True)


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


def weak_hip_flexion(intake: Intake) -> list[Side]:
    """The sides on which resisted hip flexion was weak (weak, or weak and painful)."""
    r = intake.observations.resisted_hip_flexion
    if r is None:
        return []
    return [s for s in ("left", "right") if getattr(r, s) in ("weak", "weak_painful")]


def _choose(
    intake: Intake, triage: Triage, involvement: Involvement, catalog: Catalog
) -> tuple[list[Choice], list[Excluded], _Person]:
    excluded: dict[str, Excluded] = {}
    allowed: dict[str, Exercise] = {}
    person = _Person.of(intake, involvement)
    for ex in catalog.exercises:
        why_not = exclusion(intake, triage, ex, person)
        if why_not is None:
            allowed[ex.id] = ex
        else:
            excluded[ex.id] = why_not

    chosen: list[Choice] = []
    taken: set[str] = set()

    def fill(slot: Slot, reason: str | None = None) -> None:
        candidates = slot.candidates
        if person.cannot_stand:
            # Seated versions first, and for stretches and strengthening only those: getting
            # down onto a bed or the floor to exercise is itself the hard and risky part.
            candidates = tuple(
                sorted(
                    candidates, key=lambda c: c not in allowed or allowed[c].position != "seated"
                )
            )
            candidates = tuple(
                c
                for c in candidates
                if c not in allowed
                or allowed[c].category not in ("stretch", "strengthen")
                or allowed[c].position in ("seated", "any")
            )
        for cid in candidates:
            if cid in allowed and cid not in taken:
                choice = Choice(allowed[cid], slot)
                if reason:
                    choice.reasons.append(reason)
                if person.cannot_stand and allowed[cid].position == "seated":
                    choice.reasons.append(
                        "Done sitting, because you said you cannot stand unaided or use a "
                        "wheelchair."
                    )
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
    gentle = person.gentle is not None
    flexor_signs = involvement.level != "unlikely"
    short_rf = any(f.code == "thomas-short-rectus-femoris" for f in involvement.findings)
    weak = weak_hip_flexion(intake)
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
        fill(
            FLEXOR_STRENGTH,
            f"Your hip flexors tested weak ({' and '.join(weak)}), so strengthening them stays "
            "in even when time is short."
            if weak
            else None,
        )
    if not gentle:
        fill(SIDE_BRIDGE, "Side bridges train the muscles along the side of the trunk.")
    if involvement.level == "likely" and not injured and not gentle:
        fill(SECOND_STRETCH, "Your signs are clear, so a second stretch adds time at length.")

    for pid in POSTURE_IDS:
        if pid in allowed:
            reason = _posture_wanted(intake, involvement, pid)
            if reason:
                chosen.append(Choice(allowed[pid], Slot("posture", (pid,), 0, True), [reason]))
    fill(MOVEMENT, "Getting up often is the simplest thing that helps sitters' backs.")
    if intake.equipment_and_ability.uses_wheelchair:
        fill(
            PRESSURE_RELIEF,
            "You use a wheelchair: shifting your weight often eases your back and protects "
            "your skin.",
        )
    if not person.cannot_stand:
        fill(
            WALKING,
            "Walking keeps you active, which helps most back pain settle; add a little at a time.",
        )
    return chosen, list(excluded.values()), person


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


def _timed(ex: Exercise) -> bool:
    return ex.dose.minutes is not None and not ex.dose.sets


def _sides(
    ex: Exercise, tighter: Side | None, sets: int | None, max_sets: int | None = None
) -> tuple[float, float] | None:
    """Sets (or minutes, for timed items) on the left and right, or None for two-sided items.

    The tighter side gets one more set of a stretch (never above ``max_sets``); strengthening
    is the same on both sides. A release starts at :data:`RELEASE_START_MINUTES` a side on
    both sides, the tighter side included; other timed items give the tighter side half as much
    time again.
    """
    if not ex.one_sided:
        return None
    d = ex.dose
    if ex.category not in ("stretch", "release"):
        tighter = None
    if _timed(ex):
        base = d.minutes or 0.0
        if ex.category == "release":
            start = min(base, RELEASE_START_MINUTES)
            return (start, start)
        extra = math.ceil(base * 1.5 * 2) / 2 if tighter else base
    else:
        base = float(sets or d.sets or 1)
        extra = base + 1 if tighter else base
        if max_sets is not None:
            extra = max(base, min(extra, float(max_sets)))
    return (extra if tighter == "left" else base, extra if tighter == "right" else base)


def session_minutes(
    ex: Exercise, tighter: Side | None, sets: int | None, max_sets: int | None = None
) -> float:
    """Minutes one item takes in one session (posture habits and breaks take none)."""
    d = ex.dose
    if ex.category in ("posture", "movement"):
        return 0.0
    sides = _sides(ex, tighter, sets, max_sets)
    if _timed(ex):
        return sum(sides) if sides else (d.minutes or 0.0)
    total_sets = sum(sides) if sides else float(sets or d.sets or 1)
    return total_sets * d.seconds_per_side_set() / 60


def item_dose(
    ex: Exercise,
    tighter: Side | None,
    sets: int | None,
    sessions: int,
    max_sets: int | None = None,
) -> ItemDose:
    d = ex.dose
    if ex.category in ("posture", "movement"):
        return ItemDose(minutes=d.minutes, times_per_day=d.times_per_day)
    sides = _sides(ex, tighter, sets, max_sets)
    minutes = d.minutes
    if ex.category == "release" and _timed(ex) and minutes is not None:
        minutes = min(minutes, RELEASE_START_MINUTES)
    return ItemDose(
        sets=sets if d.sets else None,
        reps=d.reps,
        hold_seconds=d.hold_seconds,
        minutes=minutes,
        per_side=PerSide(left=sides[0], right=sides[1]) if sides else None,
        rest_seconds=d.rest_seconds,
        times_per_day=sessions if _per_session(ex) else d.times_per_day,
    )


@dataclass
class _Plan:
    choices: list[Choice]
    sessions: int
    sets: dict[str, int]
    max_sets: int | None = None
    weak_flexors: bool = False
    dropped: list[Choice] = field(default_factory=list)

    def minutes(self, tighter: Side | None) -> float:
        total = 0.0
        for c in self.choices:
            per_session = session_minutes(
                c.exercise, tighter, self.sets.get(c.exercise.id), self.max_sets
            )
            total += per_session * (self.sessions if _per_session(c.exercise) else 1)
        return total


def _drop(slot: Slot, unless: Callable[[_Plan], bool] | None = None) -> Callable[[_Plan], bool]:
    def step(plan: _Plan) -> bool:
        if unless is not None and unless(plan):
            return False
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


def _weak(plan: _Plan) -> bool:
    return plan.weak_flexors


#: What gives way, in order, when the program is longer than the person's minutes a day. The
#: release goes first: it is the least proven part (no trial has tested it, and no safety data
#: exist). Hip-flexor strengthening stays when resisted hip flexion tested weak. The primary
#: stretch, posture habits, movement breaks and walking never go; one 30-second set a day of a
#: stretch keeps its effect (Bandy 1997), so stretches go down to one set last.
FIT_LADDER: tuple[tuple[str, Callable[[_Plan], bool]], ...] = (
    ("drop the release", _drop(RELEASE_SLOT)),
    ("drop the second stretch", _drop(SECOND_STRETCH)),
    ("drop the side bridge", _drop(SIDE_BRIDGE)),
    ("strengthening down to 2 sets", _sets_down_to("strengthen", 2)),
    ("stretches down to 2 sets", _sets_down_to("stretch", 2)),
    ("one session a day instead of two", _one_session),
    (
        "drop hip-flexor strengthening, unless resisted hip flexion is weak",
        _drop(FLEXOR_STRENGTH, unless=_weak),
    ),
    ("strengthening down to 1 set", _sets_down_to("strengthen", 1)),
    ("stretches down to 1 set", _sets_down_to("stretch", 1)),
    ("drop hip-extensor strengthening", _drop(EXTENSORS)),
    ("drop core strengthening", _drop(CORE)),
)

#: The rules that choose and fit the program after the exclusions of :data:`PROGRAM_RULES`.
#: Together they name every code a program's ``excluded`` list can carry, besides a catalog
#: entry's own contraindications (:data:`EXCLUSION_CODES`).
FITTING_RULES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "see-clinician-first",
        "With a see-a-clinician triage, deep release waits for the clinician; stretches, "
        "strengthening, posture and breaks are still offered.",
        ("nice-ng59",),
    ),
    *(
        (
            f"needs-{what}",
            f"Nothing is offered that needs {words} the person did not say they can use; an "
            "unanswered question counts as no. The next candidate for the same place in the "
            "program is chosen instead, and says why.",
            ("more4life-2024",),
        )
        for what, words in (
            ("floor", "the floor"),
            ("kneeling", "kneeling"),
            ("equipment", "equipment"),
        )
    ),
    (
        "time",
        "The program is fitted to the minutes a day the person has "
        f"({DEFAULT_MINUTES_PER_DAY} when not said), one rung at a time: "
        + "; ".join(name for name, _ in FIT_LADDER)
        + ". The release goes first: it is the least proven part. The primary stretch, posture "
        "habits, movement breaks and walking are never dropped; one 30-second stretch a day "
        "keeps its effect. What the sources suggest that was cut for time is said in the "
        "program's notes.",
        ("bandy-1997", "ayala-2010", "psoas-safety-rules"),
    ),
)
#: Every rule code a program's ``excluded`` list can carry, besides a catalog condition.
EXCLUSION_CODES: frozenset[str] = frozenset(code for code, _, _ in (*PROGRAM_RULES, *FITTING_RULES))


def _fit(plan: _Plan, budget: float, tighter: Side | None) -> None:
    """Shrink the plan, one rung of the ladder at a time, until it fits the minutes a day."""
    for _, step in FIT_LADDER:
        while plan.minutes(tighter) > budget and step(plan):
            pass


def item_why(choice: Choice, tighter: Side | None, intake: Intake) -> tuple[str, ...]:
    ex = choice.exercise
    reasons = [*ex.why, *choice.reasons]
    if ex.one_sided and ex.category == "stretch" and tighter:
        reasons.append(f"Your {tighter} side is tighter, so it gets more.")
    if ex.category == "release":
        reasons.append(
            "It starts short, about a minute a side (the tighter side too), and grows only "
            "once your sessions show that you tolerate it."
        )
    if ex.category == "stretch" and ex.dose.hold_seconds == 30:
        reasons.append("Holds of 30 seconds work as well as longer ones.")
    return tuple(dict.fromkeys(reasons))


def item_sources(ex: Exercise) -> tuple[str, ...]:
    extra: tuple[str, ...] = ()
    if ex.category == "stretch" and ex.dose.hold_seconds == 30:
        extra = ("bandy-1994", "bandy-1997")
    return tuple(dict.fromkeys((*ex.sources, *extra)))


# --- cautions -----------------------------------------------------------------------------------

#: Catalog safety notes that are about one condition, found by their words, and whether such a
#: note can apply to a person. A note about a condition the person cannot have (or has said they
#: do not have) is not shown: no pregnancy advice to a man, or to anyone the questionnaire does
#: not ask about pregnancy (:func:`could_be_pregnant`); no hip-replacement advice to someone
#: without one.
CAUTION_TOPICS: tuple[tuple[str, re.Pattern[str], Callable[[Intake], bool]], ...] = (
    (
        "pregnancy",
        re.compile(r"\bpregnan|\bmidwife", re.IGNORECASE),
        lambda i: could_be_pregnant(i.person.age, i.person.sex),
    ),
    (
        "hip_replacement",
        re.compile(r"hip replacement|replaced hip|new hip", re.IGNORECASE),
        lambda i: i.health.hip_replacement is not False,
    ),
    (
        "hernia",
        re.compile(r"\bhernia", re.IGNORECASE),
        lambda i: i.health.abdominal_hernia is not False,
    ),
    (
        "hip_flexor_injury",
        re.compile(r"(strained|injured|injury to) (a|your) hip flexor", re.IGNORECASE),
        lambda i: i.health.recent_hip_flexor_injury is not False,
    ),
)


def caution_applies(note: str, intake: Intake) -> bool:
    """False when a safety note is about a condition this person cannot have."""
    return all(applies(intake) for _, pattern, applies in CAUTION_TOPICS if pattern.search(note))


def item_cautions(
    ex: Exercise, found: frozenset[ConditionCode], intake: Intake | None = None
) -> tuple[str, ...]:
    """The catalog's safety notes that can apply to this person, then personal ones. Without
    ``intake`` every catalog note is kept."""
    cautions = [n for n in ex.safety if intake is None or caution_applies(n, intake)]
    if "hip_replacement" in found and ex.category in ("stretch", "strengthen"):
        if intake is not None and intake.health.hip_replacement_cleared_for_exercise:
            cautions.append(
                "Your surgical team cleared you for exercise: still ease into each stretch, and "
                "stop if the hip feels unstable, clicks or hurts in the groin."
            )
        else:
            cautions.append(
                "You have a hip replacement: keep within the movements your surgical team allowed."
            )
    if "pregnancy" in found and ex.category == "stretch":
        cautions.append(
            "In pregnancy the joints are looser: stretch only to a mild pull, never to the end "
            "of the movement."
        )
    if "pregnancy" in found and ex.position in ("floor", "bed") and not ex.lies_on_back:
        cautions.append(
            "From the middle of pregnancy, avoid lying flat on your back for long; prop yourself "
            "up or choose a standing version."
        )
    if intake is not None and intake.health.falls_or_poor_balance and ex.needs_standing:
        cautions.append(
            "You have had a fall or feel unsteady: keep a sturdy chair or worktop within reach, "
            "and hold on whenever you need to."
        )
    return tuple(dict.fromkeys(cautions))


# --- step text from the dose --------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def _seconds(n: float) -> str:
    n = round(n)
    if n >= 60 and n % 60 == 0:
        m = n // 60
        return "1 minute" if m == 1 else f"{m} minutes"
    return "1 second" if n == 1 else f"{n} seconds"


def _minutes(n: float) -> str:
    return "1 minute" if n == 1 else f"{n:g} minutes"


def _count(n: float, word: str) -> str:
    return f"{n:g} {word}" if n == 1 else f"{n:g} {word}s"


def _starting_dose(ex: Exercise) -> ItemDose:
    return item_dose(ex, None, ex.dose.sets, 1)


def dose_words(ex: Exercise, dose: ItemDose | None = None) -> dict[str, str]:
    """The words each step placeholder stands for, from ``dose`` (the catalog's starting dose
    when None):

    * ``{hold}``: the hold ("30 seconds"); ``{rest}``: the rest between sets;
    * ``{reps}``: repetitions ("10");
    * ``{sets}``: sets, per side where the sides differ ("3 sets on your left side and 4 on
      your right");
    * ``{more_sets}``: the sentence after the first set ("Rest for 30 seconds, then do a
      second set.", or "One set is enough for now.");
    * ``{minutes}``: a release's time a side; ``{spot}``: half of it, for a release done on two
      spots a side;
    * ``{pyramid}``: the sets of a falling pyramid (``reps_by_set``), as many as the dose has.
    """
    d = dose or _starting_dose(ex)
    words: dict[str, str] = {
        "hold": _seconds(d.hold_seconds or ex.dose.hold_seconds or 0),
        "rest": _seconds(d.rest_seconds),
        "reps": f"{d.reps or ex.dose.reps or 1}",
    }
    n = d.sets or (int(min(d.per_side.left, d.per_side.right)) if d.per_side else 1)
    if d.per_side and d.sets and d.per_side.left != d.per_side.right:
        words["sets"] = (
            f"{_count(d.per_side.left, 'set')} on your left side and "
            f"{d.per_side.right:g} on your right"
        )
    else:
        words["sets"] = _count(n, "set")
    if n <= 1:
        words["more_sets"] = "One set is enough for now."
    elif n == 2:
        words["more_sets"] = f"Rest for {words['rest']}, then do a second set."
    else:
        words["more_sets"] = f"Rest for {words['rest']} after each set, and do {n} sets in all."
    pyramid = list(ex.dose.reps_by_set or ())[: max(1, n)]
    if len(pyramid) == 1:
        words["pyramid"] = f"Do {pyramid[0]} holds. One set is enough for now."
    elif pyramid:
        words["pyramid"] = (
            f"Do {pyramid[0]} holds for the first set. Rest for {words['rest']} and swap legs, "
            f"then do {pyramid[1]}" + "".join(f", rest again, then {r}" for r in pyramid[2:]) + "."
        )
    if d.per_side and not d.sets:
        left, right = d.per_side.left, d.per_side.right
    else:
        left = right = d.minutes or 0.0
    if left == right:
        words["minutes"] = f"{_minutes(left)} a side"
        words["spot"] = _seconds(left * 30)
    else:
        words["minutes"] = f"{_minutes(left)} on your left side and {right:g} on your right"
        words["spot"] = (
            f"{_seconds(left * 30)} on your left side and {_seconds(right * 30)} on your right"
        )
    return words


def fill_dose(text: str, words: Mapping[str, str]) -> str:
    """``text`` with each ``{placeholder}`` replaced; an unknown placeholder is an error."""

    def one(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in words:
            raise ValueError(f"unknown dose placeholder {{{key}}} in {text!r}")
        return words[key]

    return _PLACEHOLDER.sub(one, text)


def item_steps(ex: Exercise, dose: ItemDose | None = None) -> tuple[str, ...]:
    """The catalog steps as a person reads them, with every number that the dose can change
    (sets, holds, a release's minutes) filled in from ``dose`` (the starting dose when None)."""
    words = dose_words(ex, dose)
    return tuple(fill_dose(s, words) for s in ex.steps)


def item_summary(ex: Exercise, dose: ItemDose | None = None) -> str:
    """The catalog summary with its dose placeholders filled in (see :func:`item_steps`)."""
    return fill_dose(ex.summary, dose_words(ex, dose))


# --- the program --------------------------------------------------------------------------------


def _names(choices: list[Choice]) -> str:
    names = [c.exercise.name[0].lower() + c.exercise.name[1:] for c in choices]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _time_notes(plan: _Plan, budget: float, full_sessions: int) -> list[str]:
    """What the sources recommend that was cut to fit the minutes a day, in plain words."""
    notes: list[str] = []
    release = [c for c in plan.dropped if c.slot is RELEASE_SLOT]
    others = [c for c in plan.dropped if c.slot is not RELEASE_SLOT]
    if release:
        notes.append(
            f"To fit {budget:g} minutes a day, the {_names(release)} was left out first: it is "
            "the least proven part of the program."
        )
    if others:
        notes.append(
            f"Also left out to fit {budget:g} minutes a day, though the sources suggest "
            f"{'it' if len(others) == 1 else 'them'}: {_names(others)}. Add "
            f"{'it' if len(others) == 1 else 'them'} back when you have more time."
        )
    cut = [
        c
        for c in plan.choices
        if c.exercise.category in ("stretch", "strengthen")
        and c.exercise.dose.sets
        and plan.sets.get(c.exercise.id, 0) < min(c.exercise.dose.sets, plan.max_sets or 99)
    ]
    if cut:
        notes.append(
            f"To fit your time, {_names(cut)} "
            + ("has" if len(cut) == 1 else "have")
            + " fewer sets than the sources suggest; add sets back when you can. Even one "
            "30-second stretch a day still helps."
        )
    if plan.sessions < full_sessions:
        notes.append(
            "The sources suggest stretching twice a day for people who sit for long hours or "
            "cycle; to fit your time it is once a day."
        )
    return notes


def _person_notes(intake: Intake, person: _Person) -> list[str]:
    notes: list[str] = []
    h = intake.health
    if person.gentle:
        notes.append(
            f"Your program starts gently because {person.gentle}: at most {GENTLE_MAX_SETS} "
            "sets of each exercise, no deep release, and plenty of easy movement such as "
            "short walks and getting up often. It can build up as you feel better."
        )
    if h.pregnant:
        notes.append(
            "In pregnancy nothing in the program presses on your belly or is done lying flat "
            "on your back. A midwife or a women's health physiotherapist can adjust it as your "
            "pregnancy goes on."
        )
    elif h.postpartum_within_6_months:
        notes.append(
            "In the six months after giving birth nothing in the program presses on your belly. "
            "A women's health physiotherapist can check your belly and pelvic floor muscles and "
            "help you build up from there."
        )
    if intake.person.age < ADULT_AGE:
        notes.append(
            "For under-16s psoas keeps to a gentle program and never presses on the belly. "
            "Please also see a clinician who works with young people."
        )
    if person.cannot_stand:
        notes.append(
            "You said you cannot stand unaided or use a wheelchair, so everything here is done "
            "sitting or lying, and your breaks are seated ones."
        )
    if h.hip_replacement:
        if h.recent_abdominal_or_hip_surgery:
            notes.append(
                "You had hip surgery recently. In the first weeks after a hip replacement your "
                "surgical team guides what you may do: contact them (or their physiotherapist) "
                "soon, before you add any exercise, and follow their limits over anything here."
            )
        elif person.hip_cleared:
            notes.append(
                "Your surgical team has cleared you for exercise, so hip-flexor stretches are "
                "included. Moves that bend the hip past a right angle are still left out: ask "
                "your team before adding them."
            )
        else:
            notes.append(
                "With a hip replacement, the stretches and the massage-gun release wait until "
                "your surgical team clears you for exercise without restrictions. Ask them, "
                "then answer that question again."
            )
    return notes


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
    choices, excluded, person = _choose(intake, triage, involvement, catalog)
    sessions = sessions_per_day(intake)
    cap = GENTLE_MAX_SETS if person.gentle else None
    plan = _Plan(
        choices,
        sessions,
        {
            c.exercise.id: min(c.exercise.dose.sets, cap or c.exercise.dose.sets)
            for c in choices
            if c.exercise.dose.sets
        },
        max_sets=cap,
        weak_flexors=bool(weak_hip_flexion(intake)),
    )
    budget = float(intake.preferences.minutes_per_day or DEFAULT_MINUTES_PER_DAY)
    _fit(plan, budget, tighter)
    notes: list[str] = _person_notes(intake, person)
    for d in plan.dropped:
        excluded.append(
            Excluded(
                id=d.exercise.id,
                code="time",
                message=f"Left out to fit {budget:g} minutes a day; add it when you have more "
                "time.",
            )
        )
    notes += _time_notes(plan, budget, sessions)
    if plan.minutes(tighter) > budget:
        notes.append(
            f"Even the shortest safe program takes a little over {budget:g} minutes a day."
        )
    items: list[ProgramItem] = []
    order = {"release": 0, "stretch": 1, "strengthen": 2, "movement": 3, "posture": 4}
    for c in sorted(plan.choices, key=lambda c: order[c.exercise.category]):
        ex = c.exercise
        sets = plan.sets.get(ex.id)
        dose = item_dose(ex, tighter, sets, plan.sessions, plan.max_sets)
        per_session = round(session_minutes(ex, tighter, sets, plan.max_sets), 1)
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
                cautions=item_cautions(ex, person.found, intake),
                sources=item_sources(ex),
            )
        )
    if plan.sessions > 1 and any(i.category == "stretch" for i in items):
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
