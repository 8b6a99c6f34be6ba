"""Running a clinic and clearing a red flag, in real Chromium over real HTTP, on both databases:
the administrator invites a clinician by email (a real SMTP server on a local port), the
clinician joins with the emailed link; a clinician records a doctor's clearance of a warning
sign, and the patient sees the program appear with the clearance explained. Screenshots at
390 px and 1280 px."""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from psoas.settings import Settings
from psoas.web.app import create_app
from tests.conftest import postgres_url_with_fresh_schema
from tests.e2e.conftest import Served, ServerClock
from tests.e2e.test_journeys import (
    PASSWORD,
    SELF_CARE,
    clinic_admin,
    fill_assessment,
    shot,
    sign_up,
)
from tests.e2e.test_player_browser import serious_accessibility_problems
from tests.integration.test_account_mail import Inbox, _free_port

LAPTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def inbox() -> Iterator[Inbox]:
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    box.port = controller.port
    yield box
    controller.stop()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def mail_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, inbox: Inbox
) -> Iterator[Served]:
    """The app with mail set up (the local SMTP server), on SQLite then PostgreSQL."""
    import socket

    import uvicorn

    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('e2e-mail') / 'psoas.db'}"
        else:
            url = stack.enter_context(contextmanager(postgres_url_with_fresh_schema)())
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        settings = Settings(
            smtp_host="127.0.0.1",
            smtp_port=inbox.port,
            smtp_tls="none",
            smtp_from="psoas@clinic.example",
            public_url=f"http://127.0.0.1:{port}",
        )
        clock = ServerClock()
        app = create_app(url, clock=clock, settings=settings)
        uv = uvicorn.Server(
            uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
        )
        thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 15
        while not uv.started:
            if time.monotonic() > deadline or not thread.is_alive():
                pytest.fail("the web app did not start")
            time.sleep(0.05)
        try:
            yield Served(url=f"http://127.0.0.1:{port}", db=app.state.db, clock=clock)
        finally:
            uv.should_exit = True
            thread.join(10)
            sock.close()
            app.state.db.close()


def _wait_for_mail(inbox: Inbox, address: str) -> Any:
    for _ in range(100):  # the mail goes out after the page has answered
        found = inbox.to(address)
        if found:
            return found[-1]
        time.sleep(0.05)
    pytest.fail(f"no email to {address}")


def test_the_administrator_invites_by_email_and_the_clinician_joins(
    browser: Any, mail_server: Served, inbox: Inbox
) -> None:
    tag = uuid.uuid4().hex[:6]
    admin_ctx = browser.new_context(base_url=mail_server.url, viewport=LAPTOP)
    doc_ctx = browser.new_context(base_url=mail_server.url, viewport=PHONE)
    try:
        admin = admin_ctx.new_page()
        clinic_admin(admin, mail_server, f"admin-{tag}@clinic.test", clinic=f"Harbour {tag}")
        admin.goto("/clinic/team")
        admin.fill("#invite-email", f"noor-{tag}@clinic.test")
        admin.click("form[action='/clinic/team/invitations'] button[type=submit]")
        admin.wait_for_load_state()
        assert f"We emailed the invitation to noor-{tag}@clinic.test" in admin.inner_text("main")
        assert admin.locator("#join-link").count() == 0
        assert not serious_accessibility_problems(admin)
        shot(admin, "clinic-invite-mailed-1280")

        mail = _wait_for_mail(inbox, f"noor-{tag}@clinic.test")
        body = mail.get_payload(decode=True).decode()
        link = re.search(r"(http://127\.0\.0\.1:\d+/join-clinic\?code=[\w\-]+)", body)
        assert link, body
        doc = doc_ctx.new_page()
        doc.goto(link.group(1))
        assert f"Harbour {tag}" in doc.inner_text("main")
        doc.fill("#display_name", "Noor Haddad")
        doc.fill("#password", PASSWORD)
        doc.click("main button[type=submit]")
        doc.wait_for_load_state()
        doc.goto("/clinic/team")
        assert f"Harbour {tag}" in doc.inner_text("main")

        admin.goto("/clinic/team")
        text = admin.inner_text("main")
        assert "Noor Haddad" in text and "Make administrator" in text
        shot(admin, "clinic-team-admin-1280")
        admin.set_viewport_size(PHONE)
        admin.goto("/clinic/team")
        assert not serious_accessibility_problems(admin)
        width = admin.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], width
        shot(admin, "clinic-team-admin-390")
    finally:
        admin_ctx.close()
        doc_ctx.close()


def test_a_clearance_gives_the_patient_their_program(browser: Any, server: Served) -> None:
    tag = uuid.uuid4().hex[:6]
    doc_ctx = browser.new_context(base_url=server.url, viewport=LAPTOP)
    patient_ctx = browser.new_context(base_url=server.url, viewport=PHONE)
    try:
        doc = doc_ctx.new_page()
        clinic_admin(doc, server, f"doc-{tag}@clinic.test", clinic=f"Riverside {tag}")
        doc.goto("/clinic")
        doc.click("form[action='/clinic/invitations'] button[type=submit]")
        doc.wait_for_load_state()
        code = doc.locator("#invitation-code").inner_text().strip()

        patient = patient_ctx.new_page()
        sign_up(patient, invite=code)
        fill_assessment(patient, SELF_CARE | {"red_flags.progressive_leg_weakness": "yes"})
        patient.goto("/me")
        assert "Home program held back" in patient.inner_text("main")

        doc.goto("/clinic")
        doc.click("text=Patient Tester")
        doc.wait_for_load_state()
        record = doc.url
        section = doc.inner_text("#clearance")
        assert "Worsening leg weakness" in section
        assert not serious_accessibility_problems(doc)
        doc.locator("#clearance").screenshot(path="/tmp/psoas-shots/clearance-form-1280.png")
        doc.check("input[name=codes][value=progressive-neurological-deficit]")
        doc.fill("#cleared_by", "Dr Ben Okafor")
        doc.select_option("#clearer_role", "gp")
        yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
        doc.fill("#cleared_on", yesterday)
        doc.fill("#clearance_note", "Strength and reflexes normal; no sign of nerve compression.")
        doc.click("form[action$='/clearances'] button[type=submit]")
        doc.wait_for_load_state()
        assert "home program is given again" in doc.inner_text("main")
        assert "Dr Ben Okafor" in doc.inner_text("#clearance")
        doc.goto(record + "#clearance")
        assert not serious_accessibility_problems(doc)
        doc.locator("#clearance").screenshot(path="/tmp/psoas-shots/clearance-recorded-1280.png")
        doc.set_viewport_size(PHONE)
        doc.goto(record + "#clearance")
        doc.locator("#clearance").scroll_into_view_if_needed()
        doc.locator("#clearance").screenshot(path="/tmp/psoas-shots/clearance-recorded-390.png")

        patient.goto("/me")
        text = patient.inner_text("main")
        assert "Cleared by a doctor" in text and "Dr Ben Okafor" in text
        assert "Worsening leg weakness" in text and "Start a session" in text
        assert "Home program held back" not in text
        assert not serious_accessibility_problems(patient)
        width = patient.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], width
        shot(patient, "clearance-patient-390")
        patient.set_viewport_size(LAPTOP)
        patient.goto("/me/result")
        assert "Cleared by a doctor" in patient.inner_text("main")
        shot(patient, "clearance-result-1280")
    finally:
        doc_ctx.close()
        patient_ctx.close()
