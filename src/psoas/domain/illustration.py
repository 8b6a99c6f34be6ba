"""The pictures of the catalog as data: poses, props, highlights, callouts and the claims each
picture must honour, read from ``psoas/catalog/data/figures`` and laid out as scenes.

A *figure* is one picture of one or more *frames* (start and end, the phases of a protocol, or a
wrong and a right way). Each frame is a pose (changes from a named base pose), where the figure
rests, and which points rest on which surfaces. :func:`scene` solves a frame into a body and
its props, in centimetres, for the renderer and for the checks.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from psoas.domain.catalog import EducationFigure
from psoas.domain.figure import ANGLE_NAMES, SKIN, STANDING, Body, Point, Pose, front_of, solve

PropKind = Literal[
    "mat",
    "cushion",
    "towel",
    "chair",
    "table",
    "bed",
    "pillows",
    "wall",
    "desk",
    "massage_gun",
    "release_tool",
    "ankle_weight",
    "band",
]
Highlight = Literal["hip_flexors", "glutes", "core", "thigh_front", "hamstrings", "side_trunk"]
FigureKind = Literal["sequence", "pair", "same_as", "placement"]

#: Points on the body that are not joints: where tools press and muscles lie.
BODY_SPOTS = ("belly", "iliacus_spot", "lower_back")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PropSpec(_Frozen):
    """A thing in the picture. Positions are centimetres; ``x`` is the prop's front (right) edge
    or centre as each kind says, ``sits_on`` names the surface it stands on ("on" would read as
    a yes in YAML)."""

    kind: PropKind
    x: float = 0.0
    width: float | None = None
    height: float | None = None
    sits_on: str = "floor"
    at: str | None = Field(default=None, description="a body point a held or worn prop sits at")
    to: str | None = Field(default=None, description="the body point a band runs to")
    angle: float = 0.0
    flip: bool = False
    beside: bool = Field(
        default=False,
        description="beside the person, further from the viewer (a chair held for balance): "
        "drawn behind the body and never in its way",
    )


class Rest(_Frozen):
    point: str
    on: str


class PoseSpec(_Frozen):
    """A pose as changes from a base pose, placed by resting one point on a surface."""

    base: str = "standing"
    angles: dict[str, float] = Field(default_factory=dict)
    scale: dict[str, float] = Field(default_factory=dict)
    anchor: str = Field(description="the point placed at x on its resting surface")
    x: float = 0.0
    rests: dict[str, str] = Field(
        min_length=1, description="every point said to rest on something, and on what"
    )

    @model_validator(mode="after")
    def _known(self) -> PoseSpec:
        unknown = set(self.angles) - ANGLE_NAMES
        if unknown:
            raise ValueError(f"unknown angles {sorted(unknown)}")
        if self.anchor not in self.rests:
            raise ValueError("the anchor must be one of the resting points")
        for point in self.rests:
            if point not in SKIN:
                raise ValueError(f"{point} is not a point that can rest on something")
        return self


class Callout(_Frozen):
    at: str
    text: str = Field(max_length=40)
    frame: int = Field(default=-1, description="the frame it belongs to; -1 the last")
    dx: float = 0.0
    dy: float = 30.0


class Frame(_Frozen):
    label: str = Field(max_length=28)
    pose: PoseSpec
    props: tuple[PropSpec, ...] = ()
    verdict: Literal["wrong", "right"] | None = None
    moving: str | None = Field(default=None, description="the point the movement arrow follows")


class Claim(_Frozen):
    """Something the exercise's text says that the picture must show, checked by geometry."""

    kind: Literal[
        "knee_not_past_toes",
        "knee_over_ankle",
        "trunk_upright",
        "pelvis_tucked_vs_wrong",
        "below_surface",
        "above_surface",
        "thigh_at_most_vertical",
        "back_flat",
        "foot_flat",
        "hips_lifted",
        "straight_line",
    ]
    frame: int = -1
    side: Literal["near", "far"] = "near"
    point: str | None = None
    surface: str | None = None
    within: float = 15.0


