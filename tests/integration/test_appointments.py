"""Appointments on SQLite and PostgreSQL, over real HTTP: a clinician books on their own clock
and the patient reads it on theirs (home page, API, calendar feed); the Join button's window;
moving and cancelling (shown as cancelled, audited, emailed without clinical details); the
clinician's schedule; and access: another clinic's clinician gets 404 everywhere."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from psoas.services import accounts
from psoas.settings import Settings
from psoas.web.app import create_app
from tests.integration.conftest import SignedIn, Web
from tests.integration.test_account_mail import Inbox, inbox  # noqa: F401 (fixture)
from tests.integration.test_reminders import feed_url, set_zone
from tests.integration.test_web_clinician import db_of, invite


def team(web: Web) -> tuple[SignedIn, SignedIn]:
    """Dr Ada in New York and her patient Pat in Berlin."""
    ada = web.sign_up("ada@clinic.test", role="clinician", name="Dr Ada")
    set_zone(ada, "America/New_York")
    pat = web.sign_up("pat@home.test", name="Pat Lee", invite=invite(ada))
    set_zone(pat, "Europe/Berlin")
    return ada, pat


def book(ada: SignedIn, pat: SignedIn, **form: str):  # type: ignore[no-untyped-def]
    data = {
        "kind": "telehealth",
        "starts_at": "2026-11-24T10:00",
        "minutes": "30",
        "link": "https://meet.example.org/pat-lee",
        "note": "Bring your resistance band.",
    }
    data.update(form)
    return ada.post(f"/clinic/patients/{pat.id}/appointments", data, follow_redirects=False)


def home(pat: SignedIn) -> str:
    page = pat.client.get("/me")
    assert page.status_code == 200
    return page.text


def join_button(page: str) -> str:
    found = re.search(r"<a class=\"button\" href=\"https://meet[^>]*>Join the call</a>", page, re.S)
    assert found, "no Join button on the page"
    return found.group(0)


def audit_actions(web: Web, patient: SignedIn) -> list[str]:
    user = accounts.get_user(db_of(web), user_id=patient.id)
    assert user is not None
    return [a.action for a in accounts.audit_log(db_of(web), patient=user)]


def test_a_booking_on_the_clinicians_clock_shows_on_the_patients(web: Web) -> None:
    ada, pat = team(web)
    assert "Your appointments" not in home(pat)
    done = book(ada, pat)
    assert done.status_code == 303, done.text
    assert done.headers["location"].endswith("#appointments")
    # 10:00 in New York is 15:00 UTC and 16:00 in Berlin
    mine = pat.client.get("/api/v1/me/appointments").json()
    assert mine[0]["appointment"]["starts_at"].startswith("2026-11-24T15:00:00")
    assert mine[0]["join_from"].startswith("2026-11-24T14:50:00")
    page = home(pat)
    assert "Your appointments" in page and "Tuesday 24 November, 16:00" in page
    assert "to 16:30" in page and "Video call with Dr Ada" in page
    assert "Bring your resistance band." in page
    assert "https://meet.example.org/pat-lee" in page
    # the clinician sees it at 10:00 on her clock, on the patient page and the schedule
    record = ada.client.get(f"/clinic/patients/{pat.id}").text
    assert "Tue 24 Nov 2026, 10:00" in record and "(America/New_York)" in record
    schedule = ada.client.get("/clinic/schedule")
    assert schedule.status_code == 200
    assert "Tuesday 24 November" in schedule.text and "10:00–10:30" in schedule.text
    assert "Pat Lee" in schedule.text and "https://meet.example.org/pat-lee" in schedule.text
    assert "booked a video call" in audit_actions(web, pat)


def test_the_join_button_shows_ten_minutes_before_until_the_end(web: Web) -> None:
    ada, pat = team(web)
    book(ada, pat)
    web.clock.now = datetime(2026, 11, 24, 14, 49, tzinfo=UTC)
    assert re.search(r"\shidden>Join the call", join_button(home(pat)))
    web.clock.now = datetime(2026, 11, 24, 14, 50, tzinfo=UTC)
    assert "hidden" not in join_button(home(pat))
    assert pat.client.get("/api/v1/me/appointments").json()[0]["can_join_now"] is True
    web.clock.now = datetime(2026, 11, 24, 15, 29, tzinfo=UTC)
    assert "hidden" not in join_button(home(pat))
    web.clock.now = datetime(2026, 11, 24, 15, 30, tzinfo=UTC)  # over: gone from the page
    assert "Your appointments" not in home(pat)
    assert pat.client.get("/api/v1/me/appointments").json() == []


def test_moved_and_cancelled_appointments_in_the_pages_and_the_feed(web: Web) -> None:
    ada, pat = team(web)
    book(ada, pat)
    booked = ada.client.get(f"/api/v1/clinic/patients/{pat.id}/appointments").json()
    appt = booked[0]["appointment"]["id"]
    moved = ada.post(
        f"/clinic/patients/{pat.id}/appointments/{appt}/move",
        {"starts_at": "2026-11-25T08:30", "minutes": "45"},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    assert "Wednesday 25 November, 14:30" in home(pat) and "to 15:15" in home(pat)
    made = pat.post("/me/reminders/feed")
    url = feed_url(made.text).replace("http://testserver", "")
    feed = Calendar.from_ical(pat.client.get(url).content)
    events = [e for e in feed.walk("VEVENT") if str(e["uid"]) == f"psoas-appointment-{appt}@psoas"]
    assert len(events) == 1
    assert events[0].decoded("dtstart") == datetime(2026, 11, 25, 13, 30, tzinfo=UTC)
    assert events[0].decoded("dtend") == datetime(2026, 11, 25, 14, 15, tzinfo=UTC)
    assert str(events[0]["url"]) == "https://meet.example.org/pat-lee"
    assert str(events[0]["status"]) == "CONFIRMED"
    cancelled = ada.post(
        f"/clinic/patients/{pat.id}/appointments/{appt}/cancel", follow_redirects=False
    )
    assert cancelled.status_code == 303
    page = home(pat)
    assert "Cancelled" in page and "Join the call" not in page
    again = Calendar.from_ical(pat.client.get(url).content)
    gone = [e for e in again.walk("VEVENT") if str(e["uid"]) == f"psoas-appointment-{appt}@psoas"]
    assert str(gone[0]["status"]) == "CANCELLED"
    assert int(gone[0]["sequence"]) > int(events[0]["sequence"])
    assert "Cancelled" in ada.client.get("/clinic/schedule").text
    # a cancelled appointment cannot be moved
    again_moved = ada.api(
        "PUT",
        f"/api/v1/clinic/patients/{pat.id}/appointments/{appt}",
        json={"starts_at": "2026-11-26T09:00:00-05:00"},
    )
    assert again_moved.status_code == 422
    actions = audit_actions(web, pat)
    assert {"booked a video call", "moved an appointment", "cancelled an appointment"} <= set(
        actions
    )


def test_bad_bookings_are_refused_naming_the_field(web: Web) -> None:
    ada, pat = team(web)
    plain = book(ada, pat, link="http://meet.example.org/x")
    assert plain.status_code == 400 and "link: must be a web address starting with https://" in (
        plain.text
    )
    assert 'value="http://meet.example.org/x"' in plain.text  # the form keeps what was typed
    nowhere = book(ada, pat, kind="in_person", link="", place="")
    assert nowhere.status_code == 400 and "place: say where the appointment is" in nowhere.text
    too_long = book(ada, pat, minutes="600")
    assert too_long.status_code == 400 and "minutes: must be 5 to 240" in too_long.text
    no_time = book(ada, pat, starts_at="tomorrow")
    assert no_time.status_code == 400 and "starts_at: give a date and a time" in no_time.text
    assert ada.client.get(f"/api/v1/clinic/patients/{pat.id}/appointments").json() == []
    api = ada.api(
        "POST",
        f"/api/v1/clinic/patients/{pat.id}/appointments",
        json={"kind": "telehealth", "starts_at": "2026-11-24T10:00:00Z", "link": "javascript:x"},
    )
    assert api.status_code == 422
    in_person = ada.api(
        "POST",
        f"/api/v1/clinic/patients/{pat.id}/appointments",
        json={"kind": "in_person", "starts_at": "2026-11-24T10:00", "place": "Room 2"},
    )
    assert in_person.status_code == 201, in_person.text
    # no offset: read on the clinician's clock (New York), so 15:00 UTC
    assert in_person.json()["appointment"]["starts_at"].startswith("2026-11-24T15:00:00")
    assert in_person.json()["join_from"] is None


def test_another_clinics_clinician_gets_404_everywhere(web: Web) -> None:
    ada, pat = team(web)
    book(ada, pat)
    appt = ada.client.get(f"/api/v1/clinic/patients/{pat.id}/appointments").json()
    appt_id = appt[0]["appointment"]["id"]
    zed = web.sign_up("zed@other.test", role="clinician", name="Dr Zed", clinic="Elsewhere")
    base = f"/clinic/patients/{pat.id}/appointments"
    api = f"/api/v1/clinic/patients/{pat.id}/appointments"
    assert zed.post(base, {"kind": "telehealth"}).status_code == 404
    assert zed.post(f"{base}/{appt_id}/move", {"starts_at": "2026-11-25T09:00"}).status_code == 404
    assert zed.post(f"{base}/{appt_id}/cancel").status_code == 404
    assert zed.client.get(api).status_code == 404
    assert zed.api("POST", api, json={"starts_at": "2026-11-25T09:00:00Z"}).status_code == 404
    put = zed.api("PUT", f"{api}/{appt_id}", json={"starts_at": "2026-11-25T09:00:00Z"})
    assert put.status_code == 404
    assert zed.api("DELETE", f"{api}/{appt_id}").status_code == 404
    assert "Pat Lee" not in zed.client.get("/clinic/schedule").text
    # the patient's own appointment id under another of Zed's patients is not found either
    other = web.sign_up("oli@home.test", name="Oli", invite=invite(zed))
    moved = zed.api(
        "PUT",
        f"/api/v1/clinic/patients/{other.id}/appointments/{appt_id}",
        json={"starts_at": "2026-11-25T09:00:00Z"},
    )
    assert moved.status_code == 404
    # a patient never reaches the clinician's side
    assert pat.client.get("/clinic/schedule").status_code == 404
    assert pat.client.get(api).status_code == 404
    assert len(pat.client.get("/api/v1/me/appointments").json()) == 1


def test_a_patient_who_leaves_the_clinic_no_longer_sees_its_appointments(web: Web) -> None:
    ada, pat = team(web)
    book(ada, pat)
    assert pat.post(f"/me/team/{ada.id}/remove", follow_redirects=False).status_code == 303
    assert "Your appointments" not in home(pat)
    assert pat.client.get("/api/v1/me/appointments").json() == []
    assert ada.client.get(f"/api/v1/clinic/patients/{pat.id}/appointments").status_code == 404
    assert "Pat Lee" not in ada.client.get("/clinic/schedule").text


# --- email ---------------------------------------------------------------------------------------


@pytest.fixture
def mailing(web: Web, database_url: str, inbox: Inbox) -> Iterator[object]:  # noqa: F811
    """A second server on the same database that sends mail (sign-ups go through ``web``,
    which does not ask new patients to confirm their address by email)."""
    settings = Settings(
        smtp_host="127.0.0.1",
        smtp_port=inbox.port,
        smtp_tls="none",
        smtp_from="psoas@clinic.example",
        public_url="http://testserver",
    )
    app = create_app(database_url, clock=web.clock, settings=settings)
    yield app
    app.state.db.close()


def on(app: object, person: SignedIn) -> SignedIn:
    """The same signed-in browser, talking to ``app``."""
    client = TestClient(app, base_url="http://testserver")  # type: ignore[arg-type]
    client.cookies = person.client.cookies
    return SignedIn(client=client, id=person.id, email=person.email, role=person.role)


def test_the_patient_is_emailed_of_each_change_without_clinical_details(
    web: Web,
    mailing: object,
    inbox: Inbox,  # noqa: F811
) -> None:
    ada_plain, pat = team(web)
    ada = on(mailing, ada_plain)
    book(ada, pat)
    appt = ada.client.get(f"/api/v1/clinic/patients/{pat.id}/appointments").json()
    appt_id = appt[0]["appointment"]["id"]
    ada.post(
        f"/clinic/patients/{pat.id}/appointments/{appt_id}/move",
        {"starts_at": "2026-11-25T08:30"},
    )
    ada.post(f"/clinic/patients/{pat.id}/appointments/{appt_id}/cancel")
    ada.post(f"/clinic/patients/{pat.id}/appointments/{appt_id}/cancel")  # already: no mail
    mails = inbox.to("pat@home.test")
    assert [m["Subject"] for m in mails] == [
        "A new appointment on psoas",
        "Your appointment on psoas has moved",
        "Your appointment on psoas was cancelled",
    ]
    bodies = [m.get_payload(decode=True).decode() for m in mails]  # type: ignore[union-attr]
    assert "Tuesday 24 November 2026 at 16:00 (Europe/Berlin)" in bodies[0]
    assert "Wednesday 25 November 2026 at 14:30 (Europe/Berlin)" in bodies[1]
    for body in bodies:
        assert "http://testserver/me" in body
        for secret in ("Dr Ada", "resistance band", "meet.example.org", "clinic"):
            assert secret not in body
    assert inbox.to("ada@clinic.test") == []
