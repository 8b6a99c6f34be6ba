"""Pictures that are not a figure doing an exercise: where a release tool goes on the belly.

Pure functions to SVG text, in the same look as :mod:`psoas.reports.figures_svg`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from psoas.reports.figures_svg import ACCENT, INK, PROP_EDGE, TRUNK, WRONG, _f, _svg, _text

SideName = Literal["left", "right"]

#: The front of the lower trunk in centimetres, navel at the origin, x to the viewer's right.
_OUTLINE = (
    "M-21 40C-20 28 -16 16 -15.5 6C-15 -2 -18 -8 -18.5 -16C-19 -24 -18.5 -30 -18 -38"
    "L-2.5 -38C-2 -32 -1 -28 0 -27C1 -28 2 -32 2.5 -38L18 -38C18.5 -30 19 -24 18.5 -16"
    "C18 -8 15 -2 15.5 6C16 16 20 28 21 40Z"
)
#: Four fingerbreadths out from the navel, the front bony point of the hip, and the iliacus
#: zone just inside that point above the groin crease (for the person's right, the viewer's left).
_PSOAS = (-7.0, -1.0)
_ASIS = (-12.5, -10.0)
_ILIACUS = (-9.5, -13.5)


def placement_svg(spots: Iterable[str], *, side: SideName, title: str, description: str) -> str:
    """The belly seen from the front with where to press on ``side`` and where never to."""
    flip = 1.0 if side == "right" else -1.0  # the person's right is on the viewer's left
    ox, oy = 62.0, 48.0

    def p(x: float, y: float) -> tuple[float, float]:
        return (ox + x * flip, oy - y)

    parts = [  # the outline and the middle are symmetrical: drawn the same for either side
        f'<g transform="translate({_f(ox)} {_f(oy)}) scale(1 -1)">'
        f'<path d="{_OUTLINE}" fill="#eef0f3" stroke="{TRUNK}" stroke-width="0.8"/>'
        # the iliac crests and groin creases, faint
        '<path d="M-15.5 -2C-15 -6 -13.5 -9 -12.5 -10M15.5 -2C15 -6 13.5 -9 12.5 -10'
        'M-12 -14C-9 -20 -6 -24 -3 -27M12 -14C9 -20 6 -24 3 -27" fill="none" '
        f'stroke="{PROP_EDGE}" stroke-width="0.7"/>'
        # the middle of the belly, where the aorta runs: keep off
        f'<rect x="-4" y="-12" width="8" height="26" rx="3" fill="#fbe3e1" stroke="{WRONG}" '
        'stroke-width="0.7" stroke-dasharray="1.6 1"/>'
        f'<circle cx="0" cy="0" r="1.1" fill="none" stroke="{INK}" stroke-width="0.6"/>'
        "</g>"
    ]
    ax, ay = p(*_ASIS)
    parts.append(f'<circle cx="{_f(ax)}" cy="{_f(ay)}" r="1.3" fill="{INK}"/>')
    spots = tuple(spots)
    if "psoas" in spots:
        x, y = p(*_PSOAS)
        parts.append(
            f'<circle cx="{_f(x)}" cy="{_f(y)}" r="3.4" fill="{ACCENT}" fill-opacity="0.85" '
            f'stroke="#fff" stroke-width="0.8"/>'
        )
    if "iliacus" in spots:
        x, y = p(*_ILIACUS)
        parts.append(
            f'<ellipse cx="{_f(x)}" cy="{_f(y)}" rx="2.4" ry="3.4" fill="{ACCENT}" '
            f'fill-opacity="0.55" stroke="{ACCENT}" stroke-width="0.7"/>'
        )
    # labels: the working side's on its own side of the page, the middle's on the other
    out = -1.0 * flip
    lx = ox + out * 44
    anchor_side = "end" if out < 0 else "start"

    def label(at: tuple[float, float], y: float, text: str, colour: str = INK) -> str:
        tx = lx
        return (
            f'<path d="M{_f(at[0])} {_f(at[1])}L{_f(tx - out * 1.5)} {_f(y - 1.2)}" '
            f'stroke="{colour}" stroke-width="0.35"/>'
            f'<text x="{_f(tx)}" y="{_f(y)}" font-size="3.6" font-family="sans-serif" '
            f'text-anchor="{anchor_side}" fill="{colour}">{text}</text>'
        )

    if "psoas" in spots:
        parts.append(label(p(*_PSOAS), 30, "Four fingers out from the navel"))
    parts.append(label((ax, ay), 56, "Bony point at the front of the hip"))
    if "iliacus" in spots:
        parts.append(label(p(*_ILIACUS), 66, "Iliacus: just inside it"))
    nx, ny = p(0, 0)
    other = ox - out * 44
    parts.append(
        f'<path d="M{_f(nx)} {_f(ny + 8)}L{_f(other + out * 1.5)} {_f(86 - 1.2)}" '
        f'stroke="{WRONG}" stroke-width="0.35"/>'
        f'<text x="{_f(other)}" y="86" font-size="3.6" font-family="sans-serif" '
        f'text-anchor="{"start" if out < 0 else "end"}" fill="{WRONG}">Middle: keep off</text>'
    )
    parts.append(_text(ox, 7, f"Seen from the front: your {side} side", 4.2, INK, "bold"))
    return _svg(124.0, 92.0, title, description, "".join(parts))
