"""The exercise pictures for every surface: which pictures an item has, their words, their
addresses, and the SVG itself, drawn once per process and cached (the figures are data shipped
with this version, so a picture never changes while the process runs)."""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass
from typing import Literal

from psoas import __version__
from psoas.catalog import load_catalog, load_figures
from psoas.domain.figure_checks import problems
from psoas.domain.illustration import FigureSpec, slug
from psoas.reports import diagrams, figures_svg

SideName = Literal["left", "right"]
OTHER: dict[str, str] = {"left": "right", "right": "left"}


class NoPicture(LookupError):
    """No such item or picture."""


@dataclass(frozen=True)
class Picture:
    """One picture of an item, as the surfaces list it."""

    item_id: str
    name: str  # "main", "technique", "placement" or a variant's slug
    title: str
    kind: str  # sequence, pair, placement
    description: str

    def alt(self, side: SideName = "right") -> str:
        """The picture in words (its description, with the side named)."""
        return _words(self.description, side)

    def size(self) -> tuple[str, str]:
        """Its width and height in the picture's own units (for the page's layout)."""
        head = svg(self.item_id, self.name)[:300]
        box = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', head)
        return (box.group(1), box.group(2)) if box else ("4", "3")

    def url(self, side: SideName = "right", *, motion: bool = False) -> str:
        """Its web address; ``v`` changes with every release, so caches may keep it for good."""
        tail = "" if self.name == "main" else f"/{self.name}"
        kind = ".motion.svg" if motion else ".svg"
        query = f"?v={version()}" + ("" if side == "right" else "&side=left")
        return f"/illustrations/{self.item_id}{tail}{kind}{query}"


@functools.cache
def version() -> str:
    """The pictures' version: the code's and the catalog's."""
    return f"{__version__}-{load_catalog().version}"


def _words(text: str, side: SideName) -> str:
    return text.replace("{side}", side).replace("{other}", OTHER[side])


@functools.cache
def pictures(item_id: str) -> tuple[Picture, ...]:
    """Every picture of an item: its own first, then the technique pair and the placement
    diagram where it has them, then one per variant in the catalog's order."""
    library = load_figures()
    try:
        exercise = load_catalog().exercise(item_id)
        figs = library.items[item_id]
    except KeyError as exc:
        raise NoPicture(item_id) from exc
    out = []
    named: list[tuple[str, str]] = [("main", exercise.name)]
    if figs.technique:
        named.append(("technique", f"{exercise.name}: the wrong way and the right way"))
    if figs.placement:
        named.append(("placement", f"{exercise.name}: where to place it"))
    named += [(slug(v.name), f"{exercise.name}: {v.name}") for v in exercise.variants]
    for name, title in named:
        try:
            _, _, fig = library.resolve(item_id, name)
        except KeyError:
            continue  # not drawn yet: tests/unit/test_illustrations.py requires every one
        out.append(Picture(item_id, name, title, fig.kind, fig.description))
    return tuple(out)


#: The pseudo-item under which the education figures are listed and served.
EDUCATION = "education"


@functools.cache
def education(name: str) -> Picture:
    """An education figure (where the psoas runs, the pelvic-tilt idea, disc pressures)."""
    try:
        text = diagrams.education_svg(name)
    except KeyError as exc:
        raise NoPicture(f"{EDUCATION}/{name}") from exc
    title = re.search(r"<title[^>]*>(.*?)</title>", text, re.S)
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", text, re.S)
    return Picture(
        EDUCATION,
        name,
        html.unescape(title.group(1)) if title else name,
        "education",
        html.unescape(desc.group(1)) if desc else "",
    )


#: A clinic's own exercises show a catalog item's drawn picture under their own name:
#: item id -> (the catalog item, the exercise's name). Filled by
#: psoas.services.custom_exercises whenever it reads a clinic exercise, before any surface
#: asks for its picture.
_LENT: dict[str, tuple[str, str]] = {}


def lend(item_id: str, figure_item: str, name: str) -> None:
    """Show ``figure_item``'s own picture for the clinic exercise ``item_id``."""
    _LENT[item_id] = (figure_item, name)


def _lent(item_id: str, name: str) -> Picture | None:
    figure_item, title = _LENT[item_id]
    own = find(figure_item) if name in ("main", "technique", "placement") else None
    if own is None or name != "main":
        return None
    return Picture(own.item_id, own.name, title, own.kind, own.description)


def find(item_id: str, name: str = "main") -> Picture | None:
    """One picture of an item (or an education figure), or None."""
    if item_id in _LENT:
        return _lent(item_id, name)
    if item_id == EDUCATION:
        try:
            return education(name)
        except NoPicture:
            return None
    try:
        listed = pictures(item_id)
    except NoPicture:
        return None
    return next((p for p in listed if p.name == name), None)


def picture(item_id: str, name: str = "main") -> Picture:
    found = find(item_id, name)
    if found is None:
        raise NoPicture(f"{item_id}/{name}")
    return found


def how_to(item_id: str) -> tuple[Picture, ...]:
    """What a program item opens with: its picture, the wrong and right way, where to place a
    tool, and any education figure that shows why (a clinic exercise: its one picture)."""
    if item_id in _LENT:
        lent = _lent(item_id, "main")
        return (lent,) if lent else ()
    return _how_to(item_id)


@functools.cache
def _how_to(item_id: str) -> tuple[Picture, ...]:
    own = tuple(p for n in ("main", "technique", "placement") if (p := find(item_id, n)))
    figs = load_figures().items.get(item_id)
    return own + tuple(education(n) for n in (figs.explains if figs else ()))


def _figure(item_id: str, name: str) -> FigureSpec:
    picture(item_id, name)  # raises NoPicture for unknown names
    return load_figures().resolve(item_id, name)[2]


@functools.cache
def svg(
    item_id: str, name: str = "main", side: SideName = "right", *, for_print: bool = False
) -> str:
    """The picture as SVG, the working side as asked (a placement diagram marks that side);
    ``for_print`` for PDF renderers, which do not paint a stroke under a fill."""
    p = picture(item_id, name)
    if item_id == EDUCATION:
        return diagrams.education_svg(name)
    fig = _figure(item_id, name)
    words = _words(p.description, side)
    if fig.kind == "placement":
        return diagrams.placement_svg(fig.spots, side=side, title=p.title, description=words)
    return figures_svg.figure_svg(load_figures(), fig, title=p.title, side=side, description=words)


@functools.cache
def motion(item_id: str, name: str = "main", side: SideName = "right") -> str:
    """The picture as a moving figure for the guided player (a placement diagram stays still)."""
    p = picture(item_id, name)
    if item_id == EDUCATION:
        return svg(item_id, name, side)
    fig = _figure(item_id, name)
    if fig.kind == "placement":
        return svg(item_id, name, side)
    return figures_svg.motion_svg(
        load_figures(), fig, title=p.title, side=side, description=_words(p.description, side)
    )


def check(item_id: str, name: str = "main") -> list[str]:
    """What is wrong with a picture's geometry; empty when it obeys its exercise."""
    return problems(load_figures(), _figure(item_id, name))


def every_picture() -> list[Picture]:
    """Every picture of every item that has pictures."""
    library = load_figures()
    return [p for e in load_catalog().exercises if e.id in library.items for p in pictures(e.id)]
