"""Issue 14: two-step sign-in (TOTP and recovery codes) over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pyotp
from fastapi.testclient import TestClient

from tests.integration.conftest import SignedIn, Web, post_account_form

PASSWORD = "correct horse battery"


def _code(web: Web, secret: str, *, steps_later: int = 0) -> str:
    return str(pyotp.TOTP(secret).at(web.clock.now.timestamp() + 30 * steps_later))


def _turn_on(web: Web, person: SignedIn) -> tuple[str, list[str]]:
    offer = person.client.get("/account/two-factor")
    assert offer.status_code == 200 and "Set up two-step sign-in" in offer.text
    person.post("/account/two-factor/start")
    page = person.client.get("/account/two-factor").text
    svg = re.search(r"<svg[^>]*class=\"qr\".*?</svg>", page, re.S)
    assert svg and "style" not in svg.group(0)  # drawn on the server, no inline style
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")  # type: ignore[union-attr]
    wrong = person.post("/account/two-factor/confirm", {"code": "000000"})
    assert wrong.status_code == 400 and "not recognised" in wrong.text
    done = person.post("/account/two-factor/confirm", {"code": _code(web, secret)})
    assert done.status_code == 200 and "Your recovery codes" in done.text
    codes = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", done.text)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "Two-step sign-in is on" in person.client.get("/account/two-factor").text
    return secret, codes


def _password_step(web: Web, email: str) -> TestClient:
    client = web.client()
    answer = post_account_form(
        client, "/signin", data={"email": email, "password": PASSWORD}, follow_redirects=False
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/signin/code"
    assert client.get("/api/v1/me").status_code == 401  # the password alone signs nobody in
    return client


def _code_step(client: TestClient, code: str):  # type: ignore[no-untyped-def]
    return post_account_form(client, "/signin/code", data={"code": code}, follow_redirects=False)


def test_set_up_then_sign_in_asks_for_a_code_taken_once(web: Web) -> None:
    ann = web.sign_up("ann@example.org")
    secret, _ = _turn_on(web, ann)
    client = _password_step(web, "ann@example.org")
    replay = _code_step(client, _code(web, secret))  # the code that turned it on: used
    assert replay.status_code == 400 and "not recognised" in replay.text
    web.clock.advance(seconds=30)
    ok = _code_step(client, _code(web, secret))
    assert ok.status_code == 303 and ok.headers["location"] == "/me"
    assert client.get("/api/v1/me").json()["email"] == "ann@example.org"
    again = _password_step(web, "ann@example.org")
    assert _code_step(again, _code(web, secret)).status_code == 400  # same step: once only


def test_a_recovery_code_works_once(web: Web) -> None:
    bo = web.sign_up("bo@example.org")
    _, codes = _turn_on(web, bo)
    client = _password_step(web, "bo@example.org")
    assert _code_step(client, codes[3].upper().replace("-", " ")).status_code == 303
    other = _password_step(web, "bo@example.org")
    assert _code_step(other, codes[3]).status_code == 400
    assert "9 recovery codes left" in client.get("/account/two-factor").text


def test_wrong_codes_are_throttled_and_the_step_expires(web: Web) -> None:
    cy = web.sign_up("cy@example.org")
    secret, _ = _turn_on(web, cy)
    web.clock.advance(minutes=1)
    client = _password_step(web, "cy@example.org")
    answers = [_code_step(client, f"{n:06d}").status_code for n in range(7)]
    assert answers[:5] == [400] * 5 and answers[5:] == [429, 429]
    held = _code_step(client, _code(web, secret))
    assert held.status_code == 429 and int(held.headers["Retry-After"]) >= 1
    web.clock.advance(minutes=11)  # the password step is over: start again
    late = _code_step(client, _code(web, secret))
    assert late.status_code == 400 and "expired" in late.text


def test_clinicians_keep_it_on_and_patients_may_turn_it_off(web: Web) -> None:
    dr = web.sign_up("dr@example.org", role="clinician")
    offered = post_account_form(
        web.client(),
        "/signin",
        data={"email": "dr@example.org", "password": PASSWORD},
        follow_redirects=False,
    )
    assert offered.headers["location"] == "/account/two-factor?offer=1"
    page = dr.client.get("/account/two-factor?offer=1").text
    assert "Protect your patients' records" in page and "Not now" in page
    _turn_on(web, dr)
    kept = dr.post("/account/two-factor/off", {"password": PASSWORD})
    assert kept.status_code == 400 and "Clinicians keep two-step sign-in on" in kept.text
    assert "Two-step sign-in is on" in dr.client.get("/account/two-factor").text

    ed = web.sign_up("ed@example.org")
    _turn_on(web, ed)
    wrong = ed.post("/account/two-factor/off", {"password": "not my password"})
    assert wrong.status_code == 400
    off = ed.post("/account/two-factor/off", {"password": PASSWORD}, follow_redirects=False)
    assert off.status_code == 303
    web.clock.advance(minutes=1)
    signed = post_account_form(
        web.client(),
        "/signin",
        data={"email": "ed@example.org", "password": PASSWORD},
        follow_redirects=False,
    )
    assert signed.headers["location"] == "/me"


def test_new_recovery_codes_replace_the_old_and_tokens_cannot_touch_any_of_it(web: Web) -> None:
    fi = web.sign_up("fi@example.org")
    _, old = _turn_on(web, fi)
    fresh = fi.post("/account/two-factor/codes", {"password": PASSWORD})
    new = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", fresh.text)
    assert len(new) == 10 and not set(new) & set(old)
    client = _password_step(web, "fi@example.org")
    assert _code_step(client, old[0]).status_code == 400
    assert _code_step(client, new[0]).status_code == 303
    page = fi.post("/account/tokens", {"name": "script", "scope": "write"})
    token = re.search(r"psoas_[A-Za-z0-9_\-]+", page.text).group(0)  # type: ignore[union-attr]
    auth = {"Authorization": f"Bearer {token}"}
    for path in ("/account/two-factor/off", "/account/two-factor/codes"):
        answer = web.client().post(path, headers=auth, data={"password": PASSWORD})
        assert answer.status_code == 403 and "API token" in answer.text, path
