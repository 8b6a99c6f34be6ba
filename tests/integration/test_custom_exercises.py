"""A clinic's own exercises on both databases: its clinicians write, edit and archive them (with
a picture from the drawn poses and at least one source); a patient whose program holds one reads
it on every surface (program page, player, handout, calendar, FHIR); the safety rules judge it
exactly as they judge psoas's own; nobody else sees it (404)."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from psoas.domain.program_edit import ProgramEdit
from psoas.services import accounts, clinic, clinics, program_editor
from psoas.services import custom_exercises as custom
from tests.integration.conftest import SignedIn, Web
from tests.integration.test_web_clinician import assess, db_of, invite

FORM: dict[str, Any] = {
    "name": "Wall slide with a band",
    "category": "strengthen",
    "position": "standing",
    "targets": "glutes, hip flexors",
    "summary": "Standing with your back to a wall, you slide down a little and back up.",
    "why": "It strengthens the hips in a position you use all day.",
    "steps": "Stand with your back against a wall.\nSlide down a hand's width, then back up.",
    "cues": "Keep your knees over your toes.",
    "safety": "Stop if your knee hurts.",
    "dose_sets": "2",
    "dose_reps": "8",
    "dose_rest_seconds": "30",
    "dose_times_per_day": "1",
    "abdominal_pressure": "no",
    "equipment": ["wall"],
    "sources": ["nice-ng59"],
    "figure": "standing-hip-extension",
}


def page(who: SignedIn, url: str) -> str:
    return html.unescape(who.client.get(url).text)


def create(ada: SignedIn, **changes: Any) -> str:
    """A new exercise through the form; its id."""
    done = ada.post("/clinic/exercises", {**FORM, **changes}, follow_redirects=False)
    assert done.status_code == 303, done.text
    found = re.search(r"/clinic/exercises/(clinic-[a-z0-9-]+)", done.headers["location"])
    assert found
    return found.group(1)


def _user(web: Web, who: SignedIn) -> accounts.User:
    user = accounts.get_user(db_of(web), user_id=who.id)
    assert user is not None
    return user


def add_to_program(web: Web, ada: SignedIn, pat: SignedIn, item_id: str) -> None:
    clinic.edit_program(
        db_of(web),
        clinician=_user(web, ada),
        patient=_user(web, pat),
        edit=ProgramEdit(reason="Strength for the stairs at work", add=[item_id]),
        now=web.clock(),
    )


def test_a_clinician_writes_an_exercise_and_the_patient_follows_it(web: Web) -> None:
    ada = web.sign_up("ada@clinic.example", role="clinician", name="Ada Physio")
    listed = page(ada, "/clinic/team")
    assert 'href="/clinic/exercises"' in listed
    item_id = create(ada)
    assert item_id.startswith("clinic-") and "wall-slide-with-a-band" in item_id
    edit = page(ada, f"/clinic/exercises/{item_id}")
    assert "Saved" not in edit or "Programs that hold it" in edit
    assert 'value="Wall slide with a band"' in edit
    assert "/illustrations/standing-hip-extension.svg" in edit  # the figure preview
    assert len(edit.encode()) < 100_000  # the form with every picture and reference to choose
    mine = page(ada, "/clinic/exercises")
    assert "Wall slide with a band" in mine and "/illustrations/standing-hip-extension.svg" in mine

    pat = web.sign_up("pat@example.org", name="Pat", invite=invite(ada))
    assess(web, pat)
    add_to_program(web, ada, pat, item_id)

    program = page(pat, "/me")
    assert "Wall slide with a band" in program
    assert "Slide down a hand's width, then back up." in program
    assert "/illustrations/standing-hip-extension.svg" in program
    plan = pat.client.get("/api/v1/me/session-plan")
    assert plan.status_code == 200 and item_id in plan.text
    assert "/illustrations/standing-hip-extension.motion.svg" in plan.text
    player = page(pat, "/me/session")
    assert "Wall slide with a band" in player
    assert pat.client.get("/api/v1/me/export/pdf").status_code == 200
    fhir = pat.client.get("/api/v1/me/export/fhir")
    assert fhir.status_code == 200 and item_id in fhir.text
    ics = pat.client.get("/api/v1/me/export/ics")
    assert ics.status_code == 200 and "Wall slide with a band" in ics.text
    assert pat.client.get("/me/progress").status_code == 200  # progress reads the program
    assert pat.client.get("/api/v1/me/progress").status_code == 200
    seen = ada.client.get(f"/clinic/patients/{pat.id}")
    assert seen.status_code == 200 and "Wall slide with a band" in html.unescape(seen.text)
    handout = ada.client.get(f"/clinic/patients/{pat.id}/handout.pdf")
    assert handout.status_code == 200 and handout.content.startswith(b"%PDF")
    editor = ada.client.get(f"/clinic/patients/{pat.id}/program")  # the editor reads it too
    assert editor.status_code == 200 and "Wall slide with a band" in html.unescape(editor.text)
    assert f'name="reps:{item_id}"' in editor.text

    # an edit reaches the patient at once
    changed = ada.post(
        f"/clinic/exercises/{item_id}",
        {**FORM, "steps": "Stand tall against the wall.\nSlide down slowly."},
        follow_redirects=False,
    )
    assert changed.status_code == 303, changed.text
    assert "Slide down slowly." in page(pat, "/me")

    # used in a program: archived, never deleted; the patient keeps it
    gone = ada.post(f"/clinic/exercises/{item_id}/archive", follow_redirects=False)
    assert gone.status_code == 303 and "archived" in gone.headers["location"]
    assert "Archived" in page(ada, "/clinic/exercises")
    assert "Slide down slowly." in page(pat, "/me")
    held = custom.catalog_for_clinic(db_of(web), _clinic_id(web, ada))
    assert item_id not in {e.id for e in held.exercises}
    kept = ada.client.get(f"/clinic/patients/{pat.id}/program")  # archived, still editable
    assert kept.status_code == 200 and "Slide down slowly." not in kept.text
    assert "Wall slide with a band" in html.unescape(kept.text)
    # the program that holds it can still be edited, and keeps it
    clinic.edit_program(
        db_of(web),
        clinician=_user(web, ada),
        patient=_user(web, pat),
        edit=ProgramEdit(reason="One less thing for now", remove=["glute-bridge"]),
        now=web.clock(),
    )
    assert "Slide down slowly." in page(pat, "/me")
    assert "Glute bridge" not in page(pat, "/me").split("Left out")[0]
    events = page(ada, "/clinic/team")
    assert "Archived the exercise" in events
    # a new one takes the name; the archived one comes back only once the name is free
    newer = create(ada)
    refused = ada.post(f"/clinic/exercises/{item_id}/restore", follow_redirects=True)
    assert "Not restored" in html.unescape(refused.text)
    ada.post(f"/clinic/exercises/{newer}/archive")  # never used: deleted
    back = ada.post(f"/clinic/exercises/{item_id}/restore", follow_redirects=True)
    assert "is back in your list" in html.unescape(back.text)
    held = custom.catalog_for_clinic(db_of(web), _clinic_id(web, ada))
    assert item_id in {e.id for e in held.exercises}


def _clinic_id(web: Web, who: SignedIn) -> int:
    held = clinics.membership(db_of(web), user=_user(web, who))
    assert held is not None
    return held.clinic.id


def test_the_pages_carry_no_inline_style_or_script(web: Web) -> None:
    ada = web.sign_up("ada@clinic.example", role="clinician", name="Ada Physio")
    item_id = create(ada)
    for path in ("/clinic/exercises", "/clinic/exercises/new", f"/clinic/exercises/{item_id}"):
        text = ada.client.get(path).text
        assert not re.search(r"<[^>]+\sstyle=", text), path
        assert "<style" not in text and not re.search(r"<[^>]+\son[a-z]+=", text), path
        for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", text, re.S):
            assert "src=" in attrs and not body.strip(), path


def test_an_exercise_no_program_used_is_deleted(web: Web) -> None:
    ada = web.sign_up("ada@clinic.example", role="clinician", name="Ada Physio")
    item_id = create(ada)
    gone = ada.post(f"/clinic/exercises/{item_id}/archive", follow_redirects=False)
    assert "deleted" in gone.headers["location"]
    assert ada.client.get(f"/clinic/exercises/{item_id}").status_code == 404


def test_the_form_names_what_is_missing_and_saves_nothing(web: Web) -> None:
    ada = web.sign_up("ada@clinic.example", role="clinician", name="Ada Physio")
    bad = ada.post("/clinic/exercises", {**FORM, "sources": [], "steps": ""})
    assert bad.status_code == 400
    text = html.unescape(bad.text)
    assert "cite at least one source" in text and "steps" in text
    assert 'value="Wall slide with a band"' in text  # what was typed stays
    kneel = ada.post("/clinic/exercises", {**FORM, "dose_sets": "", "dose_minutes": ""})
    assert kneel.status_code == 400 and "a dose needs sets or minutes" in html.unescape(kneel.text)
    assert custom.exercises(db_of(web), clinician=_user(web, ada)) == []
    create(ada)
    again = ada.post("/clinic/exercises", {**FORM, "name": "wall slide with a band"})
    assert again.status_code == 400 and "already has an exercise called" in html.unescape(
        again.text
    )
    # the clinic's own reference counts as a source
    item_id = create(
        ada,
        name="Wall slide, deeper",
        sources=[],
        own_title="Hip strength in office workers",
        own_publisher="Journal of Desk Health",
        own_year="2024",
    )
    cited = page(ada, f"/clinic/exercises/{item_id}")
    assert 'value="Journal of Desk Health"' in cited


def test_the_safety_rules_judge_a_clinic_exercise_like_psoas_own(web: Web) -> None:
    ada = web.sign_up("ada@clinic.example", role="clinician", name="Ada Physio")
    belly = create(
        ada,
        name="Belly press release",
        category="release",
        position="bed",
        abdominal_pressure="yes",
        one_sided="1",
        dose_minutes="2",
        dose_sets="",
        dose_reps="",
        equipment=[],
        figure="release-tool-supine",
    )
    safe = create(ada)
    pat = web.sign_up("pat@example.org", name="Pat", invite=invite(ada))
    assess(web, pat, health={"takes_anticoagulants": True})
    editor = program_editor.editor(db_of(web), clinician=_user(web, ada), patient=_user(web, pat))
    addable = {e.exercise.id: e.refused for e in editor.entries}
    assert addable[belly] is not None and addable[safe] is None
    try:
        add_to_program(web, ada, pat, belly)
    except Exception as exc:  # Refused names the rule
        assert "cannot be added" in str(exc)
    else:
        raise AssertionError("a belly-pressure exercise was added for a person on blood thinners")
    add_to_program(web, ada, pat, safe)
    assert "Wall slide with a band" in page(pat, "/me")

    # the clinic later marks it as not for people on blood thinners: it leaves the program
    # on every surface at once, and the patient is told why
    ada.post(
        f"/clinic/exercises/{safe}",
        {**FORM, "contraindications": ["anticoagulants"]},
        follow_redirects=False,
    )
    program = page(pat, "/me")
    assert "Left out because of blood thinners" in program
    api = pat.client.get("/api/v1/me/program").json()["program"]
    assert safe not in [i["id"] for i in api["items"]]
    assert safe in [e["id"] for e in api["excluded"]]
    assert safe not in json.dumps(pat.client.get("/api/v1/me/session-plan").json())
    assert "Wall slide" not in page(pat, "/me/session").split("Left out")[0]


def test_only_the_clinic_and_the_patients_holding_it_see_an_exercise(web: Web) -> None:
    ada = web.sign_up("ada@clinic.example", role="clinician", name="Ada Physio")
    item_id = create(ada)
    bea = web.sign_up("bea@colleague.example", role="clinician", clinic="Ada Physio's clinic")
    assert page(bea, f"/clinic/exercises/{item_id}").count("Wall slide with a band") >= 1
    other = web.sign_up("olga@other.example", role="clinician", name="Olga")
    assert other.client.get(f"/clinic/exercises/{item_id}").status_code == 404
    assert other.api("GET", f"/api/v1/clinic/exercises/{item_id}").status_code == 404
    assert other.post(f"/clinic/exercises/{item_id}/archive").status_code == 404
    assert other.api("GET", "/api/v1/clinic/exercises").json() == []
    assert ada.client.get("/clinic/exercises/glute-bridge").status_code == 404  # not a clinic's
    pat = web.sign_up("pat@example.org", name="Pat")
    assert pat.client.get("/clinic/exercises").status_code == 404
    assert pat.api("GET", f"/api/v1/clinic/exercises/{item_id}").status_code == 404


def test_the_api_creates_and_reads_in_the_catalog_shape(web: Web) -> None:
    ada = web.sign_up("ada@clinic.example", role="clinician", name="Ada Physio")
    body = {
        "name": "Seated knee lift hold",
        "category": "strengthen",
        "position": "seated",
        "abdominal_pressure": False,
        "targets": ["hip flexors"],
        "summary": "Sitting tall, you lift one knee a little and hold it.",
        "why": ["Strong hip flexors may help you sit and stand with less strain."],
        "dose": {"sets": 2, "reps": 5, "hold_seconds": 5},
        "steps": ["Sit tall.", "Lift one knee a little and hold."],
        "sources": [],
        "own_reference": {"title": "Clinic protocol", "publisher": "Riverside", "year": 2025},
        "figure": "seated-marching",
    }
    made = ada.api("POST", "/api/v1/clinic/exercises", json=body)
    assert made.status_code == 201, made.text
    out = made.json()
    assert out["exercise"]["id"] == out["id"] and out["exercise"]["steps"][0] == "Sit tall."
    assert out["references"][0]["publisher"] == "Riverside"
    assert out["picture_url"].startswith("/illustrations/seated-marching.svg")
    bad = ada.api("POST", "/api/v1/clinic/exercises", json={**body, "own_reference": None})
    assert bad.status_code == 422 and "source" in bad.text
    listed = ada.api("GET", "/api/v1/clinic/exercises").json()
    assert [e["id"] for e in listed] == [out["id"]]
    gone = ada.api("DELETE", f"/api/v1/clinic/exercises/{out['id']}")
    assert gone.json() == {"result": "deleted"}


def test_a_program_whose_clinic_exercise_is_gone_still_shows(web: Web) -> None:
    """Should a clinic and its exercises be deleted, its patients' programs still open: the
    item leaves them, and everything else stays."""
    from sqlalchemy import delete

    from psoas.storage.tables import ClinicExerciseRow

    ada = web.sign_up("ada@clinic.example", role="clinician", name="Ada Physio")
    item_id = create(ada)
    pat = web.sign_up("pat@example.org", name="Pat", invite=invite(ada))
    assess(web, pat)
    add_to_program(web, ada, pat, item_id)
    assert "Wall slide with a band" in page(pat, "/me")
    with db_of(web).session() as s, s.begin():
        s.execute(delete(ClinicExerciseRow).where(ClinicExerciseRow.item_id == item_id))
    home = pat.client.get("/me")
    assert home.status_code == 200 and "Glute bridge" in html.unescape(home.text)
    assert "Wall slide with a band" not in html.unescape(home.text)
    assert pat.client.get("/api/v1/me/session-plan").status_code == 200
    assert pat.client.get("/api/v1/me/export/pdf").status_code == 200


def test_a_clinic_exercise_costs_the_program_page_one_query_and_others_none(web: Web) -> None:
    from sqlalchemy import event

    ada = web.sign_up("ada@clinic.example", role="clinician", name="Ada Physio")
    item_id = create(ada)
    ann = web.sign_up("ann@example.org", name="Ann", invite=invite(ada))
    pat = web.sign_up("pat@example.org", name="Pat", invite=invite(ada))
    assess(web, ann)
    assess(web, pat)
    add_to_program(web, ada, pat, item_id)
    engine = db_of(web).engine
    counted: list[str] = []

    def count(*args: Any) -> None:
        counted.append(args[2])

    def queries(who: SignedIn) -> list[str]:
        who.client.get("/me")  # warm: the rendered body is kept
        counted.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert who.client.get("/me").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return [q for q in counted if q.lstrip().upper().startswith("SELECT")]

    plain, holding = queries(ann), queries(pat)
    assert not [q for q in plain if "clinic_exercises" in q]
    assert len([q for q in holding if "clinic_exercises" in q]) == 1
    assert len(holding) == len(plain) + 1
