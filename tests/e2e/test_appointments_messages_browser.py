"""Appointments and messages in real Chromium over real HTTP, on both databases: a clinician in
New York books a video call; the patient in Berlin sees it at their own time; the Join button
appears ten minutes before (the page's clock moved on with ``page.clock``, the server's with it);
they write to each other and the unread badges appear and clear. Each page is screenshotted at
390 and 1280 px and checked with axe."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.e2e.test_journeys import clinic_admin, shot, sign_up
from tests.e2e.test_player_browser import serious_accessibility_problems

LAPTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")


def both_widths(page: Any, name: str) -> None:
    """Screenshots at phone and laptop width (back to the width it had), and no serious axe
    finding at either."""
    before = page.viewport_size
    for label, size in (("390", PHONE), ("1280", LAPTOP)):
        page.set_viewport_size(size)
        assert not serious_accessibility_problems(page), name
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
        assert not overflow, f"{name} is wider than the screen at {label} px"
        shot(page, f"{name}-{label}")
    page.set_viewport_size(before)


def badge(page: Any, href: str) -> str:
    count = page.locator(f'header nav a[href="{href}"] .nav-count')
    return count.inner_text().split()[0] if count.count() else ""


def test_book_join_and_write_across_time_zones(browser: Any, server: Any) -> None:
    tag = uuid.uuid4().hex[:6]
    doc_ctx = browser.new_context(
        base_url=server.url, viewport=LAPTOP, timezone_id="America/New_York"
    )
    pat_ctx = browser.new_context(base_url=server.url, viewport=PHONE, timezone_id="Europe/Berlin")
    try:
        doc = doc_ctx.new_page()
        clinic_admin(doc, server, f"doc-{tag}@clinic.test", clinic=f"Harbour {tag}")
        doc.goto("/clinic")
        doc.click("form[action='/clinic/invitations'] button[type=submit]")
        doc.wait_for_load_state()
        code = doc.locator("#invitation-code").inner_text().strip()
        patient = pat_ctx.new_page()
        sign_up(patient, invite=code)

        # the clinician books a video call two days ahead at 10:00 on her clock (New York)
        day = (datetime.now(NEW_YORK) + timedelta(days=2)).date()
        start = datetime(day.year, day.month, day.day, 10, 0, tzinfo=NEW_YORK).astimezone(UTC)
        doc.goto("/clinic")
        doc.click("text=Patient Tester")
        doc.wait_for_load_state()
        record = doc.url
        assert "America/New_York" in doc.inner_text("#appointments")
        doc.check("input[name=kind][value=telehealth]")
        doc.fill("#appt-start", f"{day.isoformat()}T10:00")
        doc.fill("#appt-minutes", "30")
        doc.fill("#appt-link", "https://meet.example.org/harbour-room")
        doc.fill("#appt-note", "Have your band nearby.")
        doc.click("#book button[type=submit]")
        doc.wait_for_load_state()
        assert "Appointment booked" in doc.inner_text("main")
        booked = doc.inner_text("#appointments")
        assert (
            f"{day:%a %d %b %Y}, 10:00" in booked and "Video call with Clinician Tester" in booked
        )
        doc.goto(record + "#appointments")
        both_widths(doc, "appointments-clinician")
        doc.goto("/clinic/schedule")
        schedule = doc.inner_text("main")
        assert "10:00–10:30" in schedule and "Patient Tester" in schedule
        both_widths(doc, "schedule")

        # the patient in Berlin sees it at 16:00 their time, the Join button not yet there
        berlin = start.astimezone(BERLIN)
        wait_at = start - timedelta(minutes=12)
        patient.clock.install(time=wait_at)
        server.clock.ahead = wait_at - datetime.now(UTC)
        patient.goto("/me")
        card = patient.locator("#appointments")
        text = card.inner_text()
        assert f"{berlin:%A} {berlin.day} {berlin:%B}, {berlin:%H:%M}" in text, text
        assert "Video call with Clinician Tester" in text and "Have your band nearby." in text
        join = patient.get_by_role("link", name="Join the call")
        assert join.is_hidden()
        assert "meet.example.org/harbour-room" in text  # the link itself is there already
        both_widths(patient, "appointments-patient")
        # three minutes on, nine minutes before the start: the button appears
        patient.clock.run_for(3 * 60 * 1000)
        server.clock.ahead += timedelta(minutes=3)
        assert join.is_visible()
        assert join.get_attribute("href") == "https://meet.example.org/harbour-room"
        # the server's own view agrees when the page is opened now
        patient.reload()
        assert patient.get_by_role("link", name="Join the call").is_visible()
        shot(patient, "appointments-join-390")
        # after the end it is gone
        patient.clock.run_for(40 * 60 * 1000)
        assert patient.get_by_role("link", name="Join the call").is_hidden()
        server.clock.ahead = timedelta(0)

        # they write to each other; the badges appear and clear
        patient.goto("/me/messages")
        assert badge(patient, "/me/messages") == ""
        patient.fill("textarea[name=body]", "Hello! The stretch pinches a little.\nIs that OK?")
        patient.click("main button[type=submit]")
        patient.wait_for_load_state()
        assert "Message sent" in patient.inner_text("main")
        doc.goto("/clinic")
        assert badge(doc, "/clinic") == "1"
        assert "1 new message" in doc.inner_text("main")
        doc.click("text=1 new message")
        doc.wait_for_load_state()
        assert "The stretch pinches a little." in doc.inner_text("main")
        assert badge(doc, "/clinic") == ""
        doc.fill("#body", "A little pinch is fine. Stop if it is sharp.")
        doc.click("main button[type=submit]")
        doc.wait_for_load_state()
        both_widths(doc, "messages-clinician")
        patient.goto("/me")
        assert badge(patient, "/me/messages") == "1"
        shot(patient, "messages-badge-390")
        patient.click("header nav a[href='/me/messages']")
        patient.wait_for_load_state()
        assert "A little pinch is fine." in patient.inner_text("main")
        assert badge(patient, "/me/messages") == ""
        both_widths(patient, "messages-patient")
        doc.goto("/clinic")
        assert badge(doc, "/clinic") == "" and "new message" not in doc.inner_text("main")
    finally:
        server.clock.ahead = timedelta(0)
        doc_ctx.close()
        pat_ctx.close()
