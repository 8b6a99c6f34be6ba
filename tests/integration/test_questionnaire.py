"""The questionnaire: ``psoas assess`` in the terminal when no --input is given, and the web
form at /me/assess posted step by step. Both ask the version 2 questions, skip the same ones
and build a version 2 intake.

The typed answers are built by walking the questions that apply in order (the domain's
``next_question``), so adding a question does not break these tests: a question without an
answer here gets a neutral default (no for a yes/no, Enter for an optional one, the first choice
or the minimum otherwise). The skips are checked on what is printed or shown, not through it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

import psoas.cli.questionnaire as cli_questionnaire
from psoas.cli.app import app
from psoas.domain.questionnaire import (
    BY_PATH,
    QUESTIONS,
    SECTIONS,
    Question,
    next_question,
    parse_answer,
)
from tests.conftest import CONTRACTS, load_json
from tests.integration.conftest import SignedIn, Web
from tests.integration.test_web_patient import hidden_fields, post_step, text

ASSESSMENT_VALIDATOR = Draft202012Validator(load_json(CONTRACTS / "assessment-v2.schema.json"))
INTAKE_VALIDATOR = Draft202012Validator(load_json(CONTRACTS / "intake-v2.schema.json"))
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
    "pain.leg_symptoms.left": pick("pain.leg_symptoms.left", "none"),
    "pain.leg_symptoms.right": pick("pain.leg_symptoms.right", "above_knee"),
    "pain.intensity_now": "4",
    "pain.duration_weeks": "8",
    "pain.onset": pick("pain.onset", "gradual"),
    "pain.areas": pick("pain.areas", "low_back", "front_of_hip"),
    "pain.side": pick("pain.side", "right"),
    "pain.worse_with": pick("pain.worse_with", "prolonged_sitting", "rising_from_sitting"),
    "daily_life.occupation": "office",
    "daily_life.sitting_hours_per_day": "9",
    "equipment_and_ability.can_stand_unaided": "y",
    "equipment_and_ability.can_get_down_to_floor": "y",
    "equipment_and_ability.can_kneel": "y",
    "equipment_and_ability.has_massage_gun": "y",
}


def typed(answers: dict[str, Answer], examined: str = "n") -> str:
    """Every line a person types, question by question, for these answers."""
    lines: list[str] = []
    so_far: dict[str, Any] = {}
    section = ""
    q = next_question(so_far)
    while q is not None:
        if q.section != section:
            section = q.section
            if section == "exam":
                lines.append(examined)
                if examined != "y":
                    break
        answer = answers.get(q.path, default(q))
        entries = answer if isinstance(answer, list) else [answer]
        lines += entries
        value = parse_answer(q, entries[-1]).value
        if value is not None:
            so_far[q.path] = value
        q = next_question(so_far, q.path)
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


@pytest.fixture
def documents(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The intake documents the terminal questionnaire builds (as handed to validation)."""
    seen: list[Any] = []
    real = cli_questionnaire.validate_intake

    def recording(data: Any) -> Any:
        seen.append(data)
        return real(data)

    monkeypatch.setattr(cli_questionnaire, "validate_intake", recording)
    return seen


# --- (a) an emergency stops the questions -----------------------------------------------------

BOTH_LEGS_BELOW_KNEE = {
    "pain.leg_symptoms.left": pick("pain.leg_symptoms.left", "below_knee"),
    "pain.leg_symptoms.right": pick("pain.leg_symptoms.right", "below_knee"),
}
EMERGENCIES: dict[str, dict[str, Answer]] = {
    "saddle-numbness": {"red_flags.saddle_numbness": "y"},
    "bladder-bowel": {"red_flags.new_bladder_or_bowel_dysfunction": "y"},
    "pulsating-mass": {"red_flags.pulsating_abdominal_mass": "y"},
    "fever-and-immunosuppressed": {
        "red_flags.fever_or_feeling_unwell": "y",
        "red_flags.immunosuppressed_or_iv_drug_use": "y",
    },
    "weakness-in-both-legs": {"red_flags.weakness_in_both_legs": "y"},
    "sexual-or-genital": {"red_flags.new_sexual_dysfunction_or_genital_numbness": "y"},
    "unsteady-walking": {"red_flags.new_unsteady_walking": "y"},
    "both-legs-below-the-knee": BOTH_LEGS_BELOW_KNEE,
}


