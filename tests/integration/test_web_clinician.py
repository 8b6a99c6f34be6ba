"""The clinician's side of the web app, as clinicians and patients use it, on both databases:
who can see what (404, never 403), invitations, notes, program edits that keep
the safety rules, CSRF, the list's flags, and that the list agrees with the progression rules."""

from __future__ import annotations

import html
import json
import random
import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest

from psoas.domain import patient_list
from psoas.domain.adherence import PlannedSet, about_percent, planned_sets, sessions_number
from psoas.domain.tracking import ProgramVersion, SessionStatus, SetLog
from psoas.services import accounts, clinic, progress, tracking
from psoas.services.assessment import run_assessment
from psoas.storage.db import Database
from tests.conftest import make_intake
from tests.integration.conftest import SignedIn, Web, post_account_form

PASSWORD = "correct horse battery"


def db_of(web: Web) -> Database:
    return web.app.state.db  # type: ignore[attr-defined, no-any-return]


def invite(clinician: SignedIn) -> str:
    page = clinician.post("/clinic/invitations")
    assert page.status_code == 200, page.text
    match = re.search(r'id="invitation-code">([^<]+)<', page.text)
    assert match, "no invitation code on the page"
    return match.group(1)


def assess(web: Web, patient: SignedIn, at: datetime | None = None, **changes: Any):  # type: ignore[no-untyped-def]
    intake = make_intake(**changes)
    return tracking.save_assessment(
        db_of(web),
        profile_name=accounts.profile_name_for(patient.id),
        intake=intake,
        assessment=run_assessment(intake),
        now=at or web.clock.now,
    )


def joined_patient(web: Web, clinician: SignedIn, email: str, name: str, **intake: Any) -> SignedIn:
    patient = web.sign_up(email, name=name, invite=invite(clinician))
    assess(web, patient, **intake)
    return patient


def log_sets(web: Web, session_id: int, plan: Sequence[PlannedSet], at: datetime) -> None:
    """The sets of ``plan`` done in full, as the players log them."""
    for p in plan:
        tracking.log_set(
            db_of(web),
            entry=SetLog(
                session_id=session_id,
                item_id=p.item_id,
                side=p.side,
                set_number=p.set_number,
                hold_seconds=p.hold_seconds if p.kind == "hold" else None,
                reps=p.reps if p.kind == "reps" else None,
                minutes=p.minutes,
                completed_at=at,
                key=f"s{session_id}:{p.item_id}:{p.side}:{p.set_number}",
            ),
        )


def session_now(
    web: Web, patient: SignedIn, at: datetime | None = None, *, sets: int | None = None
) -> None:
    """One completed session at ``at`` (default: the clock's now) with the first ``sets`` sets
    of its plan done in full (every set: a whole session)."""
    db, name = db_of(web), accounts.profile_name_for(patient.id)
    at = at or web.clock.now
    record, version = tracking.start_session(db, profile_name=name, now=at)
    assert record.id is not None
    plan = planned_sets(version.program)
    log_sets(web, record.id, plan if sets is None else plan[:sets], at)
    tracking.finish_session(db, session_id=record.id, status="completed", now=at)


def current(web: Web, patient: SignedIn) -> ProgramVersion:
    return tracking.current_program(db_of(web), profile_name=accounts.profile_name_for(patient.id))


def row_of(page: str, name: str) -> str:
    """The table row of the patient list that names ``name``."""
    rows: list[str] = [r for r in re.findall(r"<tr[^>]*>.*?</tr>", page, re.S) if name in r]
    assert len(rows) == 1, f"expected one row for {name}"
    return rows[0]


@pytest.fixture
def clinic_a(web: Web) -> tuple[SignedIn, SignedIn]:
    """Clinician A ("Dr Ada") and one patient of hers with a program."""
    ada = web.sign_up("ada@clinic.test", role="clinician", name="Dr Ada")
    pat = joined_patient(web, ada, "pat@home.test", "Pat Lee")
    return ada, pat


# --- invitations --------------------------------------------------------------------------------


