"""Pictures that are not a figure doing an exercise: where a release tool goes on the belly, and
the education figures (where the psoas and iliacus run, the pelvic-tilt idea, disc pressure by
posture).

Pure functions to SVG text, in the same look as :mod:`psoas.reports.figures_svg`: plain shapes
and presentation attributes only (the PDF handout draws them as vectors), every word inside the
picture at a size that reads at phone width, and a ``<title>`` and ``<desc>`` that say the same
in words.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from typing import Literal, get_args

from psoas.domain.catalog import EducationFigure
from psoas.domain.figure import HEAD_RADIUS, SEGMENTS, STANDING, Body, Pose, solve
from psoas.domain.illustration import Bounds
from psoas.reports.figures_svg import (
    ACCENT,
    FAR,
    HALO,
    INK,
    NEAR,
    PROP,
    PROP_EDGE,
    TRUNK,
    WRONG,
    _along,
    _arrow,
    _capsule,
    _f,
    _filled,
    _Frame,
    _highlights,
    _pelvis_mark,
    _smooth,
    _svg,
    _trunk_paths,
)

SideName = Literal["left", "right"]

#: Every education figure :func:`education_svg` draws, by name.
EDUCATION_FIGURES: tuple[EducationFigure, ...] = get_args(EducationFigure)

MUTED = "#5f6b78"  # secondary words: dark enough to read, lighter than INK
SKIN = "#eef0f3"
KEEP_OFF = "#fbe3e1"
ACCENT_LIGHT = "#f4b894"  # a second muscle beside the accented one (lighter in grey too)
#: Average advance of a sans-serif character as a fraction of the font size (a little
#: generous, so an estimate that fits means the real text fits).
CHAR_WIDTH = 0.56
BOLD_WIDTH = 0.6


def text_width(text: str, size: float, bold: bool = False) -> float:
    """About how wide ``text`` is drawn at ``size``, for laying words out inside the picture."""
    return len(text) * size * (BOLD_WIDTH if bold else CHAR_WIDTH)


def _label(
    x: float,
    y: float,
    text: str,
    size: float,
    *,
    anchor: str = "start",
    fill: str = INK,
    bold: bool = False,
) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (
        f'<text x="{_f(x)}" y="{_f(y)}" font-size="{_f(size)}" text-anchor="{anchor}" '
        f'font-family="sans-serif" fill="{fill}"{weight}>{escape(text)}</text>'
    )


def _line(points: Sequence[tuple[float, float]], colour: str, width: float) -> str:
    d = "M" + "L".join(f"{_f(x)} {_f(y)}" for x, y in points)
    return f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="{_f(width)}"/>'


# --- where a release goes ---------------------------------------------------------------------

#: The front of the lower trunk in centimetres, navel at the origin, y up: one half, from the
#: top of the midline outwards and down to the crotch (x is distance from the midline).
_HALF: tuple[tuple[tuple[float, float], ...], ...] = (
    ((15.0, 22.0),),
    ((14.6, 16.0), (13.4, 11.0), (13.4, 6.0)),  # down to the waist
    ((13.4, -1.0), (17.2, -5.0), (17.2, -12.0)),  # out over the hip
    ((17.2, -19.0), (16.4, -28.0), (15.8, -35.0)),  # the outside of the thigh
    ((2.8, -35.0),),
    ((2.6, -30.0), (1.6, -26.5), (0.0, -26.5)),  # the inside of the thigh to the crotch
)
#: Four fingerbreadths out from the navel; the front bony point of the hip (ASIS); the iliacus
#: zone just inside that point, above the groin crease. Distance out from the midline, and up.
PSOAS_SPOT = (7.0, 0.0)
ASIS = (12.5, -10.0)
ILIACUS_SPOT = (9.5, -13.6)
#: The middle of the belly, where the aorta runs: x half-width, y from and to.
KEEP_OFF_ZONE = (3.4, -9.0, 15.0)

_W = 100.0  # the placement diagram's width
PLACEMENT_CM = 1.3  # its scale: units per centimetre
_COLUMN = 37.0  # room for the working side's words, from the picture's edge
_TOP = 24.0  # where the trunk's top edge is drawn
_SIZE = 3.8  # words


def _outline() -> str:
    """The trunk's outline, both halves, in centimetres with y up."""
    start = (-_HALF[0][0][0], _HALF[0][0][1])
    d = f"M{_f(start[0])} {_f(start[1])}"
    # the right half as drawn (x > 0) ...
    for seg in _HALF:
        d += ("L" if len(seg) == 1 else "C") + " ".join(f"{_f(x)} {_f(y)}" for x, y in seg)
    # ... then the left half, mirrored, walked back up (each curve reversed)
    points = [(-x, y) for seg in _HALF for (x, y) in seg]
    ends = [0]
    for seg in _HALF:
        ends.append(ends[-1] + len(seg))
    for i in range(len(_HALF) - 1, 0, -1):
        back_to = points[ends[i] - 1]
        if ends[i + 1] - ends[i] == 1:
            d += f"L{_f(back_to[0])} {_f(back_to[1])}"
        else:
            c2, c1 = points[ends[i]], points[ends[i] + 1]
            d += "C" + " ".join(f"{_f(x)} {_f(y)}" for x, y in (c1, c2, back_to))
    return d + "Z"


