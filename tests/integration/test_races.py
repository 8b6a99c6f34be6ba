"""Races, run for real: several threads send the same request at the same moment (a barrier
lets them go together) through HTTP, on a SQLite file and on PostgreSQL. Each write that must
happen once happens once, the others get a plain answer (never a 500), and nothing is lost.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import func, select

from psoas.storage.db import Database
from psoas.storage.tables import CareTeamRow, InvitationRow, PainRow, ProgramVersionRow, UserRow
from tests.conftest import intake_doc
from tests.integration.conftest import SignedIn, Web, form_token
from tests.integration.test_web_clinician import assess, invite

PASSWORD = "correct horse battery"
#: Races whose window is a few milliseconds run several rounds.
ROUNDS = 4


def db_of(web: Web) -> Database:
    return web.app.state.db  # type: ignore[attr-defined, no-any-return]


def at_once(calls: list[Callable[[], httpx.Response]]) -> list[httpx.Response]:
    """Run every call in its own thread, released together; their answers in order."""
    gate = threading.Barrier(len(calls))
    answers: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        gate.wait()
        try:
            answers[i] = calls[i]()
        except Exception as exc:  # kept, so that the test shows it
            answers[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    for a in answers:
        assert isinstance(a, httpx.Response), a
    return answers


def statuses(answers: list[httpx.Response]) -> list[int]:
    return sorted(a.status_code for a in answers)


def twin(web: Web, who: SignedIn) -> SignedIn:
    """Another client (its own connection, as another tab or a retry) with the same session."""
    client = web.client()
    client.cookies.update(who.client.cookies)
    return SignedIn(client=client, id=who.id, email=who.email, role=who.role)


def signup_form(web: Web, email: str, invite: str = "") -> Callable[[], httpx.Response]:
    """A sign-up form, opened now and posted when called."""
    client = web.client()
    token = form_token(client, "/signup")
    data = {
        "email": email,
        "password": PASSWORD,
        "display_name": email.split("@")[0].title(),
        "role": "patient",
        "invite": invite,
        "csrf_token": token,
    }
    return lambda: client.post("/signup", data=data, follow_redirects=False)


def test_a_one_use_code_joins_one_of_eight_patients_joining_at_once(web: Web) -> None:
    ada = web.sign_up("ada@clinic.test", role="clinician", name="Dr Ada")
    patients = [web.sign_up(f"p{i}@home.test") for i in range(8)]
    for _round in range(ROUNDS):  # the window is short: several rounds, each with a new code
        code = invite(ada)
        tokens = [p.csrf() for p in patients]
        answers = at_once(
            [
                (
                    lambda p=p, t=t, code=code: p.client.post(
                        "/account/join",
                        data={"code": code, "csrf_token": t},
                        follow_redirects=False,
                    )
                )
                for p, t in zip(patients, tokens, strict=True)
            ]
        )
        assert statuses(answers) == [303] + [400] * 7
        refused = [a for a in answers if a.status_code != 303]
        assert all("code is not valid" in a.text for a in refused)
        with db_of(web).session() as s:
            used = s.execute(
                select(InvitationRow.used_by, InvitationRow.used_at).where(
                    InvitationRow.code == code
                )
            ).one()
        # the code went to the one who got in, once
        assert used.used_at is not None and used.used_by in {p.id for p in patients}


def test_a_one_use_code_signs_up_one_of_four_people_at_once(web: Web) -> None:
    ada = web.sign_up("ada@clinic.test", role="clinician", name="Dr Ada")
    for n in range(ROUNDS):
        code = invite(ada)
        answers = at_once([signup_form(web, f"new{n}.{i}@home.test", code) for i in range(4)])
        assert statuses(answers) == [303, 400, 400, 400]
        assert all("code is not valid" in a.text for a in answers if a.status_code == 400)
    with db_of(web).session() as s:
        patients = s.scalars(select(UserRow).where(UserRow.role == "patient")).all()
        asked = s.scalars(select(CareTeamRow.clinician_id).order_by(CareTeamRow.patient_id))
        # the refused sign-ups left no account behind; each one kept asked Dr Ada to join
        assert len(patients) == ROUNDS
        assert asked.all() == [ada.id] * ROUNDS


def test_the_same_email_signing_up_four_times_at_once_makes_one_account(web: Web) -> None:
    for n in range(ROUNDS):
        email = f"twice{n}@home.test"
        answers = at_once([signup_form(web, email) for _ in range(4)])
        assert 500 not in statuses(answers)
        assert statuses(answers).count(303) == 1
        # the others get what any sign-up with that email gets, afterwards
        again = signup_form(web, email)()
        for a in answers:
            if a.status_code != 303:
                assert a.status_code == again.status_code
                assert a.headers.get("location") == again.headers.get("location")
        with db_of(web).session() as s:
            count = s.scalar(select(func.count()).where(UserRow.email == email))
        assert count == 1


def test_assessments_and_clinician_edits_at_once_each_keep_a_version(web: Web) -> None:
    ada = web.sign_up("ada@clinic.test", role="clinician", name="Dr Ada")
    pat = web.sign_up("pat@home.test", name="Pat Lee", invite=invite(ada))
    assess(web, pat)
    detail = ada.client.get(f"/api/v1/patients/{pat.id}").json()
    items = [
        i
        for i in detail["program"]["program"]["items"]
        if i["category"] in ("stretch", "strengthen")
    ]
    assert len(items) >= 2
    body = intake_doc()
    patient_calls = [twin(web, pat) for _ in range(4)]
    patient_tokens = [p.csrf() for p in patient_calls]
    clinician_calls = [twin(web, ada) for _ in range(4)]
    clinician_tokens = [c.csrf() for c in clinician_calls]
    calls: list[Callable[[], httpx.Response]] = []
    for p, t in zip(patient_calls, patient_tokens, strict=True):
        calls.append(
            lambda p=p, t=t: p.client.post(
                "/api/v1/me/assessment", json=body, headers={"X-CSRF-Token": t}
            )
        )
    for n, (c, t) in enumerate(zip(clinician_calls, clinician_tokens, strict=True)):
        edit = {"reason": f"edit {n}", "remove": [items[n % len(items)]["id"]]}
        calls.append(
            lambda c=c, t=t, edit=edit: c.client.post(
                f"/api/v1/patients/{pat.id}/program", json=edit, headers={"X-CSRF-Token": t}
            )
        )
    answers = at_once(calls)
    assert 500 not in statuses(answers), [a.text for a in answers if a.status_code == 500]
    saved = [a for a in answers if a.status_code == 201]
    # an edit may only be refused in words (an item it takes out is already gone): never lost
    for a in answers:
        assert a.status_code in (201, 422), a.text
    assert sum(1 for a in answers[:4] if a.status_code == 201) == 4
    with db_of(web).session() as s:
        versions = s.scalars(
            select(ProgramVersionRow.version)
            .join(UserRow, UserRow.profile_id == ProgramVersionRow.profile_id)
            .where(UserRow.id == pat.id)
            .order_by(ProgramVersionRow.version)
        ).all()
    assert versions == list(range(1, 2 + len(saved)))


def test_eight_edits_at_once_each_keep_a_version(web: Web) -> None:
    ada = web.sign_up("ada@clinic.test", role="clinician", name="Dr Ada")
    pat = web.sign_up("pat@home.test", name="Pat Lee", invite=invite(ada))
    assess(web, pat)
    detail = ada.client.get(f"/api/v1/patients/{pat.id}").json()
    items = [i["id"] for i in detail["program"]["program"]["items"] if i["category"] != "posture"]
    clients = [twin(web, ada) for _ in range(min(8, len(items) - 1))]
    tokens = [c.csrf() for c in clients]
    answers = at_once(
        [
            (
                lambda c=c, t=t, item=item: c.client.post(
                    f"/api/v1/patients/{pat.id}/program",
                    json={"reason": f"out: {item}", "remove": [item]},
                    headers={"X-CSRF-Token": t},
                )
            )
            for c, t, item in zip(clients, tokens, items, strict=False)
        ]
    )
    assert statuses(answers) == [201] * len(clients), [a.text for a in answers]
    final = ada.client.get(f"/api/v1/patients/{pat.id}").json()["program"]
    kept = {i["id"] for i in final["program"]["items"]}
    # every edit applied on top of the one before: all the removed items are gone
    assert not kept & set(items[: len(clients)])
    assert sorted(a.json()["version"] for a in answers) == list(range(2, 2 + len(clients)))


def test_pain_before_sent_seven_times_at_once_is_stored_once(web: Web) -> None:
    pat = web.sign_up("pat@home.test")
    assess(web, pat)
    clients = [twin(web, pat) for _ in range(7)]
    for _round in range(ROUNDS):
        started = pat.api("POST", "/api/v1/me/sessions", json={})
        assert started.status_code == 201, started.text
        sid = started.json()["id"]
        tokens = [c.csrf() for c in clients]
        answers = at_once(
            [
                (
                    lambda c=c, t=t, n=n, sid=sid: c.client.post(
                        f"/api/v1/me/sessions/{sid}/pain",
                        json={"moment": "before", "score": 3 + n % 2},
                        headers={"X-CSRF-Token": t},
                    )
                )
                for n, (c, t) in enumerate(zip(clients, tokens, strict=True))
            ]
        )
        assert statuses(answers) == [200] * 6 + [201], [a.text for a in answers]
        with db_of(web).session() as s:
            rows = s.scalars(
                select(PainRow.score).where(
                    PainRow.session_id == sid, PainRow.context == "before_session"
                )
            ).all()
        assert len(rows) == 1
        # every answer names the one stored score
        assert {a.json()["score"] for a in answers} == {rows[0]}
