"""Stepping a program up or back, on both databases: a patient linked to a clinician asks and
the clinician approves or declines on the patient's page (or has switched on automatic steps);
the clinician is told either way; a person with no clinician steps directly. And a program at a
catalog level shows that level (name, dose, steps, figure) on the program page, in the session
plan and in the handout."""

from __future__ import annotations

import re

from psoas.catalog import load_catalog
from psoas.domain.progression import step_up
from psoas.services import accounts, tracking
from psoas.storage import repo
from tests.integration.conftest import SignedIn, Web, post_account_form
from tests.integration.test_web_clinician import db_of, invite, joined_patient, row_of, session_now
from tests.integration.test_web_patient import text

CATALOG = load_catalog()


def fourteen_days_of_sessions(web: Web, patient: SignedIn, *others: SignedIn) -> None:
    """A whole session every day for two weeks: enough for the rules to step up. Everyone
    signs in again afterwards (a sign-in does not last two weeks)."""
    for _ in range(14):
        web.clock.advance(days=1)
        session_now(web, patient)
    for who in (patient, *others):
        signed = post_account_form(
            who.client,
            "/signin",
            data={"email": who.email, "password": "correct horse battery"},
            follow_redirects=False,
        )
        assert signed.status_code == 303, signed.text


def version(web: Web, patient: SignedIn) -> int:
    name = accounts.profile_name_for(patient.id)
    return tracking.current_program(db_of(web), profile_name=name).version


def ready(web: Web, minutes: int = 90) -> tuple[SignedIn, SignedIn]:
    ada = web.sign_up("ada@clinic.test", role="clinician", name="Dr Ada")
    pat = joined_patient(
        web, ada, "pat@home.test", "Pat Lee", preferences={"minutes_per_day": minutes}
    )
    fourteen_days_of_sessions(web, pat, ada)
    decision = pat.client.get("/api/v1/me/progress").json()["decision"]
    assert decision["kind"] == "progress", decision["message"]
    return ada, pat


def test_a_linked_patient_asks_and_the_clinician_approves(web: Web) -> None:
    ada, pat = ready(web)
    words = text(pat.client.get("/me/progress").text)
    assert "Ask my clinician to step my program up" in words
    asked = pat.post("/me/progress", follow_redirects=False)
    assert asked.status_code == 303 and asked.headers["location"] == "/me/progress?saved=asked"
    words = text(pat.client.get(asked.headers["location"]).text)
    assert "Sent to your clinician" in words and "You asked your clinician on" in words
    assert "Ask my clinician to step my program up" not in words  # one request at a time
    assert version(web, pat) == 1  # nothing changes until the clinician approves
    again = pat.api("POST", "/api/v1/me/progress/apply")
    assert again.status_code == 409 and "already asked" in again.json()["detail"]

    # the clinician is told: in the list, and on the patient's page with what would change
    row = text(row_of(ada.client.get("/clinic").text, "Pat Lee"))
    assert "1 step request to answer" in row
    page = ada.client.get(f"/clinic/patients/{pat.id}")
    words = text(page.text)
    assert "Asks to step up" in words and "Approve the step up" in words
    assert "Glute bridge: 3 sets, up from 2 sets." in words
    step_id = re.search(r"/steps/(\d+)/approve", page.text).group(1)  # type: ignore[union-attr]
    approved = ada.post(
        f"/clinic/patients/{pat.id}/steps/{step_id}/approve", follow_redirects=False
    )
    assert approved.status_code == 303
    assert "Step up approved: program version 2" in text(
        ada.client.get(approved.headers["location"]).text
    )
    assert version(web, pat) == 2
    assert "step request" not in text(row_of(ada.client.get("/clinic").text, "Pat Lee"))
    words = text(pat.client.get("/me/progress").text)
    assert "Dr Ada approved your step up: program version 2" in words
    log = accounts.audit_log(db_of(web), patient=accounts.get_user(db_of(web), user_id=pat.id))  # type: ignore[arg-type]
    assert any(e.action == "approved a step up" for e in log)
    # an answered request cannot be answered again
    twice = ada.post(f"/clinic/patients/{pat.id}/steps/{step_id}/approve")
    assert twice.status_code == 409 and "already been answered" in twice.text


