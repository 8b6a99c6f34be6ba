"""Messages between a patient and their care team on SQLite and PostgreSQL, over real HTTP:
the two-way thread, the unread badges on both sides (and the mark on the patient list), plain
escaped text within its limit, CSRF, and access: another clinic's clinician gets 404; a clinic
the patient joins later does not read the old thread; a clinician the patient leaves stops
reading; the email says only that a message is waiting, once until the thread is read."""

from __future__ import annotations

import re

from psoas.services import accounts
from tests.integration.conftest import SignedIn, Web
from tests.integration.test_account_mail import Inbox, inbox  # noqa: F401 (fixture)
from tests.integration.test_appointments import mailing, on  # noqa: F401 (fixture)
from tests.integration.test_web_clinician import db_of, invite


def badge(page: str, href: str) -> int:
    """The unread count on the navigation item that links to ``href`` (0: none)."""
    item = re.search(rf'<a href="{re.escape(href)}"[^>]*>(.*?)</a>', page, re.S)
    assert item, f"no {href} in the navigation"
    count = re.search(r'class="nav-count" data-unread="(\d+)"', item.group(1))
    return int(count.group(1)) if count else 0


def patient_badge(pat: SignedIn) -> int:
    return badge(pat.client.get("/me/progress").text, "/me/messages")


def clinician_badge(doc: SignedIn) -> int:
    return badge(doc.client.get("/clinic/team").text, "/clinic")


def thread(person: SignedIn, patient_id: int | None = None) -> str:
    url = "/me/messages" if patient_id is None else f"/clinic/patients/{patient_id}/messages"
    page = person.client.get(url)
    assert page.status_code == 200, page.text
    return page.text


def write(person: SignedIn, text: str, patient_id: int | None = None, **extra: str):  # type: ignore[no-untyped-def]
    url = "/me/messages" if patient_id is None else f"/clinic/patients/{patient_id}/messages"
    return person.post(url, {"body": text, **extra}, follow_redirects=False)


def test_a_two_way_thread_with_unread_badges_that_clear(web: Web) -> None:
    ada = web.sign_up("ada@clinic.test", role="clinician", name="Dr Ada")
    pat = web.sign_up("pat@home.test", name="Pat Lee", invite=invite(ada))
    assert "No messages yet." in thread(pat) and "Write to Dr Ada&#39;s clinic" in thread(pat)
    assert patient_badge(pat) == 0 and clinician_badge(ada) == 0

    sent = write(pat, "The stretch pinches on the left.\nIs that OK?")
    assert sent.status_code == 303 and sent.headers["location"].startswith("/me/messages")
    assert patient_badge(pat) == 0  # one's own message is never unread
    assert clinician_badge(ada) == 1
    listing = ada.client.get("/clinic").text
    assert f'href="/clinic/patients/{pat.id}/messages">1 new message</a>' in listing
    write(pat, "Also: can we move Friday?")
    assert clinician_badge(ada) == 2
    assert "2 new messages" in ada.client.get("/clinic").text

    page = thread(ada, pat.id)
    assert "The stretch pinches on the left.\nIs that OK?" in page
    assert page.count("<strong>new</strong>") == 2
    assert badge(page, "/clinic") == 0  # the page that read them shows the badge cleared
    assert clinician_badge(ada) == 0
    assert "new message" not in ada.client.get("/clinic").text
    assert "<strong>new</strong>" not in thread(ada, pat.id)

    write(ada, "A little pinch is fine; stop if it is sharp.", pat.id)
    assert patient_badge(pat) == 1 and clinician_badge(ada) == 0
    mine = thread(pat)
    assert "A little pinch is fine; stop if it is sharp." in mine and "Dr Ada" in mine
    assert badge(mine, "/me/messages") == 0 and patient_badge(pat) == 0

    # the API has the same thread; reading it changes nothing, marking it read does
    write(ada, "See you Friday.", pat.id)
    threads = pat.client.get("/api/v1/me/messages").json()
    assert [m["body"] for m in threads[0]["messages"]][-1] == "See you Friday."
    assert threads[0]["unread"] == 1 and patient_badge(pat) == 1
    assert pat.client.get("/api/v1/me/messages/unread").json()["total"] == 1
    assert pat.api("POST", "/api/v1/me/messages/read", json={}).status_code == 204
    assert patient_badge(pat) == 0
    posted = pat.api("POST", "/api/v1/me/messages", json={"body": "Thanks!"})
    assert posted.status_code == 201 and posted.json()["from_patient"] is True
    assert ada.client.get("/api/v1/clinic/messages/unread").json() == {
        "total": 1,
        "by_patient": {str(pat.id): 1},
    }
    api_thread = ada.client.get(f"/api/v1/clinic/patients/{pat.id}/messages").json()
    assert api_thread["unread"] == 1 and api_thread["messages"][-1]["body"] == "Thanks!"
    read = ada.api("POST", f"/api/v1/clinic/patients/{pat.id}/messages/read")
    assert read.status_code == 204 and clinician_badge(ada) == 0
    user = accounts.get_user(db_of(web), user_id=pat.id)
    assert user is not None
    actions = [a.action for a in accounts.audit_log(db_of(web), patient=user)]
    assert "sent a message" in actions and "read messages" in actions


def test_messages_are_plain_escaped_limited_and_need_the_form_token(web: Web) -> None:
    ada = web.sign_up("ada@clinic.test", role="clinician", name="Dr Ada")
    pat = web.sign_up("pat@home.test", name="Pat Lee", invite=invite(ada))
    write(pat, '<script>alert("x")</script> <b>bold</b>')
    page = thread(ada, pat.id)
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page
    too_long = write(pat, "x" * 2001)
    assert too_long.status_code == 400 and "body: must be at most 2000 characters" in too_long.text
    assert "x" * 2001 in too_long.text  # kept in the box to shorten
    empty = write(ada, "   ", pat.id)
    assert empty.status_code == 400 and "body: write your message" in empty.text
    forged = pat.client.post("/me/messages", data={"body": "no token"})
    assert forged.status_code == 403
    api = pat.api("POST", "/api/v1/me/messages", json={"body": "y" * 2001})
    assert api.status_code == 422
    assert len(pat.client.get("/api/v1/me/messages").json()[0]["messages"]) == 1


