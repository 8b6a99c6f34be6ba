"""Accounts over real HTTP handling (TestClient): sign-up, sessions, CSRF, throttling, tokens."""

from __future__ import annotations

import logging
import re

import pytest

from tests.integration.conftest import Web, post_account_form


def test_sign_up_sets_an_httponly_samesite_session_cookie(web: Web) -> None:
    client = web.client()
    response = post_account_form(
        client,
        "/signup",
        data={
            "email": "Ann@Example.org",
            "password": "correct horse battery",
            "display_name": "Ann",
            "role": "patient",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "psoas_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    me = client.get("/api/v1/me").json()
    assert me["email"] == "ann@example.org" and me["role"] == "patient"


def test_bad_sign_up_names_the_field_and_creates_nothing(web: Web) -> None:
    client = web.client()
    short = post_account_form(
        client,
        "/signup",
        data={
            "email": "b@example.org",
            "password": "short",
            "display_name": "B",
            "role": "patient",
        },
    )
    assert short.status_code == 400 and "password: must be at least 12" in short.text
    bad = post_account_form(
        client,
        "/signup",
        data={
            "email": "not-an-email",
            "password": "long enough pw",
            "display_name": "B",
            "role": "patient",
        },
    )
    assert bad.status_code == 400 and "email:" in bad.text
    assert client.get("/api/v1/me").status_code == 401
    web.sign_up("b@example.org")
    again = post_account_form(
        client,
        "/signup",
        data={
            "email": "b@example.org",
            "password": "long enough pw",
            "display_name": "B",
            "role": "patient",
        },
    )
    assert again.status_code == 400 and "exists" in again.text


def test_pages_need_a_session_and_the_api_says_401(web: Web) -> None:
    client = web.client()
    page = client.get("/account", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/signin"
    assert client.get("/api/v1/me").status_code == 401


def test_sign_in_is_throttled_after_repeated_failures(web: Web) -> None:
    web.sign_up("c@example.org")
    client = web.client()
    for _ in range(5):
        wrong = post_account_form(
            client, "/signin", data={"email": "c@example.org", "password": "wrong pass"}
        )
        assert wrong.status_code == 400 and "not recognised" in wrong.text
    blocked = post_account_form(
        client, "/signin", data={"email": "c@example.org", "password": "correct horse battery"}
    )
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
    web.clock.advance(minutes=16)
    ok = post_account_form(
        client,
        "/signin",
        data={"email": "c@example.org", "password": "correct horse battery"},
        follow_redirects=False,
    )
    assert ok.status_code == 303


def test_forms_without_the_csrf_token_change_nothing(web: Web) -> None:
    ann = web.sign_up("d@example.org")
    refused = ann.client.post("/account/tokens", data={"name": "nightly-sync"})
    assert refused.status_code == 403
    wrong = ann.client.post("/account/tokens", data={"name": "nightly-sync", "csrf_token": "nope"})
    assert wrong.status_code == 403
    assert "nightly-sync" not in ann.client.get("/account").text
    assert ann.post("/account/tokens", {"name": "nightly-sync"}).status_code == 200
    assert "nightly-sync" in ann.client.get("/account").text


def test_sign_out_ends_the_session(web: Web) -> None:
    ann = web.sign_up("e@example.org")
    assert ann.post("/signout", follow_redirects=False).status_code == 303
    assert ann.client.get("/api/v1/me").status_code == 401


def test_password_change_ends_other_sessions_but_not_this_one(web: Web) -> None:
    ann = web.sign_up("f@example.org")
    other = web.client()
    post_account_form(
        other, "/signin", data={"email": "f@example.org", "password": "correct horse battery"}
    )
    assert other.get("/api/v1/me").status_code == 200
    bad = ann.post("/account/password", {"current_password": "wrong", "new_password": "x" * 12})
    assert bad.status_code == 400 and "current_password" in bad.text
    done = ann.post(
        "/account/password",
        {"current_password": "correct horse battery", "new_password": "a new passphrase"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert ann.client.get("/api/v1/me").status_code == 200
    assert other.get("/api/v1/me").status_code == 401
    fresh = web.client()
    assert (
        post_account_form(
            fresh,
            "/signin",
            data={"email": "f@example.org", "password": "a new passphrase"},
            follow_redirects=False,
        ).status_code
        == 303
    )


def test_personal_api_tokens_work_without_csrf_and_can_be_revoked(web: Web) -> None:
    ann = web.sign_up("g@example.org")
    page = ann.post("/account/tokens", {"name": "my script"})
    assert "never used" in page.text
    token = re.search(r"psoas_[A-Za-z0-9_\-]+", page.text).group(0)  # type: ignore[union-attr]
    bare = web.client()
    assert bare.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()["email"] == (
        "g@example.org"
    )
    assert (
        bare.get("/api/v1/me", headers={"Authorization": "Bearer psoas_wrong"}).status_code == 401
    )
    assert "last used 2026-11-23 09:00 UTC" in ann.client.get("/account").text
    web.clock.advance(seconds=30)  # within the minute: the call does not write again
    bare.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert "last used 2026-11-23 09:00 UTC" in ann.client.get("/account").text
    web.clock.advance(minutes=5)
    bare.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert "last used 2026-11-23 09:05 UTC" in ann.client.get("/account").text
    token_id = re.search(r"/account/tokens/(\d+)/revoke", ann.client.get("/account").text).group(1)  # type: ignore[union-attr]
    assert ann.post(f"/account/tokens/{token_id}/revoke", follow_redirects=False).status_code == 303
    assert bare.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_invitation_joins_a_patient_to_the_clinician(web: Web) -> None:
    from psoas.services import accounts

    clinician = web.sign_up("dr@example.org", role="clinician", name="Dr Kay")
    db = web.app.state.db  # type: ignore[attr-defined]
    user = accounts.get_user(db, user_id=clinician.id)
    assert user is not None
    code = accounts.create_invitation(db, clinician=user, now=web.clock())
    patient = web.sign_up("h@example.org", invite=code)
    assert patient.client.get("/api/v1/me").json()["clinician_id"] == clinician.id
    reused = post_account_form(
        web.client(),
        "/signup",
        data={
            "email": "i@example.org",
            "password": "correct horse battery",
            "display_name": "I",
            "role": "patient",
            "invite": code,
        },
    )
    assert reused.status_code == 400 and "invitation" in reused.text
    account = patient.client.get("/account").text
    assert "Dr Kay" in account and "accepted Dr Kay into the care team" in account


def test_passwords_are_argon2_hashed_and_never_logged(
    web: Web, caplog: pytest.LogCaptureFixture
) -> None:
    from sqlalchemy import select

    from psoas.storage.tables import UserRow

    caplog.set_level(logging.DEBUG)
    web.sign_up("j@example.org")
    with web.app.state.db.session() as s:  # type: ignore[attr-defined]
        stored = s.scalar(select(UserRow.password_hash).where(UserRow.email == "j@example.org"))
    assert stored.startswith("$argon2id$")
    assert "correct horse battery" not in caplog.text


def test_the_server_hashes_at_argon2s_recommended_cost() -> None:
    """The tests swap in a cheap hasher; a server left alone uses argon2-cffi's default profile."""
    import subprocess
    import sys

    probe = (
        "from argon2 import PasswordHasher\n"
        "from psoas.services import accounts\n"
        "d, h = PasswordHasher(), accounts.use_password_hasher(PasswordHasher())\n"
        "print((h.time_cost, h.memory_cost, h.parallelism) == "
        "(d.time_cost, d.memory_cost, d.parallelism), d.memory_cost)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    same, memory_kib = done.stdout.split()
    assert same == "True" and int(memory_kib) >= 64 * 1024, done.stderr


def test_every_response_carries_the_security_headers(web: Web) -> None:
    client = web.sign_up("h@example.org").client
    for url in ("/signin", "/me", "/api/v1/me", "/no-such-page"):
        response = client.get(url)
        assert response.headers["x-content-type-options"] == "nosniff", url
        assert response.headers["referrer-policy"] == "no-referrer", url
        assert response.headers["x-frame-options"] == "DENY", url
        assert response.headers["cache-control"] == "no-store", url
    static = client.get("/static/app.css")
    assert static.status_code == 200 and static.headers["x-frame-options"] == "DENY"
    assert static.headers.get("cache-control") != "no-store"


@pytest.mark.parametrize("path", ["/signin", "/signup"])
def test_sign_in_and_sign_up_forms_refuse_a_post_made_elsewhere(web: Web, path: str) -> None:
    """Login CSRF: another site can post the form, but it has neither the cookie nor the page."""
    web.sign_up("k@example.org")
    data = {
        "email": "k@example.org" if path == "/signin" else "new@example.org",
        "password": "correct horse battery",
        "display_name": "New",
        "role": "patient",
    }
    forged = web.client()
    bare = forged.post(path, data=data, follow_redirects=False)
    assert bare.status_code == 403 and "expired" in bare.text
    assert "psoas_session" not in bare.headers.get("set-cookie", "")
    guessed = web.client()
    guessed.cookies.set("psoas_form", "a" * 43)
    wrong = guessed.post(path, data={**data, "csrf_token": "b" * 43}, follow_redirects=False)
    assert wrong.status_code == 403
    assert forged.get("/api/v1/me").status_code == 401
    assert guessed.get("/api/v1/me").status_code == 401
    # The refused page carries a fresh form; the refused sign-up created nothing, so this works.
    token = re.search(r'name="csrf_token" value="([^"]+)"', bare.text)
    assert token and "HttpOnly" in bare.headers["set-cookie"]
    assert "SameSite=strict" in bare.headers["set-cookie"]
    done = post_account_form(web.client(), path, data, follow_redirects=False)
    assert done.status_code == 303


def test_a_sign_up_refused_for_its_invitation_creates_no_account(web: Web) -> None:
    from psoas.services import accounts

    clinician = web.sign_up("dr2@example.org", role="clinician")
    db = web.app.state.db  # type: ignore[attr-defined]
    user = accounts.get_user(db, user_id=clinician.id)
    assert user is not None
    code = accounts.create_invitation(db, clinician=user, now=web.clock())
    base = {"password": "correct horse battery", "display_name": "L"}
    mistyped = post_account_form(
        web.client(), "/signup", {**base, "email": "m@example.org", "invite": "not-a-code"}
    )
    assert mistyped.status_code == 400 and "not valid" in mistyped.text
    assert 'value="m@example.org"' in mistyped.text  # the form keeps what was typed
    # The account does not exist, the code is still unused, and the person can try again.
    joined = web.sign_up("m@example.org", invite=code)
    assert joined.client.get("/api/v1/me").json()["clinician_id"] == clinician.id


def test_open_sign_up_makes_patients_only(web: Web) -> None:
    """The form offers no role; a role posted anyway (an old form, a script) is ignored."""
    client = web.client()
    assert 'name="role"' not in client.get("/signup").text
    answer = post_account_form(
        client,
        "/signup",
        {
            "email": "l@example.org",
            "password": "correct horse battery",
            "display_name": "L",
            "role": "clinician",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert client.get("/api/v1/me").json()["role"] == "patient"
    assert client.get("/clinic").status_code == 404


@pytest.mark.parametrize(
    "password",
    [
        "password1234",
        "qwertyuiop12",
        "abcdefghijkl",
        "123456789012",
        "pat.example@demo",
        "Pat Example 1",
    ],
)
def test_a_password_easy_to_guess_is_refused_in_plain_words(web: Web, password: str) -> None:
    """Issue 14: at least 12 characters and not easy to guess (common, a keyboard run, or the
    person's own name or email), with a plain message."""
    client = web.client()
    answer = post_account_form(
        client,
        "/signup",
        data={
            "email": "pat.example@demo.org",
            "password": password,
            "display_name": "Pat Example",
            "role": "patient",
        },
    )
    assert answer.status_code == 400, password
    assert "password:" in answer.text and "unrelated words" in answer.text
    ok = post_account_form(
        client,
        "/signup",
        data={
            "email": "pat.example@demo.org",
            "password": "correct horse battery",
            "display_name": "Pat Example",
            "role": "patient",
        },
        follow_redirects=False,
    )
    assert ok.status_code == 303


def test_an_api_token_cannot_manage_credentials_and_dies_with_the_password(web: Web) -> None:
    """Issue 14: a token may read and write the person's records, never change the password or
    make or revoke tokens; a new password revokes every token."""
    ann = web.sign_up("ann@example.org")
    page = ann.post("/account/tokens", {"name": "my script"})
    token = re.search(r"psoas_[A-Za-z0-9_\-]+", page.text).group(0)  # type: ignore[union-attr]
    bare = web.client()
    auth = {"Authorization": f"Bearer {token}"}
    assert bare.get("/api/v1/me", headers=auth).status_code == 200
    for path, data in (
        ("/account/tokens", {"name": "another"}),
        ("/account/password", {"current_password": "x", "new_password": "a new passphrase"}),
        ("/account/tokens/1/revoke", {}),
    ):
        answer = bare.post(path, data=data, headers=auth, follow_redirects=False)
        assert answer.status_code == 403 and "API token" in answer.text, path
    assert len(re.findall(r"/account/tokens/\d+/revoke", ann.client.get("/account").text)) == 1
    changed = ann.post(
        "/account/password",
        {"current_password": "correct horse battery", "new_password": "a new passphrase"},
        follow_redirects=False,
    )
    assert changed.status_code in (200, 303)
    assert bare.get("/api/v1/me", headers=auth).status_code == 401


def test_guesses_at_the_current_password_are_throttled(web: Web) -> None:
    """Issue 14: the password change's current-password check counts wrong guesses like the
    sign-in does; after five, even the right one waits (429 with Retry-After)."""
    ann = web.sign_up("ann@example.org")
    for n in range(5):
        wrong = ann.post(
            "/account/password",
            {"current_password": f"guess number {n}", "new_password": "a new passphrase"},
        )
        assert wrong.status_code == 400 and "current_password" in wrong.text
    right = ann.post(
        "/account/password",
        {"current_password": "correct horse battery", "new_password": "a new passphrase"},
        follow_redirects=False,
    )
    assert right.status_code == 429 and int(right.headers["Retry-After"]) > 0
    assert "too many wrong current passwords" in right.text.lower()
    web.clock.advance(minutes=16)
    later = ann.post(
        "/account/password",
        {"current_password": "correct horse battery", "new_password": "a new passphrase"},
        follow_redirects=False,
    )
    assert later.status_code == 303
