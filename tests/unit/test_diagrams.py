"""The diagrams that are not a figure doing an exercise: the release placement diagram and the
education figures. Each must read on a phone and in print: every word inside the picture, no two
labels on top of each other, a title and a description for screen readers, a small file; and
each must show what it says (the working side where the person's side is, the disc pressures in
their order, the tipped pelvis tipped further)."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest

from psoas.catalog import load_catalog
from psoas.reports import diagrams

NS = {"s": "http://www.w3.org/2000/svg"}
SVG = "{http://www.w3.org/2000/svg}"


def placement(side: diagrams.SideName, spots: tuple[str, ...] = ("psoas", "iliacus")) -> str:
    return diagrams.placement_svg(
        spots,
        side=side,
        title="Release tool: where to place it",
        description=f"The belly seen from the front, with the spots on the {side} side.",
    )


ALL: dict[str, str] = {
    "placement-right": placement("right"),
    "placement-left": placement("left"),
    "placement-psoas-only": placement("right", ("psoas",)),
    **{name: diagrams.education_svg(name) for name in diagrams.EDUCATION_FIGURES},
}


@dataclass(frozen=True)
class Label:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float


def view_box(root: ET.Element) -> tuple[float, float]:
    _, _, w, h = (float(v) for v in root.attrib["viewBox"].split())
    return w, h


def labels(svg: str) -> list[Label]:
    """Every text's box, estimated from its position, anchor, size and length (generous)."""
    root = ET.fromstring(svg)
    parents = {child: parent for parent in root.iter() for child in parent}
    out = []
    for t in root.iter(f"{SVG}text"):
        node = t
        while node in parents:  # the estimate needs page units: no transformed ancestor
            node = parents[node]
            assert "transform" not in node.attrib, f"{t.text!r} is inside a transformed group"
        size = float(t.attrib["font-size"])
        text = t.text or ""
        width = diagrams.text_width(text, size, bold=t.attrib.get("font-weight") == "bold")
        x, y = float(t.attrib["x"]), float(t.attrib["y"])
        anchor = t.attrib.get("text-anchor", "start")
        x0 = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
        out.append(Label(text, x0, x0 + width, y - size * 0.8, y + size * 0.22))
    return out


def words(svg: str) -> list[str]:
    return [label.text for label in labels(svg)]


@pytest.mark.parametrize("name", ALL)
def test_each_diagram_is_svg_with_a_title_and_a_description(name: str) -> None:
    root = ET.fromstring(ALL[name])
    assert root.tag == f"{SVG}svg"
    title, desc = root.find("s:title", NS), root.find("s:desc", NS)
    assert title is not None and desc is not None
    assert len((title.text or "").strip()) > 10
    assert len((desc.text or "").strip()) > 40
    assert root.attrib["aria-labelledby"] == "t d"


@pytest.mark.parametrize("name", ALL)
def test_each_diagram_stays_small(name: str) -> None:
    assert len(ALL[name].encode()) < 15_000


@pytest.mark.parametrize("name", ALL)
def test_every_word_is_inside_the_picture(name: str) -> None:
    w, h = view_box(ET.fromstring(ALL[name]))
    found = labels(ALL[name])
    assert found
    for label in found:
        assert label.x0 >= 0 and label.x1 <= w, f"{label.text!r} runs off the side ({w})"
        assert label.top >= 0 and label.bottom <= h, f"{label.text!r} runs off the top or bottom"


@pytest.mark.parametrize("name", ALL)
def test_no_two_labels_overlap(name: str) -> None:
    found = labels(ALL[name])
    for i, a in enumerate(found):
        for b in found[i + 1 :]:
            apart = a.x1 <= b.x0 or b.x1 <= a.x0 or a.bottom <= b.top or b.bottom <= a.top
            assert apart, f"{a.text!r} and {b.text!r} overlap"


@pytest.mark.parametrize("name", ALL)
def test_words_are_big_enough_to_read_on_a_phone(name: str) -> None:
    """At 360 px wide (a phone, less the page's margins), no word is under 10.5 px."""
    root = ET.fromstring(ALL[name])
    w, _ = view_box(root)
    smallest = min(float(t.attrib["font-size"]) for t in root.iter(f"{SVG}text"))
    assert smallest * 360 / w >= 10.5


