"""Every page that shows a clinician a patient's record writes an audit entry, a form shown
again with its errors included (an invalid note, a refused program edit), on both databases.
A change that is refused before anything is shown (the JSON API's 422) shows no record."""

from __future__ import annotations

from psoas.services import accounts
from psoas.storage.db import Database
from tests.integration.conftest import SignedIn, Web
from tests.integration.test_web_clinician import assess, invite


def db_of(web: Web) -> Database:
    return web.app.state.db  # type: ignore[attr-defined, no-any-return]


def views(web: Web, patient: SignedIn) -> int:
    user = accounts.get_user(db_of(web), user_id=patient.id)
    assert user is not None
    return sum(
        1 for e in accounts.audit_log(db_of(web), patient=user) if e.action == "viewed record"
    )


def clinic(web: Web) -> tuple[SignedIn, SignedIn]:
    ada = web.sign_up("ada@clinic.test", role="clinician", name="Dr Ada")
    pat = web.sign_up("pat@home.test", name="Pat Lee", invite=invite(ada))
    assess(web, pat)
    return ada, pat


def test_an_invalid_note_shows_the_record_and_is_audited(web: Web) -> None:
    ada, pat = clinic(web)
    before = views(web, pat)
    page = ada.post(f"/clinic/patients/{pat.id}/notes", {"kind": "note", "summary": "   "})
    assert page.status_code == 400
    assert "Pat Lee" in page.text and "write what the note" in page.text
    assert views(web, pat) == before + 1
    # the patient sees who looked, on their account page
    assert "viewed record" in pat.client.get("/account").text


def test_a_refused_program_edit_shows_the_program_and_is_audited(web: Web) -> None:
    ada, pat = clinic(web)
    before = views(web, pat)
    page = ada.post(f"/clinic/patients/{pat.id}/program", {"reason": "nothing changes"})
    assert page.status_code == 400
    assert "Pat Lee" in page.text
    assert views(web, pat) == before + 1
    bad_dose = ada.post(
        f"/clinic/patients/{pat.id}/program", {"reason": "x", "sets:glute-bridge": "lots"}
    )
    assert bad_dose.status_code == 400
    assert views(web, pat) == before + 2


def test_each_page_view_is_one_entry_and_api_refusals_show_nothing(web: Web) -> None:
    ada, pat = clinic(web)
    before = views(web, pat)
    assert ada.client.get(f"/clinic/patients/{pat.id}").status_code == 200
    assert ada.client.get(f"/clinic/patients/{pat.id}/program").status_code == 200
    assert ada.client.get(f"/api/v1/patients/{pat.id}").status_code == 200
    assert views(web, pat) == before + 3
    refused = ada.api("POST", f"/api/v1/patients/{pat.id}/notes", json={"summary": ""})
    assert refused.status_code == 422 and "Pat Lee" not in refused.text
    assert views(web, pat) == before + 3
    # another clinician's attempt shows nothing and leaves no entry
    ben = web.sign_up("ben@clinic.test", role="clinician", name="Dr Ben")
    assert ben.post(f"/clinic/patients/{pat.id}/notes", {"summary": " "}).status_code == 404
    assert views(web, pat) == before + 3