def _hatch() -> str:
    """Diagonal lines across the keep-off zone, inside its rounded corners."""
    half, low, high = KEEP_OFF_ZONE
    d, y = "", low + 1.6
    while y + 2 * half <= high - 1.6:
        d += f"M{_f(-half)} {_f(y)}l{_f(2 * half)} {_f(2 * half)}"
        y += 3.2
    return d


def placement_svg(spots: Iterable[str], *, side: SideName, title: str, description: str) -> str:
    """The belly seen from the front with where to press on ``side`` and where never to.

    Seen from the front, the person's right side is on the viewer's left: the working side's
    spots and words are drawn on that side of the picture, and each side is named above it.
    """
    spots = tuple(spots)
    out = -1.0 if side == "right" else 1.0  # the working side's direction on the page
    half_width = max(x for seg in _HALF for x, _ in seg) * PLACEMENT_CM
    cx = _W / 2 - out * (_COLUMN + 2.5 + half_width - _W / 2)
    navel_y = _TOP + _HALF[0][0][1] * PLACEMENT_CM

    def p(x: float, y: float) -> tuple[float, float]:
        """A point on the working side (x out from the midline, cm) on the page."""
        return (cx + out * x * PLACEMENT_CM, navel_y - y * PLACEMENT_CM)

    edge = 2.0 if out < 0 else _W - 2.0
    anchor = "start" if out < 0 else "end"
    column = _COLUMN if out < 0 else _W - _COLUMN  # the working side's words end here
    inward = "end" if out < 0 else "start"
    parts = [
        f'<g class="trunk" transform="translate({_f(cx)} {_f(navel_y)}) '
        f'scale({_f(PLACEMENT_CM)} {_f(-PLACEMENT_CM)})">'
        f'<path d="{_outline()}" fill="{SKIN}" stroke="{TRUNK}" stroke-width="0.7"/>'
        # the lower edge of the ribs, the iliac crests and the groin creases, faint
        '<path d="M-14.2 17Q-7 18.6 -1.5 22M14.2 17Q7 18.6 1.5 22'
        "M-15.6 -5Q-14.4 -8.4 -12.5 -10M15.6 -5Q14.4 -8.4 12.5 -10"
        'M-12.2 -12.6Q-7.5 -19 -3.4 -24.6M12.2 -12.6Q7.5 -19 3.4 -24.6" fill="none" '
        f'stroke="{PROP_EDGE}" stroke-width="0.6" stroke-linecap="round"/>'
        # the middle of the belly, where the aorta runs: keep off
        f'<rect class="keep-off" x="{_f(-KEEP_OFF_ZONE[0])}" y="{_f(KEEP_OFF_ZONE[1])}" '
        f'width="{_f(2 * KEEP_OFF_ZONE[0])}" height="{_f(KEEP_OFF_ZONE[2] - KEEP_OFF_ZONE[1])}" '
        f'rx="2.4" fill="{KEEP_OFF}" stroke="{WRONG}" stroke-width="0.55" '
        'stroke-dasharray="1.4 0.9"/>'
        # hatched as well, so it still reads as "not here" printed in grey
        f'<path d="{_hatch()}" stroke="{WRONG}" stroke-width="0.3" stroke-opacity="0.6"/>'
        f'<circle cx="0" cy="0" r="1" fill="{HALO}" stroke="{INK}" stroke-width="0.5"/>'
        "</g>"
    ]
    # the sides, named above the picture: the working one bold, with an arrow to its edge
    this, other = ("right", "left") if side == "right" else ("left", "right")
    words = f"Your {this} side"
    arrow_tip = edge
    arrow_back = edge - out * 4.0
    parts.append(
        _line([(arrow_back, 13.3), (arrow_tip, 13.3)], INK, 0.7)
        + f'<path d="M{_f(arrow_tip)} 13.3l{_f(-out * 2.2)} -1.6v3.2z" fill="{INK}"/>'
    )
    parts.append(_label(edge - out * 5.2, 14.6, words, _SIZE + 0.2, anchor=anchor, bold=True))
    parts.append(
        _label(
            _W - edge,
            14.6,
            f"Your {other} side",
            _SIZE - 0.4,
            anchor="end" if out < 0 else "start",
            fill=MUTED,
        )
    )
    parts.append(_label(_W / 2, 6.0, "Seen from the front", _SIZE + 0.4, anchor="middle"))

    # the middle: keep off, named at the top of the trunk
    zx, zy = p(0.0, KEEP_OFF_ZONE[2])
    parts.append(_line([(cx, 20.4), (zx, zy)], WRONG, 0.4))
    parts.append(
        _label(
            cx,
            19.6,
            "Middle: keep off (main artery)",
            _SIZE - 0.2,
            anchor="middle",
            fill=WRONG,
            bold=True,
        )
    )

    # the working side's spots, each with its words in the column beside the picture
    def callout(at: tuple[float, float], y: float, lines: Sequence[str], colour: str = INK) -> str:
        start = (column - out * 1.0, y - _SIZE * 0.35)
        text = "".join(
            _label(column, y + i * _SIZE * 1.2, t, _SIZE, anchor=inward, fill=colour)
            for i, t in enumerate(lines)
        )
        return _line([start, at], colour, 0.4) + text

    marks: list[str] = []
    words_parts: list[str] = []
    if "psoas" in spots:
        x, y = p(*PSOAS_SPOT)
        nx, ny = p(0.0, 0.0)
        # four fingertips laid side by side from the navel out to the spot
        finger = PSOAS_SPOT[0] / 4 * PLACEMENT_CM
        for i, length in enumerate((6.0, 6.8, 6.4, 5.4)):  # index to little finger
            fx = nx + out * (i + 0.5) * finger
            marks.append(
                f'<rect x="{_f(fx - finger * 0.45)}" y="{_f(ny - 2.6 - length)}" '
                f'width="{_f(finger * 0.9)}" height="{_f(length + 1.2)}" rx="{_f(finger * 0.45)}" '
                f'fill="{HALO}" stroke="{TRUNK}" stroke-width="0.45"/>'
            )
        marks.append(
            f'<circle class="spot-psoas" cx="{_f(x)}" cy="{_f(y)}" r="{_f(2.6 * PLACEMENT_CM)}" '
            f'fill="{ACCENT}" stroke="{HALO}" stroke-width="0.9"/>'
        )
        words_parts.append(
            callout((x, y), y - 8.5, ("Psoas spot:", "4 fingers out", "from the navel"))
        )
    ax, ay = p(*ASIS)
    marks.append(
        f'<circle class="asis" cx="{_f(ax)}" cy="{_f(ay)}" r="1.6" fill="{INK}" stroke="{HALO}" '
        'stroke-width="0.6"/>'
    )
    words_parts.append(callout((ax, ay), ay - 3.5, ("Front hip bone", "(bony point)")))
    if "iliacus" in spots:
        x, y = p(*ILIACUS_SPOT)
        angle = out * 36.0  # along the groin crease
        marks.append(
            f'<ellipse class="spot-iliacus" cx="{_f(x)}" cy="{_f(y)}" '
            f'rx="{_f(1.9 * PLACEMENT_CM)}" ry="{_f(3.0 * PLACEMENT_CM)}" '
            f'transform="rotate({_f(angle)} {_f(x)} {_f(y)})" fill="{ACCENT}" '
            f'fill-opacity="0.5" stroke="{ACCENT}" stroke-width="0.7"/>'
        )
        words_parts.append(
            callout((x, y), ay + 9.5, ("Iliacus spot:", "just inside it,", "above the crease"))
        )
    parts += words_parts + marks
    height = _TOP + (_HALF[0][0][1] - _HALF[3][2][1]) * PLACEMENT_CM + 4.0
    return _svg(_W, height, title, description, "".join(parts))


