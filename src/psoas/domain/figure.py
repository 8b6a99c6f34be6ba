"""A small 2D model of the human body, seen from the side, for the exercise pictures.

Pure geometry, no I/O. A :class:`Pose` gives each body segment a direction; :func:`solve` turns it
into points with the proportions of an adult (Winter's anthropometric fractions of height) and
places it so that its anchor rests on a prop. :func:`joint_angles` reads the pose back as the
angles a physiotherapist would measure, so the pictures can be checked against human ranges and
against what each exercise's own text says (``psoas.domain.figure_checks``).

Conventions
- Units are centimetres of a 170 cm adult; x grows forward (the figure faces right), y grows up,
  and the floor is y = 0.
- A segment's angle is the direction of its far end seen from its near end, in degrees
  counter-clockwise from forward: 0 points forward, 90 up, -90 down, 180 back. The trunk chain
  (pelvis, lumbar, thorax, head) runs up from the hips; the limbs run out from the trunk.
- ``near`` limbs are on the side nearer the viewer, which is always the side being worked; a
  figure for the left side is the right side's figure mirrored (see :func:`mirror_x`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

HEIGHT = 170.0

Side = Literal["near", "far"]
SIDES: tuple[Side, Side] = ("near", "far")


@dataclass(frozen=True, slots=True)
class Segment:
    """A rounded limb between two named points, thicker at its near end."""

    name: str
    start: str
    end: str
    length: float
    r_start: float
    r_end: float


def _limb(side: Side) -> tuple[Segment, ...]:
    s = side
    return (
        Segment(f"{s}_thigh", "hip", f"{s}_knee", 0.245 * HEIGHT, 8.2, 5.4),
        Segment(f"{s}_shank", f"{s}_knee", f"{s}_ankle", 0.246 * HEIGHT, 5.2, 3.4),
        Segment(f"{s}_upper_arm", "shoulder", f"{s}_elbow", 0.186 * HEIGHT, 4.6, 3.6),
        Segment(f"{s}_forearm", f"{s}_elbow", f"{s}_wrist", 0.146 * HEIGHT, 3.4, 2.6),
        Segment(f"{s}_hand", f"{s}_wrist", f"{s}_fingers", 0.085 * HEIGHT, 2.6, 2.0),
    )


#: The trunk chain from the hips up. The pelvis segment runs from the hip joints to the waist,
#: so its angle is the pelvic tilt: smaller than 90 when standing means tipped forward.
TRUNK: tuple[Segment, ...] = (
    Segment("pelvis", "hip", "waist", 0.09 * HEIGHT, 11.5, 10.0),
    Segment("lumbar", "waist", "chest", 0.10 * HEIGHT, 10.0, 12.0),
    Segment("thorax", "chest", "neck", 0.10 * HEIGHT, 12.0, 6.5),
    Segment("head", "neck", "head_centre", 0.09 * HEIGHT, 4.2, 4.2),
)
SEGMENTS: Mapping[str, Segment] = MappingProxyType(
    {s.name: s for s in (*TRUNK, *_limb("near"), *_limb("far"))}
)
HEAD_RADIUS = 10.5
#: The foot, from the ankle, in the foot's own frame (forward along the sole, up).
HEEL = (-5.5, -4.5)
TOE = (18.5, -4.5)
FOOT_RADIUS = 3.2
#: Where along the thorax, from the neck down, the shoulder joints sit.
SHOULDER_AT = 0.2

#: How far each named point's skin lies from the point: a point "rests on" a surface when it is
#: this far above it.
SKIN: Mapping[str, float] = MappingProxyType(
    {
        "hip": 11.5,
        "waist": 10.0,
        "chest": 12.0,
        "neck": 6.5,
        "head_centre": HEAD_RADIUS,
        "shoulder": 4.6,
        **{
            f"{s}_{p}": r
            for s in SIDES
            for p, r in (
                ("knee", 5.4),
                ("ankle", 3.4),
                ("heel", FOOT_RADIUS),
                ("toe", FOOT_RADIUS),
                ("elbow", 3.6),
                ("wrist", 2.6),
                ("fingers", 2.0),
            )
        },
    }
)

#: Standing tall, arms by the sides, feet flat: every pose starts from here.
STANDING: Mapping[str, float] = MappingProxyType(
    {
        "pelvis": 90.0,
        "lumbar": 90.0,
        "thorax": 90.0,
        "head": 90.0,
        **{f"{s}_{p}": -90.0 for s in SIDES for p in ("thigh", "shank", "upper_arm", "forearm")},
        **{f"{s}_hand": -90.0 for s in SIDES},
        "near_foot": 0.0,
        "far_foot": 0.0,
    }
)
ANGLE_NAMES: frozenset[str] = frozenset(STANDING)

#: The ranges of movement of an adult's joints, in degrees (flexion positive), generous at the
#: ends: a figure outside them shows something a body cannot do.
HUMAN_RANGE: Mapping[str, tuple[float, float]] = MappingProxyType(
    {
        "hip_flexion": (-30.0, 135.0),
        "knee_flexion": (-5.0, 155.0),
        "ankle_dorsiflexion": (-75.0, 40.0),  # heel-to-toe line: midfoot included; 40 in a lunge
        "lumbar_flexion": (-35.0, 60.0),
        "thoracic_flexion": (-25.0, 45.0),
        "neck_flexion": (-60.0, 70.0),
        "shoulder_flexion": (-60.0, 180.0),
        "elbow_flexion": (-5.0, 150.0),
        "wrist_flexion": (-80.0, 80.0),
    }
)


def norm(angle: float) -> float:
    """An angle in degrees brought into (-180, 180]."""
    a = math.fmod(angle, 360.0)
    if a <= -180.0:
        a += 360.0
    elif a > 180.0:
        a -= 360.0
    return a


def _unit(degrees: float) -> tuple[float, float]:
    r = math.radians(degrees)
    return (math.cos(r), math.sin(r))


Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Pose:
    """Segment directions (degrees, facing right), with foreshortening for segments that turn
    out of the picture's plane, and which point rests where."""

    angles: Mapping[str, float]
    scale: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = set(self.angles) ^ ANGLE_NAMES
        if unknown:
            raise ValueError(f"pose angles: missing or unknown {sorted(unknown)}")
        for name, s in self.scale.items():
            if name not in SEGMENTS and name not in ("near_foot", "far_foot"):
                raise ValueError(f"pose scale: unknown segment {name}")
            if not 0.0 < s <= 1.0:
                raise ValueError(f"pose scale: {name} must be in (0, 1]")

    @classmethod
    def from_changes(
        cls, base: Mapping[str, float], changes: Mapping[str, float], scale: Mapping[str, float]
    ) -> Pose:
        return cls({**base, **changes}, dict(scale))


