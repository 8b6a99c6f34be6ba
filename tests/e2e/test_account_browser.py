"""Issue 14 in a real browser (Chromium, on SQLite then PostgreSQL): sign up, turn on two-step
sign-in from the QR page, sign out, sign in with the password and then a code."""

from __future__ import annotations

import time
from typing import Any

import pyotp

from tests.e2e.test_journeys import PASSWORD, shot, sign_up


def _no_serious_accessibility_problems(page: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, [f"{v['id']}: {v['help']}" for v in bad]


def test_sign_up_turn_on_two_step_sign_in_sign_out_and_back_in(page: Any, server: Any) -> None:
    email = sign_up(page)
    page.goto("/account")
    page.click("text=Turn it on")
    page.click("button:has-text('Set up two-step sign-in')")
    page.wait_for_load_state()
    assert page.locator("svg.qr").is_visible()
    secret = page.inner_text("#totp-secret").replace(" ", "")
    shot(page, "two-step-set-up")
    _no_serious_accessibility_problems(page)
    page.fill("#code", pyotp.TOTP(secret).now())
    page.click("button:has-text('Turn on two-step sign-in')")
    page.wait_for_load_state()
    codes = page.locator("ol.recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    shot(page, "two-step-codes")

    page.click("form[action='/signout'] button")
    page.wait_for_load_state()
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_load_state()
    assert page.url.endswith("/signin/code")
    shot(page, "two-step-code")
    _no_serious_accessibility_problems(page)
    # the code of the next 30 seconds (the one that turned it on is used up)
    page.fill("#code", pyotp.TOTP(secret).at(time.time() + 30))
    page.click("button:has-text('Sign in')")
    page.wait_for_load_state()
    assert page.url.endswith("/me") or "/me/" in page.url
    me = page.request.get("/api/v1/me").json()
    assert me["email"] == email


def test_reset_and_sign_in_pages_have_no_serious_accessibility_problems(
    page: Any, server: Any
) -> None:
    for url in ("/reset", "/signin", "/reset/new?token=nothing", "/verify?token=nothing"):
        page.goto(url)
        _no_serious_accessibility_problems(page)