@pytest.mark.parametrize("flags", EMERGENCIES.values(), ids=EMERGENCIES.keys())
def test_an_emergency_sign_stops_the_questions_after_the_warning_section(
    flags: dict[str, str],
) -> None:
    result = interview({**SELF_CARE, **flags})

    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "EMERGENCY" in out
    assert "emergency department" in out
    assert "no exercise" in out
    for text_ in texts("warning"):
        assert text_ in out, f"warning question not asked: {text_}"
    later = [q for q in QUESTIONS if q.section not in ("about", "warning")]
    for q in later:
        assert q.text not in out, f"asked after the emergency: {q.text}"
    assert SECTIONS["pain"] not in out
    assert "Your home program" not in out
    assert "Steps:" not in out


def test_an_emergency_found_in_a_later_section_stops_the_questions_there() -> None:
    answers = with_answers(pain__duration_weeks="2", health__known_aortic_aneurysm="y")
    result = interview(answers, "--format", "json")

    assert result.exit_code == 0, result.output
    out = result.stdout
    assert BY_PATH["health.known_aortic_aneurysm"].text in out
    assert SECTIONS["ability"] not in out
    assert BY_PATH["equipment_and_ability.can_stand_unaided"].text not in out
    assert "The questions stop here" in out
    document = final_json(out)
    assert document["triage"]["level"] == "emergency" and document["program"] is None
    assert document["version"] == 2


def test_new_severe_belly_pain_holds_the_program_back_without_stopping_the_questions() -> None:
    result = interview(with_answers(red_flags__new_severe_abdominal_pain="y"), "--format", "json")

    assert result.exit_code == 0, result.output
    assert BY_PATH["pain.intensity_now"].text in result.stdout
    document = final_json(result.stdout)
    assert document["program"] is None
    assert document["triage"]["level"] != "self_care"


def test_a_non_emergency_warning_sign_does_not_stop_the_questions() -> None:
    result = interview(with_answers(red_flags__significant_trauma="y"))

    assert result.exit_code == 0, result.output
    out = result.stdout
    assert BY_PATH["pain.intensity_now"].text in out
    assert "URGENT" in out
    assert "Home program: held back" in out
    assert "Steps:" not in out


# --- (b) a full self-care run -----------------------------------------------------------------


def test_a_full_self_care_run_prints_a_program_from_a_version_2_intake(
    documents: list[Any],
) -> None:
    result = interview(SELF_CARE)

    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    out = result.stdout
    for title in SECTIONS.values():
        if title != SECTIONS["exam"]:
            assert title in out, title
    assert "Has a clinician examined you" in out
    assert SECTIONS["exam"] not in out  # "n": the examination questions are skipped
    for text_ in texts("exam"):
        assert text_ not in out, text_
    report = out.split("psoas assessment\n", 1)
    assert len(report) == 2, "the report follows the questions"
    assert "SELF-CARE" in report[1]
    assert "Your home program" in report[1]
    assert "Steps:" in report[1] and "Why:" in report[1]
    assert "psoas gives information" in report[1]

    (document,) = documents
    assert document["version"] == 2
    assert [e.message for e in INTAKE_VALIDATOR.iter_errors(document)] == []
    assert document["pain"]["leg_symptoms"] == {"left": "none", "right": "above_knee"}
    assert document["pain"]["onset"] == "gradual"
    assert document["red_flags"]["weakness_in_both_legs"] is False
    assert document["equipment_and_ability"]["can_stand_unaided"] is True
    assert "numbness_or_tingling_below_knee" not in document["pain"]  # nothing below a knee
    assert "smoker_or_former_smoker" not in document["health"]  # 40: not asked