# --- the placement diagram --------------------------------------------------------------------


def centre(el: ET.Element) -> tuple[float, float]:
    return float(el.attrib["cx"]), float(el.attrib["cy"])


def navel(root: ET.Element) -> tuple[float, float]:
    trunk = root.find(".//s:g[@class='trunk']", NS)
    assert trunk is not None
    found = re.match(r"translate\(([-\d.]+) ([-\d.]+)\)", trunk.attrib["transform"])
    assert found
    return float(found.group(1)), float(found.group(2))


def spot(root: ET.Element, name: str) -> tuple[float, float]:
    el = root.find(f".//*[@class='{name}']", NS)
    assert el is not None, name
    return centre(el)


@pytest.mark.parametrize("side", ["right", "left"])
def test_the_working_side_is_drawn_where_a_front_view_puts_it(side: diagrams.SideName) -> None:
    """Facing the person, their right side is on the viewer's left."""
    root = ET.fromstring(placement(side))
    w, _ = view_box(root)
    nx, _ = navel(root)
    on_left = side == "right"
    for name in ("spot-psoas", "spot-iliacus", "asis"):
        x, _ = spot(root, name)
        assert (x < nx) == on_left, f"{name} on the wrong side for the person's {side}"
    named = next(t for t in labels(placement(side)) if t.text == f"Your {side} side")
    assert ((named.x0 + named.x1) / 2 < w / 2) == on_left
    other = "left" if side == "right" else "right"
    assert f"Your {other} side" in words(placement(side))


def test_left_is_the_right_mirrored() -> None:
    right, left = ET.fromstring(placement("right")), ET.fromstring(placement("left"))
    w, _ = view_box(right)
    for name in ("spot-psoas", "spot-iliacus", "asis"):
        (rx, ry), (lx, ly) = spot(right, name), spot(left, name)
        assert rx == pytest.approx(w - lx, abs=0.11) and ry == pytest.approx(ly)


def test_the_spots_sit_where_the_catalog_says() -> None:
    """Four fingers (about 7 cm) out from the navel; the iliacus spot inside (nearer the middle
    than) the bony point and below it, above the groin crease; the middle kept off."""
    root = ET.fromstring(placement("right"))
    nx, ny = navel(root)
    (px, py), (ax, ay), (ix, iy) = (spot(root, n) for n in ("spot-psoas", "asis", "spot-iliacus"))
    cm = diagrams.PLACEMENT_CM
    assert (nx - px) / cm == pytest.approx(7.0, abs=1.5) and abs(py - ny) / cm < 2
    assert abs(ix - nx) < abs(ax - nx), "the iliacus spot is just inside the bony point"
    assert iy > ay, "and below it"
    assert ay > py, "the bony point is below the navel's level"
    half, low, high = diagrams.KEEP_OFF_ZONE
    assert half < diagrams.PSOAS_SPOT[0] - 2.6, "the psoas spot stays clear of the middle"
    assert low < 0 < high, "the keep-off zone covers the navel's level"
    assert any("keep off" in t for t in words(placement("right")))


def test_a_diagram_marks_only_the_spots_asked_for() -> None:
    root = ET.fromstring(placement("right", ("psoas",)))
    assert root.find(".//*[@class='spot-psoas']", NS) is not None
    assert root.find(".//*[@class='spot-iliacus']", NS) is None
    assert not any("Iliacus" in t for t in words(placement("right", ("psoas",))))


# --- the education figures --------------------------------------------------------------------


def test_every_education_figure_draws_and_an_unknown_name_does_not() -> None:
    assert set(diagrams.EDUCATION_FIGURES) == {
        "psoas-anatomy",
        "pelvic-tilt-hypothesis",
        "disc-pressure",
    }
    with pytest.raises(KeyError):
        diagrams.education_svg("no-such-figure")


def test_cards_name_only_figures_that_exist() -> None:
    cards = load_catalog().education
    named = {c.id: c.figures for c in cards if c.figures}
    assert named.get("what-the-psoas-evidence-says") == ("psoas-anatomy", "pelvic-tilt-hypothesis")
    for figures in named.values():
        assert set(figures) <= set(diagrams.EDUCATION_FIGURES)


