"""The questionnaire ``psoas assess`` asks in the terminal when no --input is given.

The typed answers are built by walking ``QUESTIONS`` in order, so adding a question does not
break these tests: a question without an answer here gets a neutral default (no for a yes/no,
Enter for an optional one, the first choice or the minimum otherwise).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from psoas.cli.app import app
from psoas.domain.questionnaire import QUESTIONS, SECTIONS, Question
from tests.conftest import CONTRACTS, load_json

ASSESSMENT_VALIDATOR = Draft202012Validator(load_json(CONTRACTS / "assessment-v1.schema.json"))
BY_PATH = {q.path: q for q in QUESTIONS}
Answer = str | list[str]  # a list: several lines typed for one question (the first ones refused)


def pick(path: str, *values: str) -> str:
    """The 1-based number(s) a person types to choose these values, comma-separated."""
    codes = [code for code, _ in BY_PATH[path].choices]
    return ",".join(str(codes.index(v) + 1) for v in values)


def default(q: Question) -> str:
    if not q.required:
        return ""
    if q.kind == "yes_no":
        return "n"
    if q.kind in ("choice", "multi"):
        return "1"
    if q.kind in ("integer", "number"):
        return f"{q.minimum:g}" if q.minimum is not None else "1"
    return "x"


SELF_CARE: dict[str, Answer] = {
    "person.age": "40",
    "person.sex": pick("person.sex", "female"),
    "pain.intensity_now": "4",
    "pain.duration_weeks": "8",
    "pain.areas": pick("pain.areas", "low_back", "front_of_hip"),
    "pain.side": pick("pain.side", "right"),
    "pain.worse_with": pick("pain.worse_with", "prolonged_sitting", "rising_from_sitting"),
    "daily_life.occupation": "office",
    "daily_life.sitting_hours_per_day": "9",
    "equipment_and_ability.can_get_down_to_floor": "y",
    "equipment_and_ability.can_kneel": "y",
    "equipment_and_ability.has_massage_gun": "y",
}


def typed(answers: dict[str, Answer], examined: str = "n") -> str:
    """Every line a person types, question by question, for these answers."""
    lines: list[str] = []
    section = ""
    male = answers.get("person.sex") == pick("person.sex", "male")
    for q in QUESTIONS:
        if q.section != section:
            section = q.section
            if section == "exam":
                lines.append(examined)
        if section == "exam" and examined != "y":
            continue
        if q.path == "health.pregnant" and male:
            continue
        answer = answers.get(q.path, default(q))
        lines += answer if isinstance(answer, list) else [answer]
    return "\n".join(lines) + "\n"


def interview(answers: dict[str, Answer], *args: str, examined: str = "n") -> Any:
    result = CliRunner().invoke(app, ["assess", *args], input=typed(answers, examined))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def with_answers(**changes: Answer) -> dict[str, Answer]:
    return {**SELF_CARE, **{k.replace("__", "."): v for k, v in changes.items()}}


def final_json(stdout: str) -> Any:
    """The JSON document printed after the prompts (which are on stdout as well)."""
    lines = stdout.splitlines()
    assert "{" in lines, f"no JSON document at the end of:\n{stdout[-2000:]}"
    start = lines.index("{")
    return json.loads("\n".join(lines[start:]))


def texts(section: str) -> list[str]:
    return [q.text for q in QUESTIONS if q.section == section]


# --- (a) an emergency stops the questions -----------------------------------------------------


@pytest.mark.parametrize(
    "flags",
    [
        {"red_flags.saddle_numbness": "y"},
        {"red_flags.new_bladder_or_bowel_dysfunction": "y"},
        {"red_flags.pulsating_abdominal_mass": "y"},
        {
            "red_flags.fever_or_feeling_unwell": "y",
            "red_flags.immunosuppressed_or_iv_drug_use": "y",
        },
    ],
    ids=["saddle-numbness", "bladder-bowel", "pulsating-mass", "fever-and-immunosuppressed"],
)
def test_an_emergency_sign_stops_the_questions_after_the_warning_section(
    flags: dict[str, str],
) -> None:
    result = interview({**SELF_CARE, **flags})

    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "EMERGENCY" in out
    assert "emergency department" in out
    assert "no exercise" in out
    for text in texts("warning"):
        assert text in out, f"warning question not asked: {text}"
    assert BY_PATH["pain.intensity_now"].text not in out
    later = [q for q in QUESTIONS if q.section not in ("about", "warning")]
    for q in later:
        assert q.text not in out, f"asked after the emergency: {q.text}"
    assert SECTIONS["pain"] not in out
    assert "Your home program" not in out
    assert "Steps:" not in out


def test_a_non_emergency_warning_sign_does_not_stop_the_questions() -> None:
    result = interview(with_answers(red_flags__significant_trauma="y"))

    assert result.exit_code == 0, result.output
    out = result.stdout
    assert BY_PATH["pain.intensity_now"].text in out
    assert "What to do: URGENT" in out
    assert "Home program: held back" in out
    assert "Steps:" not in out


# --- (b) a full self-care run -----------------------------------------------------------------


def test_a_full_self_care_run_prints_a_program() -> None:
    result = interview(SELF_CARE)

    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    out = result.stdout
    for title in SECTIONS.values():
        if title != SECTIONS["exam"]:
            assert title in out, title
    assert "Has a clinician examined you" in out
    assert SECTIONS["exam"] not in out  # "n": the examination questions are skipped
    for text in texts("exam"):
        assert text not in out, text
    report = out.split("psoas assessment\n", 1)
    assert len(report) == 2, "the report follows the questions"
    assert "What to do: SELF-CARE" in report[1]
    assert "Your home program" in report[1]
    assert "1. Massage-gun release" in report[1]  # the person has a massage gun
    assert "Steps:" in report[1] and "Why:" in report[1]
    assert "Tighter side: right" in report[1]
    assert "psoas gives information" in report[1]


def test_the_questions_warn_first_and_ask_in_order() -> None:
    out = interview(SELF_CARE).stdout
    positions = [out.index(q.text) for q in QUESTIONS if q.section != "exam"]
    assert positions == sorted(positions)
    first_pain = out.index(BY_PATH["pain.intensity_now"].text)
    assert all(out.index(t) < first_pain for t in texts("warning"))


def test_repeated_numbers_and_spaces_in_a_multiple_choice_answer_are_accepted() -> None:
    areas = pick("pain.areas", "low_back", "front_of_hip", "low_back").replace(",", " , ")
    result = interview(with_answers(pain__areas=areas), "--format", "json")

    assert result.exit_code == 0, result.output
    codes = {f["code"] for f in final_json(result.stdout)["hip_flexor_involvement"]["findings"]}
    assert "front-hip-or-groin-pain" in codes


# --- (c) invalid answers are asked again ------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "lines", "messages"),
    [
        (
            "person.age",
            ["abc", "200", "40"],
            ["Please type a whole number.", "Please give a number from 12 to 110."],
        ),
        ("person.age", ["40.5", "40"], ["Please type a whole number."]),
        ("pain.intensity_now", ["11", "-1", "4"], ["Please give a number from 0 to 10."] * 2),
        ("pain.duration_weeks", ["eight", "8"], ["Please type a number."]),
        ("person.sex", ["7", "1,2", pick("person.sex", "female")], ["Please type a number"] * 2),
        (
            "pain.areas",
            ["", "0", "1,x", pick("pain.areas", "low_back", "front_of_hip")],
            ["Please type numbers separated by commas"] * 2,
        ),
        ("red_flags.saddle_numbness", ["maybe", "n"], ["invalid input"]),
    ],
    ids=["age", "age-fraction", "intensity", "weeks", "sex", "areas", "yes-no"],
)
def test_an_invalid_answer_is_asked_again_with_a_helpful_message(
    path: str, lines: list[str], messages: list[str]
) -> None:
    result = interview(with_answers(**{path.replace(".", "__"): lines}))

    assert result.exit_code == 0, result.output
    out = result.stdout + result.stderr
    question = BY_PATH[path]
    text = question.text
    asked = 1 if question.kind in ("choice", "multi") else len(lines)  # a choice lists once
    assert out.count(text) == asked
    start = out.index(text)
    for message in messages:
        found = out.find(message, start)
        assert found > start, f"{message!r} not shown after {text!r}"
        start = found + 1
    assert "What to do: SELF-CARE" in result.stdout
    assert "Your home program" in result.stdout


def test_nan_is_not_a_number_of_hours() -> None:
    result = interview(with_answers(daily_life__sitting_hours_per_day=["nan", "9"]))

    assert result.exit_code == 0, result.output
    assert "Please give a number from 0 to 24." in result.stdout


# --- (d) who is asked what --------------------------------------------------------------------


def test_men_are_not_asked_about_pregnancy() -> None:
    pregnant = BY_PATH["health.pregnant"].text
    man = interview(with_answers(person__sex=pick("person.sex", "male")))
    assert man.exit_code == 0, man.output
    assert pregnant not in man.stdout
    assert BY_PATH["health.recent_abdominal_or_hip_surgery"].text in man.stdout
    assert "Your home program" in man.stdout

    woman = interview(SELF_CARE)
    assert pregnant in woman.stdout

    unspecified = interview(with_answers(person__sex=""))  # skipped: asked, to be safe
    assert unspecified.exit_code == 0, unspecified.output
    assert pregnant in unspecified.stdout


def test_a_pregnant_woman_gets_no_release_that_presses_into_the_belly() -> None:
    result = interview(with_answers(health__pregnant="y"), "--format", "json")

    assert result.exit_code == 0, result.output
    program = final_json(result.stdout)["program"]
    assert program is not None
    assert [i["id"] for i in program["items"] if i["abdominal_pressure"]] == []
    assert "massage-gun-psoas-release" in {e["id"] for e in program["excluded"]}


def test_a_clinician_can_enter_examination_findings() -> None:
    answers = with_answers(
        pain__side=pick("pain.side", "central"),
        observations__thomas_test__left__hip_angle_deg="2",
        observations__thomas_test__right__hip_angle_deg="14",
        observations__resisted_hip_flexion__right=pick(
            "observations.resisted_hip_flexion.right", "normal"
        ),
    )
    result = interview(answers, "--format", "json", examined="y")

    assert result.exit_code == 0, result.output
    assert SECTIONS["exam"] in result.stdout
    for text in texts("exam"):
        assert text in result.stdout, text
    assessment = final_json(result.stdout)
    findings = assessment["hip_flexor_involvement"]["findings"]
    assert any("thomas" in f["code"] and f.get("side") == "right" for f in findings), findings
    assert assessment["tighter_side"] == "right"


# --- (e) JSON after the questions -------------------------------------------------------------


def test_json_format_prints_one_valid_document_after_the_questions() -> None:
    result = interview(SELF_CARE, "--format", "json")

    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout.index(BY_PATH["person.age"].text) < result.stdout.index("\n{\n")
    assessment = final_json(result.stdout)
    errors = [e.message for e in ASSESSMENT_VALIDATOR.iter_errors(assessment)]
    assert errors == []
    assert assessment["triage"]["level"] == "self_care"
    assert assessment["tighter_side"] == "right"
    assert "massage-gun-psoas-release" in [i["id"] for i in assessment["program"]["items"]]
    assert "psoas assessment" not in result.stdout  # not the text report as well


# --- an emergency is kept, so that a saved program is held back everywhere ----------------------

SADDLE = {**SELF_CARE, "red_flags.saddle_numbness": "y"}


def _saved_program(name: str = "me") -> Any:
    from psoas.services import tracking

    return tracking.current_program(tracking.open_database(), profile_name=name)


def test_an_emergency_with_json_format_prints_the_assessment_document() -> None:
    result = interview(SADDLE, "--format", "json")

    assert result.exit_code == 0, result.output
    document = final_json(result.stdout)
    ASSESSMENT_VALIDATOR.validate(document)
    assert document["triage"]["level"] == "emergency"
    assert document["program"] is None


def test_an_emergency_without_save_or_a_saved_profile_keeps_nothing(tmp_path: Any) -> None:
    import os

    result = interview(SADDLE)

    assert result.exit_code == 0, result.output
    assert "Kept for profile" not in result.stderr
    database = os.environ["PSOAS_DATABASE_URL"].split("///", 1)[1]
    assert not os.path.exists(database)  # not even created


def test_an_emergency_holds_back_a_program_saved_before() -> None:
    from psoas.services import tracking

    first = interview(SELF_CARE, "--save")
    assert first.exit_code == 0, first.output
    assert _saved_program() is not None

    stopped = interview(SADDLE)  # no --save: the saved profile is enough

    assert stopped.exit_code == 0, stopped.output
    assert "Kept for profile 'me'" in stopped.stderr
    with pytest.raises(tracking.TrackingError, match="warning signs"):
        _saved_program()


def test_an_emergency_with_save_starts_a_profile_that_is_held_back() -> None:
    from psoas.services import tracking

    result = interview(SADDLE, "--save", "--profile", "ana")

    assert result.exit_code == 0, result.output
    assert "Kept for profile 'ana'" in result.stderr
    db = tracking.open_database()
    (stored,) = tracking.history(db, profile_name="ana").assessments
    assert stored.result.triage.level == "emergency" and stored.result.program is None
