"""The exercise pictures over HTTP: public catalog content, drawn once and cached for good.

``/illustrations/{item}.svg`` is an item's own picture, ``/illustrations/{item}/{name}.svg`` its
technique pair, placement diagram or a variant, and ``.motion.svg`` the moving figure the guided
player animates. ``?side=left`` draws the left side.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Query, Response

from psoas.reports import pictures

router = APIRouter(tags=["pictures"])

#: A year: every address carries the release's version (``?v=``), so a changed picture has a
#: new address.
FOREVER = "public, max-age=31536000, immutable"
A_DAY = "public, max-age=86400"


def _respond(item: str, name: str, side: str, motion: bool, v: str | None) -> Response:
    try:
        draw = pictures.motion if motion else pictures.svg
        text = draw(item, name, "left" if side == "left" else "right")
    except pictures.NoPicture as exc:
        raise HTTPException(404, "There is no such picture.") from exc
    cache = FOREVER if v == pictures.version() else A_DAY
    return Response(text, media_type="image/svg+xml", headers={"Cache-Control": cache})


def _split(filename: str) -> tuple[str, bool]:
    if filename.endswith(".motion.svg"):
        return filename.removesuffix(".motion.svg"), True
    if filename.endswith(".svg"):
        return filename.removesuffix(".svg"), False
    raise HTTPException(404, "There is no such picture.")


Side = Query("right", description="the side being worked")


@router.get("/illustrations/{filename}", response_class=Response)
def item_picture(
    filename: str, side: Literal["left", "right"] = Side, v: str | None = None
) -> Response:
    """An item's own picture (``ITEM.svg``) or its moving figure (``ITEM.motion.svg``)."""
    item, motion = _split(filename)
    return _respond(item, "main", side, motion, v)


@router.get("/illustrations/{item}/{filename}", response_class=Response)
def named_picture(
    item: str, filename: str, side: Literal["left", "right"] = Side, v: str | None = None
) -> Response:
    """Another picture of an item: ``technique``, ``placement`` or a variant's name."""
    name, motion = _split(filename)
    return _respond(item, name, side, motion, v)
