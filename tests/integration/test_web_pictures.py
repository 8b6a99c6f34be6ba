"""The exercise pictures over HTTP (issue 11), on SQLite and PostgreSQL: public, cached for good
under a versioned address, the left side on request, and shown where the program is: the
program page (each item opens with its figure, variants as thumbnails), the session plan (the
moving figure per side, the placement diagram for a release) and the clinician's editor."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from psoas.reports import pictures
from tests.integration.conftest import Web
from tests.integration.test_web_session import seed

ITEM = "half-kneeling-hip-flexor-stretch"


def test_a_picture_is_public_svg_cached_for_good_under_its_versioned_address(web: Web) -> None:
    client = web.client()  # nobody signed in: the pictures are catalog content
    url = pictures.picture(ITEM).url()
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    root = ET.fromstring(response.text)
    assert root.tag.endswith("svg") and root.get("role") == "img"
    # without the version, or with an old one, it may be kept for a day only
    unversioned = client.get(f"/illustrations/{ITEM}.svg")
    assert unversioned.headers["cache-control"] == "public, max-age=86400"
    old = client.get(f"/illustrations/{ITEM}.svg?v=0.0.1-2000.1")
    assert old.headers["cache-control"] == "public, max-age=86400"


def test_every_named_picture_and_side_and_motion_is_served(web: Web) -> None:
    client = web.client()
    for p in pictures.pictures(ITEM):
        for side in ("right", "left"):
            svg = client.get(p.url(side))  # type: ignore[arg-type]
            assert svg.status_code == 200, p.url(side)  # type: ignore[arg-type]
            assert side in ET.fromstring(svg.text).findtext("{http://www.w3.org/2000/svg}desc", "")
        motion = client.get(p.url(motion=True))
        assert motion.status_code == 200
        assert 'class="pose"' in motion.text or p.kind != "sequence"


def test_unknown_pictures_are_not_found(web: Web) -> None:
    client = web.client()
    for url in (
        "/illustrations/no-such-item.svg",
        f"/illustrations/{ITEM}/no-such-variant.svg",
        f"/illustrations/{ITEM}.png",
        f"/illustrations/{ITEM}.svg?side=middle",
    ):
        assert client.get(url).status_code in (404, 422), url


def test_the_program_page_opens_each_item_with_its_figure(web: Web) -> None:
    ann = web.sign_up("ann@example.org")
    seed(web, ann)
    page = ann.client.get("/me")
    assert page.status_code == 200
    assert len(page.content) < 150_000
    items = re.findall(r'<article class="pitem" id="item-([a-z0-9-]+)"', page.text)
    assert items
    for item in items:
        card = page.text.split(f'id="item-{item}"', 1)[1].split("</article>", 1)[0]
        main = pictures.find(item)
        assert main is not None, item
        assert re.search(r'<img src="[^"]+" alt="[^"]{20,}"', card), item  # said in words
        glance = card.split('<div class="glance">', 1)[1]
        first = f'<figure class="pic"><img src="{main.url()}"'.replace("&", "&amp;")
        assert glance.lstrip().startswith(first), item  # the figure comes first, before the dose


def test_the_session_plan_names_the_moving_figure_for_each_side(web: Web) -> None:
    ann = web.sign_up("ann@example.org")
    seed(web, ann)
    plan = ann.client.get("/api/v1/me/session-plan").json()
    items = {s["item_id"] for s in plan["steps"]}
    assert set(plan["pictures"]) == items
    for item, pics in plan["pictures"].items():
        assert ".motion.svg" in pics["right"] and "side=left" in pics["left"]
        assert ann.client.get(pics["left"]).status_code == 200
        is_release = any(s["category"] == "release" for s in plan["steps"] if s["item_id"] == item)
        assert (pics["placement_right"] is not None) == is_release, item


def test_the_education_figures_are_served_and_shown_with_their_card(web: Web) -> None:
    client = web.client()
    for name in ("psoas-anatomy", "pelvic-tilt-hypothesis", "disc-pressure"):
        p = pictures.education(name)
        svg = client.get(p.url())
        assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg")
        assert len(p.alt()) >= 20
    assert client.get("/illustrations/education/no-such-figure.svg").status_code == 404
    ann = web.sign_up("ann@example.org")
    seed(web, ann)
    page = ann.client.get("/me/result")
    assert page.status_code == 200
    card = page.text.split('id="edu-what-the-psoas-evidence-says"', 1)[1].split("</details>")[0]
    for name in ("psoas-anatomy", "pelvic-tilt-hypothesis"):
        assert f"/illustrations/education/{name}.svg" in card, name
