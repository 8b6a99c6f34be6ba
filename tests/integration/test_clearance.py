"""A doctor's medical clearance, recorded by the care team, on both databases: the program comes
back on every surface with the clearance explained, only for the signs it names; withdrawing it
holds the program again; later answers keep it only when the warning signs are the ones the
doctor saw; only the care team may record it (404 otherwise); all of it is audited."""

from __future__ import annotations

import html
import subprocess
from datetime import timedelta
from typing import Any

from psoas.domain.intake import Intake
from psoas.services import accounts, patient_web
from tests.conftest import intake_doc
from tests.integration.conftest import SignedIn, Web
from tests.integration.test_web_clinician import assess, db_of, invite

WEAK = {"red_flags": {"progressive_leg_weakness": True}}


def page(who: SignedIn, url: str) -> str:
    """A page's text as a person reads it (entities decoded)."""
    return html.unescape(who.client.get(url).text)


def team(web: Web) -> tuple[SignedIn, SignedIn]:
    """A clinician, and a patient in their care team whose program a warning sign holds back."""
    ada = web.sign_up("ada@clinic.example", role="clinician", name="Ada Physio")
    pat = web.sign_up("pat@example.org", name="Pat", invite=invite(ada))
    assess(web, pat, **WEAK)
    return ada, pat


def clear(ada: SignedIn, pat: SignedIn, **changes: Any):  # type: ignore[no-untyped-def]
    form = {
        "codes": ["progressive-neurological-deficit"],
        "cleared_by": "Dr Ben Okafor",
        "role": "gp",
        "cleared_on": "2026-11-22",
        "note": "Strength normal on examination; reflexes normal.",
    } | changes
    return ada.post(f"/clinic/patients/{pat.id}/clearances", form, follow_redirects=False)


def test_a_clearance_gives_the_program_everywhere_and_explains_it(web: Web) -> None:
    ada, pat = team(web)
    record_page = page(ada, f"/clinic/patients/{pat.id}")
    assert (
        "Medical clearance" in record_page
        and 'value="progressive-neurological-deficit"' in record_page
    )
    assert pat.client.get("/api/v1/me/program").status_code != 200
    held = page(pat, "/me")
    assert "Home program held back" in held and "records the doctor's clearance" in held

    done = clear(ada, pat)
    assert done.status_code == 303, done.text
    assert "given+again" in done.headers["location"]

    home = page(pat, "/me")
    assert "Cleared by a doctor" in home and "Dr Ben Okafor" in home
    assert "GP (family doctor)" in home and "Worsening leg weakness" in home
    assert "Ada Physio" in home and "22 November 2026" in home
    assert "Start a session" in home
    result = page(pat, "/me/result")
    assert "Cleared by a doctor" in result and "Strength normal on examination" in result
    api = pat.client.get("/api/v1/me/assessment").json()
    assert api["program"] is not None and api["triage"]["level"] == "see_clinician"
    assert api["clearance"]["cleared_by"] == "Dr Ben Okafor"
    assert [r["code"] for r in api["clearance"]["reasons"]] == ["progressive-neurological-deficit"]
    assert pat.client.get("/api/v1/me/program").status_code == 200
    handout = pat.client.get("/api/v1/me/export/pdf")
    assert handout.status_code == 200
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=handout.content, capture_output=True, check=True
    ).stdout.decode()
    assert "Cleared by a doctor: Dr Ben Okafor" in " ".join(text.split())
    record = page(ada, f"/clinic/patients/{pat.id}")
    assert "Dr Ben Okafor" in record and "Withdraw this clearance" in record
    audit = [e.action for e in accounts.audit_log(db_of(web), patient=_user(web, pat))]
    assert "recorded a clearance by Dr Ben Okafor" in audit


def _user(web: Web, who: SignedIn) -> accounts.User:
    user = accounts.get_user(db_of(web), user_id=who.id)
    assert user is not None
    return user


def test_withdrawing_holds_the_program_again(web: Web) -> None:
    ada, pat = team(web)
    clear(ada, pat)
    listed = ada.api("GET", f"/api/v1/patients/{pat.id}/clearances").json()
    clearance_id = listed["clearances"][0]["id"]
    assert listed["held"] is False
    web.clock.advance(hours=1)
    gone = ada.post(
        f"/clinic/patients/{pat.id}/clearances/{clearance_id}/withdraw", follow_redirects=False
    )
    assert gone.status_code == 303
    assert pat.client.get("/api/v1/me/program").status_code != 200
    assert "Home program held back" in page(pat, "/me")
    after = ada.api("GET", f"/api/v1/patients/{pat.id}/clearances").json()
    assert after["held"] is True and after["clearances"][0]["withdrawn_at"] is not None
    audit = [e.action for e in accounts.audit_log(db_of(web), patient=_user(web, pat))]
    assert "withdrew the clearance by Dr Ben Okafor" in audit