# --- education figures ------------------------------------------------------------------------


#: The bones and muscles of one half (the viewer's right) of the front view of the lower spine,
#: pelvis and upper thigh, in centimetres with y up and the top of the sacrum at the origin.
#: The vertebrae T12 to L5: centre height and half width.
VERTEBRAE = (
    ("T12", 21.5, 2.0),
    ("L1", 17.7, 2.2),
    ("L2", 13.9, 2.35),
    ("L3", 10.1, 2.5),
    ("L4", 6.3, 2.6),
    ("L5", 2.5, 2.7),
)
_SACRUM = "M-5.2 0.4L5.2 0.4Q4.6 -5 1.1 -10.4L-1.1 -10.4Q-4.6 -5 -5.2 0.4Z"
_HIP_BONE = (
    "M5 0.8C5.6 5.5 9 7.8 12.2 7.6C15.2 7.4 15.4 3.6 13.4 -0.8L12.4 -3.6"
    "C13.8 -5 13.8 -8.6 12.4 -10.6C11.4 -13.5 10.4 -16 8.6 -16.4C6.5 -16.8 3.6 -15.4 1 -13.6"
    "L0.8 -10.4C2.8 -10 4.4 -9.4 5.6 -8C6.6 -6.6 6.4 -3 5 -1.5Z"
)
_OBTURATOR = (5.4, -12.7, 2.1, 2.4)
_FEMUR_HEAD = (10.3, -8.6, 2.4)
_FEMUR = (
    "M10.6 -7.2L14 -8.8C15.8 -9 16.2 -11 15.5 -13C14.4 -17 13.2 -24 12.6 -31L9.8 -31"
    "C10.2 -24 11 -18.5 11.4 -15.8C10.9 -13.6 10 -11.8 9.2 -10.6Z"
)
LESSER_TROCHANTER = (11.2, -15.1)
_PSOAS = (
    "M1.9 23C2.2 16 2.6 8 2.9 3C3.4 0 4.4 -2.6 5.6 -5C6.6 -6.8 7.6 -8.6 8.6 -10.2"
    "C9.4 -11.6 10 -13 10.4 -14.6L11.6 -14.6C11.4 -12.6 10.6 -10.4 9.8 -8.4"
    "C9 -6.2 8 -3.6 7.6 -1.2C7.2 1 7.1 2 7 2.5C6.6 6 5.6 11 4.6 15C4 17.6 3.2 21 2.8 23Z"
)
_ILIACUS = (
    "M6.2 4.6C8.6 6.4 10.8 6.8 12.6 6.1C14.4 5.2 14.4 2.6 13 0C12.2 -2 12 -4.6 11.6 -7"
    "C11 -9.6 11 -12 11.6 -14.4L10.9 -14.4C10.9 -12 10.2 -10 9.8 -8.4C9 -6.2 8.2 -3.6 7.6 -1.2"
    "C7.2 1 6.6 2.8 6.2 4.6Z"
)
#: Fibres, thin white lines showing which way each muscle pulls.
_PSOAS_FIBRES = "M2.9 20Q4 4 10.8 -14M4.6 13Q6 -1 11.1 -14.2M6.2 5Q7.8 -1 11.3 -14.3"
_ILIACUS_FIBRES = "M8.8 5.6Q10.2 -3 11.1 -13.8M12.4 4.6Q11 -4 11.2 -14"
#: The rim of the pelvis (from the top of the sacrum round to the front of the pubic bone),
#: which the psoas crosses.
_BRIM = "M0 0.5C2.6 0.5 4.6 -0.2 6 -1.6C7.4 -3 7.4 -6.6 5.8 -8.2C4.4 -9.6 2.4 -10.2 0.8 -10.4"