def test_every_new_question_lands_in_the_document(documents: list[Any]) -> None:
    answers = with_answers(
        person__age="63",
        pain__leg_symptoms__left=pick("pain.leg_symptoms.left", "below_knee"),
        pain__numbness_or_tingling_below_knee="y",
        pain__better_with=pick("pain.better_with", "bending_forward"),
        pain__morning_stiffness_minutes="15",
        health__smoker_or_former_smoker="y",
        health__high_blood_pressure="y",
        health__family_history_aortic_aneurysm="",
        health__hip_replacement="y",
        health__hip_replacement_cleared_for_exercise="n",
        screening__concerns=pick("screening.concerns", "low_mood", "poor_sleep"),
        screening__work_status=pick("screening.work_status", "off_work_because_of_pain"),
        screening__start_back__total="4",
        screening__start_back__psychosocial=["5", "3"],  # 5 is above the total: asked again
        observations__thomas_test__right__hip_angle_deg="11",
        observations__thomas_test__pelvis_controlled="y",
        observations__hip_joint_screen__left=pick(
            "observations.hip_joint_screen.left", "painful_or_limited"
        ),
        observations__neurological_exam=pick("observations.neurological_exam", "normal"),
    )
    result = interview(answers, "--format", "json", examined="y")

    assert result.exit_code == 0, result.output
    assert "Cannot be more than the total score" in result.stdout
    (document,) = documents
    assert [e.message for e in INTAKE_VALIDATOR.iter_errors(document)] == []
    health = document["health"]
    assert (health["smoker_or_former_smoker"], health["high_blood_pressure"]) == (True, True)
    assert health["heart_or_circulation_disease"] is False
    assert "family_history_aortic_aneurysm" not in health  # "Enter": not sure
    assert health["hip_replacement_cleared_for_exercise"] is False
    assert document["pain"]["better_with"] == ["bending_forward"]
    assert document["pain"]["morning_stiffness_minutes"] == 15
    assert document["pain"]["numbness_or_tingling_below_knee"] is True
    assert document["screening"] == {
        "concerns": ["low_mood", "poor_sleep"],
        "work_status": "off_work_because_of_pain",
        "start_back": {"total": 4, "psychosocial": 3},
    }
    observations = document["observations"]
    assert observations["thomas_test"] == {
        "right": {"hip_angle_deg": 11.0},
        "pelvis_controlled": True,
    }
    assert observations["hip_joint_screen"] == {"left": "painful_or_limited"}
    assert observations["neurological_exam"] == "normal"
    assert final_json(result.stdout)["version"] == 2


def test_the_questions_warn_first_and_ask_in_order() -> None:
    out = interview(SELF_CARE).stdout
    asked = [q for q in QUESTIONS if q.section != "exam" and q.text in out]
    positions = [out.index(q.text) for q in asked]
    assert positions == sorted(positions)
    first_pain = out.index(BY_PATH["pain.intensity_now"].text)
    assert all(out.index(t) < first_pain for t in texts("warning"))


def test_repeated_numbers_and_spaces_in_a_multiple_choice_answer_are_accepted(
    documents: list[Any],
) -> None:
    areas = pick("pain.areas", "low_back", "front_of_hip", "low_back").replace(",", " , ")
    result = interview(with_answers(pain__areas=areas), "--format", "json")

    assert result.exit_code == 0, result.output
    assert documents[0]["pain"]["areas"] == ["low_back", "front_of_hip"]


# --- (c) invalid answers are asked again ------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "lines", "messages"),
    [
        (
            "person.age",
            ["abc", "200", "40"],
            ["Type a whole number from 12 to 110.", "Must be from 12 to 110."],
        ),
        ("person.age", ["40.5", "40"], ["Type a whole number from 12 to 110."]),
        ("pain.intensity_now", ["11", "-1", "4"], ["Must be from 0 to 10."] * 2),
        ("pain.duration_weeks", ["eight", "8"], ["Type a number from 0 to 5200."]),
        ("person.sex", ["7", "1,2", pick("person.sex", "female")], ["Please type a number"] * 2),
        (
            "pain.areas",
            ["", "0", "1,x", pick("pain.areas", "low_back", "front_of_hip")],
            ["Choose at least one.", "Choose from the list.", "Choose from the list."],
        ),
        ("red_flags.saddle_numbness", ["maybe", "", "n"], ["Answer yes or no.", "Please answer."]),
        ("pain.leg_symptoms.left", ["4", "1"], ["Choose one of the answers. Please type a number"]),
    ],
    ids=["age", "age-fraction", "intensity", "weeks", "sex", "areas", "yes-no", "leg"],
)
def test_an_invalid_answer_is_asked_again_with_a_helpful_message(
    path: str, lines: list[str], messages: list[str]
) -> None:
    result = interview(with_answers(**{path.replace(".", "__"): lines}))

    assert result.exit_code == 0, result.output
    out = result.stdout + result.stderr
    question = BY_PATH[path]
    text_ = question.text
    asked = 1 if question.kind in ("choice", "multi") else len(lines)  # a choice lists once
    assert out.count(text_) == asked
    start = out.index(text_)
    for message in messages:
        found = out.find(message, start)
        assert found > start, f"{message!r} not shown after {text_!r}"
        start = found + 1
    assert "SELF-CARE" in result.stdout
    assert "Your home program" in result.stdout


