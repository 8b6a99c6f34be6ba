"""Red flags: warning signs that need a doctor, and how soon.

Each rule is data (a stable code, a level, a plain message that says where to go and how soon,
and its sources) plus one predicate over the intake. Age is never a red flag on its own: it only
counts together with other features.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from psoas.domain.assessment import TRIAGE_ORDER, Triage, TriageLevel, TriageReason
from psoas.domain.intake import Intake

LEVEL_TITLES: dict[TriageLevel, str] = {
    "emergency": "EMERGENCY",
    "urgent": "URGENT",
    "see_clinician": "SEE A CLINICIAN",
    "self_care": "SELF-CARE",
}

ACTIONS: dict[TriageLevel, str] = {
    "emergency": (
        "Go to an emergency department today, now if you can. If you cannot get there safely, "
        "call an ambulance. Do not start the exercises."
    ),
    "urgent": (
        "See a doctor within the next few days, sooner where a reason below says so. The home "
        "program is held back until a doctor has checked you."
    ),
    "see_clinician": (
        "Book a routine appointment with a physiotherapist or your doctor. Meanwhile a gentle "
        "program is offered; stop it and get help sooner if anything gets worse."
    ),
    "self_care": (
        "No warning sign was found in your answers. The home program is for you. If new symptoms "
        "appear, answer the warning-sign questions again."
    ),
}


@dataclass(frozen=True)
class RedFlagRule:
    code: str
    level: TriageLevel
    title: str
    when: str  # the condition in intake field names, for the documentation
    message: str
    sources: tuple[str, ...]
    applies: Callable[[Intake], bool]
    supersedes: tuple[str, ...] = ()


def _rf(i: Intake, name: str) -> bool:
    return bool(getattr(i.red_flags, name))


def _below_knee(i: Intake) -> bool:
    return bool(i.pain.numbness_or_tingling_below_knee) or "below_knee" in i.pain.areas


def _new_pain(i: Intake) -> bool:
    return i.pain.duration_weeks < 6


CES = ("nice-cks-lbp", "girft-ces-2023", "finucane-2020")
MALIGNANCY = ("nice-cks-lbp", "verhagen-2016", "finucane-2020")

RULES: tuple[RedFlagRule, ...] = (
    RedFlagRule(
        "cauda-equina-saddle",
        "emergency",
        "Saddle numbness",
        "red_flags.saddle_numbness",
        "Numbness around the back passage, genitals or inner thighs can mean the nerves at the "
        "base of the spine are being squeezed (cauda equina syndrome). Go to an emergency "
        "department now; do not wait to see whether it passes.",
        CES,
        lambda i: _rf(i, "saddle_numbness"),
    ),
    RedFlagRule(
        "cauda-equina-bladder-bowel",
        "emergency",
        "New bladder or bowel trouble",
        "red_flags.new_bladder_or_bowel_dysfunction",
        "New trouble passing or holding urine or stools, together with back pain, can mean the "
        "nerves at the base of the spine are being squeezed (cauda equina syndrome). Go to an "
        "emergency department now.",
        CES,
        lambda i: _rf(i, "new_bladder_or_bowel_dysfunction"),
    ),
    RedFlagRule(
        "cauda-equina-both-legs",
        "emergency",
        "Worsening weakness with symptoms in both legs",
        "red_flags.progressive_leg_weakness and pain.side = both and "
        "(pain.numbness_or_tingling_below_knee or below_knee in pain.areas)",
        "Leg weakness that is getting worse, with pain or pins and needles below the knee in both "
        "legs, can mean pressure on several nerves at once. Go to an emergency department today.",
        CES,
        lambda i: _rf(i, "progressive_leg_weakness") and i.pain.side == "both" and _below_knee(i),
        supersedes=("progressive-neurological-deficit",),
    ),
    RedFlagRule(
        "spinal-infection",
        "emergency",
        "Fever with a weakened immune system or injected drugs",
        "red_flags.fever_or_feeling_unwell and red_flags.immunosuppressed_or_iv_drug_use",
        "Fever or feeling unwell, with a weakened immune system or injected drug use, can mean an "
        "infection in the spine. Go to an emergency department today.",
        ("nhs-back-pain-pathway", "finucane-2020", "nice-cks-lbp"),
        lambda i: _rf(i, "fever_or_feeling_unwell") and _rf(i, "immunosuppressed_or_iv_drug_use"),
        supersedes=("possible-spinal-infection", "immunosuppressed"),
    ),
    RedFlagRule(
        "aortic-aneurysm-mass",
        "emergency",
        "A pulsating lump in the belly",
        "red_flags.pulsating_abdominal_mass",
        "A lump in the belly that beats with your pulse, with back pain, can be a swollen main "
        "artery (aortic aneurysm). Go to an emergency department now. Never press on it.",
        ("crawford-2003", "deboer-2010"),
        lambda i: _rf(i, "pulsating_abdominal_mass"),
        supersedes=("known-aortic-aneurysm", "known-aortic-aneurysm-new-pain"),
    ),
    RedFlagRule(
        "cancer-with-weakness",
        "emergency",
        "Cancer history with worsening weakness",
        "red_flags.history_of_cancer and red_flags.progressive_leg_weakness",
        "Worsening leg weakness in someone who has had cancer can mean pressure on the spinal "
        "cord. Contact the acute oncology or cord compression service, or an emergency "
        "department, immediately.",
        ("nice-ng234-2023", "finucane-2020"),
        lambda i: _rf(i, "history_of_cancer") and _rf(i, "progressive_leg_weakness"),
        supersedes=("progressive-neurological-deficit", "known-cancer", "cancer-with-features"),
    ),
    RedFlagRule(
        "progressive-neurological-deficit",
        "urgent",
        "Worsening leg weakness",
        "red_flags.progressive_leg_weakness",
        "Leg weakness that is getting worse can mean a nerve is being pressed. See a doctor "
        "today; go to an emergency department if it spreads to both legs or you notice saddle "
        "numbness or bladder changes.",
        ("nhs-back-pain-pathway", "nice-cks-lbp", "finucane-2020"),
        lambda i: _rf(i, "progressive_leg_weakness"),
    ),
    RedFlagRule(
        "possible-spinal-infection",
        "urgent",
        "Fever or feeling unwell",
        "red_flags.fever_or_feeling_unwell",
        "Back pain with fever or feeling generally unwell needs a doctor to rule out an "
        "infection. See a doctor today or tomorrow; go to an emergency department if you "
        "feel very ill.",
        ("nhs-back-pain-pathway", "finucane-2020"),
        lambda i: _rf(i, "fever_or_feeling_unwell"),
    ),
    RedFlagRule(
        "cancer-with-features",
        "urgent",
        "Cancer history with night pain, weight loss, pain on straining or age over 50",
        "red_flags.history_of_cancer and (constant_night_pain or unexplained_weight_loss "
        "or coughing_sneezing in pain.worse_with or person.age > 50)",
        "New back pain in someone who has had cancer, together with constant night pain, "
        "weight loss, pain on coughing or straining, or age over 50, needs checking for spread "
        "to the spine. Contact your cancer team (acute oncology service) within 24 hours.",
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
        supersedes=("known-cancer", "unexplained-weight-loss", "constant-night-pain"),
    ),
    RedFlagRule(
        "suspected-malignancy",
        "urgent",
        "Weight loss or constant night pain with other features",
        "(unexplained_weight_loss and constant_night_pain) or ((unexplained_weight_loss "
        "or constant_night_pain) and (person.age < 20 or person.age > 50))",
        "Unexplained weight loss with constant night pain, or either of them in someone under "
        "20 or over 50, needs a doctor to look for a serious cause. See a doctor within days "
        "(within two weeks at most).",
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
        "suspected-fracture-trauma",
        "urgent",
        "A significant injury",
        "red_flags.significant_trauma",
        "Back pain after a significant fall, crash or blow needs a doctor to check for a "
        "broken bone, usually with an X-ray or scan. See a doctor today or tomorrow.",
        ("nhs-back-pain-pathway", "finucane-2020", "nice-cks-lbp"),
        lambda i: _rf(i, "significant_trauma"),
    ),
    RedFlagRule(
        "suspected-fragility-fracture",
        "urgent",
        "New pain with fragile bones",
        "red_flags.osteoporosis_or_long_term_steroids and pain.duration_weeks < 6 and "
        "(pain.side = central or pain.intensity_now >= 7 or person.age >= 70)",
        "New back pain in someone with osteoporosis or long-term steroid use, especially in the "
        "middle of the back, severe, or over 70, can be a small fracture of a vertebra. See a "
        "doctor within days.",
        ("nhs-back-pain-pathway", "finucane-2020"),
        lambda i: (
            _rf(i, "osteoporosis_or_long_term_steroids")
            and _new_pain(i)
            and (i.pain.side == "central" or i.pain.intensity_now >= 7 or i.person.age >= 70)
        ),
        supersedes=("osteoporosis",),
    ),
    RedFlagRule(
        "known-aortic-aneurysm-new-pain",
        "urgent",
        "Known aneurysm with new or belly pain",
        "health.known_aortic_aneurysm and (abdomen in pain.areas or pain.duration_weeks < 6)",
        "New back pain or belly pain in someone with a known aortic aneurysm must be checked "
        "the same day by the team that watches the aneurysm or by a doctor. Call an ambulance "
        "if the pain is sudden and severe or you feel faint.",
        ("crawford-2003", "deboer-2010"),
        lambda i: (
            bool(i.health.known_aortic_aneurysm) and ("abdomen" in i.pain.areas or _new_pain(i))
        ),
        supersedes=("known-aortic-aneurysm", "abdominal-pain"),
    ),
    RedFlagRule(
        "nerve-root-signs",
        "see_clinician",
        "Pain or pins and needles below the knee",
        "pain.numbness_or_tingling_below_knee or below_knee in pain.areas",
        "Pain, numbness or tingling below the knee suggests an irritated nerve root rather than "
        "a muscle. Book a routine appointment with a physiotherapist or doctor; gentle exercise "
        "is fine meanwhile. Get help the same day if the leg becomes weak.",
        ("nice-ng59", "nice-cks-lbp"),
        _below_knee,
    ),
    RedFlagRule(
        "known-cancer",
        "see_clinician",
        "A history of cancer",
        "red_flags.history_of_cancer",
        "Tell your doctor or cancer team about this back pain. If it becomes constant, wakes you "
        "at night, or you lose weight without trying, contact them within 24 hours.",
        ("nice-ng234-2023", "verhagen-2016"),
        lambda i: _rf(i, "history_of_cancer"),
    ),
    RedFlagRule(
        "unexplained-weight-loss",
        "see_clinician",
        "Unexplained weight loss",
        "red_flags.unexplained_weight_loss",
        "Losing weight without trying should be checked by your doctor; book an appointment in "
        "the next couple of weeks.",
        MALIGNANCY,
        lambda i: _rf(i, "unexplained_weight_loss"),
    ),
    RedFlagRule(
        "constant-night-pain",
        "see_clinician",
        "Constant night pain",
        "red_flags.constant_night_pain",
        "Pain that stays constant at night whatever position you lie in should be checked by a "
        "doctor; book an appointment in the next couple of weeks.",
        MALIGNANCY,
        lambda i: _rf(i, "constant_night_pain"),
    ),
    RedFlagRule(
        "immunosuppressed",
        "see_clinician",
        "A weakened immune system or injected drugs",
        "red_flags.immunosuppressed_or_iv_drug_use",
        "With a weakened immune system or injected drug use, back pain deserves a doctor's "
        "check. Go the same day if you get a fever or feel unwell.",
        ("nhs-back-pain-pathway", "finucane-2020"),
        lambda i: _rf(i, "immunosuppressed_or_iv_drug_use"),
    ),
    RedFlagRule(
        "known-aortic-aneurysm",
        "see_clinician",
        "A known aortic aneurysm",
        "health.known_aortic_aneurysm",
        "Tell the team that watches your aneurysm about your back pain. Nothing in this program "
        "presses on your belly.",
        ("crawford-2003",),
        lambda i: bool(i.health.known_aortic_aneurysm),
    ),
    RedFlagRule(
        "abdominal-pain",
        "see_clinician",
        "Pain in the belly",
        "abdomen in pain.areas",
        "Pain in the belly can come from the organs rather than the muscles. Have it checked by "
        "a doctor; nothing in this program presses on your belly until then.",
        ("crawford-2003", "psoas-safety-rules"),
        lambda i: "abdomen" in i.pain.areas,
    ),
    RedFlagRule(
        "inflammatory-pattern",
        "see_clinician",
        "Signs of inflammatory back pain",
        "person.age < 45 and pain.duration_weeks >= 12 and moving_about in "
        "pain.better_with and night_rest in pain.worse_with",
        "Back pain for over three months that started before 45, eases with movement and is "
        "worse at night can be inflammatory (spondyloarthritis). Ask your doctor whether a "
        "rheumatology referral is right; exercise still helps.",
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
        "Osteoporosis or long-term steroids",
        "red_flags.osteoporosis_or_long_term_steroids",
        "With fragile bones, let your doctor or physiotherapist know about this back pain. "
        "Percussion massage is left out of your program.",
        ("nhs-back-pain-pathway", "percussion-device-precautions"),
        lambda i: _rf(i, "osteoporosis_or_long_term_steroids"),
    ),
)


def triage(intake: Intake) -> Triage:
    """Every red-flag rule that applies, the most urgent level among them, and what to do."""
    fired = [rule for rule in RULES if rule.applies(intake)]
    superseded = {code for rule in fired for code in rule.supersedes}
    kept = [rule for rule in fired if rule.code not in superseded]
    kept.sort(key=lambda r: TRIAGE_ORDER.index(r.level))
    level: TriageLevel = kept[0].level if kept else "self_care"
    reasons = tuple(
        TriageReason(code=r.code, level=r.level, message=r.message, sources=r.sources) for r in kept
    )
    return Triage(level=level, action=ACTIONS[level], reasons=reasons)


#: The levels that withhold the home program, on every surface.
WITHHOLDING_LEVELS: tuple[TriageLevel, ...] = ("emergency", "urgent")


def withholds_program(level: TriageLevel) -> bool:
    """Emergency and urgent levels withhold the home program, on every surface."""
    return level in WITHHOLDING_LEVELS