@dataclass(frozen=True, slots=True)
class Body:
    """A solved pose: every named point, in centimetres."""

    points: Mapping[str, Point]
    pose: Pose

    def __getitem__(self, name: str) -> Point:
        return self.points[name]

    def capsules(self) -> Iterator[tuple[Segment, Point, Point]]:
        for seg in SEGMENTS.values():
            yield seg, self.points[seg.start], self.points[seg.end]

    def feet(self) -> Iterator[tuple[Side, Point, Point]]:
        for s in SIDES:
            yield s, self.points[f"{s}_heel"], self.points[f"{s}_toe"]

    def moved(self, dx: float, dy: float) -> Body:
        return Body({k: (x + dx, y + dy) for k, (x, y) in self.points.items()}, self.pose)

    def lowest(self) -> float:
        """The lowest skin of the body (for resting a figure on the floor)."""
        return min(y - SKIN.get(k, 0.0) for k, (x, y) in self.points.items() if k in SKIN)


def solve(pose: Pose) -> Body:
    """Forward kinematics: the points of a pose, with the hip joints at the origin."""
    a = pose.angles
    pts: dict[str, Point] = {"hip": (0.0, 0.0)}

    def step(seg: Segment) -> None:
        ux, uy = _unit(a[seg.name])
        length = seg.length * pose.scale.get(seg.name, 1.0)
        x, y = pts[seg.start]
        pts[seg.end] = (x + ux * length, y + uy * length)

    for seg in TRUNK:
        step(seg)
    nx, ny = pts["neck"]
    cx, cy = pts["chest"]
    pts["shoulder"] = (nx + (cx - nx) * SHOULDER_AT, ny + (cy - ny) * SHOULDER_AT)
    for side in SIDES:
        for seg in _limb(side):
            step(seg)
        fx, fy = _unit(a[f"{side}_foot"])
        s = pose.scale.get(f"{side}_foot", 1.0)
        ax, ay = pts[f"{side}_ankle"]
        for name, (u, v) in (("heel", HEEL), ("toe", TOE)):
            pts[f"{side}_{name}"] = (ax + s * u * fx - v * fy, ay + s * u * fy + v * fx)
    return Body(MappingProxyType(pts), pose)


