"""The program page's body (each item, what was left out, the downloads, the sources), rendered
once for each program version and kept.

It is most of the page and the same on every visit until the program changes, and rendering
it took most of the page's server time (see ``benchmarks/bench_server_cpu.py``). It holds
nothing of the request (no token, no name), so one rendering serves every visit. Kept by the
version's own content, so a new version, or another person's, never gets another's body.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from markupsafe import Markup

from psoas.domain.tracking import ProgramVersion
from psoas.services import custom_exercises, patient_web
from psoas.web.pages import templates

KEPT = 128  # at most about 14 MB (a body is about 55,000 characters)
_BODIES: OrderedDict[str, Markup] = OrderedDict()
_LOCK = threading.Lock()


def body(version: ProgramVersion) -> Markup:
    """The rendered body of ``version``'s program page."""
    key = version.model_dump_json() + custom_exercises.fingerprint(version.program)
    with _LOCK:
        if key in _BODIES:
            _BODIES.move_to_end(key)
            return _BODIES[key]
    view = patient_web.program_view(version)
    html = Markup(templates.env.get_template("patient/_program_body.html").render(view=view))
    with _LOCK:
        _BODIES[key] = html
        while len(_BODIES) > KEPT:
            _BODIES.popitem(last=False)
    return html
