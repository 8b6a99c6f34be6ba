"""The guided session and the break coach over HTTP (TestClient), on SQLite and PostgreSQL:
the plan, starting, idempotent sets, finishing with pain, who may see what, CSRF, bad values,
break events and the coach's countdown, and the red-flag hold."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest

from psoas.catalog import load_catalog
from psoas.domain.assess import assess
from psoas.domain.intake import Intake
from psoas.domain.tracking import History
from psoas.services import accounts, tracking
from psoas.services.assessment import parse_intake
from tests.conftest import EXAMPLES, make_intake
from tests.integration.conftest import SignedIn, Web


def seed(web: Web, patient: SignedIn, intake: Intake | None = None) -> None:
    """Assess an intake (the office worker with an hour a day, so the release stays, by
    default) and keep it as the patient's program."""
    if intake is None:
        doc = json.loads((EXAMPLES / "office-worker.json").read_text())
        doc["preferences"]["minutes_per_day"] = 60
        intake = parse_intake(json.dumps(doc))
    tracking.save_assessment(
        web.app.state.db,  # type: ignore[attr-defined]
        profile_name=accounts.profile_name_for(patient.id),
        intake=intake,
        assessment=assess(intake, load_catalog()),
        now=web.clock.now,
    )


def history(web: Web, patient: SignedIn) -> History:
    return tracking.history(
        web.app.state.db,  # type: ignore[attr-defined]
        profile_name=accounts.profile_name_for(patient.id),
    )


def a_set(step: dict[str, Any], key: str, **changes: Any) -> dict[str, Any]:
    body = {
        "key": key,
        "item_id": step["item_id"],
        "side": step["side"],
        "set_number": step["set_number"],
        "hold_seconds": step["hold_seconds"] if step["kind"] == "hold" else None,
        "reps": step["reps"] if step["kind"] == "reps" else None,
        "minutes": round(step["work_seconds"] / 60, 2) if step["kind"] == "timed" else None,
    }
    return {**body, **changes}


def fields(response: Any) -> set[str]:
    return {e["field"].rsplit(".", 1)[-1] for e in response.json()["detail"]}


@pytest.fixture
def ann(web: Web) -> SignedIn:
    patient = web.sign_up("ann@example.org")
    seed(web, patient)
    return patient


# --- the plan -------------------------------------------------------------------------------


def test_the_plan_says_there_is_no_program_until_an_assessment(web: Web) -> None:
    bob = web.sign_up("bob@example.org")
    response = bob.client.get("/api/v1/me/session-plan")
    assert response.status_code == 404
    assert "no home program yet" in response.json()["detail"].lower()
    assert bob.api("POST", "/api/v1/me/sessions", json={}).status_code == 404
    page = bob.client.get("/me/session")
    assert page.status_code == 200 and "no home program yet" in page.text.lower()
    assert "player.js" not in page.text


def test_the_plan_lists_every_set_in_order_with_timings(web: Web, ann: SignedIn) -> None:
    plan = ann.client.get("/api/v1/me/session-plan").json()
    assert plan["program_version"] == 1
    steps = plan["steps"]
    assert steps[0]["category"] == "release" and steps[0]["first_of_item"]
    assert steps[0]["instructions"] and steps[0]["breathing"]
    assert {s["kind"] for s in steps} <= {"hold", "reps", "timed"}
    assert len({s["key_part"] for s in steps}) == len(steps)
    assert plan["total_seconds"] == sum(
        s["get_ready_seconds"] + s["run_seconds"] + s["rest_seconds"] for s in steps
    )
    # every planned set is completed by one step; paced steps count their reps
    assert sorted(k for s in steps for k in s["covers"]) == sorted(
        p["key_part"] for p in plan["planned"]
    )
    assert sum(p["share"] for p in plan["planned"]) == pytest.approx(1)
    paced = next(s for s in steps if s["tempo"])
    tempo = paced["tempo"]
    n = paced["rep_count"]
    assert (
        paced["run_seconds"]
        == n * (tempo["lift_seconds"] + tempo["hold_seconds"] + tempo["lower_seconds"])
        + (n - 1) * tempo["between_seconds"]
    )
    stretch = next(s for s in steps if s["kind"] == "hold" and s["side"] == "right")
    assert "right side" in stretch["announcement"]
    page = ann.client.get("/me/session")
    assert page.status_code == 200
    assert 'id="psoas-plan"' in page.text and "/static/player.js" in page.text
    assert 'aria-live="polite"' in page.text


