"""How strongly the answers point at the hip flexors, and which side is tighter.

Every sign is a finding with a weight (+ for, - against), a side where it has one, a plain
message and its sources, so a clinician can see exactly why. The sum is a hypothesis to test,
never a diagnosis.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from psoas.domain.assessment import Finding, Involvement, InvolvementLevel, Side
from psoas.domain.intake import Intake, ThomasSide

#: Thigh this many degrees above the table (modified Thomas test) reads as short hip flexors.
THOMAS_POSITIVE_DEG = 5.0
#: A knee bent less than this with the thigh down reads as a short rectus femoris (Kendall).
RECTUS_FEMORIS_KNEE_DEG = 80.0
#: Side differences smaller than this are within the test's measurement error (Peeler 2007).
SIDE_DIFFERENCE_DEG = 10.0
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
            ("energy-medicine-2020", "stutchfield-2006"),
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
            "worse with standing long, walking or rising from sitting",
            ("more4life-2024", "psoas-paradox"),
        ),
        FindingRule(
            "worse-legs-straight",
            "+1",
            "worse lying with the legs straight",
            ("more4life-2024", "bogduk-1992"),
        ),
        FindingRule(
            "better-knees-bent", "+1", "better lying with the knees bent", ("more4life-2024",)
        ),
        FindingRule("better-sitting", "-1", "better with sitting", ("psoas-paradox",)),
        FindingRule(
            "nerve-root-signs", "-2", "pain, numbness or tingling below the knee", ("nice-ng59",)
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
            "cannot stand fully upright",
            ("eastwest-psoas", "more4life-2024"),
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
            "lateral-shift", "+1 (sided)", "trunk shifted to one side", ("energy-medicine-2020",)
        ),
        FindingRule(
            "thomas-short-hip-flexors",
            "+3 (sided)",
            f"modified Thomas test: thigh more than {THOMAS_POSITIVE_DEG:g} degrees above "
            "the table",
            THOMAS,
        ),
        FindingRule(
            "thomas-borderline",
            "+1 (sided)",
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
            "-3 both sides, -1 one side measured",
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
            f"You sit about {hours:g} hours a day. Long sitting keeps the hip flexors short, "
            "which may leave them tight when you stand.",
        )
    elif hours >= 4:
        yield _f(
            "moderate-sitting",
            1,
            f"You sit about {hours:g} hours a day, a moderate load on the hip flexors.",
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
            f"You often sit {longest} minutes without a break; position changes every 15-30 "
            "minutes protect the back better.",
        )
    occupation = i.daily_life.occupation
    if occupation and SITTING_JOBS.search(occupation):
        yield _f(
            "sitting-occupation",
            1,
            f"Your work ({occupation.strip()[:60]}) is one of the sitting jobs in which hip "
            "flexors often shorten.",
        )
    if hip_flexed_sport:
        yield _f(
            "hip-flexed-sport",
            1,
            f"{' and '.join(s.capitalize() for s in hip_flexed_sport)} keep the hip bent for "
            "long spells, much like sitting.",
        )


def _pain_side(i: Intake) -> Side | None:
    return i.pain.side if i.pain.side in SIDES else None


def _pain_pattern(i: Intake) -> Iterator[Finding]:
    p = i.pain
    side = _pain_side(i)
    front = [a for a in ("front_of_hip", "groin") if a in p.areas]
    if front:
        yield _f(
            "front-hip-or-groin-pain",
            2,
            "Pain at the front of the hip or in the groin fits the hip flexors, which cross the "
            "front of the hip.",
            side,
        )
    if "front_of_thigh" in p.areas:
        yield _f(
            "front-thigh-pain",
            1,
            "Pain at the front of the thigh is part of the pattern the psoas can refer.",
            side,
        )
    upright = [w for w in ("standing_long", "walking", "rising_from_sitting") if w in p.worse_with]
    if upright:
        words = ", ".join(w.replace("_", " ") for w in upright)
        yield _f(
            "worse-upright",
            min(2, len(upright)),
            f"Pain worse with {words}: standing up stretches short hip flexors, which then pull "
            "the low back into a deeper arch.",
        )
    if "lying_flat_legs_straight" in p.worse_with:
        yield _f(
            "worse-legs-straight",
            1,
            "Pain worse lying with the legs straight, when the psoas pulls on the low back.",
        )
    if "lying_knees_bent" in p.better_with:
        yield _f(
            "better-knees-bent",
            1,
            "Pain eased by lying with the knees bent, which slackens the psoas.",
        )
    if "sitting" in p.better_with:
        yield _f(
            "better-sitting",
            -1,
            "Pain eased by sitting points away from short hip flexors as the main driver.",
        )
    if bool(p.numbness_or_tingling_below_knee) or "below_knee" in p.areas:
        yield _f(
            "nerve-root-signs",
            -2,
            "Symptoms below the knee point to a nerve root rather than a muscle.",
        )


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
    if o.cannot_stand_fully_upright:
        yield _f(
            "cannot-stand-upright",
            2,
            "Not being able to stand fully upright, as if still seated, fits short hip flexors.",
        )
    if o.increased_lumbar_lordosis:
        yield _f(
            "increased-lordosis",
            1,
            "A deeper arch in the low back with the pelvis tipped forward fits tight hip flexors.",
        )
    if o.short_stride_side in SIDES:
        yield _f(
            "short-stride",
            1,
            f"A shorter stride on the {o.short_stride_side} side: the hip does not extend fully.",
            o.short_stride_side,
        )
    if o.lateral_shift_side in SIDES:
        yield _f(
            "lateral-shift",
            1,
            f"The trunk shifts to the {o.lateral_shift_side}: a short psoas on one side may pull "
            "the spine towards it.",
            o.lateral_shift_side,
        )
    yield from _thomas(i)
    yield from _resisted(i)
    yield from _palpation(i)


def _thomas(i: Intake) -> Iterator[Finding]:
    t = i.observations.thomas_test
    if t is None:
        return
    measured: list[tuple[Side, float]] = []
    for side in SIDES:
        hip, knee = _thomas_side(getattr(t, side))
        if hip is not None:
            measured.append((side, hip))
            if hip > THOMAS_POSITIVE_DEG:
                yield _f(
                    "thomas-short-hip-flexors",
                    3,
                    f"Modified Thomas test, {side}: the thigh stays {hip:g} degrees above the "
                    "table, which means the one-joint hip flexors (iliopsoas) are short.",
                    side,
                )
            elif hip > 0:
                yield _f(
                    "thomas-borderline",
                    1,
                    f"Modified Thomas test, {side}: the thigh stays {hip:g} degrees above the "
                    "table, within the test's measurement error.",
                    side,
                )
        if knee is not None and knee < RECTUS_FEMORIS_KNEE_DEG:
            yield _f(
                "thomas-short-rectus-femoris",
                1,
                f"Modified Thomas test, {side}: the knee bends only {knee:g} degrees, so the "
                "rectus femoris (the hip flexor in the front of the thigh) is short.",
                side,
            )
    if measured and all(hip <= 0 for _, hip in measured):
        yield _f(
            "thomas-normal",
            -3 if len(measured) == 2 else -1,
            "Modified Thomas test: the thigh rests on the table, a normal hip-flexor length.",
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
                f"{result.replace('_', ' and ')}, pointing at the hip flexors.",
                side,
            )
    if all(v == "normal" for v in results.values()):
        yield _f(
            "resisted-hip-flexion-normal",
            -1,
            "Lifting each thigh against resistance was strong and painless.",
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
                f"Pressing on the {side} psoas brought on the familiar pain.",
                side,
            )
    if p.left is False and p.right is False:
        yield _f(
            "palpation-negative",
            -1,
            "Pressing on the psoas on each side did not bring on the familiar pain.",
        )


EXAM_CODES = frozenset(
    {"thomas-short-hip-flexors", "resisted-hip-flexion", "palpation-reproduces-pain"}
)

FINDING_SOURCES: tuple[Callable[[Intake], Iterator[Finding]], ...] = (
    _sitting,
    _pain_pattern,
    _examination,
)


def _score(findings: list[Finding]) -> int:
    """Each finding code counts once (its largest weight), however many sides show it."""
    best: dict[str, int] = {}
    for f in findings:
        best[f.code] = max(best.get(f.code, f.weight), f.weight)
    return sum(best.values())


def weigh(intake: Intake) -> Involvement:
    findings = [f for source in FINDING_SOURCES for f in source(intake)]
    score = _score(findings)
    examined = any(f.code in EXAM_CODES for f in findings)
    level: InvolvementLevel
    if score >= LIKELY_SCORE and examined:
        level = "likely"
    elif score >= POSSIBLE_SCORE:
        level = "possible"
        if score >= LIKELY_SCORE:
            findings.append(
                _f(
                    "examination-needed",
                    0,
                    "Your answers point strongly at the hip flexors, but no examination finding "
                    "confirms it yet. A modified Thomas test or a resisted hip-flexion test, done "
                    "by a clinician, would tell more.",
                )
            )
    else:
        level = "unlikely"
    return Involvement(level=level, score=score, findings=tuple(findings))


def tighter_side(intake: Intake, involvement: Involvement) -> Side | None:
    """The side with clearly more hip-flexor restriction, or None.

    Where both Thomas angles are measured they decide alone: a difference under 10 degrees is
    within the test's error, so neither side is tighter. Otherwise one-sided signs are tallied
    and a side needs a clear lead of two points.
    """
    t = intake.observations.thomas_test
    left_hip, _ = _thomas_side(t.left if t else None)
    right_hip, _ = _thomas_side(t.right if t else None)
    if left_hip is not None and right_hip is not None:
        if abs(left_hip - right_hip) < SIDE_DIFFERENCE_DEG:
            return None
        tighter: Side = "left" if left_hip > right_hip else "right"
        return tighter if max(left_hip, right_hip) > 0 else None
    tally = {"left": 0, "right": 0}
    for f in involvement.findings:
        if f.side is not None and f.weight > 0:
            tally[f.side] += f.weight
    if tally["left"] - tally["right"] >= 2:
        return "left"
    if tally["right"] - tally["left"] >= 2:
        return "right"
    return None
