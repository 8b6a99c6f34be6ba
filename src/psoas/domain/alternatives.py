"""Other explanations the answers also fit (hip joint, stenosis, disc, abdominal, ...).

Each explanation is a rule with a stable code (the fixed codes of the assessment contract), the
condition it fires on in intake field names (``when``, for the documentation), whether it is
*strong*, and every bibliography key it may cite. :func:`alternatives` lists the ones that fit,
most pressing first, each saying which answers fit, what to do and how soon.
:func:`weigh_with_alternatives` then lowers the hip-flexor level:

- any explanation that fits keeps the level at ``possible`` at most (``likely`` -> ``possible``);
- a *strong* one lowers it one step (``likely`` -> ``possible``, ``possible`` -> ``unlikely``).

A strong explanation is one that accounts for the very signs the hip-flexor score counts (hip
pain and weakness, guarding, pain on standing or arching), or that must be ruled out before the
area is stretched or loaded: a bleed, an abdominal cause, a stress fracture, a disc or nerve
root, a narrowed spinal canal, or a change in the nerve examination. The hip joint and an
inflammatory pattern often sit alongside a hip-flexor problem, so they cap the level instead.

Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from psoas.domain.intake import Intake
from psoas.domain.involvement import (
    SIDES,
    STENOSIS_AGE,
    below_knee_symptoms,
    score,
    stenosis_pattern,
)
from psoas.domain.results import (
    Alternative,
    AlternativeCode,
    Finding,
    Involvement,
    InvolvementLevel,
    Triage,
    TriageReason,
)
from psoas.domain.triage import action

#: NICE NG226 clinical diagnosis of osteoarthritis: 45 or over, activity-related joint pain, and
#: no morning stiffness or stiffness of no longer than 30 minutes.
HIP_OA_AGE = 45
HIP_OA_STIFFNESS_MINUTES = 30
#: Inflammatory back pain (NICE NG65): pain for 3 months or more that began before 45.
INFLAMMATORY_WEEKS = 12.0
INFLAMMATORY_ONSET_AGE = 45
INFLAMMATORY_STIFFNESS_MINUTES = 30
#: Listed with 2 of its 3 features (morning stiffness over 30 minutes, better with moving,
#: worse at night); the referral criteria of NG65 need more features than psoas asks about.
INFLAMMATORY_FEATURES = 2
#: Pain on arching back with a sport: spondylolysis in young athletes, most of all under 16.
STRESS_FRACTURE_AGE = 25
CHILD_AGE = 16
#: New pain, for fragile bones (the same 6 weeks as triage's new pain).
NEW_PAIN_WEEKS = 6.0

HIP_AREAS = ("groin", "front_of_hip")
HIP_ACTIVITY = ("walking", "standing_long", "rising_from_sitting")
WARNING_FIRST = "First follow the advice for the warning sign above."
#: The levels that follow each level when a strong explanation fits.
ONE_STEP_DOWN: dict[InvolvementLevel, InvolvementLevel] = {
    "likely": "possible",
    "possible": "unlikely",
    "unlikely": "unlikely",
}
LEVEL_RULE = (
    "Any other explanation that fits keeps the hip-flexor level at possible at most; a strong "
    "one lowers it one step (likely to possible, possible to unlikely). Several explanations "
    "lower it no further than one strong one. Each adds a finding of weight 0 "
    "(`other-explanation-<code>`), so the score stays the sum of the hip-flexor signs, and a "
    "finding `level-lowered-by-other-explanation` (weight 0) says when the level changed."
)


@dataclass(frozen=True)
class Fit:
    """How one explanation fits this intake: which answers, what to do, which sources."""

    because: tuple[str, ...]
    what_to_do: str
    sources: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True)
class AlternativeRule:
    """One other explanation: stable code, when it is listed, and how it is worded."""

    code: AlternativeCode
    title: str
    #: How the message names it: "Your answers may also fit <phrase>".
    phrase: str
    when: str
    strong: bool
    sources: tuple[str, ...]
    fits: Callable[[Intake, Involvement], Fit | None]


def _joined(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


AREA_WORDS = {
    "groin": "groin",
    "front_of_hip": "front of the hip",
    "front_of_thigh": "front of the thigh",
    "abdomen": "belly",
}


def _words(names: Sequence[str]) -> str:
    return _joined([AREA_WORDS.get(n, n.replace("_", " ")) for n in names])


def _sides(names: Sequence[str]) -> str:
    return "both sides" if len(names) == 2 else f"the {names[0]} side"


# --- the rules ---------------------------------------------------------------------------------


def _bleed(i: Intake, _: Involvement) -> Fit | None:
    if not i.health.takes_anticoagulants:
        return None
    areas = [a for a in (*HIP_AREAS, "front_of_thigh", "abdomen") if a in i.pain.areas]
    r = i.observations.resisted_hip_flexion
    weak = [s for s in SIDES if r and getattr(r, s) in ("weak", "weak_painful")]
    because: list[str] = []
    if areas:
        because.append(f"you take blood thinners and have pain in the {_words(areas)}")
    if weak:
        because.append(f"lifting the thigh against resistance was weak on {_sides(weak)}")
    if not because:
        return None
    if not areas:
        because[0] = "you take blood thinners and " + because[0]
    return Fit(
        tuple(because),
        "If this pain or weakness is new or getting worse, see a doctor today (a same-day "
        "appointment, or an emergency department): a bleed into the muscle needs a scan. If it "
        "has been the same for a long time, tell the doctor who prescribes your blood thinner "
        "within a few days.",
        ("iliopsoas-haematoma",),
    )


def _abdominal(i: Intake, _: Involvement) -> Fit | None:
    severe = bool(i.red_flags.new_severe_abdominal_pain)
    belly = "abdomen" in i.pain.areas
    if not (severe or belly):
        return None
    because = ["new severe belly pain" if severe else "pain in the belly"]
    what = (
        "See a doctor today (a same-day appointment, or an emergency department if the pain is "
        "very bad, you have a fever or you are vomiting)."
        if severe
        else "See your doctor within a few days to have the belly pain checked; go the same day "
        "if it becomes severe, or you get a fever or start vomiting."
    )
    return Fit(
        tuple(because),
        what,
        ("psoas-sign",),
        note="A problem in the belly (for example the appendix, a kidney or an abscess) can "
        "irritate the psoas and make hip movements hurt, which may look like a hip-flexor "
        "problem.",
    )


def _sports(i: Intake) -> list[str]:
    return [a for a in i.daily_life.activities if a != "walking"]


def _stress_fracture(i: Intake, _: Involvement) -> Fit | None:
    because: list[str] = []
    what: list[str] = []
    sources: list[str] = []
    age = i.person.age
    sports = _sports(i)
    if age < STRESS_FRACTURE_AGE and "bending_backward" in i.pain.worse_with and sports:
        because.append(
            f"you are {age}, play sport ({_words(sports)}) and bending backward makes the pain "
            "worse"
        )
        what.append(
            "See a child and adolescent clinician (your family doctor or a sports doctor) "
            "within the next week or two, and rest from sport that arches the back until then."
            if age < CHILD_AGE
            else "See a sports physiotherapist or a doctor within the next couple of weeks, and "
            "ease off sport that arches the back until then."
        )
        sources.append("spondylolysis-athletes")
    if i.red_flags.osteoporosis_or_long_term_steroids and i.pain.duration_weeks < NEW_PAIN_WEEKS:
        because.append("the pain is new and you have fragile bones or take long-term steroids")
        what.append("See a doctor within a few days: an X-ray may be needed.")
        sources += ["finucane-2020", "nhs-back-pain-pathway"]
    if not because:
        return None
    return Fit(tuple(because), " ".join(what), tuple(sources))


def _other(i: Intake, _: Involvement) -> Fit | None:
    because: list[str] = []
    what: list[str] = []
    sources: list[str] = []
    if i.observations.neurological_exam == "abnormal" and not _disc_signs(i):
        because.append("the nerve examination (strength, reflexes or feeling) found changes")
        what.append(
            "Ask the clinician who examined you what the nerve findings mean before relying on "
            "the hip-flexor program, and see a doctor the same day if weakness gets worse or "
            "spreads."
        )
        sources += ["nice-ng59", "finucane-2020"]
    r = i.observations.resisted_hip_flexion
    sore = [s for s in SIDES if r and getattr(r, s) in ("weak", "painful", "weak_painful")]
    sudden = i.pain.onset == "sudden" or bool(i.health.recent_hip_flexor_injury)
    if i.person.age < CHILD_AGE and sudden and sore:
        because.append(
            f"you are {i.person.age}, the pain came on suddenly or with an injury, and lifting "
            f"the thigh against resistance was weak or painful on {_sides(sore)} (a growth "
            "plate at the hip can pull away in young people)"
        )
        what.append(
            "See a doctor within a few days for an X-ray, and rest the leg from sport until then."
        )
        sources.append("apophyseal-avulsion")
    if not because:
        return None
    return Fit(tuple(because), " ".join(what), tuple(sources))


def _disc_signs(i: Intake) -> list[str]:
    out: list[str] = []
    legs = i.pain.leg_symptoms
    below = [s for s in SIDES if legs is not None and getattr(legs, s) == "below_knee"]
    if below:
        leg = "both legs" if len(below) == 2 else f"the {below[0]} leg"
        out.append(f"pain, numbness or tingling below the knee in {leg}")
    elif below_knee_symptoms(i):
        out.append("pain, numbness or tingling below the knee")
    shift = i.observations.lateral_shift_side
    if shift in SIDES:
        out.append(
            f"the trunk shifts to the {shift}, which is more often a disc sign than a psoas pull"
        )
    return out


def _disc(i: Intake, _: Involvement) -> Fit | None:
    signs = _disc_signs(i)
    if not signs:
        return None
    sources = ["nice-ng59"]
    if below_knee_symptoms(i):
        sources.append("nice-cks-sciatica")
    if i.observations.lateral_shift_side in SIDES:
        sources.append("mckenzie-lateral-shift")
    if "coughing_sneezing" in i.pain.worse_with:
        signs.append("coughing or sneezing makes it worse")
    if i.observations.neurological_exam == "abnormal":
        signs.append("the nerve examination found changes")
    return Fit(
        tuple(signs),
        "Book a physiotherapist or your doctor within the next couple of weeks. See a doctor "
        "the same day if a leg becomes weak or numb.",
        tuple(sources),
    )


def _leg_symptoms(i: Intake) -> bool:
    legs = i.pain.leg_symptoms
    spread = legs is not None and any(r not in (None, "none") for r in (legs.left, legs.right))
    return spread or below_knee_symptoms(i) or "back_of_thigh" in i.pain.areas


def _stenosis(i: Intake, _: Involvement) -> Fit | None:
    if not stenosis_pattern(i):
        return None
    p = i.pain
    worse = [w for w in ("walking", "standing_long") if w in p.worse_with]
    better = [b for b in ("sitting", "bending_forward") if b in p.better_with]
    because = [
        f"you are {i.person.age}",
        f"the pain is worse with {_words(worse)}",
        f"it eases with {_words(better)}",
    ]
    if _leg_symptoms(i):
        because.append("it spreads into the legs")
    return Fit(
        tuple(because),
        "See your doctor or a physiotherapist within the next few weeks to check for a narrowed "
        "spinal canal. See a doctor the same day if a leg becomes weak or numb.",
        ("lumbar-stenosis",),
    )


def _hip_joint(i: Intake, involvement: Involvement) -> Fit | None:
    p = i.pain
    because: list[str] = []
    screen = i.observations.hip_joint_screen
    painful = [
        s for s in SIDES if screen is not None and getattr(screen, s) == "painful_or_limited"
    ]
    if painful:
        because.append(f"the hip-joint check was painful or limited on {_sides(painful)}")
    # A clinician's hip-joint check that was normal answers what the symptoms alone suggest.
    if screen is not None and not painful and "normal" in (screen.left, screen.right):
        return None
    area = [a for a in HIP_AREAS if a in p.areas]
    if area and "walking" in p.worse_with:
        because.append(f"pain in the {_words(area)} is worse with walking")
    activity = [w for w in HIP_ACTIVITY if w in p.worse_with]
    stiffness = p.morning_stiffness_minutes
    if (
        i.person.age >= HIP_OA_AGE
        and area
        and activity
        and stiffness is not None
        and stiffness <= HIP_OA_STIFFNESS_MINUTES
    ):
        stiff = (
            "there is no morning stiffness"
            if stiffness == 0
            else f"morning stiffness lasts only {stiffness} minutes"
        )
        because.append(f"you are {i.person.age}, the hip pain comes with activity and {stiff}")
    if not because:
        return None
    raised = {"thomas-short-hip-flexors", "thomas-borderline"}
    thomas = any(f.code in raised for f in involvement.findings)
    return Fit(
        tuple(because),
        "Ask a physiotherapist or your doctor to examine the hip joint within the next few "
        "weeks. Get help sooner if you start to limp badly or cannot put weight on the leg.",
        ("nice-ng226-2022", "thomas-test-2021") if thomas else ("nice-ng226-2022",),
        note="A stiff hip joint can also keep the thigh up in the Thomas test, so that result "
        "may not come from the hip flexors."
        if thomas
        else "",
    )


def _inflammatory(i: Intake, _: Involvement) -> Fit | None:
    p = i.pain
    onset_age = i.person.age - p.duration_weeks / 52
    if p.duration_weeks < INFLAMMATORY_WEEKS or onset_age >= INFLAMMATORY_ONSET_AGE:
        return None
    features: list[str] = []
    stiffness = p.morning_stiffness_minutes
    if stiffness is not None and stiffness > INFLAMMATORY_STIFFNESS_MINUTES:
        features.append(f"morning stiffness lasts {stiffness} minutes")
    if "moving_about" in p.better_with:
        features.append("moving about eases it")
    if "night_rest" in p.worse_with:
        features.append("it is worse at night")
    if len(features) < INFLAMMATORY_FEATURES:
        return None
    return Fit(
        (
            f"back pain for {p.duration_weeks:g} weeks that began before {INFLAMMATORY_ONSET_AGE}",
            *features,
        ),
        "See your doctor within the next few weeks and ask whether a referral to a "
        "rheumatologist is right. Keep moving: exercise helps this kind of back pain too.",
        ("nice-ng65-2017",),
    )


#: Most pressing first: this is the order in which they are listed.
RULES: tuple[AlternativeRule, ...] = (
    AlternativeRule(
        "iliopsoas-bleed",
        "A bleed into the hip-flexor muscle",
        "a bleed into the hip-flexor muscle (an iliopsoas haematoma)",
        "health.takes_anticoagulants and (groin, front_of_hip, front_of_thigh or abdomen in "
        "pain.areas, or resisted hip flexion weak on either side)",
        True,
        ("iliopsoas-haematoma",),
        _bleed,
    ),
    AlternativeRule(
        "abdominal-or-visceral",
        "A cause in the belly",
        "a cause in the belly rather than in the muscles",
        "abdomen in pain.areas or red_flags.new_severe_abdominal_pain",
        True,
        ("psoas-sign",),
        _abdominal,
    ),
    AlternativeRule(
        "stress-fracture",
        "A stress fracture",
        "a stress fracture",
        f"(person.age < {STRESS_FRACTURE_AGE} and bending_backward in pain.worse_with and a "
        f"sport other than walking in daily_life.activities; under {CHILD_AGE}: a child and "
        "adolescent clinician) or (red_flags.osteoporosis_or_long_term_steroids and "
        f"pain.duration_weeks < {NEW_PAIN_WEEKS:g})",
        True,
        ("spondylolysis-athletes", "finucane-2020", "nhs-back-pain-pathway"),
        _stress_fracture,
    ),
    AlternativeRule(
        "other",
        "Something the nerve examination or a young person's injury points to",
        "another cause that needs checking",
        "observations.neurological_exam = abnormal (without disc signs), or "
        f"person.age < {CHILD_AGE} with a sudden onset or recent hip-flexor injury and resisted "
        "hip flexion weak or painful (a possible avulsion of a growth plate)",
        True,
        ("nice-ng59", "finucane-2020", "apophyseal-avulsion"),
        _other,
    ),
    AlternativeRule(
        "disc-or-nerve-root",
        "A disc or an irritated nerve root",
        "a disc problem or an irritated nerve root",
        "pain, numbness or tingling below the knee (pain.leg_symptoms, pain.areas or "
        "pain.numbness_or_tingling_below_knee) or observations.lateral_shift_side left or "
        "right; coughing_sneezing in pain.worse_with and an abnormal nerve examination are "
        "added as reasons",
        True,
        ("nice-ng59", "nice-cks-sciatica", "mckenzie-lateral-shift"),
        _disc,
    ),
    AlternativeRule(
        "spinal-stenosis",
        "A narrowed spinal canal",
        "a narrowing of the spinal canal (lumbar spinal stenosis)",
        f"person.age >= {STENOSIS_AGE} and (walking or standing_long in pain.worse_with) and "
        "(sitting or bending_forward in pain.better_with)",
        True,
        ("lumbar-stenosis",),
        _stenosis,
    ),
    AlternativeRule(
        "hip-joint",
        "The hip joint",
        "a problem in the hip joint itself",
        "observations.hip_joint_screen painful_or_limited on either side, or (unless the hip "
        "screen was done and normal) groin or front_of_hip in pain.areas with walking in "
        "pain.worse_with, or "
        f"person.age >= {HIP_OA_AGE} with groin or front_of_hip pain, walking, standing_long or "
        "rising_from_sitting in pain.worse_with and pain.morning_stiffness_minutes <= "
        f"{HIP_OA_STIFFNESS_MINUTES}",
        False,
        ("nice-ng226-2022", "thomas-test-2021"),
        _hip_joint,
    ),
    AlternativeRule(
        "inflammatory",
        "Inflammatory back pain",
        "inflammatory back pain (spondyloarthritis)",
        f"pain.duration_weeks >= {INFLAMMATORY_WEEKS:g} and onset before "
        f"{INFLAMMATORY_ONSET_AGE} (person.age minus the duration) with at least "
        f"{INFLAMMATORY_FEATURES} of: pain.morning_stiffness_minutes > "
        f"{INFLAMMATORY_STIFFNESS_MINUTES}, moving_about in pain.better_with, night_rest in "
        "pain.worse_with",
        False,
        ("nice-ng65-2017",),
        _inflammatory,
    ),
)
ALTERNATIVES: dict[str, AlternativeRule] = {r.code: r for r in RULES}


def _message(rule: AlternativeRule, fit: Fit) -> str:
    reasons = "; ".join(fit.because)
    text = f"Your answers may also fit {rule.phrase}: {reasons}."
    return f"{text} {fit.note}" if fit.note else text


def alternatives(
    intake: Intake, triage: Triage, involvement: Involvement
) -> tuple[Alternative, ...]:
    """Every other explanation the answers fit, most pressing first.

    Where triage already calls for an emergency or urgent check, each ``what_to_do`` starts by
    saying that the warning sign comes first.
    """
    out: list[Alternative] = []
    for rule in RULES:
        fit = rule.fits(intake, involvement)
        if fit is None:
            continue
        what = fit.what_to_do
        if triage.level in ("emergency", "urgent"):
            what = f"{WARNING_FIRST} {what}"
        out.append(
            Alternative(
                code=rule.code,
                message=_message(rule, fit),
                sources=fit.sources,
                what_to_do=what,
            )
        )
    return tuple(out)


def _finding(rule: AlternativeRule, alternative: Alternative) -> Finding:
    return Finding(
        code=f"other-explanation-{rule.code}",
        weight=0,
        message=f"Your answers also fit {rule.phrase}, so a clinician should look at that "
        "first, before the hip flexors.",
        sources=alternative.sources,
    )


def weigh_with_alternatives(
    involvement: Involvement, found: tuple[Alternative, ...]
) -> Involvement:
    """The hip-flexor level lowered where another explanation fits (see :data:`LEVEL_RULE`).

    Call it once, on the result of :func:`psoas.domain.involvement.weigh`.
    """
    if not found:
        return involvement
    rules = [ALTERNATIVES[a.code] for a in found]
    findings = [*involvement.findings, *(_finding(r, a) for r, a in zip(rules, found, strict=True))]
    before = involvement.level
    after: InvolvementLevel = "possible" if before == "likely" else before
    strong = [r for r in rules if r.strong]
    if strong:
        after = ONE_STEP_DOWN[before]
    if after != before:
        names = _joined([r.phrase for r in (strong or rules)])
        how = "one step lower" if strong else "possible at most"
        findings.append(
            Finding(
                code="level-lowered-by-other-explanation",
                weight=0,
                message=f"Because your answers also fit {names}, the idea that the hip flexors "
                f"play a part is rated {how}: {after} instead of {before}.",
                sources=tuple(dict.fromkeys(k for a in found for k in a.sources)),
            )
        )
    return Involvement(level=after, score=score(findings), findings=tuple(findings))


OTHER_EXPLANATION_CODE = "other-explanation"


def refer_for_alternatives(result: Triage, found: Sequence[Alternative]) -> Triage:
    """Where the answers also fit another explanation (hip joint, stenosis, a disc, ...), a
    self-care result becomes a routine appointment, so that the person is pointed to a
    clinician who can tell them apart. A more urgent result already sends them to one."""
    if result.level != "self_care" or not found:
        return result
    titles = {r.code: r.title for r in RULES}
    names = ", ".join(titles[a.code].lower() for a in found if a.code in titles)
    reason = TriageReason(
        code=OTHER_EXPLANATION_CODE,
        level="see_clinician",
        message="Your answers also fit another explanation than the hip flexors"
        + (f" ({names})" if names else "")
        + ". A physiotherapist or doctor can tell them apart: book a routine appointment "
        "within the next two weeks. A gentle program is offered meanwhile.",
        sources=tuple(dict.fromkeys(k for a in found for k in a.sources)),
        within_hours=336,
        where="physiotherapist",
    )
    return Triage(
        level="see_clinician",
        action=action("see_clinician", 336, "physiotherapist"),
        reasons=(reason,),
        within_hours=336,
        where="physiotherapist",
    )
