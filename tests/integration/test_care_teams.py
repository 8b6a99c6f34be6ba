"""Clinics and care teams on both databases, over real HTTP: a clinic's administrator invites
clinicians (one use, expiring, withdrawable); nobody else makes a clinician; a clinician sees a
patient only once the patient accepts them, and not a moment after the patient leaves; notes
stay with the clinic that wrote them unless shared; every change is in the audit log; and the
migration turns the old clinician links into clinics and accepted team members."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from psoas.services import accounts, clinics
from psoas.storage.db import Database, make_engine, migrate
from psoas.storage.tables import CareTeamRow, ClinicMemberRow, ClinicNoteRow, ClinicRow, UserRow
from tests.integration.conftest import PASSWORD, SignedIn, Web, form_token, post_account_form
from tests.integration.test_web_clinician import assess, current, db_of, invite


def invitation_link(admin: SignedIn, email: str) -> str:
    page = admin.post("/clinic/team/invitations", {"email": email})
    assert page.status_code == 200, page.text
    found = re.search(r'id="join-link"[^>]* value="([^"]+)"', page.text)
    assert found, "no invitation link"
    return found.group(1).split("code=", 1)[1]


def join(web: Web, code: str, name: str = "Dr New"):  # type: ignore[no-untyped-def]
    """Post the join form as a browser that opened it would (a used link shows no form, so
    the form token comes from the sign-in page: one cookie serves every account form)."""
    client = web.client()
    answer = client.post(
        "/join-clinic",
        data={
            "code": code,
            "display_name": name,
            "password": PASSWORD,
            "csrf_token": form_token(client, "/signin"),
        },
        follow_redirects=False,
    )
    return client, answer


def clinician_urls(patient_id: int) -> tuple[list[str], list[tuple[str, str, dict]]]:
    """Every clinician page and API call about one patient: reads, and writes (method, url,
    form or JSON)."""
    base = f"/clinic/patients/{patient_id}"
    api = f"/api/v1/patients/{patient_id}"
    reads = [
        base,
        f"{base}/program",
        f"{base}/handout.pdf",
        *(f"{base}/export/{fmt}" for fmt in ("json", "csv", "fhir", "ics")),
        api,
        f"{api}/notes",
        f"{api}/steps",
        f"{api}/handout.pdf",
        *(f"{api}/export/{fmt}" for fmt in ("json", "csv", "fhir", "ics")),
    ]
    writes = [
        ("form", f"{base}/notes", {"summary": "peek"}),
        ("form", f"{base}/program", {"reason": "mine now"}),
        ("form", f"{base}/auto-steps", {"auto_steps": "1"}),
        ("form", f"{base}/team", {"colleague": "1"}),
        ("form", f"{base}/steps/1/approve", {}),
        ("json", f"{api}/notes", {"summary": "peek"}),
        ("json", f"{api}/program", {"reason": "mine now", "remove": ["x"]}),
        ("put", f"{api}/auto-steps", {"on": True}),
    ]
    return reads, writes


def refused_everywhere(clinician: SignedIn, patient_id: int) -> None:
    reads, writes = clinician_urls(patient_id)
    for url in reads:
        assert clinician.client.get(url).status_code == 404, url
    for kind, url, data in writes:
        if kind == "form":
            answer = clinician.post(url, data)
        else:
            answer = clinician.api("PUT" if kind == "put" else "POST", url, json=data)
        assert answer.status_code == 404, (url, answer.status_code)


def sees(clinician: SignedIn, patient_id: int) -> bool:
    return clinician.client.get(f"/clinic/patients/{patient_id}").status_code == 200


def audit_actions(web: Web, patient: SignedIn) -> list[str]:
    user = accounts.get_user(db_of(web), user_id=patient.id)
    assert user is not None
    return [e.action for e in accounts.audit_log(db_of(web), patient=user)]


# --- clinics and invitations ---------------------------------------------------------------------


def test_the_administrator_invites_a_clinician_who_joins_once(web: Web) -> None:
    ada = web.sign_up_clinician("ada@clinic.test", name="Dr Ada", clinic="Riverside")
    page = ada.client.get("/clinic/team")
    assert (
        page.status_code == 200 and "Riverside" in page.text and "Invite a clinician" in page.text
    )
    code = invitation_link(ada, "Ben@Clinic.test")
    assert "ben@clinic.test" in ada.client.get("/clinic/team").text  # pending, listed
    # the join page says which clinic and which email; the account is a clinician's
    assert "Riverside" in web.client().get(f"/join-clinic?code={code}").text
    client, answer = join(web, code, "Dr Ben")
    assert answer.status_code == 303
    me = client.get("/api/v1/me").json()
    assert me["role"] == "clinician" and me["email"] == "ben@clinic.test"
    team = ada.client.get("/clinic/team").text
    assert "Dr Ben" in team and "None waiting" in team
    # one use: the same link makes nobody else, and says so in plain words
    _, again = join(web, code, "Dr Eve")
    assert again.status_code == 404 and "not valid" in again.text
    # Ben is not an administrator: he sees his clinic but cannot invite
    ben = SignedIn(client=client, id=me["id"], email=me["email"], role="clinician")
    assert "Dr Ada" in ben.client.get("/clinic/team").text
    assert ben.post("/clinic/team/invitations", {"email": "x@clinic.test"}).status_code == 404


def test_invitations_expire_and_can_be_withdrawn(web: Web) -> None:
    ada = web.sign_up_clinician("ada@clinic.test", name="Dr Ada", clinic="Riverside")
    late = invitation_link(ada, "late@clinic.test")
    withdrawn = invitation_link(ada, "gone@clinic.test")
    page = ada.client.get("/clinic/team").text
    ids = dict(
        re.findall(r"<li><span>(\S+) .*?/clinic/team/invitations/([0-9a-f]{64})/revoke", page, re.S)
    )
    assert set(ids) == {"late@clinic.test", "gone@clinic.test"}
    assert ada.post(f"/clinic/team/invitations/{ids['gone@clinic.test']}/revoke").status_code == 200
    assert "gone@clinic.test" not in ada.client.get("/clinic/team").text
    assert join(web, withdrawn)[1].status_code == 404
    # an address that has an account cannot be invited
    web.sign_up("pat@home.test")
    refused = ada.post("/clinic/team/invitations", {"email": "pat@home.test"})
    assert refused.status_code == 400 and "already has a psoas account" in refused.text
    web.clock.advance(days=clinics.INVITATION_DAYS, seconds=1)
    assert join(web, late)[1].status_code == 404
    # another clinic's administrator cannot withdraw Riverside's invitations
    other = web.sign_up_clinician("zed@else.test", name="Dr Zed", clinic="Elsewhere")
    assert (
        other.post(f"/clinic/team/invitations/{ids['late@clinic.test']}/revoke").status_code == 404
    )


def test_patients_have_no_clinic_page_and_sign_up_makes_no_clinician(web: Web) -> None:
    pat = web.sign_up("pat@home.test")
    assert pat.client.get("/clinic/team").status_code == 404
    assert pat.post("/clinic/team/invitations", {"email": "x@y.test"}).status_code == 404


# --- care teams ----------------------------------------------------------------------------------


def test_a_code_asks_the_patient_who_accepts_then_leaves(web: Web) -> None:
    ada = web.sign_up_clinician("ada@clinic.test", name="Dr Ada", clinic="Riverside")
    pat = web.sign_up("pat@home.test", name="Pat Lee", invite=invite(ada), accept=False)
    assess(web, pat)
    # asked, not yet in: Ada sees nothing, the patient sees who is asking
    refused_everywhere(ada, pat.id)
    assert "Pat Lee" not in ada.client.get("/clinic").text
    team = pat.client.get("/me/team").text
    assert "Waiting for your answer" in team and "Dr Ada" in team and "Riverside" in team
    home = pat.client.get("/me").text  # the program page says so, with the way to answer
    assert "Dr Ada</strong>\nasks to join your care team" in home and 'href="/me/team"' in home
    assert pat.post(f"/me/team/{ada.id}/accept", follow_redirects=False).status_code == 303
    assert "to join your care team" not in pat.client.get("/me").text
    assert sees(ada, pat.id) and "Pat Lee" in ada.client.get("/clinic").text
    assert pat.client.get("/api/v1/me").json()["clinician_id"] == ada.id
    # the patient leaves: access ends at once, on every page and API call
    assert pat.post(f"/me/team/{ada.id}/remove", follow_redirects=False).status_code == 303
    refused_everywhere(ada, pat.id)
    assert ada.client.get("/api/v1/patients").json() == []
    assert pat.client.get("/api/v1/me").json()["clinician_id"] is None
    assert "Nobody. You use psoas on your own." in pat.client.get("/me/team").text
    actions = audit_actions(web, pat)
    assert "asked to add Dr Ada to the care team" in actions
    assert "accepted Dr Ada into the care team" in actions
    assert "removed Dr Ada from the care team" in actions


def test_declining_a_request_lets_nobody_in(web: Web) -> None:
    ada = web.sign_up_clinician("ada@clinic.test", name="Dr Ada")
    pat = web.sign_up("pat@home.test", invite=invite(ada), accept=False)
    assert pat.post(f"/me/team/{ada.id}/remove", follow_redirects=False).status_code == 303
    refused_everywhere(ada, pat.id)
    assert pat.post(f"/me/team/{ada.id}/accept").status_code == 404  # nothing left to accept
    assert "declined Dr Ada for the care team" in audit_actions(web, pat)


def test_a_colleague_joins_only_once_the_patient_accepts(web: Web) -> None:
    ada = web.sign_up_clinician("ada@clinic.test", name="Dr Ada", clinic="Riverside")
    ben = web.sign_up_clinician("ben@clinic.test", name="Dr Ben", clinic="Riverside")
    zed = web.sign_up_clinician("zed@else.test", name="Dr Zed", clinic="Elsewhere")
    pat = web.sign_up("pat@home.test", name="Pat Lee", invite=invite(ada))
    assess(web, pat)
    record = ada.client.get(f"/clinic/patients/{pat.id}").text
    assert "Add a colleague" in record and "Dr Ben" in record and "Dr Zed" not in record
    # a clinician of another clinic cannot be added, nor can an outsider add anyone
    answer = ada.post(f"/clinic/patients/{pat.id}/team", {"colleague": str(zed.id)})
    assert "Choose+a+colleague" in answer.url.query.decode()
    assert (
        ben.post(f"/clinic/patients/{pat.id}/team", {"colleague": str(ben.id)}).status_code == 404
    )
    ada.post(f"/clinic/patients/{pat.id}/team", {"colleague": str(ben.id)})
    refused_everywhere(ben, pat.id)
    team = pat.client.get("/me/team").text
    assert "suggested by Dr Ada" in team
    pat.post(f"/me/team/{ben.id}/accept")
    assert sees(ben, pat.id) and sees(ada, pat.id)
    refused_everywhere(zed, pat.id)
    # Ada, the lead, leaves: Ben leads now, and still sees the record
    pat.post(f"/me/team/{ada.id}/remove")
    refused_everywhere(ada, pat.id)
    assert sees(ben, pat.id)
    assert pat.client.get("/api/v1/me").json()["clinician_id"] == ben.id
    actions = audit_actions(web, pat)
    assert "asked to add Dr Ben to the care team" in actions
    assert "accepted Dr Ben into the care team" in actions


def test_leaving_a_clinic_removes_all_its_clinicians_at_once(web: Web) -> None:
    ada = web.sign_up_clinician("ada@clinic.test", name="Dr Ada", clinic="Riverside")
    ben = web.sign_up_clinician("ben@clinic.test", name="Dr Ben", clinic="Riverside")
    zed = web.sign_up_clinician("zed@else.test", name="Dr Zed", clinic="Elsewhere")
    pat = web.sign_up("pat@home.test", invite=invite(ada))
    pat.post("/me/team/join", {"code": invite(ben)})
    pat.post("/me/team/join", {"code": invite(zed)})
    pat.post(f"/me/team/{ben.id}/accept")
    pat.post(f"/me/team/{zed.id}/accept")
    assert all(sees(c, pat.id) for c in (ada, ben, zed))
    with db_of(web).session() as s:
        riverside = s.scalar(select(ClinicRow.id).where(ClinicRow.name == "Riverside"))
    assert pat.post(f"/me/team/clinics/{riverside}/leave").status_code == 200
    refused_everywhere(ada, pat.id)
    refused_everywhere(ben, pat.id)
    assert sees(zed, pat.id)
    assert pat.client.get("/api/v1/me").json()["clinician_id"] == zed.id
    assert "left Riverside" in audit_actions(web, pat)
    # a clinic the patient is not in, or a clinician's own page: 404
    assert pat.post(f"/me/team/clinics/{riverside}/leave").status_code == 404
    assert ada.post(f"/me/team/{zed.id}/remove").status_code == 404


# --- notes belong to the clinic that wrote them --------------------------------------------------


def test_private_notes_stay_with_their_clinic_and_shared_ones_reach_the_patient(web: Web) -> None:
    ada = web.sign_up_clinician("ada@clinic.test", name="Dr Ada", clinic="Riverside")
    ben = web.sign_up_clinician("ben@clinic.test", name="Dr Ben", clinic="Riverside")
    zed = web.sign_up_clinician("zed@else.test", name="Dr Zed", clinic="Elsewhere")
    pat = web.sign_up("pat@home.test", invite=invite(ada))
    assess(web, pat)
    ada.post(f"/clinic/patients/{pat.id}/notes", {"summary": "Private: query disc history."})
    ada.post(
        f"/clinic/patients/{pat.id}/notes",
        {"summary": "Keep walking every day, you are doing well.", "shared": "1"},
    )
    # the patient sees the shared note only
    team = pat.client.get("/me/team").text
    assert "Keep walking every day" in team and "disc history" not in team
    # a colleague of the same clinic reads both
    ada.post(f"/clinic/patients/{pat.id}/team", {"colleague": str(ben.id)})
    pat.post(f"/me/team/{ben.id}/accept")
    assert len(ben.client.get(f"/api/v1/patients/{pat.id}/notes").json()) == 2
    # the patient moves to another clinic: its clinician reads the shared note only
    with db_of(web).session() as s:
        riverside = s.scalar(select(ClinicRow.id).where(ClinicRow.name == "Riverside"))
    pat.post(f"/me/team/clinics/{riverside}/leave")
    pat.post("/me/team/join", {"code": invite(zed)})
    pat.post(f"/me/team/{zed.id}/accept")
    notes = zed.client.get(f"/api/v1/patients/{pat.id}/notes").json()
    assert [n["summary"] for n in notes] == ["Keep walking every day, you are doing well."]
    assert notes[0]["shared"] is True
    page = zed.client.get(f"/clinic/patients/{pat.id}").text
    assert "disc history" not in page and "shared with the patient" in page
    # Zed's own private note is Elsewhere's: the patient never sees it
    zed.api("POST", f"/api/v1/patients/{pat.id}/notes", json={"summary": "Zed private"})
    assert "Zed private" not in pat.client.get("/me/team").text
    assert "added a note shared with the patient" in audit_actions(web, pat)


def test_the_demo_clinician_runs_the_demo_clinic(web: Web) -> None:
    from psoas.web.demo import (
        CLINIC_NAME,
        CLINICIAN_EMAIL,
        CLINICIAN_PASSWORD,
        COLLEAGUE_EMAIL,
        COLLEAGUE_NAME,
        PATIENT_PASSWORD,
        load_demo,
    )

    load_demo(db_of(web), web.clock())
    client = web.client()
    post_account_form(client, "/signin", {"email": CLINICIAN_EMAIL, "password": CLINICIAN_PASSWORD})
    page = client.get("/clinic/team").text
    assert CLINIC_NAME in page and "Invite a clinician" in page and COLLEAGUE_NAME in page
    assert len(client.get("/api/v1/patients").json()) == 6
    # the colleague joined by invitation: Dana accepted them, Ana has not answered yet
    jo = web.client()
    post_account_form(jo, "/signin", {"email": COLLEAGUE_EMAIL, "password": CLINICIAN_PASSWORD})
    assert [p["name"] for p in jo.get("/api/v1/patients").json()] == ["Dana Whitfield"]
    ana = web.client()
    post_account_form(ana, "/signin", {"email": "ana@demo.psoas", "password": PATIENT_PASSWORD})
    team = ana.get("/me/team").text
    assert "Waiting for your answer" in team and "suggested by Sam Rivera" in team


def test_program_version_reads_stay_with_the_team(web: Web) -> None:
    """An edit by a colleague who joined is a new version the lead sees too."""
    ada = web.sign_up_clinician("ada@clinic.test", name="Dr Ada", clinic="Riverside")
    ben = web.sign_up_clinician("ben@clinic.test", name="Dr Ben", clinic="Riverside")
    pat = web.sign_up("pat@home.test", invite=invite(ada))
    assess(web, pat)
    ada.post(f"/clinic/patients/{pat.id}/team", {"colleague": str(ben.id)})
    pat.post(f"/me/team/{ben.id}/accept")
    item = current(web, pat).program.items[-1].id
    edit = ben.api(
        "POST", f"/api/v1/patients/{pat.id}/program", json={"reason": "less", "remove": [item]}
    )
    assert edit.status_code in (200, 201), edit.text
    assert ada.client.get(f"/api/v1/patients/{pat.id}").json()["program"]["version"] == 2


# --- the migration -------------------------------------------------------------------------------


def test_the_migration_makes_a_clinic_per_clinician_and_keeps_every_link(
    empty_database_url: str,
) -> None:
    engine = make_engine(empty_database_url)
    migrate(engine, "0009")
    t0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    user = (
        "INSERT INTO users (id, email, password_hash, role, display_name, created_at, "
        "clinician_id, needs_verification, auto_steps) "
        "VALUES (:id, :email, 'x', :role, :name, :at, :clinician, false, false)"
    )
    with engine.begin() as conn:
        for row in (
            (1, "ada@c.test", "clinician", "Dr Ada", None),
            (2, "bo@c.test", "clinician", "Dr Bo", None),
            (3, "p1@h.test", "patient", "P One", 1),
            (4, "p2@h.test", "patient", "P Two", 1),
            (5, "p3@h.test", "patient", "P Three", None),
        ):
            uid, email, role, name, clinician = row
            conn.execute(
                text(user),
                {
                    "id": uid,
                    "email": email,
                    "role": role,
                    "name": name,
                    "at": t0,
                    "clinician": clinician,
                },
            )
        conn.execute(
            text(
                "INSERT INTO clinic_notes (patient_id, clinician_id, created_at, kind, summary) "
                "VALUES (3, 1, :at, 'note', 'before clinics')"
            ),
            {"at": t0},
        )
    migrate(engine)
    engine.dispose()
    db = Database(empty_database_url)
    with db.session() as s:
        clinics_made = dict(s.execute(select(ClinicRow.id, ClinicRow.name)).all())
        assert sorted(clinics_made.values()) == ["Dr Ada's clinic", "Dr Bo's clinic"]
        members = s.execute(select(ClinicMemberRow.user_id, ClinicMemberRow.is_admin)).all()
        assert sorted(members) == [(1, True), (2, True)]
        team = s.execute(
            select(CareTeamRow.patient_id, CareTeamRow.clinician_id, CareTeamRow.status)
        ).all()
        assert sorted(team) == [(3, 1, "accepted"), (4, 1, "accepted")]
        note_clinic = s.scalar(select(ClinicNoteRow.clinic_id))
        ada_clinic = s.scalar(select(ClinicMemberRow.clinic_id).where(ClinicMemberRow.user_id == 1))
        assert note_clinic == ada_clinic
        assert s.scalar(select(UserRow.clinician_id).where(UserRow.id == 3)) == 1
    ada = accounts.get_user(db, user_id=1)
    assert ada is not None
    now = t0 + timedelta(days=1)
    assert [p.id for p in accounts.patients_of(db, clinician=ada)] == [3, 4]
    assert accounts.patient_for(db, viewer=ada, patient_id=3, now=now).id == 3
    with pytest.raises(accounts.NotFound):
        accounts.patient_for(db, viewer=ada, patient_id=5, now=now)
    # the clinician administers the clinic: they can invite
    assert clinics.invite_clinician(db, admin=ada, email="new@c.test", now=now)
    db.close()


# --- the command line ----------------------------------------------------------------------------


def test_psoas_admin_create_clinic_makes_the_first_administrator(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from psoas.web.app import create_app
    from tests.cli_runner import invoke
    from tests.integration.conftest import Clock

    monkeypatch.setenv("PSOAS_DATABASE_URL", database_url)
    typed = f"{PASSWORD}\n{PASSWORD}\n"
    made = invoke(
        "admin",
        "create-clinic",
        "Harbour Physio",
        "--admin-email",
        "Kim@Harbour.test",
        "--admin-name",
        "Kim Ode",
        stdin=typed,
    )
    assert made.returncode == 0, made.stderr
    assert "Harbour Physio" in made.stdout and "kim@harbour.test" in made.stdout
    assert PASSWORD not in made.stdout
    # scripts give the password on stdin once
    scripted = invoke(
        "admin",
        "create-clinic",
        "Second",
        "--admin-email",
        "lu@second.test",
        "--password-stdin",
        stdin=f"{PASSWORD}\n",
    )
    assert scripted.returncode == 0, scripted.stderr
    taken = invoke(
        "admin",
        "create-clinic",
        "Third",
        "--admin-email",
        "kim@harbour.test",
        "--password-stdin",
        stdin=f"{PASSWORD}\n",
    )
    assert taken.returncode == 2 and "an account with this email exists" in taken.stderr
    weak = invoke(
        "admin",
        "create-clinic",
        "Fourth",
        "--admin-email",
        "w@fourth.test",
        "--password-stdin",
        stdin="password1234\n",
    )
    assert weak.returncode == 2 and "password" in weak.stderr
    clock = Clock()
    web = Web(app=create_app(database_url, clock=clock), clock=clock)
    client = web.client()
    signed = post_account_form(
        client,
        "/signin",
        {"email": "kim@harbour.test", "password": PASSWORD},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    page = client.get("/clinic/team").text
    assert "Harbour Physio" in page and "Invite a clinician" in page
    web.app.state.db.close()  # type: ignore[attr-defined]


def test_the_patient_manages_the_team_over_the_json_api(web: Web) -> None:
    ada = web.sign_up_clinician("ada@clinic.test", name="Dr Ada", clinic="Riverside")
    pat = web.sign_up("pat@home.test")
    asked = pat.api("POST", "/api/v1/me/team", json={"code": invite(ada)})
    assert asked.status_code == 201
    (member,) = asked.json()
    assert member["name"] == "Dr Ada" and member["status"] == "pending" and not member["lead"]
    assert pat.api("POST", "/api/v1/me/team", json={"code": "nope"}).status_code == 400
    assert pat.api("POST", f"/api/v1/me/team/{ada.id}/accept").status_code == 204
    (member,) = pat.client.get("/api/v1/me/team").json()
    assert member["status"] == "accepted" and member["lead"]
    assert sees(ada, pat.id)
    assert pat.api("DELETE", f"/api/v1/me/team/{ada.id}").status_code == 204
    assert pat.client.get("/api/v1/me/team").json() == []
    refused_everywhere(ada, pat.id)
    assert pat.api("DELETE", f"/api/v1/me/team/{ada.id}").status_code == 404
    # a clinician has no care team of their own
    assert ada.client.get("/api/v1/me/team").status_code == 404


def test_care_team_and_clinic_forms_need_their_csrf_token(web: Web) -> None:
    ada = web.sign_up_clinician("ada@clinic.test", name="Dr Ada", clinic="Riverside")
    pat = web.sign_up("pat@home.test", invite=invite(ada), accept=False)
    # a cross-site form post carries the cookie but not the token: refused, nothing changes
    assert pat.client.post(f"/me/team/{ada.id}/accept").status_code == 403
    assert pat.client.post("/me/team/join", data={"code": "x"}).status_code == 403
    assert (
        ada.client.post("/clinic/team/invitations", data={"email": "e@x.test"}).status_code == 403
    )
    refused_everywhere(ada, pat.id)
    code = invitation_link(ada, "ben@clinic.test")
    client = web.client()
    stale = client.post(
        "/join-clinic",
        data={"code": code, "display_name": "Ben", "password": PASSWORD, "csrf_token": "x" * 43},
    )
    assert stale.status_code == 403 and "expired" in stale.text
    assert join(web, code)[1].status_code == 303  # the invitation was not used up


def test_a_waiting_step_request_passes_to_the_new_main_clinician(web: Web) -> None:
    from psoas.storage.tables import ProgramStepRow

    ada = web.sign_up_clinician("ada@clinic.test", name="Dr Ada", clinic="Riverside")
    ben = web.sign_up_clinician("ben@clinic.test", name="Dr Ben", clinic="Riverside")
    pat = web.sign_up("pat@home.test", invite=invite(ada))
    ada.post(f"/clinic/patients/{pat.id}/team", {"colleague": str(ben.id)})
    pat.post(f"/me/team/{ben.id}/accept")
    with db_of(web).session() as s, s.begin():
        s.add(
            ProgramStepRow(
                patient_id=pat.id,
                clinician_id=ada.id,
                kind="progress",
                status="pending",
                asked_at=web.clock(),
                from_version=1,
                message="step up",
                changes=[],
                sources=[],
            )
        )
    pat.post(f"/me/team/{ada.id}/remove")
    with db_of(web).session() as s:
        assert s.scalar(select(ProgramStepRow.clinician_id)) == ben.id
    assert ben.client.get(f"/api/v1/patients/{pat.id}/steps").status_code == 200


def test_a_deleted_administrator_hands_the_clinic_and_patients_on(web: Web) -> None:
    from psoas.services import person

    ada = web.sign_up_clinician("ada@clinic.test", name="Dr Ada", clinic="Riverside")
    ben = web.sign_up_clinician("ben@clinic.test", name="Dr Ben", clinic="Riverside")
    pat = web.sign_up("pat@home.test", invite=invite(ada))
    ada.post(f"/clinic/patients/{pat.id}/team", {"colleague": str(ben.id)})
    pat.post(f"/me/team/{ben.id}/accept")
    assert ben.post("/clinic/team/invitations", {"email": "c@clinic.test"}).status_code == 404
    ada_user = accounts.get_user(db_of(web), user_id=ada.id)
    assert ada_user is not None
    done = person.delete_account(db_of(web), user=ada_user, password=PASSWORD, now=web.clock())
    assert done.removed["care team places"] == 1 and done.removed["clinic membership"] == 1
    # Ben runs Riverside now, and leads the patient's team
    assert ben.post("/clinic/team/invitations", {"email": "c@clinic.test"}).status_code == 200
    assert pat.client.get("/api/v1/me").json()["clinician_id"] == ben.id
    assert sees(ben, pat.id)
    (member,) = pat.client.get("/api/v1/me/team").json()
    assert member["name"] == "Dr Ben" and member["lead"]