def front_of(body: Body, segment: str, at: float = 0.5, depth: float = 1.0) -> Point:
    """A point on the front of a trunk segment (``depth`` 1 is the skin, 0 the midline).

    The front is the side the figure faces: to the right of a segment running up."""
    seg = SEGMENTS[segment]
    (x0, y0), (x1, y1) = body[seg.start], body[seg.end]
    dx, dy = x1 - x0, y1 - y0
    length = math.hypot(dx, dy) or 1.0
    r = seg.r_start + (seg.r_end - seg.r_start) * at
    # clockwise normal of an upward segment points forward
    nx, ny = dy / length, -dx / length
    return (x0 + dx * at + nx * r * depth, y0 + dy * at + ny * r * depth)


def joint_angles(pose: Pose) -> dict[str, float]:
    """The pose as a physiotherapist would measure it, per side where there are two."""
    a = pose.angles
    out = {
        "lumbar_flexion": norm(a["pelvis"] - a["lumbar"]),
        "thoracic_flexion": norm(a["lumbar"] - a["thorax"]),
        "neck_flexion": norm(a["thorax"] - a["head"]),
        "pelvic_tilt": norm(90.0 - a["pelvis"]),
    }
    for s in SIDES:
        out[f"{s}_hip_flexion"] = norm(a[f"{s}_thigh"] - (a["pelvis"] - 180.0))
        out[f"{s}_knee_flexion"] = norm(a[f"{s}_thigh"] - a[f"{s}_shank"])
        out[f"{s}_ankle_dorsiflexion"] = norm(a[f"{s}_foot"] - (a[f"{s}_shank"] + 90.0))
        out[f"{s}_shoulder_flexion"] = norm(a[f"{s}_upper_arm"] - (a["thorax"] - 180.0))
        out[f"{s}_elbow_flexion"] = norm(a[f"{s}_forearm"] - a[f"{s}_upper_arm"])
        out[f"{s}_wrist_flexion"] = norm(a[f"{s}_hand"] - a[f"{s}_forearm"])
    return out


def out_of_range(pose: Pose) -> list[str]:
    """Each joint outside its human range, in words; segments turned out of the picture's
    plane (foreshortened) are not measured."""
    turned = {n for n, s in pose.scale.items() if s < 0.95}
    measured_by = {
        "hip_flexion": ("thigh",),
        "knee_flexion": ("thigh", "shank"),
        "ankle_dorsiflexion": ("shank", "foot"),
        "shoulder_flexion": ("upper_arm",),
        "elbow_flexion": ("upper_arm", "forearm"),
        "wrist_flexion": ("forearm", "hand"),
    }
    problems = []
    for joint, value in joint_angles(pose).items():
        if joint == "pelvic_tilt":
            continue
        side, _, name = joint.partition("_") if joint.startswith(SIDES) else ("", "", joint)
        if side and any(f"{side}_{seg}" in turned for seg in measured_by[name]):
            continue
        low, high = HUMAN_RANGE[name]
        if not low <= value <= high:
            problems.append(f"{joint} {value:.0f} is outside {low:.0f} to {high:.0f}")
    return problems


def interpolate(a: Pose, b: Pose, t: float) -> Pose:
    """The pose a fraction ``t`` of the way from ``a`` to ``b`` (each angle the short way)."""
    angles = {k: a.angles[k] + norm(b.angles[k] - a.angles[k]) * t for k in a.angles}
    names = set(a.scale) | set(b.scale)
    scale = {
        n: a.scale.get(n, 1.0) + (b.scale.get(n, 1.0) - a.scale.get(n, 1.0)) * t for n in names
    }
    return Pose(angles, scale)


def mirror_x(point: Point, axis: float = 0.0) -> Point:
    """A point reflected about a vertical line: how the left side's figure is drawn."""
    return (2 * axis - point[0], point[1])
