"""Exercise pictures as SVG: a pure function from solved scenes to text, no I/O.

One look everywhere: rounded limbs in a neutral slate, the side being worked a shade darker, one
warm accent for the target muscle (outlined in white so it still stands out in greyscale), props
in light grey. Only plain shapes and presentation attributes, so the same SVG prints as vectors
in the PDF handout. Each picture says the same in words in its ``<title>`` and ``<desc>``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Literal

from psoas.domain.figure import HEAD_RADIUS, SEGMENTS, SIDES, Body, Point, interpolate, solve
from psoas.domain.illustration import (
    Bounds,
    FigureLibrary,
    FigureSpec,
    Highlight,
    Scene,
    bounds,
    build_props,
    pose_of,
    scene,
    spot,
)

SideName = Literal["left", "right"]

FAR = "#b7c0ca"
TRUNK = "#8f9aa6"
NEAR = "#5d6977"
ACCENT = "#e8702a"
PROP = "#e4e7eb"
PROP_EDGE = "#b9c0c8"
INK = "#2b3440"
WRONG = "#b3261e"
RIGHT = "#1d7a3a"
HALO = "#ffffff"

LABEL_SPACE = 16.0  # cm under each panel for its label
PER_ROW = 2  # panels side by side; more wrap to the next row (legible on a phone)
GAP = 8.0  # cm between panels


def _f(v: float) -> str:
    """A coordinate with one decimal, no trailing zeros: small files."""
    s = f"{v:.1f}"
    return s[:-2] if s.endswith(".0") else s


@dataclass(frozen=True)
class _Frame:
    """Maps a scene's centimetres to the SVG's: y flipped, panels side by side, the left side
    mirrored."""

    b: Bounds
    left: float
    top: float
    mirror: bool

    def __call__(self, p: Point) -> tuple[float, float]:
        x = (self.b.x1 - p[0]) if self.mirror else (p[0] - self.b.x0)
        return (self.left + x, self.top + (self.b.y1 - p[1]))

    def pt(self, p: Point) -> str:
        x, y = self(p)
        return f"{_f(x)} {_f(y)}"


def _capsule(a: tuple[float, float], ra: float, b: tuple[float, float], rb: float) -> str:
    """A rounded, tapering limb from a (radius ra) to b (radius rb) as one closed path."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    d = math.hypot(dx, dy)
    if d <= abs(ra - rb) + 0.01:
        return _circle_path(a, ra) if ra >= rb else _circle_path(b, rb)
    ux, uy = dx / d, dy / d
    nx, ny = -uy, ux
    s = (ra - rb) / d
    c = math.sqrt(max(0.0, 1 - s * s))

    def tangent(p: tuple[float, float], r: float, k: float) -> tuple[float, float]:
        return (p[0] + r * (k * nx * c + ux * s), p[1] + r * (k * ny * c + uy * s))

    a1, a2, b1, b2 = tangent(a, ra, 1), tangent(a, ra, -1), tangent(b, rb, 1), tangent(b, rb, -1)
    # the arc round b goes through its far end; round a through its near end
    far_b = (b[0] + ux * rb, b[1] + uy * rb)
    sweep_b = 1 if _cross(b1, far_b, b2) > 0 else 0
    sweep_a = 1 if _cross(a2, (a[0] - ux * ra, a[1] - uy * ra), a1) > 0 else 0
    large_b = 1 if rb > ra else 0
    large_a = 1 - large_b
    return (
        f"M{_f(a1[0])} {_f(a1[1])}L{_f(b1[0])} {_f(b1[1])}"
        f"A{_f(rb)} {_f(rb)} 0 {large_b} {sweep_b} {_f(b2[0])} {_f(b2[1])}"
        f"L{_f(a2[0])} {_f(a2[1])}"
        f"A{_f(ra)} {_f(ra)} 0 {large_a} {sweep_a} {_f(a1[0])} {_f(a1[1])}Z"
    )


def _cross(p: tuple[float, float], q: tuple[float, float], r: tuple[float, float]) -> float:
    return (q[0] - p[0]) * (r[1] - q[1]) - (q[1] - p[1]) * (r[0] - q[0])


