"""The terminal session and break coach as a person runs them: real processes, real databases."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from psoas.services import tracking
from psoas.storage.db import Database
from tests.conftest import EXAMPLES

PSOAS = [sys.executable, "-m", "psoas"]


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PSOAS, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def environment(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PSOAS_DATABASE_URL"] = database_url
    env["PSOAS_PROFILE"] = "sam"
    return env


def saved_program(env: dict[str, str]) -> None:
    done = run(
        env, "assess", "--input", str(EXAMPLES / "office-worker.json"), "--save", "-f", "json"
    )
    assert done.returncode == 0, done.stderr
    assert "program version 1" in done.stderr


def test_a_whole_session_saves_every_set_and_both_pain_ratings(database_url: str) -> None:
    env = environment(database_url)
    saved_program(env)
    done = run(
        env, "session", "--speed", "400", "--quiet", "--pain-before", "6", "--pain-after", "4"
    )
    assert done.returncode == 0, done.stderr
    assert "Well done: session complete. You did all" in done.stdout
    db = Database(database_url)
    history = tracking.history(db, profile_name="sam")
    work = tracking.session_work(db, profile_name="sam")
    db.close()
    (session,) = history.sessions
    assert session.status == "completed"
    assert work == {session.id: 1.0}  # every set done in full: one whole session
    reported = [line for line in done.stdout.splitlines() if line.lstrip().startswith("saved ")]
    # a step taking the sides in turn rep by rep saves the left and the right set
    both = sum("left and right" in line for line in reported)
    assert both and len(history.sets) == len(reported) + both > 10
    assert [(p.context, p.score) for p in history.pain] == [
        ("before_session", 6),
        ("after_session", 4),
    ]
    sides = {(s.item_id, s.side) for s in history.sets}
    assert ("half-kneeling-hip-flexor-stretch", "right") in sides


def test_killing_the_session_mid_set_keeps_every_completed_set(database_url: str) -> None:
    env = environment(database_url)
    saved_program(env)
    proc = subprocess.Popen(
        [*PSOAS, "session", "--speed", "60", "--quiet", "--pain-before", "5"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    printed = 0
    deadline = time.monotonic() + 90
    while printed < 3 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        printed += line.lstrip().startswith("saved ")
    assert printed == 3, "the session did not get as far as three sets"
    time.sleep(0.05)  # into the next set
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    db = Database(database_url)
    history = tracking.history(db, profile_name="sam")
    db.close()
    # each set is committed before it is reported, so nothing reported can be missing
    assert printed <= len(history.sets) <= printed + 1
    assert history.sessions[0].status == "in_progress"
    assert history.pain[0].score == 5


def test_session_without_a_program_says_what_to_do(tmp_path: Path) -> None:
    env = environment(f"sqlite:///{tmp_path / 'empty.db'}")
    done = run(env, "session", "--quiet")
    assert done.returncode == 2
    assert "psoas assess --save" in done.stderr
    assert done.stdout == ""


def test_break_coach_records_answers_and_survives_a_restart(database_url: str) -> None:
    env = environment(database_url)
    saved_program(env)
    first = run(env, "breaks", "--once", "--answer", "taken", "--no-wait")
    assert first.returncode == 0, first.stderr
    assert "every 20 minutes" in first.stdout  # the office worker's program says 20
    second = run(env, "breaks", "--once", "--answer", "skipped", "--no-wait")
    assert second.returncode == 0, second.stderr
    paused = run(env, "breaks", "--pause", "30")
    assert "paused for 30 minutes" in paused.stdout
    db = Database(database_url)
    events = tracking.history(db, profile_name="sam").breaks
    db.close()
    assert [e.kind for e in events] == ["prompted", "taken", "prompted", "skipped", "snoozed"]
    movements = [e.movement_id for e in events if e.kind == "prompted"]
    assert movements[0] != movements[1]  # the coach rotates movements across restarts


def test_logging_commands_refuse_bad_input_and_write_nothing(database_url: str) -> None:
    env = environment(database_url)
    saved_program(env)
    bad = run(env, "log", "pain", "11")
    assert bad.returncode == 2 and "SCORE" in bad.stderr
    bad = run(env, "log", "psfs", "sitting=4", "walking=12", "driving=3")
    assert bad.returncode == 2 and "score" in bad.stderr
    bad = run(env, "log", "psfs", "sitting=4")
    assert bad.returncode == 2 and "activities" in bad.stderr
    bad = run(env, "log", "retest", "--thomas-left", "90")
    assert bad.returncode == 2 and "thomas_left_hip_deg" in bad.stderr
    good = run(env, "log", "pain", "3")
    assert good.returncode == 0
    db = Database(database_url)
    history = tracking.history(db, profile_name="sam")
    db.close()
    assert [p.score for p in history.pain] == [3]
    assert history.psfs == () and history.retests == ()