def _half_anatomy() -> str:
    bone = f'fill="{PROP}" stroke="{TRUNK}" stroke-width="0.28" stroke-linejoin="round"'
    parts = [f'<path d="{_HIP_BONE}" {bone}/>']
    ox, oy, rx, ry = _OBTURATOR
    parts.append(
        f'<ellipse cx="{_f(ox)}" cy="{_f(oy)}" rx="{_f(rx)}" ry="{_f(ry)}" fill="{HALO}" '
        f'stroke="{TRUNK}" stroke-width="0.28"/>'
    )
    parts.append(f'<path d="{_FEMUR}" {bone}/>')
    hx, hy, hr = _FEMUR_HEAD
    parts.append(f'<circle cx="{_f(hx)}" cy="{_f(hy)}" r="{_f(hr)}" {bone}/>')
    for _, y, hw in VERTEBRAE:  # the transverse processes; the bodies are drawn whole
        length = 2.2 if y > 18 else 3.0
        parts.append(
            f'<rect x="{_f(hw - 0.3)}" y="{_f(y - 0.2)}" width="{_f(length)}" height="1" '
            f'rx="0.5" {bone}/>'
        )
    muscle = f'stroke="{HALO}" stroke-width="0.35" stroke-linejoin="round"'
    parts.append(f'<path class="iliacus" d="{_ILIACUS}" fill="{ACCENT_LIGHT}" {muscle}/>')
    parts.append(f'<path class="psoas" d="{_PSOAS}" fill="{ACCENT}" {muscle}/>')
    fibre = f'fill="none" stroke="{HALO}" stroke-width="0.22" stroke-opacity="0.8"'
    parts.append(f'<path d="{_PSOAS_FIBRES}" {fibre}/><path d="{_ILIACUS_FIBRES}" {fibre}/>')
    parts.append(
        f'<path d="{_BRIM}" fill="none" stroke="{INK}" stroke-width="0.3" '
        'stroke-dasharray="0.7 0.5"/>'
    )
    lx, ly = LESSER_TROCHANTER  # the tendon's end, on its knob of bone
    parts.append(f'<ellipse cx="{_f(lx)}" cy="{_f(ly)}" rx="1.1" ry="0.9" {bone}/>')
    return "".join(parts)