def path_points(d: str) -> list[tuple[float, float]]:
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", d)]
    return list(zip(numbers[::2], numbers[1::2], strict=True))


def test_the_anatomy_runs_the_psoas_from_t12_to_the_thigh_bone() -> None:
    svg = ALL["psoas-anatomy"]
    root = ET.fromstring(svg)
    psoas = root.findall(".//s:path[@class='psoas']", NS)
    iliacus = root.findall(".//s:path[@class='iliacus']", NS)
    assert len(psoas) == 2 and len(iliacus) == 2, "both sides drawn"
    (_, t12_y, t12_half), (_, l5_y, _) = diagrams.VERTEBRAE[0], diagrams.VERTEBRAE[-1]
    lx, ly = diagrams.LESSER_TROCHANTER
    points = path_points(psoas[0].attrib["d"])
    top = max(points, key=lambda p: p[1])
    bottom = min(points, key=lambda p: p[1])
    assert top[1] >= t12_y - 1.5 and abs(top[0] - t12_half) < 1.5, "starts beside T12"
    assert math.dist(bottom, (lx, ly)) < 1.5, "ends on the lesser trochanter"
    assert any(abs(y - l5_y) < 2 and x < 3.5 for x, y in points), "still on the spine at L5"
    ends = path_points(iliacus[0].attrib["d"])
    assert math.dist(min(ends, key=lambda p: p[1]), (lx, ly)) < 1.5, "the iliacus joins it"
    shown = " ".join(words(svg))
    for word in ("Psoas", "Iliacus", "T12", "L5", "thigh bone", "rim of"):
        assert word in shown


def pelvis_slope(panel: ET.Element) -> float:
    """The pelvis line's drop from back to front, in degrees (positive: front lower)."""
    line = panel.find("s:path", NS)
    assert line is not None
    (x0, y0), *_, (x1, y1) = path_points(line.attrib["d"])
    return math.degrees(math.atan2(y1 - y0, x1 - x0))


def test_the_tilt_figure_is_a_hypothesis_and_tips_the_pelvis_further() -> None:
    svg = ALL["pelvic-tilt-hypothesis"]
    root = ET.fromstring(svg)
    title, desc = root.find("s:title", NS), root.find("s:desc", NS)
    assert title is not None and desc is not None
    assert "not proven" in (title.text or "") and "not proven" in (desc.text or "")
    assert "One idea, not proven" in words(svg)
    level, tipped = (pelvis_slope(g) for g in root.findall(".//s:g[@class='pelvis']", NS))
    assert tipped > level + 8, "the second pelvis is tipped further forward"
    shown = " ".join(words(svg))
    assert "Pelvis level" in shown and "Pelvis tipped forward" in shown


def test_the_disc_pressure_chart_orders_the_bars_by_value() -> None:
    svg = ALL["disc-pressure"]
    root = ET.fromstring(svg)
    bars = [float(r.attrib["width"]) for r in root.findall(".//s:rect[@class='bar']", NS)]
    assert len(bars) == len(diagrams.WILKE_1999) >= 8
    assert bars == sorted(bars)
    assert bars[0] < bars[1], "lying is the shortest bar"
    names = [n for n in words(svg) if n in {row[0] for row in diagrams.WILKE_1999}]
    assert names[0] == "Lying face down" and names[-1] == "Lifting 20 kg, back rounded"
    values = dict((n, v) for n, v, _ in diagrams.WILKE_1999)
    for name, width in zip(names, bars, strict=True):
        assert width == pytest.approx(values[name] * bars[-1] / values[names[-1]], abs=0.1)
    assert values["Sitting bent forward"] > values["Sitting slouched"]


def test_the_disc_pressure_chart_names_its_source_its_subject_and_its_unit() -> None:
    svg = ALL["disc-pressure"]
    root = ET.fromstring(svg)
    title = root.find("s:title", NS)
    assert title is not None
    for text in ((title.text or ""), " ".join(words(svg))):
        assert "Wilke" in text and "1999" in text
        assert "one person" in text.lower()
        assert "MPa" in text
