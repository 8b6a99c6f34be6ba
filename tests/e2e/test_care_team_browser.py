"""A clinic and a care team in real Chromium over real HTTP, on both databases: the clinic's
administrator invites a clinician on the Clinic page, the clinician joins with the link, a
patient types the clinician's code, sees who is asking and accepts, and later leaves; the
clinician's access ends at once. The new pages are checked with axe at phone and laptop width."""

from __future__ import annotations

import uuid
from typing import Any

from tests.e2e.test_journeys import (
    PASSWORD,
    SELF_CARE,
    clinic_admin,
    fill_assessment,
    shot,
    sign_up,
)
from tests.e2e.test_player_browser import serious_accessibility_problems

LAPTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def test_invite_join_accept_and_leave(browser: Any, server: Any) -> None:
    tag = uuid.uuid4().hex[:6]
    admin_ctx = browser.new_context(base_url=server.url, viewport=LAPTOP)
    doc_ctx = browser.new_context(base_url=server.url, viewport=PHONE)
    patient_ctx = browser.new_context(base_url=server.url, viewport=PHONE)
    try:
        # the administrator invites a clinician by email on the Clinic page
        admin = admin_ctx.new_page()
        clinic_admin(admin, server, f"admin-{tag}@clinic.test", clinic=f"Harbour {tag}")
        admin.goto("/clinic/team")
        assert f"Harbour {tag}" in admin.inner_text("main")
        admin.fill("#invite-email", f"noor-{tag}@clinic.test")
        admin.click("form[action='/clinic/team/invitations'] button[type=submit]")
        admin.wait_for_load_state()
        link = admin.locator("#join-link").input_value()
        assert "/join-clinic?code=" in link
        assert not serious_accessibility_problems(admin)
        shot(admin, "clinic-admin-1280")

        # the clinician opens the link on their phone and makes their account
        doc = doc_ctx.new_page()
        doc.goto(link)
        text = doc.inner_text("main")
        assert f"Harbour {tag}" in text and f"noor-{tag}@clinic.test" in text
        assert not serious_accessibility_problems(doc)
        shot(doc, "join-clinic-390")
        doc.fill("#display_name", "Noor Haddad")
        doc.fill("#password", PASSWORD)
        doc.click("main button[type=submit]")
        doc.wait_for_load_state()
        assert "/account/two-factor" in doc.url  # offered two-step sign-in, as every clinician
        doc.goto("/clinic")
        doc.click("form[action='/clinic/invitations'] button[type=submit]")
        doc.wait_for_load_state()
        code = doc.locator("#invitation-code").inner_text().strip()

        # the link is used: nobody else can join with it
        patient = patient_ctx.new_page()
        patient.goto(link)
        assert "not valid" in patient.inner_text("main")
        admin.goto("/clinic/team")
        assert "Noor Haddad" in admin.inner_text("main")

        # the patient types the code, sees who is asking, and accepts
        sign_up(patient, invite=code, accept=False)
        assert "/me/team" in patient.url
        text = patient.inner_text("main")
        assert "Waiting for your answer" in text and "Noor Haddad" in text
        assert not serious_accessibility_problems(patient)
        shot(patient, "care-team-request-390")
        fill_assessment(patient, SELF_CARE)
        doc.goto("/clinic")
        assert "Patient Tester" not in doc.inner_text("main")  # not before the patient accepts
        patient.goto("/me/team")
        patient.click("button:has-text('Accept')")
        patient.wait_for_load_state()
        assert "Added to your care team" in patient.inner_text("main")
        shot(patient, "care-team-390")
        doc.goto("/clinic")
        doc.click("text=Patient Tester")
        doc.wait_for_load_state()
        record = doc.url
        assert "Half-kneeling" in doc.inner_text("main")
        assert "Care team" in doc.inner_text("#team")

        # the patient leaves: the clinician's next look finds nothing
        patient.goto("/me/team")
        patient.get_by_role("button", name="Leave Noor Haddad").click()
        patient.wait_for_load_state()
        assert "no longer see" in patient.inner_text("main")
        assert doc.goto(record).status == 404
        doc.goto("/clinic")
        assert "Patient Tester" not in doc.inner_text("main")
        patient.goto("/account")
        audit = patient.inner_text("main")
        assert "accepted Noor Haddad into the care team" in audit
        assert "removed Noor Haddad from the care team" in audit
    finally:
        admin_ctx.close()
        doc_ctx.close()
        patient_ctx.close()
