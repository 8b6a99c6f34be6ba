"""The terminal player: keys, saving as it goes, and spoken cues that never fail."""

from __future__ import annotations

import io
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Console

from psoas.catalog import load_catalog
from psoas.cli.format import format_session_end
from psoas.cli.player import Player, Speaker
from psoas.domain.adherence import planned_sets, session_report
from psoas.domain.assess import assess
from psoas.domain.intake import Intake
from psoas.domain.session_plan import Step, session_steps
from tests.conftest import EXAMPLES, load_json

CATALOG = load_catalog()
PROGRAM = assess(Intake.model_validate(load_json(EXAMPLES / "office-worker.json")), CATALOG).program
assert PROGRAM is not None
STEPS = session_steps(PROGRAM, CATALOG)


class ScriptedKeys:
    """Presses keys at given tick numbers."""

    def __init__(self, presses: dict[int, str]):
        self.presses = presses
        self.tick = 0

    def read(self) -> str | None:
        self.tick += 1
        return self.presses.get(self.tick)


class SilentSpeaker(Speaker):
    def __init__(self) -> None:
        super().__init__(enabled=False)
        self.said: list[str] = []

    def say(self, text: str) -> None:
        self.said.append(text)


def play(presses: dict[int, str], steps: list[Step] = STEPS):  # type: ignore[no-untyped-def]
    saved: list[Step] = []
    speaker = SilentSpeaker()
    player = Player(
        Console(file=io.StringIO(), width=100),
        speaker,
        ScriptedKeys(presses),  # type: ignore[arg-type]
        sleep=lambda _s: None,
        now=lambda: datetime(2026, 11, 23, tzinfo=UTC),
    )
    outcome = player.run(steps, lambda step, _at: saved.append(step))
    return outcome, saved, speaker


def test_without_keys_every_set_is_saved_in_order() -> None:
    outcome, saved, speaker = play({})
    assert saved == STEPS == outcome.completed
    assert not outcome.quit
    assert any("Set 1 of" in s for s in speaker.said)


def test_quit_stops_at_once_and_keeps_what_was_done() -> None:
    outcome, saved, _ = play({3000: "q"})
    assert outcome.quit
    assert 0 < len(saved) < len(STEPS)
    assert saved == STEPS[: len(saved)]


def test_skip_set_and_skip_exercise() -> None:
    _, saved, _ = play({3: "n"})  # during the first get-ready
    assert STEPS[0] not in saved and STEPS[1] in saved
    _, saved, _ = play({3: "s"})
    first_item = STEPS[0].item_id
    assert not [s for s in saved if s.item_id == first_item]
    assert len(saved) == len([s for s in STEPS if s.item_id != first_item])


def _end(outcome) -> str:  # type: ignore[no-untyped-def]
    report = session_report(
        planned_sets(PROGRAM), [k for s in outcome.completed for k in s.keys], stopped=outcome.quit
    )
    return format_session_end(report)


def test_the_end_says_what_was_done_and_what_was_skipped() -> None:
    n = len(planned_sets(PROGRAM))  # a step taking the sides in turn completes two sets
    assert n == sum(len(s.sides) for s in STEPS) > len(STEPS)
    whole, _, _ = play({})
    assert _end(whole).startswith(f"Well done: session complete. You did all {n} sets.")
    one_skipped, _, _ = play({3: "n"})  # the first set, during its get-ready
    first = STEPS[0]
    assert _end(one_skipped).startswith(
        f"Session ended: part done. You did {n - 1} of {n} sets, about "
    )
    assert f"Skipped: {first.name} ({first.side} side: set 1)." in _end(one_skipped)
    # skip exercise after exercise: a session that reached its end with nothing done
    nothing, saved, _ = play({t: "s" for t in range(1, 5000)})
    assert saved == [] and not nothing.quit
    text = _end(nothing)
    assert text.startswith(f"Session ended: nothing done. You did none of the {n} sets")
    assert "Well done" not in text and "complete" not in text


def test_pause_holds_the_countdown_until_resumed() -> None:
    _, saved, speaker = play({5: "p", 50: "p"})
    assert saved == STEPS
    assert "paused" in speaker.said and "go on" in speaker.said


def test_speaker_is_silent_without_an_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    speaker = Speaker()
    assert not speaker.available
    speaker.say("hello")  # nothing happens, nothing fails


def test_speaker_uses_espeak_when_installed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    log = tmp_path / "spoken.txt"
    fake = tmp_path / "espeak-ng"
    fake.write_text(f'#!/bin/sh\necho "$@" >> {log}\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(tmp_path))
    speaker = Speaker()
    assert speaker.available
    speaker.say("hold 30 seconds")
    assert speaker._proc is not None
    speaker._proc.wait(timeout=10)
    assert "hold 30 seconds" in log.read_text()


def test_a_broken_speech_engine_never_stops_the_session(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    broken = tmp_path / "espeak-ng"
    broken.write_text("not a program")  # not executable: Popen raises
    broken.chmod(0o644)
    monkeypatch.setenv("PATH", str(tmp_path))
    speaker = Speaker()
    speaker.command = str(broken)
    speaker.say("hello")
    assert os.path.exists(broken)


def test_repetitions_are_counted_and_spoken_with_their_tempo_and_done_ends_a_set() -> None:
    paced = [s for s in STEPS if s.rep_sides][:1]  # the dead bug: sides in turn, rep by rep
    (step,) = paced
    assert step.tempo is not None
    _, saved, speaker = play({}, paced)
    assert saved == paced
    words = step.tempo
    assert f"1, left. {words.lift_word}" in speaker.said
    assert f"2, right. {words.lift_word}" in speaker.said
    assert words.hold_word in speaker.said and words.lower_word in speaker.said
    said = [w for w in speaker.said if w.endswith(f". {words.lift_word}")]
    assert len(said) == step.rep_count
    # "d" in the work (after the get-ready's ticks) ends the set at the person's own pace
    ready_ticks = step.get_ready_seconds * 10
    _, saved, speaker = play({ready_ticks + 15: "d"}, paced)
    assert saved == paced
    assert len([w for w in speaker.said if w.endswith(f". {words.lift_word}")]) < step.rep_count


def test_back_goes_to_the_previous_set_and_plus_gives_ten_seconds_more() -> None:
    two = STEPS[:2]
    ready = two[0].get_ready_seconds * 10
    # "b" in the second step's get-ready: the first step runs again, and is saved again
    first_run = ready + two[0].run_seconds * 10 + two[0].rest_seconds * 10
    _, saved, _ = play({first_run + 5: "b"}, two)
    assert saved == [two[0], two[0], two[1]]
    # "+" in the first get-ready: ten seconds (100 ticks) more before the work begins
    with_more, _, speaker = play({2: "+", ready + 50: "q"}, two)
    assert with_more.quit and with_more.completed == []
    assert not any("Set 1 of" in s for s in speaker.said)  # still getting ready at quit
    _, _, speaker = play({ready + 50: "q"}, two)
    assert any("Set 1 of" in s for s in speaker.said)  # the work had begun
