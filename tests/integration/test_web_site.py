"""The site around the pages, over real HTTP on each database: the landing page, styled error
pages for every unknown address and error status (JSON under /api/), the security headers and
the Content-Security-Policy on every answer (errors included), the installable app's files,
and the API docs served from this server."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from psoas.domain import questionnaire
from psoas.services.landing import time_it_takes
from psoas.web.app import CONTENT_SECURITY_POLICY, create_app
from tests.integration.conftest import Web


def _headers_of_every_answer(answer) -> None:  # type: ignore[no-untyped-def]
    assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["x-frame-options"] == "DENY"


def test_the_policy_allows_nothing_inline_and_nothing_from_elsewhere() -> None:
    directives = dict(d.strip().split(" ", 1) for d in CONTENT_SECURITY_POLICY.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY and "http" not in CONTENT_SECURITY_POLICY
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"


def test_the_landing_page_says_what_psoas_is_how_long_it_takes_and_where_data_stays(
    web: Web,
) -> None:
    page = web.client().get("/")
    assert page.status_code == 200
    _headers_of_every_answer(page)
    text = page.text
    time = time_it_takes()
    asked = [q for q in questionnaire.visible_questions({}) if q.section != "exam"]
    assert time.questions == len(asked)
    assert f"About {time.minutes_to_answer} minutes, {time.questions} questions" in text
    assert f"About {time.minutes_per_day} minutes a day" in text
    assert "(5 to 120)" in text  # the range the questionnaire accepts
    assert "Your data stays on this server" in text and "(testserver)" in text
    assert len(re.findall(r'<li class="step">', text)) == 3
    pictures = re.findall(r'<img src="(/illustrations/[^"]+)"', text)
    assert len(pictures) == 3
    for src in pictures:
        picture = web.client().get(src)
        assert picture.status_code == 200 and picture.headers["content-type"] == "image/svg+xml"
    assert text.count("does not diagnose") == 1  # once, in the footer


def test_no_page_carries_inline_style_or_script(web: Web) -> None:
    """The policy would block them: no style attribute, no style block, no inline script
    body, no on* handler in any page a visitor, a patient or a clinician opens."""
    visitor = web.client()
    ann = web.sign_up("ann@example.org")
    doc = web.sign_up("doc@example.org", role="clinician")
    pages = [(visitor, p) for p in ("/", "/signin", "/signup", "/reset", "/nowhere", "/api/docs")]
    pages += [(ann.client, p) for p in ("/me", "/me/log", "/me/progress", "/me/session")]
    pages += [(ann.client, p) for p in ("/me/breaks", "/me/reminders", "/me/assess", "/account")]
    pages += [(ann.client, p) for p in ("/account/two-factor", "/account/delete")]
    pages += [(doc.client, p) for p in ("/clinic", "/account", "/clinic/patients/999999")]
    for client, path in pages:
        html = client.get(path).text
        assert not re.search(r"<[^>]+\sstyle=", html), path
        assert "<style" not in html, path
        assert not re.search(r"<[^>]+\son[a-z]+=", html), path
        for script in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
            attrs, body = script
            assert "src=" in attrs or 'type="application/json"' in attrs, (path, attrs)
            assert "src=" not in attrs or not body.strip(), path


def test_an_unknown_address_is_a_page_for_people_and_json_for_programs(web: Web) -> None:
    client = web.client()
    page = client.get("/no/such/page")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    _headers_of_every_answer(page)
    assert "We can&#39;t find that page" in page.text or "We can't find that page" in page.text
    assert 'href="/signin"' in page.text  # the visitor's menu
    assert 'data-offline="forget"' in page.text  # nobody signed in: nothing kept
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}
    _headers_of_every_answer(api)


def test_a_signed_in_person_keeps_their_menu_and_their_offline_copy_on_an_error_page(
    web: Web,
) -> None:
    ann = web.sign_up("ann@example.org")
    page = ann.client.get("/no-such-page")
    assert page.status_code == 404
    assert 'href="/me/session"' in page.text and "Go to my program" in page.text
    assert 'data-offline=""' in page.text  # a patient's kept copy is not emptied by a typo
    doc = web.sign_up("doc@example.org", role="clinician")
    mine = doc.client.get("/clinic/patients/999999")
    assert mine.status_code == 404 and "No such patient among yours." in mine.text
    assert "Go to your patients" in mine.text
    typo = doc.client.get("/clinic/patients/not-a-number")  # not a number: no such page
    assert typo.status_code == 404 and "We can" in typo.text


def test_every_error_status_in_the_browser_is_a_page_in_plain_words(web: Web) -> None:
    client = web.client()
    wrong_method = client.get("/signout")
    assert wrong_method.status_code == 405 and wrong_method.headers["allow"] == "POST"
    assert "That address does not work that way" in wrong_method.text
    _headers_of_every_answer(wrong_method)
    big = "x" * (web.app.state.settings.max_request_bytes + 1)  # type: ignore[attr-defined]
    too_large = client.post("/signin", content=big, headers={"content-type": "text/plain"})
    assert too_large.status_code == 413 and "That was too large to send" in too_large.text
    assert too_large.headers["content-type"].startswith("text/html")
    _headers_of_every_answer(too_large)
    api_large = client.post("/api/v1/me/pain", content=big, headers={"content-type": "text/plain"})
    assert api_large.status_code == 413 and api_large.json()["detail"]
    _headers_of_every_answer(api_large)


def test_an_unexpected_fault_is_a_page_in_the_browser_and_json_for_the_api(
    database_url: str,
) -> None:
    app = create_app(database_url)

    @app.get("/boom")
    @app.get("/api/v1/boom")
    def boom() -> None:
        raise RuntimeError("a fault nobody expected")

    try:
        client = TestClient(app, raise_server_exceptions=False)
        page = client.get("/boom")
        assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
        assert "Something went wrong on our side" in page.text
        assert "a fault nobody expected" not in page.text
        _headers_of_every_answer(page)
        api = client.get("/api/v1/boom")
        assert api.status_code == 500 and api.json() == {
            "detail": "Something went wrong on our side."
        }
        _headers_of_every_answer(api)
    finally:
        app.state.db.close()


def test_the_app_installs_from_its_manifest_icons_and_favicon(web: Web) -> None:
    client = web.client()
    manifest = client.get("/manifest.webmanifest")
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    data = manifest.json()
    assert data["name"].startswith("psoas") and data["display"] == "standalone"
    assert any(i.get("purpose") == "maskable" for i in data["icons"])
    for icon in data["icons"]:
        answer = client.get(icon["src"])
        assert answer.status_code == 200, icon["src"]
        if icon["type"] == "image/png":
            size = int(icon["sizes"].split("x")[0])
            assert answer.content[:8] == b"\x89PNG\r\n\x1a\n"
            width = int.from_bytes(answer.content[16:20], "big")
            height = int.from_bytes(answer.content[20:24], "big")
            assert (width, height) == (size, size), icon["src"]
    favicon = client.get("/favicon.ico")
    assert favicon.status_code == 200 and favicon.content[:4] == b"\x00\x00\x01\x00"
    home = client.get("/").text
    for link in ('rel="manifest"', 'rel="icon"', 'rel="apple-touch-icon"', 'name="theme-color"'):
        assert link in home


def test_the_api_docs_come_from_this_server(web: Web) -> None:
    client = web.client()
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    _headers_of_every_answer(docs)
    assets = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
    assert assets and all(a.startswith("/") and not a.startswith("//") for a in assets)
    for asset in assets:
        answer = client.get(asset)
        assert answer.status_code == 200, asset
    bundle = client.get("/api/docs/assets/swagger-ui-bundle.js")
    assert len(bundle.content) > 500_000 and "SwaggerUIBundle" in bundle.text[:2000]
    assert "no-store" not in bundle.headers.get("cache-control", "")  # a browser may keep it
    assert client.get("/api/openapi.json").json()["paths"]