def test_nan_is_not_a_number_of_hours() -> None:
    result = interview(with_answers(daily_life__sitting_hours_per_day=["nan", "9"]))

    assert result.exit_code == 0, result.output
    assert "Type a number from 0 to 24." in result.stdout


# --- (d) who is asked what --------------------------------------------------------------------

PREGNANT = BY_PATH["health.pregnant"].text
POSTPARTUM = BY_PATH["health.postpartum_within_6_months"].text
CLEARED = BY_PATH["health.hip_replacement_cleared_for_exercise"].text
SMOKER = BY_PATH["health.smoker_or_former_smoker"].text


def test_men_are_not_asked_about_pregnancy_or_a_recent_birth() -> None:
    man = interview(with_answers(person__sex=pick("person.sex", "male")))
    assert man.exit_code == 0, man.output
    assert PREGNANT not in man.stdout and POSTPARTUM not in man.stdout
    assert BY_PATH["health.recent_abdominal_or_hip_surgery"].text in man.stdout
    assert "Your home program" in man.stdout

    woman = interview(SELF_CARE)
    assert PREGNANT in woman.stdout and POSTPARTUM in woman.stdout

    unspecified = interview(with_answers(person__sex=""))  # skipped: asked, to be safe
    assert unspecified.exit_code == 0, unspecified.output
    assert PREGNANT in unspecified.stdout


def test_nobody_over_55_is_asked_about_pregnancy_and_from_50_the_aneurysm_risks_are() -> None:
    older = interview(with_answers(person__age="60"))
    assert older.exit_code == 0, older.output
    assert PREGNANT not in older.stdout and POSTPARTUM not in older.stdout
    for path in (
        "health.smoker_or_former_smoker",
        "health.high_blood_pressure",
        "health.heart_or_circulation_disease",
        "health.family_history_aortic_aneurysm",
    ):
        assert BY_PATH[path].text in older.stdout, path

    younger = interview(SELF_CARE)  # 40
    assert SMOKER not in younger.stdout


def test_clearance_is_asked_only_after_a_hip_replacement() -> None:
    without = interview(SELF_CARE)
    assert CLEARED not in without.stdout

    result = interview(
        with_answers(health__hip_replacement="y", health__hip_replacement_cleared_for_exercise="y")
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.index(BY_PATH["health.hip_replacement"].text) < result.stdout.index(
        CLEARED
    )


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
        observations__thomas_test__pelvis_controlled="y",
        observations__resisted_hip_flexion__right=pick(
            "observations.resisted_hip_flexion.right", "normal"
        ),
    )
    result = interview(answers, "--format", "json", examined="y")

    assert result.exit_code == 0, result.output
    assert SECTIONS["exam"] in result.stdout
    for text_ in texts("exam"):
        assert text_ in result.stdout, text_
    assessment = final_json(result.stdout)
    findings = assessment["hip_flexor_involvement"]["findings"]
    assert any("thomas" in f["code"] and f.get("side") == "right" for f in findings), findings
    assert assessment["tighter_side"] == "right"


def test_pelvic_control_is_not_asked_without_a_thomas_angle() -> None:
    result = interview(SELF_CARE, examined="y")

    assert result.exit_code == 0, result.output
    assert BY_PATH["observations.neurological_exam"].text in result.stdout
    assert BY_PATH["observations.thomas_test.pelvis_controlled"].text not in result.stdout


# --- (e) JSON after the questions -------------------------------------------------------------


def test_json_format_prints_one_valid_version_2_document_after_the_questions() -> None:
    result = interview(SELF_CARE, "--format", "json")

    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout.index(BY_PATH["person.age"].text) < result.stdout.index("\n{\n")
    assessment = final_json(result.stdout)
    errors = [e.message for e in ASSESSMENT_VALIDATOR.iter_errors(assessment)]
    assert errors == []
    assert assessment["version"] == 2
    assert assessment["triage"]["level"] == "self_care"
    assert assessment["program"] is not None
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
    assert stored.intake.version == 2


# --- the web form, posted step by step ---------------------------------------------------------