def test_an_invitation_signs_a_patient_up_into_the_clinicians_list(web: Web) -> None:
    ada = web.sign_up("ada@clinic.test", role="clinician", name="Dr Ada")
    assert "No patients yet" in ada.client.get("/clinic").text
    page = ada.post("/clinic/invitations")
    code = re.search(r'id="invitation-code">([^<]+)<', page.text)
    assert code
    assert f"/signup?invite={code.group(1)}" in page.text
    assert f'value="{code.group(1)}"' in web.client().get(f"/signup?invite={code.group(1)}").text

    kim = web.sign_up("kim@home.test", name="Kim Park", invite=code.group(1))
    listing = ada.client.get("/clinic")
    assert "Kim Park" in listing.text
    assert f'href="/clinic/patients/{kim.id}"' in listing.text
    assert [r["id"] for r in ada.client.get("/api/v1/patients").json()] == [kim.id]

    # The API makes invitations too; each code joins one patient only.
    made = ada.api("POST", "/api/v1/invitations")
    assert made.status_code == 201
    assert made.json()["signup_url"].endswith(f"/signup?invite={made.json()['code']}")
    reused = post_account_form(
        web.client(),
        "/signup",
        data={
            "email": "second@home.test",
            "password": PASSWORD,
            "display_name": "Second",
            "invite": code.group(1),
        },
    )
    assert reused.status_code == 400
    assert len(ada.client.get("/api/v1/patients").json()) == 1


# --- access -------------------------------------------------------------------------------------


def test_another_clinician_gets_404_for_every_page_api_call_and_export(
    web: Web, clinic_a: tuple[SignedIn, SignedIn]
) -> None:
    ada, pat = clinic_a
    ben = web.sign_up("ben@other.test", role="clinician", name="Dr Ben")
    item = current(web, pat).program.items[0].id
    base = f"/clinic/patients/{pat.id}"
    api = f"/api/v1/patients/{pat.id}"
    reads = [
        base,
        f"{base}/program",
        f"{base}/handout.pdf",
        *(f"{base}/export/{fmt}" for fmt in ("json", "csv", "fhir", "ics")),
        api,
        f"{api}/notes",
        f"{api}/handout.pdf",
        *(f"{api}/export/{fmt}" for fmt in ("json", "csv", "fhir", "ics")),
    ]
    for url in reads:
        assert ben.client.get(url).status_code == 404, url
    assert ben.post(f"{base}/notes", {"summary": "peek"}).status_code == 404
    assert ben.post(f"{base}/program", {"reason": "mine now", "remove": item}).status_code == 404
    assert ben.api("POST", f"{api}/notes", json={"summary": "peek"}).status_code == 404
    edit = {"reason": "mine now", "remove": [item]}
    assert ben.api("POST", f"{api}/program", json=edit).status_code == 404
    # Same answer as for a patient who does not exist: ids reveal nothing.
    assert ben.client.get("/clinic/patients/999999").status_code == 404
    assert "Pat Lee" not in ben.client.get("/clinic").text
    assert ben.client.get("/api/v1/patients").json() == []

    # Nothing changed, and B left no trace in the patient's audit log.
    assert ada.client.get(f"{api}/notes").json() == []
    assert current(web, pat).version == 1
    patient = accounts.get_user(db_of(web), user_id=pat.id)
    assert patient is not None
    assert {e.actor for e in accounts.audit_log(db_of(web), patient=patient)} <= {
        "Dr Ada",
        "Pat Lee",
    }


def test_a_patient_cannot_reach_the_clinic_nor_another_patient(
    web: Web, clinic_a: tuple[SignedIn, SignedIn]
) -> None:
    ada, pat = clinic_a
    other = joined_patient(web, ada, "other@home.test", "Olive Other")
    for who, target in ((pat, pat.id), (pat, other.id), (other, pat.id)):
        for url in (
            "/clinic",
            f"/clinic/patients/{target}",
            f"/clinic/patients/{target}/program",
            f"/clinic/patients/{target}/export/json",
            "/api/v1/patients",
            f"/api/v1/patients/{target}",
            f"/api/v1/patients/{target}/export/csv",
        ):
            assert who.client.get(url).status_code == 404, url
        assert who.post(f"/clinic/patients/{target}/notes", {"summary": "x"}).status_code == 404
        assert who.api("POST", "/api/v1/invitations").status_code == 404
        assert who.post("/clinic/invitations").status_code == 404
    signed_out = web.client()
    assert signed_out.get("/clinic", follow_redirects=False).headers["location"] == "/signin"
    assert signed_out.get("/api/v1/patients").status_code == 401


def test_opening_a_record_is_audited_and_the_patient_sees_it(
    web: Web, clinic_a: tuple[SignedIn, SignedIn]
) -> None:
    ada, pat = clinic_a
    assert "viewed record" not in pat.client.get("/account").text
    web.clock.advance(hours=1)
    assert ada.client.get(f"/clinic/patients/{pat.id}").status_code == 200
    web.clock.advance(minutes=5)
    assert ada.client.get(f"/clinic/patients/{pat.id}/export/csv").status_code == 200
    account = pat.client.get("/account").text
    assert "Dr Ada" in account
    assert "viewed record" in account
    assert "exported csv" in account
    assert "2026-11-23 10:00" in account  # when, from the app's clock


