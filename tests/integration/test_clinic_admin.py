"""Running a clinic, on both databases: the administrator invites by email (a real SMTP server)
or gets a link to copy, removes a clinician (who then sees none of the clinic's patients or
notes, while the patients keep a lead and are told), adds or hands over the administrator role
(never none), renames the clinic; the CLI does the same through the same services; all of it
is recorded."""

from __future__ import annotations

import html
import re

from psoas.services import accounts, clinics
from tests.cli_runner import invoke
from tests.integration.conftest import SignedIn, Web
from tests.integration.test_account_mail import Inbox, inbox, mail_web  # noqa: F401
from tests.integration.test_care_teams import join
from tests.integration.test_web_clinician import assess, db_of, invite

CLINIC = "Harbour Physio"


def words(page: str) -> str:
    """A page as a person reads it: no tags, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def text(who: SignedIn, url: str) -> str:
    return words(who.client.get(url).text)


def clinic_of_three(web: Web) -> tuple[SignedIn, SignedIn, SignedIn, SignedIn]:
    """Kim administers Harbour Physio; Lou and Max joined it; Pat has Lou (lead) and Max in
    her care team, and a private note of the clinic."""
    kim = web.sign_up("kim@harbour.example", role="clinician", name="Kim Admin", clinic=CLINIC)
    lou = web.sign_up("lou@harbour.example", role="clinician", name="Lou Physio", clinic=CLINIC)
    mx = web.sign_up("max@harbour.example", role="clinician", name="Max Physio", clinic=CLINIC)
    pat = web.sign_up("pat@example.org", name="Pat", invite=invite(lou))
    assess(web, pat)
    assert lou.post(f"/clinic/patients/{pat.id}/team", {"colleague": str(mx.id)}).status_code in (
        200,
        303,
    )
    assert pat.post(f"/me/team/{mx.id}/accept", follow_redirects=False).status_code == 303
    note = lou.post(
        f"/clinic/patients/{pat.id}/notes",
        {"kind": "note", "summary": "Private: tight left hip flexor."},
        follow_redirects=False,
    )
    assert note.status_code == 303
    return kim, lou, mx, pat


def _user(web: Web, who: SignedIn) -> accounts.User:
    user = accounts.get_user(db_of(web), user_id=who.id)
    assert user is not None
    return user


def test_the_invitation_goes_by_email_when_mail_is_set_up(
    mail_web: Web,  # noqa: F811
    inbox: Inbox,  # noqa: F811
) -> None:
    kim = mail_web.sign_up("kim@harbour.example", role="clinician", name="Kim Admin", clinic=CLINIC)
    page = kim.post("/clinic/team/invitations", {"email": "New@Harbour.example"})
    assert page.status_code == 200
    assert "We emailed the invitation to new@harbour.example" in words(page.text)
    assert 'id="join-link"' not in page.text  # the link goes to them, not on the screen
    [mail] = inbox.to("new@harbour.example")
    assert mail["Subject"] == f"Join {CLINIC} on psoas"
    body = mail.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "Kim Admin invites you" in body
    code = re.search(r"http://testserver/join-clinic\?code=([\w\-]+)", body).group(1)  # type: ignore[union-attr]
    _client, answer = join(mail_web, code, name="Nia New")
    assert answer.status_code == 303, answer.text
    assert "Nia New" in text(kim, "/clinic/team")


def test_without_mail_the_link_is_shown_to_copy(web: Web) -> None:
    kim = web.sign_up("kim@harbour.example", role="clinician", name="Kim Admin", clinic=CLINIC)
    page = kim.post("/clinic/team/invitations", {"email": "new@harbour.example"})
    assert 'id="join-link"' in page.text and "We emailed" not in page.text


def test_removing_a_clinician_ends_their_access_and_passes_the_lead(web: Web) -> None:
    kim, lou, mx, pat = clinic_of_three(web)
    assert lou.client.get(f"/clinic/patients/{pat.id}").status_code == 200
    removed = kim.post(f"/clinic/team/members/{lou.id}/remove", follow_redirects=False)
    assert removed.status_code == 303
    # Lou sees nothing of the clinic any more: the patient, her notes, the clinic page
    assert lou.client.get(f"/clinic/patients/{pat.id}").status_code == 404
    assert lou.api("GET", f"/api/v1/patients/{pat.id}/notes").status_code == 404
    assert lou.client.get("/clinic/team").status_code == 404
    assert "0 patients" in text(lou, "/clinic")
    # the note stays with the clinic: Max still reads it
    assert "tight left hip flexor" in text(mx, f"/clinic/patients/{pat.id}")
    # Pat now has Max as main clinician and is told
    team = text(pat, "/me/team")
    assert "Lou Physio" not in team and "Max Physio" in team
    audit = [e.action for e in accounts.audit_log(db_of(web), patient=_user(web, pat))]
    assert any("Lou Physio left Harbour Physio" in a and "Max Physio" in a for a in audit), audit
    page = text(kim, "/clinic/team")
    assert "Lou Physio" not in page.split("What the administrators did")[0]
    assert "removed Lou Physio from the clinic" in page


def test_only_an_administrator_runs_the_clinic(web: Web) -> None:
    kim, lou, mx, pat = clinic_of_three(web)
    other = web.sign_up("eve@else.example", role="clinician", name="Eve Else")
    for who in (lou, other):
        assert who.post(f"/clinic/team/members/{mx.id}/remove").status_code == 404
        assert who.post(f"/clinic/team/members/{mx.id}/admin", {"on": "1"}).status_code == 404
    assert lou.post("/clinic/team/name", {"name": "Mine now"}).status_code == 404
    # Eve administers her own clinic: renaming renames hers, never Kim's
    assert other.post("/clinic/team/name", {"name": "Eve's own"}).status_code == 200
    assert CLINIC in text(pat, "/me/team")
    # another clinic's clinician cannot be removed from here
    assert kim.post(f"/clinic/team/members/{other.id}/remove").status_code == 404
    assert pat.post(f"/clinic/team/members/{mx.id}/remove").status_code in (403, 404)
    # an administrator cannot remove themselves, nor leave the clinic without one
    own = kim.post(f"/clinic/team/members/{kim.id}/remove")
    assert own.status_code == 400 and "hand the administrator role" in words(own.text)
    down = kim.post(f"/clinic/team/members/{kim.id}/admin", {"on": "0"})
    assert down.status_code == 400 and "always has an administrator" in words(down.text)
    assert CLINIC in text(mx, "/clinic/team")


def test_administrators_are_added_handed_over_and_the_clinic_renamed(web: Web) -> None:
    kim, lou, mx, pat = clinic_of_three(web)
    assert kim.post(f"/clinic/team/members/{lou.id}/admin", {"on": "1"}).status_code == 200
    assert "Make administrator" in text(lou, "/clinic/team")  # Lou runs the clinic too
    # hand over: Max takes the role, Kim keeps being a clinician
    assert kim.post(f"/clinic/team/members/{mx.id}/hand-over").status_code == 200
    held = clinics.membership(db_of(web), user=_user(web, kim))
    assert held is not None and not held.is_admin
    assert kim.post("/clinic/team/name", {"name": "X"}).status_code == 404
    renamed = mx.post("/clinic/team/name", {"name": "  Harbour   Physio  North "})
    assert renamed.status_code == 200
    assert "Harbour Physio North" in text(pat, "/me/team")
    assert mx.post("/clinic/team/name", {"name": ""}).status_code == 400
    log = text(mx, "/clinic/team")
    for done in (
        "made Lou Physio an administrator",
        "made Max Physio an administrator",
        "took the administrator role from Kim Admin",
        "renamed the clinic from 'Harbour Physio' to 'Harbour Physio North'",
    ):
        assert done in log, done


def test_the_cli_runs_the_clinic_through_the_same_services(web: Web, database_url: str) -> None:
    _kim, lou, mx, pat = clinic_of_three(web)
    env: dict[str, str | None] = {"PSOAS_DATABASE_URL": database_url}
    done = invoke(
        "admin", "add-admin", "max@harbour.example", "--as", "kim@harbour.example", env=env
    )
    assert done.returncode == 0, done.stdout + done.stderr
    done = invoke(
        "admin", "remove-clinician", "lou@harbour.example", "--as", "max@harbour.example", env=env
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert lou.client.get(f"/clinic/patients/{pat.id}").status_code == 404
    refused = invoke("admin", "rename-clinic", "Nope", "--as", "pat@example.org", env=env)
    assert refused.returncode == 2
    done = invoke("admin", "rename-clinic", "Harbour Two", "--as", "kim@harbour.example", env=env)
    assert done.returncode == 0 and "Harbour Two" in done.stdout
    done = invoke(
        "admin", "hand-over", "max@harbour.example", "--as", "kim@harbour.example", env=env
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "took the administrator role from Kim Admin" in text(mx, "/clinic/team")
