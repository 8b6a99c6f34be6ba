"""Red flags: warning signs that need a doctor, where to go, and how soon.

Each rule is data (a stable code, a level, how soon and where, a plain message that says both,
and its sources) plus one predicate over the intake. Age is never a red flag on its own: it only
counts together with other features, except that under-16s get their own pathway (NICE's adult
back-pain guidance, NG59, covers over-16s).

Time frames (``within_hours``: the most time that should pass before the person is seen):

- ``0``: now (emergency, always an emergency department);
- ``24``: today (urgent);
- ``72``: within a few days (urgent);
- ``336``: within two weeks (see a clinician);
- ``None``: no visit is needed (self-care).

Each level has its own time frames (:data:`TIME_FRAMES`), so ordering rules by level and by time
frame is the same order. The choice made for a see-a-clinician result: every see-a-clinician
rule says "within the next two weeks" (336), even the ones that a clinic would book as routine,
so that ``within_hours`` is ``None`` exactly when the level is ``self_care`` (the contract's
meaning of null: no visit needed), and the heading always gives a time frame. ``None`` on a rule
would mean "routine, no deadline"; no rule uses it.

:func:`triage` sets ``within_hours`` to the shortest time frame of the rules that fired, and
``where`` to the door of the most urgent of them (on a tie, the one listed first in
:data:`RULES`, so the more specific doors are listed first). The action sentence and the
:func:`heading` are built from that time frame and door, so the heading and the quickest reason
always say the same thing; each rule's message names its own time frame in the same words
(:data:`WHEN_WORDS`), and conditional advice ("go the same day if...") uses other words.

Decisions worth knowing:

- Sciatica in both legs alone is an emergency (NICE CKS sciatica: arrange emergency admission
  when cauda equina syndrome is suspected; bilateral sciatica is one of its red flags).
- An abnormal neurological examination recorded by a clinician is a see-a-clinician reason (a
  doctor within two weeks). Worsening weakness is the urgent rule, weakness in both legs the
  emergency one; the examination finding does not replace either.
- A suspected stress fracture of the spine in a young athlete is ``urgent`` (within a few days):
  the contract's urgent level covers suspected fractures, and the program is held back until
  it has been checked.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from psoas.domain.intake import Intake, RedFlags
from psoas.domain.results import (
    TRIAGE_ORDER,
    Reason,
    Triage,
    TriageLevel,
    TriageReason,
    Where,
)

#: The local emergency number when the setting ``PSOAS_EMERGENCY_NUMBER`` is not given. The
#: messages never contain a number: the surfaces add the configured one.
EMERGENCY_NUMBER_DEFAULT = "112"

LEVEL_TITLES: dict[TriageLevel, str] = {
    "emergency": "EMERGENCY",
    "urgent": "URGENT",
    "see_clinician": "SEE A CLINICIAN",
    "self_care": "SELF-CARE",
}

#: The time frames each level may have (``None``: no visit needed).
TIME_FRAMES: dict[TriageLevel, tuple[float | None, ...]] = {
    "emergency": (0,),
    "urgent": (24, 72),
    "see_clinician": (336,),
    "self_care": (None,),
}

#: How each time frame is said, in the action, the heading and every rule's message.
WHEN_WORDS: dict[float, str] = {
    0: "now",
    24: "today",
    72: "within the next few days",
    336: "within the next two weeks",
}

#: Where to go, in a sentence.
WHERE_WORDS: dict[Where, str] = {
    "emergency_department": "an emergency department",
    "same_day_doctor": "a doctor",
    "doctor": "your doctor",
    "physiotherapist": "a physiotherapist or your doctor",
    "midwife_or_womens_health_physiotherapist": "your midwife or a women's health physiotherapist",
    "surgical_team": "the team that did your operation",
    "child_and_adolescent_clinician": "a doctor or physiotherapist who looks after children "
    "and young people",
    "none": "a doctor or physiotherapist",
}

#: Said after the action sentence for some doors.
WHERE_HINTS: dict[Where, str] = {
    "same_day_doctor": "Ask your own practice for a same-day appointment, or use an urgent "
    "care or out-of-hours service.",
}

#: Where to go, in a heading.
WHERE_SHORT: dict[Where, str] = {
    "emergency_department": "an emergency department",
    "same_day_doctor": "a doctor",
    "doctor": "a doctor",
    "physiotherapist": "a physiotherapist",
    "midwife_or_womens_health_physiotherapist": "a midwife or women's health physiotherapist",
    "surgical_team": "your surgical team",
    "child_and_adolescent_clinician": "a doctor or physio for young people",
    "none": "a clinician",
}

#: The action sentence, from the shortest time frame of the rules that fired (``{where}`` is
#: filled from :data:`WHERE_WORDS`).
ACTIONS: dict[float | None, str] = {
    0: "Go to {where} now. If you cannot get there safely, call an ambulance.",
    24: "See {where} today.",
    72: "See {where} within the next few days.",
    336: "Book an appointment with {where} within the next two weeks.",
    None: "No warning sign was found in your answers.",
}

#: What happens to the home program, by level (it follows the action sentence).
PROGRAM_NOTES: dict[TriageLevel, str] = {
    "emergency": "Do not start the exercises.",
    "urgent": (
        "The home program is held back until you have been checked. If you get worse while "
        "you wait, go to an emergency department."
    ),
    "see_clinician": (
        "Meanwhile a gentle program is offered; stop it and get help sooner if anything gets worse."
    ),
    "self_care": (
        "The home program is for you. If new symptoms appear, answer the warning-sign "
        "questions again."
    ),
}

_HEADLINES: dict[float, str] = {
    0: "go to {where} now",
    24: "see {where} today",
    72: "see {where} within a few days",
    336: "see {where} within two weeks",
}


@dataclass(frozen=True)
class RedFlagRule:
    code: str
    level: TriageLevel
    within_hours: float | None  # see the module docstring; None = routine, no deadline
    where: Where
    title: str
    when: str  # the condition in intake field names, for the documentation
    message: str
    sources: tuple[str, ...]
    applies: Callable[[Intake], bool]
    supersedes: tuple[str, ...] = ()
    #: The rule reads "new pain" (:func:`_new_pain`). At a re-check, pain that has risen by the
    #: minimal important change since the assessment is changed pain, and counts as new.
    reads_new_pain: bool = False


# --- reading the intake ---------------------------------------------------------------------

_RESISTED_WEAK = ("weak", "weak_painful")
_RESISTED_ABNORMAL = ("weak", "painful", "weak_painful")
_FRONT_OF_HIP_AREAS = ("groin", "front_of_hip", "front_of_thigh")


def _rf(i: Intake, name: str) -> bool:
    return bool(getattr(i.red_flags, name))


def _legs(i: Intake) -> tuple[str | None, str | None]:
    legs = i.pain.leg_symptoms
    return (legs.left, legs.right) if legs is not None else (None, None)


def _below_knee(i: Intake) -> bool:
    """Symptoms below the knee on at least one side (any form of the question)."""
    return (
        bool(i.pain.numbness_or_tingling_below_knee)
        or "below_knee" in i.pain.areas
        or "below_knee" in _legs(i)
    )


def _bilateral_sciatica(i: Intake) -> bool:
    """Leg symptoms below the knee on both sides.

    The body chart (version 2) decides where it was filled in for both legs, and a leg marked
    as not below the knee rules it out; otherwise the version 1 form counts: pain on both sides
    with symptoms below the knee.
    """
    left, right = _legs(i)
    if left is not None and right is not None:
        return left == right == "below_knee"
    if left not in (None, "below_knee") or right not in (None, "below_knee"):
        return False
    return i.pain.side == "both" and _below_knee(i)


NEW_PAIN_WEEKS = 6
#: How the rules that read new pain say so in their conditions (``when``).
_NEW_PAIN_WHEN = f"(pain.duration_weeks < {NEW_PAIN_WEEKS} or pain risen at a re-check)"


def _new_pain(i: Intake) -> bool:
    return i.pain.duration_weeks < NEW_PAIN_WEEKS


def _as_new_pain(i: Intake) -> Intake:
    """The intake read as if the pain had just begun: what a rise in pain means to the rules
    that read new pain."""
    return i.model_copy(update={"pain": i.pain.model_copy(update={"duration_weeks": 0})})


def _resisted(i: Intake, results: tuple[str, ...]) -> bool:
    resisted = i.observations.resisted_hip_flexion
    return resisted is not None and (resisted.left in results or resisted.right in results)


def _plays_sport(i: Intake) -> bool:
    return any(activity != "walking" for activity in i.daily_life.activities)


def _aneurysm_risk_factors(i: Intake) -> tuple[bool | None, ...]:
    h = i.health
    return (
        h.smoker_or_former_smoker,
        h.high_blood_pressure,
        h.heart_or_circulation_disease,
        h.family_history_aortic_aneurysm,
    )


def aneurysm_risk_profile(i: Intake) -> bool:
    """The profile in which an aortic aneurysm should be thought of (not a known aneurysm):
    a man of 65 or over, anyone over 50 with smoking, high blood pressure, heart or circulation
    disease or a family history, or anyone over 60 who left those four questions unanswered."""
    age, factors = i.person.age, _aneurysm_risk_factors(i)
    return (
        (i.person.sex == "male" and age >= 65)
        or (age > 50 and any(f is True for f in factors))
        or (age > 60 and all(f is None for f in factors))
    )


def _pregnant_or_postpartum(i: Intake) -> bool:
    return bool(i.health.pregnant) or bool(i.health.postpartum_within_6_months)


# --- the rules ------------------------------------------------------------------------------

CES = ("nice-cks-sciatica", "girft-ces-2023", "nice-cks-lbp", "finucane-2020")
MALIGNANCY = ("nice-cks-lbp", "verhagen-2016", "finucane-2020")
AORTA = ("racgp-2013-aaa", "crawford-2003", "deboer-2010")

_ANEURYSM_PROFILE_WHEN = (
    "(person.sex = male and person.age >= 65) or (person.age > 50 and any of "
    "health.smoker_or_former_smoker, health.high_blood_pressure, "
    "health.heart_or_circulation_disease, health.family_history_aortic_aneurysm) or "
    "(person.age > 60 and those four unanswered)"
)

RULES: tuple[RedFlagRule, ...] = (
    # --- emergency: now, emergency department ---------------------------------------------
    RedFlagRule(
        "cauda-equina-saddle",
        "emergency",
        0,
        "emergency_department",
        "Saddle numbness",
        "red_flags.saddle_numbness",
        "Numbness around the back passage, genitals or inner thighs may mean the nerves at the "
        "base of the spine are being squeezed (cauda equina syndrome). Go to an emergency "
        "department now; do not wait to see whether it passes.",
        CES,
        lambda i: _rf(i, "saddle_numbness"),
    ),
    RedFlagRule(
        "cauda-equina-bladder-bowel",
        "emergency",
        0,
        "emergency_department",
        "New bladder or bowel trouble",
        "red_flags.new_bladder_or_bowel_dysfunction",
        "New trouble passing or holding urine or stools, together with back pain, may mean the "
        "nerves at the base of the spine are being squeezed (cauda equina syndrome). Go to an "
        "emergency department now.",
        CES,
        lambda i: _rf(i, "new_bladder_or_bowel_dysfunction"),
    ),
    RedFlagRule(
        "cauda-equina-sexual",
        "emergency",
        0,
        "emergency_department",
        "New sexual problems or genital numbness",
        "red_flags.new_sexual_dysfunction_or_genital_numbness",
        "New loss of feeling in the genitals, or new problems with sex, together with back "
        "pain, may mean the nerves at the base of the spine are being squeezed (cauda equina "
        "syndrome). Go to an emergency department now, even if it feels awkward to mention.",
        CES,
        lambda i: _rf(i, "new_sexual_dysfunction_or_genital_numbness"),
    ),
    RedFlagRule(
        "cauda-equina-both-legs",
        "emergency",
        0,
        "emergency_department",
        "Worsening weakness with symptoms in both legs",
        "red_flags.progressive_leg_weakness and symptoms below the knee in both legs (as for "
        "cauda-equina-bilateral-sciatica)",
        "Leg weakness that is getting worse, with pain or pins and needles below the knee in both "
        "legs, may mean pressure on several nerves at once (cauda equina syndrome). Go to an "
        "emergency department now.",
        CES,
        lambda i: _rf(i, "progressive_leg_weakness") and _bilateral_sciatica(i),
        supersedes=(
            "cauda-equina-bilateral-sciatica",
            "progressive-neurological-deficit",
            "nerve-root-signs",
        ),
    ),
    RedFlagRule(
        "cauda-equina-weakness-both-legs",
        "emergency",
        0,
        "emergency_department",
        "Weakness in both legs",
        "red_flags.weakness_in_both_legs",
        "Weakness in both legs, wherever the pain is, may mean the nerves at the base of the "
        "spine or the spinal cord are being squeezed. Go to an emergency department now.",
        CES,
        lambda i: _rf(i, "weakness_in_both_legs"),
        supersedes=("progressive-neurological-deficit",),
    ),
    RedFlagRule(
        "cauda-equina-bilateral-sciatica",
        "emergency",
        0,
        "emergency_department",
        "Sciatica in both legs",
        "pain.leg_symptoms.left = below_knee and pain.leg_symptoms.right = below_knee; where "
        "the body chart is not filled in for both legs (and neither leg is marked above the "
        "knee or none): pain.side = both and (pain.numbness_or_tingling_below_knee or "
        "below_knee in pain.areas)",
        "Pain, numbness or pins and needles running below the knee in both legs may mean the "
        "nerves at the base of the spine are pressed on from both sides (cauda equina "
        "syndrome). Go to an emergency department now, even if your bladder and bowels feel "
        "normal.",
        CES,
        _bilateral_sciatica,
        supersedes=("nerve-root-signs",),
    ),
    RedFlagRule(
        "unsteady-walking",
        "emergency",
        0,
        "emergency_department",
        "Newly unsteady walking",
        "red_flags.new_unsteady_walking",
        "Walking that has newly become unsteady or clumsy may mean pressure on the spinal cord. "
        "Go to an emergency department now.",
        ("nice-cks-lbp", "finucane-2020"),
        lambda i: _rf(i, "new_unsteady_walking"),
    ),
    RedFlagRule(
        "spinal-infection",
        "emergency",
        0,
        "emergency_department",
        "Fever with a weakened immune system or injected drugs",
        "red_flags.fever_or_feeling_unwell and red_flags.immunosuppressed_or_iv_drug_use",
        "Fever or feeling unwell, with a weakened immune system or injected drug use, may mean "
        "an infection in the spine. Go to an emergency department now.",
        ("nhs-back-pain-pathway", "finucane-2020", "nice-cks-lbp"),
        lambda i: _rf(i, "fever_or_feeling_unwell") and _rf(i, "immunosuppressed_or_iv_drug_use"),
        supersedes=("possible-spinal-infection", "immunosuppressed"),
    ),
    RedFlagRule(
        "aortic-aneurysm-mass",
        "emergency",
        0,
        "emergency_department",
        "A pulsating lump in the belly",
        "red_flags.pulsating_abdominal_mass",
        "A lump in the belly that beats with your pulse, with back pain, may be a swollen main "
        "artery (aortic aneurysm). Go to an emergency department now. Never press on it.",
        ("crawford-2003", "deboer-2010"),
        lambda i: _rf(i, "pulsating_abdominal_mass"),
        supersedes=(
            "known-aortic-aneurysm",
            "known-aortic-aneurysm-new-pain",
            "aortic-aneurysm-risk-severe-pain",
            "severe-abdominal-pain",
            "abdominal-pain",
        ),
    ),
    RedFlagRule(
        "known-aortic-aneurysm-new-pain",
        "emergency",
        0,
        "emergency_department",
        "Known aneurysm with new or changed pain",
        f"health.known_aortic_aneurysm and ({_NEW_PAIN_WHEN} or abdomen in pain.areas "
        "or red_flags.new_severe_abdominal_pain)",
        "New or changed pain in the back, side or belly, when you have a known aortic "
        "aneurysm, may mean the aneurysm is changing. Call an ambulance or go to an emergency "
        "department now. Never press on your belly.",
        AORTA,
        lambda i: (
            bool(i.health.known_aortic_aneurysm)
            and (_new_pain(i) or "abdomen" in i.pain.areas or _rf(i, "new_severe_abdominal_pain"))
        ),
        reads_new_pain=True,
        supersedes=(
            "known-aortic-aneurysm",
            "aortic-aneurysm-risk-severe-pain",
            "severe-abdominal-pain",
            "abdominal-pain",
        ),
    ),
    RedFlagRule(
        "aortic-aneurysm-risk-severe-pain",
        "emergency",
        0,
        "emergency_department",
        "New severe belly pain with aneurysm risk",
        "red_flags.new_severe_abdominal_pain and " + _ANEURYSM_PROFILE_WHEN,
        "New severe belly pain, at an age and with a health history in which the main artery "
        "can swell (an aortic aneurysm), needs checking at once. Call an ambulance or go to an "
        "emergency department now. Do not press on your belly.",
        (*AORTA, "nhs-aaa-screening"),
        lambda i: _rf(i, "new_severe_abdominal_pain") and aneurysm_risk_profile(i),
        supersedes=("severe-abdominal-pain", "abdominal-pain"),
    ),
    RedFlagRule(
        "cancer-with-weakness",
        "emergency",
        0,
        "emergency_department",
        "Cancer history with worsening weakness",
        "red_flags.history_of_cancer and red_flags.progressive_leg_weakness",
        "Worsening leg weakness in someone who has had cancer may mean pressure on the spinal "
        "cord. Contact your acute oncology service, or go to an emergency department, now.",
        ("nice-ng234-2023", "finucane-2020"),
        lambda i: _rf(i, "history_of_cancer") and _rf(i, "progressive_leg_weakness"),
        supersedes=("progressive-neurological-deficit", "known-cancer", "cancer-with-features"),
    ),
    # --- urgent, today: a same-day doctor; no program ---------------------------------------
    RedFlagRule(
        "progressive-neurological-deficit",
        "urgent",
        24,
        "same_day_doctor",
        "Worsening leg weakness",
        "red_flags.progressive_leg_weakness",
        "Leg weakness that is getting worse may mean a nerve is being pressed. See a doctor "
        "today; go to an emergency department at once if it spreads to both legs or you notice "
        "numbness between the legs or bladder changes.",
        ("nhs-back-pain-pathway", "nice-cks-lbp", "finucane-2020"),
        lambda i: _rf(i, "progressive_leg_weakness"),
    ),
    RedFlagRule(
        "possible-spinal-infection",
        "urgent",
        24,
        "same_day_doctor",
        "Fever or feeling unwell",
        "red_flags.fever_or_feeling_unwell",
        "Back pain with fever or feeling generally unwell needs a doctor to rule out an "
        "infection. See a doctor today; go to an emergency department at once if you feel very "
        "ill.",
        ("nhs-back-pain-pathway", "finucane-2020"),
        lambda i: _rf(i, "fever_or_feeling_unwell"),
    ),
    RedFlagRule(
        "cancer-with-features",
        "urgent",
        24,
        "same_day_doctor",
        "Cancer history with night pain, weight loss, pain on straining or age over 50",
        "red_flags.history_of_cancer and (red_flags.constant_night_pain or "
        "red_flags.unexplained_weight_loss or coughing_sneezing in pain.worse_with or "
        "person.age > 50)",
        "Back pain in someone who has had cancer, together with constant night pain, weight "
        "loss, pain on coughing or straining, or age over 50, needs checking for spread to the "
        "spine. Contact your cancer team (the acute oncology service) or a doctor today.",
        ("nice-ng234-2023", "verhagen-2016"),
        lambda i: (
            _rf(i, "history_of_cancer")
            and (
                _rf(i, "constant_night_pain")
                or _rf(i, "unexplained_weight_loss")
                or "coughing_sneezing" in i.pain.worse_with
                or i.person.age > 50
            )
        ),
        supersedes=(
            "known-cancer",
            "unexplained-weight-loss",
            "constant-night-pain",
            "suspected-malignancy",
        ),
    ),
    RedFlagRule(
        "iliopsoas-bleed",
        "urgent",
        24,
        "same_day_doctor",
        "Blood thinners with new groin or thigh pain, or a weak hip flexor",
        f"health.takes_anticoagulants and ((({_NEW_PAIN_WHEN} or pain.onset = sudden) "
        "and any of groin, front_of_hip, front_of_thigh in pain.areas) or "
        "observations.resisted_hip_flexion.left or .right is weak or weak_painful)",
        "When you take a blood thinner, new pain in the groin, the front of the hip or thigh, "
        "or a hip that is weak to lift, may be a bleed into the deep hip muscle (iliopsoas). "
        "See a doctor today; a scan may be needed. Go to an emergency department at once if "
        "the thigh goes numb or weak, a swelling grows, or you feel faint.",
        ("iliopsoas-haematoma",),
        lambda i: (
            bool(i.health.takes_anticoagulants)
            and (
                (
                    (_new_pain(i) or i.pain.onset == "sudden")
                    and any(area in i.pain.areas for area in _FRONT_OF_HIP_AREAS)
                )
                or _resisted(i, _RESISTED_WEAK)
            )
        ),
        reads_new_pain=True,
    ),
    RedFlagRule(
        "severe-abdominal-pain",
        "urgent",
        24,
        "same_day_doctor",
        "New severe belly pain",
        "red_flags.new_severe_abdominal_pain",
        "New severe belly pain may come from an organ, such as the appendix or a kidney, rather "
        "than from a muscle; an inflamed organ next to the deep hip muscle can make moving the "
        "hip hurt. See a doctor today. Go to an emergency department at once if the pain gets "
        "quickly worse, or comes with fever, vomiting or feeling faint.",
        ("psoas-sign", "psoas-abscess"),
        lambda i: _rf(i, "new_severe_abdominal_pain"),
        supersedes=("abdominal-pain",),
    ),
    RedFlagRule(
        "under-16-possible-avulsion",
        "urgent",
        24,
        "same_day_doctor",
        "Under 16 with a sudden painful or weak hip flexor",
        "person.age < 16 and pain.onset = sudden and "
        "(observations.resisted_hip_flexion.left or .right is weak, painful or weak_painful, "
        "or health.recent_hip_flexor_injury)",
        "In a young person, a hip that suddenly started to hurt and is weak or painful to lift "
        "may mean a small piece of bone has pulled away where the muscle attaches near a growth "
        "plate (an avulsion). See a doctor today; an X-ray may be needed. Rest from sport until "
        "then.",
        ("apophyseal-avulsion", "nice-ng59"),
        lambda i: (
            i.person.age < 16
            and i.pain.onset == "sudden"
            and (_resisted(i, _RESISTED_ABNORMAL) or bool(i.health.recent_hip_flexor_injury))
        ),
        supersedes=("under-16",),
    ),
    RedFlagRule(
        "suspected-fracture-trauma",
        "urgent",
        24,
        "same_day_doctor",
        "A significant injury",
        "red_flags.significant_trauma",
        "Back pain after a significant fall, crash or blow needs a doctor to check for a "
        "broken bone, usually with an X-ray or scan. See a doctor today; go to an emergency "
        "department at once if your legs feel weak or numb.",
        ("nhs-back-pain-pathway", "finucane-2020", "nice-cks-lbp"),
        lambda i: _rf(i, "significant_trauma"),
    ),
    # --- urgent, within a few days; no program -------------------------------------------
    RedFlagRule(
        "under-16-possible-stress-fracture",
        "urgent",
        72,
        "child_and_adolescent_clinician",
        "Under 16, sporty, with pain on bending backward",
        "person.age < 16 and bending_backward in pain.worse_with and a sport other than "
        "walking in daily_life.activities",
        "In a young person who plays sport, back pain on bending backward may mean a stress "
        "fracture in a small bone at the back of the spine (spondylolysis). See a doctor or "
        "physiotherapist who looks after young people within the next few days, and rest from "
        "sport until then.",
        ("spondylolysis-athletes", "nice-ng59"),
        lambda i: i.person.age < 16 and "bending_backward" in i.pain.worse_with and _plays_sport(i),
        supersedes=("under-16",),
    ),
    RedFlagRule(
        "suspected-malignancy",
        "urgent",
        72,
        "doctor",
        "Weight loss or constant night pain with other features",
        "(red_flags.unexplained_weight_loss and red_flags.constant_night_pain) or "
        "((red_flags.unexplained_weight_loss or red_flags.constant_night_pain) and "
        "(person.age < 20 or person.age > 50))",
        "Unexplained weight loss with constant night pain, or either of them in someone under "
        "20 or over 50, needs a doctor to look for a serious cause. See a doctor within the "
        "next few days.",
        MALIGNANCY,
        lambda i: (
            (_rf(i, "unexplained_weight_loss") and _rf(i, "constant_night_pain"))
            or (
                (_rf(i, "unexplained_weight_loss") or _rf(i, "constant_night_pain"))
                and (i.person.age < 20 or i.person.age > 50)
            )
        ),
        supersedes=("unexplained-weight-loss", "constant-night-pain"),
    ),
    RedFlagRule(
        "suspected-fragility-fracture",
        "urgent",
        72,
        "doctor",
        "New pain with fragile bones",
        f"red_flags.osteoporosis_or_long_term_steroids and {_NEW_PAIN_WHEN} and "
        "(pain.side = central or pain.intensity_now >= 7 or person.age >= 70)",
        "New back pain in someone with osteoporosis or long-term steroid use, especially in the "
        "middle of the back, severe, or over 70, may be a small fracture of a vertebra. See a "
        "doctor within the next few days.",
        ("nhs-back-pain-pathway", "finucane-2020"),
        lambda i: (
            _rf(i, "osteoporosis_or_long_term_steroids")
            and _new_pain(i)
            and (i.pain.side == "central" or i.pain.intensity_now >= 7 or i.person.age >= 70)
        ),
        reads_new_pain=True,
        supersedes=("osteoporosis",),
    ),
    # --- see a clinician within two weeks; a gentle program is given ----------------------
    # The specific doors come first: on a tie they decide `where`.
    RedFlagRule(
        "pregnancy-or-postpartum",
        "see_clinician",
        336,
        "midwife_or_womens_health_physiotherapist",
        "Pregnant or given birth in the last six months",
        "health.pregnant or health.postpartum_within_6_months",
        "Back and pelvic pain in pregnancy and in the months after birth is best checked by "
        "your midwife or a women's health physiotherapist: mention it within the next two "
        "weeks. The program offered is a gentle one chosen to suit this time.",
        ("pregnancy-lbp", "acog-804-2020"),
        _pregnant_or_postpartum,
    ),
    RedFlagRule(
        "under-16",
        "see_clinician",
        336,
        "child_and_adolescent_clinician",
        "Under 16",
        "person.age < 16",
        "NICE's back pain guidance is written for people aged 16 and over, so a young person's "
        "back or hip pain is best checked by a doctor or physiotherapist who looks after "
        "children and young people, within the next two weeks. A gentle program is offered "
        "meanwhile.",
        ("nice-ng59",),
        lambda i: i.person.age < 16,
    ),
    RedFlagRule(
        "hip-replacement-early",
        "see_clinician",
        336,
        "surgical_team",
        "Soon after a hip replacement, not yet cleared for exercise",
        "health.hip_replacement and health.recent_abdominal_or_hip_surgery and "
        "health.hip_replacement_cleared_for_exercise is not yes",
        "Soon after a hip replacement, the team that did the operation should say which "
        "movements your new hip may do. Ask them within the next two weeks, before stretching "
        "the front of the hip, and keep to the movements they have allowed until then.",
        ("aaos-hip-replacement",),
        lambda i: (
            bool(i.health.hip_replacement)
            and bool(i.health.recent_abdominal_or_hip_surgery)
            and i.health.hip_replacement_cleared_for_exercise is not True
        ),
    ),
    RedFlagRule(
        "abnormal-neurological-exam",
        "see_clinician",
        336,
        "doctor",
        "An abnormal neurological examination",
        "observations.neurological_exam = abnormal",
        "The examination found a change in how the nerves to the legs work (feeling, reflexes "
        "or strength). A doctor should look at this within the next two weeks; go the same day "
        "if a leg gets weaker, and to an emergency department at once with numbness between "
        "the legs or bladder changes.",
        ("nice-cks-sciatica", "finucane-2020"),
        lambda i: i.observations.neurological_exam == "abnormal",
    ),
    RedFlagRule(
        "nerve-root-signs",
        "see_clinician",
        336,
        "physiotherapist",
        "Pain or pins and needles below the knee",
        "pain.numbness_or_tingling_below_knee or below_knee in pain.areas or "
        "pain.leg_symptoms.left or .right = below_knee",
        "Pain, numbness or tingling below the knee suggests an irritated nerve root rather than "
        "a muscle. Book an appointment with a physiotherapist or doctor within the next two "
        "weeks; gentle exercise is fine meanwhile. Get help the same day if the leg becomes "
        "weak.",
        ("nice-cks-sciatica", "nice-ng59", "nice-cks-lbp"),
        _below_knee,
    ),
    RedFlagRule(
        "known-cancer",
        "see_clinician",
        336,
        "doctor",
        "A history of cancer",
        "red_flags.history_of_cancer",
        "Tell your doctor or cancer team about this back pain within the next two weeks. If it "
        "becomes constant, wakes you at night, or you lose weight without trying, contact them "
        "within 24 hours.",
        ("nice-ng234-2023", "verhagen-2016"),
        lambda i: _rf(i, "history_of_cancer"),
    ),
    RedFlagRule(
        "unexplained-weight-loss",
        "see_clinician",
        336,
        "doctor",
        "Unexplained weight loss",
        "red_flags.unexplained_weight_loss",
        "Losing weight without trying should be checked by your doctor; book an appointment "
        "within the next two weeks.",
        MALIGNANCY,
        lambda i: _rf(i, "unexplained_weight_loss"),
    ),
    RedFlagRule(
        "constant-night-pain",
        "see_clinician",
        336,
        "doctor",
        "Constant night pain",
        "red_flags.constant_night_pain",
        "Pain that stays constant at night whatever position you lie in should be checked by a "
        "doctor; book an appointment within the next two weeks.",
        MALIGNANCY,
        lambda i: _rf(i, "constant_night_pain"),
    ),
    RedFlagRule(
        "immunosuppressed",
        "see_clinician",
        336,
        "doctor",
        "A weakened immune system or injected drugs",
        "red_flags.immunosuppressed_or_iv_drug_use",
        "With a weakened immune system or injected drug use, back pain deserves a doctor's "
        "check within the next two weeks. Go the same day if you get a fever or feel unwell.",
        ("nhs-back-pain-pathway", "finucane-2020"),
        lambda i: _rf(i, "immunosuppressed_or_iv_drug_use"),
    ),
    RedFlagRule(
        "known-aortic-aneurysm",
        "see_clinician",
        336,
        "doctor",
        "A known aortic aneurysm",
        "health.known_aortic_aneurysm",
        "Tell the team that watches your aneurysm about your back pain within the next two "
        "weeks. Nothing in this program presses on your belly. Call an ambulance at once if you "
        "get sudden severe pain in the belly, back or side, or feel faint.",
        AORTA,
        lambda i: bool(i.health.known_aortic_aneurysm),
    ),
    RedFlagRule(
        "abdominal-pain",
        "see_clinician",
        336,
        "doctor",
        "Pain in the belly",
        "abdomen in pain.areas",
        "Pain in the belly can come from the organs rather than the muscles. Have it checked by "
        "a doctor within the next two weeks; nothing in this program presses on your belly "
        "until then.",
        ("psoas-sign", "psoas-safety-rules"),
        lambda i: "abdomen" in i.pain.areas,
    ),
    RedFlagRule(
        "start-back-high-risk",
        "see_clinician",
        336,
        "physiotherapist",
        "A higher risk that the pain lasts (STarT Back)",
        "screening.start_back.total >= 4 and screening.start_back.psychosocial >= 4",
        "The screening your clinician scored suggests a higher risk that this pain lasts or keeps "
        "you from what you do. People in that group do better with a physiotherapist who looks "
        "at the whole picture, not exercises alone: book one within the next two weeks. The "
        "home program is still yours meanwhile.",
        ("hill-2011-startback", "keele-startback", "nice-ng59"),
        lambda i: (
            i.screening.start_back is not None
            and i.screening.start_back.total >= 4
            and i.screening.start_back.psychosocial >= 4
        ),
    ),
    RedFlagRule(
        "inflammatory-pattern",
        "see_clinician",
        336,
        "doctor",
        "Signs of inflammatory back pain",
        "person.age < 45 and pain.duration_weeks >= 12 and moving_about in "
        "pain.better_with and night_rest in pain.worse_with",
        "Back pain for over three months that started before 45, eases with movement and is "
        "worse at night may be inflammatory (spondyloarthritis). Ask your doctor within the "
        "next two weeks whether a rheumatology referral is right; exercise still helps.",
        ("nice-ng65-2017",),
        lambda i: (
            i.person.age < 45
            and i.pain.duration_weeks >= 12
            and "moving_about" in i.pain.better_with
            and "night_rest" in i.pain.worse_with
        ),
    ),
    RedFlagRule(
        "osteoporosis",
        "see_clinician",
        336,
        "doctor",
        "Osteoporosis or long-term steroids",
        "red_flags.osteoporosis_or_long_term_steroids",
        "With fragile bones, let your doctor or physiotherapist know about this back pain "
        "within the next two weeks. Percussion massage is left out of your program.",
        ("nhs-back-pain-pathway", "percussion-device-precautions"),
        lambda i: _rf(i, "osteoporosis_or_long_term_steroids"),
    ),
)

RULES_BY_CODE: dict[str, RedFlagRule] = {rule.code: rule for rule in RULES}

#: The dotted intake fields of the warning-sign questions: every red flag, then the health and
#: pain answers a rule reads. A re-check (:mod:`psoas.domain.recheck`) asks each of these that
#: applies to the person, before anything else, when pain rises during the program. Left out on
#: purpose: the clinician's examination (``observations.*``), ``person.*``,
#: ``pain.intensity_now`` (the rising pain that was just logged) and ``pain.duration_weeks``
#: (the first answer plus the time since; a rise counts as new pain, see :func:`triage`).
WARNING_SIGN_FIELDS: tuple[str, ...] = (
    *(f"red_flags.{name}" for name in RedFlags.model_fields),
    "health.known_aortic_aneurysm",
    "health.takes_anticoagulants",
    "health.pregnant",
    "health.postpartum_within_6_months",
    "health.recent_hip_flexor_injury",
    "health.hip_replacement",
    "health.recent_abdominal_or_hip_surgery",
    "health.hip_replacement_cleared_for_exercise",
    "health.smoker_or_former_smoker",
    "health.high_blood_pressure",
    "health.heart_or_circulation_disease",
    "health.family_history_aortic_aneurysm",
    "pain.areas",
    "pain.side",
    "pain.numbness_or_tingling_below_knee",
    "pain.leg_symptoms.left",
    "pain.leg_symptoms.right",
    "pain.onset",
    "pain.worse_with",
    "pain.better_with",
)


# --- triage -----------------------------------------------------------------------------


def _hours_key(hours: float | None) -> float:
    return math.inf if hours is None else hours


def _urgency(rule: RedFlagRule) -> tuple[int, float]:
    return TRIAGE_ORDER.index(rule.level), _hours_key(rule.within_hours)


def action(level: TriageLevel, within_hours: float | None, where: Where) -> str:
    """Where to go and how soon, then what happens to the program, in plain words."""
    if within_hours is None and level != "self_care":
        visit = f"Book a routine appointment with {WHERE_WORDS[where]}."
    else:
        visit = ACTIONS[within_hours].format(where=WHERE_WORDS[where])
    hint = WHERE_HINTS.get(where)
    return " ".join(part for part in (visit, hint, PROGRAM_NOTES[level]) if part)


def heading(result: Triage) -> str:
    """The result's heading with its time frame, for every surface: ``URGENT: see a doctor
    today``."""
    title = LEVEL_TITLES[result.level]
    if result.level == "self_care":
        return f"{title}: no warning sign found"
    where = WHERE_SHORT[result.where]
    if result.within_hours is None:
        return f"{title}: book a routine appointment with {where}"
    return f"{title}: {_HEADLINES[result.within_hours].format(where=where)}"


def fired_rules(intake: Intake, *, pain_risen: bool = False) -> list[RedFlagRule]:
    """Every red-flag rule that applies, before the more urgent ones hide others."""
    as_new = _as_new_pain(intake) if pain_risen else intake
    return [rule for rule in RULES if rule.applies(as_new if rule.reads_new_pain else intake)]


def triage(
    intake: Intake, *, pain_risen: bool = False, cleared: frozenset[str] = frozenset()
) -> Triage:
    """Every red-flag rule that applies, the most urgent level among them, how soon, where,
    and what to do. ``pain_risen``: the intake is a re-check made because pain rose since the
    assessment; the rules that read new pain then read the rise as new pain (a known aneurysm
    with changed pain is an emergency however long the back has hurt). ``cleared``: codes of
    program-withholding rules a doctor cleared (:mod:`psoas.domain.clearance`): they are left
    out, and the rules they would hide count again; other codes change nothing."""
    fired = [
        rule
        for rule in fired_rules(intake, pain_risen=pain_risen)
        if not (rule.code in cleared and withholds_program(rule.level))
    ]
    superseded = {code for rule in fired for code in rule.supersedes}
    kept = sorted((rule for rule in fired if rule.code not in superseded), key=_urgency)
    if not kept:
        return Triage(
            level="self_care",
            action=action("self_care", None, "none"),
            reasons=(),
            within_hours=None,
            where="none",
        )
    first = kept[0]
    level = first.level
    hours = min((r.within_hours for r in kept), key=_hours_key)
    where: Where = "emergency_department" if level == "emergency" else first.where
    reasons = tuple(
        TriageReason(
            code=r.code,
            level=r.level,
            message=r.message,
            sources=r.sources,
            within_hours=r.within_hours,
            where=r.where,
        )
        for r in kept
    )
    return Triage(
        level=level,
        action=action(level, hours, where),
        reasons=reasons,
        within_hours=hours,
        where=where,
    )


#: The levels that withhold the home program, on every surface.
WITHHOLDING_LEVELS: tuple[TriageLevel, ...] = ("emergency", "urgent")


def withholds_program(level: TriageLevel) -> bool:
    """Emergency and urgent levels withhold the home program, on every surface."""
    return level in WITHHOLDING_LEVELS


# --- safety net -------------------------------------------------------------------------

SAFETY_NET_CAUDA_EQUINA = Reason(
    code="cauda-equina",
    message=(
        "Go to an emergency department at once, day or night, if you notice any of these: "
        "numbness or tingling around your back passage, genitals or inner thighs (where you "
        "would sit on a saddle); new trouble passing urine or holding it, or not feeling it "
        "pass, or the same with stools; new problems with sex or numb genitals; pain, "
        "numbness or pins and needles going down both legs; one or both legs getting weak. "
        "Do not wait to see whether it settles."
    ),
    sources=("girft-ces-2023", "nice-cks-sciatica"),
)

SAFETY_NET_WORSE_PAIN = Reason(
    code="worse-pain",
    message=(
        "If your pain becomes much worse, keeps you awake, or is not getting better after a "
        "few weeks, see a physiotherapist or doctor. Stop any exercise that makes it much "
        "worse, and answer the warning-sign questions again."
    ),
    sources=("nice-ng59", "nice-cks-lbp"),
)

_SAFETY_NETS: tuple[tuple[Callable[[Intake], bool], Reason], ...] = (
    (
        lambda i: bool(i.health.known_aortic_aneurysm) or aneurysm_risk_profile(i),
        Reason(
            code="aortic-aneurysm",
            message=(
                "If you get sudden, severe pain in your belly, back or side, or feel faint, "
                "sweaty or dizzy, call an ambulance at once: the main artery in the belly can "
                "swell (an aortic aneurysm), more often with age, smoking, high blood pressure "
                "or heart disease. Never press hard into your belly."
            ),
            sources=("racgp-2013-aaa", "crawford-2003", "nhs-aaa-screening"),
        ),
    ),
    (
        lambda i: bool(i.health.takes_anticoagulants),
        Reason(
            code="iliopsoas-bleed",
            message=(
                "Because you take a blood thinner: new pain in the groin, hip or thigh, a "
                "swelling there, or a thigh that goes weak or numb may be bleeding into the "
                "muscle. See a doctor the same day, and go to an emergency department at once "
                "if the leg goes weak or numb or you feel faint."
            ),
            sources=("iliopsoas-haematoma",),
        ),
    ),
    (
        lambda i: _rf(i, "immunosuppressed_or_iv_drug_use"),
        Reason(
            code="spinal-infection",
            message=(
                "With a weakened immune system or injected drug use, a fever, shivering fits "
                "or feeling generally unwell alongside back pain may be an infection: go to an "
                "emergency department at once."
            ),
            sources=("nhs-back-pain-pathway", "finucane-2020"),
        ),
    ),
    (
        lambda i: _rf(i, "history_of_cancer"),
        Reason(
            code="cord-compression",
            message=(
                "Because you have had cancer: new weakness or heaviness in the legs, walking "
                "that becomes unsteady, or new numbness or bladder trouble may mean pressure "
                "on the spinal cord. Contact your acute oncology service or go to an emergency "
                "department immediately."
            ),
            sources=("nice-ng234-2023",),
        ),
    ),
    (
        _pregnant_or_postpartum,
        Reason(
            code="pregnancy",
            message=(
                "Stop the exercises and call your midwife or maternity unit straight away if "
                "you have bleeding or fluid leaking from the vagina, regular painful "
                "tightenings, severe or constant belly pain, chest pain, feeling faint, or a "
                "painful swollen calf."
            ),
            sources=("acog-804-2020", "pregnancy-lbp"),
        ),
    ),
)


def safety_net(intake: Intake, result: Triage) -> tuple[Reason, ...]:
    """What to watch for, and what to do at once if it appears.

    Empty only for an emergency (the person is already told to go now). Every other result
    carries the cauda equina signs (``cauda-equina``), the signs that apply to this person,
    and when to get help for pain that gets worse (``worse-pain``). No message contains a
    phone number: surfaces add the local one (``PSOAS_EMERGENCY_NUMBER``, default
    :data:`EMERGENCY_NUMBER_DEFAULT`).
    """
    if result.level == "emergency":
        return ()
    applies = tuple(reason for when, reason in _SAFETY_NETS if when(intake))
    return (SAFETY_NET_CAUDA_EQUINA, *applies, SAFETY_NET_WORSE_PAIN)