# --- a session from start to finish --------------------------------------------------------------


def test_start_sets_with_a_retried_key_and_finish_with_pain_after(web: Web, ann: SignedIn) -> None:
    plan = ann.client.get("/api/v1/me/session-plan").json()
    started = ann.api("POST", "/api/v1/me/sessions", json={"pain_before": 5})
    assert started.status_code == 201
    session = started.json()
    assert session["program_version"] == 1
    sid = session["id"]

    first, second = plan["steps"][0], plan["steps"][2]
    web.clock.advance(minutes=3)
    done_at = web.clock.now.isoformat()
    created = ann.api(
        "POST",
        f"/api/v1/me/sessions/{sid}/sets",
        json=a_set(first, "3f0c8a52-0d8e-4c38-9b7e-1f6c2d7a9e01", completed_at=done_at),
    )
    assert created.status_code == 201 and created.json()["stored"] is True
    retried = ann.api(
        "POST",
        f"/api/v1/me/sessions/{sid}/sets",
        json=a_set(first, "3f0c8a52-0d8e-4c38-9b7e-1f6c2d7a9e01", completed_at=done_at),
    )
    assert retried.status_code == 200 and retried.json()["stored"] is False
    web.clock.advance(minutes=2)
    other = ann.api(
        "POST", f"/api/v1/me/sessions/{sid}/sets", json=a_set(second, "b2f3a1d4-key-two")
    )
    assert other.status_code == 201

    web.clock.advance(minutes=1)
    finished = ann.api(
        "POST", f"/api/v1/me/sessions/{sid}/finish", json={"status": "completed", "pain_after": 3}
    )
    assert finished.status_code == 200
    assert finished.json()["status"] == "completed" and finished.json()["finished_now"] is True
    again = ann.api(
        "POST", f"/api/v1/me/sessions/{sid}/finish", json={"status": "quit", "pain_after": 9}
    )
    assert again.status_code == 200
    assert again.json()["status"] == "completed" and again.json()["finished_now"] is False

    h = history(web, ann)
    assert [s.key for s in h.sets] == ["3f0c8a52-0d8e-4c38-9b7e-1f6c2d7a9e01", "b2f3a1d4-key-two"]
    assert h.sets[0].item_id == first["item_id"] and h.sets[0].side == first["side"]
    assert h.sets[0].minutes == round(first["work_seconds"] / 60, 2)
    assert h.sets[1].completed_at == web.clock.now - timedelta(minutes=1)
    (record,) = h.sessions
    assert record.status == "completed" and record.ended_at == web.clock.now
    pain = {(p.context, p.score, p.session_id) for p in h.pain}
    assert pain == {("before_session", 5, sid), ("after_session", 3, sid)}

    state = ann.client.get(f"/api/v1/me/sessions/{sid}").json()
    assert state["status"] == "completed" and state["sets_saved"] == 2


def test_pain_before_sent_after_the_start_is_stored_once(web: Web, ann: SignedIn) -> None:
    sid = ann.api("POST", "/api/v1/me/sessions").json()["id"]
    url = f"/api/v1/me/sessions/{sid}/pain"
    first = ann.api("POST", url, json={"moment": "before", "score": 4})
    assert first.status_code == 201
    repeat = ann.api("POST", url, json={"moment": "before", "score": 6})
    assert repeat.status_code == 200 and repeat.json() == {
        "moment": "before",
        "score": 4,
        "stored": False,
    }
    assert [(p.context, p.score) for p in history(web, ann).pain] == [("before_session", 4)]