def test_the_clinician_declines_and_the_program_stays(web: Web) -> None:
    ada, pat = ready(web)
    assert pat.api("POST", "/api/v1/me/progress/apply").status_code == 202
    page = ada.client.get(f"/clinic/patients/{pat.id}")
    step_id = re.search(r"/steps/(\d+)/decline", page.text).group(1)  # type: ignore[union-attr]
    declined = ada.post(f"/clinic/patients/{pat.id}/steps/{step_id}/decline")
    assert declined.status_code == 200 and "Step up declined" in text(declined.text)
    assert version(web, pat) == 1
    words = text(pat.client.get("/me/progress").text)
    assert "Dr Ada kept your program as it is for now" in words
    # no asking again the next day: a week's more sessions first
    assert "Ask my clinician" not in words
    web.clock.advance(days=1)
    again = pat.api("POST", "/api/v1/me/progress/apply")
    assert again.status_code == 409 and "You can ask again from" in again.json()["detail"]
    session_now(web, pat)
    for _ in range(6):  # a week of sessions later, the patient may ask again
        web.clock.advance(days=1)
        session_now(web, pat)
    assert "Ask my clinician" in text(pat.client.get("/me/progress").text)


def test_approval_decides_again_and_a_warning_sign_since_stops_it(web: Web) -> None:
    ada, pat = ready(web)
    assert pat.api("POST", "/api/v1/me/progress/apply").status_code == 202
    # pain well up since the assessment: the warning signs come first, nothing steps
    assert pat.api("POST", "/api/v1/me/pain", json={"score": 10}).status_code == 201
    page = ada.client.get(f"/clinic/patients/{pat.id}")
    step_id = re.search(r"/steps/(\d+)/approve", page.text).group(1)  # type: ignore[union-attr]
    refused = ada.post(f"/clinic/patients/{pat.id}/steps/{step_id}/approve")
    assert refused.status_code == 409 and "no longer applies" in text(refused.text)
    assert version(web, pat) == 1


def test_automatic_steps_apply_at_once_and_the_clinician_is_told(web: Web) -> None:
    ada, pat = ready(web)
    on = ada.post(f"/clinic/patients/{pat.id}/auto-steps", {"on": "1"}, follow_redirects=False)
    assert on.status_code == 303
    assert "Automatic steps are on" in text(ada.client.get(f"/clinic/patients/{pat.id}").text)
    words = text(pat.client.get("/me/progress").text)
    assert "Step my program up" in words and "Ask my clinician" not in words
    applied = pat.post("/me/progress", follow_redirects=False)
    assert applied.headers["location"] == "/me?saved=applied" and version(web, pat) == 2
    row = text(row_of(ada.client.get("/clinic").text, "Pat Lee"))
    assert "1 new program step" in row
    words = text(ada.client.get(f"/clinic/patients/{pat.id}").text)
    assert "Stepped up (version 2)" in words and "new" in words
    # seen once the page was opened: no longer news in the list
    assert "program step" not in text(row_of(ada.client.get("/clinic").text, "Pat Lee"))


def test_a_person_with_no_clinician_steps_directly(web: Web) -> None:
    me = web.sign_up("solo@home.test")
    from tests.integration.test_web_clinician import assess

    assess(web, me, preferences={"minutes_per_day": 90})
    fourteen_days_of_sessions(web, me)
    words = text(me.client.get("/me/progress").text)
    assert "Step my program up" in words and "Ask my clinician" not in words
    applied = me.api("POST", "/api/v1/me/progress/apply")
    assert applied.status_code == 201 and applied.json()["version"] == 2


def test_a_program_at_a_level_shows_the_level_everywhere(web: Web) -> None:
    me = web.sign_up("lee@home.test", name="Lee Level")
    from tests.integration.test_web_clinician import assess

    assess(web, me, preferences={"minutes_per_day": 90})
    db, name = db_of(web), accounts.profile_name_for(me.id)
    program = tracking.current_program(db, profile_name=name).program
    while next(i for i in program.items if i.id == "glute-bridge").level is None:
        program, changes = step_up(program, CATALOG)
    profile = tracking.get_profile(db, name)
    with db.session() as s, s.begin():
        repo.add_program_version(
            s,
            profile_id=profile.id,  # type: ignore[arg-type]
            program=program,
            reason="progress: " + " ".join(changes),
            sources=("mcgill-2016",),
            catalog_version=CATALOG.version,
            now=web.clock.now,
        )
    level = CATALOG.exercise("glute-bridge").level("marching-bridge")
    assert level is not None
    page = me.client.get("/me").text
    words = text(page)
    assert "Marching bridge" in words and "harder level of the glute bridge" in words
    assert "lift one foot a little off the surface" in words
    assert "/illustrations/glute-bridge/marching-bridge" in page
    plan = me.client.get("/api/v1/me/session-plan").json()
    bridge = [s for s in plan["steps"] if s["item_id"] == "glute-bridge"]
    assert bridge[0]["name"] == "Marching bridge" and bridge[0]["reps"] == 8
    assert bridge[0]["figure"] == "marching-bridge"
    assert "marching-bridge" in plan["pictures"]["glute-bridge"]["right"]
    handout = me.client.get("/me/download/handout.pdf")  # its words: tests/unit/test_levels.py
    assert handout.status_code == 200 and handout.content.startswith(b"%PDF-")


