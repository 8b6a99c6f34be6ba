"""How strongly the answers point at the hip flexors, and which side is tighter.

Every sign is a finding with a weight (+ for, - against), a side where it has one, a plain
message and its sources, so a clinician can see exactly why. The sum is a hypothesis to test,
never a diagnosis.

Signs that another pattern explains better are not counted: standing bent and pain on standing
are set aside when the back may be guarding an acute injury or the spinal canal may be narrowed
(:func:`acute_guarding`, :func:`stenosis_pattern`). The tighter side comes only from measured
restriction (:func:`tighter_side`), never from which side hurts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from psoas.domain.intake import Intake, ThomasSide
from psoas.domain.results import Finding, Involvement, InvolvementLevel, Side

#: Thigh this many degrees above the table (modified Thomas test) reads as short hip flexors.
THOMAS_POSITIVE_DEG = 5.0
#: A knee bent less than this with the thigh down reads as a short rectus femoris (Kendall).
RECTUS_FEMORIS_KNEE_DEG = 80.0
#: Thomas angles on the two sides must differ by at least this for one side to count as tighter.
#: A project choice, not a figure from a study: Peeler & Anderson 2007 found the goniometer
#: itself precise (SEM about 1 degree, measurement error about 2 degrees), but pass/fail
#: agreement between and within raters only modest (kappa 0.39-0.47), and without the pelvis
#: controlled the test is a poor measure (Vigotsky 2016). 10 degrees leaves a wide margin over
#: the instrument's error so that a "tighter side" is one a re-test would likely confirm.
SIDE_DIFFERENCE_DEG = 10.0
#: Points for a thigh held above the table: full weight only when the pelvis was controlled
#: (the other knee held until the low back was flat). Without that control (or unrecorded) the
#: test found only 31.8% of real restrictions (Vigotsky 2016), so it counts one point less.
THOMAS_POSITIVE_WEIGHT = {True: 3, False: 2}
THOMAS_BORDERLINE_WEIGHT = {True: 1, False: 0}
#: A normal result on both sides counts against; without pelvic control it says less.
THOMAS_NORMAL_BOTH_WEIGHT = {True: -3, False: -2}
#: Acute guarding: pain for less than this many weeks that began suddenly or is severe.
ACUTE_WEEKS = 6.0
#: Pain now at or above this (0-10) counts as severe for acute guarding.
SEVERE_PAIN = 7
#: From this age, pain worse walking or standing and eased by sitting or bending forward fits a
#: narrowed spinal canal (a project choice: degenerative stenosis is uncommon before 50).
STENOSIS_AGE = 50
LIKELY_SCORE = 7
POSSIBLE_SCORE = 4

SITTING_JOBS = re.compile(
    r"driv|taxi|cab\b|truck|lorry|bus\b|courier|office|desk|admin|secretar|reception|computer|"
    r"software|developer|programmer|engineer|account|call.?cent|clerk|cashier|analyst|designer|"
    r"writer|student|gamer|pilot|cyclist",
    re.IGNORECASE,
)
SIDES: tuple[Side, Side] = ("left", "right")


@dataclass(frozen=True)
class FindingRule:
    """One kind of finding: when it fires, its weight, its sources."""

    code: str
    weight: str
    when: str
    sources: tuple[str, ...]


SEEDS_SITTING = ("psoas-paradox", "energy-medicine-2020", "more4life-2024")
THOMAS = ("kendall-2005", "peeler-2007", "vigotsky-2016")

FINDINGS: dict[str, FindingRule] = {
    r.code: r
    for r in (
        FindingRule(
            "long-sitting",
            "+2",
            "sitting 6 hours a day or more",
            (*SEEDS_SITTING, "eastwest-psoas"),
        ),
        FindingRule("moderate-sitting", "+1", "sitting 4 to 6 hours a day", SEEDS_SITTING),
        FindingRule(
            "little-sitting",
            "-2",
            "sitting under 2 hours a day and no cycling or rowing",
            SEEDS_SITTING,
        ),
        FindingRule(
            "long-unbroken-sitting",
            "+1",
            "longest unbroken sitting 60 minutes or more",
            ("thorp-2014", "psoas-paradox"),
        ),
        FindingRule(
            "sitting-occupation",
            "+1",
            "occupation is a sitting job (driver, office, computer work and the like)",
            ("psoas-paradox", "eastwest-psoas", "recovapro-2020"),
        ),
        FindingRule(
            "hip-flexed-sport",
            "+1",
            "cycling or rowing",
            ("energy-medicine-2020",),
        ),
        FindingRule(
            "front-hip-or-groin-pain",
            "+2",
            "pain at the front of the hip or in the groin",
            ("eastwest-psoas", "sajko-2009", "simons-travell-1983"),
        ),
        FindingRule(
            "front-thigh-pain", "+1", "pain at the front of the thigh", ("simons-travell-1983",)
        ),
        FindingRule(
            "worse-upright",
            "+1 each, at most +2",
            "worse with standing long, walking or rising from sitting (standing long not "
            "counted with acute guarding or the stenosis pattern, walking not with the "
            "stenosis pattern)",
            ("more4life-2024", "psoas-paradox"),
        ),
        FindingRule(
            "worse-legs-straight",
            "+1",
            "worse lying with the legs straight",
            ("more4life-2024",),
        ),
        FindingRule(
            "better-knees-bent", "+1", "better lying with the knees bent", ("more4life-2024",)
        ),
        FindingRule("better-sitting", "-1", "better with sitting", ("psoas-paradox",)),
        FindingRule(
            "nerve-root-signs",
            "-2",
            "pain, numbness or tingling below the knee (pain.areas, pain.leg_symptoms or "
            "pain.numbness_or_tingling_below_knee)",
            ("nice-ng59",),
        ),
        FindingRule(
            "lumbar-exam-unremarkable",
            "+1",
            "a clinician found nothing in the low back itself",
            ("recovapro-2020",),
        ),
        FindingRule(
            "cannot-stand-upright",
            "+2",
            "cannot stand fully upright (not counted with acute guarding or the stenosis pattern)",
            ("eastwest-psoas", "more4life-2024"),
        ),
        FindingRule(
            "upright-signs-acute-guarding",
            "0",
            f"acute guarding (pain under {ACUTE_WEEKS:g} weeks that began suddenly or is "
            f"{SEVERE_PAIN} or more out of 10, or a trunk shifted to one side) with "
            "cannot-stand-upright or standing long in pain.worse_with: those signs are not "
            "counted",
            ("mckenzie-lateral-shift", "psoas-safety-rules"),
        ),
        FindingRule(
            "upright-signs-stenosis",
            "0",
            f"stenosis pattern (age {STENOSIS_AGE} or over, worse with walking or standing "
            "long, better with sitting or bending forward) with cannot-stand-upright, "
            "standing long or walking in pain.worse_with: those signs are not counted",
            ("lumbar-stenosis",),
        ),
        FindingRule(
            "increased-lordosis",
            "+1",
            "increased lumbar lordosis, pelvis tipped forward",
            ("more4life-2024", "energy-medicine-2020", "recovapro-2020"),
        ),
        FindingRule(
            "short-stride",
            "+1 (sided)",
            "shorter stride on one side",
            ("eastwest-psoas", "sajko-2009"),
        ),
        FindingRule(
            "lateral-shift",
            "0",
            "trunk shifted to one side: a disc sign rather than a psoas pull, so it is not "
            "counted (see the disc-or-nerve-root alternative)",
            ("mckenzie-lateral-shift",),
        ),
        FindingRule(
            "thomas-short-hip-flexors",
            f"+{THOMAS_POSITIVE_WEIGHT[True]} with the pelvis controlled, "
            f"+{THOMAS_POSITIVE_WEIGHT[False]} without or unrecorded (sided)",
            f"modified Thomas test: thigh more than {THOMAS_POSITIVE_DEG:g} degrees above "
            "the table",
            THOMAS,
        ),
        FindingRule(
            "thomas-borderline",
            f"+{THOMAS_BORDERLINE_WEIGHT[True]} with the pelvis controlled, "
            f"{THOMAS_BORDERLINE_WEIGHT[False]} without or unrecorded (sided)",
            f"modified Thomas test: thigh 0 to {THOMAS_POSITIVE_DEG:g} degrees above the "
            "table (within measurement error)",
            THOMAS,
        ),
        FindingRule(
            "thomas-short-rectus-femoris",
            "+1 (sided)",
            f"modified Thomas test: knee bent less than {RECTUS_FEMORIS_KNEE_DEG:g} degrees",
            ("kendall-2005", "thomas-test-2021"),
        ),
        FindingRule(
            "thomas-normal",
            f"{THOMAS_NORMAL_BOTH_WEIGHT[True]} both sides with the pelvis controlled, "
            f"{THOMAS_NORMAL_BOTH_WEIGHT[False]} both sides without, -1 one side measured",
            "modified Thomas test: every measured thigh rests on or below the table",
            (*THOMAS, "iliopsoas-length-2024"),
        ),
        FindingRule(
            "resisted-hip-flexion",
            "+2 (sided)",
            "resisted hip flexion weak, painful, or both",
            ("sajko-2009", "eastwest-psoas"),
        ),
        FindingRule(
            "resisted-hip-flexion-normal",
            "-1",
            "resisted hip flexion normal on both sides",
            ("sajko-2009",),
        ),
        FindingRule(
            "palpation-reproduces-pain",
            "+2 (sided)",
            "pressing on the psoas reproduces the familiar pain",
            ("sajko-2009", "simons-travell-1983"),
        ),
        FindingRule(
            "palpation-negative",
            "-1",
            "pressing on the psoas on both sides does not reproduce the pain",
            ("sajko-2009",),
        ),
        FindingRule(
            "examination-needed",
            "0",
            f"score {LIKELY_SCORE} or more with no positive examination finding: the "
            "level stays at possible",
            ("kendall-2005", "sajko-2009"),
        ),
    )
}


def _f(code: str, weight: int, message: str, side: Side | None = None) -> Finding:
    return Finding(
        code=code, weight=weight, message=message, sources=FINDINGS[code].sources, side=side
    )


def _sitting(i: Intake) -> Iterator[Finding]:
    hours = i.daily_life.sitting_hours_per_day
    hip_flexed_sport = [a for a in i.daily_life.activities if a in ("cycling", "rowing")]
    if hours >= 6:
        yield _f(
            "long-sitting",
            2,
            f"You sit about {hours:g} hours a day. Long sitting holds the hip flexors in a "
            "shortened position, which may leave them tight when you stand.",
        )
    elif hours >= 4:
        yield _f(
            "moderate-sitting",
            1,
            f"You sit about {hours:g} hours a day, a moderate load that may shorten the hip "
            "flexors a little.",
        )
    elif hours < 2 and not hip_flexed_sport:
        yield _f(
            "little-sitting",
            -2,
            "You sit little and do no hip-flexed sport, so the usual reason for short hip "
            "flexors is missing.",
        )
    longest = i.daily_life.longest_sitting_minutes
    if longest is not None and longest >= 60:
        yield _f(
            "long-unbroken-sitting",
            1,
            f"You often sit {longest} minutes without a break; changing position every 15-30 "
            "minutes may protect the back better.",
        )
    occupation = i.daily_life.occupation
    if occupation and SITTING_JOBS.search(occupation):
        yield _f(
            "sitting-occupation",
            1,
            f"Your work ({occupation.strip()[:60]}) is one of the sitting jobs in which the hip "
            "flexors may shorten.",
        )
    if hip_flexed_sport:
        yield _f(
            "hip-flexed-sport",
            1,
            f"{' and '.join(s.capitalize() for s in hip_flexed_sport)} keep the hip bent for "
            "long spells, much like sitting, which may shorten the hip flexors.",
        )


def _pain_side(i: Intake) -> Side | None:
    return i.pain.side if i.pain.side in SIDES else None


def below_knee_symptoms(i: Intake) -> bool:
    """Pain, numbness or tingling below the knee, on either leg, in any way it was asked."""
    legs = i.pain.leg_symptoms
    return (
        bool(i.pain.numbness_or_tingling_below_knee)
        or "below_knee" in i.pain.areas
        or (legs is not None and "below_knee" in (legs.left, legs.right))
    )


def acute_guarding(i: Intake) -> bool:
    """An acute back that may be guarding itself: pain under :data:`ACUTE_WEEKS` weeks that
    began suddenly or is :data:`SEVERE_PAIN` or more now, or a trunk shifted to one side."""
    p = i.pain
    acute = p.duration_weeks < ACUTE_WEEKS and (
        p.onset == "sudden" or p.intensity_now >= SEVERE_PAIN
    )
    return acute or i.observations.lateral_shift_side in SIDES


def stenosis_pattern(i: Intake) -> bool:
    """Age :data:`STENOSIS_AGE` or over, pain worse with walking or standing, and eased by
    sitting or bending forward: the pattern of a narrowed spinal canal."""
    p = i.pain
    return (
        i.person.age >= STENOSIS_AGE
        and bool({"walking", "standing_long"} & set(p.worse_with))
        and bool({"sitting", "bending_forward"} & set(p.better_with))
    )


def _set_aside(i: Intake) -> frozenset[str]:
    """The upright signs that another pattern explains: not counted for the hip flexors."""
    out: set[str] = set()
    if acute_guarding(i):
        out |= {"cannot_stand_fully_upright", "standing_long"}
    if stenosis_pattern(i):
        out |= {"cannot_stand_fully_upright", "standing_long", "walking"}
    return frozenset(out)


def _upright_signs_not_counted(i: Intake) -> Iterator[Finding]:
    given: set[str] = {w for w in ("standing_long", "walking") if w in i.pain.worse_with}
    if i.observations.cannot_stand_fully_upright:
        given.add("cannot_stand_fully_upright")
    if acute_guarding(i) and given & {"cannot_stand_fully_upright", "standing_long"}:
        why = (
            "your trunk is shifted to one side"
            if i.observations.lateral_shift_side in SIDES
            else "the pain is recent and began suddenly or is severe"
        )
        yield _f(
            "upright-signs-acute-guarding",
            0,
            f"Because {why}, standing bent or pain on standing may be the back guarding "
            "itself rather than short hip flexors, so these signs are not counted for the hip "
            "flexors.",
        )
    if stenosis_pattern(i) and given:
        yield _f(
            "upright-signs-stenosis",
            0,
            "Pain worse with walking or standing that eases when you sit or bend forward may "
            "come from a narrowed spinal canal, so standing bent and pain on standing or "
            "walking are not counted for the hip flexors.",
        )


def _pain_pattern(i: Intake) -> Iterator[Finding]:
    p = i.pain
    side = _pain_side(i)
    aside = _set_aside(i)
    front = [a for a in ("front_of_hip", "groin") if a in p.areas]
    if front:
        yield _f(
            "front-hip-or-groin-pain",
            2,
            "Pain at the front of the hip or in the groin may come from the hip flexors, which "
            "cross the front of the hip.",
            side,
        )
    if "front_of_thigh" in p.areas:
        yield _f(
            "front-thigh-pain",
            1,
            "Pain at the front of the thigh may be part of the pattern the psoas can refer.",
            side,
        )
    upright = [
        w
        for w in ("standing_long", "walking", "rising_from_sitting")
        if w in p.worse_with and w not in aside
    ]
    if upright:
        words = ", ".join(w.replace("_", " ") for w in upright)
        yield _f(
            "worse-upright",
            min(2, len(upright)),
            f"Pain worse with {words}: if the hip flexors are short, standing up may stretch "
            "them and pull the low back into a deeper arch.",
        )
    if "lying_flat_legs_straight" in p.worse_with:
        yield _f(
            "worse-legs-straight",
            1,
            "Pain worse lying with the legs straight may fit tight hip flexors pulling on the "
            "low back in that position.",
        )
    if "lying_knees_bent" in p.better_with:
        yield _f(
            "better-knees-bent",
            1,
            "Pain eased by lying with the knees bent, which slackens the psoas, may fit the hip "
            "flexors.",
        )
    if "sitting" in p.better_with:
        yield _f(
            "better-sitting",
            -1,
            "Pain eased by sitting suggests that short hip flexors are not the main driver.",
        )
    if below_knee_symptoms(i):
        yield _f(
            "nerve-root-signs",
            -2,
            "Symptoms below the knee suggest a nerve root rather than a muscle.",
        )
    yield from _upright_signs_not_counted(i)


def _thomas_side(t: ThomasSide | None) -> tuple[float | None, float | None]:
    return (t.hip_angle_deg, t.knee_angle_deg) if t else (None, None)


def _examination(i: Intake) -> Iterator[Finding]:
    o = i.observations
    if o.lumbar_exam_unremarkable:
        yield _f(
            "lumbar-exam-unremarkable",
            1,
            "The examination of the low back itself found nothing, so a cause nearby, such as "
            "the hip flexors, is worth testing.",
        )
    if o.cannot_stand_fully_upright and "cannot_stand_fully_upright" not in _set_aside(i):
        yield _f(
            "cannot-stand-upright",
            2,
            "Not being able to stand fully upright, as if still seated, may fit short hip flexors.",
        )
    if o.increased_lumbar_lordosis:
        yield _f(
            "increased-lordosis",
            1,
            "A deeper arch in the low back with the pelvis tipped forward may fit tight hip "
            "flexors.",
        )
    if o.short_stride_side in SIDES:
        yield _f(
            "short-stride",
            1,
            f"A shorter stride on the {o.short_stride_side} side suggests that hip may not "
            "extend fully.",
            o.short_stride_side,
        )
    if o.lateral_shift_side in SIDES:
        yield _f(
            "lateral-shift",
            0,
            f"The trunk shifts to the {o.lateral_shift_side}. A shift like this is more often a "
            "sign of a disc problem than of a short psoas, so it is not counted for the hip "
            "flexors.",
        )
    yield from _thomas(i)
    yield from _resisted(i)
    yield from _palpation(i)


def _pelvis_note(controlled: bool | None) -> str:
    if controlled:
        return (
            " The other knee was held to the chest so the pelvis stayed still, which makes the "
            "reading more trustworthy."
        )
    state = "was not held still" if controlled is False else "was not recorded as held still"
    return (
        f" The pelvis {state}, so the reading is less reliable and counts for less here: "
        "without that control the test found only about a third of real restrictions in one "
        "study."
    )


def _thomas(i: Intake) -> Iterator[Finding]:
    t = i.observations.thomas_test
    if t is None:
        return
    controlled = t.pelvis_controlled is True
    note = _pelvis_note(t.pelvis_controlled)
    measured: list[tuple[Side, float]] = []
    for side in SIDES:
        hip, knee = _thomas_side(getattr(t, side))
        if hip is not None:
            measured.append((side, hip))
            if hip > THOMAS_POSITIVE_DEG:
                yield _f(
                    "thomas-short-hip-flexors",
                    THOMAS_POSITIVE_WEIGHT[controlled],
                    f"Modified Thomas test, {side}: the thigh stays {hip:g} degrees above the "
                    "table, which suggests short one-joint hip flexors (iliopsoas)." + note,
                    side,
                )
            elif hip > 0:
                yield _f(
                    "thomas-borderline",
                    THOMAS_BORDERLINE_WEIGHT[controlled],
                    f"Modified Thomas test, {side}: the thigh stays {hip:g} degrees above the "
                    "table, within the test's measurement error, so it suggests little either "
                    "way." + note,
                    side,
                )
        if knee is not None and knee < RECTUS_FEMORIS_KNEE_DEG:
            yield _f(
                "thomas-short-rectus-femoris",
                1,
                f"Modified Thomas test, {side}: the knee bends only {knee:g} degrees, which "
                "suggests a short rectus femoris (the hip flexor at the front of the thigh).",
                side,
            )
    if measured and all(hip <= 0 for _, hip in measured):
        yield _f(
            "thomas-normal",
            THOMAS_NORMAL_BOTH_WEIGHT[controlled] if len(measured) == 2 else -1,
            "Modified Thomas test: the thigh rests on the table, which suggests normal "
            "hip-flexor length." + note,
        )


def _resisted(i: Intake) -> Iterator[Finding]:
    r = i.observations.resisted_hip_flexion
    if r is None:
        return
    results = {side: getattr(r, side) for side in SIDES}
    for side, result in results.items():
        if result in ("weak", "painful", "weak_painful"):
            yield _f(
                "resisted-hip-flexion",
                2,
                f"Lifting the {side} thigh against resistance was "
                f"{result.replace('_', ' and ')}, which may point at the hip flexors.",
                side,
            )
    if all(v == "normal" for v in results.values()):
        yield _f(
            "resisted-hip-flexion-normal",
            -1,
            "Lifting each thigh against resistance was strong and painless, which speaks "
            "against a hip-flexor problem.",
        )


def _palpation(i: Intake) -> Iterator[Finding]:
    p = i.observations.psoas_palpation_reproduces_pain
    if p is None:
        return
    for side in SIDES:
        if getattr(p, side):
            yield _f(
                "palpation-reproduces-pain",
                2,
                f"Pressing on the {side} psoas brought on the familiar pain, which may point at "
                "the hip flexors.",
                side,
            )
    if p.left is False and p.right is False:
        yield _f(
            "palpation-negative",
            -1,
            "Pressing on the psoas on each side did not bring on the familiar pain, which "
            "speaks against it as the source.",
        )


EXAM_CODES = frozenset(
    {"thomas-short-hip-flexors", "resisted-hip-flexion", "palpation-reproduces-pain"}
)

FINDING_SOURCES: tuple[Callable[[Intake], Iterator[Finding]], ...] = (
    _sitting,
    _pain_pattern,
    _examination,
)


def score(findings: tuple[Finding, ...] | list[Finding]) -> int:
    """Each finding code counts once (its largest weight), however many sides show it."""
    best: dict[str, int] = {}
    for f in findings:
        best[f.code] = max(best.get(f.code, f.weight), f.weight)
    return sum(best.values())


def weigh(intake: Intake) -> Involvement:
    findings = [f for source in FINDING_SOURCES for f in source(intake)]
    total = score(findings)
    examined = any(f.code in EXAM_CODES for f in findings)
    level: InvolvementLevel
    if total >= LIKELY_SCORE and examined:
        level = "likely"
    elif total >= POSSIBLE_SCORE:
        level = "possible"
        if total >= LIKELY_SCORE:
            findings.append(
                _f(
                    "examination-needed",
                    0,
                    "Your answers point strongly at the hip flexors, but no examination finding "
                    "supports it yet. A modified Thomas test or a resisted hip-flexion test, done "
                    "by a clinician, would tell more.",
                )
            )
    else:
        level = "unlikely"
    return Involvement(level=level, score=total, findings=tuple(findings))


#: How the tighter side is chosen, in plain words (for the documentation).
TIGHTER_SIDE_RULE = (
    "Only measured restriction decides, never which side hurts, palpation or resisted-test "
    "pain. Where both modified Thomas hip angles are measured they decide alone: the side whose "
    f"thigh sits higher, if the difference is at least {SIDE_DIFFERENCE_DEG:g} degrees (a "
    "project choice well above the goniometer's error of about 2 degrees, since pass/fail "
    "reliability is only modest) and that thigh is above the table. Otherwise a shorter stride "
    "seen in gait marks its side. Else neither side is tighter."
)


def tighter_side(intake: Intake, involvement: Involvement) -> Side | None:
    """The side with clearly more measured hip-flexor restriction, or None.

    Only measured restriction counts: the modified Thomas hip angles on both sides (a
    difference of at least :data:`SIDE_DIFFERENCE_DEG`, a project choice; a smaller one leaves
    neither side tighter), or else a shorter stride seen in gait. Which side hurts, pain on
    pressing the psoas and pain or weakness in resisted testing never decide it, so
    ``involvement`` is not read here; it stays in the signature that callers share.
    """
    t = intake.observations.thomas_test
    left_hip, _ = _thomas_side(t.left if t else None)
    right_hip, _ = _thomas_side(t.right if t else None)
    if left_hip is not None and right_hip is not None:
        if abs(left_hip - right_hip) < SIDE_DIFFERENCE_DEG:
            return None
        tighter: Side = "left" if left_hip > right_hip else "right"
        return tighter if max(left_hip, right_hip) > 0 else None
    stride = intake.observations.short_stride_side
    if stride == "left" or stride == "right":
        return stride
    return None
