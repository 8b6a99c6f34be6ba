"""Problems with what a person typed, in plain words for their pages, each with the form field
to go back to.

The API answers developers with field paths (``activities[1].score: must be at most 10``); a
person on a phone gets "Activity 2: the score is a whole number from 0 to 10", linked to the
box to fix. One home for these words, for the log forms and the assessment alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from psoas.domain.errors import Problem

#: (text, id of the form field to go back to)
Plain = tuple[str, str]

ANGLES = {
    "thomas_left_hip_deg": ("Left hip angle", -40, 60),
    "thomas_right_hip_deg": ("Right hip angle", -40, 60),
    "thomas_left_knee_deg": ("Left knee angle", 0, 160),
    "thomas_right_knee_deg": ("Right knee angle", 0, 160),
}
PSFS_ROWS = 5


def plain_message(message: str) -> str:
    """A validation message without developer wording: counts in words, lists of codes as a
    request to choose, "required" as a request to answer."""
    m = re.fullmatch(r"must have at least (\d+) item\(s\)", message)
    if m:
        return f"add at least {m.group(1)}"
    m = re.fullmatch(r"must have at most (\d+) item\(s\)", message)
    if m:
        return f"add no more than {m.group(1)}"
    m = re.fullmatch(r"must be at least (\d+) character\(s\)", message)
    if m:
        return f"write at least {m.group(1)} letters"
    if message.startswith("must be one of") or message.startswith("must match"):
        return "choose one of the answers"
    if message == "is required":
        return "please answer"
    if message == "is not a known field":
        return "this answer is not part of the questions; start the questions again"
    if "ISO 8601" in message:
        return "give a date and time"
    return message.replace("item(s)", "items").replace("character(s)", "characters")


def _first_empty(rows: Sequence[int]) -> int:
    return next((r for r in range(1, PSFS_ROWS + 1) if r not in rows), 1)


def _pain(p: Problem) -> Plain:
    if p.message == "is required":
        return "Choose how much it hurts today, from 0 (no pain) to 10 (worst).", "score"
    return "Pain today is a whole number from 0 (no pain) to 10 (worst).", "score"


def _psfs(p: Problem, rows: Sequence[int]) -> Plain:
    m = re.match(r"activities\[(\d+)\]\.(activity|score)$", p.field)
    if m is None:
        anchor = f"activity_{_first_empty(rows)}"
        if p.message.startswith("must have at least"):
            return "Add at least 3 activities, each with a score from 0 to 10.", anchor
        if p.message.startswith("must have at most"):
            return "Add no more than 5 activities.", "activity_1"
        if "listed once" in p.message:
            return "List each activity once: two of them are the same.", "activity_1"
        return f"Your activities: {plain_message(p.message)}.", "activity_1"
    index = int(m.group(1))
    row = rows[index] if index < len(rows) else index + 1
    if m.group(2) == "score":
        if p.message == "is required":
            text = f"Activity {row}: give it a score from 0 (cannot do it) to 10 (as before)."
        else:
            text = f"Activity {row}: the score is a whole number from 0 to 10."
        return text, f"score_{row}"
    if p.message == "is required":
        return f"Activity {row}: say what the activity is, or clear its score.", f"activity_{row}"
    if p.message.startswith("must be at most"):
        return f"Activity {row}: keep it under 120 characters.", f"activity_{row}"
    return f"Activity {row}: describe it in a few words.", f"activity_{row}"


def _retest(p: Problem) -> Plain:
    if p.field in ANGLES:
        label, low, high = ANGLES[p.field]
        return f"{label}: a number of degrees from {low} to {high}.", p.field
    if p.field in ("resisted_left", "resisted_right"):
        side = p.field.removeprefix("resisted_")
        return f"Resisted hip flexion, {side}: choose one of the answers in the list.", p.field
    if "at least one measurement" in p.message:
        return (
            "Fill in at least one measurement: a hip or knee angle, or how resisted hip "
            "flexion felt.",
            "thomas_left_hip_deg",
        )
    return f"Re-test: {plain_message(p.message)}.", "thomas_left_hip_deg"


def log_problems(kind: str, problems: Iterable[Problem], rows: Sequence[int] = ()) -> list[Plain]:
    """The log page's problems (``kind`` pain, psfs or retest) in plain words, each with the
    field to fix; ``rows`` are the form rows the activities came from, in order."""
    out: list[Plain] = []
    for p in problems:
        if kind == "pain":
            said = _pain(p)
        elif kind == "psfs":
            said = _psfs(p, rows)
        else:
            said = _retest(p)
        if said not in out:
            out.append(said)
    return out