# --- who may see what -----------------------------------------------------------------------


def test_another_patients_session_is_not_found_and_unchanged(web: Web, ann: SignedIn) -> None:
    sid = ann.api("POST", "/api/v1/me/sessions", json={}).json()["id"]
    step = ann.client.get("/api/v1/me/session-plan").json()["steps"][0]
    eve = web.sign_up("eve@example.org")
    seed(web, eve)
    for method, url, body in [
        ("GET", f"/api/v1/me/sessions/{sid}", None),
        ("POST", f"/api/v1/me/sessions/{sid}/sets", a_set(step, "eve-key-0001")),
        ("POST", f"/api/v1/me/sessions/{sid}/finish", {"status": "quit"}),
        ("POST", f"/api/v1/me/sessions/{sid}/pain", {"moment": "after", "score": 9}),
        ("GET", "/api/v1/me/sessions/999999", None),
    ]:
        response = eve.api(method, url, json=body)
        assert response.status_code == 404, (method, url, response.text)
        assert "ann" not in response.text.lower()
    h = history(web, ann)
    assert h.sets == () and h.pain == () and h.sessions[0].status == "in_progress"


def test_a_clinician_has_no_session_player(web: Web, ann: SignedIn) -> None:
    doc = web.sign_up("doc@example.org", role="clinician")
    assert doc.client.get("/api/v1/me/session-plan").status_code == 404
    assert doc.api("POST", "/api/v1/me/sessions", json={}).status_code == 404
    assert doc.client.get("/api/v1/me/breaks/state").status_code == 404
    assert doc.api("POST", "/api/v1/me/breaks", json={"kind": "taken"}).status_code == 404
    assert doc.client.get("/me/session").status_code == 404
    assert doc.client.get("/me/breaks").status_code == 404


