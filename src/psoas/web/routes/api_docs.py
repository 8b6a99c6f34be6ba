"""The API's documentation page (Swagger UI), from files the installed package ships
(fastapi-offline), so that it works without internet and under the Content-Security-Policy:
no inline script, no other site."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.responses import Response

from psoas.web.pages import render

router = APIRouter()

#: Swagger UI's script, style sheet and icon, as the package ships them.
ASSETS = Path(fastapi_offline.__file__).parent / "static"


@router.get("/api/docs", include_in_schema=False)
def docs(request: Request) -> Response:
    """The interactive API reference; it reads /api/openapi.json."""
    openapi_url = request.app.openapi_url or "/api/openapi.json"
    return render(request, "api_docs.html", title="API reference", openapi_url=openapi_url)
