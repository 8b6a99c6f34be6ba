"""Every clinician page on a phone: signed in as the demo clinic's administrator (whose patients
have histories, appointments, a message thread, a clinic exercise and a template), each page at
390 px is no wider than the screen: a wide table scrolls inside its own region, or reflows, and
the page itself never scrolls sideways. Each page is screenshotted at 390 and 1280 px."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from psoas.web.demo import CLINICIAN_EMAIL, CLINICIAN_PASSWORD, load_demo
from tests.e2e.conftest import Served, _serve
from tests.e2e.test_journeys import shot

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 900}
#: Where something too wide is, in words, for the failure message.
TOO_WIDE = """(width) => [...document.querySelectorAll('body *')]
    .filter((el) => el.getBoundingClientRect().right > width + 1)
    .slice(0, 5)
    .map((el) => `${el.tagName.toLowerCase()}.${el.className}`)"""


@pytest.fixture(scope="module")
def demo_clinic() -> Iterator[Served]:
    """The app on a SQLite file with the demo clinic (the layout does not depend on the
    database)."""
    with tempfile.TemporaryDirectory() as tmp:
        for served in _serve(f"sqlite:///{tmp}/psoas.db"):
            load_demo(served.db, datetime.now(UTC))
            yield served


def _sign_in(page: Any) -> None:
    page.goto("/signin")
    page.fill("input[name=email]", CLINICIAN_EMAIL)
    page.fill("input[name=password]", CLINICIAN_PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/signin" not in page.url, "the demo clinician could not sign in"


def _pages(page: Any) -> dict[str, str]:
    """Every clinician page, on patients and items that have something to show."""
    page.goto("/clinic")
    ids = dict(re.findall(r'href="/clinic/patients/(\d+)"[^>]*>\s*([A-Z][a-z]+)', page.content()))
    patient = {name: pid for pid, name in ids.items()}
    ana, farah, eli = patient["Ana"], patient["Farah"], patient["Eli"]
    page.goto("/clinic/exercises")
    own = re.search(r"/clinic/exercises/(clinic-[a-z0-9-]+)", page.content())
    assert own, "the demo clinic has no exercise of its own"
    return {
        "patient list": "/clinic",
        "a patient's record": f"/clinic/patients/{ana}",
        "a worse patient's record": f"/clinic/patients/{farah}",
        "a red-flag patient's record": f"/clinic/patients/{eli}",
        "the program editor": f"/clinic/patients/{ana}/program",
        "messages": f"/clinic/patients/{farah}/messages",
        "schedule": "/clinic/schedule",
        "clinic exercises": "/clinic/exercises",
        "a clinic exercise": f"/clinic/exercises/{own.group(1)}",
        "a new clinic exercise": "/clinic/exercises/new",
        "program templates": "/clinic/templates",
        "the clinic's team": "/clinic/team",
        "account": "/account",
        "two-step sign-in": "/account/two-factor",
        "delete the account": "/account/delete",
    }


def test_no_clinician_page_scrolls_sideways_on_a_phone(browser: Any, demo_clinic: Served) -> None:
    ctx = browser.new_context(base_url=demo_clinic.url, viewport=PHONE, service_workers="block")
    ctx.set_default_timeout(20_000)
    try:
        page = ctx.new_page()
        _sign_in(page)
        too_wide: dict[str, list[str]] = {}
        for name, path in _pages(page).items():
            page.set_viewport_size(PHONE)
            response = page.goto(path)
            assert response is not None and response.status == 200, (name, path)
            page.wait_for_load_state("networkidle")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                too_wide[f"{name} ({path}): {width} px"] = page.evaluate(TOO_WIDE, PHONE["width"])
            slug = re.sub(r"[^a-z]+", "-", name).strip("-")
            shot(page, f"clinician-phone-{slug}-390")
            page.set_viewport_size(LAPTOP)
            assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"], name
            shot(page, f"clinician-phone-{slug}-1280")
        assert too_wide == {}
        # the sessions table is wider than a phone: it scrolls inside its own region
        page.set_viewport_size(PHONE)
        page.goto(_pages(page)["a patient's record"])
        region = page.locator('.scroll[aria-label^="Sessions"]')
        assert region.evaluate("el => el.scrollWidth > el.clientWidth")
        assert region.evaluate("el => getComputedStyle(el).overflowX") == "auto"
        # the current program reflows instead: one item a block, each value labelled
        program = page.locator('.scroll[aria-label^="Current program"]')
        assert program.evaluate("el => el.scrollWidth <= el.clientWidth")
        assert program.locator("td[data-label=Dose]").first.is_visible()
    finally:
        ctx.close()
