"""A step up in real Chromium over real HTTP, on both databases: the patient asks on their
progress page, the clinician sees the request in the list, approves it on the patient's page
(checked with axe), and the patient then reads the answer and follows the new version."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from psoas.services import accounts, fixtures
from tests.e2e.test_journeys import shot, sign_up


def test_a_step_up_asked_in_the_browser_and_approved_by_the_clinician(
    browser: Any, server: Any
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    clinician_ctx = browser.new_context(
        base_url=server.url, viewport={"width": 1280, "height": 900}
    )
    patient_ctx = browser.new_context(base_url=server.url, viewport={"width": 390, "height": 844})
    try:
        doc = clinician_ctx.new_page()
        sign_up(doc, role="clinician", server=server)
        doc.goto("/clinic")
        doc.click("form[action='/clinic/invitations'] button[type=submit]")
        doc.wait_for_load_state()
        code = doc.locator("#invitation-code").inner_text().strip()
        patient = patient_ctx.new_page()
        sign_up(patient, invite=code)
        patient.wait_for_url(lambda url: "/signup" not in url)
        me = patient.request.get("/api/v1/me").json()
        # three weeks of whole sessions on an hour-a-day program: the rules step it up
        history = fixtures.build(
            fixtures.example_intake(minutes_per_day=90),
            now=datetime.now(UTC),
            days=20,
            adherence=1.0,
        )
        fixtures.store(server.db, history, name=accounts.profile_name_for(me["id"]))

        patient.goto("/me/progress")
        patient.click("text=Ask my clinician to step my program up")
        patient.wait_for_load_state()
        assert "Sent to your clinician" in patient.inner_text("main")
        assert "You asked your clinician on" in patient.inner_text("main")

        doc.goto("/clinic")
        assert "1 step request to answer" in doc.inner_text("main")
        doc.click("text=1 step request to answer")
        doc.wait_for_load_state()
        assert "Asks to step up" in doc.inner_text("#steps")
        results = Axe().run(doc)
        bad = [
            v["id"]
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert not bad, bad
        shot(doc, "clinic-step-request")
        doc.click("text=Approve the step up")
        doc.wait_for_load_state()
        assert "Step up approved: program version 2" in doc.inner_text("main")

        patient.goto("/me/progress")
        assert "Clinician Tester approved your step up: program version 2" in patient.inner_text(
            "main"
        )
        patient.goto("/me")
        assert "Version 2" in patient.inner_text("main")
    finally:
        clinician_ctx.close()
        patient_ctx.close()
