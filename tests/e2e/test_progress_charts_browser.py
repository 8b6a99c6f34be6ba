"""The progress page's charts in Chromium at phone width: drawn as SVG from the page's numbers,
one per chart, never wider than the screen (no sideways scrolling at 360 px), redrawn to fit
when the window widens, and the table of numbers one tap away."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from psoas.services import accounts, fixtures
from tests.e2e.conftest import Served

PASSWORD = "correct horse battery staple"


def _patient_with_history(server: Served, email: str, days: int) -> None:
    now = datetime.now(UTC)
    user = accounts.sign_up(
        server.db, email=email, password=PASSWORD, display_name="Sam", role="patient", now=now
    )
    history = fixtures.build(fixtures.example_intake(), now=now, days=days, adherence=0.7)
    fixtures.store(server.db, history, name=user.profile_name)


def _sign_in(page: Any, email: str) -> None:
    page.goto("/signin")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_charts_fit_a_small_phone_and_redraw_wider(browser: Any, server: Served) -> None:
    email = f"charts-{server.url.rsplit(':', 1)[1]}@example.org"
    _patient_with_history(server, email, days=400)  # weekly points, monthly bars
    ctx = browser.new_context(base_url=server.url, viewport={"width": 360, "height": 740})
    ctx.set_default_timeout(15_000)
    try:
        page = ctx.new_page()
        _sign_in(page, email)
        page.goto("/me/progress")
        page.wait_for_selector(".plot svg")
        plots = page.locator(".plot[data-chart]")
        assert plots.count() == 4
        assert page.locator(".plot svg").count() == 4
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        for n in range(4):
            box = plots.nth(n).locator("svg").bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
        # a line for pain, a bar for each month of sessions, two lines for the hips
        assert page.locator('[data-chart="pain"] path.c-line').count() == 1
        assert page.locator('[data-chart="adherence"] rect.c-col').count() >= 12
        assert page.locator('[data-chart="retest"] path.c-line').count() == 2
        # the numbers are one tap away
        table = page.locator("#chart-pain details.numbers table")
        assert not table.is_visible()
        page.locator("#chart-pain details.numbers summary").click()
        assert table.is_visible() and table.locator("tbody tr").count() >= 50
        # wider: drawn again to the new width
        narrow = plots.first.locator("svg").get_attribute("width")
        page.set_viewport_size({"width": 1280, "height": 800})
        page.wait_for_function(  # the page redraws a moment after the resize
            "w => document.querySelector('.plot svg').getAttribute('width') !== w", arg=narrow
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    finally:
        ctx.close()
