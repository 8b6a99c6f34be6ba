"""The demo clinic keeps its promises: every account signs in, the list shows the flags each
story is about, the red-flag patient has no program anywhere, and loading twice changes
nothing."""

from __future__ import annotations

import html
import re
from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from psoas.catalog import load_catalog
from psoas.domain import patient_list
from psoas.services import accounts, clinic, progress, tracking
from psoas.storage.db import Database
from psoas.web.demo import (
    ANA_VISIT_PLACE,
    CLINIC_EXERCISE,
    CLINICIAN_EMAIL,
    CLINICIAN_PASSWORD,
    DANA_CALL_LINK,
    DEMO_ACCOUNTS,
    PATIENT_PASSWORD,
    TEMPLATE_NAME,
    THREAD,
    load_demo,
)
from tests.integration.conftest import Web, post_account_form


def db_of(web: Web) -> Database:
    return web.app.state.db  # type: ignore[attr-defined, no-any-return]


def signed_in(web: Web, email: str, password: str) -> TestClient:
    client = web.client()
    response = post_account_form(
        client, "/signin", data={"email": email, "password": password}, follow_redirects=False
    )
    assert response.status_code == 303, (email, response.text)
    return client


@pytest.fixture
def demo(web: Web) -> dict[str, int]:
    return load_demo(db_of(web), web.clock.now)


def test_every_demo_account_signs_in_and_loading_again_changes_nothing(
    web: Web, demo: dict[str, int]
) -> None:
    assert set(demo) == {email for email, _, _ in DEMO_ACCOUNTS}
    assert len(DEMO_ACCOUNTS) == 8  # two clinicians of the demo clinic, six patients
    for email, password, role in DEMO_ACCOUNTS:
        client = web.client()
        response = post_account_form(
            client, "/signin", data={"email": email, "password": password}, follow_redirects=False
        )
        assert response.status_code == 303, email
        # a clinician without two-step sign-in is offered it first, at every sign-in
        home = "/account/two-factor?offer=1" if role == "clinician" else "/me"
        assert response.headers["location"] == home
        me = client.get("/api/v1/me").json()
        assert me["role"] == role
        if role == "patient":
            assert me["clinician_id"] == demo[CLINICIAN_EMAIL]
    web.clock.advance(minutes=1)
    assert load_demo(db_of(web), web.clock.now) == demo
    clinician = accounts.get_user(db_of(web), user_id=demo[CLINICIAN_EMAIL])
    assert clinician is not None
    assert len(accounts.patients_of(db_of(web), clinician=clinician)) == 6


def test_the_list_shows_each_storys_flags(web: Web, demo: dict[str, int]) -> None:
    client = signed_in(web, CLINICIAN_EMAIL, CLINICIAN_PASSWORD)
    rows = {r["email"]: r for r in client.get("/api/v1/patients").json()}
    assert rows["eli@demo.psoas"]["flags"] == ["red flag"]
    assert rows["eli@demo.psoas"]["triage_level"] == "emergency"
    assert "pain worse" in rows["farah@demo.psoas"]["flags"]
    assert "inactive week" in rows["bruno@demo.psoas"]["flags"]
    assert rows["ana@demo.psoas"]["flags"] == []
    assert rows["ana@demo.psoas"]["adherence_7"]["fraction"] >= 0.7
    assert rows["ana@demo.psoas"]["pain_change"] <= -2
    order = [r["email"] for r in client.get("/api/v1/patients").json()]
    assert order[:2] == ["eli@demo.psoas", "farah@demo.psoas"]
    # Chloé's rules step her up today: she has asked, and the list says so
    chloe = next(
        r for r in re.findall(r"<tr[^>]*>.*?</tr>", client.get("/clinic").text, re.S) if "Chlo" in r
    )
    assert "1 step request to answer" in chloe

    page = client.get("/clinic").text
    for name in ("Ana Costa", "Bruno Silva", "Chloé Martin", "Dana Whitfield", "Eli Novak"):
        assert name in page
    eli_row = next(r for r in re.findall(r"<tr[^>]*>.*?</tr>", page, re.S) if "Eli Novak" in r)
    assert '<span class="flag red-flag">red flag</span>' in eli_row
    assert '<span class="badge emergency">' in eli_row


