"""Rendering pages: the templates, what every page gets, and what a device may keep offline.

Routes render with :func:`render`; the app factory (:mod:`psoas.web.app`) only assembles them,
so that nothing here imports the app and no route imports the app factory.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context

from psoas.domain.progression import decision_title
from psoas.reports import pictures, result_text
from psoas.services import exports, timezones

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
# What a result says, in the words every surface uses (see psoas.reports.result_text).
templates.env.globals["say"] = result_text
# The exercise pictures (psoas.reports.pictures): an item's, or None while it has none.
templates.env.globals["picture_of"] = pictures.find
# Every download, from the one registry the terminal, the API and the clinic use.
templates.env.globals["downloads"] = exports.DOWNLOADS
# What a progress decision means next, in the one wording every surface uses.
templates.env.globals["decision_title"] = decision_title


@pass_context
def _local(context: Mapping[str, Any], value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored time as the viewer's wall-clock time, in their own time zone (UTC until
    known): ``{{ at | local("%H:%M") }}``."""
    if value is None:
        return ""
    user = context.get("user")
    return timezones.local(value, getattr(user, "time_zone", None)).strftime(fmt)


templates.env.filters["local"] = _local
# Every time zone the server knows (the account page's list).
templates.env.globals["time_zones"] = timezones.names


OFFLINE_HEADER = "X-Psoas-Offline"


def render(
    request: Request,
    name: str,
    status_code: int = 200,
    *,
    offline: Literal["keep", "forget", ""] = "",
    **context: object,
) -> HTMLResponse:
    """A page, with the signed-in user, the CSRF token and the local emergency number
    (``PSOAS_EMERGENCY_NUMBER``) available to every template.

    ``offline`` says what the device may keep for use without a connection (see
    ``static/sw.js``): ``keep`` a page that shows the program (the session player, the break
    coach); ``forget`` everything kept, when the program is held back or missing. A page seen
    signed out, or by a clinician, always forgets: nobody else's program stays on a device.
    """
    user = getattr(request.state, "user", None)
    context.setdefault("user", user)
    context.setdefault("csrf_token", getattr(request.state, "csrf_token", ""))
    settings = getattr(request.app.state, "settings", None)
    context.setdefault("emergency_number", getattr(settings, "emergency_number", "112"))
    if user is None or user.role != "patient":
        offline = "forget"
    context["offline"] = offline
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    if offline:
        response.headers[OFFLINE_HEADER] = offline
    return response


def attachment(export: exports.Export, filename: str | None = None) -> Response:
    """A download as a file to save (never shown inline), named for the person."""
    return Response(
        export.data,
        media_type=export.media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename or export.filename()}"'},
    )


def patient_page(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    """One of the patient's pages (``templates/patient/``)."""
    return render(request, f"patient/{name}", status_code=status_code, **context)