def _lines(
    x: float,
    y: float,
    lines: Sequence[str],
    size: float,
    *,
    anchor: str = "start",
    fill: str = INK,
    bold_first: bool = False,
) -> str:
    """Words over several lines, the first baseline at ``y``."""
    return "".join(
        _label(
            x, y + i * size * 1.22, t, size, anchor=anchor, fill=fill, bold=bold_first and i == 0
        )
        for i, t in enumerate(lines)
    )


def anatomy_svg() -> str:
    """Where the psoas and iliacus run: a front view of the lower spine, pelvis and thigh bones."""
    w, s = 112.0, 2.0
    size = 4.0
    cx, oy = w / 2, 18.0 + 23.5 * s  # the top of the sacrum on the page

    def p(x: float, y: float) -> tuple[float, float]:
        return (cx + x * s, oy - y * s)

    half = _half_anatomy()
    bone = f'fill="{PROP}" stroke="{TRUNK}" stroke-width="0.28"'
    spine = "".join(
        f'<rect x="{_f(-hw)}" y="{_f(y - 1.45)}" width="{_f(2 * hw)}" height="2.9" rx="0.6" '
        f"{bone}/>"
        for _, y, hw in VERTEBRAE
    )
    brim = (
        f'<path d="{_BRIM}" fill="none" stroke="{INK}" stroke-width="0.26" '
        'stroke-dasharray="0.7 0.5"/>'
    )
    parts = [
        _label(cx, 6.5, "Where the psoas and iliacus run", size + 0.4, anchor="middle", bold=True),
        _label(cx, 12.0, "Seen from the front", size - 0.4, anchor="middle", fill=MUTED),
        f'<g transform="translate({_f(cx)} {_f(oy)}) scale({_f(s)} {_f(-s)})">'
        f'<path d="{_SACRUM}" {bone}/>{spine}{half}{brim}</g>',
        f'<g transform="translate({_f(cx)} {_f(oy)}) scale({_f(-s)} {_f(-s)})">{half}{brim}</g>',
    ]
    # the spine's top and bottom levels, named on the bones
    for name, y, _ in (VERTEBRAE[0], VERTEBRAE[-1]):
        x, yy = p(0.0, y)
        parts.append(_label(x, yy + 1.2, name, 3.4, anchor="middle", fill=MUTED, bold=True))
    left, right = 2.0, w - 2.0
    # the psoas, named beside the spine on the viewer's left
    y0 = 24.0
    parts.append(_line([(left + 27.0, y0 + size * 1.22 - 1.4), p(-4.0, 15.0)], INK, 0.4))
    parts.append(
        _lines(
            left,
            y0,
            ("Psoas", "from the sides", "of the spine,", "T12 to L5"),
            size,
            bold_first=True,
        )
    )
    # the iliacus, named beside the spine on the viewer's right
    parts.append(_line([(right - 29.0, y0 + size * 1.22 - 1.4), p(11.0, 3.5)], INK, 0.4))
    parts.append(
        _lines(
            right,
            y0,
            ("Iliacus", "lines the inside", "of the pelvis"),
            size,
            anchor="end",
            bold_first=True,
        )
    )
    # the rim of the pelvis, where the psoas crosses it
    ry = oy + 6.0 * s
    parts.append(_line([(left + 20.5, ry - 1.4), p(-7.2, -3.4)], INK, 0.4))
    parts.append(_lines(left, ry, ("crosses", "the rim of", "the pelvis"), size - 0.2))
    # where they end, together: the lesser trochanter
    ty = oy + 31.0 * s + 6.0
    for sign in (-1.0, 1.0):
        tx, tty = p(sign * (LESSER_TROCHANTER[0] + 0.4), LESSER_TROCHANTER[1] - 0.6)
        parts.append(_line([(cx + sign * 11.0, ty - size * 1.0), (tx, tty)], INK, 0.4))
    parts.append(
        _lines(
            cx,
            ty,
            ("Both end together on the inner", "top of the thigh bone"),
            size,
            anchor="middle",
        )
    )
    description = (
        "A front view of the lower spine, the pelvis and the tops of both thigh bones. On each "
        "side the psoas runs from the sides of the spine, from the last rib-bearing vertebra "
        "(T12) to the lowest lumbar one (L5), down and out across the rim of the pelvis and in "
        "front of the hip joint. The iliacus fans out over the inside of the pelvis bowl and "
        "joins it. Together they end on a small knob on the inner top of the thigh bone (the "
        "lesser trochanter)."
    )
    return _svg(
        w, ty + size * 1.22 + 3.0, "Where the psoas and iliacus run", description, "".join(parts)
    )