def test_the_histories_are_realistic(web: Web, demo: dict[str, int]) -> None:
    db, now = db_of(web), web.clock.now
    ana = progress.report(
        db, profile_name=accounts.profile_name_for(demo["ana@demo.psoas"]), now=now, with_sets=True
    )
    history = ana.history
    assert 50 <= (now - history.assessments[0].created_at).days <= 60
    assert len(history.sessions) >= 60 and len(history.sets) >= 600
    # two steps up, then Sam gave her the clinic's own exercise today
    assert [p.version for p in history.programs] == [1, 2, 3, 4]
    assert history.programs[1].reason.startswith("progress:")
    assert history.programs[3].reason.startswith("edited by Sam Rivera")
    assert {s.program_version for s in history.sessions} == {1, 2, 3}
    # the second step moved each exercise at its most sets to its next level
    bridge = next(i for i in history.programs[2].program.items if i.id == "glute-bridge")
    assert (bridge.level, bridge.name) == ("marching-bridge", "Marching bridge")
    assert len(history.retests) == 3 and len(history.psfs) >= 4
    assert {p.context for p in history.pain} == {"daily", "before_session", "after_session"}
    assert history.breaks and {b.kind for b in history.breaks} >= {"prompted", "taken"}
    assert ana.summary.retest.meaningful_improvement
    # Steps come from the program: every set names an item of its session's version.
    items = {v.version: {i.id for i in v.program.items} for v in history.programs}
    version_of = {s.id: s.program_version for s in history.sessions}
    assert all(log.item_id in items[version_of[log.session_id]] for log in history.sets)

    bruno = tracking.current_program(
        db, profile_name=accounts.profile_name_for(demo["bruno@demo.psoas"])
    )
    catalog = load_catalog()
    for item in bruno.program.items:
        ex = catalog.exercise(item.id)
        assert not ex.needs_kneeling and not ex.needs_floor, item.id
    dana = tracking.current_program(
        db, profile_name=accounts.profile_name_for(demo["dana@demo.psoas"])
    )
    assert not any(i.abdominal_pressure for i in dana.program.items)
    assert any(e.code == "abdominal-pressure:pregnancy" for e in dana.program.excluded)

    client = signed_in(web, CLINICIAN_EMAIL, CLINICIAN_PASSWORD)
    all_notes = sum(
        len(client.get(f"/api/v1/patients/{demo[e]}/notes").json())
        for e, _, role in DEMO_ACCOUNTS
        if role == "patient"
    )
    assert all_notes >= 3


def test_the_red_flag_patient_has_no_program_on_any_surface(web: Web, demo: dict[str, int]) -> None:
    db = db_of(web)
    eli = demo["eli@demo.psoas"]
    names = [e.name for e in load_catalog().exercises]
    with pytest.raises(tracking.TrackingError, match="warning signs"):
        tracking.current_program(db, profile_name=accounts.profile_name_for(eli))

    clinician = signed_in(web, CLINICIAN_EMAIL, CLINICIAN_PASSWORD)
    page = clinician.get(f"/clinic/patients/{eli}")
    assert page.status_code == 200
    assert "Program held back" in page.text
    assert not [n for n in names if n in page.text]
    detail = clinician.get(f"/api/v1/patients/{eli}").json()
    assert detail["program"] is None and detail["decision"] is None
    assert clinician.get(f"/clinic/patients/{eli}/export/ics").status_code == 409
    assert clinician.get(f"/clinic/patients/{eli}/handout.pdf").status_code == 409
    backup = clinician.get(f"/clinic/patients/{eli}/export/json").json()
    assert backup["programs"] == []
    editor = clinician.get(f"/clinic/patients/{eli}/program").text
    assert not [n for n in names if n in editor]

    # The patient's own pages, where they exist, show no exercise either.
    patient = signed_in(web, "eli@demo.psoas", "demo-patient-2026")
    for url in ("/me", "/me/session", "/api/v1/me/program"):
        response = patient.get(url)
        if response.status_code == 404 and "not found" in response.text.lower():
            continue
        assert not [n for n in names if n in response.text], url
    clinician_user = accounts.get_user(db, user_id=demo[CLINICIAN_EMAIL])
    assert clinician_user is not None
    rows = clinic.patient_rows(db, clinician_user, web.clock.now)
    assert patient_list.RED_FLAG in next(r.flags for r in rows if r.id == eli)


