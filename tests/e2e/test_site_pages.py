"""Every page in real Chromium, light and dark: none breaks the Content-Security-Policy (no
inline script or style anywhere, nothing from another site), axe finds nothing (contrast
included, in both colour schemes), and the site's own parts are there: the landing page, the
styled error pages, the installable app's manifest and icons, the API docs from this server.

The demo clinic gives a patient with a history and a clinician with patients. Screenshots go
to /tmp/psoas-shots, never the repo."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from psoas.web.demo import CLINICIAN_EMAIL, CLINICIAN_PASSWORD, PATIENT_PASSWORD, load_demo
from tests.e2e.conftest import Served, _serve

SHOTS = Path("/tmp/psoas-shots")
PATIENT = "ana@demo.psoas"

ANONYMOUS = [
    "/",
    "/signin",
    "/signup",
    "/reset",
    "/reset/new?token=not-a-token",
    "/verify?token=not-a-token",
    "/join-clinic?code=not-a-code",
    "/no-such-page",
    "/me/download/no-such-file",
]
PATIENT_PAGES = [
    "/me",
    "/me/session",
    "/me/breaks",
    "/me/log",
    "/me/progress",
    "/me/result",
    "/me/assess",
    "/me/recheck",
    "/me/reminders",
    "/me/team",
    "/me/messages",
    "/account",
    "/account/two-factor",
    "/account/delete",
    "/no-such-page",
]
CLINICIAN_PAGES = [
    "/clinic",
    "/clinic/patients/{pid}",
    "/clinic/patients/{pid}/program",
    "/clinic/patients/{pid}/messages",
    "/clinic/patients/999999",
    "/clinic/team",
    "/clinic/schedule",
    "/clinic/exercises",
    "/clinic/exercises/new",
    "/clinic/templates",
    "/account",
    "/account/two-factor",
    "/account/delete",
]
#: What one page may weigh (its HTML; the standing budget).
PAGE_BUDGET = 150_000
#: Swagger UI's own markup (a button inside a button; its headings' order) is not ours to fix.
DOCS_AXE = {
    "rules": {"nested-interactive": {"enabled": False}, "heading-order": {"enabled": False}}
}

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " +
                    (e.sourceFile || "") + ":" + e.lineNumber);
});
"""


@pytest.fixture(scope="module")
def demo_site() -> Iterator[Served]:
    """The app on a SQLite file with the demo clinic (the policy does not depend on the
    database; the journeys run on both)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for served in _serve(f"sqlite:///{tmp}/psoas.db"):
            load_demo(served.db, datetime.now(UTC))
            yield served


def _context(browser: Any, site: Served, scheme: str, width: int = 390) -> Any:
    ctx = browser.new_context(
        base_url=site.url,
        viewport={"width": width, "height": 844},
        color_scheme=scheme,
        service_workers="block",
    )
    ctx.set_default_timeout(20_000)
    ctx.add_init_script(WATCH)
    return ctx


def _sign_in(page: Any, email: str, password: str) -> None:
    page.goto("/signin")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/signin" not in page.url, "the demo account could not sign in"


def _walk(page: Any, paths: list[str], scheme: str, who: str) -> list[str]:
    """Open each page; what broke the policy or axe, in words (empty: nothing)."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    found: list[str] = []
    console: list[str] = []
    page.on(
        "console",
        lambda m: console.append(m.text) if "Content Security Policy" in m.text else None,
    )
    for path in paths:
        response = page.goto(path)
        assert response is not None
        page.wait_for_load_state("networkidle")
        size = len(response.body())
        if size > PAGE_BUDGET:
            found.append(f"{path}: {size} bytes, over the {PAGE_BUDGET} a page may weigh")
        policy = response.headers.get("content-security-policy", "")
        if "default-src 'self'" not in policy or "unsafe-inline" in policy:
            found.append(f"{path}: Content-Security-Policy header {policy!r}")
        violations = page.evaluate("window.__csp") + console
        console.clear()
        found += [f"{path} ({scheme}): CSP violation {v}" for v in violations]
        results = axe.run(page)
        found += [
            f"{path} ({scheme}): axe {v['id']} on {len(v['nodes'])} element(s), "
            f"first {v['nodes'][0]['target']}"
            for v in results.response["violations"]
        ]
        SHOTS.mkdir(exist_ok=True)
        name = f"site-{who}-{path.strip('/').replace('/', '-') or 'landing'}-{scheme}.png"
        page.screenshot(path=str(SHOTS / name), full_page=True)
    return found


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_keeps_the_policy_and_passes_axe(
    browser: Any, demo_site: Served, scheme: str
) -> None:
    found: list[str] = []
    ctx = _context(browser, demo_site, scheme)
    try:
        found += _walk(ctx.new_page(), ANONYMOUS, scheme, "anonymous")
    finally:
        ctx.close()

    ctx = _context(browser, demo_site, scheme)
    try:
        page = ctx.new_page()
        _sign_in(page, PATIENT, PATIENT_PASSWORD)
        found += _walk(page, PATIENT_PAGES, scheme, "patient")
    finally:
        ctx.close()

    ctx = _context(browser, demo_site, scheme, width=1280)
    try:
        page = ctx.new_page()
        _sign_in(page, CLINICIAN_EMAIL, CLINICIAN_PASSWORD)
        page.goto("/clinic")
        links = page.locator("a[href^='/clinic/patients/']")
        held = links.first.get_attribute("href").split("/")[3]  # flagged first: a red flag
        ana = links.filter(has_text="Ana").first.get_attribute("href").split("/")[3]
        per_patient = [p for p in CLINICIAN_PAGES if "{pid}" in p]
        paths = [p.format(pid=pid) for pid in (held, ana) for p in per_patient]
        paths = [CLINICIAN_PAGES[0], *paths, *(p for p in CLINICIAN_PAGES[1:] if "{pid}" not in p)]
        found += _walk(page, paths, scheme, "clinician")
    finally:
        ctx.close()
    assert found == []


