"""The person's data over HTTP, on both databases: one zip of everything psoas holds about
them (account page and API), and deleting the account and its health data with the password,
keeping only the audit log of who opened the record."""

from __future__ import annotations

import io
import json
import zipfile

from sqlalchemy import func, select

from psoas.services import accounts, person, throttle, tracking
from psoas.storage.db import Database
from psoas.storage.tables import (
    ApiTokenRow,
    AssessmentRow,
    AuditRow,
    ClinicNoteRow,
    PainRow,
    ProfileRow,
    ProgramVersionRow,
    SessionRow,
    SetLogRow,
    ThrottleRow,
    UserRow,
    WebSessionRow,
)
from tests.integration.conftest import SignedIn, Web, post_account_form
from tests.integration.test_web_clinician import assess, invite, session_now

PASSWORD = "correct horse battery"


def db_of(web: Web) -> Database:
    return web.app.state.db  # type: ignore[attr-defined, no-any-return]


def clinic_with_history(web: Web) -> tuple[SignedIn, SignedIn]:
    ada = web.sign_up("ada@clinic.test", role="clinician", name="Dr Ada")
    pat = web.sign_up("pat@home.test", name="Pat Lee", invite=invite(ada))
    assess(web, pat)
    session_now(web, pat)
    tracking.log_pain(
        db_of(web), profile_name=accounts.profile_name_for(pat.id), score=4, now=web.clock.now
    )
    note = {"kind": "note", "summary": "private: check the hip"}
    assert ada.api("POST", f"/api/v1/patients/{pat.id}/notes", json=note).status_code == 201
    shared = {"summary": "Keep the stretches short this week.", "shared": True}
    assert ada.api("POST", f"/api/v1/patients/{pat.id}/notes", json=shared).status_code == 201
    booking = {
        "kind": "telehealth",
        "starts_at": "2026-11-30T11:00:00Z",
        "link": "https://meet.example.org/xyz",
        "note": "a look at your stairs",
    }
    booked = ada.api("POST", f"/api/v1/clinic/patients/{pat.id}/appointments", json=booking)
    assert booked.status_code == 201, booked.text
    written = ada.api(
        "POST", f"/api/v1/clinic/patients/{pat.id}/messages", json={"body": "How was the week?"}
    )
    assert written.status_code == 201, written.text
    answer = pat.api("POST", "/api/v1/me/messages", json={"body": "Better, thanks."})
    assert answer.status_code == 201, answer.text
    assert ada.client.get(f"/clinic/patients/{pat.id}").status_code == 200
    return ada, pat


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_download_holds_everything_about_the_person_and_no_secret(web: Web) -> None:
    ada, pat = clinic_with_history(web)
    token = pat.post("/account/tokens", {"name": "my script", "scope": "read"})
    raw_token = token.text.split("<code>psoas_", 1)[1].split("</code>", 1)[0]
    page = pat.client.get("/account")
    assert 'href="/account/my-data.zip"' in page.text and 'href="/account/delete"' in page.text
    got = pat.client.get("/account/my-data.zip")
    assert got.status_code == 200
    assert got.headers["content-type"] == "application/zip"
    assert "attachment" in got.headers["content-disposition"]
    files = unzip(got.content)
    assert {
        "README.txt",
        "account.json",
        "audit.json",
        "shared-notes.json",
        "appointments.json",
        "messages.json",
        "clearances.json",
        "outcomes.json",
        "record/backup.json",
        "record/history.csv",
        "record/fhir.json",
        "record/handout.pdf",
        "record/program.ics",
    } <= set(files)
    account = json.loads(files["account.json"])
    assert account["email"] == "pat@home.test"
    assert account["clinician"]["display_name"] == "Dr Ada"
    assert account["api_tokens"][0]["name"] == "my script"
    assert [c["clinician"] for c in account["care_team"]] == ["Dr Ada"]
    backup = json.loads(files["record/backup.json"])
    assert len(backup["assessments"]) == 1 and backup["programs"][0]["version"] == 1
    assert backup["sessions"] and backup["sets"] and backup["pain"]
    audit = json.loads(files["audit.json"])
    assert {"who": "Dr Ada", "action": "viewed record"}.items() <= audit[-1].items()
    shared = json.loads(files["shared-notes.json"])
    assert [n["summary"] for n in shared] == [
        "Keep the stretches short this week."
    ]  # not the private one
    assert files["record/handout.pdf"].startswith(b"%PDF")
    [call] = json.loads(files["appointments.json"])
    assert call["link"] == "https://meet.example.org/xyz" and call["clinician"] == "Dr Ada"
    said = [(m["from"], m["body"]) for m in json.loads(files["messages.json"])]
    assert said == [("Dr Ada", "How was the week?"), ("you", "Better, thanks.")]
    assert json.loads(files["clearances.json"]) == []
    everything = b"".join(files.values())
    with db_of(web).session() as s:
        row = s.scalar(select(UserRow).where(UserRow.id == pat.id))
        assert row is not None
        secrets = [row.password_hash, raw_token, *s.scalars(select(WebSessionRow.token_hash))]
        secrets += list(s.scalars(select(ApiTokenRow.token_hash)))
    for secret in secrets:
        assert secret.encode() not in everything
    # the API gives the same, also to a read-only token
    by_token = web.client().get(
        "/api/v1/me/data", headers={"Authorization": f"Bearer psoas_{raw_token}"}
    )
    assert by_token.status_code == 200
    assert set(unzip(by_token.content)) == set(files)
    # a clinician's download: their account and what they did in records
    clinician_files = unzip(ada.client.get("/api/v1/me/data").content)
    assert "record/backup.json" not in clinician_files
    actions = json.loads(clinician_files["audit.json"])
    assert {(a["whose_record"], a["action"]) for a in actions} >= {("Pat Lee", "viewed record")}


