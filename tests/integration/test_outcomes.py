"""Outcomes and records on both databases: a clinician of the care team enters Oswestry and
Roland-Morris totals (the total only), the patient rates how their back has changed, both see
them on the progress charts, the clinician downloads the episode report (a PDF with the right
figures) and the handout names the clinic with a QR code; birth dates are kept, checked, shown
to the clinician, used for the age and exported in a valid FHIR Patient. A clinician outside
the care team gets 404 everywhere."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import date, timedelta

import pytest

from psoas.services import accounts, outcomes, patient_web
from tests.integration.conftest import SignedIn, Web
from tests.integration.test_web_clinician import assess, db_of, invite


def _team(web: Web) -> tuple[SignedIn, SignedIn]:
    clinician = web.sign_up("physio@example.org", role="clinician", name="Dana Physio")
    patient = web.sign_up("pat@example.org", name="Pat Lee", invite=invite(clinician))
    assess(web, patient)
    return clinician, patient


def _text(pdf: bytes) -> str:
    """The PDF's text as poppler reads it (it fails on a file that does not open); pages are
    separated by form feeds."""
    return subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def test_a_clinician_enters_totals_and_the_patient_rates_change(web: Web) -> None:
    clinician, patient = _team(web)
    today = web.clock.now.date()
    earlier = today - timedelta(days=28)
    first = clinician.post(
        f"/clinic/patients/{patient.id}/outcomes",
        {"measure": "odi", "score": "42", "scored_on": earlier.isoformat()},
        follow_redirects=False,
    )
    assert first.status_code == 303, first.text
    assert first.headers["location"].endswith("#outcomes")
    clinician.post(
        f"/clinic/patients/{patient.id}/outcomes",
        {"measure": "odi", "score": "28", "scored_on": today.isoformat()},
    )
    clinician.post(
        f"/clinic/patients/{patient.id}/outcomes",
        {"measure": "rmdq", "score": "11", "scored_on": today.isoformat()},
    )
    rated = patient.post("/me/progress/change", {"score": "3"}, follow_redirects=False)
    assert rated.status_code == 303 and "#change" in rated.headers["location"]

    # the patient's charts carry them, as numbers the browser draws
    page = patient.client.get("/me/progress")
    assert page.status_code == 200
    data = json.loads(
        re.search(
            r'<script type="application/json" id="chart-data">(.*?)</script>', page.text, re.S
        )
        .group(1)  # type: ignore[union-attr]
        .replace("\\u003c", "<")
    )
    by_id = {c["id"]: c for c in data}
    assert by_id["odi"]["series"][0]["points"] == [
        [earlier.isoformat(), 42.0],
        [today.isoformat(), 28.0],
    ]
    assert by_id["odi"]["band"] == [32.0, 52.0]  # 10 points either side of the first total
    assert by_id["rmdq"]["series"][0]["points"] == [[today.isoformat(), 11.0]]
    assert by_id["groc"]["series"][0]["points"] == [[today.isoformat(), 3.0]]
    assert by_id["groc"]["rule"] == 0
    assert "Your last rating" in page.text and "+3 (somewhat better)" in page.text
    assert "a meaningful change (better" in page.text  # 42 -> 28 is 14 points

    # the clinician's page: the matplotlib charts and the table of numbers
    record = clinician.client.get(f"/clinic/patients/{patient.id}")
    assert record.status_code == 200
    assert "Oswestry Disability Index" in record.text  # a chart's title (alt text)
    assert "<strong>28 %</strong>" in record.text
    assert "+3 (somewhat better)" in record.text and "(patient)" in record.text
    log = accounts.audit_log(db_of(web), patient=accounts.get_user(db_of(web), user_id=patient.id))  # type: ignore[arg-type]
    assert any(e.action == "entered a Oswestry (ODI) total" for e in log)

    # the API says the same
    listed = clinician.client.get(f"/api/v1/patients/{patient.id}/outcomes").json()
    assert [(x["measure"], x["score"]) for x in listed] == [
        ("odi", 42.0),
        ("odi", 28.0),
        ("rmdq", 11.0),
        ("groc", 3.0),
    ]
    assert listed[3]["entered_by"] == "patient" and listed[3]["text"] == "+3 (somewhat better)"
    mine = patient.client.get("/api/v1/me/outcomes").json()
    assert len(mine) == 4


def test_bad_totals_are_refused_and_name_the_field(web: Web) -> None:
    clinician, patient = _team(web)
    today = web.clock.now.date()
    for measure, score, day, expect in (
        ("odi", "101", today, "Total: must be from 0 to 100"),
        ("rmdq", "12.5", today, "Total: must be a whole number"),
        ("rmdq", "25", today, "Total: must be from 0 to 24"),
        ("odi", "30", today + timedelta(days=2), "Date scored: cannot be in the future"),
        ("odi", "lots", today, "Total: must be a number"),
    ):
        page = clinician.post(
            f"/clinic/patients/{patient.id}/outcomes",
            {"measure": measure, "score": score, "scored_on": day.isoformat()},
        )
        assert page.status_code == 400, (measure, score)
        assert expect in page.text
    assert outcomes.scores(db_of(web), patient_id=patient.id) == []
    # a patient cannot enter a total of a licensed form; only their own rating of change
    refused = patient.api("POST", "/api/v1/me/outcomes", json={"score": 9})
    assert refused.status_code == 422
    api = clinician.api(
        "POST",
        f"/api/v1/patients/{patient.id}/outcomes",
        json={"measure": "rmdq", "score": 30, "scored_on": today.isoformat()},
    )
    assert api.status_code == 422
    assert "score" in json.dumps(api.json())


def test_a_clinician_outside_the_care_team_gets_404(web: Web) -> None:
    _, patient = _team(web)
    other = web.sign_up("other@example.org", role="clinician", name="Other Clinic")
    today = web.clock.now.date().isoformat()
    assert other.client.get(f"/clinic/patients/{patient.id}/episode-report.pdf").status_code == 404
    posted = other.post(
        f"/clinic/patients/{patient.id}/outcomes",
        {"measure": "odi", "score": "20", "scored_on": today},
    )
    assert posted.status_code == 404
    assert other.client.get(f"/api/v1/patients/{patient.id}/outcomes").status_code == 404
    api = other.api(
        "POST",
        f"/api/v1/patients/{patient.id}/outcomes",
        json={"measure": "odi", "score": 20, "scored_on": today},
    )
    assert api.status_code == 404
    assert outcomes.scores(db_of(web), patient_id=patient.id) == []
    # and a patient has no clinician pages at all
    assert patient.client.get(f"/api/v1/patients/{patient.id}/outcomes").status_code in (403, 404)


def test_the_episode_report_has_the_right_figures_and_is_audited(web: Web) -> None:
    clinician, patient = _team(web)
    clinic_admin = clinician  # the first clinician of a clinic is its administrator
    saved = clinic_admin.post(
        "/clinic/team/contact",
        {
            "phone": "+44 20 7946 0000",
            "email": "desk@riverside.example",
            "website": "https://riverside.example",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    patient.post("/account/birth-date", {"birth_date": "1984-03-09"})
    today = web.clock.now.date()
    patient_web.record_pain(
        db_of(web),
        profile_name=accounts.profile_name_for(patient.id),
        data={"score": 4},
        now=web.clock.now,
    )
    for measure, score, day in (
        ("odi", "46", today - timedelta(days=42)),
        ("odi", "30", today),
        ("rmdq", "14", today - timedelta(days=42)),
        ("rmdq", "7", today),
    ):
        clinician.post(
            f"/clinic/patients/{patient.id}/outcomes",
            {"measure": measure, "score": score, "scored_on": day.isoformat()},
        )
    patient.post("/me/progress/change", {"score": "5"})

    got = clinician.client.get(f"/clinic/patients/{patient.id}/episode-report.pdf")
    assert got.status_code == 200
    assert got.headers["content-type"] == "application/pdf"
    assert "attachment" in got.headers["content-disposition"]
    text = _text(got.content)
    assert 1 <= text.count("\f") <= 4  # a page or three (a form feed ends each page)
    for expected in (
        "Episode report",
        "Pat Lee",
        "9 March 1984",
        "age 42",
        "Dana Physio",
        "Dana Physio's clinic",
        "+44 20 7946 0000",
        "desk@riverside.example",
        "46 %",
        "30 %",
        "14 of 24",
        "7 of 24",
        "+5 (much better)",
        "Program versions",
        "Hip flexors:",
        "ostelo-2008",
    ):
        assert expected in text, expected
    assert "a meaningful change (better" in text.replace("\n", " ")
    db = db_of(web)
    log = accounts.audit_log(db, patient=accounts.get_user(db, user_id=patient.id))  # type: ignore[arg-type]
    assert log[0].action == "downloaded the episode report"
    assert log[0].actor == "Dana Physio"


def test_the_handout_names_the_clinic_and_carries_a_qr_code(web: Web) -> None:
    clinician, patient = _team(web)
    clinician.post("/clinic/team/contact", {"phone": "0161 496 0000", "email": "", "website": ""})
    got = clinician.client.get(f"/clinic/patients/{patient.id}/handout.pdf")
    assert got.status_code == 200
    text = _text(got.content)
    assert "Dana Physio's clinic - Dana Physio" in text
    assert "Phone 0161 496 0000" in text
    assert "http://testserver/me" in text
    # the patient's own download names their main clinician too
    mine = patient.client.get("/me/download/handout.pdf")
    assert "Dana Physio's clinic - Dana Physio" in _text(mine.content)


def test_clinic_contact_details_are_checked_and_only_the_administrator_sets_them(web: Web) -> None:
    admin = web.sign_up("boss@example.org", role="clinician", name="Boss", clinic="Riverside")
    colleague = web.sign_up("col@example.org", role="clinician", name="Col", clinic="Riverside")
    bad = admin.post(
        "/clinic/team/contact", {"phone": "call me", "email": "nope", "website": "riverside"}
    )
    assert bad.status_code == 400
    for expected in (
        "Phone: digits",
        "Email: must be an email address",
        "Website: must start with",
    ):
        assert expected in bad.text
    assert colleague.post("/clinic/team/contact", {"phone": "0161 496 0000"}).status_code == 404
    ok = admin.post(
        "/clinic/team/contact", {"phone": "0161 496 0000", "website": "https://r.example"}
    )
    assert ok.status_code == 200  # followed to the clinic page
    assert 'value="0161 496 0000"' in ok.text
    assert (
        "changed the clinic&#39;s contact details" in ok.text
        or "changed the clinic's contact details" in ok.text
    )


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("2030-01-01", "cannot be in the future"),
        ("2020-01-01", "aged 12 or over"),
        ("1900-01-01", "an age over 110"),
        ("09/03/1984", "must be a date"),
    ],
)
def test_a_birth_date_is_checked(web: Web, raw: str, problem: str) -> None:
    patient = web.sign_up("pat@example.org", name="Pat Lee")
    page = patient.post("/account/birth-date", {"birth_date": raw})
    assert page.status_code == 400
    assert problem in page.text
    assert accounts.get_user(db_of(web), user_id=patient.id).birth_date is None  # type: ignore[union-attr]


def test_a_birth_date_is_shown_prefills_the_age_and_goes_into_a_valid_fhir_patient(
    web: Web,
) -> None:
    from fhir.resources.R4B.bundle import Bundle
    from fhir.resources.R4B.patient import Patient as FhirPatient

    clinician, patient = _team(web)
    saved = patient.post(
        "/account/birth-date", {"birth_date": "1984-03-09"}, follow_redirects=False
    )
    assert saved.status_code == 303
    assert 'value="1984-03-09"' in patient.client.get("/account").text
    # the assessment asks the age already answered from it (42 on 23 November 2026)
    first_step = patient.client.get("/me/assess").text
    assert re.search(r'name="person.age"[^>]*value="42"', first_step) or 'value="42"' in first_step
    # the clinician sees it
    assert "born 1984-03-09 (age 42)" in clinician.client.get(f"/clinic/patients/{patient.id}").text
    # and the FHIR bundle carries it, valid
    for client, url in (
        (patient.client, "/me/download/fhir.json"),
        (clinician.client, f"/clinic/patients/{patient.id}/export/fhir"),
    ):
        bundle = client.get(url).json()
        Bundle.model_validate(bundle)
        person = next(
            e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
        )
        FhirPatient.model_validate(person)
        assert person["birthDate"] == "1984-03-09"
    # forgetting it: the field emptied
    patient.post("/account/birth-date", {"birth_date": ""})
    assert accounts.get_user(db_of(web), user_id=patient.id).birth_date is None  # type: ignore[union-attr]
    api = patient.api("PUT", "/api/v1/me/birth-date", json={"birth_date": "1990-12-31"})
    assert api.status_code == 200
    assert accounts.get_user(db_of(web), user_id=patient.id).birth_date == date(1990, 12, 31)  # type: ignore[union-attr]


def test_the_data_download_holds_the_totals_and_deleting_the_account_removes_them(
    web: Web,
) -> None:
    import io
    import zipfile

    clinician, patient = _team(web)
    today = web.clock.now.date().isoformat()
    clinician.post(
        f"/clinic/patients/{patient.id}/outcomes",
        {"measure": "rmdq", "score": "12", "scored_on": today},
    )
    patient.post("/account/birth-date", {"birth_date": "1984-03-09"})
    patient.post("/me/progress/change", {"score": "-2"})
    got = patient.client.get("/account/my-data.zip")
    with zipfile.ZipFile(io.BytesIO(got.content)) as archive:
        account = json.loads(archive.read("account.json"))
        scored = json.loads(archive.read("outcomes.json"))
        fhir = json.loads(archive.read("record/fhir.json"))
    assert account["birth_date"] == "1984-03-09"
    assert [(x["measure"], x["score"], x["entered_by"]) for x in scored] == [
        ("rmdq", 12.0, "clinician"),
        ("groc", -2.0, "patient"),
    ]
    person = next(
        e["resource"] for e in fhir["entry"] if e["resource"]["resourceType"] == "Patient"
    )
    assert person["birthDate"] == "1984-03-09"

    deleted = patient.api("POST", "/api/v1/me/delete", json={"password": "correct horse battery"})
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["removed"]["Oswestry and Roland-Morris totals and ratings of change"] == 2
    assert outcomes.scores(db_of(web), patient_id=patient.id) == []
    assert accounts.get_user(db_of(web), user_id=patient.id).birth_date is None  # type: ignore[union-attr]


def test_an_entry_made_in_error_is_removed_by_whoever_may_and_the_log_keeps_it(web: Web) -> None:
    clinician, patient = _team(web)
    today = web.clock.now.date().isoformat()
    clinician.post(
        f"/clinic/patients/{patient.id}/outcomes",
        {"measure": "odi", "score": "64", "scored_on": today},
    )
    clinician.post(
        f"/clinic/patients/{patient.id}/outcomes",
        {"measure": "rmdq", "score": "9", "scored_on": today},
    )
    patient.post("/me/progress/change", {"score": "-2"})
    patient.post("/me/progress/change", {"score": "2"})
    db = db_of(web)
    by = {(s.measure, s.score): s.id for s in outcomes.scores(db, patient_id=patient.id)}
    odi, rmdq = by[("odi", 64.0)], by[("rmdq", 9.0)]
    wrong, right = by[("groc", -2.0)], by[("groc", 2.0)]

    # an outsider, the patient, and the clinician on the patient's own rating: 404, nothing gone
    other = web.sign_up("other@example.org", role="clinician", name="Other Clinic")
    assert other.post(f"/clinic/patients/{patient.id}/outcomes/{odi}/remove").status_code == 404
    away = other.api("DELETE", f"/api/v1/patients/{patient.id}/outcomes/{odi}")
    assert away.status_code == 404
    assert patient.api("DELETE", f"/api/v1/me/outcomes/{odi}").status_code == 404
    theirs = clinician.api("DELETE", f"/api/v1/patients/{patient.id}/outcomes/{right}")
    assert theirs.status_code == 404
    assert len(outcomes.scores(db, patient_id=patient.id)) == 4

    page = clinician.client.get(f"/clinic/patients/{patient.id}").text
    assert f"/outcomes/{odi}/remove" in page and f"/outcomes/{right}/remove" not in page
    gone = clinician.post(
        f"/clinic/patients/{patient.id}/outcomes/{odi}/remove", follow_redirects=False
    )
    assert gone.status_code == 303 and "Removed" in gone.headers["location"]
    assert (
        clinician.api("DELETE", f"/api/v1/patients/{patient.id}/outcomes/{rmdq}").status_code == 204
    )
    assert (
        clinician.api("DELETE", f"/api/v1/patients/{patient.id}/outcomes/{rmdq}").status_code == 404
    )

    progress = patient.client.get("/me/progress").text
    assert f"/me/progress/change/{right}/remove" in progress  # the latest is the one offered
    assert patient.post(f"/me/progress/change/{right}/remove").status_code == 200
    assert patient.api("DELETE", f"/api/v1/me/outcomes/{wrong}").status_code == 204
    assert outcomes.scores(db, patient_id=patient.id) == []

    log = [
        e.action
        for e in accounts.audit_log(db, patient=accounts.get_user(db, user_id=patient.id), limit=50)
    ]  # type: ignore[arg-type]
    assert f"removed Oswestry (ODI) 64 %, scored {today} (entered in error)" in log
    assert f"removed Roland-Morris (RMDQ) 9 of 24, scored {today} (entered in error)" in log