def test_the_api_docs_load_only_from_this_server_and_show_the_api(
    browser: Any, demo_site: Served
) -> None:
    """Swagger UI comes from the installed package: the page works with no internet (every
    request goes to this server) and renders the API's operations."""
    from axe_playwright_python.sync_playwright import Axe

    ctx = _context(browser, demo_site, "light", width=1280)
    try:
        page = ctx.new_page()
        origins: set[str] = set()
        page.on("request", lambda r: origins.add(urlsplit(r.url).netloc))
        response = page.goto("/api/docs")
        assert response is not None and response.status == 200
        page.wait_for_selector(".opblock-summary", timeout=20_000)
        page.wait_for_load_state("networkidle")
        assert origins == {urlsplit(demo_site.url).netloc}
        assert page.locator(".opblock-summary").count() > 10
        assert page.get_by_text("/api/v1/me/program").count() >= 1
        assert page.evaluate("window.__csp") == []
        violations = Axe().run(page, options=DOCS_AXE).response["violations"]
        assert [(v["id"], len(v["nodes"])) for v in violations] == []
    finally:
        ctx.close()


def test_a_visitor_sees_what_psoas_is_and_can_install_it(browser: Any, demo_site: Served) -> None:
    ctx = _context(browser, demo_site, "light", width=1280)
    try:
        page = ctx.new_page()
        page.goto("/")
        steps = page.locator("ol.steps > li")
        assert steps.count() == 3
        for i in range(3):  # each step with its picture, drawn
            width = steps.nth(i).locator("img").evaluate("img => img.naturalWidth")
            assert width > 0, f"step {i + 1} has no picture"
        body = page.locator("main").inner_text()
        assert "minutes" in body and "stays on this server" in body
        assert page.locator("footer").inner_text().count("does not diagnose") == 1
        assert "does not diagnose" not in body  # one disclaimer, in the footer

        manifest = page.evaluate(
            "fetch(document.querySelector('link[rel=manifest]').href).then(r => r.json())"
        )
        assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
        sizes = {icon["sizes"] for icon in manifest["icons"]}
        assert {"192x192", "512x512"} <= sizes
        for icon in manifest["icons"]:
            answer = page.request.get(icon["src"])
            assert answer.status == 200 and answer.headers["content-type"].startswith("image/")
        favicon = page.request.get("/favicon.ico")
        assert favicon.status == 200 and favicon.body()[:4] == b"\x00\x00\x01\x00"  # an ICO
        theme = page.locator('meta[name="theme-color"]').first.get_attribute("content")
        assert theme == manifest["theme_color"]
    finally:
        ctx.close()


def test_an_unknown_address_is_a_page_in_the_browser_and_json_for_the_api(
    browser: Any, demo_site: Served
) -> None:
    ctx = _context(browser, demo_site, "light")
    try:
        page = ctx.new_page()
        answer = page.goto("/no/such/page")
        assert answer is not None and answer.status == 404
        assert answer.headers["content-type"].startswith("text/html")
        assert page.locator("h1").inner_text() == "We can't find that page"
        assert page.locator("main a.button").get_attribute("href") == "/"
        api = page.request.get("/api/v1/no-such-thing")
        assert api.status == 404 and api.headers["content-type"] == "application/json"
        assert "content-security-policy" in api.headers
    finally:
        ctx.close()


def test_chromium_finds_psoas_installable(browser: Any, demo_site: Served) -> None:
    """Chromium's own installability check (manifest, icons, start address) finds nothing
    missing. It needs a profile on disk: an in-memory (incognito) one never installs."""
    import tempfile

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    with tempfile.TemporaryDirectory() as profile:
        ctx = browser.browser_type.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = ctx.new_page()
            page.goto(demo_site.url + "/")
            page.wait_for_load_state("networkidle")
            cdp = ctx.new_cdp_session(page)
            manifest = cdp.send("Page.getAppManifest")
            assert manifest["url"].endswith("/manifest.webmanifest") and manifest["errors"] == []
            assert cdp.send("Page.getInstallabilityErrors") == {"installabilityErrors": []}
        finally:
            ctx.close()
