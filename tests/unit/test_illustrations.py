"""The exercise pictures (issue 11): every item, variant and progression has one; each obeys
its exercise's own text by geometry; each SVG is valid, small, says the same in words, and the
left side is the right side mirrored."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from psoas.catalog import load_catalog, load_figures
from psoas.domain.figure import HUMAN_RANGE, STANDING, Pose, interpolate, joint_angles, solve
from psoas.domain.illustration import slug
from psoas.reports import pictures
from psoas.reports.figures_svg import NEAR

CATALOG = load_catalog()
LIBRARY = load_figures()
EVERY = pictures.every_picture()
SVG = "{http://www.w3.org/2000/svg}"


def figures_of(item_id: str) -> list[object]:
    figs = LIBRARY.items[item_id]
    return [figs.main, figs.technique, figs.placement, *figs.variants.values()]


def claims_of(item_id: str) -> set[str]:
    """Every claim the item's own drawn pictures carry (main and technique)."""
    figs = LIBRARY.items[item_id]
    return {c.kind for f in (figs.main, figs.technique) if f for c in f.claims}


def text_of(item_id: str) -> str:
    ex = CATALOG.exercise(item_id)
    return " ".join([*ex.steps, *ex.cues, *ex.common_errors, ex.summary]).lower()


# --- every item, variant and progression -------------------------------------------------------


@pytest.mark.parametrize("ex", CATALOG.exercises, ids=lambda e: e.id)
def test_every_item_and_variant_has_a_picture(ex: object) -> None:
    from psoas.domain.catalog import Exercise

    assert isinstance(ex, Exercise)
    assert ex.id in LIBRARY.items, f"no figures/{ex.id}.yaml"
    figs = LIBRARY.items[ex.id]
    assert set(figs.variants) == {v.name for v in ex.variants}, "one picture per variant, by name"
    names = {p.name for p in pictures.pictures(ex.id)}
    assert {"main", *(slug(v.name) for v in ex.variants)} <= names
    if ex.category == "release":
        assert figs.placement is not None, "a release shows where to place the tool"
        assert figs.placement.kind == "placement"


def test_the_technique_pairs_the_issue_names_exist() -> None:
    for item in (
        "half-kneeling-hip-flexor-stretch",
        "standing-staggered-hip-flexor-stretch",
        "lunge-stretch",
    ):
        pair = LIBRARY.items[item].technique
        assert pair is not None and pair.kind == "pair", item
        assert [f.verdict for f in pair.frames] == ["wrong", "right"]


def test_a_reused_picture_names_a_real_one() -> None:
    for item_id, figs in LIBRARY.items.items():
        for name in figs.variants:
            drawn_item, _, drawn = LIBRARY.resolve(item_id, slug(name))
            assert drawn.kind != "same_as", (item_id, name)
            assert drawn_item in LIBRARY.items


def test_a_variant_that_changes_the_position_is_drawn_not_reused() -> None:
    """A variant is another catalog item (its picture), or changes only dose or timing (the
    item's own picture); one with its own equipment or support gets its own drawing."""
    own = ("band", "ankle weight", "chair", "table", "knees bent", "fingertips", "cough")
    for ex in CATALOG.exercises:
        for v in ex.variants:
            fig = LIBRARY.items[ex.id].variants[v.name]
            words = (v.name + " " + v.description).lower()
            if fig.kind == "same_as" and fig.same_as == ex.id:
                assert not any(re.search(rf"\b{w}\b", words) for w in own), (ex.id, v.name)


# --- the pictures obey their exercises -----------------------------------------------------------


@pytest.mark.parametrize("pic", EVERY, ids=lambda p: f"{p.item_id}/{p.name}")
def test_every_picture_obeys_its_geometry(pic: pictures.Picture) -> None:
    """Resting points rest on what they are said to, nothing passes through the floor or a
    prop, every joint is within its human range, and every claim from the text holds."""
    assert pictures.check(pic.item_id, pic.name) == []


def test_what_the_text_says_is_claimed_by_the_picture() -> None:
    """Phrases in an exercise's text oblige its picture to carry the matching check."""
    rules = [
        (
            r"knee over (?:the|your) ankle|not past (?:the|your) toes",
            {"knee_not_past_toes", "knee_over_ankle"},
        ),
        (r"tuck (?:your|the) pelvis", {"pelvis_tucked_vs_wrong"}),
        (r"thigh points? straight up|no further than the thigh", {"thigh_at_most_vertical"}),
        (r"hang(?:s|ing)? (?:down )?(?:off|over) the (?:end|edge)", {"below_surface"}),
    ]
    missing = []
    for ex in CATALOG.exercises:
        if ex.category not in ("stretch", "strengthen", "release"):
            continue
        text, claims = text_of(ex.id), claims_of(ex.id)
        for pattern, wanted in rules:
            if re.search(pattern, text) and not claims & wanted:
                missing.append(
                    f"{ex.id}: text matches {pattern!r}, picture claims none of {wanted}"
                )
    assert missing == []