def test_the_terminal_leads_a_level_with_its_own_name_steps_and_reps(database_url: str) -> None:
    """`psoas catalog show` lists the levels, and `psoas session` leads an item at its level."""
    from datetime import UTC, datetime

    from psoas.services import fixtures
    from psoas.storage.db import Database
    from tests.cli_runner import invoke

    db = Database(database_url)
    history = fixtures.build(
        fixtures.example_intake(minutes_per_day=90),
        now=datetime.now(UTC),
        days=20,
        adherence=1.0,
        step_up_on=(2, 4, 6),
    )
    fixtures.store(db, history, name="kim")
    db.close()
    bridge = next(i for i in history.programs[-1].program.items if i.id == "glute-bridge")
    assert bridge.level == "marching-bridge", bridge.level
    env: dict[str, str | None] = {"PSOAS_DATABASE_URL": database_url, "PSOAS_PROFILE": "kim"}
    shown = invoke("catalog", "show", "glute-bridge")
    assert "Levels" in shown.stdout and "Marching bridge (harder; 2 sets of 8)" in shown.stdout
    led = invoke(
        "session", "--speed", "400", "--quiet", "--pain-before", "3", "--pain-after", "3", env=env
    )
    assert led.returncode == 0, led.stderr
    words = " ".join(led.stdout.split())
    assert "Marching bridge" in words and "lift one foot a little off the surface" in words


def test_the_clinicians_json_twins_answer_step_requests(web: Web) -> None:
    ada, pat = ready(web)
    asked = pat.api("POST", "/api/v1/me/progress/apply")
    assert asked.status_code == 202 and asked.json()["status"] == "pending"
    listed = ada.client.get(f"/api/v1/patients/{pat.id}/steps").json()
    assert listed["auto_steps"] is False
    (step,) = listed["steps"]
    assert (step["kind"], step["status"], step["from_version"]) == ("progress", "pending", 1)
    assert "Glute bridge: 3 sets, up from 2 sets." in step["changes"]
    approved = ada.api("POST", f"/api/v1/patients/{pat.id}/steps/{step['id']}/approve")
    assert approved.status_code == 201 and approved.json()["version"] == 2
    again = ada.api("POST", f"/api/v1/patients/{pat.id}/steps/{step['id']}/decline")
    assert again.status_code == 409 and "already been answered" in again.json()["detail"]
    on = ada.api("PUT", f"/api/v1/patients/{pat.id}/auto-steps", json={"on": True})
    assert on.status_code == 200 and on.json() == {"on": True}
    # another clinician sees none of it
    bea = web.sign_up("bea@clinic.test", role="clinician", name="Dr Bea")
    assert bea.client.get(f"/api/v1/patients/{pat.id}/steps").status_code == 404
    refused = bea.api("POST", f"/api/v1/patients/{pat.id}/steps/{step['id']}/approve")
    assert refused.status_code == 404
    assert (
        bea.api("PUT", f"/api/v1/patients/{pat.id}/auto-steps", json={"on": False}).status_code
        == 404
    )
    assert ada.client.get(f"/api/v1/patients/{pat.id}/steps").json()["auto_steps"] is True


def test_the_clinicians_edit_page_shows_an_item_at_its_level(web: Web) -> None:
    ada = web.sign_up("ada@clinic.test", role="clinician", name="Dr Ada")
    pat = joined_patient(web, ada, "pat@home.test", "Pat Lee", preferences={"minutes_per_day": 90})
    db, name = db_of(web), accounts.profile_name_for(pat.id)
    program = tracking.current_program(db, profile_name=name).program
    while next(i for i in program.items if i.id == "glute-bridge").level is None:
        program, _ = step_up(program, CATALOG)
    profile = tracking.get_profile(db, name)
    with db.session() as s, s.begin():
        repo.add_program_version(
            s,
            profile_id=profile.id,  # type: ignore[arg-type]
            program=program,
            reason="progress",
            sources=("mcgill-2016",),
            catalog_version=CATALOG.version,
            now=web.clock.now,
        )
    page = ada.client.get(f"/clinic/patients/{pat.id}/program")
    assert page.status_code == 200
    assert "Marching bridge" in text(page.text)
    assert "/illustrations/glute-bridge/marching-bridge" in page.text
    # a dose change keeps the level
    saved = ada.post(
        f"/clinic/patients/{pat.id}/program",
        {"reason": "one set less for now", "sets:glute-bridge": "1"},
        follow_redirects=False,
    )
    assert saved.status_code == 303, text(saved.text)[-400:]
    bridge = next(
        i
        for i in tracking.current_program(db, profile_name=name).program.items
        if i.id == "glute-bridge"
    )
    assert (bridge.level, bridge.dose.sets) == ("marching-bridge", 1)


