"""Reminders in real Chromium: the browser's time zone reaches the account at sign-up, the
Reminders page saves its settings and hands out the calendar address, and the service worker
shows a pushed reminder as a notification (delivered through Chromium's own push path, as a
push service would; the VAPID signature and the encryption are tested against a push service in
tests/integration/test_reminders.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from psoas.services import accounts, reminders
from tests.e2e.conftest import PHONE, Served
from tests.e2e.test_player_browser import serious_accessibility_problems, sign_up_with_a_program


@pytest.fixture
def chicago(browser: Any, server: Served) -> Iterator[Any]:
    """A phone in Chicago: its browser says America/Chicago."""
    ctx = browser.new_context(
        base_url=server.url, viewport=PHONE, device_scale_factor=2, timezone_id="America/Chicago"
    )
    ctx.set_default_timeout(15_000)
    ctx.grant_permissions(["notifications"], origin=server.url)
    try:
        yield ctx
    finally:
        ctx.close()


def user_id(page: Any) -> int:
    return int(page.request.get("/api/v1/me").json()["id"])


def test_the_reminders_page_saves_settings_and_gives_a_calendar(
    chicago: Any, server: Served
) -> None:
    page = chicago.new_page()
    sign_up_with_a_program(page, server, "chi@example.org")
    me = accounts.get_user(server.db, user_id=user_id(page))
    assert me is not None and me.time_zone == "America/Chicago"

    page.goto("/me/reminders")
    expect(page.get_by_role("heading", name="Reminders", exact=True)).to_be_visible()
    assert serious_accessibility_problems(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    expect(page.locator("main")).to_contain_text("America/Chicago")
    page.locator("input[name=session_time]").nth(0).fill("07:15")
    page.locator("input[name=session_time]").nth(1).fill("19:45")
    page.get_by_label("Nudge me to take a break from sitting while I work").check()
    page.locator("input[name=work_start]").fill("08:30")
    page.locator("input[name=work_end]").fill("16:00")
    page.get_by_label("Fri").uncheck()
    page.get_by_role("button", name="Save reminders").click()
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    kept = reminders.settings_for(server.db, user=me)
    assert [t.strftime("%H:%M") for t in kept.session_times] == ["07:15", "19:45"]
    assert kept.break_nudges and kept.work_days == frozenset({0, 1, 2, 3})

    page.get_by_role("button", name="Make my calendar address").click()
    address = page.locator("#feed-url").input_value()
    assert serious_accessibility_problems(page) == []
    assert re.match(rf"{re.escape(server.url)}/calendar/[\w-]{{40,}}\.ics$", address)
    feed = page.request.get(address)
    assert feed.status == 200 and feed.headers["content-type"].startswith("text/calendar")
    assert "TZID=America/Chicago:" in feed.text()
    page.get_by_role("button", name="Stop the calendar").click()
    assert page.request.get(address).status == 404

    # the break coach follows the same hours and days, and pauses from its own page
    page.goto("/me/breaks")
    expect(page.locator("#coach-hours")).to_have_text(
        "Breaks Mon to Thu, 08:30 to 16:00 (America/Chicago)."
    )
    page.get_by_role("button", name="Rest of today").click()
    expect(page.locator("main")).to_contain_text("Paused until")
    expect(page.locator("#next-title")).to_have_text("Paused")


def test_the_service_worker_shows_a_pushed_reminder(chicago: Any, server: Served) -> None:
    page = chicago.new_page()
    sign_up_with_a_program(page, server, "pushed@example.org")
    page.goto("/me/reminders")
    scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == server.url + "/"

    cdp = chicago.new_cdp_session(page)
    registrations: list[dict[str, Any]] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    for _ in range(200):  # Playwright hands over CDP events while it waits
        if registrations:
            break
        page.wait_for_timeout(50)
    assert registrations, "the service worker's registration"
    reminder = {
        "title": "Time to get up",
        "body": "Sit-to-stand break, 10 times: Stand up from your chair and sit back down.",
        "url": "/me/breaks",
        "tag": "psoas-break",
    }
    live = [
        r
        for r in registrations
        if r["scopeURL"] == server.url + "/" and not r.get("isDeleted", False)
    ]
    assert live, registrations
    shown: list[dict[str, Any]] = []

    def notifications() -> bool:
        shown[:] = page.evaluate(
            """navigator.serviceWorker.ready.then(r => r.getNotifications()).then(ns =>
                 ns.map(n => ({title: n.title, body: n.body, tag: n.tag, data: n.data})))"""
        )
        return bool(shown)

    # delivered as a push service does, again if the worker was still starting
    for _ in range(10):
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {
                "origin": server.url,
                "registrationId": live[-1]["registrationId"],
                "data": json.dumps(reminder),
            },
        )
        for _ in range(40):
            if notifications():
                break
            page.wait_for_timeout(50)
        if shown:
            break
    assert shown == [
        {
            "title": "Time to get up",
            "body": reminder["body"],
            "tag": "psoas-break",
            "data": {"url": "/me/breaks"},
        }
    ]