def test_a_stretch_keeps_its_trunk_upright_where_it_stands_or_kneels() -> None:
    for ex in CATALOG.exercises:
        upright = "upright" in text_of(ex.id) or "lift your chest" in text_of(ex.id)
        if ex.category == "stretch" and ex.position in ("standing", "kneeling") and upright:
            assert "trunk_upright" in claims_of(ex.id), ex.id


def test_the_tucked_pelvis_is_tilted_back_from_the_wrong_one() -> None:
    for item_id, figs in LIBRARY.items.items():
        pair = figs.technique
        if pair is None or not pair.show_pelvis:
            continue
        from psoas.domain.illustration import pose_of

        wrong, right = (joint_angles(pose_of(LIBRARY, f)) for f in pair.frames)
        assert right["pelvic_tilt"] < wrong["pelvic_tilt"] - 10, item_id


# --- the body model ------------------------------------------------------------------------


def test_standing_tall_is_170_cm_with_the_head_on_top() -> None:
    body = solve(Pose(STANDING))
    top = body["head_centre"][1] + 10.5
    sole = body["near_heel"][1] - 3.2
    assert 160 <= top - sole <= 172
    assert all(v == 0 for k, v in joint_angles(Pose(STANDING)).items() if k != "pelvic_tilt")


def test_every_joint_of_standing_is_inside_its_range() -> None:
    for name, (low, high) in HUMAN_RANGE.items():
        assert low < 0 < high or low <= 0 <= high, name


def test_in_between_poses_turn_the_short_way() -> None:
    a = Pose({**STANDING, "near_thigh": 170.0})
    b = Pose({**STANDING, "near_thigh": -170.0})
    assert abs(abs(interpolate(a, b, 0.5).angles["near_thigh"]) - 180.0) < 1e-9


# --- the SVG ---------------------------------------------------------------------------------


@pytest.mark.parametrize("pic", EVERY, ids=lambda p: f"{p.item_id}/{p.name}")
def test_every_svg_is_valid_small_and_says_it_in_words(pic: pictures.Picture) -> None:
    for side in ("right", "left"):
        text = pictures.svg(pic.item_id, pic.name, side)  # type: ignore[arg-type]
        root = ET.fromstring(text)
        title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
        assert title is not None and title.text and title.text == pic.title
        assert desc is not None and desc.text and len(desc.text) >= 20
        assert "{side}" not in desc.text and "{other}" not in desc.text
        assert side in desc.text or pic.kind == "placement" or "{side}" not in pic.description
        assert len(text.encode()) < 15_000, f"{len(text)} bytes"
        assert root.get("role") == "img"


def _near_xs(panel: ET.Element) -> list[float]:
    """The first x coordinate of each of the working side's limbs (the darker shapes)."""
    return [
        float(re.findall(r"-?\d+(?:\.\d+)?", p.get("d", ""))[0])
        for p in panel.iter(f"{SVG}path")
        if p.get("fill") == NEAR
    ]


@pytest.mark.parametrize(
    "item", [e.id for e in CATALOG.exercises if e.one_sided and e.category != "release"]
)
def test_the_left_side_is_the_right_side_mirrored(item: str) -> None:
    """Panel by panel, every point of the working side's limbs lies as far from the panel's
    left edge in the left picture as from its right edge in the right picture."""
    right = ET.fromstring(pictures.svg(item, "main", "right"))
    left = ET.fromstring(pictures.svg(item, "main", "left"))
    assert "left" in (left.find(f"{SVG}desc").text or "")  # type: ignore[union-attr]
    panels_r, panels_l = right.findall(f"{SVG}g"), left.findall(f"{SVG}g")
    assert panels_r and len(panels_r) == len(panels_l)
    for pr, pl in zip(panels_r, panels_l, strict=True):
        r, le = _near_xs(pr), _near_xs(pl)
        assert r and len(r) == len(le)
        sums = [a + b for a, b in zip(r, le, strict=True)]  # the panel's width, every time
        assert max(sums) - min(sums) < 0.3, item
        assert r != le


def test_the_motion_figure_holds_every_keyframe_in_order() -> None:
    for pic in EVERY:
        if pic.kind != "sequence":
            continue
        fig = LIBRARY.resolve(pic.item_id, pic.name)[2]
        text = pictures.motion(pic.item_id, pic.name)
        root = ET.fromstring(text)
        groups = root.findall(f"{SVG}g")
        keys = [g for g in groups if g.get("data-key") is not None]
        assert len(keys) == len(fig.frames), pic
        assert groups[0].get("data-key") is not None and groups[-1].get("data-key") is not None
        assert sum(1 for g in groups if g.get("display") != "none") == 1
        assert all(g.get("style") is None for g in groups)  # no inline style: the page's CSP


def test_the_wrong_lunge_shows_the_fault_it_names() -> None:
    """The "knee past the toes" picture must show the knee clearly past them (a picture of the
    fault that hides it teaches nothing)."""
    from psoas.domain.illustration import scene

    pair = LIBRARY.items["lunge-stretch"].technique
    assert pair is not None
    wrong = scene(LIBRARY, pair, 0).body
    assert wrong["far_knee"][0] > wrong["far_toe"][0] + 5
    right = scene(LIBRARY, pair, 1).body
    assert right["far_knee"][0] <= right["far_toe"][0]