def _standing(pelvis: float, lumbar: float) -> Body:
    """A person standing side-on, arms folded over the chest (clear of the pelvis), feet on
    the floor, with the pelvis and the low back at the angles given."""
    angles = dict(STANDING)
    angles.update(
        pelvis=pelvis,
        lumbar=lumbar,
        thorax=90.0,
        head=90.0,
        near_upper_arm=-62.0,
        far_upper_arm=-58.0,
        near_forearm=78.0,
        far_forearm=84.0,
        near_hand=95.0,
        far_hand=100.0,
    )
    # folded: the upper arms run forward and in, the forearms across the chest
    turned = {
        "near_upper_arm": 0.72,
        "far_upper_arm": 0.72,
        "near_forearm": 0.4,
        "far_forearm": 0.4,
        "near_hand": 0.5,
        "far_hand": 0.5,
    }
    body = solve(Pose(angles, turned))
    return body.moved(0.0, -body.lowest())


def _arch(body: Body) -> list[tuple[float, float]]:
    """Points on the skin of the low back, from the top of the buttock up to the ribs."""
    return [
        _along(body, "pelvis", 0.55, -1.0),
        _along(body, "pelvis", 1.0, -1.0),
        _along(body, "lumbar", 0.7, -1.0),
    ]


def _cut_limbs(body: Body, t: _Frame, side: str, cut: float) -> str:
    """A side's limbs with the leg drawn only down past ``cut`` (the picture ends there)."""
    parts = []
    for name in ("thigh", "upper_arm", "forearm", "hand"):
        seg = SEGMENTS[f"{side}_{name}"]
        parts.append(_capsule(t(body[seg.start]), seg.r_start, t(body[seg.end]), seg.r_end))
    seg = SEGMENTS[f"{side}_shank"]
    (kx, ky), (ax, ay) = body[seg.start], body[seg.end]
    u = min(1.0, (ky - cut + 8.0) / max(ky - ay, 1.0))
    end = (kx + (ax - kx) * u, ky + (ay - ky) * u)
    r_end = seg.r_start + (seg.r_end - seg.r_start) * u
    parts.append(_capsule(t(body[seg.start]), seg.r_start, t(end), r_end))
    return "".join(parts)


