"""Issue 14: password reset and email checks by email, against a real SMTP server (aiosmtpd on
a local port), on SQLite and PostgreSQL; the administrator's reset without email."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient

from psoas.settings import Settings
from psoas.web.app import create_app
from tests.integration.conftest import Clock, Web, post_account_form

PASSWORD = "correct horse battery"
NEW_PASSWORD = "purple otters juggle quietly"


@dataclass
class Inbox:
    messages: list[Message] = field(default_factory=list)
    port: int = 0

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.messages.append(message_from_bytes(envelope.content))  # type: ignore[attr-defined]
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]

    def link(self, message: Message, path: str) -> str:
        body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
        found = re.search(rf"http://testserver({re.escape(path)}\?token=[\w\-]+)", body)
        assert found, body
        return found.group(1)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    box.port = controller.port
    yield box
    controller.stop()


@pytest.fixture
def mail_web(database_url: str, inbox: Inbox) -> Iterator[Web]:
    clock = Clock()
    settings = Settings(
        smtp_host="127.0.0.1",
        smtp_port=inbox.port,
        smtp_tls="none",
        smtp_from="psoas@clinic.example",
        public_url="http://testserver",
    )
    app = create_app(database_url, clock=clock, settings=settings)
    yield Web(app=app, clock=clock)
    app.state.db.close()


def _sign_up(web: Web, email: str, **extra: str):  # type: ignore[no-untyped-def]
    client = web.client()
    data = {"email": email, "password": PASSWORD, "display_name": "Ann", "role": "patient"}
    return client, post_account_form(client, "/signup", data={**data, **extra})


def _sign_in(client: TestClient, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return post_account_form(
        client, "/signin", data={"email": email, "password": password}, follow_redirects=False
    )


def _ask_reset(client: TestClient, email: str):  # type: ignore[no-untyped-def]
    return post_account_form(client, "/reset", data={"email": email})


def _same_page(a: str, b: str) -> bool:
    """The same page but for the form token (random on every page)."""
    token = re.compile(r'name="csrf_token" value="[^"]+"')
    return token.sub("", a) == token.sub("", b)


def test_sign_up_confirm_reset_and_a_link_that_works_once(mail_web: Web, inbox: Inbox) -> None:
    client, answer = _sign_up(mail_web, "ann@example.org")
    assert answer.status_code == 200 and "Check your email" in answer.text
    assert client.get("/api/v1/me").status_code == 401  # not signed in before the link
    refused = _sign_in(client, "ann@example.org")
    assert refused.status_code == 403 and "open the link we sent" in refused.text
    verify_mails = inbox.to("ann@example.org")
    assert len(verify_mails) == 2 and all("Confirm" in m["Subject"] for m in verify_mails)
    link = inbox.link(verify_mails[-1], "/verify")
    page = client.get(link)  # opening it (as a mail scanner would) uses nothing up
    assert page.status_code == 200 and "Confirm my email" in page.text
    token = link.split("token=")[1]
    done = client.post("/verify", data={"token": token}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/signin?done=verified"
    assert client.post("/verify", data={"token": token}).status_code == 410
    assert _sign_in(client, "ann@example.org").status_code == 303

    # forgot the password: the link arrives, sets a new password once and signs in
    other = mail_web.client()
    asked = _ask_reset(other, "Ann@Example.org")
    assert asked.status_code == 200 and "we have sent it a link" in asked.text
    (reset,) = [m for m in inbox.to("ann@example.org") if "Reset" in m["Subject"]]
    assert "works once, for 1 hour" in reset.get_payload(decode=True).decode()  # type: ignore[union-attr]
    link = inbox.link(reset, "/reset/new")
    form = other.get(link)
    assert form.status_code == 200 and 'name="password"' in form.text
    token = link.split("token=")[1]
    weak = other.post("/reset/new", data={"token": token, "password": "password1234"})
    assert weak.status_code == 400 and 'name="token"' in weak.text  # the link still works
    done = other.post(
        "/reset/new", data={"token": token, "password": NEW_PASSWORD}, follow_redirects=False
    )
    assert done.status_code == 303 and other.get("/api/v1/me").json()["email"] == "ann@example.org"
    again = mail_web.client().post("/reset/new", data={"token": token, "password": PASSWORD})
    assert again.status_code == 410 and "used or has expired" in again.text
    assert client.get("/api/v1/me").status_code == 401  # the old session ended
    assert _sign_in(mail_web.client(), "ann@example.org").status_code == 400
    assert _sign_in(mail_web.client(), "ann@example.org", NEW_PASSWORD).status_code == 303


def test_an_expired_reset_link_is_refused(mail_web: Web, inbox: Inbox) -> None:
    client, _ = _sign_up(mail_web, "bo@example.org")
    _ask_reset(client, "bo@example.org")
    (reset,) = [m for m in inbox.to("bo@example.org") if "Reset" in m["Subject"]]
    link = inbox.link(reset, "/reset/new")
    mail_web.clock.advance(minutes=61)
    assert client.get(link).status_code == 410
    token = link.split("token=")[1]
    late = client.post("/reset/new", data={"token": token, "password": NEW_PASSWORD})
    assert late.status_code == 410 and "expired" in late.text


def test_asking_for_a_reset_says_nothing_about_the_address(mail_web: Web, inbox: Inbox) -> None:
    _sign_up(mail_web, "cy@example.org")
    before = len(inbox.messages)
    known = _ask_reset(mail_web.client(), "cy@example.org")
    unknown = _ask_reset(mail_web.client(), "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    known_text = known.text.replace("cy@example.org", "ADDRESS")
    assert _same_page(known_text, unknown.text.replace("nobody@example.org", "ADDRESS"))
    assert known.headers.keys() == unknown.headers.keys()
    assert len(inbox.messages) == before + 1 and not inbox.to("nobody@example.org")


def test_sign_up_with_a_taken_email_answers_the_same_and_mails_the_owner(
    mail_web: Web, inbox: Inbox
) -> None:
    _, first = _sign_up(mail_web, "di@example.org")
    _, second = _sign_up(mail_web, "di@example.org", display_name="Someone Else")
    _, fresh = _sign_up(mail_web, "ed@example.org")
    assert first.status_code == second.status_code == fresh.status_code == 200
    assert _same_page(
        second.text.replace("di@example.org", "X"), fresh.text.replace("ed@example.org", "X")
    )
    subjects = [m["Subject"] for m in inbox.to("di@example.org")]
    assert subjects == ["Confirm your email for psoas", "You already have a psoas account"]
    reset = inbox.link(inbox.to("di@example.org")[1], "/reset/new")
    assert mail_web.client().get(reset).status_code == 200  # a way back in
    with mail_web.app.state.db.session() as s:  # type: ignore[attr-defined]
        from sqlalchemy import func, select

        from psoas.storage.tables import UserRow

        assert s.scalar(select(func.count()).select_from(UserRow)) == 2


def test_a_stranger_cannot_flood_a_person_but_the_owner_still_gets_a_link(
    mail_web: Web, inbox: Inbox
) -> None:
    _sign_up(mail_web, "fi@example.org")
    stranger = TestClient(mail_web.app, base_url="http://testserver", client=("198.51.100.9", 1))  # type: ignore[arg-type]
    for _ in range(10):
        assert _ask_reset(stranger, "fi@example.org").status_code == 200
    resets = [m for m in inbox.to("fi@example.org") if "Reset" in m["Subject"]]
    assert len(resets) == 3
    owner = TestClient(mail_web.app, base_url="http://testserver", client=("192.0.2.44", 1))  # type: ignore[arg-type]
    _ask_reset(owner, "fi@example.org")
    resets = [m for m in inbox.to("fi@example.org") if "Reset" in m["Subject"]]
    assert len(resets) == 4
    link = inbox.link(resets[-1], "/reset/new")
    assert owner.get(link).status_code == 200


def test_without_email_reset_points_to_the_administrator(web: Web) -> None:
    page = web.client().get("/reset")
    assert "ask your clinic's administrator" in page.text and 'action="/reset"' not in page.text
    assert 'href="/reset"' in web.client().get("/signin").text


def test_the_administrator_resets_a_password_from_the_command_line(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from psoas.cli.app import app as cli

    monkeypatch.setenv("PSOAS_DATABASE_URL", database_url)
    clock = Clock()
    web = Web(app=create_app(database_url, clock=clock), clock=clock)
    ann = web.sign_up("gu@example.org")
    typed = f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n"
    result = CliRunner().invoke(cli, ["account", "reset-password", "GU@example.org"], input=typed)
    assert result.exit_code == 0, result.output
    assert (
        "Password reset for gu@example.org" in result.output
        and NEW_PASSWORD not in (result.output.split("New password")[-1].split("\n", 2)[-1])
    )
    assert ann.client.get("/api/v1/me").status_code == 401  # their sessions ended
    assert _sign_in(web.client(), "gu@example.org", NEW_PASSWORD).status_code == 303
    weak = CliRunner().invoke(
        cli, ["account", "reset-password", "gu@example.org"], input="password1234\npassword1234\n"
    )
    assert weak.exit_code == 2 and "password" in weak.output
    missing = CliRunner().invoke(cli, ["account", "reset-password", "no@example.org"], input=typed)
    assert missing.exit_code == 2 and "no account has this email" in missing.output
    web.app.state.db.close()  # type: ignore[attr-defined]


def test_a_reset_by_email_never_skips_two_step_sign_in(mail_web: Web, inbox: Inbox) -> None:
    import pyotp

    from psoas.services import accounts, two_factor

    client, _ = _sign_up(mail_web, "ho@example.org")
    db = mail_web.app.state.db  # type: ignore[attr-defined]
    verify = inbox.link(inbox.to("ho@example.org")[0], "/verify")
    client.post("/verify", data={"token": verify.split("token=")[1]})
    user = accounts.get_user(db, user_id=1)
    assert user is not None and user.email == "ho@example.org" and user.email_verified
    secret = two_factor.begin(db, user=user)
    now = mail_web.clock.now
    two_factor.confirm(db, user=user, code=pyotp.TOTP(secret).at(now.timestamp()), now=now)
    _ask_reset(client, "ho@example.org")
    (reset,) = [m for m in inbox.to("ho@example.org") if "Reset" in m["Subject"]]
    token = inbox.link(reset, "/reset/new").split("token=")[1]
    done = client.post(
        "/reset/new", data={"token": token, "password": NEW_PASSWORD}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == "/signin?done=password"
    assert client.get("/api/v1/me").status_code == 401
    assert "Your password is changed" in client.get("/signin?done=password").text
    again = _sign_in(client, "ho@example.org", NEW_PASSWORD)
    assert again.headers["location"] == "/signin/code"


def test_the_administrator_removes_two_step_sign_in_for_a_lost_phone(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyotp
    from typer.testing import CliRunner

    from psoas.cli.app import app as cli
    from psoas.services import accounts, two_factor

    monkeypatch.setenv("PSOAS_DATABASE_URL", database_url)
    clock = Clock()
    web = Web(app=create_app(database_url, clock=clock), clock=clock)
    dr = web.sign_up("iv@example.org", role="clinician")
    db = web.app.state.db  # type: ignore[attr-defined]
    user = accounts.get_user(db, user_id=dr.id)
    assert user is not None
    secret = two_factor.begin(db, user=user)
    two_factor.confirm(
        db, user=user, code=pyotp.TOTP(secret).at(clock.now.timestamp()), now=clock.now
    )
    typed = f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n"
    result = CliRunner().invoke(
        cli, ["account", "reset-password", "iv@example.org", "--remove-two-factor"], input=typed
    )
    assert result.exit_code == 0 and "two-step sign-in removed" in result.output
    signed = _sign_in(web.client(), "iv@example.org", NEW_PASSWORD)
    assert signed.headers["location"] == "/account/two-factor?offer=1"  # in, and offered again
    db.close()