class FigureSpec(_Frozen):
    """One picture: a sequence of frames, a wrong/right pair, another item's picture, or the
    placement diagram of a release."""

    kind: FigureKind = "sequence"
    title: str | None = None
    description: str = Field(
        default="",
        description="the picture in words ({side} and {other} name the sides), for screen readers",
    )
    same_as: str | None = Field(default=None, description="item id, or item id/variant slug")
    caption: str | None = Field(default=None, max_length=160)
    frames: tuple[Frame, ...] = ()
    props: tuple[PropSpec, ...] = ()
    highlight: tuple[Highlight, ...] = ()
    show_pelvis: bool = Field(
        default=False, description="mark the pelvis's tilt (a line and a dot at its front)"
    )
    callouts: tuple[Callout, ...] = ()
    claims: tuple[Claim, ...] = ()
    spots: tuple[Literal["psoas", "iliacus"], ...] = ()

    @model_validator(mode="after")
    def _shape(self) -> FigureSpec:
        if self.kind == "same_as" and not self.same_as:
            raise ValueError("a same_as figure names the picture it reuses")
        if self.kind in ("sequence", "pair") and not self.frames:
            raise ValueError("a drawn figure has at least one frame")
        if self.kind != "same_as" and len(self.description) < 20:
            raise ValueError("a drawn figure says in words what it shows (description)")
        if self.kind == "pair" and [f.verdict for f in self.frames] != ["wrong", "right"]:
            raise ValueError("a pair is a wrong frame then a right frame")
        if self.kind == "placement" and not self.spots:
            raise ValueError("a placement diagram marks at least one spot")
        for c in self.callouts:
            if c.frame >= len(self.frames):
                raise ValueError(f"callout {c.text!r} names frame {c.frame}")
        return self


class ItemFigures(_Frozen):
    """Every picture of one catalog item: its own, its technique pair and placement diagram if
    it has them, and one per variant (by the variant's name)."""

    item: str
    main: FigureSpec
    technique: FigureSpec | None = None
    placement: FigureSpec | None = None
    variants: dict[str, FigureSpec] = Field(default_factory=dict)
    explains: tuple[EducationFigure, ...] = Field(
        default=(), description="education figures that show why (psoas.reports.diagrams)"
    )


class FigureLibrary(_Frozen):
    """The base poses and every item's pictures."""

    poses: dict[str, dict[str, float]]
    items: dict[str, ItemFigures]

    @model_validator(mode="after")
    def _bases(self) -> FigureLibrary:
        for name, angles in self.poses.items():
            unknown = set(angles) - ANGLE_NAMES
            if unknown:
                raise ValueError(f"base pose {name}: unknown angles {sorted(unknown)}")
        for figs in self.items.values():
            for fig in _all(figs):
                for f in fig.frames:
                    if f.pose.base != "standing" and f.pose.base not in self.poses:
                        raise ValueError(f"{figs.item}: unknown base pose {f.pose.base}")
        return self

    def figure(self, item_id: str, variant: str | None = None) -> FigureSpec:
        figs = self.items[item_id]
        if variant is None or variant == "main":
            return figs.main
        if variant == "technique" and figs.technique:
            return figs.technique
        if variant == "placement" and figs.placement:
            return figs.placement
        for name, fig in figs.variants.items():
            if slug(name) == variant:
                return fig
        raise KeyError(f"{item_id}/{variant}")

    def resolve(self, item_id: str, variant: str | None = None) -> tuple[str, str, FigureSpec]:
        """The drawn figure behind a name, following ``same_as`` links."""
        seen: set[tuple[str, str]] = set()
        key = (item_id, variant or "main")
        while True:
            if key in seen:
                raise ValueError(f"same_as loop at {key}")
            seen.add(key)
            fig = self.figure(*key)
            if fig.kind != "same_as":
                return key[0], key[1], fig
            target = fig.same_as or ""
            item, _, var = target.partition("/")
            key = (item, var or "main")

    def base(self, name: str) -> Mapping[str, float]:
        return STANDING if name == "standing" else {**STANDING, **self.poses[name]}


def _all(figs: ItemFigures) -> list[FigureSpec]:
    out = [figs.main, *figs.variants.values()]
    out += [f for f in (figs.technique, figs.placement) if f]
    return out


