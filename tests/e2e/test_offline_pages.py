"""The session player and the break coach open without a connection (a service worker keeps
them), and a kept copy never outlives the program: a warning sign or signing out empties it.
Real Chromium, real HTTP; offline is Chromium's own offline mode, which the worker sees too."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from playwright.sync_api import expect

from psoas.catalog import load_catalog
from psoas.domain.assess import assess
from psoas.services import tracking
from psoas.services.assessment import validate_intake
from tests.conftest import EXAMPLES
from tests.e2e.conftest import Served
from tests.e2e.test_player_browser import sign_up_with_a_program, wait_until

KEPT = "caches.open(self.PSOAS_CACHE).then(c => c.match({path!r})).then(r => !!r)"


def kept(page: Any, path: str) -> bool:
    return bool(page.evaluate(KEPT.format(path=path)))


def open_online_and_keep(page: Any, path: str) -> None:
    page.goto(path)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    wait_until(lambda: kept(page, path), what=f"{path} kept on the device")


def test_the_player_opens_offline_from_the_kept_copy(
    context: Any, page: Any, server: Served
) -> None:
    sign_up_with_a_program(page, server, "kept@example.org")
    open_online_and_keep(page, "/me/session")
    open_online_and_keep(page, "/me/breaks")
    expect(page.locator("#offline-copy")).to_be_hidden()  # online: the live page

    context.set_offline(True)
    page.goto("/me/session")
    expect(page.locator("#offline-copy")).to_be_visible()
    plan = json.loads(page.locator("#psoas-plan").text_content() or "{}")
    assert plan["steps"], "the kept copy carries the program"
    expect(page.get_by_role("button", name="Start")).to_be_visible()
    expect(page.locator("#sync")).to_contain_text("You are offline")

    page.goto("/me/breaks")
    expect(page.locator("#offline-copy")).to_be_visible()

    page.goto("/me/progress")  # never kept: says so instead of the browser's error
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    context.set_offline(False)


def test_a_warning_sign_takes_the_kept_program_off_the_device(
    context: Any, page: Any, server: Served
) -> None:
    profile = sign_up_with_a_program(page, server, "flagged@example.org")
    open_online_and_keep(page, "/me/session")

    document = json.loads((EXAMPLES / "office-worker.json").read_text())
    document["red_flags"]["saddle_numbness"] = True
    intake = validate_intake(document)
    result = assess(intake, load_catalog())
    assert result.program is None
    tracking.save_assessment(
        server.db, profile_name=profile, intake=intake, assessment=result, now=datetime.now(UTC)
    )
    page.goto("/me")  # online: the program is held back, and the page forgets the copy
    expect(page.get_by_text("held back").first).to_be_visible()
    wait_until(lambda: not kept(page, "/me/session"), what="the kept copy to go")

    context.set_offline(True)
    page.goto("/me/session")
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    assert page.locator("#psoas-plan").count() == 0
    context.set_offline(False)


def test_signing_out_empties_what_the_device_kept(context: Any, page: Any, server: Served) -> None:
    sign_up_with_a_program(page, server, "leaving@example.org")
    open_online_and_keep(page, "/me/session")
    page.evaluate("localStorage.setItem('psoas.v1.0.queue', '[]'); localStorage.setItem('x', '1')")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/signin$"))
    wait_until(lambda: not kept(page, "/me/session"), what="the kept copy to go")
    stored = page.evaluate("Object.keys(localStorage)")
    assert stored == ["x"], stored  # the queue went; keys not psoas.* stay

    context.set_offline(True)
    page.goto("/me/session")
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    context.set_offline(False)


def test_a_link_to_the_sign_in_page_never_empties_a_signed_in_device(
    page: Any, server: Served
) -> None:
    """Issue 14: only signing out (a POST) empties the queue of unsent sets; a link from
    anywhere to /signin, with or without the old ?out=1, leaves a signed-in person's alone."""
    sign_up_with_a_program(page, server, "staying@example.org")
    page.goto("/me")
    page.evaluate("localStorage.setItem('psoas.v1.0.queue', '[{\"unsent\": 1}]')")
    for url in ("/signin?out=1", "/signin"):
        page.goto(url)
        page.wait_for_url(re.compile(r"/me"))
    assert page.evaluate("localStorage.getItem('psoas.v1.0.queue')") == '[{"unsent": 1}]'
