"""Outcomes in real Chromium over real HTTP, on both databases: the clinician enters an
Oswestry total on the patient's page, the patient rates how their back has changed on the
progress page, both see them on the charts (the patient's drawn in the browser, the
clinician's by matplotlib), and the clinician downloads the episode report (a PDF that opens
and says the figures). Screenshots at 390 px and 1280 px."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from typing import Any

from psoas.services import accounts, fixtures
from tests.e2e.test_journeys import shot, sign_up


def test_totals_and_ratings_reach_both_charts_and_the_episode_report(
    browser: Any, server: Any
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    doc_ctx = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
    patient_ctx = browser.new_context(base_url=server.url, viewport={"width": 390, "height": 844})
    try:
        doc = doc_ctx.new_page()
        sign_up(doc, role="clinician", server=server)
        doc.goto("/clinic")
        doc.click("form[action='/clinic/invitations'] button[type=submit]")
        doc.wait_for_load_state()
        code = doc.locator("#invitation-code").inner_text().strip()
        patient = patient_ctx.new_page()
        sign_up(patient, invite=code)
        patient.wait_for_url(lambda url: "/signup" not in url)
        me = patient.request.get("/api/v1/me").json()
        history = fixtures.build(
            fixtures.example_intake(), now=datetime.now(UTC), days=20, adherence=0.8
        )
        fixtures.store(server.db, history, name=accounts.profile_name_for(me["id"]))

        # the patient gives a birth date on their account page
        patient.goto("/account")
        patient.fill("#birth_date", "1980-06-15")
        patient.click("#birth-date button[type=submit]")
        patient.wait_for_load_state()
        assert "Birth date saved" in patient.inner_text("main")

        # the clinician enters an Oswestry total scored on the clinic's own form
        doc.goto("/clinic")
        doc.click("text=Patient Tester")
        doc.wait_for_load_state()
        assert "born 1980-06-15" in doc.inner_text("main")
        start = (datetime.now(UTC) - timedelta(days=14)).date().isoformat()
        doc.select_option("#outcome-measure", "odi")
        doc.fill("#outcome-score", "38")
        doc.fill("#outcome-date", start)
        doc.click("#outcomes button:has-text('Save the total')")
        doc.wait_for_load_state()
        doc.select_option("#outcome-measure", "odi")
        doc.fill("#outcome-score", "24")
        doc.click("#outcomes button:has-text('Save the total')")
        doc.wait_for_load_state()
        assert "24 %" in doc.inner_text("#outcomes")
        assert "a meaningful change (better" in doc.inner_text("#outcomes")

        # the patient rates how their back has changed, and sees both on their charts
        patient.goto("/me/progress")
        patient.select_option("#change-score", "4")
        patient.click("#change button:has-text('Save my rating')")
        patient.wait_for_load_state()
        assert "your rating is saved" in patient.inner_text("main")
        assert "+4 (clearly better)" in patient.inner_text("#change")
        for chart in ("odi", "groc"):
            plot = patient.locator(f'.plot[data-chart="{chart}"] svg')
            plot.wait_for()
            assert plot.bounding_box()["width"] <= 390
        patient.click("#chart-odi summary")
        assert "24" in patient.inner_text("#chart-odi table")
        width = patient.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width
        shot(patient, "outcomes-progress-390")
        results = Axe().run(patient)
        bad = [
            v["id"]
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert not bad, bad

        doc.reload()
        assert "+4 (clearly better)" in doc.inner_text("#outcomes")
        # the patient's charts, drawn in the clinician's browser too
        doc.wait_for_selector("#chart-odi .plot svg")
        alts = doc.eval_on_selector_all(
            ".charts .plot", "els => els.map(e => e.getAttribute('aria-label'))"
        )
        assert any(a.startswith("Oswestry total") and "24 %" in a for a in alts)
        assert any(a.startswith("How your back has changed") for a in alts)
        results = Axe().run(doc)
        bad = [
            v["id"]
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert not bad, bad
        shot(doc, "outcomes-clinician-1280")
        doc.set_viewport_size({"width": 390, "height": 844})
        doc.reload()
        # the outcomes section fits a phone (its table wraps; nothing scrolls sideways)
        right = doc.evaluate(
            "Math.max(...[...document.querySelectorAll('#outcomes *')]"
            ".map(e => e.getBoundingClientRect().right))"
        )
        assert right <= 390, right
        shot(doc, "outcomes-clinician-390")

        # the episode report, downloaded from the patient's page
        with doc.expect_download() as info:
            doc.click("text=Episode report (PDF)")
        path = info.value.path()
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, check=True, text=True
        ).stdout
        assert "Episode report" in text
        assert "15 June 1980" in text
        assert "38 %" in text and "24 %" in text
        assert "+4 (clearly better)" in text
    finally:
        doc_ctx.close()
        patient_ctx.close()