def slug(name: str) -> str:
    """A variant's name as it appears in a picture's address."""
    out = "".join(c if c.isalnum() else "-" for c in name.lower())
    return "-".join(p for p in out.split("-") if p)


# --- props as geometry -------------------------------------------------------------------------

Shape = tuple[str, tuple[float, ...]]  # ("rect", (x, y, w, h)), ("ellipse", (cx, cy, rx, ry)), ...


@dataclass(frozen=True, slots=True)
class Box:
    """A solid part of a prop the body may rest on but not pass through."""

    x0: float
    y0: float
    x1: float
    y1: float
    soft: bool = False


@dataclass(frozen=True, slots=True)
class Surface:
    """Something to rest on: a top at ``level`` from ``x0`` to ``x1``, or a wall at x = level."""

    level: float
    x0: float = -math.inf
    x1: float = math.inf
    vertical: bool = False


FLOOR = Surface(0.0)


@dataclass(frozen=True)
class Prop:
    spec: PropSpec
    surfaces: Mapping[str, Surface]
    solids: tuple[Box, ...]
    shapes: tuple[Shape, ...]


DEFAULT_SIZE: Mapping[str, tuple[float, float]] = {
    "mat": (180.0, 1.5),
    "cushion": (26.0, 7.0),
    "towel": (24.0, 4.0),
    "chair": (42.0, 46.0),
    "table": (120.0, 76.0),
    "bed": (200.0, 52.0),
    "pillows": (44.0, 20.0),
    "desk": (70.0, 74.0),
}


def _level(name: str, surfaces: Mapping[str, Surface]) -> float:
    if name not in surfaces or surfaces[name].vertical:
        raise ValueError(f"no surface called {name!r} to stand on in this picture")
    return surfaces[name].level


def build_props(
    specs: tuple[PropSpec, ...], body: Body | None
) -> tuple[list[Prop], dict[str, Surface]]:
    """The props of a frame in order, each standing on a surface named before it, and every
    surface in the picture (the floor always)."""
    surfaces: dict[str, Surface] = {"floor": FLOOR}
    props: list[Prop] = []
    for spec in specs:
        w, h = DEFAULT_SIZE.get(spec.kind, (0.0, 0.0))
        w = spec.width if spec.width is not None else w
        h = spec.height if spec.height is not None else h
        x = spec.x
        new: dict[str, Surface] = {}
        solids: list[Box] = []
        shapes: list[Shape] = []
        if spec.kind in ("mat", "cushion", "towel", "pillows"):
            base = _level(spec.sits_on, surfaces)
            x0 = x if spec.kind == "mat" else x - w / 2
            new[spec.kind] = Surface(base + h, x0, x0 + w)
            soft = spec.kind != "mat"
            solids.append(Box(x0, base, x0 + w, base + h, soft=soft))
            if spec.kind == "pillows":
                shapes.append(("ellipse", (x0 + w / 2, base + h / 2, w / 2, h / 2)))
            else:
                shapes.append(("rect", (x0, base, w, h, min(h / 2, 3.0))))
        elif spec.kind == "chair":
            # the seat's front edge at x, its back behind it (in front if flipped)
            back = x + w if spec.flip else x - w
            x0, x1 = min(x, back), max(x, back)
            new["seat"] = Surface(h, x0, x1)
            solids.append(Box(x0, h - 5, x1, h))
            shapes += [
                ("rect", (x0, h - 5, x1 - x0, 5, 1.5)),
                ("line", (x0 + 2, 0, x0 + 2, h - 5)),
                ("line", (x1 - 2, 0, x1 - 2, h - 5)),
                ("line", (back, h - 5, back, h + 42)),
            ]
            new["chair_back"] = Surface(h + 42, back - 2, back + 2)
        elif spec.kind in ("table", "bed", "desk"):
            base = 0.0
            x0, x1 = x - w, x
            top = h
            slab = 20.0 if spec.kind == "bed" else 4.0
            new[spec.kind] = Surface(top, x0, x1)
            solids.append(Box(x0, top - slab, x1, top, soft=spec.kind == "bed"))
            shapes.append(("rect", (x0, top - slab, w, slab, 2.0 if spec.kind == "bed" else 1.0)))
            shapes += [
                ("line", (x0 + 4, base, x0 + 4, top - slab)),
                ("line", (x1 - 4, base, x1 - 4, top - slab)),
            ]
        elif spec.kind == "wall":
            new["wall"] = Surface(x, 0.0, 250.0, vertical=True)
            solids.append(Box(x, 0, x + 8, 400))
            shapes.append(("line", (x, 0, x, 200)))
        elif spec.kind in ("massage_gun", "release_tool", "ankle_weight"):
            if body is None or spec.at is None:
                raise ValueError(f"a {spec.kind} is placed at a body point (at: ...)")
            px, py = spot(body, spec.at)
            shapes.append((spec.kind, (px, py, spec.angle)))
        elif spec.kind == "band":
            if body is None or spec.at is None or spec.to is None:
                raise ValueError("a band runs from one body point (at) to another (to)")
            (ax, ay), (bx, by) = spot(body, spec.at), spot(body, spec.to)
            shapes.append(("band", (ax, ay, bx, by)))
        surfaces.update(new)
        if spec.beside:
            solids = []
        props.append(Prop(spec, dict(new), tuple(solids), tuple(shapes)))
    return props, surfaces