def _circle_path(c: tuple[float, float], r: float) -> str:
    x, y = c
    return (
        f"M{_f(x - r)} {_f(y)}a{_f(r)} {_f(r)} 0 1 0 {_f(2 * r)} 0"
        f"a{_f(r)} {_f(r)} 0 1 0 {_f(-2 * r)} 0Z"
    )


def _limb_paths(body: Body, t: _Frame, side: str) -> str:
    parts = []
    for name in ("thigh", "shank", "upper_arm", "forearm", "hand"):
        seg = SEGMENTS[f"{side}_{name}"]
        parts.append(_capsule(t(body[seg.start]), seg.r_start, t(body[seg.end]), seg.r_end))
    heel, toe = body[f"{side}_heel"], body[f"{side}_toe"]
    parts.append(_capsule(t(heel), 3.2, t(toe), 2.8))
    return "".join(parts)


def _trunk_paths(body: Body, t: _Frame) -> str:
    parts = [
        _capsule(t(body[s.start]), s.r_start, t(body[s.end]), s.r_end)
        for s in SEGMENTS.values()
        if s.name in ("pelvis", "lumbar", "thorax", "head")
    ]
    parts.append(_circle_path(t(body["head_centre"]), HEAD_RADIUS))
    return "".join(parts)


def _filled(d: str, fill: str, single: bool = False) -> str:
    """A shape with a white halo round its outline, so overlapping parts stay distinct.

    ``single``: one element whose stroke is painted under its fill (half the bytes; browsers
    only). Otherwise the halo and the fill are two elements, which PDF renderers draw right."""
    if single:
        return (
            f'<path d="{d}" fill="{fill}" stroke="{HALO}" stroke-width="2.2" '
            f'stroke-linejoin="round" paint-order="stroke"/>'
        )
    return (
        f'<path d="{d}" fill="{fill}" stroke="{HALO}" stroke-width="2.2" '
        f'stroke-linejoin="round"/><path d="{d}" fill="{fill}"/>'
    )


def _along(body: Body, segment: str, at: float, depth: float) -> Point:
    """A point on a segment, ``depth`` of its radius towards its front (negative: its back).

    The front of the trunk is the way the figure faces; the front of a thigh or shin is the
    knee-cap side."""
    seg = SEGMENTS[segment]
    (x0, y0), (x1, y1) = body[seg.start], body[seg.end]
    dx, dy = x1 - x0, y1 - y0
    d = math.hypot(dx, dy) or 1.0
    r = seg.r_start + (seg.r_end - seg.r_start) * at
    trunk = segment in ("pelvis", "lumbar", "thorax", "head")
    nx, ny = (dy / d, -dx / d) if trunk else (-dy / d, dx / d)
    return (x0 + dx * at + nx * r * depth, y0 + dy * at + ny * r * depth)


def _muscle(body: Body, which: Highlight) -> list[Point]:
    """The course of a highlighted muscle, as points for a smooth line."""
    if which == "hip_flexors":
        return [
            _along(body, "lumbar", 0.45, -0.1),
            _along(body, "pelvis", 0.55, 0.2),
            _along(body, "pelvis", 0.05, 0.6),
            _along(body, "near_thigh", 0.2, 0.15),
        ]
    if which == "glutes":
        return [
            _along(body, "pelvis", 0.75, -0.75),
            _along(body, "pelvis", 0.15, -0.85),
            _along(body, "near_thigh", 0.18, -0.55),
        ]
    if which == "core":
        return [_along(body, "pelvis", 0.55, 0.72), _along(body, "lumbar", 0.75, 0.75)]
    if which == "thigh_front":
        return [_along(body, "near_thigh", 0.12, 0.6), _along(body, "near_thigh", 0.88, 0.55)]
    if which == "hamstrings":
        return [_along(body, "near_thigh", 0.15, -0.55), _along(body, "near_thigh", 0.9, -0.5)]
    # side_trunk: the side of the waist between ribs and pelvis
    return [_along(body, "pelvis", 0.6, 0.0), _along(body, "lumbar", 0.85, 0.0)]