def test_signed_out_pages_go_to_sign_in_and_the_api_answers_401(web: Web) -> None:
    client = web.client()
    page = client.get("/me/session", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/signin"
    assert client.get("/me/breaks", follow_redirects=False).status_code == 303
    assert client.get("/api/v1/me/session-plan").status_code == 401


def test_a_cookie_post_without_the_csrf_header_is_refused(web: Web, ann: SignedIn) -> None:
    response = ann.client.post("/api/v1/me/sessions", json={})
    assert response.status_code == 403
    assert ann.client.post("/api/v1/me/breaks", json={"kind": "taken"}).status_code == 403
    wrong = ann.client.post(
        "/api/v1/me/sessions", json={}, headers={"X-CSRF-Token": "not-the-token"}
    )
    assert wrong.status_code == 403
    assert history(web, ann).sessions == () and history(web, ann).breaks == ()


# --- bad values -----------------------------------------------------------------------------


def test_bad_values_name_the_field_and_store_nothing(web: Web, ann: SignedIn) -> None:
    sid = ann.api("POST", "/api/v1/me/sessions", json={}).json()["id"]
    step = ann.client.get("/api/v1/me/session-plan").json()["steps"][0]
    sets = f"/api/v1/me/sessions/{sid}/sets"
    finish = f"/api/v1/me/sessions/{sid}/finish"
    cases: list[tuple[str, dict[str, Any], str]] = [
        (sets, a_set(step, "bad-key-0001", set_number=0), "set_number"),
        (sets, a_set(step, "bad-key-0002", item_id="no-such-item"), "item_id"),
        (sets, a_set(step, "bad-key-0003", side="middle"), "side"),
        (sets, a_set(step, "short"), "key"),
        (sets, a_set(step, "bad-key-0004", completed_at="2026-11-23T09:00:00"), "completed_at"),
        (
            sets,
            a_set(
                step,
                "bad-key-0005",
                completed_at=(web.clock.now + timedelta(hours=1)).isoformat(),
            ),
            "completed_at",
        ),
        (
            f"/api/v1/me/sessions/{sid}/finish",
            {"status": "completed", "pain_after": 11},
            "pain_after",
        ),
        (finish, {"status": "abandoned"}, "status"),
        (f"/api/v1/me/sessions/{sid}/pain", {"moment": "before", "score": -1}, "score"),
        ("/api/v1/me/sessions", {"pain_before": 11}, "pain_before"),
        ("/api/v1/me/breaks", {"kind": "napped"}, "kind"),
        ("/api/v1/me/breaks", {"kind": "taken", "movement_id": "dead-bug"}, "movement_id"),
        ("/api/v1/me/breaks", {"kind": "taken", "snooze_minutes": 10}, "snooze_minutes"),
        ("/api/v1/me/breaks", {"kind": "snoozed", "snooze_minutes": 0}, "snooze_minutes"),
        (
            "/api/v1/me/breaks",
            {"kind": "taken", "at": (web.clock.now + timedelta(hours=2)).isoformat()},
            "at",
        ),
    ]
    for url, body, field in cases:
        response = ann.api("POST", url, json=body)
        assert response.status_code == 422, (url, body, response.text)
        assert field in fields(response), (url, body, response.json())
    h = history(web, ann)
    assert h.sets == () and h.pain == () and h.breaks == ()
    assert [s.status for s in h.sessions] == ["in_progress"]
    bad_query = ann.client.get(
        "/api/v1/me/breaks/state", params={"started_at": "2026-11-23T09:00:00"}
    )
    assert bad_query.status_code == 422 and "started_at" in fields(bad_query)


# --- the break coach --------------------------------------------------------------------------


def test_break_events_are_recorded_and_move_the_next_break(web: Web, ann: SignedIn) -> None:
    opened = web.clock.now
    params = {"started_at": opened.isoformat()}
    state = ann.client.get("/api/v1/me/breaks/state", params=params).json()
    assert state["interval_minutes"] == 20
    assert state["next_due"] == (opened + timedelta(minutes=20)).isoformat().replace("+00:00", "Z")
    assert state["awaiting_answer"] is False
    movement = state["movement"]
    assert movement["id"] == "movement-break" and movement["first_step"] == movement["steps"][0]
    assert state["today"] == {"prompted": 0, "taken": 0, "snoozed": 0, "skipped": 0}

    # a reload later in the same sitting keeps the same countdown
    web.clock.advance(minutes=7)
    assert (
        ann.client.get("/api/v1/me/breaks/state", params=params).json()["next_due"]
        == (state["next_due"])
    )

    web.clock.advance(minutes=13)
    prompted = ann.api(
        "POST", "/api/v1/me/breaks", json={"kind": "prompted", "movement_id": movement["id"]}
    )
    assert prompted.status_code == 201
    waiting = ann.client.get("/api/v1/me/breaks/state", params=params).json()
    assert waiting["awaiting_answer"] is True and waiting["movement"]["id"] == movement["id"]

    web.clock.advance(minutes=1)
    snoozed = ann.api(
        "POST", "/api/v1/me/breaks", json={"kind": "snoozed", "movement_id": movement["id"]}
    )
    assert snoozed.status_code == 201 and snoozed.json()["snooze_minutes"] == 10
    after_snooze = ann.client.get("/api/v1/me/breaks/state", params=params).json()
    assert after_snooze["next_due"] == (web.clock.now + timedelta(minutes=10)).isoformat().replace(
        "+00:00", "Z"
    )

    web.clock.advance(minutes=10)
    taken_at = web.clock.now
    ann.api("POST", "/api/v1/me/breaks", json={"kind": "prompted", "movement_id": movement["id"]})
    taken = ann.api(
        "POST", "/api/v1/me/breaks", json={"kind": "taken", "movement_id": movement["id"]}
    )
    assert taken.status_code == 201
    after = ann.client.get("/api/v1/me/breaks/state", params=params).json()
    assert after["next_due"] == (taken_at + timedelta(minutes=20)).isoformat().replace(
        "+00:00", "Z"
    )
    assert after["awaiting_answer"] is False
    assert after["movement"]["id"] != movement["id"]  # the coach rotates movements
    assert after["today"] == {"prompted": 2, "taken": 1, "snoozed": 1, "skipped": 0}
    kinds = [(b.kind, b.movement_id) for b in history(web, ann).breaks]
    assert kinds == [
        ("prompted", "movement-break"),
        ("snoozed", "movement-break"),
        ("prompted", "movement-break"),
        ("taken", "movement-break"),
    ]


def test_the_break_page_shows_the_interval_and_buttons(web: Web, ann: SignedIn) -> None:
    page = ann.client.get("/me/breaks")
    assert page.status_code == 200
    assert "get up and move every 20 minutes" in page.text and "/static/breaks.js" in page.text
    assert ">Time to get up<" in page.text
    for label in ("Taken", "Snooze 10 min", "Skip"):
        assert re.search(rf">\s*{label}\s*<", page.text), label
    assert 'id="notify"' in page.text  # asks for notification permission only on a click


def test_a_wheelchair_user_is_never_told_to_get_up(web: Web) -> None:
    cy = web.sign_up("cy@example.org")
    seed(web, cy, make_intake(equipment_and_ability={"uses_wheelchair": True}))
    page = cy.client.get("/me/breaks")
    assert page.status_code == 200
    text = re.sub(r"\s+", " ", page.text)
    assert "take a short seated break from sitting still" in text
    assert ">Time for a seated break<" in text and 'data-call="Time for a seated break"' in text
    assert "get up" not in text.lower() and "stand up" not in text.lower()


# --- safety -----------------------------------------------------------------------------------


def test_a_red_flag_holds_back_the_plan_sessions_and_breaks(web: Web, ann: SignedIn) -> None:
    assert ann.client.get("/api/v1/me/session-plan").status_code == 200
    web.clock.advance(days=1)
    seed(web, ann, make_intake(red_flags={"progressive_leg_weakness": True}))
    plan = ann.client.get("/api/v1/me/session-plan")
    assert plan.status_code == 404
    message = plan.json()["detail"]
    assert "held back" in message and "urgent" in message
    assert ann.api("POST", "/api/v1/me/sessions", json={}).status_code == 404
    assert ann.client.get("/api/v1/me/breaks/state").status_code == 404
    assert ann.api("POST", "/api/v1/me/breaks", json={"kind": "taken"}).status_code == 404
    page = ann.client.get("/me/session")
    assert "held back" in page.text and "player.js" not in page.text
    assert "held back" in ann.client.get("/me/breaks").text
    assert history(web, ann).sessions == ()


def test_sets_done_after_a_red_flag_are_refused_and_those_done_before_are_kept(
    web: Web, ann: SignedIn
) -> None:
    """A player left open, or a device's queue sent late: what happened before the warning signs
    were found is a record; a set done after them is refused (409) and stored nowhere."""
    steps = ann.client.get("/api/v1/me/session-plan").json()["steps"]
    sid = ann.api("POST", "/api/v1/me/sessions", json={}).json()["id"]
    before = web.clock.now + timedelta(minutes=2)
    web.clock.advance(hours=1)
    seed(web, ann, make_intake(red_flags={"saddle_numbness": True}))
    late = a_set(steps[0], "key-before", completed_at=before.isoformat())
    assert ann.api("POST", f"/api/v1/me/sessions/{sid}/sets", json=late).status_code == 201
    after = web.clock.now + timedelta(seconds=5)
    web.clock.advance(minutes=1)
    refused = ann.api(
        "POST",
        f"/api/v1/me/sessions/{sid}/sets",
        json=a_set(steps[1], "key-after", completed_at=after.isoformat()),
    )
    assert refused.status_code == 409, refused.text
    assert "held back" in refused.json()["detail"]
    now = ann.api("POST", f"/api/v1/me/sessions/{sid}/sets", json=a_set(steps[1], "key-sent-now"))
    assert now.status_code == 409
    assert [s.key for s in history(web, ann).sets] == ["key-before"]


# --- what a device may keep for use offline ------------------------------------------------------


def offline_mark(response: Any) -> str:
    """What the page tells the device to keep: the header and the body's mark agree."""
    header = response.headers.get("x-psoas-offline", "")
    body = re.search(r'<body data-offline="([a-z]*)"', response.text)
    assert body is not None and body.group(1) == header, response.url
    return header


def test_only_pages_that_show_the_program_may_be_kept_offline(web: Web, ann: SignedIn) -> None:
    assert offline_mark(ann.client.get("/me/session")) == "keep"
    assert offline_mark(ann.client.get("/me/breaks")) == "keep"
    for url in ("/me", "/me/log", "/me/progress", "/me/result", "/account"):
        assert offline_mark(ann.client.get(url)) == "", url

    web.clock.advance(days=1)
    seed(web, ann, make_intake(red_flags={"saddle_numbness": True}))
    for url in ("/me", "/me/session", "/me/breaks", "/me/result", "/me/log", "/me/progress"):
        assert offline_mark(ann.client.get(url)) == "forget", url

    signed_out = web.client()
    for url in ("/", "/signin", "/signup"):
        assert offline_mark(signed_out.get(url)) == "forget", url
    clinician = web.sign_up("doc@example.org", role="clinician")
    assert offline_mark(clinician.client.get("/clinic")) == "forget"


def test_a_patient_without_a_program_keeps_nothing(web: Web) -> None:
    new = web.sign_up("new@example.org")
    for url in ("/me", "/me/session", "/me/breaks", "/me/result"):
        assert offline_mark(new.client.get(url)) == "forget", url


def test_the_service_worker_is_served_from_the_root(web: Web) -> None:
    response = web.client().get("/sw.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert 'var PAGES = ["/me/session", "/me/breaks"];' in response.text


def test_every_refusal_of_the_api_has_one_shape(web: Web) -> None:
    """Whether FastAPI, a service or the domain refuses a value, the answer is a 422 whose
    detail lists each problem as its field's dotted path and what to fix."""
    ann = web.sign_up("shape@example.org")
    seed(web, ann)
    refusals = [
        ann.api("POST", "/api/v1/me/sessions", json={"pain_before": 11}),  # request model
        ann.api("POST", "/api/v1/me/pain", json={"score": 12}),  # the service's own check
        ann.api("POST", "/api/v1/me/assessment", content=b"not json"),  # not a document
        ann.api("GET", "/api/v1/me/breaks/state", params={"started_at": "2026-11-23T09:00:00"}),
    ]
    for response in refusals:
        assert response.status_code == 422, response.text
        detail = response.json()["detail"]
        assert detail and all(set(p) == {"field", "message"} for p in detail), detail
    assert [p["field"] for p in refusals[0].json()["detail"]] == ["pain_before"]
    assert [p["field"] for p in refusals[2].json()["detail"]] == ["(document)"]
    assert [p["field"] for p in refusals[3].json()["detail"]] == ["started_at"]


def test_only_signing_out_marks_the_sign_in_page_to_empty_the_device(web: Web) -> None:
    """Issue 14: the mark that empties the device comes from POST /signout, once, as a cookie;
    a signed-in person sent to /signin (say by a link with ?out=1) goes home instead."""
    ann = web.sign_up("ann@example.org")
    seed(web, ann)
    for url in ("/signin?out=1", "/signin"):
        away = ann.client.get(url, follow_redirects=False)
        assert away.status_code == 303 and away.headers["location"].startswith("/me"), url
    out = ann.post("/signout", follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/signin"
    first = ann.client.get("/signin")
    assert "data-signed-out" in first.text
    again = ann.client.get("/signin")
    assert "data-signed-out" not in again.text
    stranger = web.client().get("/signin?out=1")
    assert "data-signed-out" not in stranger.text