def test_a_step_back_never_waits_and_the_clinician_is_told(web: Web) -> None:
    from psoas.services import fixtures

    ada = web.sign_up("ada@clinic.test", role="clinician", name="Dr Ada")
    pat = web.sign_up("pat@home.test", name="Pat Lee", invite=invite(ada))
    # three weeks in which every session left more pain than before it: the rules step back
    history = fixtures.build(
        fixtures.example_intake(minutes_per_day=90),
        now=web.clock.now,
        days=20,
        adherence=1.0,
        session_effect=3,
    )
    fixtures.store(db_of(web), history, name=accounts.profile_name_for(pat.id))
    decision = pat.client.get("/api/v1/me/progress").json()["decision"]
    assert decision["kind"] == "regress", decision["message"]
    words = text(pat.client.get("/me/progress").text)
    assert "Step my program back" in words and "Your clinician is told." in words
    applied = pat.post("/me/progress", follow_redirects=False)
    assert applied.headers["location"] == "/me?saved=applied"
    assert version(web, pat) == 2
    row = text(row_of(ada.client.get("/clinic").text, "Pat Lee"))
    assert "1 new program step" in row and "to answer" not in row
    words = text(ada.client.get(f"/clinic/patients/{pat.id}").text)
    assert "Stepped back (version 2)" in words and "Approve" not in words


def test_the_database_keeps_one_waiting_request_a_patient(web: Web) -> None:
    """Two asks sent at once (a double tap) cannot both wait: the second is refused."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    from psoas.storage.tables import ProgramStepRow

    ada, pat = ready(web)
    assert pat.api("POST", "/api/v1/me/progress/apply").status_code == 202
    db = db_of(web)
    with pytest.raises(IntegrityError), db.session() as s, s.begin():
        s.add(
            ProgramStepRow(
                patient_id=pat.id,
                clinician_id=ada.id,
                kind="progress",
                status="pending",
                asked_at=web.clock.now,
                from_version=1,
                message="again",
                changes=[],
                sources=[],
            )
        )


def test_any_clinician_of_the_team_answers_and_the_patient_is_told_who(web: Web) -> None:
    """Not only the lead: a colleague in the care team approves; the lead sees who did; a
    clinician outside the team cannot answer (404)."""
    ada, pat = ready(web)
    ben = web.sign_up("ben@clinic.test", role="clinician", name="Dr Ben", clinic="Dr Ada's clinic")
    asked = ada.post(f"/clinic/patients/{pat.id}/team", {"colleague": str(ben.id)})
    assert asked.status_code in (200, 303), asked.text
    page = pat.client.get("/me/team").text
    accept = re.search(rf'action="/me/team/{ben.id}/accept"', page)
    assert accept, "the colleague's request is not on the patient's care-team page"
    assert pat.post(f"/me/team/{ben.id}/accept", follow_redirects=False).status_code == 303
    eve = web.sign_up("eve@else.test", role="clinician", name="Dr Eve")
    assert pat.api("POST", "/api/v1/me/progress/apply").status_code == 202
    page_ben = ben.client.get(f"/clinic/patients/{pat.id}")
    step_id = re.search(r"/steps/(\d+)/approve", page_ben.text).group(1)  # type: ignore[union-attr]
    refused = eve.post(f"/clinic/patients/{pat.id}/steps/{step_id}/approve")
    assert refused.status_code == 404
    approved = ben.post(
        f"/clinic/patients/{pat.id}/steps/{step_id}/approve", follow_redirects=False
    )
    assert approved.status_code == 303
    assert version(web, pat) == 2
    assert "Dr Ben approved your step up" in text(pat.client.get("/me/progress").text)
    assert "Answered by Dr Ben" in text(ada.client.get(f"/clinic/patients/{pat.id}").text)