def _smooth(points: Sequence[tuple[float, float]]) -> str:
    """A line through points, rounded at the inner ones (quadratic joins)."""
    if len(points) == 2:
        (x0, y0), (x1, y1) = points
        return f"M{_f(x0)} {_f(y0)}L{_f(x1)} {_f(y1)}"
    d = f"M{_f(points[0][0])} {_f(points[0][1])}"
    for i in range(1, len(points) - 1):
        (cx, cy), (nx, ny) = points[i], points[i + 1]
        mx, my = ((cx + nx) / 2, (cy + ny) / 2) if i < len(points) - 2 else (nx, ny)
        d += f"Q{_f(cx)} {_f(cy)} {_f(mx)} {_f(my)}"
    return d


def _highlights(body: Body, t: _Frame, which: Iterable[Highlight]) -> str:
    out = []
    for h in which:
        d = _smooth([t(p) for p in _muscle(body, h)])
        out.append(
            f'<path d="{d}" fill="none" stroke="{HALO}" stroke-width="6.4" '
            f'stroke-linecap="round" stroke-linejoin="round"/>'
            f'<path d="{d}" fill="none" stroke="{ACCENT}" stroke-width="4" '
            f'stroke-linecap="round" stroke-linejoin="round"/>'
        )
    return "".join(out)


def _props(s: Scene, t: _Frame, held: bool) -> str:
    out = []
    for prop in s.props:
        is_held = prop.spec.kind in ("massage_gun", "release_tool", "ankle_weight", "band")
        if is_held != held:
            continue
        for kind, v in prop.shapes:
            out.append(_shape(kind, v, t, prop.spec.kind))
    return "".join(out)


def _shape(kind: str, v: tuple[float, ...], t: _Frame, prop: str) -> str:
    style = f'fill="{PROP}" stroke="{PROP_EDGE}" stroke-width="0.8"'
    if kind == "rect":
        x, y, w, h, r = v
        (ax, ay), (bx, by) = t((x, y + h)), t((x + w, y))
        x0, x1 = min(ax, bx), max(ax, bx)
        return (
            f'<rect x="{_f(x0)}" y="{_f(ay)}" width="{_f(x1 - x0)}" height="{_f(by - ay)}" '
            f'rx="{_f(r)}" {style}/>'
        )
    if kind == "ellipse":
        cx, cy, rx, ry = v
        x, y = t((cx, cy))
        return f'<ellipse cx="{_f(x)}" cy="{_f(y)}" rx="{_f(rx)}" ry="{_f(ry)}" {style}/>'
    if kind == "line":
        (ax, ay), (bx, by) = t((v[0], v[1])), t((v[2], v[3]))
        return (
            f'<path d="M{_f(ax)} {_f(ay)}L{_f(bx)} {_f(by)}" stroke="{PROP_EDGE}" '
            f'stroke-width="2.4" stroke-linecap="round"/>'
        )
    if kind == "band":
        (ax, ay), (bx, by) = t((v[0], v[1])), t((v[2], v[3]))
        return (
            f'<path d="M{_f(ax)} {_f(ay)}L{_f(bx)} {_f(by)}" stroke="{ACCENT}" '
            f'stroke-width="1.6" stroke-dasharray="3 2"/>'
        )
    x, y, angle = v
    px, py = t((x, y))
    rot = -angle if not t.mirror else angle - 180
    dark = 'fill="#4a5562"'
    if kind == "massage_gun":
        # the bullet head touching the point, the body and handle behind it
        body = (
            f'<g transform="translate({_f(px)} {_f(py)}) rotate({_f(rot)})">'
            f'<path d="M0 0l4 -2.2h5v4.4h-5z" {dark}/>'
            f'<rect x="9" y="-4" width="17" height="8" rx="3" fill="{PROP_EDGE}"/>'
            f'<rect x="16" y="3" width="6" height="14" rx="2.5" fill="{PROP_EDGE}"/></g>'
        )
        return body
    if kind == "release_tool":
        return (
            f'<g transform="translate({_f(px)} {_f(py)}) rotate({_f(rot)})">'
            f'<path d="M0 0l3 -3h10l4 3l-4 3h-10z" {dark}/></g>'
        )
    # ankle weight: a cuff round the ankle
    return f'<rect x="{_f(px - 4.5)}" y="{_f(py - 3.5)}" width="9" height="7" rx="2" {dark}/>'


