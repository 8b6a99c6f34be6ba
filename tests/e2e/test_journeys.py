"""Whole journeys in a real browser over real HTTP: a patient's and a clinician's, plus an
accessibility check (axe-core) of the main pages. Screenshots go to /tmp, never the repo."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from psoas.domain.questionnaire import QUESTIONS

SHOTS = Path("/tmp/psoas-shots")
PASSWORD = "correct horse battery"

SELF_CARE = {
    "person.age": "41",
    "person.sex": "female",
    "pain.intensity_now": "5",
    "pain.duration_weeks": "10",
    "pain.leg_symptoms.left": "none",
    "pain.leg_symptoms.right": "above_knee",
    "pain.onset": "gradual",
    "pain.areas": ["low_back", "front_of_hip"],
    "pain.side": "right",
    "pain.numbness_or_tingling_below_knee": "no",
    "daily_life.occupation": "office",
    "daily_life.sitting_hours_per_day": "9",
    "daily_life.has_standing_desk": "no",
    "health.recent_hip_flexor_injury": "no",
    "health.pregnant": "no",
    "health.postpartum_within_6_months": "no",
    "health.recent_abdominal_or_hip_surgery": "no",
    "health.abdominal_hernia": "no",
    "health.known_aortic_aneurysm": "no",
    "health.takes_anticoagulants": "no",
    "health.hip_replacement": "no",
    "equipment_and_ability.can_stand_unaided": "yes",
    "equipment_and_ability.uses_wheelchair": "no",
    "health.falls_or_poor_balance": "no",
    "equipment_and_ability.can_get_down_to_floor": "yes",
    "equipment_and_ability.can_kneel": "yes",
    "equipment_and_ability.has_massage_gun": "no",
    "equipment_and_ability.has_release_tool": "no",
    "equipment_and_ability.has_table_or_firm_bed_edge": "no",
}
KINDS = {q.path: q.kind for q in QUESTIONS}


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_up(
    page: Any, role: str = "patient", invite: str = "", *, server: Any = None, accept: bool = True
) -> str:
    """A patient by the sign-up form (with a clinician's code: accepted on the care-team page
    unless ``accept`` is False), or a clinician: a new clinic's first administrator, made on
    the server as ``psoas admin create-clinic`` does, signing in in the browser."""
    email = f"{role}-{uuid.uuid4().hex[:8]}@example.org"
    if role == "clinician":
        return clinic_admin(page, server, email)
    page.goto("/signup" + (f"?invite={invite}" if invite else ""))
    page.fill("#display_name", role.title() + " Tester")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    if invite and accept:
        page.click("button:has-text('Accept')")
        page.wait_for_load_state()
    return email


def clinic_admin(page: Any, server: Any, email: str, clinic: str = "") -> str:
    from datetime import UTC, datetime

    from psoas.services import clinics

    assert server is not None, "a clinician is made on the server: pass server="
    clinics.create_clinic(
        server.db,
        name=clinic or f"Clinic {email}",
        admin_email=email,
        admin_name="Clinician Tester",
        password=PASSWORD,
        now=datetime.now(UTC),
    )
    page.goto("/signin")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    return email


def fill_assessment(page: Any, answers: dict[str, Any]) -> None:
    """Walk the step-by-step form, answering what is on each step."""
    page.goto("/me/assess")
    for _ in range(12):
        if "/me/assess" not in page.url:
            return
        if page.locator("text=emergency department").count():
            return
        for path, value in answers.items():
            kind = KINDS[path]
            if kind in ("yes_no", "choice", "multi"):
                values = value if isinstance(value, list) else [value]
                for v in values:
                    box = page.locator(f'input[name="{path}"][value="{v}"]:not([type=hidden])')
                    if box.count():
                        box.check()
            else:
                field = page.locator(f'input[name="{path}"]:not([type=hidden])')
                if field.count():
                    field.fill(str(value))
        for q in QUESTIONS:  # every other warning sign: no
            if q.section == "warning" and q.path not in answers:
                box = page.locator(f'input[name="{q.path}"][value="no"]:not([type=hidden])')
                if box.count() and not page.locator(f'input[name="{q.path}"]:checked').count():
                    box.check()
        page.click('button[name="action"][value="next"]')
        page.wait_for_load_state()


def test_patient_journey(page: Any, server: Any) -> None:
    sign_up(page)
    fill_assessment(page, SELF_CARE)
    assert "/me/result" in page.url or "/me" in page.url
    page.goto("/me/result")
    assert page.locator("text=Hip flexors").count() or page.locator("text=hip flexors").count()
    shot(page, "patient-result")
    page.goto("/me")
    body = page.inner_text("main")
    assert "Half-kneeling hip-flexor stretch" in body
    assert "Why" in body or "why" in body
    shot(page, "patient-program")
    # log pain and the functional scale
    page.goto("/me/log")
    shot(page, "patient-log")
    assert page.locator("form").count() >= 2
    # progress and downloads
    page.goto("/me/progress")
    assert page.locator("h1").count()
    for name, marker in (
        ("handout.pdf", b"%PDF"),
        ("program.ics", b"BEGIN:VCALENDAR"),
        ("history.csv", b"time,kind"),
        ("fhir.json", b'"Bundle"'),
    ):
        response = page.request.get(f"/me/download/{name}")
        assert response.status == 200, name
        assert marker in response.body()[:4000], name
    # the URLs the browser visited carry no health data
    assert "pain" not in page.url and "score" not in page.url


def test_red_flag_stops_the_form_and_withholds_the_program(page: Any, server: Any) -> None:
    sign_up(page)
    fill_assessment(page, {"person.age": "55", "red_flags.saddle_numbness": "yes"})
    text = page.inner_text("main")
    assert "emergency department" in text
    shot(page, "patient-red-flag")
    page.goto("/me")
    assert "Half-kneeling" not in page.inner_text("main")
    assert page.request.get("/me/download/handout.pdf").status != 200


def test_clinician_journey(browser: Any, server: Any) -> None:
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
        assert code
        patient = patient_ctx.new_page()
        sign_up(patient, invite=code)
        fill_assessment(patient, SELF_CARE)
        doc.goto("/clinic")
        assert "Patient Tester" in doc.inner_text("main")
        shot(doc, "clinic-list")
        doc.click("text=Patient Tester")
        doc.wait_for_load_state()
        assert "Half-kneeling" in doc.inner_text("main")
        shot(doc, "clinic-patient")
        # on a phone: the list is a card per patient, each value labelled, nothing sideways
        doc.set_viewport_size({"width": 390, "height": 844})
        for url in ("/clinic", doc.url):
            doc.goto(url)
            assert doc.evaluate("document.documentElement.scrollWidth") <= 390, url
        doc.goto("/clinic")
        shot(doc, "clinic-list-390")
        pain = doc.locator("table.patients td[data-label='Pain']").first
        label = pain.evaluate("e => getComputedStyle(e, '::before').content")
        assert label == '"Pain"'
        assert doc.locator("table.patients thead").bounding_box()["height"] <= 1  # type: ignore[index]
        patient.goto("/account")
        assert "viewed record" in patient.inner_text("main")
    finally:
        clinician_ctx.close()
        patient_ctx.close()


def test_main_pages_have_no_serious_accessibility_violations(page: Any, server: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page.goto("/")
    pages = ["/", "/signin", "/signup"]
    sign_up(page)
    fill_assessment(page, SELF_CARE)
    pages += [
        "/me",
        "/me/result",
        "/me/log",
        "/me/progress",
        "/me/session",
        "/me/breaks",
        "/account",
    ]
    problems: dict[str, list[str]] = {}
    for url in pages:
        page.goto(url)
        results = axe.run(page)
        bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
        if bad:
            problems[url] = [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in bad]
    assert not problems, json.dumps(problems, indent=2)