def test_the_clinicians_new_pages_have_something_to_show(web: Web, demo: dict[str, int]) -> None:
    """Appointments, a message thread, a clinic exercise and a template: a physiotherapist
    trying the demo finds each on its page, not an empty list."""
    sam = signed_in(web, CLINICIAN_EMAIL, CLINICIAN_PASSWORD)
    ana, dana, farah = (demo[f"{n}@demo.psoas"] for n in ("ana", "dana", "farah"))

    def page(url: str) -> str:
        response = sam.get(url)
        assert response.status_code == 200, url
        return html.unescape(response.text)

    # Two upcoming appointments, on the schedule and on each patient's page.
    schedule = page("/clinic/schedule")
    assert "Dana Whitfield" in schedule and "Ana Costa" in schedule
    booked = sam.get("/api/v1/clinic/schedule").json()
    kinds = {
        a["appointment"]["patient_name"]: a["appointment"]
        for day in booked
        for a in day["appointments"]
    }
    assert kinds["Dana Whitfield"]["kind"] == "telehealth"
    assert kinds["Dana Whitfield"]["link"] == DANA_CALL_LINK
    assert kinds["Ana Costa"]["kind"] == "in_person"
    assert all(datetime.fromisoformat(a["starts_at"]) > web.clock.now for a in kinds.values())
    assert DANA_CALL_LINK in page(f"/clinic/patients/{dana}")
    # a follow-up is an appointment, never a note (migration 0016 turns old ones into one)
    notes = sam.get(f"/api/v1/patients/{dana}/notes").json()
    assert notes and {n["kind"] for n in notes} == {"note"}
    assert ANA_VISIT_PLACE in page(f"/clinic/patients/{ana}")
    dana_own = signed_in(web, "dana@demo.psoas", PATIENT_PASSWORD)
    assert "Video call" in html.unescape(dana_own.get("/me").text)

    # Farah's thread: both ways, her latest message unread, marked on the list.
    farah_row = next(
        r for r in re.findall(r"<tr[^>]*>.*?</tr>", page("/clinic"), re.S) if "Farah" in r
    )
    assert "1 new message" in farah_row
    assert sam.get("/api/v1/clinic/messages/unread").json()["by_patient"] == {str(farah): 1}
    thread = page(f"/clinic/patients/{farah}/messages")
    for _, _, _, body in THREAD:
        assert body in thread
    assert {who for who, _, _, _ in THREAD} == {"patient", "clinician"}

    # The clinic's own exercise: listed, in use, and in Ana's program, for her and for Sam.
    assert CLINIC_EXERCISE.name in page("/clinic/exercises")
    found = re.search(r"/clinic/exercises/(clinic-[a-z0-9-]+)", page("/clinic/exercises"))
    assert found
    detail = page(f"/clinic/exercises/{found.group(1)}")
    assert CLINIC_EXERCISE.name in detail
    editor = page(f"/clinic/patients/{ana}/program")
    assert CLINIC_EXERCISE.name in editor
    ana_own = signed_in(web, "ana@demo.psoas", PATIENT_PASSWORD)
    assert CLINIC_EXERCISE.name in html.unescape(ana_own.get("/me").text)

    # The template saved from Ana's program, offered in the editor, holding the exercise.
    assert TEMPLATE_NAME in editor
    templates = sam.get("/api/v1/templates").json()
    assert [t["name"] for t in templates] == [TEMPLATE_NAME]