def tilt_svg() -> str:
    """The idea that a short hip flexor tips the pelvis forward and deepens the arch: a person
    standing with the pelvis level, and with it tipped forward."""
    panels = (
        (_standing(88.0, 96.0), ("Pelvis level,", "the usual curve")),
        (_standing(74.0, 106.0), ("Pelvis tipped forward,", "low back arched more")),
    )
    size = 7.0
    top = 40.0
    gap = 8.0
    panel = 84.0  # each panel's width: the figure and room in front of it for words
    cut = 40.0  # the picture ends below the knees
    margin = 4.0
    parts: list[str] = []
    left = margin
    bottom = 0.0
    y1 = max(y for body, _ in panels for _, y in body.points.values()) + HEAD_RADIUS + 2.0
    for i, (body, words) in enumerate(panels):
        x0 = min(x for x, y in body.points.values() if y > cut) - 16.0
        box = Bounds(x0, cut, x0 + panel, y1)
        t = _Frame(box, left, top, False)
        parts.append(_filled(_cut_limbs(body, t, "far", cut), FAR))
        parts.append(_filled(_trunk_paths(body, t), TRUNK))
        parts.append(_filled(_cut_limbs(body, t, "near", cut), NEAR))
        parts.append(_highlights(body, t, ("hip_flexors",)))
        parts.append(f'<g class="pelvis">{_pelvis_mark(body, t)}</g>')
        parts.append(
            f'<path d="{_smooth([t(q) for q in _arch(body)])}" fill="none" stroke="{HALO}" '
            'stroke-width="4.4" stroke-linecap="round"/>'
            f'<path d="{_smooth([t(q) for q in _arch(body)])}" fill="none" stroke="{INK}" '
            'stroke-width="2" stroke-linecap="round"/>'
        )
        fx, fy = t(_along(body, "pelvis", 0.42, 0.9))
        if i == 0:
            hx, hy = t(_along(body, "near_thigh", 0.12, 0.9))
            tx = hx + 16.0
            parts.append(_line([(tx - 1.5, hy + 4.0), (hx + 1.5, hy)], INK, 0.6))
            parts.append(_lines(tx, hy + 6.0, ("hip flexors",), size))
        else:
            # the pull the idea describes: the front of the pelvis drawn forward and down
            parts.append(_arrow((fx + 2.0, fy - 15.0), (fx + 12.0, fy + 3.0)))
        # the picture ends below the knees, cut straight across
        cut_y = t((0.0, cut))[1]
        parts.append(
            f'<rect x="{_f(left)}" y="{_f(cut_y)}" width="{_f(box.width)}" height="14" '
            f'fill="{HALO}"/>'
        )
        label_y = cut_y + size * 1.2
        half = max(text_width(t, size, bold=True) for t in words) / 2 + 0.5
        lx = min(max(t(body["hip"])[0] + 8.0, left + half), left + box.width - half)
        parts.append(_lines(lx, label_y, words, size, anchor="middle", bold_first=True))
        bottom = max(bottom, label_y + (len(words) - 1) * size * 1.22)
        left += box.width + gap
    width = left - gap + margin
    pill = "One idea, not proven"
    pw = text_width(pill, size, bold=True) + 8.0
    head = [
        _label(
            width / 2,
            10.0,
            "How a short hip flexor may tip",
            size + 0.6,
            anchor="middle",
            bold=True,
        ),
        _label(
            width / 2,
            19.0,
            "the pelvis and deepen the arch",
            size + 0.6,
            anchor="middle",
            bold=True,
        ),
        f'<rect x="{_f(width / 2 - pw / 2)}" y="24.5" width="{_f(pw)}" height="{_f(size + 4)}" '
        f'rx="{_f((size + 4) / 2)}" fill="{HALO}" stroke="{INK}" stroke-width="0.8" '
        'stroke-dasharray="3 2"/>',
        _label(width / 2, 24.5 + size + 0.5, pill, size, anchor="middle", bold=True),
    ]
    description = (
        "One idea, not proven. Two people standing side-on, facing right, with the hip flexors "
        "(which run from the low back to the top of the thigh) marked. On the left the pelvis "
        "is level and the low back has its usual curve. On the right the hip flexors are drawn "
        "short: the front of the pelvis is tipped forward and down, and the low back arches "
        "more. Studies have not shown that this is what causes back pain; the program tests it "
        "in you."
    )
    return _svg(
        width,
        bottom + 5.0,
        "How a short hip flexor may tip the pelvis (one idea, not proven)",
        description,
        "".join(head + parts),
    )