# --- the record page and notes ------------------------------------------------------------------


def test_the_record_shows_assessment_program_history_charts_and_exports(
    web: Web, clinic_a: tuple[SignedIn, SignedIn]
) -> None:
    ada, pat = clinic_a
    name = accounts.profile_name_for(pat.id)
    tracking.log_pain(db_of(web), profile_name=name, score=5, now=web.clock.now)
    session_now(web, pat)
    web.clock.advance(days=1)
    tracking.log_pain(db_of(web), profile_name=name, score=3, now=web.clock.now)
    page = ada.client.get(f"/clinic/patients/{pat.id}").text
    program = current(web, pat).program
    for item in program.items:
        assert item.name in page
    assert "first program, from the assessment" in page
    assert "2026-11-23 09:00" in page  # the session in the history table
    # The patient's own charts, as numbers the browser draws (the same as on their page), with
    # their words for screen readers and their numbers as tables
    data = re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', page, re.S)
    assert data is not None
    assert "pain" in {c["id"] for c in json.loads(data.group(1))}
    assert 'data-chart="pain"' in page and "data:image" not in page
    assert '<script src="/static/progress-charts.js" defer>' in page
    assert len(page.encode()) < 150_000
    tracking.log_pain(db_of(web), profile_name=name, score=9, now=web.clock.now)
    again = ada.client.get(f"/clinic/patients/{pat.id}").text
    later = re.search(r'id="chart-data">(.*?)</script>', again, re.S)
    assert later is not None and later.group(1) != data.group(1)  # a new rating, drawn at once
    assert '<span class="badge self_care">' in page

    for fmt, media in (
        ("json", "application/json"),
        ("csv", "text/csv"),
        ("fhir", "application/fhir+json"),
        ("ics", "text/calendar"),
    ):
        for url in (
            f"/clinic/patients/{pat.id}/export/{fmt}",
            f"/api/v1/patients/{pat.id}/export/{fmt}",
        ):
            response = ada.client.get(url)
            assert response.status_code == 200, url
            assert response.headers["content-type"].startswith(media)
            assert "attachment" in response.headers["content-disposition"]
    assert ada.client.get(f"/clinic/patients/{pat.id}/export/xml").status_code == 404
    assert ada.client.get(f"/api/v1/patients/{pat.id}/export/xml").status_code == 422
    pdf = ada.client.get(f"/clinic/patients/{pat.id}/handout.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")

    detail = ada.client.get(f"/api/v1/patients/{pat.id}").json()
    assert detail["program"]["version"] == 1
    assert detail["held_back"] is None
    assert detail["progress"]["adherence_7"]["completed"] == 1
    assert detail["patient"]["pain_baseline"] == 4


def test_notes_and_where_a_follow_up_goes(web: Web, clinic_a: tuple[SignedIn, SignedIn]) -> None:
    ada, pat = clinic_a
    url = f"/clinic/patients/{pat.id}/notes"
    saved = ada.post(url, {"summary": "Kneeling hurts her right knee."}, follow_redirects=False)
    assert saved.status_code == 303 and "Note+saved" in saved.headers["location"]
    page = ada.client.get(f"/clinic/patients/{pat.id}").text
    assert "Kneeling hurts her right knee." in page
    # a follow-up is booked as an appointment, never kept as a note
    assert 'href="#appointments"' in page and 'name="scheduled_for"' not in page

    # Bad input names the field and saves nothing.
    empty = ada.post(url, {"summary": "   "})
    assert empty.status_code == 400 and "write what the note is about" in empty.text

    api = f"/api/v1/patients/{pat.id}/notes"
    made = ada.api("POST", api, json={"summary": "Phoned: going well."})
    assert made.status_code == 201 and made.json()["kind"] == "note"
    old_way = {"kind": "telehealth", "summary": "video", "scheduled_for": "2026-11-26T16:00Z"}
    assert ada.api("POST", api, json=old_way).status_code == 422
    notes = ada.client.get(api).json()
    assert [n["summary"] for n in notes] == [
        "Phoned: going well.",
        "Kneeling hurts her right knee.",
    ]
    assert notes[0]["clinician"] == "Dr Ada" and "scheduled_for" not in notes[0]
    assert "added a note" in pat.client.get("/account").text


