"""The guided session in the terminal: countdowns, sides and sets, paced breathing, spoken cues.

Keys while it runs: p (or space) pause and resume, d done (a set of repetitions at your own
pace), b back to the previous set (resting: that set again), + ten seconds more, n skip this
set, s skip this exercise, q quit. Repetitions are paced one by one (lift,
hold, lower), spoken when speech is on. Every completed set is saved the moment it ends.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.panel import Panel
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from psoas.domain.session_plan import RepMoment, Step

#: Paced breathing for releases: in for 4 s, out (sink deeper) for 6 s.
BREATH_IN, BREATH_OUT = 4, 6


class Speaker:
    """Speaks cues with espeak-ng when it is installed; silent otherwise; never fails."""

    def __init__(self, enabled: bool = True):
        self.command = None
        if enabled:
            self.command = shutil.which("espeak-ng") or shutil.which("espeak")
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def available(self) -> bool:
        return self.command is not None

    def say(self, text: str) -> None:
        if not self.command:
            return
        with contextlib.suppress(OSError):
            if self._proc is not None and self._proc.poll() is None:
                self._proc.terminate()
            self._proc = subprocess.Popen(
                [self.command, "-s", "150", text],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                stdin=subprocess.DEVNULL,
            )


class Keys:
    """Single key presses from a terminal without waiting for Enter; nothing when not a tty."""

    def __init__(self) -> None:
        self.tty = sys.stdin.isatty()
        self._saved: list[Any] | None = None

    def __enter__(self) -> Keys:
        if self.tty:
            import termios
            import tty

            fd = sys.stdin.fileno()
            self._saved = termios.tcgetattr(fd)
            tty.setcbreak(fd)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.tty and self._saved is not None:
            import termios

            termios.tcsetattr(sys.stdin.fileno(), termios.TCSADRAIN, self._saved)

    def read(self) -> str | None:
        if not self.tty:
            return None
        ready, _, _ = select.select([sys.stdin], [], [], 0)
        if ready:
            return os.read(sys.stdin.fileno(), 1).decode(errors="ignore").lower()
        return None


@dataclass
class Outcome:
    completed: list[Step] = field(default_factory=list)
    quit: bool = False


class Player:
    """Runs steps with countdowns; ``save`` is called for each set as soon as it is done."""

    def __init__(
        self,
        console: Console,
        speaker: Speaker,
        keys: Keys,
        *,
        speed: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        self.console = console
        self.speaker = speaker
        self.keys = keys
        self.speed = max(speed, 0.001)
        self.sleep = sleep
        self.now = now

    def run(self, steps: list[Step], save: Callable[[Step, datetime], None]) -> Outcome:
        outcome = Outcome()
        skip_item: str | None = None
        index, introduce = 0, False
        while index < len(steps):
            step = steps[index]
            if skip_item == step.item_id:
                index += 1
                continue
            skip_item = None
            if step.first_of_item or introduce:
                self._introduce(step)
            introduce = False
            result = self._countdown(step, "get ready", step.get_ready_seconds, index, len(steps))
            if result == "work":
                self.speaker.say(step.announcement())
                result = self._countdown(step, "work", step.run_seconds, index, len(steps))
            if result == "quit":
                outcome.quit = True
                break
            if result == "previous":
                index, introduce = max(0, index - 1), True
                continue
            if result == "skip_item":
                skip_item = step.item_id
                self.console.print(f"  skipped the rest of {step.name}")
                index += 1
                continue
            if result == "skip_set":
                self.console.print(f"  skipped {step.key_part}")
                index += 1
                continue
            save(step, self.now())
            outcome.completed.append(step)
            side = " left and right" if step.rep_sides else f" {step.side}" if step.side else ""
            self.console.print(
                f"  [green]saved[/green] {step.name}{side}, set {step.set_number} of "
                f"{step.sets_on_this_side}"
            )
            last_of_side = step.set_number == step.sets_on_this_side
            rest = step.rest_seconds and not (last_of_side and self._next_is_new(steps, index))
            result = (
                self._countdown(step, "rest", step.rest_seconds, index, len(steps))
                if rest
                else "done"
            )
            if result == "quit":
                outcome.quit = True
                break
            if result == "previous":  # resting: that set again
                introduce = True
                continue
            index += 1
        return outcome

    @staticmethod
    def _next_is_new(steps: list[Step], index: int) -> bool:
        return index + 1 >= len(steps) or steps[index + 1].item_id != steps[index].item_id

    def _introduce(self, step: Step) -> None:
        self.console.rule(f"[bold]{step.name}")
        for n, line in enumerate(step.instructions, 1):
            self.console.print(f"{n:>2}. {line}")
        if step.breathing:
            self.console.print(Text("Breathing: " + step.breathing, style="cyan"))
        self.speaker.say(step.name)

    def _panel(
        self,
        step: Step,
        phase: str,
        remaining: float,
        total: float,
        index: int,
        count: int,
        paused: bool,
    ) -> Panel:
        table = Table.grid(padding=(0, 1))
        side = (
            " - sides in turn"
            if step.rep_sides
            else f" - {step.side} side"
            if step.side
            else " - swap sides"
            if step.swap_sides
            else ""
        )
        table.add_row(Text(f"{step.name}{side}", style="bold"))
        what = {"get ready": "Get ready", "work": _work_label(step), "rest": "Rest"}[phase]
        table.add_row(f"{what}   set {step.set_number} of {step.sets_on_this_side}")
        table.add_row(ProgressBar(total=max(total, 1), completed=total - remaining, width=40))
        table.add_row(Text(f"{int(remaining + 0.99)} s", style="bold yellow"))
        moment = step.rep_at(total - remaining) if phase == "work" else None
        if moment is not None:
            table.add_row(Text(_rep_text(step, moment), style="bold cyan"))
        if phase == "work" and step.category == "release":
            table.add_row(Text(_breath_cue(total - remaining), style="cyan"))
        elif phase == "work" and step.cue:
            table.add_row(Text(step.cue, style="dim"))
        if step.clinician_note:
            table.add_row(Text(f"From your clinician: {step.clinician_note}", style="italic"))
        status = (
            "PAUSED - press p to go on"
            if paused
            else "p pause  d done  b back  n skip set  s skip exercise  q quit"
            if moment is not None
            else "p pause  + 10 s  b back  n skip set  s skip exercise  q quit"
        )
        table.add_row(Text(status, style="dim"))
        return Panel(table, title=f"step {index + 1} of {count}")

    def _countdown(self, step: Step, phase: str, seconds: int, index: int, count: int) -> str:
        paused = False
        said: tuple[int, str] | None = None
        paced = phase == "work" and step.tempo is not None
        total = float(seconds)
        with Live(console=self.console, refresh_per_second=8, transient=True) as live:
            remaining = total
            while remaining > 1e-9:
                live.update(self._panel(step, phase, remaining, total, index, count, paused))
                moment = step.rep_at(total - remaining) if phase == "work" else None
                if moment is not None and not paused and (moment.rep, moment.phase) != said:
                    said = (moment.rep, moment.phase)
                    if moment.phase != "between":
                        self.speaker.say(_rep_words(step, moment))
                key = self.keys.read()
                if key in ("p", " "):
                    paused = not paused
                    self.speaker.say("paused" if paused else "go on")
                elif key == "q":
                    return "quit"
                elif key == "n":
                    return "skip_set"
                elif key == "s":
                    return "skip_item"
                elif key == "d" and paced:
                    return "done"
                elif key == "b":
                    return "previous"
                elif key == "+" and not paced:  # a paced set runs rep by rep
                    remaining, total = remaining + 10, total + 10
                self.sleep(0.1 / self.speed)
                if not paused:
                    remaining -= 0.1
        if phase == "work" and step.kind == "hold":
            self.speaker.say("and relax")
        return "work" if phase == "get ready" else "done"


def _work_label(step: Step) -> str:
    if step.kind == "hold":
        return f"Hold {step.hold_seconds} s" + (f" x {step.reps}" if step.reps else "")
    if step.kind == "reps":
        return f"{step.reps} slow repetitions"
    return "Release"


def _rep_text(step: Step, moment: RepMoment) -> str:
    """ "Rep 3 of 16 - left - Lift 2 s": the count, the side and the tempo's phase."""
    assert step.tempo is not None
    side = f" - {moment.side}" if step.rep_sides and moment.side else ""
    word = {
        "lift": step.tempo.lift_word,
        "hold": step.tempo.hold_word,
        "lower": step.tempo.lower_word,
        "between": "Rest",
    }[moment.phase]
    return f"Rep {moment.rep} of {step.rep_count}{side} - {word} {int(moment.phase_left + 0.99)} s"


def _rep_words(step: Step, moment: RepMoment) -> str:
    """What is said at each phase: the rep's number (and side) as it starts, then the word."""
    assert step.tempo is not None
    if moment.phase == "lift":
        side = f", {moment.side}" if step.rep_sides and moment.side else ""
        return f"{moment.rep}{side}. {step.tempo.lift_word}"
    return step.tempo.hold_word if moment.phase == "hold" else step.tempo.lower_word


def _breath_cue(elapsed: float) -> str:
    phase = elapsed % (BREATH_IN + BREATH_OUT)
    if phase < BREATH_IN:
        return "Breathe in slowly..."
    return "Breathe out - sink a little deeper"