NO = "no"
WEB_ANSWERS: dict[str, list[tuple[str, str]]] = {
    "about": [("person.age", "44"), ("person.sex", "female")],
    "warning": [
        *[(q.path, NO) for q in QUESTIONS if q.section == "warning" and q.kind == "yes_no"],
        ("pain.leg_symptoms.left", "none"),
        ("pain.leg_symptoms.right", "above_knee"),
    ],
    "pain": [
        ("pain.intensity_now", "4"),
        ("pain.duration_weeks", "9"),
        ("pain.onset", "gradual"),
        ("pain.areas", "low_back"),
        ("pain.areas", "front_of_hip"),
        ("pain.side", "right"),
        ("pain.worse_with", "prolonged_sitting"),
        ("pain.better_with", "bending_forward"),
        ("pain.morning_stiffness_minutes", "10"),
    ],
    "daily": [("daily_life.sitting_hours_per_day", "8"), ("daily_life.has_standing_desk", NO)],
    "health": [
        *[(q.path, NO) for q in QUESTIONS if q.section == "health" and q.required],
    ],
    "ability": [
        *[(q.path, "yes") for q in QUESTIONS if q.section == "ability"],
        ("equipment_and_ability.uses_wheelchair", NO),
        ("health.falls_or_poor_balance", NO),
    ],
    "screening": [
        ("screening.concerns", "poor_sleep"),
        ("screening.work_status", "working"),
        ("screening.start_back.total", "3"),
        ("screening.start_back.psychosocial", "1"),
    ],
    "preferences": [("preferences.minutes_per_day", "20")],
    "exam": [
        ("observations.thomas_test.right.hip_angle_deg", "12"),
        ("observations.thomas_test.pelvis_controlled", "yes"),
        ("observations.neurological_exam", "normal"),
    ],
}