#: Pressure inside the L4-L5 disc of one person by position, in megapascals, as published
#: (Wilke et al. 1999, Spine 24:755): what the person did, the value, and the value as printed.
WILKE_1999: tuple[tuple[str, float, str], ...] = (
    ("Lying face down", 0.10, "0.10"),
    ("Lying on your side", 0.12, "0.12"),
    ("Sitting slouched", 0.30, "0.30"),
    ("Sitting, no backrest", 0.46, "0.46"),
    ("Standing relaxed", 0.50, "0.50"),
    ("Sitting bent forward", 0.83, "0.83"),
    ("Standing bent forward", 1.10, "1.1"),
    ("Lifting 20 kg, close to the body", 1.10, "1.1"),
    ("Lifting 20 kg, knees bent", 1.70, "1.7"),
    ("Lifting 20 kg, back rounded", 2.30, "2.3"),
)


def disc_pressure_svg() -> str:
    """Wilke 1999's disc pressures by position as a horizontal bar chart, lowest first."""
    w, size = 100.0, 3.6
    left, scale = 2.0, 33.0  # the bars' start and units per megapascal
    rows = sorted(WILKE_1999, key=lambda r: r[1])
    parts = [
        _label(
            w / 2, 6.5, "Pressure inside a low-back disc", size + 0.6, anchor="middle", bold=True
        ),
        _label(w / 2, 11.9, "by position", size + 0.6, anchor="middle", bold=True),
        _lines(
            w / 2,
            19.5,
            (
                "One person, the L4-L5 disc, in megapascals (MPa)",
                "Source: Wilke et al. 1999, Spine",
            ),
            size - 0.4,
            anchor="middle",
            fill=MUTED,
        ),
    ]
    top, pitch, bar = 29.0, 9.6, 3.6
    bottom = top + pitch * len(rows)
    parts.append(_line([(left, bottom), (left + 2.5 * scale, bottom)], PROP_EDGE, 0.4))
    for tick in (0.0, 0.5, 1.0, 1.5, 2.0, 2.5):  # the scale, under the bars
        x = left + tick * scale
        parts.append(_line([(x, bottom), (x, bottom + 1.2)], PROP_EDGE, 0.4))
        parts.append(
            _label(
                x,
                bottom + size + 1.4,
                f"{tick:.1f}" if tick else "0",
                size - 0.4,
                anchor="middle" if tick else "start",
                fill=MUTED,
            )
        )
    parts.append(
        _label(left + 2.5 * scale + 4.0, bottom + size + 1.4, "MPa", size - 0.4, fill=MUTED)
    )
    for i, (name, value, shown) in enumerate(rows):
        y = top + i * pitch
        length = value * scale
        parts.append(_label(left, y + size * 0.8, name, size))
        parts.append(
            f'<rect class="bar" x="{_f(left)}" y="{_f(y + size + 0.6)}" width="{_f(length)}" '
            f'height="{_f(bar)}" rx="0.8" fill="{NEAR}"/>'
        )
        parts.append(
            _label(left + length + 1.2, y + size + 0.6 + bar - 0.5, shown, size - 0.2, bold=True)
        )
    description = (
        "A bar chart of the pressure measured inside one person's L4-L5 disc in different "
        "positions (Wilke and colleagues, 1999), lowest first: "
        + "; ".join(f"{name.lower()} {shown} MPa" for name, _, shown in rows)
        + ". One person's measurements: they show how load changes with position, not what "
        "causes pain."
    )
    return _svg(
        w,
        bottom + size + 4.0,
        "Pressure inside a low-back disc by position (one person, MPa; Wilke et al. 1999)",
        description,
        "".join(parts),
    )


def education_svg(name: str) -> str:
    """One education figure by name (see :data:`EDUCATION_FIGURES`)."""
    if name == "psoas-anatomy":
        return anatomy_svg()
    if name == "pelvic-tilt-hypothesis":
        return tilt_svg()
    if name == "disc-pressure":
        return disc_pressure_svg()
    raise KeyError(name)