def test_a_patient_without_a_program_gets_the_records_and_a_note_why_not_the_handout(
    web: Web,
) -> None:
    pat = web.sign_up("new@home.test")
    files = unzip(pat.client.get("/account/my-data.zip").content)
    assert "record/backup.json" in files and "record/handout.pdf" not in files
    assert "Not included: handout.pdf" in files["README.txt"].decode()


def counts(web: Web, patient_id: int, profile_id: int) -> dict[str, int]:
    with db_of(web).session() as s:

        def n(table, *where) -> int:  # type: ignore[no-untyped-def]
            return int(s.scalar(select(func.count()).select_from(table).where(*where)) or 0)

        return {
            "profiles": n(ProfileRow, ProfileRow.id == profile_id),
            "assessments": n(AssessmentRow, AssessmentRow.profile_id == profile_id),
            "programs": n(ProgramVersionRow, ProgramVersionRow.profile_id == profile_id),
            "sessions": n(SessionRow, SessionRow.profile_id == profile_id),
            "sets": n(SetLogRow),
            "pain": n(PainRow, PainRow.profile_id == profile_id),
            "notes": n(ClinicNoteRow, ClinicNoteRow.patient_id == patient_id),
            "web sessions": n(WebSessionRow, WebSessionRow.user_id == patient_id),
            "tokens": n(ApiTokenRow, ApiTokenRow.user_id == patient_id),
            "audit": n(AuditRow, AuditRow.patient_id == patient_id),
        }


def test_deleting_the_account_removes_the_health_data_and_keeps_the_audit_log(web: Web) -> None:
    ada, pat = clinic_with_history(web)
    pat.post("/account/tokens", {"name": "my script", "scope": "write"})
    user = accounts.get_user(db_of(web), user_id=pat.id)
    assert user is not None and user.profile_id is not None
    before = counts(web, pat.id, user.profile_id)
    assert all(before[k] for k in ("assessments", "programs", "sessions", "sets", "pain", "notes"))
    # failed sign-ins to the account are counted (hashed) until it is deleted
    stranger = web.client()
    post_account_form(stranger, "/signin", {"email": pat.email, "password": "wrong one here"})
    with db_of(web).session() as s:
        counted = s.scalar(
            select(func.count()).where(
                ThrottleRow.key_hash == throttle.key_hash(throttle.ACCOUNT, pat.email)
            )
        )
    assert counted == 1

    page = pat.client.get("/account/delete")
    assert "log of who opened your record" in page.text
    wrong = pat.post("/account/delete", {"password": "not my password"})
    assert wrong.status_code == 400 and "not recognised" in wrong.text
    assert counts(web, pat.id, user.profile_id) == before  # nothing was deleted

    done = pat.post("/account/delete", {"password": PASSWORD})
    assert done.status_code == 200, done.text
    assert "Your account is deleted" in done.text and "What is kept" in done.text
    after = counts(web, pat.id, user.profile_id)
    assert after == {
        **{k: 0 for k in before},
        "audit": before["audit"] + 1,  # who opened the record, and the deletion itself
    }
    with db_of(web).session() as s:
        row = s.get(UserRow, pat.id)
        assert row is not None
        assert row.email == f"deleted-{pat.id}@deleted.invalid"
        assert row.display_name == "Deleted account" and row.profile_id is None
        assert row.clinician_id is None
        forgotten = s.scalar(
            select(func.count()).where(
                ThrottleRow.key_hash == throttle.key_hash(throttle.ACCOUNT, pat.email)
            )
        )
        assert forgotten == 0  # the failed sign-ins counted for the account went too
    # signed out, cannot sign in again, and gone from the clinic
    assert pat.client.get("/api/v1/me").status_code == 401
    again = post_account_form(web.client(), "/signin", {"email": pat.email, "password": PASSWORD})
    assert again.status_code in (400, 429)
    assert ada.client.get("/api/v1/patients").json() == []
    assert ada.client.get(f"/clinic/patients/{pat.id}").status_code == 404
    # the email is free for a new account
    web.sign_up(pat.email)


