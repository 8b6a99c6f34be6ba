"""Does a picture obey its exercise? Geometry checks over solved scenes.

Every frame of every drawn figure is checked for: the points it says rest on something do rest
there (and over it, not beside it); no part of the body passes through the floor or a prop;
every joint is within its human range; and the claims the figure carries from its exercise's
text (the lunge's knee not past the toes, the tucked pelvis tilted back from the wrong one, the
table stretch's thigh hanging below the table) hold. Each problem is a sentence; none is good.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from psoas.domain.figure import (
    FOOT_RADIUS,
    HEAD_RADIUS,
    SEGMENTS,
    SKIN,
    Body,
    joint_angles,
    norm,
    out_of_range,
)
from psoas.domain.illustration import (
    Box,
    Claim,
    FigureLibrary,
    FigureSpec,
    Scene,
    Surface,
    pose_of,
    scene,
)

#: How far a resting point's skin may be from its surface (cm): a firm and a soft surface.
REST_TOLERANCE = 2.0
SOFT_SURFACES = frozenset({"cushion", "towel", "pillows", "bed"})
SOFT_TOLERANCE = 4.0
#: How deep skin may press into a firm or a soft thing (cm).
PRESS_FIRM = 1.5
PRESS_SOFT = 5.0


def _circles(body: Body) -> Iterator[tuple[str, float, float, float]]:
    """The body as overlapping circles: each segment sampled along its length, the head, the
    feet."""
    for seg, (x0, y0), (x1, y1) in body.capsules():
        for i in range(7):
            t = i / 6
            r = seg.r_start + (seg.r_end - seg.r_start) * t
            yield seg.name, x0 + (x1 - x0) * t, y0 + (y1 - y0) * t, r
    hx, hy = body["head_centre"]
    yield "head", hx, hy, HEAD_RADIUS
    for side, (x0, y0), (x1, y1) in body.feet():
        for i in range(5):
            t = i / 4
            yield f"{side}_foot", x0 + (x1 - x0) * t, y0 + (y1 - y0) * t, FOOT_RADIUS


def _depth_into(box: Box, x: float, y: float, r: float) -> float:
    """How far a circle reaches into a box (negative when it stays clear)."""
    dx = max(box.x0 - x, 0.0, x - box.x1)
    dy = max(box.y0 - y, 0.0, y - box.y1)
    if dx == 0.0 and dy == 0.0:  # the centre is inside
        return r + min(x - box.x0, box.x1 - x, y - box.y0, box.y1 - y)
    return r - math.hypot(dx, dy)


def _rest_problems(s: Scene) -> Iterator[str]:
    for point, on in s.frame.pose.rests.items():
        surface: Surface | None = s.surfaces.get(on)
        if surface is None:
            yield f"{point} rests on {on}, which is not in the picture"
            continue
        x, y = s.body[point]
        skin = SKIN[point]
        tol = SOFT_TOLERANCE if on in SOFT_SURFACES else REST_TOLERANCE
        if surface.vertical:
            gap = surface.level - (x + skin)
            if abs(gap) > tol:
                yield f"{point} is {gap:+.1f} cm from the {on}"
            continue
        gap = y - skin - surface.level
        if abs(gap) > tol:
            yield f"{point} is {gap:+.1f} cm above the {on}, not resting on it"
        if not surface.x0 - 2 <= x <= surface.x1 + 2:
            yield f"{point} is beside the {on}, not over it"


def _press_problems(s: Scene) -> Iterator[str]:
    solids: list[tuple[str, Box]] = [(p.spec.kind, b) for p in s.props for b in p.solids]
    worst: dict[tuple[str, str], float] = {}
    for part, x, y, r in _circles(s.body):
        floor = r - y
        if floor > PRESS_FIRM:
            worst[(part, "floor")] = max(worst.get((part, "floor"), 0.0), floor)
        for kind, box in solids:
            depth = _depth_into(box, x, y, r)
            if depth > (PRESS_SOFT if box.soft else PRESS_FIRM):
                worst[(part, kind)] = max(worst.get((part, kind), 0.0), depth)
    for (part, kind), depth in sorted(worst.items()):
        yield f"{part} passes {depth:.1f} cm into the {kind}"


def _claim_problems(
    claim: Claim, s: Scene, figure: FigureSpec, library: FigureLibrary
) -> Iterator[str]:
    b, side = s.body, claim.side
    angles = b.pose.angles
    joints = joint_angles(b.pose)
    if claim.kind == "knee_not_past_toes":
        if b[f"{side}_knee"][0] > b[f"{side}_toe"][0] + 1.0:
            yield f"the {side} knee is past the toes"
    elif claim.kind == "knee_over_ankle":
        dx = b[f"{side}_knee"][0] - b[f"{side}_ankle"][0]
        if abs(dx) > claim.within:
            yield f"the {side} knee is {dx:+.0f} cm from over the ankle"
    elif claim.kind == "trunk_upright":
        lean = norm(angles["thorax"] - 90.0)
        waist_to_neck = math.degrees(
            math.atan2(b["neck"][1] - b["waist"][1], b["neck"][0] - b["waist"][0])
        )
        for what, value in (("thorax", lean), ("trunk", norm(waist_to_neck - 90.0))):
            if abs(value) > claim.within:
                yield f"the {what} leans {value:+.0f} degrees from upright"
    elif claim.kind == "pelvis_tucked_vs_wrong":
        wrong = next((i for i, f in enumerate(figure.frames) if f.verdict == "wrong"), None)
        if wrong is None:
            yield "a tucked-pelvis claim needs a wrong frame to compare with"
        else:
            wrong_joints = joint_angles(pose_of(library, figure.frames[wrong]))
            tilt_wrong, arch_wrong = wrong_joints["pelvic_tilt"], wrong_joints["lumbar_flexion"]
            if joints["pelvic_tilt"] > tilt_wrong - 10:
                yield "the tucked pelvis is not tilted back at least 10 degrees from the wrong one"
            if joints["lumbar_flexion"] < arch_wrong + 10:
                yield "the low back is not at least 10 degrees flatter than in the wrong one"
    elif claim.kind in ("below_surface", "above_surface"):
        point, name = claim.point or "", claim.surface or ""
        surface = s.surfaces.get(name)
        if surface is None or point not in b.points:
            yield f"claim {claim.kind}: unknown point {point} or surface {name}"
        else:
            y = b[point][1]
            if claim.kind == "below_surface" and y >= surface.level:
                yield f"{point} is not below the {name}"
            if claim.kind == "above_surface" and y <= surface.level:
                yield f"{point} is not above the {name}"
    elif claim.kind == "thigh_at_most_vertical":
        hip = joints[f"{side}_hip_flexion"]
        if hip > 90 + claim.within:
            yield f"the {side} thigh is lifted past upright ({hip:.0f} degrees)"
    elif claim.kind == "back_flat":
        if abs(joints["lumbar_flexion"]) > claim.within:
            yield f"the low back bends {joints['lumbar_flexion']:+.0f} degrees, not flat"
    elif claim.kind == "foot_flat":
        (hx, hy), (tx, ty) = b[f"{side}_heel"], b[f"{side}_toe"]
        if abs(math.degrees(math.atan2(ty - hy, tx - hx))) > 8:
            yield f"the {side} foot is not flat"
    elif claim.kind == "hips_lifted":
        surface = s.surfaces.get(claim.surface or "floor")
        level = surface.level if surface else 0.0
        if b["hip"][1] - SEGMENTS["pelvis"].r_start - level < 5:
            yield "the hips are not lifted off the surface"
    elif claim.kind == "straight_line":
        # knee (or ankle), hip and shoulder in line: a plank, a bridge, a bird dog's leg
        a, h, c = b[f"{side}_knee"], b["hip"], b["shoulder"]
        angle = norm(
            math.degrees(math.atan2(c[1] - h[1], c[0] - h[0]))
            - math.degrees(math.atan2(h[1] - a[1], h[0] - a[0]))
        )
        if abs(angle) > claim.within:
            yield f"knee, hip and shoulder are {angle:+.0f} degrees off a straight line"


def problems(library: FigureLibrary, figure: FigureSpec) -> list[str]:
    """Everything wrong with a drawn figure, frame by frame; empty when it is sound."""
    if figure.kind not in ("sequence", "pair"):
        return []
    out: list[str] = []
    for i in range(len(figure.frames)):
        try:
            s = scene(library, figure, i)
        except (ValueError, KeyError) as exc:
            out.append(f"frame {i + 1}: {exc}")
            continue
        found = [*_rest_problems(s), *_press_problems(s), *out_of_range(s.body.pose)]
        for claim in figure.claims:
            if claim.frame in (i, i - len(figure.frames)):
                found += _claim_problems(claim, s, figure, library)
        out += [f"frame {i + 1} ({s.frame.label}): {p}" for p in found]
    return out