def test_another_clinics_clinician_gets_404(web: Web) -> None:
    ada = web.sign_up("ada@clinic.test", role="clinician", name="Dr Ada")
    pat = web.sign_up("pat@home.test", name="Pat Lee", invite=invite(ada))
    write(pat, "private words")
    zed = web.sign_up("zed@other.test", role="clinician", name="Dr Zed", clinic="Elsewhere")
    assert zed.client.get(f"/clinic/patients/{pat.id}/messages").status_code == 404
    assert write(zed, "hello", pat.id).status_code == 404
    api = f"/api/v1/clinic/patients/{pat.id}/messages"
    assert zed.client.get(api).status_code == 404
    assert zed.api("POST", api, json={"body": "hi"}).status_code == 404
    assert zed.api("POST", f"{api}/read").status_code == 404
    assert zed.client.get("/api/v1/clinic/messages/unread").json()["total"] == 0
    assert clinician_badge(zed) == 0
    # a patient cannot write to a clinic that is not in their team, nor read a clinician page
    other_clinic = zed.client.get("/api/v1/me")  # Zed's clinic id is not Pat's
    assert other_clinic.status_code == 200
    threads = pat.client.get("/api/v1/me/messages").json()
    wrong = pat.api("POST", "/api/v1/me/messages", json={"body": "hi", "clinic_id": 999999})
    assert wrong.status_code == 404 and len(threads) == 1
    assert pat.client.get(f"/clinic/patients/{pat.id}/messages").status_code == 404


def test_a_new_clinic_does_not_read_the_old_thread_and_leaving_stops_it(web: Web) -> None:
    ada = web.sign_up("ada@clinic.test", role="clinician", name="Dr Ada", clinic="Riverside")
    bea = web.sign_up("bea@clinic.test", role="clinician", name="Dr Bea", clinic="Riverside")
    pat = web.sign_up("pat@home.test", name="Pat Lee", invite=invite(ada))
    pat.post("/me/team/join", {"code": invite(bea)})
    pat.post(f"/me/team/{bea.id}/accept")
    write(pat, "my knee story at Riverside")
    write(ada, "noted, Pat", pat.id)
    # both clinicians of Riverside in the team read the clinic's thread
    assert "my knee story at Riverside" in thread(bea, pat.id)
    # Pat leaves Ada: she stops at once, Bea goes on
    pat.post(f"/me/team/{ada.id}/remove")
    assert ada.client.get(f"/clinic/patients/{pat.id}/messages").status_code == 404
    assert "noted, Pat" in thread(bea, pat.id)
    write(pat, "only Bea now")
    assert clinician_badge(ada) == 0 and clinician_badge(bea) == 1
    # Pat leaves Riverside and joins another clinic: it sees none of the old thread
    riverside = re.search(r'action="/me/team/clinics/(\d+)/leave"', pat.client.get("/me/team").text)
    assert riverside
    assert pat.post(f"/me/team/clinics/{riverside.group(1)}/leave").status_code == 200
    assert bea.client.get(f"/clinic/patients/{pat.id}/messages").status_code == 404
    assert clinician_badge(bea) == 0
    assert "Write to" not in thread(pat)  # no team: nothing to write to
    zed = web.sign_up("zed@other.test", role="clinician", name="Dr Zed", clinic="Hillside")
    pat.post("/me/team/join", {"code": invite(zed)})
    pat.post(f"/me/team/{zed.id}/accept")
    new = thread(zed, pat.id)
    assert "No messages yet." in new and "Riverside" not in new and "knee" not in new
    api = zed.client.get(f"/api/v1/clinic/patients/{pat.id}/messages").json()
    assert api["messages"] == [] and api["clinic"] == "Hillside"
    mine = thread(pat)
    assert "Hillside" in mine and "knee story" not in mine and "Riverside" not in mine
    write(pat, "hello Hillside")
    assert clinician_badge(zed) == 1
    assert [t["clinic"] for t in pat.client.get("/api/v1/me/messages").json()] == ["Hillside"]


def test_the_email_says_only_that_a_message_waits_once_until_read(
    web: Web,
    mailing: object,  # noqa: F811
    inbox: Inbox,  # noqa: F811
) -> None:
    ada_plain = web.sign_up("ada@clinic.test", role="clinician", name="Dr Ada")
    pat_plain = web.sign_up("pat@home.test", name="Pat Lee", invite=invite(ada_plain))
    ada, pat = on(mailing, ada_plain), on(mailing, pat_plain)
    write(ada, "Your results look good, Pat.", pat.id)
    write(ada, "And one more thing.", pat.id)
    mails = inbox.to("pat@home.test")
    assert len(mails) == 1  # once until the thread is read
    body = mails[0].get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert mails[0]["Subject"] == "A new message is waiting for you on psoas"
    assert "http://testserver/me/messages" in body
    for secret in ("results", "Dr Ada", "Pat", "clinic"):
        assert secret not in body and secret not in mails[0]["Subject"]
    thread(pat)  # read
    write(ada, "A third.", pat.id)
    assert len(inbox.to("pat@home.test")) == 2
    # the patient's message tells the clinician, once
    write(pat, "Thank you!")
    write(pat, "Really.")
    assert len(inbox.to("ada@clinic.test")) == 1