def test_only_the_signs_it_names_and_only_real_ones(web: Web) -> None:
    ada = web.sign_up("ada@clinic.example", role="clinician", name="Ada Physio")
    pat = web.sign_up("pat@example.org", name="Pat", invite=invite(ada))
    assess(web, pat, red_flags={"progressive_leg_weakness": True, "fever_or_feeling_unwell": True})
    partial = clear(ada, pat)
    assert partial.status_code == 303 and "still+hold" in partial.headers["location"]
    assert pat.client.get("/api/v1/me/program").status_code != 200
    home = page(pat, "/me")
    assert "Cleared by a doctor" in home and "Home program held back" in home
    # a sign that is not in the latest assessment, a physiotherapist, a future date: refused
    for bad, field in (
        ({"codes": ["cauda-equina-saddle"]}, "codes"),
        ({"role": "physiotherapist"}, "role"),
        ({"cleared_on": "2026-12-30"}, "cleared_at"),
        ({"cleared_by": "  "}, "cleared_by"),
        ({"codes": []}, "codes"),
    ):
        answer = clear(ada, pat, **bad)
        assert answer.status_code == 400, (bad, answer.text)
        assert f"{field}:" in answer.text
    api = ada.api(
        "POST",
        f"/api/v1/patients/{pat.id}/clearances",
        json={
            "cleared_by": "Dr Ng",
            "role": "emergency_physician",
            "cleared_at": "2026-11-22T15:00:00+00:00",
            "codes": ["possible-spinal-infection", "progressive-neurological-deficit"],
        },
    )
    assert api.status_code == 201, api.text
    assert api.json()["program_given"] is True
    assert pat.client.get("/api/v1/me/program").status_code == 200


def test_later_answers_keep_it_only_with_the_same_warning_signs(web: Web) -> None:
    ada, pat = team(web)
    clear(ada, pat)
    db, name = db_of(web), accounts.profile_name_for(pat.id)
    web.clock.advance(days=7)
    same = intake_doc(**WEAK) | {"pain": {**intake_doc()["pain"], "intensity_now": 3}}
    again = patient_web.assess(db, profile_name=name, document=same, now=web.clock.now)
    assert again.program is not None and again.clearance is not None
    web.clock.advance(days=1)
    worse = intake_doc(red_flags={"progressive_leg_weakness": True, "saddle_numbness": True})
    held = patient_web.assess(db, profile_name=name, document=worse, now=web.clock.now)
    assert held.program is None and held.triage.level == "emergency"
    web.clock.advance(days=1)
    back = patient_web.assess(db, profile_name=name, document=intake_doc(**WEAK), now=web.clock.now)
    assert back.program is not None  # the answers the doctor saw, again


def test_a_clearance_keeps_every_other_safety_rule(web: Web) -> None:
    ada = web.sign_up("ada@clinic.example", role="clinician", name="Ada Physio")
    pat = web.sign_up("pat@example.org", name="Pat", invite=invite(ada))
    assess(
        web,
        pat,
        red_flags={"pulsating_abdominal_mass": True},
        health={"recent_hip_flexor_injury": True},
    )
    done = clear(ada, pat, codes=["aortic-aneurysm-mass"], role="emergency_physician")
    assert done.status_code == 303
    program = pat.client.get("/api/v1/me/program").json()["program"]
    assert program["items"]
    assert not any(i["abdominal_pressure"] for i in program["items"])
    assert not any(i["category"] == "stretch" for i in program["items"])


def test_only_the_care_team_records_or_sees_it(web: Web) -> None:
    ada, pat = team(web)
    eve = web.sign_up("eve@other.example", role="clinician", name="Eve Else")
    assert clear(eve, pat).status_code == 404
    assert eve.api("GET", f"/api/v1/patients/{pat.id}/clearances").status_code == 404
    clear(ada, pat)
    listed = ada.api("GET", f"/api/v1/patients/{pat.id}/clearances").json()
    clearance_id = listed["clearances"][0]["id"]
    withdraw = f"/clinic/patients/{pat.id}/clearances/{clearance_id}/withdraw"
    assert eve.post(withdraw, follow_redirects=False).status_code == 404
    assert pat.post(withdraw, follow_redirects=False).status_code in (403, 404)
    assert pat.client.get("/api/v1/me/program").status_code == 200  # nothing changed
    # once the patient leaves the clinician, the clinician can no longer record or withdraw
    pat.post(f"/me/team/{ada.id}/remove", follow_redirects=False)
    assert ada.post(withdraw, follow_redirects=False).status_code == 404
    assert ada.api("GET", f"/api/v1/patients/{pat.id}/clearances").status_code == 404


def test_a_cleared_emergency_lets_the_questions_run_to_the_end(web: Web) -> None:
    ada = web.sign_up("ada@clinic.example", role="clinician", name="Ada Physio")
    pat = web.sign_up("pat@example.org", name="Pat", invite=invite(ada))
    saddle = {"red_flags": {"saddle_numbness": True}}
    assess(web, pat, **saddle)
    done = clear(ada, pat, codes=["cauda-equina-saddle"], role="emergency_physician")
    assert done.status_code == 303
    db, name = db_of(web), accounts.profile_name_for(pat.id)
    stopped = patient_web.stop_for_emergency(
        db, profile_name=name, answers={"red_flags.saddle_numbness": True}, now=web.clock.now
    )
    assert stopped is None  # not stopped early: the full answers decide
    other = patient_web.stop_for_emergency(
        db,
        profile_name=name,
        answers={"red_flags.new_bladder_or_bowel_dysfunction": True},
        now=web.clock.now + timedelta(minutes=1),
    )
    assert other is not None and other.program is None
    Intake.model_validate(intake_doc(**saddle))
