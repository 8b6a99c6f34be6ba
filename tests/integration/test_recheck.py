"""Rising pain re-asks the warning signs before anything else, on the terminal and in the
services every surface uses."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from psoas.catalog import load_catalog
from psoas.domain.assess import assess
from psoas.domain.recheck import (
    PAIN_RISE_POINTS,
    kept_answers,
    pain_rise,
    read_recheck,
    recheck_questions,
    rechecked_intake,
)
from psoas.domain.tracking import PainRating
from psoas.domain.triage import WARNING_SIGN_FIELDS
from psoas.services import programs, tracking
from psoas.services.assessment import parse_intake, run_assessment
from psoas.storage.db import Database
from tests.cli_runner import Outcome, invoke
from tests.conftest import EXAMPLES
from tests.integration.conftest import SignedIn, Web

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def run(url: str, *args: str) -> Outcome:
    return invoke(*args, env={"PSOAS_DATABASE_URL": url, "PSOAS_PROFILE": "ria"})


def _saved(db: Database, *, at: datetime) -> int:
    intake = parse_intake((EXAMPLES / "office-worker.json").read_bytes())
    tracking.save_assessment(
        db, profile_name="ria", intake=intake, assessment=assess(intake, load_catalog()), now=at
    )
    return intake.pain.intensity_now


def test_pain_rise_needs_the_minimal_important_change_after_the_assessment() -> None:
    intake = parse_intake((EXAMPLES / "office-worker.json").read_bytes())
    start = intake.pain.intensity_now
    just_under = PainRating(at=START + timedelta(days=1), score=start + PAIN_RISE_POINTS - 1)
    enough = PainRating(at=START + timedelta(days=2), score=start + PAIN_RISE_POINTS)
    before = PainRating(at=START - timedelta(days=1), score=10)
    assert pain_rise(intake, START, [just_under, before]) is None
    assert pain_rise(intake, START, [just_under, enough]) == enough
    # the latest rating decides: pain that came back down needs no re-check
    back_down = PainRating(at=START + timedelta(days=3), score=start)
    assert pain_rise(intake, START, [enough, back_down]) is None


def test_the_recheck_asks_every_question_a_warning_sign_rule_reads() -> None:
    intake = parse_intake((EXAMPLES / "office-worker.json").read_bytes())
    asked = recheck_questions(intake, {})
    paths = {q.path for q in asked}
    assert {"red_flags.saddle_numbness", "red_flags.new_bladder_or_bowel_dysfunction"} <= paths
    # where it hurts and blood thinners: without them the bleed rule could never fire again
    assert {"pain.areas", "health.takes_anticoagulants", "health.known_aortic_aneurysm"} <= paths
    assert paths <= set(WARNING_SIGN_FIELDS)
    assert asked[0].section == "warning"  # the warning signs come first
    # the earlier answers are offered to keep; the warning signs are always answered afresh
    kept = kept_answers(intake)
    assert kept["pain.areas"] == ["low_back", "front_of_hip"]
    assert not any(path.startswith("red_flags.") for path in kept)


def test_the_recheck_does_not_ask_a_man_about_pregnancy() -> None:
    doc = json.loads((EXAMPLES / "taxi-driver.json").read_text())
    assert doc["person"]["sex"] == "male"
    paths = {q.path for q in recheck_questions(parse_intake(json.dumps(doc).encode()), {})}
    assert "health.pregnant" not in paths and "health.postpartum_within_6_months" not in paths


def _risen(doc: dict[str, Any], answers: dict[str, Any]) -> str:
    """The triage level of a re-check of ``doc`` with pain 3 points higher."""
    intake = parse_intake(json.dumps(doc).encode())
    read, problems = read_recheck(intake, {p: [v] for p, v in answers.items()})
    assert problems == {} or set(problems) <= {
        q.path for q in recheck_questions(intake, {}) if q.path not in answers
    }
    calm = {q.path: False for q in recheck_questions(intake, {}) if q.kind == "yes_no"}
    later = rechecked_intake(intake, answers={**calm, **kept_answers(intake), **read}, pain_now=8)
    return assess(later, load_catalog(), pain_risen=True).triage.level


def test_new_groin_pain_on_blood_thinners_found_at_a_recheck_is_seen_the_same_day() -> None:
    doc = json.loads((EXAMPLES / "office-worker.json").read_text())
    doc["pain"]["duration_weeks"] = 30
    assert _risen(doc, {}) == "self_care"
    level = _risen(doc, {"health.takes_anticoagulants": "yes", "pain.areas": "groin"})
    assert level == "urgent"


def test_a_rise_in_pain_with_a_known_aneurysm_is_an_emergency_at_the_recheck(
    database_url: str,
) -> None:
    db = Database(database_url)
    doc = json.loads((EXAMPLES / "office-worker.json").read_text())
    doc["pain"]["duration_weeks"] = 20
    doc["health"]["known_aortic_aneurysm"] = True
    intake = parse_intake(json.dumps(doc).encode())
    past = datetime.now(UTC) - timedelta(days=3)
    tracking.save_assessment(
        db, profile_name="ria", intake=intake, assessment=run_assessment(intake), now=past
    )
    assert tracking.program_state(db, profile_name="ria").assessment is not None
    start = intake.pain.intensity_now
    tracking.log_pain(
        db, profile_name="ria", score=start + 2, now=datetime.now(UTC) - timedelta(seconds=2)
    )
    result = tracking.recheck(
        db,
        profile_name="ria",
        answers={},
        pain_now=start + 2,
        now=datetime.now(UTC) - timedelta(seconds=1),
    )
    assert (result.triage.level, result.triage.within_hours) == ("emergency", 0)
    assert tracking.program_state(db, profile_name="ria").held_back
    db.close()


def test_logging_higher_pain_asks_for_the_warning_signs_and_the_session_waits(
    database_url: str,
) -> None:
    db = Database(database_url)
    start = _saved(db, at=datetime.now(UTC) - timedelta(days=3))
    db.close()
    same = run(database_url, "log", "pain", str(start + 1))
    assert same.returncode == 0, same.stderr
    assert "warning-sign" not in same.stdout
    higher = run(database_url, "log", "pain", str(start + PAIN_RISE_POINTS))
    assert higher.returncode == 0, higher.stderr
    assert "warning-sign questions again" in higher.stdout
    assert f"psoas recheck --pain {start + PAIN_RISE_POINTS}" in higher.stdout
    refused = run(database_url, "session", "--quiet")
    assert refused.returncode != 0
    assert "psoas recheck" in refused.stderr and "Traceback" not in refused.stderr
    db = Database(database_url)
    assert not tracking.history(db, profile_name="ria").sessions  # nothing was started
    db.close()


def test_a_red_flag_at_the_recheck_holds_the_program_back(database_url: str) -> None:
    db = Database(database_url)
    start = _saved(db, at=datetime.now(UTC) - timedelta(days=3))
    tracking.log_pain(
        db, profile_name="ria", score=start + 3, now=datetime.now(UTC) - timedelta(seconds=2)
    )
    assert tracking.program_state(db, profile_name="ria").pain_rise is not None
    result = tracking.recheck(
        db,
        profile_name="ria",
        answers={"red_flags.saddle_numbness": True},
        pain_now=start + 3,
        now=datetime.now(UTC) - timedelta(seconds=1),  # before the command run next
    )
    assert result.triage.level == "emergency"
    state = tracking.program_state(db, profile_name="ria")
    assert state.held_back and state.version is None
    db.close()
    shown = run(database_url, "progress", "-f", "json")
    assert json.loads(shown.stdout)["decision"]["rule"] == "held-back"


def test_a_clear_recheck_remakes_the_program_for_todays_pain(database_url: str) -> None:
    db = Database(database_url)
    start = _saved(db, at=datetime.now(UTC) - timedelta(days=3))
    tracking.log_pain(
        db, profile_name="ria", score=start + 2, now=datetime.now(UTC) - timedelta(seconds=2)
    )
    result = tracking.recheck(
        db,
        profile_name="ria",
        answers={"red_flags.saddle_numbness": False},
        pain_now=start + 2,
        now=datetime.now(UTC) - timedelta(seconds=1),  # before the command run next
    )
    assert result.program is not None
    state = tracking.program_state(db, profile_name="ria")
    assert state.pain_rise is None and programs.recheck_message(state) is None
    assert state.version is not None and state.version.version == 2
    assert state.version.reason == tracking.RECHECK_REASON
    assert state.assessment is not None
    assert state.assessment.intake.pain.intensity_now == start + 2
    assert state.assessment.intake.red_flags.saddle_numbness is False
    db.close()


def _calm_answers(page: str) -> dict[str, str | list[str]]:
    """The re-check page answered as a calm person would: the earlier answers it shows kept,
    every warning sign answered with its calm choice (no, none)."""
    options: dict[str, list[str]] = {}
    kept: dict[str, str | list[str]] = {}
    for kind, name, value, checked in re.findall(
        r'type="(radio|checkbox)" name="([a-z0-9_.]+)" value="([a-z0-9_]*)"( checked)?', page
    ):
        options.setdefault(name, []).append(value)
        if checked and kind == "checkbox":
            kept.setdefault(name, []).append(value)  # type: ignore[union-attr]
        elif checked:
            kept[name] = value
    calm = ("no", "none")
    fresh = {n: next((v for v in vs if v in calm), vs[0]) for n, vs in options.items()}
    return {**fresh, **kept}


def _web_patient(web: Web, intake: dict[str, Any]) -> SignedIn:
    me = web.sign_up("ria@example.org")
    made = me.api("POST", "/api/v1/me/assessment", json=intake)
    assert made.status_code in (200, 201), made.text
    web.clock.advance(days=2)
    return me


def test_the_web_sends_rising_pain_to_the_warning_signs_first(web: Web) -> None:
    doc = json.loads((EXAMPLES / "office-worker.json").read_text())
    me = _web_patient(web, doc)
    start = doc["pain"]["intensity_now"]
    assert me.client.get("/me/session", follow_redirects=False).status_code == 200
    logged = me.post("/me/log", {"kind": "pain", "score": start + 2}, follow_redirects=False)
    assert logged.status_code == 303 and logged.headers["location"] == "/me/recheck"
    # the player and the home page both lead to the questions first
    player = me.client.get("/me/session", follow_redirects=False)
    assert player.status_code == 303 and player.headers["location"] == "/me/recheck"
    assert 'href="/me/recheck"' in me.client.get("/me").text
    page = me.client.get("/me/recheck")
    assert page.status_code == 200 and "warning-sign questions again" in page.text
    assert 'href="tel:' in page.text
    answers = _calm_answers(page.text)
    assert "red_flags.saddle_numbness" in answers
    incomplete = me.post("/me/recheck", {"pain_now": start + 2})
    assert incomplete.status_code == 400 and "Please answer" in incomplete.text
    answers["red_flags.saddle_numbness"] = "yes"
    web.clock.advance(minutes=5)
    done = me.post("/me/recheck", {**answers, "pain_now": start + 2}, follow_redirects=False)
    assert done.status_code == 303
    assert me.client.get("/api/v1/me/program").status_code == 404  # held back everywhere
    assert "held back" in me.client.get("/me").text.lower()


def test_a_clear_web_recheck_lets_the_session_start(web: Web) -> None:
    doc = json.loads((EXAMPLES / "office-worker.json").read_text())
    me = _web_patient(web, doc)
    start = doc["pain"]["intensity_now"]
    me.post("/me/log", {"kind": "pain", "score": start + 3})
    answers = _calm_answers(me.client.get("/me/recheck").text)
    web.clock.advance(minutes=5)
    me.post("/me/recheck", {**answers, "pain_now": start + 3})
    assert me.client.get("/me/session", follow_redirects=False).status_code == 200
    program = me.client.get("/api/v1/me/program")
    assert program.status_code == 200, program.text


def test_the_terminal_recheck_asks_each_question_and_keeps_earlier_answers_on_enter(
    tmp_path: Any, monkeypatch: Any, capsys: Any
) -> None:
    """`psoas recheck` at a terminal: the warning signs answered afresh, the earlier answers
    kept by pressing Enter, and new answers (blood thinners, groin pain) changing the result."""
    import typer

    from psoas.cli import tracking as cli_tracking

    db = Database(f"sqlite:///{tmp_path / 'p.db'}")
    start = _saved(db, at=datetime.now(UTC) - timedelta(days=3))
    intake = parse_intake((EXAMPLES / "office-worker.json").read_bytes())
    typed = {"health.takes_anticoagulants": "y", "pain.areas": "1,4"}  # low back and groin
    kept = kept_answers(intake)
    replies = iter(
        typed.get(q.path, "" if q.path in kept else ("1" if q.kind == "choice" else "n"))
        for q in recheck_questions(intake, {})
    )
    monkeypatch.setattr(typer, "prompt", lambda *a, **k: next(replies))
    result = cli_tracking._ask_recheck(db, "ria", pain_now=start + 2)
    assert "Last time: no (Enter keeps it)" in capsys.readouterr().out
    assert result.triage.level == "urgent"  # new groin pain on blood thinners: seen today
    later = tracking.program_state(db, profile_name="ria").assessment
    assert later is not None and later.intake.health.takes_anticoagulants is True
    assert later.intake.pain.areas == ["low_back", "groin"]
    assert later.intake.pain.side == intake.pain.side  # kept with Enter
    db.close()


def test_the_session_api_and_the_progress_page_wait_for_the_recheck(web: Web) -> None:
    doc = json.loads((EXAMPLES / "office-worker.json").read_text())
    me = _web_patient(web, doc)
    start = doc["pain"]["intensity_now"]
    plan = me.api("GET", "/api/v1/me/session-plan")
    assert plan.status_code == 200 and plan.json()["recheck_from_pain"] == start + 2
    # pain before a session clearly higher: kept as today's pain, and no session starts
    refused = me.api("POST", "/api/v1/me/sessions", json={"pain_before": start + 2})
    assert refused.status_code == 409 and "warning-sign questions" in refused.json()["detail"]
    assert me.api("GET", "/api/v1/me/session-plan").status_code == 409
    progress = me.client.get("/me/progress").text
    assert "answer the warning-sign questions again first" in progress
    assert 'href="/me/recheck"' in progress
    applied = me.post("/me/progress", {})
    assert applied.status_code == 409  # nothing steps up or back
    answers = _calm_answers(me.client.get("/me/recheck").text)
    web.clock.advance(minutes=5)
    me.post("/me/recheck", {**answers, "pain_now": start + 2})
    started = me.api("POST", "/api/v1/me/sessions", json={"pain_before": start + 2})
    assert started.status_code == 201, started.text  # the new assessment starts from today's pain
