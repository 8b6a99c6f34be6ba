"""What makes psoas an installable web app: the manifest (name, colours, icons, where it
starts) and the favicon, from the site's root where browsers look for them."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

router = APIRouter()

STATIC = Path(__file__).parent.parent / "static"
A_DAY = "public, max-age=86400"


@router.get("/manifest.webmanifest", include_in_schema=False)
def manifest() -> Response:
    """The web app manifest (``static/manifest.webmanifest``)."""
    return FileResponse(
        STATIC / "manifest.webmanifest",
        media_type="application/manifest+json",
        headers={"Cache-Control": A_DAY},
    )


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    """The icon browsers ask for on their own (16, 32 and 48 px)."""
    return FileResponse(
        STATIC / "favicon.ico", media_type="image/x-icon", headers={"Cache-Control": A_DAY}
    )