def _arrow(a: tuple[float, float], b: tuple[float, float]) -> str:
    """A curved arrow from a to b, bowed to one side."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    d = math.hypot(dx, dy)
    if d < 6:
        return ""
    cx, cy = (a[0] + b[0]) / 2 - dy * 0.25, (a[1] + b[1]) / 2 + dx * 0.25
    # shorten the end so the head does not sit on the limb
    ex, ey = b[0] - (b[0] - cx) * 0.15, b[1] - (b[1] - cy) * 0.15
    hx, hy = ex - cx, ey - cy
    h = math.hypot(hx, hy) or 1.0
    ux, uy = hx / h, hy / h
    left = (ex - ux * 4 - uy * 2.4, ey - uy * 4 + ux * 2.4)
    right = (ex - ux * 4 + uy * 2.4, ey - uy * 4 - ux * 2.4)
    return (
        f'<path d="M{_f(a[0])} {_f(a[1])}Q{_f(cx)} {_f(cy)} {_f(ex)} {_f(ey)}" fill="none" '
        f'stroke="{INK}" stroke-width="1.2" stroke-dasharray="2.5 1.8"/>'
        f'<path d="M{_f(ex)} {_f(ey)}L{_f(left[0])} {_f(left[1])}L{_f(right[0])} {_f(right[1])}Z" '
        f'fill="{INK}"/>'
    )


def _text(
    x: float,
    y: float,
    text: str,
    size: float,
    fill: str = INK,
    weight: str = "",
    halo: bool = False,
) -> str:
    w = f' font-weight="{weight}"' if weight else ""
    if halo:  # white behind the words where they cross a limb
        back = _text(x, y, text, size, HALO, weight).replace(
            "<text ", '<text stroke="#fff" stroke-width="2.4" stroke-linejoin="round" ', 1
        )
        return back + _text(x, y, text, size, fill, weight)
    return (
        f'<text x="{_f(x)}" y="{_f(y)}" font-size="{_f(size)}" text-anchor="middle" '
        f'font-family="sans-serif" fill="{fill}"{w}>{escape(text)}</text>'
    )


def _pelvis_mark(body: Body, t: _Frame) -> str:
    """The pelvis's tilt: a line from the back of the pelvis to the bony point at its front."""
    back, front = t(_along(body, "pelvis", 0.62, -0.85)), t(_along(body, "pelvis", 0.42, 0.9))
    d = f"M{_f(back[0])} {_f(back[1])}L{_f(front[0])} {_f(front[1])}"
    return (
        f'<path d="{d}" stroke="{HALO}" stroke-width="3.6" stroke-linecap="round"/>'
        f'<path d="{d}" stroke="{INK}" stroke-width="1.6" stroke-linecap="round"/>'
        f'<circle cx="{_f(front[0])}" cy="{_f(front[1])}" r="2.2" fill="{INK}" '
        f'stroke="{HALO}" stroke-width="1"/>'
    )


def _figure_body(
    s: Scene,
    t: _Frame,
    highlight: Iterable[Highlight],
    pelvis: bool = False,
    single: bool = True,
) -> str:
    b = s.body
    return "".join(
        [
            _filled(_limb_paths(b, t, "far"), FAR, single),
            _filled(_trunk_paths(b, t), TRUNK, single),
            _filled(_limb_paths(b, t, "near"), NEAR, single),
            _highlights(b, t, highlight),
            _pelvis_mark(b, t) if pelvis else "",
            _props(s, t, held=True),
        ]
    )


def _moving_point(a: Body, b: Body, named: str | None) -> str:
    if named:
        return named
    candidates = [
        *(f"{s}_{p}" for s in SIDES for p in ("knee", "ankle", "wrist", "elbow")),
        "hip",
        "chest",
        "head_centre",
    ]
    return max(candidates, key=lambda p: math.dist(a[p], b[p]))


