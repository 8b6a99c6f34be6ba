"""Web fixtures: the app on each database, a settable clock, and signed-in clients."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from psoas.web.app import create_app


def form_token(client: TestClient, path: str) -> str:
    """The CSRF token on a page's forms, as a browser gets it (with any cookie that goes along)."""
    page = client.get(path)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, f"no form token on {path}"
    return match.group(1)


def post_account_form(client: TestClient, path: str, data: dict, **kwargs):  # type: ignore[no-untyped-def]
    """Post the sign-in or sign-up form as a browser would: open it first, send its token."""
    return client.post(path, data={**data, "csrf_token": form_token(client, path)}, **kwargs)


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime(2026, 11, 23, 9, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


PASSWORD = "correct horse battery"


@dataclass
class Web:
    app: object
    clock: Clock
    #: clinics made by sign_up_clinician: the name and its administrator, signed in
    clinics: dict[str, SignedIn] = field(default_factory=dict)

    def client(self) -> TestClient:
        return TestClient(self.app, base_url="http://testserver")  # type: ignore[arg-type]

    def sign_up(
        self,
        email: str,
        *,
        role: str = "patient",
        name: str | None = None,
        invite: str = "",
        accept: bool = True,
        clinic: str | None = None,
    ) -> SignedIn:
        """A patient by open sign-up (with a clinician's code: the request is accepted on the
        care-team page unless ``accept`` is False); a clinician through a clinic's invitation
        (see :meth:`sign_up_clinician`)."""
        if role == "clinician":
            return self.sign_up_clinician(email, name=name, clinic=clinic)
        client = self.client()
        response = post_account_form(
            client,
            "/signup",
            data={
                "email": email,
                "password": PASSWORD,
                "display_name": name or email.split("@")[0].title(),
                "invite": invite,
            },
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        me = client.get("/api/v1/me").json()
        patient = SignedIn(client=client, id=me["id"], email=email, role=role)
        if invite and accept:
            page = client.get("/me/team").text
            for clinician_id in re.findall(r'action="/me/team/(\d+)/accept"', page):
                done = patient.post(f"/me/team/{clinician_id}/accept", follow_redirects=False)
                assert done.status_code == 303, done.text
        return patient

    def sign_up_clinician(
        self, email: str, *, name: str | None = None, clinic: str | None = None
    ) -> SignedIn:
        """A clinician the only ways there are: the first administrator of a new clinic, made
        on the server (``psoas admin create-clinic``), or invited by the administrator of
        ``clinic`` (when it exists) and joining with the link."""
        from psoas.services import clinics

        name = name or email.split("@")[0].title()
        clinic = clinic or f"{name}'s clinic"
        admin = self.clinics.get(clinic)
        client = self.client()
        if admin is None:
            clinics.create_clinic(
                self.app.state.db,  # type: ignore[attr-defined]
                name=clinic,
                admin_email=email,
                admin_name=name,
                password=PASSWORD,
                now=self.clock(),
            )
            response = post_account_form(
                client,
                "/signin",
                data={"email": email, "password": PASSWORD},
                follow_redirects=False,
            )
        else:
            page = admin.post("/clinic/team/invitations", {"email": email})
            assert page.status_code == 200, page.text
            link = re.search(r'id="join-link"[^>]* value="([^"]+)"', page.text)
            assert link, "no invitation link on the clinic page"
            code = link.group(1).split("code=", 1)[1]
            response = post_account_form(
                client,
                f"/join-clinic?code={code}",
                data={"code": code, "display_name": name, "password": PASSWORD},
                follow_redirects=False,
            )
        assert response.status_code == 303, response.text
        me = client.get("/api/v1/me").json()
        signed_in = SignedIn(client=client, id=me["id"], email=email, role="clinician")
        self.clinics.setdefault(clinic, signed_in)
        return signed_in


@dataclass
class SignedIn:
    client: TestClient
    id: int
    email: str
    role: str

    def csrf(self) -> str:
        return form_token(self.client, "/account")

    def post(self, url: str, data: dict | None = None, **kwargs):  # type: ignore[no-untyped-def]
        """A form post with the CSRF token, as a browser would send it."""
        return self.client.post(url, data={**(data or {}), "csrf_token": self.csrf()}, **kwargs)

    def api(self, method: str, url: str, **kwargs):  # type: ignore[no-untyped-def]
        """A JSON API call from the signed-in browser session (CSRF in a header)."""
        headers = {"X-CSRF-Token": self.csrf(), **kwargs.pop("headers", {})}
        return self.client.request(method, url, headers=headers, **kwargs)


@pytest.fixture
def web(database_url: str) -> Iterator[Web]:
    clock = Clock()
    app = create_app(database_url, clock=clock)
    yield Web(app=app, clock=clock)
    app.state.db.close()
