"""A clinic's own exercise in real Chromium over real HTTP, on both databases: a clinician
writes one with a picture chosen from the drawn poses (the preview follows the choice), it goes
into a patient's program, and the patient sees it with its steps and its picture. Screenshots
at 390 px and 1280 px."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from psoas.domain.program_edit import ProgramEdit
from psoas.services import accounts, clinic
from tests.e2e.test_journeys import SELF_CARE, fill_assessment, shot, sign_up

LAPTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def serious_accessibility_problems(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]

    violations = Axe().run(page).response["violations"]
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])})"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def _user(server: Any, email: str) -> accounts.User:
    from sqlalchemy import select

    from psoas.storage.tables import UserRow

    with server.db.session() as s:
        user_id = s.scalar(select(UserRow.id).where(UserRow.email == email))
    found = accounts.get_user(server.db, user_id=user_id)
    assert found is not None
    return found


def test_a_clinic_exercise_reaches_the_patient_with_its_steps_and_picture(
    browser: Any, server: Any
) -> None:
    doc_ctx = browser.new_context(base_url=server.url, viewport=PHONE)
    pat_ctx = browser.new_context(base_url=server.url, viewport=PHONE)
    try:
        doc = doc_ctx.new_page()
        doc_email = sign_up(doc, role="clinician", server=server)
        doc.goto("/clinic/team")
        doc.click("text=Your clinic's exercises")
        doc.click("text=New exercise")
        doc.fill("#cx-name", "Wall slide with a band")
        doc.select_option("#cx-position", "standing")
        doc.fill("#cx-targets", "glutes, hip flexors")
        doc.fill("#cx-summary", "Back to a wall, you slide down a little and up again.")
        doc.fill("#cx-why", "It strengthens the hips in a position you use every day.")
        doc.fill(
            "#cx-steps",
            "Stand with your back against a wall, feet a step forward.\n"
            "Slide down a hand's width, then press back up.",
        )
        before = doc.get_attribute("#cx-preview", "src")
        doc.select_option("#cx-figure", "standing-hip-extension")
        doc.wait_for_function(
            "() => document.getElementById('cx-preview').src.includes('standing-hip-extension')"
        )
        assert before != doc.get_attribute("#cx-preview", "src")
        doc.wait_for_function("() => document.getElementById('cx-preview').naturalWidth > 0")
        doc.click("text=From psoas's bibliography")
        doc.check("input[name=sources][value=nice-ng59]")
        assert doc.evaluate("document.documentElement.scrollWidth") <= 390
        assert not serious_accessibility_problems(doc)
        shot(doc, "clinic-exercise-new-390")
        doc.click("button:has-text('Save exercise')")
        doc.wait_for_load_state()
        assert "Saved." in doc.inner_text("main")
        item_id = doc.url.rsplit("/", 1)[1].split("?")[0]
        assert item_id.startswith("clinic-")
        doc.goto("/clinic/exercises")
        assert "Wall slide with a band" in doc.inner_text("main")
        doc.set_viewport_size(LAPTOP)
        shot(doc, "clinic-exercises-1280")
        doc.goto(f"/clinic/exercises/{item_id}")
        shot(doc, "clinic-exercise-edit-1280")

        doc.goto("/clinic")
        doc.click("form[action='/clinic/invitations'] button[type=submit]")
        code = doc.locator("#invitation-code").inner_text().strip()
        patient = pat_ctx.new_page()
        pat_email = sign_up(patient, invite=code)
        fill_assessment(patient, SELF_CARE)
        # the program editor adds it (psoas.services.clinic.edit_program, what its page calls)
        clinic.edit_program(
            server.db,
            clinician=_user(server, doc_email),
            patient=_user(server, pat_email),
            edit=ProgramEdit(reason="Strength for the stairs at work", add=[item_id]),
            now=datetime.now(UTC),
        )

        patient.goto("/me")
        main = patient.inner_text("main")
        assert "Wall slide with a band" in main
        item = patient.locator("article, li, section").filter(has_text="Wall slide with a band")
        picture = item.locator("img[src*='/illustrations/standing-hip-extension']").first
        picture.scroll_into_view_if_needed()
        patient.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=picture.element_handle()
        )
        assert "Slide down a hand's width, then press back up." in patient.content()
        assert patient.evaluate("document.documentElement.scrollWidth") <= 390
        shot(patient, "clinic-exercise-patient-390")
        patient.goto("/me/session")
        assert "Wall slide with a band" in patient.content()
    finally:
        doc_ctx.close()
        pat_ctx.close()