def _last_values(answers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """For yes/no lists where a later pair overrides an earlier one with the same name."""
    last: dict[str, str] = {}
    multi: list[tuple[str, str]] = []
    for name, value in answers:
        if BY_PATH[name].kind == "multi":
            multi.append((name, value))
        else:
            last[name] = value
    return [*last.items(), *multi]


def start(me: SignedIn, until: str) -> Any:
    """Post every step before ``until``; the page of ``until``."""
    page = me.client.get("/me/assess")
    for section in WEB_ANSWERS:
        if section == until:
            return page
        page = post_step(me, page.text, _last_values(WEB_ANSWERS[section]))
        assert page.status_code == 200, text(page.text)[:2000]
    raise AssertionError(until)


def visible(page_html: str, path: str) -> bool:
    """Whether the page asks the question (not merely carries its answer along, hidden)."""
    carried = {name for name, _ in hidden_fields(page_html)}
    return f'name="{path}"' in page_html and path not in carried


def test_the_web_form_posts_each_step_to_a_version_2_result(web: Web) -> None:
    me = web.sign_up("vera@example.org")
    page = me.client.get("/me/assess")
    steps = list(WEB_ANSWERS)
    for n, section in enumerate(steps):
        assert f"Step {n + 1} of {len(steps)}" in page.text, section
        for q in QUESTIONS:
            if q.section == section and q.ask_when is None:
                assert visible(page.text, q.path), q.path
        page = post_step(me, page.text, _last_values(WEB_ANSWERS[section]))
        if n < len(steps) - 1:
            assert page.status_code == 200, text(page.text)[:2000]
    assert page.status_code == 303, text(page.text)[:2000]
    assert page.headers["location"] == "/me/result"
    saved = me.client.get("/api/v1/me/assessment").json()
    assert saved["version"] == 2
    assert saved["triage"]["level"] == "self_care"
    assert [e.message for e in ASSESSMENT_VALIDATOR.iter_errors(saved)] == []


def test_the_web_form_asks_the_new_warning_signs_and_the_leg_chart_first(web: Web) -> None:
    me = web.sign_up("walt@example.org")
    page = start(me, "warning")
    assert "Warning signs" in page.text
    for path in (
        "red_flags.weakness_in_both_legs",
        "red_flags.new_sexual_dysfunction_or_genital_numbness",
        "red_flags.new_unsteady_walking",
        "red_flags.new_severe_abdominal_pain",
        "pain.leg_symptoms.left",
        "pain.leg_symptoms.right",
    ):
        assert visible(page.text, path), path
    assert not visible(page.text, "pain.intensity_now")
    missing = [a for a in WEB_ANSWERS["warning"] if a[0] != "pain.leg_symptoms.right"]
    refused = post_step(me, page.text, missing)
    assert refused.status_code == 400
    assert f"{BY_PATH['pain.leg_symptoms.right'].text}: please answer" in text(refused.text)


WEB_EMERGENCIES = {
    "weakness-in-both-legs": [("red_flags.weakness_in_both_legs", "yes")],
    "sexual-or-genital": [("red_flags.new_sexual_dysfunction_or_genital_numbness", "yes")],
    "unsteady-walking": [("red_flags.new_unsteady_walking", "yes")],
    "both-legs-below-the-knee": [
        ("pain.leg_symptoms.left", "below_knee"),
        ("pain.leg_symptoms.right", "below_knee"),
    ],
}


@pytest.mark.parametrize("changes", WEB_EMERGENCIES.values(), ids=WEB_EMERGENCIES.keys())
def test_each_new_emergency_sign_stops_the_web_form_at_the_warning_step(
    web: Web, changes: list[tuple[str, str]]
) -> None:
    me = web.sign_up("xena@example.org")
    page = start(me, "warning")
    stop = post_step(me, page.text, _last_values(WEB_ANSWERS["warning"] + changes))
    assert stop.status_code == 200
    words = text(stop.text)
    assert "emergency department" in words and "The questions stop here" in words
    assert 'action="/me/assess"' not in stop.text
    saved = me.client.get("/api/v1/me/assessment").json()
    assert saved["triage"]["level"] == "emergency" and saved["program"] is None


def test_an_emergency_stops_the_web_form_even_with_other_answers_missing(web: Web) -> None:
    me = web.sign_up("yuri@example.org")
    page = start(me, "warning")
    stop = post_step(me, page.text, [("red_flags.saddle_numbness", "yes")])
    assert stop.status_code == 200
    assert "emergency department" in text(stop.text)


def test_the_web_form_skips_what_cannot_apply(web: Web) -> None:
    me = web.sign_up("zed@example.org")
    page = me.client.get("/me/assess")
    for section in ("about", "warning", "pain", "daily"):
        answers = _last_values(WEB_ANSWERS[section])
        if section == "about":
            answers = [("person.age", "58"), ("person.sex", "male")]
        page = post_step(me, page.text, answers)
        assert page.status_code == 200, text(page.text)[:2000]
    assert "Health questions" in page.text
    assert not visible(page.text, "health.pregnant")
    assert not visible(page.text, "health.postpartum_within_6_months")
    for path in (
        "health.smoker_or_former_smoker",
        "health.high_blood_pressure",
        "health.heart_or_circulation_disease",
        "health.family_history_aortic_aneurysm",
    ):
        assert visible(page.text, path), path
    assert "Not sure" in text(page.text)  # the family history may be left unanswered
    # Clearance sits under the hip-replacement question with its condition, and is needed
    # only after a yes.
    words = text(page.text)
    assert f"If you have a hip replacement: {CLEARED}" in words
    health = [
        (q.path, NO)
        for q in QUESTIONS
        if q.section == "health"
        and q.required
        and q.path != "health.hip_replacement_cleared_for_exercise"
    ]
    with_hip = [(p, "yes" if p == "health.hip_replacement" else v) for p, v in health]
    refused = post_step(me, page.text, with_hip)
    assert refused.status_code == 400
    assert f"{CLEARED}: please answer" in text(refused.text)
    accepted = post_step(me, page.text, health)  # no hip replacement: no clearance needed
    assert accepted.status_code == 200 and "What you can do" in accepted.text


def test_the_start_back_subscore_needs_its_total_on_the_web(web: Web) -> None:
    me = web.sign_up("ada@example.org")
    page = start(me, "screening")
    assert "scored elsewhere by a clinician" in text(page.text)
    sub = BY_PATH["screening.start_back.psychosocial"]
    refused = post_step(me, page.text, [(sub.path, "2")])
    assert refused.status_code == 400
    assert "enter the total score as well" in text(refused.text)
    too_high = post_step(me, page.text, [("screening.start_back.total", "2"), (sub.path, "4")])
    assert too_high.status_code == 400 and "cannot be more than the total" in text(too_high.text)
    skipped = post_step(me, page.text, [])
    assert skipped.status_code == 200 and "Your time" in skipped.text
