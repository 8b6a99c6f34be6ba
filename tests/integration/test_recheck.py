"""Rising pain re-asks the warning signs before anything else, on the terminal and in the
services every surface uses."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from psoas.catalog import load_catalog
from psoas.domain.assess import assess
from psoas.domain.recheck import PAIN_RISE_POINTS, pain_rise, recheck_questions
from psoas.domain.tracking import PainRating
from psoas.services import programs, tracking
from psoas.services.assessment import parse_intake
from psoas.storage.db import Database
from tests.conftest import EXAMPLES
from tests.integration.conftest import SignedIn, Web

PSOAS = [sys.executable, "-m", "psoas"]
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PSOAS_DATABASE_URL=url, PSOAS_PROFILE="ria")
    return subprocess.run(
        [*PSOAS, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


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


def test_the_recheck_asks_the_questionnaires_warning_signs() -> None:
    intake = parse_intake((EXAMPLES / "office-worker.json").read_bytes())
    paths = {q.path for q in recheck_questions(intake, {})}
    assert {"red_flags.saddle_numbness", "red_flags.new_bladder_or_bowel_dysfunction"} <= paths
    assert all(q.section == "warning" for q in recheck_questions(intake, {}))


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


def _calm_answers(page: str) -> dict[str, str]:
    """Every question on the re-check page answered with its calm choice (no, none)."""
    options: dict[str, list[str]] = {}
    for name, value in re.findall(r'type="radio" name="([a-z_.]+)" value="([a-z_]+)"', page):
        options.setdefault(name, []).append(value)
    calm = ("no", "none")
    return {n: next((v for v in vs if v in calm), vs[0]) for n, vs in options.items()}


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