def test_the_api_deletes_only_from_a_browser_session_and_never_with_a_token(web: Web) -> None:
    pat = web.sign_up("pat@home.test")
    assess(web, pat)
    token = pat.post("/account/tokens", {"name": "script", "scope": "write"})
    raw = "psoas_" + token.text.split("<code>psoas_", 1)[1].split("</code>", 1)[0]
    with_token = web.client().post(
        "/api/v1/me/delete",
        json={"password": PASSWORD},
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert with_token.status_code == 403
    wrong = pat.api("POST", "/api/v1/me/delete", json={"password": "nope nope nope"})
    assert wrong.status_code == 400 and "not recognised" in wrong.json()["detail"]
    done = pat.api("POST", "/api/v1/me/delete", json={"password": PASSWORD})
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["removed"]["health records (profile)"] == 1
    assert "who opened your record" in body["kept"]
    assert pat.client.get("/api/v1/me").status_code == 401


def test_guessing_the_password_to_delete_is_throttled(web: Web) -> None:
    pat = web.sign_up("pat@home.test")
    answers = [
        pat.post("/account/delete", {"password": f"guess number {i}"}).status_code
        for i in range(throttle.PASSWORD_CHANGE.free + 1)
    ]
    assert answers[:-1] == [400] * throttle.PASSWORD_CHANGE.free
    assert answers[-1] == 429
    assert accounts.get_user(db_of(web), user_id=pat.id) is not None


def leftovers(web: Web, user_id: int) -> dict[str, int]:
    """Rows anywhere in the schema that still point at the account, apart from the ones kept
    on purpose (the audit log; notes a clinician wrote about their patients)."""
    found = {}
    with db_of(web).session() as s:
        for table, column, _ in person.links_to_users():
            if (table.name, column.name) in person.KEPT_LINKS:
                continue
            n = s.scalar(select(func.count()).select_from(table).where(column == user_id))
            if n:
                found[f"{table.name}.{column.name}"] = int(n)
    return found


def test_a_clinician_is_told_what_their_deletion_keeps(web: Web) -> None:
    ada, pat = clinic_with_history(web)
    page = ada.client.get("/account/delete")
    assert "notes you wrote stay in your patients' records" in page.text
    assert "notes your clinician kept" not in page.text
    done = ada.post("/account/delete", {"password": PASSWORD})
    assert done.status_code == 200 and "Your account is gone" in done.text
    # the patient keeps their records and the notes, and is no longer linked to anyone
    assert pat.client.get("/api/v1/me").json()["clinician_id"] is None
    with db_of(web).session() as s:
        assert s.scalar(select(func.count()).select_from(ClinicNoteRow)) == 2


def test_nothing_in_any_table_points_at_a_deleted_patient_or_clinician(web: Web) -> None:
    ada, pat = clinic_with_history(web)
    invite(ada)  # an unused code too
    for who in (pat, ada):
        assert leftovers(web, who.id)
        assert who.api("POST", "/api/v1/me/delete", json={"password": PASSWORD}).status_code == 200
        assert leftovers(web, who.id) == {}
    with db_of(web).session() as s:
        # the clinician's name stays in the patient's log of who opened the record
        names = set(s.scalars(select(UserRow.display_name)))
        assert names == {"Dr Ada", "Deleted account"}
        notes = s.scalar(select(func.count()).select_from(ClinicNoteRow))
    assert notes == 0  # the patient's notes went with the patient