# --- program edits ------------------------------------------------------------------------------


def test_a_program_edit_is_saved_as_a_new_version_with_the_reason(
    web: Web, clinic_a: tuple[SignedIn, SignedIn]
) -> None:
    ada, pat = clinic_a
    before = current(web, pat)
    items = {i.id: i for i in before.program.items}
    stretch = next(i for i in before.program.items if i.dose.per_side and i.dose.sets)
    removed = next(i.id for i in before.program.items if i.category == "strengthen")
    page = ada.client.get(f"/clinic/patients/{pat.id}/program").text
    assert "standing-staggered-hip-flexor-stretch" in page
    response = ada.post(
        f"/clinic/patients/{pat.id}/program",
        {
            "reason": "kneeling hurts; add the standing version",
            "remove": removed,
            "add": "standing-staggered-hip-flexor-stretch",
            f"left:{stretch.id}": "1",
            f"right:{stretch.id}": "2",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    after = current(web, pat)
    assert after.version == 2
    assert after.reason == "edited by Dr Ada: kneeling hurts; add the standing version"
    new_items = {i.id: i for i in after.program.items}
    assert removed not in new_items
    assert "standing-staggered-hip-flexor-stretch" in new_items
    sides = new_items[stretch.id].dose.per_side
    assert sides is not None
    assert (sides.left, sides.right) == (
        1,
        2,
    )
    assert any(e.id == removed and "Dr Ada" in e.message for e in after.program.excluded)
    assert new_items[stretch.id].minutes_per_session < items[stretch.id].minutes_per_session
    # The earlier version stays exactly as it was.
    versions = clinic.program_versions(
        db_of(web),
        clinician=accounts.get_user(db_of(web), user_id=ada.id),  # type: ignore[arg-type]
        patient=accounts.get_user(db_of(web), user_id=pat.id),  # type: ignore[arg-type]
    )
    assert versions[0] == before
    record = ada.client.get(f"/clinic/patients/{pat.id}").text
    assert "edited by Dr Ada: kneeling hurts; add the standing version" in record

    # The JSON twin: a dose change.
    strengthen = next(i for i in after.program.items if i.category == "strengthen" and i.dose.sets)
    sets = strengthen.dose.sets or 1
    edit: dict[str, Any] = {"reason": "one set more", "doses": {strengthen.id: {"sets": sets + 1}}}
    if strengthen.dose.per_side:
        left = strengthen.dose.per_side.left + 1
        edit["doses"] = {strengthen.id: {"left": left, "right": left}}
    made = ada.api("POST", f"/api/v1/patients/{pat.id}/program", json=edit)
    assert made.status_code == 201, made.text
    assert made.json()["version"] == 3
    assert current(web, pat).reason == "edited by Dr Ada: one set more"
    nothing = ada.api("POST", f"/api/v1/patients/{pat.id}/program", json={"reason": "no-op"})
    assert nothing.status_code == 422
    assert current(web, pat).version == 3


def test_an_unsafe_program_edit_is_refused_with_the_reason_and_saves_nothing(web: Web) -> None:
    ada = web.sign_up("ada@clinic.test", role="clinician", name="Dr Ada")
    dana = joined_patient(web, ada, "dana@home.test", "Dana W", health={"pregnant": True})
    assert all(not i.abdominal_pressure for i in current(web, dana).program.items)
    editor = ada.client.get(f"/clinic/patients/{dana.id}/program").text
    assert 'value="massage-gun-psoas-release"' not in editor  # not offered to tick
    assert "Left out because you are pregnant" in editor  # listed with the reason

    url = f"/clinic/patients/{dana.id}/program"
    refused = ada.post(url, {"reason": "try the gun", "add": "massage-gun-psoas-release"})
    assert refused.status_code == 400
    assert "Massage-gun release of the psoas and iliacus cannot be added" in refused.text
    assert "you are pregnant" in refused.text
    api = ada.api(
        "POST",
        f"/api/v1/patients/{dana.id}/program",
        json={"reason": "try the gun", "add": ["massage-gun-psoas-release"]},
    )
    assert api.status_code == 422
    assert any("you are pregnant" in p["message"] for p in api.json()["detail"])

    stretch = next(i for i in current(web, dana).program.items if i.category == "stretch")
    field = f"left:{stretch.id}" if stretch.dose.per_side else f"sets:{stretch.id}"
    too_much = ada.post(url, {"reason": "more", field: "50", f"right:{stretch.id}": "50"})
    assert too_much.status_code == 400
    assert "must be 1 to 5" in too_much.text
    for odd in ("nan", "inf", "-inf", "1e400", "ten"):
        silly = ada.post(url, {"reason": "odd", field: odd, f"right:{stretch.id}": odd})
        assert silly.status_code == 400, odd
        assert "must be a number" in silly.text, odd
    unknown = ada.post(url, {"reason": "new thing", "add": "cartwheels"})
    assert unknown.status_code == 400
    assert "'cartwheels' is not an exercise in the catalog" in html.unescape(unknown.text)
    assert ada.post(url, {"reason": "", "remove": stretch.id}).status_code == 400

    assert current(web, dana).version == 1


def test_a_red_flag_withholds_the_program_on_every_clinician_surface(web: Web) -> None:
    ada = web.sign_up("ada@clinic.test", role="clinician", name="Dr Ada")
    calm = joined_patient(web, ada, "calm@home.test", "Aaron Calm")
    eli = joined_patient(
        web, ada, "eli@home.test", "Zeke Eli", red_flags={"new_bladder_or_bowel_dysfunction": True}
    )
    session_now(web, calm)
    rows = ada.client.get("/api/v1/patients").json()
    assert [r["name"] for r in rows] == ["Zeke Eli", "Aaron Calm"]  # flagged first
    assert rows[0]["flags"] == ["red flag"]
    assert rows[0]["program_version"] is None and rows[0]["program_held_back"] is True
    assert '<span class="flag red-flag">red flag</span>' in row_of(
        ada.client.get("/clinic").text, "Zeke Eli"
    )

    page = ada.client.get(f"/clinic/patients/{eli.id}").text
    assert "Program held back" in page
    assert "emergency department" in page
    detail = ada.client.get(f"/api/v1/patients/{eli.id}").json()
    assert detail["program"] is None and detail["decision"] is None
    assert "warning signs" in detail["held_back"]
    assert ada.client.get(f"/clinic/patients/{eli.id}/export/ics").status_code == 409
    assert ada.client.get(f"/clinic/patients/{eli.id}/handout.pdf").status_code == 409
    editor = ada.client.get(f"/clinic/patients/{eli.id}/program").text
    assert 'name="add"' not in editor
    edit = ada.post(f"/clinic/patients/{eli.id}/program", {"reason": "x" * 5, "add": "dead-bug"})
    assert edit.status_code == 400
    assert "held back" in edit.text


def test_form_posts_without_the_csrf_token_are_refused(
    web: Web, clinic_a: tuple[SignedIn, SignedIn]
) -> None:
    ada, pat = clinic_a
    item = current(web, pat).program.items[0].id
    for url, data in (
        ("/clinic/invitations", {}),
        (f"/clinic/patients/{pat.id}/notes", {"summary": "forged"}),
        (f"/clinic/patients/{pat.id}/program", {"reason": "forged", "remove": item}),
    ):
        assert ada.client.post(url, data=data).status_code == 403, url
        forged = ada.client.post(url, data={**data, "csrf_token": "not-the-token"})
        assert forged.status_code == 403, url
    assert (
        ada.client.post(f"/api/v1/patients/{pat.id}/notes", json={"summary": "forged"}).status_code
        == 403
    )
    assert ada.client.get(f"/api/v1/patients/{pat.id}/notes").json() == []
    assert current(web, pat).version == 1


# --- flags and the list -------------------------------------------------------------------------


def test_inactive_week_once_eight_days_pass_without_a_session(
    web: Web, clinic_a: tuple[SignedIn, SignedIn]
) -> None:
    ada, pat = clinic_a
    session_now(web, pat)
    assert "inactive week" not in row_of(ada.client.get("/clinic").text, "Pat Lee")
    web.clock.advance(days=8)
    row = row_of(ada.client.get("/clinic").text, "Pat Lee")
    assert '<span class="flag inactive-week">inactive week</span>' in row
    assert "8 days ago" in row
    assert "inactive week" in ada.client.get("/api/v1/patients").json()[0]["flags"]


def test_pain_worse_is_flagged_and_flagged_patients_come_first(web: Web) -> None:
    ada = web.sign_up("ada@clinic.test", role="clinician", name="Dr Ada")
    abe = joined_patient(web, ada, "abe@home.test", "Abe Fine", pain={"intensity_now": 3})
    zed = joined_patient(web, ada, "zed@home.test", "Zed Worse", pain={"intensity_now": 3})
    db = db_of(web)
    for day in range(3):
        at = web.clock.now + timedelta(days=day)
        tracking.log_pain(db, profile_name=accounts.profile_name_for(abe.id), score=2, now=at)
        tracking.log_pain(db, profile_name=accounts.profile_name_for(zed.id), score=6, now=at)
    web.clock.advance(days=2, hours=1)
    session_now(web, abe)
    session_now(web, zed)
    page = ada.client.get("/clinic").text
    assert page.index("Zed Worse") < page.index("Abe Fine")
    assert '<span class="flag pain-worse">pain worse</span>' in row_of(page, "Zed Worse")
    assert "3.0 → 6.0" in row_of(page, "Zed Worse")
    assert "flag" not in row_of(page, "Abe Fine").replace('class="flagged', "")
    rows = {r["name"]: r for r in ada.client.get("/api/v1/patients").json()}
    assert rows["Zed Worse"]["flags"] == ["pain worse"]
    assert rows["Abe Fine"]["flags"] == []
    assert rows["Zed Worse"]["pain_change"] == pytest.approx(3.0)


def _random_weeks(web: Web, patient: SignedIn, rng: random.Random, start: datetime) -> None:
    """Six weeks of uneven use: twice-a-day sessions, quits, sessions without sets or with
    some of them (a set logged twice, once held for half its time), pain."""
    db, name = db_of(web), accounts.profile_name_for(patient.id)
    for day in range(42):
        for slot in (7, 12, 18):  # sometimes more sessions in a day than the program asks for
            at = start + timedelta(days=day, hours=slot - 9, minutes=rng.randrange(50))
            roll = rng.random()
            if roll < (0.8 if slot == 12 else 0.35):
                continue
            record, version = tracking.start_session(db, profile_name=name, now=at)
            assert record.id is not None
            if roll < 0.85:  # some of the sets, some held for less than planned
                plan = planned_sets(version.program)
                done = plan[: rng.randrange(1, len(plan) + 1)]
                log_sets(web, record.id, done, at)
                short = rng.choice(done)
                if short.kind == "hold" and rng.random() < 0.5:
                    tracking.log_set(
                        db,
                        entry=SetLog(
                            session_id=record.id,
                            item_id=short.item_id,
                            side=short.side,
                            set_number=short.set_number,
                            hold_seconds=(short.hold_seconds or 30) // 2,
                            completed_at=at,
                            key=f"s{record.id}:again",
                        ),
                    )
            if roll < 0.9:
                status: SessionStatus = "completed" if roll < 0.7 else "quit"
                tracking.finish_session(db, session_id=record.id, status=status, now=at)
        if rng.random() < 0.7:
            score = max(0, min(10, 4 + rng.randrange(-2, 4)))
            at = start + timedelta(days=day, hours=11)
            tracking.log_pain(db, profile_name=name, score=score, now=at)
        if day in (13, 30):
            from psoas.domain.tracking import Retest

            retest = Retest(at=start + timedelta(days=day, hours=12), thomas_left_hip_deg=5.0)
            tracking.log_retest(db, profile_name=name, retest=retest)


def test_the_list_agrees_with_the_progression_rules(web: Web) -> None:
    """The list's aggregate queries give what the domain rules give from the full history."""
    ada = web.sign_up("ada@clinic.test", role="clinician", name="Dr Ada")
    start = web.clock.now
    patients = [
        joined_patient(
            web,
            ada,
            f"p{n}@home.test",
            f"P{n}",
            daily_life=life,
            preferences={"minutes_per_day": 60},
        )
        for n, life in enumerate(
            (
                {"sitting_hours_per_day": 9},
                {"sitting_hours_per_day": 2},
                {"sitting_hours_per_day": 3, "activities": ["cycling"]},
            )
        )
    ]
    per_day = {current(web, p).program.sessions_per_day for p in patients}
    assert per_day == {1, 2}, "the test needs programs of one and of two sessions a day"
    for n, patient in enumerate(patients):
        _random_weeks(web, patient, random.Random(n), start)
    clinician = accounts.get_user(db_of(web), user_id=ada.id)
    assert clinician is not None
    for days in (5, 20, 41.7, 47, 60):
        now = start + timedelta(days=days)
        rows = {r.id: r for r in clinic.patient_rows(db_of(web), clinician, now)}
        for patient in patients:
            summary = progress.report(
                db_of(web), profile_name=accounts.profile_name_for(patient.id), now=now
            ).summary
            row = rows[patient.id]
            assert row.adherence_7 == summary.adherence_7, (days, patient.email)
            assert row.adherence_28 == summary.adherence_28, (days, patient.email)
            assert row.pain_recent == pytest.approx(summary.pain.recent_average)
            assert row.pain_baseline == summary.pain.baseline
            assert (patient_list.PAIN_WORSE in row.flags) == summary.pain.meaningful_worsening
            assert (patient_list.INACTIVE_WEEK in row.flags) == summary.inactive_week
            assert (patient_list.RETEST_DUE in row.flags) == summary.retest_due
            assert row.days_since_last_session == summary.days_since_last_session


def test_adherence_counts_at_most_the_programs_sessions_a_day(web: Web) -> None:
    ada = web.sign_up("ada@clinic.test", role="clinician", name="Dr Ada")
    once = web.sign_up("once@home.test", name="Once", invite=invite(ada))
    twice = web.sign_up("twice@home.test", name="Twice", invite=invite(ada))
    # Programs from 40 days ago (the windows hold no program start), then nothing until three
    # days ago: three sessions on one day, then one a day.
    started = web.clock.now - timedelta(days=40)
    assess(web, once, at=started, daily_life={"sitting_hours_per_day": 2})
    assess(web, twice, at=started, preferences={"minutes_per_day": 60})
    assert current(web, once).program.sessions_per_day == 1
    assert current(web, twice).program.sessions_per_day == 2
    for hours in (1, 2, 3, 25, 49):
        at = web.clock.now - timedelta(days=3) + timedelta(hours=hours)
        session_now(web, once, at)
        session_now(web, twice, at)
    rows = {r["name"]: r for r in ada.client.get("/api/v1/patients").json()}
    assert rows["Once"]["adherence_7"]["completed"] == 3
    assert rows["Once"]["adherence_28"] == {
        "window_days": 28,
        "completed": 3,
        "expected": 28,
        "fraction": 3 / 28,
    }
    assert rows["Twice"]["adherence_7"] == {
        "window_days": 7,
        "completed": 4,  # 2 + 1 + 1, not 5
        "expected": 14,
        "fraction": 4 / 14,
    }
    assert rows["Twice"]["adherence_28"]["completed"] == 4


def test_an_emergency_stop_is_shown_as_stopped_and_is_not_the_pain_baseline(web: Web) -> None:
    from psoas.services import patient_web

    ada = web.sign_up("ada@clinic.test", role="clinician", name="Dr Ada")
    bo = joined_patient(web, ada, "bo@home.test", "Bo Stopped", pain={"intensity_now": 6})
    cy = web.sign_up("cy@home.test", name="Cy First", invite=invite(ada))
    web.clock.advance(days=1)
    for patient in (bo, cy):  # the web form stopped at saddle numbness
        stopped = patient_web.stop_for_emergency(
            db_of(web),
            profile_name=accounts.profile_name_for(patient.id),
            answers={"red_flags.saddle_numbness": True},
            now=web.clock.now,
        )
        assert stopped is not None and stopped.triage.level == "emergency"

    rows = {r["name"]: r for r in ada.client.get("/api/v1/patients").json()}
    assert rows["Bo Stopped"]["pain_baseline"] == 6  # the stop's placeholder 0 is not a rating
    assert rows["Cy First"]["pain_baseline"] is None
    assert all(r["flags"][0] == "red flag" for r in rows.values())

    page = html.unescape(ada.client.get(f"/clinic/patients/{bo.id}").text)
    assert page.count("The questions stopped at the warning signs") == 1
    assert "pain 6/10" in page  # the complete assessment before it, as answered
    assert "pain 0/10" not in page
    history = tracking.history(db_of(web), profile_name=accounts.profile_name_for(bo.id))
    assert [a.complete for a in history.assessments] == [True, False]


def test_a_mostly_skipped_session_counts_its_share_on_every_surface(
    web: Web, clinic_a: tuple[SignedIn, SignedIn]
) -> None:
    """Two sets of a session done, the rest skipped and the session "completed": the list, the
    record, the patient's progress and the API all count the share of the work done."""
    ada, pat = clinic_a
    session_now(web, pat, sets=2)
    plan = planned_sets(current(web, pat).program)
    share = sum(p.work_seconds for p in plan[:2]) / sum(p.work_seconds for p in plan)
    rows = {r["name"]: r for r in ada.client.get("/api/v1/patients").json()}
    (row,) = rows.values()
    assert row["adherence_7"]["completed"] == pytest.approx(share)
    assert row["adherence_7"]["fraction"] == pytest.approx(share / row["adherence_7"]["expected"])
    detail = ada.client.get(f"/api/v1/patients/{pat.id}").json()
    assert detail["progress"]["adherence_7"] == row["adherence_7"]
    mine = pat.client.get("/api/v1/me/progress").json()
    assert mine["summary"]["adherence_7"] == row["adherence_7"]
    words = html.unescape(ada.client.get("/clinic").text)
    assert f"({sessions_number(share)}/1)" in words
    record = html.unescape(ada.client.get(f"/clinic/patients/{pat.id}").text)
    assert f'<td class="num">{about_percent(share)}%</td>' in record  # the session's work


def test_a_clinicians_edit_does_not_reset_adherence(
    web: Web, clinic_a: tuple[SignedIn, SignedIn]
) -> None:
    ada, pat = clinic_a
    start = web.clock.now
    for day in range(6):
        session_now(web, pat, start + timedelta(days=day))
    web.clock.advance(days=6)
    item = next(i for i in current(web, pat).program.items if i.category == "strengthen")
    edited = ada.api(
        "POST", f"/api/v1/patients/{pat.id}/program", json={"reason": "less", "remove": [item.id]}
    )
    assert edited.status_code == 201, edited.text
    rows = {r["name"]: r for r in ada.client.get("/api/v1/patients").json()}
    (row,) = rows.values()
    assert row["program_version"] == 2
    # the six days of version 1 still count: 6 of 7, not "0 of 1" since the edit
    assert (row["adherence_7"]["completed"], row["adherence_7"]["expected"]) == (6, 7)
    mine = pat.client.get("/api/v1/me/progress").json()["summary"]
    assert mine["adherence_7"] == row["adherence_7"]


def test_the_record_shows_the_thomas_baseline_with_the_retests(web: Web) -> None:
    from psoas.domain.tracking import Retest

    ada = web.sign_up("ada@clinic.test", role="clinician", name="Dr Ada")
    tia = joined_patient(
        web,
        ada,
        "tia@home.test",
        "Tia",
        observations={
            "thomas_test": {"left": {"hip_angle_deg": 12}, "right": {"hip_angle_deg": 14}}
        },
    )
    web.clock.advance(days=1)
    retest = Retest(at=web.clock.now, thomas_left_hip_deg=1, thomas_right_hip_deg=13)
    tracking.log_retest(db_of(web), profile_name=accounts.profile_name_for(tia.id), retest=retest)
    page = html.unescape(ada.client.get(f"/clinic/patients/{tia.id}").text)
    assert (
        "Start → latest: left 12 (assessment) → 1 (latest re-test); right 14 (assessment) → 13 "
        "(latest re-test)."
    ) in page
    assert 'at the assessment</span></td><td class="num">12</td><td class="num">14</td>' in page
    assert "thigh 12 degrees above the table at the assessment, thigh 1 degree above" in page


def test_the_list_comes_in_pages_flagged_first_and_finds_by_name_or_email(
    web: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    from psoas.web.routes import clinician as routes

    monkeypatch.setattr(routes, "LIST_PAGE", 2)
    ada = web.sign_up("ada@clinic.test", role="clinician", name="Dr Ada")
    for email, name in (("pat@home.test", "Pat Lee"), ("kim@home.test", "Kim Ode")):
        joined_patient(web, ada, email, name)
    joined_patient(web, ada, "eli@home.test", "Eli Novak", red_flags={"saddle_numbness": True})

    first = ada.client.get("/clinic").text
    assert "3 patients, 1 flagged" in first
    assert "Eli Novak" in first  # the red flag is on page 1
    assert "1–2 of 3" in first and 'href="/clinic?page=2"' in first
    second = ada.client.get("/clinic", params={"page": 2}).text
    assert "3–3 of 3" in second and 'href="/clinic?page=1"' in second
    shown = [n for n in ("Pat Lee", "Kim Ode", "Eli Novak") if n in first or n in second]
    assert len(shown) == 3 and "Eli Novak" not in second
    assert ada.client.get("/clinic", params={"page": 99}).status_code == 200  # the last page

    found = ada.client.get("/clinic", params={"q": "kim@"}).text
    assert "Kim Ode" in found and "Pat Lee" not in found and "1–1 of 1 found" in found
    none = ada.client.get("/clinic", params={"q": "nobody"}).text
    assert "No patient matches" in none
    assert ada.client.get("/clinic", params={"q": "x" * 101}).status_code in (404, 422)