def figure_svg(
    library: FigureLibrary,
    figure: FigureSpec,
    *,
    title: str,
    side: SideName = "right",
    description: str = "",
    for_print: bool = False,
) -> str:
    """The figure's frames side by side (two to a row), each with its label, arrows and
    callouts; ``for_print`` draws halos as separate shapes, which PDF renderers need."""
    scenes = [scene(library, figure, i) for i in range(len(figure.frames))]
    boxes = [_panel_box(figure, i, s) for i, s in enumerate(scenes)]
    height = max(b.y1 for b in boxes) - min(b.y0 for b in boxes)
    y1 = max(b.y1 for b in boxes)
    y0 = min(b.y0 for b in boxes)
    parts: list[str] = []
    left = width = 0.0
    mirror = side == "left"
    previous: Scene | None = None
    for i, (s, bx) in enumerate(zip(scenes, boxes, strict=True)):
        frame_box = Bounds(bx.x0, y0, bx.x1, y1)
        t = _Frame(frame_box, 0.0, 0.0, mirror)  # each panel in its own coordinates
        floor_y = t((0.0, 0.0))[1]
        panel = [
            f'<path d="M0 {_f(floor_y)}h{_f(frame_box.width)}" stroke="{PROP_EDGE}" '
            f'stroke-width="1"/>',
            _props(s, t, held=False),
            _figure_body(s, t, figure.highlight, figure.show_pelvis, single=not for_print),
        ]
        if previous is not None and figure.kind == "sequence":
            moving = _moving_point(previous.body, s.body, s.frame.moving)
            panel.append(_arrow(t(previous.body[moving]), t(s.body[moving])))
        for c in figure.callouts:
            if c.frame in (i, i - len(scenes)):
                px, py = t(spot(s.body, c.at))
                tx, ty = px + (-c.dx if mirror else c.dx), py - c.dy
                panel.append(
                    f'<path d="M{_f(px)} {_f(py)}L{_f(tx)} {_f(ty + 2)}" stroke="{INK}" '
                    f'stroke-width="0.6"/><circle cx="{_f(px)}" cy="{_f(py)}" r="1.2" '
                    f'fill="{INK}"/>' + _text(tx, ty, c.text, 6.5, halo=True)
                )
        cx = frame_box.width / 2
        label_y = height + LABEL_SPACE - 5
        if s.frame.verdict:
            colour = WRONG if s.frame.verdict == "wrong" else RIGHT
            words = _label(s)
            panel.append(_text(cx + 5, label_y, words, 8.5, colour, "bold"))
            panel.append(_mark(cx - len(words) * 8.5 * 0.3, label_y - 3, s.frame.verdict))
        else:
            panel.append(_text(cx, label_y, s.frame.label, 8.5, INK, "bold"))
        row = i // PER_ROW
        if i % PER_ROW == 0:
            left = 0.0
        top = row * (height + LABEL_SPACE + GAP)
        parts.append(f'<g transform="translate({_f(left)} {_f(top)})">{"".join(panel)}</g>')
        previous = s
        left += frame_box.width + GAP
        width = max(width, left - GAP)
    rows = (len(scenes) + PER_ROW - 1) // PER_ROW
    total_h = rows * (height + LABEL_SPACE) + (rows - 1) * GAP
    return _svg(width, total_h, title, description, "".join(parts))


def _mark(x: float, y: float, verdict: str) -> str:
    """A drawn cross or tick (not a glyph: every font and the PDF show it)."""
    if verdict == "wrong":
        d = f"M{_f(x - 3)} {_f(y - 3)}l6 6M{_f(x + 3)} {_f(y - 3)}l-6 6"
        colour = WRONG
    else:
        d = f"M{_f(x - 3.4)} {_f(y)}l2.4 2.8l4.6 -6"
        colour = RIGHT
    return (
        f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="1.8" '
        f'stroke-linecap="round" stroke-linejoin="round"/>'
    )