def spot(body: Body, name: str) -> Point:
    """A named point of the body, or one of the soft-tissue spots in :data:`BODY_SPOTS`."""
    if name == "belly":
        return front_of(body, "pelvis", at=0.75)
    if name == "iliacus_spot":
        return front_of(body, "pelvis", at=0.3)
    if name == "lower_back":
        return front_of(body, "pelvis", at=0.8, depth=-1.0)
    return body[name]


@dataclass(frozen=True)
class Scene:
    """One frame solved: the body where it rests, its props and every surface's height."""

    body: Body
    props: tuple[Prop, ...]
    surfaces: Mapping[str, Surface]
    frame: Frame


def scene(
    library: FigureLibrary, figure: FigureSpec, index: int, pose: Pose | None = None
) -> Scene:
    """Frame ``index`` of a drawn figure (or ``pose`` in that frame's place, for in-betweens)."""
    frame = figure.frames[index]
    spec = frame.pose
    if pose is None:
        pose = pose_of(library, frame)
    raw = solve(pose)
    every = figure.props + frame.props
    _, surfaces = build_props(tuple(p for p in every if not _held(p)), None)
    anchor_on = spec.rests[spec.anchor]
    top = _level(anchor_on, surfaces)
    ax, ay = raw[spec.anchor]
    body = raw.moved(spec.x - ax, top + SKIN[spec.anchor] - ay)
    props, surfaces = build_props(every, body)
    return Scene(body, tuple(props), surfaces, frame)


def _held(p: PropSpec) -> bool:
    return p.kind in ("massage_gun", "release_tool", "ankle_weight", "band")


def pose_of(library: FigureLibrary, frame: Frame) -> Pose:
    return Pose.from_changes(library.base(frame.pose.base), frame.pose.angles, frame.pose.scale)


@dataclass(frozen=True)
class Bounds:
    x0: float
    y0: float
    x1: float
    y1: float

    @cached_property
    def width(self) -> float:
        return self.x1 - self.x0

    @cached_property
    def height(self) -> float:
        return self.y1 - self.y0


def bounds(s: Scene, margin: float = 6.0) -> Bounds:
    xs, ys = [], []
    for name, (x, y) in s.body.points.items():
        r = SKIN.get(name, 3.0)
        xs += [x - r, x + r]
        ys += [y - r, y + r]
    for p in s.props:
        for kind, v in p.shapes:
            if kind == "rect":
                xs += [v[0], v[0] + v[2]]
                ys += [v[1], v[1] + v[3]]
            elif kind == "ellipse":
                xs += [v[0] - v[2], v[0] + v[2]]
                ys += [v[1] - v[3], v[1] + v[3]]
            elif kind == "line" and p.spec.kind != "wall":
                xs += [v[0], v[2]]
                ys += [v[1], v[3]]
    ys.append(0.0)
    return Bounds(min(xs) - margin, min(ys) - margin, max(xs) + margin, max(ys) + margin)


def hypot(a: Point, b: Point) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])
