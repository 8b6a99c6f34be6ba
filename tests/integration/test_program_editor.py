"""The program editor through the JSON API: every new edit field, clinic templates (save,
list, rename, delete, start another patient from one) with the safety rules, and access."""

from __future__ import annotations

import re

from psoas.catalog import load_catalog
from psoas.domain.tracking import ProgramVersion
from tests.integration.conftest import SignedIn, Web
from tests.integration.test_web_clinician import current, joined_patient


def _stretch(version: ProgramVersion) -> str:
    return next(i.id for i in version.program.items if i.category == "stretch")


def test_an_edit_sets_every_field_and_a_template_starts_another_patient(web: Web) -> None:
    ada = web.sign_up_clinician("ada@clinic.test", name="Dr Ada", clinic="Riverside")
    pat = joined_patient(web, ada, "pat@home.test", "Pat P")
    dana = joined_patient(
        web,
        ada,
        "dana@home.test",
        "Dana W",
        person={"age": 31, "sex": "female"},
        health={"pregnant": True},
    )
    before = current(web, pat)
    stretch = _stretch(before)
    last = before.program.items[-1].id
    edit = {
        "reason": "hold longer, cue the ribs",
        "doses": {stretch: {"hold_seconds": 45, "rest_seconds": 20}},
        "notes": {stretch: "Squeeze the back buttock first."},
        "order": [last],
    }
    made = ada.api("POST", f"/api/v1/patients/{pat.id}/program", json=edit)
    assert made.status_code == 201, made.text
    after = current(web, pat)
    item = next(i for i in after.program.items if i.id == stretch)
    assert (item.dose.hold_seconds, item.dose.rest_seconds) == (45, 20)
    assert item.clinician_note == "Squeeze the back buttock first."
    assert after.program.items[0].id == last

    too_long = ada.api(
        "POST",
        f"/api/v1/patients/{pat.id}/program",
        json={"reason": "longer", "doses": {stretch: {"hold_seconds": 90}}},
    )
    assert too_long.status_code in (404, 422)  # refused, never a server error
    assert current(web, pat).version == after.version

    saved = ada.api("POST", f"/api/v1/patients/{pat.id}/templates", json={"name": "Desk worker"})
    assert saved.status_code == 201, saved.text
    tid = saved.json()["id"]
    again = ada.api("POST", f"/api/v1/patients/{pat.id}/templates", json={"name": "desk WORKER"})
    assert again.status_code == 422
    listed = ada.api("GET", "/api/v1/templates").json()
    assert [t["name"] for t in listed] == ["Desk worker"]
    renamed = ada.api("PATCH", f"/api/v1/templates/{tid}", json={"name": "Desk worker, week 1"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Desk worker, week 1"

    applied = ada.api(
        "POST", f"/api/v1/patients/{dana.id}/program/from-template", json={"template_id": tid}
    )
    assert applied.status_code == 201, applied.text
    new = current(web, dana)
    assert new.version == 2
    assert all(not i.abdominal_pressure for i in new.program.items)
    noted = next(i for i in new.program.items if i.id == stretch)
    assert noted.clinician_note == "Squeeze the back buttock first."
    # Dana sees the note and the dose on her program page, in the player and on the handout.
    page = dana.client.get("/me").text
    assert "From your clinician:</strong> Squeeze the back buttock first." in page
    assert noted.dose.describe() in page
    plan = dana.client.get("/api/v1/me/session-plan").json()
    notes = {s["clinician_note"] for s in plan["steps"] if s["item_id"] == stretch}
    assert notes == {"Squeeze the back buttock first."}

    catalog = ada.api(
        "GET", f"/api/v1/patients/{dana.id}/catalog", params={"q": "massage gun"}
    ).json()
    gun = next(e for e in catalog if e["id"] == "massage-gun-psoas-release")
    assert gun["allowed"] is False and "pregnant" in gun["why_not"]

    assert ada.api("DELETE", f"/api/v1/templates/{tid}").status_code == 204
    assert ada.api("GET", f"/api/v1/templates/{tid}").status_code == 404
    assert current(web, dana).version == 2  # a program started from it stays


def test_templates_stay_in_their_clinic_and_a_red_flag_refuses_them(web: Web) -> None:
    ada = web.sign_up_clinician("ada@clinic.test", name="Dr Ada", clinic="Riverside")
    ben: SignedIn = web.sign_up_clinician("ben@other.test", name="Dr Ben", clinic="Hillside")
    pat = joined_patient(web, ada, "pat@home.test", "Pat P")
    eli = joined_patient(
        web, ada, "eli@home.test", "Eli E", red_flags={"new_bladder_or_bowel_dysfunction": True}
    )
    tid = ada.api("POST", f"/api/v1/patients/{pat.id}/templates", json={"name": "Base"}).json()[
        "id"
    ]
    assert ben.api("GET", f"/api/v1/templates/{tid}").status_code == 404
    assert ben.api("GET", "/api/v1/templates").json() == []
    assert ben.api("DELETE", f"/api/v1/templates/{tid}").status_code == 404
    assert (
        ben.api(
            "POST", f"/api/v1/patients/{pat.id}/program/from-template", json={"template_id": tid}
        ).status_code
        == 404
    )
    held = ada.api(
        "POST", f"/api/v1/patients/{eli.id}/program/from-template", json={"template_id": tid}
    )
    assert held.status_code == 422
    assert "warning signs" in held.text


def test_the_editor_form_sets_every_field_the_order_and_a_note(web: Web) -> None:
    ada = web.sign_up_clinician("ada@clinic.test", name="Dr Ada", clinic="Riverside")
    pat = joined_patient(web, ada, "pat@home.test", "Pat P")
    before = current(web, pat)
    url = f"/clinic/patients/{pat.id}/program"
    page = ada.client.get(url)
    assert page.status_code == 200
    item = next(i for i in before.program.items if i.dose.reps and i.dose.hold_seconds)
    first, last = before.program.items[0].id, before.program.items[-1].id
    assert f'name="reps:{item.id}"' in page.text and f'name="note:{item.id}"' in page.text
    saved = ada.post(
        url,
        {
            "reason": "slower reps, a cue",
            f"reps:{item.id}": str(item.dose.reps - 1),
            f"hold:{item.id}": str(item.dose.hold_seconds + 1),
            f"rest:{item.id}": "45",
            f"note:{item.id}": "Breathe out as you lift.",
            f"place:{last}": "1",
            f"place:{first}": "2",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text[-600:]
    after = current(web, pat)
    new = next(i for i in after.program.items if i.id == item.id)
    assert new.dose.reps == item.dose.reps - 1
    assert new.dose.hold_seconds == item.dose.hold_seconds + 1
    assert new.dose.rest_seconds == 45
    assert new.clinician_note == "Breathe out as you lift."
    assert after.program.items[0].id == last
    refused = ada.post(url, {"reason": "far too many", f"reps:{item.id}": "99"})
    assert refused.status_code == 400 and "reps must be 1 to" in refused.text
    assert current(web, pat).version == after.version


def _shown(page: str) -> set[str]:
    """The ids the page's add list shows (not hidden)."""
    found = re.findall(
        r'<label (data-words[^>]*)><input type="checkbox" name="add" value="([^"]+)"', page
    )
    return {item_id for attrs, item_id in found if not attrs.endswith(" hidden")}


def test_the_editor_finds_in_the_catalog_and_offers_templates(web: Web) -> None:
    ada = web.sign_up_clinician("ada@clinic.test", name="Dr Ada", clinic="Riverside")
    pat = joined_patient(web, ada, "pat@home.test", "Pat P")
    url = f"/clinic/patients/{pat.id}/program"
    every = ada.client.get(url).text
    offered = set(re.findall(r'name="add" value="([^"]+)"', every))
    assert len(offered) > 5 and _shown(every) == offered  # nothing hidden before a search
    assert 'href="/clinic/templates"' in every and 'action="/clinic/patients/' in every
    assert f'action="/clinic/patients/{pat.id}/templates"' in every
    assert "Start again from a template" not in every  # the clinic has none yet

    bird = ada.client.get(url, params={"q": "bird"}).text
    assert _shown(bird) == {"bird-dog"}
    assert set(re.findall(r'name="add" value="([^"]+)"', bird)) == offered  # hidden, not gone
    assert "1 of " in bird and "show all" in bird
    seated = _shown(ada.client.get(url, params={"position": "seated"}).text)
    by_id = {e.id: e for e in load_catalog().exercises}
    assert all(by_id[i].position == "seated" for i in seated)
    both = _shown(ada.client.get(url, params={"category": "stretch", "equipment": "chair"}).text)
    assert both and all(
        by_id[i].category == "stretch" and "chair" in by_id[i].equipment for i in both
    )
    assert _shown(ada.client.get(url, params={"q": "no such exercise at all"}).text) == set()
    too_long = ada.client.get(url, params={"q": "x" * 101})
    assert too_long.status_code in (404, 422)  # refused, never a server error

    saved = ada.api("POST", f"/api/v1/patients/{pat.id}/templates", json={"name": "Desk workers"})
    assert saved.status_code in (200, 201), saved.text
    again = ada.client.get(url).text
    assert "Start again from a template" in again and "Desk workers" in again