#: Average advance of a sans-serif letter as a share of its size (a generous estimate).
LETTER = 0.56
MIN_PANEL = 100.0


def _label(frame: Scene) -> str:
    verdict = frame.frame.verdict
    prefix = {"wrong": "Wrong: ", "right": "Right: "}.get(verdict or "", "")
    return prefix + frame.frame.label


def _panel_box(figure: FigureSpec, index: int, s: Scene) -> Bounds:
    """A panel's extent: the scene, its callouts' words, and room for its label, centred."""
    b = bounds(s)
    x0, y0, x1, y1 = b.x0, b.y0, b.x1, b.y1
    for c in figure.callouts:
        if c.frame in (index, index - len(figure.frames)):
            px, py = spot(s.body, c.at)
            half = len(c.text) * 6.5 * LETTER / 2 + 2
            x0, x1 = min(x0, px + c.dx - half), max(x1, px + c.dx + half)
            y1 = max(y1, py + c.dy + 7)
    label = len(_label(s)) * 8.5 * LETTER + (14 if s.frame.verdict else 6)
    width = max(x1 - x0, label, MIN_PANEL)
    pad = (width - (x1 - x0)) / 2
    return Bounds(x0 - pad, y0, x1 + pad, y1)


def _svg(width: float, height: float, title: str, description: str, body: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_f(width)} {_f(height)}" '
        f'role="img" aria-labelledby="t d"><title id="t">{escape(title)}</title>'
        f'<desc id="d">{escape(description)}</desc>{body}</svg>'
    )


def motion_svg(
    library: FigureLibrary,
    figure: FigureSpec,
    *,
    title: str,
    side: SideName = "right",
    description: str = "",
    steps: int = 6,
) -> str:
    """The figure moving: every keyframe and ``steps - 1`` in-between poses as hidden groups
    (``data-key`` marks the keyframes), for the player to show one at a time."""
    keys = [scene(library, figure, i) for i in range(len(figure.frames))]
    poses = [pose_of(library, f) for f in figure.frames]
    offsets = [_offset(k) for k in keys]
    frames: list[tuple[Scene, bool]] = [(keys[0], True)]
    for i in range(1, len(keys)):
        for n in range(1, steps + 1):
            if n == steps:
                frames.append((keys[i], True))
                continue
            u = n / steps
            pose = interpolate(poses[i - 1], poses[i], u)
            (ax, ay), (bx, by) = offsets[i - 1], offsets[i]
            body = solve(pose).moved(ax + (bx - ax) * u, ay + (by - ay) * u)
            frames.append((_with_body(keys[i], body, library, figure, i), False))
    boxes = [bounds(s) for s, _ in frames]
    box = Bounds(
        min(b.x0 for b in boxes),
        min(b.y0 for b in boxes),
        max(b.x1 for b in boxes),
        max(b.y1 for b in boxes),
    )
    t = _Frame(box, 0.0, 0.0, side == "left")
    floor_y = t((0.0, 0.0))[1]
    static = (
        f'<path d="M0 {_f(floor_y)}h{_f(box.width)}" stroke="{PROP_EDGE}" stroke-width="1"/>'
        + _props(keys[0], t, held=False)
    )
    groups = []
    for n, (s, is_key) in enumerate(frames):
        hidden = "" if n == 0 else ' display="none"'  # an attribute: no inline style (CSP)
        key = ' data-key=""' if is_key else ""
        groups.append(f'<g class="pose"{key}{hidden}>{_figure_body(s, t, figure.highlight)}</g>')
    return _svg(box.width, box.height, title, description, static + "".join(groups))


def _offset(s: Scene) -> tuple[float, float]:
    return s.body["hip"]


def _with_body(
    s: Scene, body: Body, library: FigureLibrary, figure: FigureSpec, index: int
) -> Scene:
    """A keyframe's scene with an in-between body (held props follow the body)."""
    from psoas.domain.illustration import Scene as _Scene

    props, surfaces = build_props(figure.props + figure.frames[index].props, body)
    return _Scene(body, tuple(props), surfaces, s.frame)
