"""Problems in plain words for the person's pages (psoas.services.plain_words): never a field
path or a validator's phrasing, always the box to go back to."""

from __future__ import annotations

import re

import pytest

from psoas.domain.errors import Problem
from psoas.services.plain_words import log_problems, plain_message

DEVELOPER = re.compile(r"\[\d+\]|item\(s\)|_deg|must be one of|is required|ISO 8601")


@pytest.mark.parametrize(
    ("message", "plain"),
    [
        ("must have at least 3 item(s)", "add at least 3"),
        ("must have at most 5 item(s)", "add no more than 5"),
        ("must be at least 2 character(s)", "write at least 2 letters"),
        ("must be one of 'normal', 'weak'", "choose one of the answers"),
        ("is required", "please answer"),
        ("must be a date and time with a time zone (ISO 8601)", "give a date and time"),
        ("must be at most 10", "must be at most 10"),
    ],
)
def test_plain_message(message: str, plain: str) -> None:
    assert plain_message(message) == plain


def test_every_log_problem_is_plain_and_points_at_its_box() -> None:
    cases = {
        "pain": [Problem("score", "is required"), Problem("score", "must be at most 10")],
        "psfs": [
            Problem("activities", "must have at least 3 item(s)"),
            Problem("activities", "must have at most 5 item(s)"),
            Problem("activities", "each activity must be listed once"),
            Problem("activities[0].score", "is required"),
            Problem("activities[1].score", "must be a whole number"),
            Problem("activities[1].activity", "must be at least 2 character(s)"),
            Problem("activities[0].activity", "is required"),
        ],
        "retest": [
            Problem("thomas_left_hip_deg", "must be at most 60"),
            Problem("resisted_right", "must be one of 'normal', 'weak'"),
            Problem("retest", "a re-test needs at least one measurement"),
        ],
    }
    for kind, problems in cases.items():
        said = log_problems(kind, problems, rows=[1, 3])
        assert len(said) == len(problems)
        for text, field in said:
            assert not DEVELOPER.search(text), text
            assert re.fullmatch(r"[a-z_0-9]+", field)
    psfs = dict(log_problems("psfs", cases["psfs"], rows=[1, 3]))
    # the second filled row was the form's third: the words and the link say so
    assert psfs["Activity 3: the score is a whole number from 0 to 10."] == "score_3"
    assert psfs["Add at least 3 activities, each with a score from 0 to 10."] == "activity_2"
