"""The program editor in real Chromium over real HTTP, on both databases, at phone width: the
catalog is found by typing (the list filters as you type, keeping what you typed in the doses),
an exercise is added, an item gets new reps, hold, rest, a place in the order and a note, and the
patient sees the note with the item. Then the program is saved as a clinic template and a second
patient is started from it. Screenshots at 390 px and 1280 px."""

from __future__ import annotations

from typing import Any

from psoas.catalog import load_catalog
from psoas.services import accounts, tracking
from tests.e2e.test_custom_exercises_browser import PHONE, _user, serious_accessibility_problems
from tests.e2e.test_journeys import SELF_CARE, fill_assessment, shot, sign_up


def _program(server: Any, email: str) -> Any:
    user = _user(server, email)
    return tracking.current_program(server.db, profile_name=accounts.profile_name_for(user.id))


def _invite(doc: Any) -> str:
    doc.goto("/clinic")
    doc.click("form[action='/clinic/invitations'] button[type=submit]")
    return str(doc.locator("#invitation-code").inner_text().strip())


def _visible_adds(doc: Any) -> list[str]:
    return list(
        doc.eval_on_selector_all(
            ".addlist label:not([hidden]) input[name=add]", "els => els.map(e => e.value)"
        )
    )


def test_a_clinician_edits_every_field_finds_adds_and_makes_a_template(
    browser: Any, server: Any
) -> None:
    doc_ctx = browser.new_context(base_url=server.url, viewport=PHONE)
    pat_ctx = browser.new_context(base_url=server.url, viewport=PHONE)
    try:
        doc = doc_ctx.new_page()
        sign_up(doc, role="clinician", server=server)
        patient = pat_ctx.new_page()
        pat_email = sign_up(patient, invite=_invite(doc))
        fill_assessment(patient, SELF_CARE)
        before = _program(server, pat_email)
        pid = _user(server, pat_email).id

        doc.goto(f"/clinic/patients/{pid}")
        doc.click(f"a[href='/clinic/patients/{pid}/program']")
        doc.wait_for_load_state()
        assert doc.evaluate("document.documentElement.scrollWidth") <= 390
        assert not serious_accessibility_problems(doc)
        shot(doc, "program-editor-390")

        # a dose typed first survives the search: the list filters without a reload
        item = next(i for i in before.program.items if i.dose.reps and i.dose.hold_seconds)
        last = before.program.items[-1]
        doc.fill(f"#reps-{item.id}", str(item.dose.reps - 1))
        everything = _visible_adds(doc)
        assert len(everything) > 5
        doc.fill("#find-q", "bird")
        doc.wait_for_function(
            "() => document.querySelectorAll('.addlist label:not([hidden])').length === 1"
        )
        [found] = _visible_adds(doc)
        assert found == "bird-dog"
        assert "1 of " in doc.inner_text("[data-find-count]")
        doc.check(f".addlist input[value='{found}']")
        doc.fill("#find-q", "")
        doc.select_option("#find-position", "seated")
        doc.wait_for_function(
            "n => document.querySelectorAll('.addlist label:not([hidden])').length < n",
            arg=len(everything),
        )
        assert found in _visible_adds(doc)  # ticked: it stays in sight
        doc.select_option("#find-position", "")
        assert doc.input_value(f"#reps-{item.id}") == str(item.dose.reps - 1)

        doc.fill(f"#hold-{item.id}", str(item.dose.hold_seconds + 1))
        doc.fill(f"#rest-{item.id}", "45")
        doc.fill(f"#note-{item.id}", "Breathe out as you lift.")
        doc.fill(f"#place-{last.id}", "1")
        doc.fill(f"#place-{before.program.items[0].id}", "2")
        doc.fill("#reason", "Slower reps and a cue; bird dog for the trunk")
        doc.click("button:has-text('Save as version')")
        doc.wait_for_load_state()
        assert "saved" in doc.inner_text("main")

        after = _program(server, pat_email)
        edited = next(i for i in after.program.items if i.id == item.id)
        assert edited.dose.reps == item.dose.reps - 1
        assert edited.dose.hold_seconds == item.dose.hold_seconds + 1
        assert edited.dose.rest_seconds == 45
        assert edited.clinician_note == "Breathe out as you lift."
        assert after.program.items[0].id == last.id
        assert found in {i.id for i in after.program.items}

        patient.goto("/me")
        assert "Breathe out as you lift." in patient.inner_text("main")
        assert patient.evaluate("document.documentElement.scrollWidth") <= 390

        # the edited program becomes a clinic template...
        doc.goto(f"/clinic/patients/{pid}/program")
        doc.fill("#template-name", "Desk worker, first weeks")
        doc.click("button:has-text('Save as a template')")
        doc.wait_for_load_state()
        assert "Desk worker, first weeks" in doc.inner_text("main")
        doc.click("a[href='/clinic/templates']")
        doc.wait_for_load_state()
        listed = doc.inner_text("main")
        assert "Desk worker, first weeks" in listed and "Breathe out as you lift." in listed
        assert doc.evaluate("document.documentElement.scrollWidth") <= 390
        assert not serious_accessibility_problems(doc)
        shot(doc, "program-templates-390")

        # ...and a pregnant patient starts from it: what lies flat on the back is left out, and
        # the clinician is told so
        second_ctx = browser.new_context(base_url=server.url, viewport=PHONE)
        try:
            second = second_ctx.new_page()
            second_email = sign_up(second, invite=_invite(doc))
            fill_assessment(second, {**SELF_CARE, "health.pregnant": "yes"})
        finally:
            second_ctx.close()
        sid = _user(server, second_email).id
        doc.goto(f"/clinic/patients/{sid}/program")
        doc.select_option(
            "#template-id", label=f"Desk worker, first weeks ({len(after.program.items)} items)"
        )
        doc.click("button:has-text('Use this template')")
        doc.wait_for_load_state()
        told = doc.inner_text("main")
        assert "is from the template" in told and "lying flat on your back" in told, told[:600]
        started = _program(server, second_email)
        assert started.reason.startswith("from the clinic's template")
        catalog = load_catalog()
        assert not [
            i.id for i in started.program.items if catalog.exercise_at(i.id, i.level).lies_on_back
        ]
        notes = {i.id: i.clinician_note for i in after.program.items}
        kept = [i for i in started.program.items if i.id in notes]
        assert kept and all(i.clinician_note == notes[i.id] for i in kept)  # notes come along
        noted = next((i for i in kept if i.id == item.id), None)
        assert (noted and noted.clinician_note == "Breathe out as you lift.") or edited.name in told

        doc.set_viewport_size({"width": 1280, "height": 900})
        doc.goto(f"/clinic/patients/{pid}/program")
        shot(doc, "program-editor-1280")
    finally:
        doc_ctx.close()
        pat_ctx.close()
