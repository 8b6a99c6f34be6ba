"""The questionnaire against the intake model: every question fills a real field with the same
choices and ranges, every field is asked, the skips, the one answer parser both surfaces use,
and the version 2 documents it builds."""

from __future__ import annotations

import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types as at
import pytest
from jsonschema import Draft202012Validator
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from psoas.domain.intake import Intake, parse
from psoas.domain.questionnaire import (
    ANEURYSM_RISK_FROM_AGE,
    BY_PATH,
    PREGNANCY_MAX_AGE,
    QUESTIONS,
    SECTION_ORDER,
    SECTIONS,
    Question,
    answer,
    conditional_on_page,
    could_be_pregnant,
    intake_document,
    next_question,
    parse_answer,
    provisional_intake,
    questions_on_page,
    read_answers,
    visible_questions,
)
from tests.conftest import CONTRACTS, load_json

SCHEMA = load_json(CONTRACTS / "intake-v2.schema.json")
VALIDATOR = Draft202012Validator(SCHEMA)

# --- reading the model -------------------------------------------------------------------------


class Leaf:
    """What the model says about one field: its types, allowed values and bounds."""

    def __init__(self) -> None:
        self.types: set[Any] = set()
        self.literals: set[Any] = set()
        self.is_list = False
        self.ge: float | None = None
        self.le: float | None = None
        self.max_length: int | None = None

    def collect(self, meta: Any) -> None:
        if isinstance(meta, at.Ge):
            self.ge = float(meta.ge)  # type: ignore[arg-type]
        elif isinstance(meta, at.Le):
            self.le = float(meta.le)  # type: ignore[arg-type]
        elif isinstance(meta, at.MaxLen):
            self.max_length = meta.max_length
        elif isinstance(meta, FieldInfo):
            for inner in meta.metadata:
                self.collect(inner)

    def walk(self, tp: Any) -> None:
        origin = get_origin(tp)
        if origin is Annotated:
            base, *meta = get_args(tp)
            for m in meta:
                self.collect(m)
            self.walk(base)
        elif origin in (Union, types.UnionType):
            for arg in get_args(tp):
                if arg is not type(None):
                    self.walk(arg)
        elif origin is Literal:
            self.literals |= set(get_args(tp))
        elif origin is list:
            self.is_list = True
            self.walk(get_args(tp)[0])
        else:
            self.types.add(tp)


def _model_of(info: FieldInfo) -> type[BaseModel] | None:
    leaf = Leaf()
    leaf.walk(info.annotation)
    models = [t for t in leaf.types if isinstance(t, type) and issubclass(t, BaseModel)]
    return models[0] if models else None


def model_leaf(path: str) -> Leaf:
    model: type[BaseModel] = Intake
    *parents, name = path.split(".")
    for part in parents:
        assert part in model.model_fields, f"{path}: no field {part!r} in {model.__name__}"
        inner = _model_of(model.model_fields[part])
        assert inner is not None, f"{path}: {part!r} is not an object"
        model = inner
    assert name in model.model_fields, f"{path}: no field {name!r} in {model.__name__}"
    info = model.model_fields[name]
    leaf = Leaf()
    for meta in info.metadata:
        leaf.collect(meta)
    leaf.walk(info.annotation)
    assert _model_of(info) is None, f"{path} is an object, not an answer"
    return leaf


def model_paths(model: type[BaseModel] = Intake, prefix: str = "") -> list[str]:
    paths = []
    for name, info in model.model_fields.items():
        inner = _model_of(info)
        if inner is None:
            paths.append(prefix + name)
        else:
            paths += model_paths(inner, f"{prefix}{name}.")
    return paths


def schema_node(path: str) -> dict[str, Any]:
    node: dict[str, Any] = SCHEMA
    for part in path.split("."):
        node = node["properties"][part]
    return node


# --- every question against the model ----------------------------------------------------------

KIND_TYPES = {"yes_no": bool, "integer": int, "number": float, "text": str}


@pytest.mark.parametrize("q", QUESTIONS, ids=[q.path for q in QUESTIONS])
def test_each_question_fills_a_model_field_with_the_same_choices_and_range(q: Question) -> None:
    leaf = model_leaf(q.path)
    if q.kind in ("choice", "multi"):
        assert leaf.is_list == (q.kind == "multi")
        assert {code for code, _ in q.choices} == leaf.literals
        assert len(q.choices) == len(leaf.literals)  # no value offered twice
        assert q.minimum is None and q.maximum is None
    else:
        assert not leaf.is_list and not leaf.literals
        assert leaf.types == {KIND_TYPES[q.kind]}
    if q.kind in ("integer", "number"):
        assert (q.minimum, q.maximum) == (leaf.ge, leaf.le)
    if q.kind == "text":
        assert leaf.max_length == 200


@pytest.mark.parametrize("q", QUESTIONS, ids=[q.path for q in QUESTIONS])
def test_each_question_matches_the_version_2_contract(q: Question) -> None:
    node = schema_node(q.path)
    if q.kind == "multi":
        assert {c for c, _ in q.choices} == set(node["items"]["enum"])
    elif q.kind == "choice":
        assert {c for c, _ in q.choices} == set(node["enum"])
    elif q.kind in ("integer", "number"):
        assert node["type"] == q.kind
        assert (q.minimum, q.maximum) == (node["minimum"], node["maximum"])
    elif q.kind == "yes_no":
        assert node["type"] == "boolean"


def test_every_field_of_the_version_2_intake_is_asked_once() -> None:
    paths = [q.path for q in QUESTIONS]
    assert len(paths) == len(set(paths))
    assert set(paths) == set(model_paths()) - {"version"}


def test_what_the_contract_requires_is_required_and_always_asked() -> None:
    required = [
        f"{section}.{name}"
        for section in SCHEMA["required"]
        if section != "version"
        for name in SCHEMA["properties"][section].get("required", [])
    ]
    assert len(required) == 6
    for path in required:
        assert BY_PATH[path].required and BY_PATH[path].ask_when is None, path


def test_every_new_warning_sign_is_a_required_yes_no_question_in_the_warning_section() -> None:
    new = (
        "red_flags.weakness_in_both_legs",
        "red_flags.new_sexual_dysfunction_or_genital_numbness",
        "red_flags.new_unsteady_walking",
        "red_flags.new_severe_abdominal_pain",
    )
    for path in new:
        q = BY_PATH[path]
        assert (q.kind, q.section, q.required, q.ask_when) == ("yes_no", "warning", True, None)


def test_warning_signs_and_the_leg_body_chart_come_before_anything_about_the_pain() -> None:
    order = [q.path for q in QUESTIONS]
    first_pain = order.index("pain.intensity_now")
    warning = [q.path for q in QUESTIONS if q.section == "warning"]
    assert "pain.leg_symptoms.left" in warning and "pain.leg_symptoms.right" in warning
    for path in [p for p in order if p.startswith("red_flags.")] + warning:
        assert order.index(path) < first_pain, path
    for q in QUESTIONS[: order.index(warning[0])]:
        assert q.section == "about"
    assert all(BY_PATH[p].required and BY_PATH[p].ask_when is None for p in warning)


def test_sections_are_asked_in_one_block_each_in_the_listed_order() -> None:
    seen: list[str] = []
    for q in QUESTIONS:
        assert q.section in SECTIONS, q.path
        if not seen or seen[-1] != q.section:
            assert q.section not in seen, f"{q.section} split by {q.path}"
            seen.append(q.section)
    assert tuple(seen) == SECTION_ORDER
    assert SECTION_ORDER[:2] == ("about", "warning") and SECTION_ORDER[-1] == "exam"


def test_examination_fields_are_in_the_clinicians_section_and_screening_in_its_own() -> None:
    for q in QUESTIONS:
        if q.path.startswith("observations."):
            assert q.section == "exam" and not q.required, q.path
        if q.path.startswith("screening."):
            assert q.section == "screening", q.path
    total = BY_PATH["screening.start_back.total"]
    assert "scored elsewhere by a clinician" in total.text and not total.required


def test_texts_are_plain_words_not_field_names() -> None:
    texts = [q.text for q in QUESTIONS]
    assert len(texts) == len(set(texts))
    for q in QUESTIONS:
        for words in (q.text, q.help or "", q.when or "", *(label for _, label in q.choices)):
            assert "_" not in words, (q.path, words)
        assert len(q.text) <= 130, q.path


# --- the predicates ----------------------------------------------------------------------------


class Recording(dict[str, Any]):
    """A mapping that remembers which answers were read."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.read: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self.read.add(str(key))
        return super().__contains__(key)


SAMPLES: list[dict[str, Any]] = [
    {},
    {"person.age": 30, "person.sex": "female", "health.hip_replacement": True},
    {"person.age": 70, "person.sex": "male", "pain.leg_symptoms.left": "below_knee"},
    {
        "pain.leg_symptoms.left": "none",
        "pain.leg_symptoms.right": "above_knee",
        "screening.start_back.total": 5,
        "observations.thomas_test.right.hip_angle_deg": 10.0,
    },
]
CONDITIONAL = [q for q in QUESTIONS if q.ask_when is not None]


@pytest.mark.parametrize("q", CONDITIONAL, ids=[q.path for q in CONDITIONAL])
def test_a_predicate_reads_only_earlier_answers_it_names(q: Question) -> None:
    assert q.depends_on, q.path
    order = [x.path for x in QUESTIONS]
    for path in q.depends_on:
        assert order.index(path) < order.index(q.path), path
    for sample in SAMPLES:
        answers = Recording(sample)
        q.applies(answers)
        assert answers.read <= set(q.depends_on), (q.path, answers.read)


def test_a_question_shown_with_its_condition_on_the_same_page_says_the_condition() -> None:
    on_page = {q.path for q in QUESTIONS if conditional_on_page(q)}
    assert on_page == {
        "health.hip_replacement_cleared_for_exercise",
        "screening.start_back.psychosocial",
        "observations.thomas_test.pelvis_controlled",
    }
    for path in on_page:
        assert BY_PATH[path].when, path


def asked(answers: dict[str, Any]) -> set[str]:
    return {q.path for q in visible_questions(answers)}


PREGNANCY = {"health.pregnant", "health.postpartum_within_6_months"}


@pytest.mark.parametrize("age", [12, 30, 55, 56, 80, 110])
def test_a_man_is_never_asked_about_pregnancy_or_a_recent_birth(age: int) -> None:
    assert not PREGNANCY & asked({"person.age": age, "person.sex": "male"})


@pytest.mark.parametrize("sex", ["female", "other", "unspecified", None])
def test_pregnancy_is_asked_up_to_55_of_anyone_who_is_not_a_man(sex: str | None) -> None:
    assert PREGNANCY_MAX_AGE == 55
    for age in (12, 30, 55):
        answers = {"person.age": age} | ({"person.sex": sex} if sex else {})
        assert asked(answers) >= PREGNANCY, (age, sex)
    for age in (56, 72):
        answers = {"person.age": age} | ({"person.sex": sex} if sex else {})
        assert not PREGNANCY & asked(answers), (age, sex)


def test_could_be_pregnant_is_the_one_rule_a_program_can_share() -> None:
    assert could_be_pregnant(55, "female") and could_be_pregnant(None, None)
    assert not could_be_pregnant(56, "female") and not could_be_pregnant(30, "male")
    assert could_be_pregnant(30, "unspecified") and not could_be_pregnant(80, None)


def test_clearance_after_a_hip_replacement_is_asked_only_after_a_yes() -> None:
    cleared = "health.hip_replacement_cleared_for_exercise"
    assert cleared not in asked({})
    assert cleared not in asked({"health.hip_replacement": False})
    assert cleared in asked({"health.hip_replacement": True})
    assert BY_PATH[cleared].required  # once asked, it must be answered


@pytest.mark.parametrize(
    ("age", "expected"), [(12, False), (49, False), (50, True), (61, True), (90, True)]
)
def test_aneurysm_risk_questions_are_asked_from_50(age: int, expected: bool) -> None:
    assert ANEURYSM_RISK_FROM_AGE == 50
    risk = {
        "health.smoker_or_former_smoker",
        "health.high_blood_pressure",
        "health.heart_or_circulation_disease",
        "health.family_history_aortic_aneurysm",
    }
    shown = asked({"person.age": age, "person.sex": "female"})
    assert (risk <= shown) is expected and (risk & shown == set()) is not expected


def test_pelvic_control_is_asked_only_with_a_thomas_angle() -> None:
    pelvis = "observations.thomas_test.pelvis_controlled"
    assert pelvis not in asked({})
    for path in (
        "observations.thomas_test.left.hip_angle_deg",
        "observations.thomas_test.right.knee_angle_deg",
    ):
        assert pelvis in asked({path: 0.0}), path


def test_numbness_below_the_knee_is_not_asked_when_no_leg_symptoms_reach_it() -> None:
    numbness = "pain.numbness_or_tingling_below_knee"
    left, right = "pain.leg_symptoms.left", "pain.leg_symptoms.right"
    assert numbness not in asked({left: "none", right: "above_knee"})
    assert numbness in asked({left: "none", right: "below_knee"})
    assert numbness in asked({left: "none"})  # the other leg unanswered: ask


def test_an_answer_left_over_from_a_question_that_no_longer_applies_is_set_aside() -> None:
    reading = read_answers(
        {
            "person.age": "40",
            "person.sex": "male",
            "health.pregnant": "yes",
            "health.hip_replacement": "no",
            "health.hip_replacement_cleared_for_exercise": "yes",
        }
    )
    assert "health.pregnant" not in reading.answers
    assert "health.hip_replacement_cleared_for_exercise" not in reading.answers
    assert "health.pregnant" not in reading.problems
    document = intake_document(reading.answers | {"health.pregnant": True})
    assert "pregnant" not in document["health"]
    assert "hip_replacement_cleared_for_exercise" not in document["health"]


def test_next_question_walks_the_questions_that_apply_in_order() -> None:
    answers: dict[str, Any] = {"person.age": 60, "person.sex": "male"}
    order = []
    q = next_question(answers)
    while q is not None:
        order.append(q.path)
        q = next_question(answers, q.path)
    assert order == [q.path for q in visible_questions(answers)]
    assert order[0] == "person.age" and "health.pregnant" not in order
    assert next_question(answers, QUESTIONS[-1].path) is None
    after = next_question({"health.hip_replacement": True}, "health.hip_replacement")
    assert after is not None and after.path == "health.hip_replacement_cleared_for_exercise"


def test_a_page_shows_what_applies_from_earlier_pages_and_conditions_on_itself() -> None:
    man = {q.path for q in questions_on_page("health", {"person.age": 40, "person.sex": "male"})}
    assert not PREGNANCY & man
    assert "health.hip_replacement_cleared_for_exercise" in man  # shown with its condition
    assert "health.smoker_or_former_smoker" not in man
    woman = {q.path for q in questions_on_page("health", {"person.age": 40})}
    assert woman >= PREGNANCY


# --- one parser --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "raw", "value", "problem"),
    [
        ("red_flags.saddle_numbness", "y", True, None),
        ("red_flags.saddle_numbness", "Yes", True, None),
        ("red_flags.saddle_numbness", ["no"], False, None),
        ("red_flags.saddle_numbness", "N", False, None),
        ("red_flags.saddle_numbness", "maybe", None, "answer yes or no"),
        ("red_flags.saddle_numbness", "", None, None),
        ("person.age", "40", 40, None),
        ("person.age", " 40 ", 40, None),
        ("person.age", "40.5", None, "type a whole number from 12 to 110"),
        ("person.age", "1_0", None, "type a whole number from 12 to 110"),
        ("person.age", "200", None, "must be from 12 to 110"),
        ("pain.duration_weeks", "2.5", 2.5, None),
        ("pain.duration_weeks", "nan", None, "type a number from 0 to 5200"),
        ("pain.duration_weeks", "inf", None, "type a number from 0 to 5200"),
        ("pain.duration_weeks", "eight", None, "type a number from 0 to 5200"),
        ("observations.thomas_test.left.hip_angle_deg", "-12", -12.0, None),
        ("pain.side", "right", "right", None),
        ("pain.side", "2", "right", None),
        ("pain.side", "5", None, "choose one of the answers"),
        ("pain.side", "1,2", None, "choose one of the answers"),
        ("pain.side", ["left", "right"], "right", None),  # the last one sent
        ("pain.areas", "1, 3,1", ["low_back", "front_of_hip"], None),
        ("pain.areas", ["groin", "low_back", "groin"], ["groin", "low_back"], None),
        ("pain.areas", "0", None, "choose from the list"),
        ("pain.areas", ["low_back", "knee"], None, "choose from the list"),
        ("pain.areas", "", None, None),
        ("daily_life.occupation", " taxi driver ", "taxi driver", None),
        ("daily_life.occupation", "x" * 300, "x" * 200, None),
    ],
)
def test_one_parser_reads_terminal_and_web_answers(
    path: str, raw: str | list[str], value: Any, problem: str | None
) -> None:
    parsed = parse_answer(BY_PATH[path], raw)
    assert (parsed.value, parsed.problem) == (value, problem)


def test_a_required_answer_left_empty_is_asked_for() -> None:
    assert answer(BY_PATH["pain.side"], "", {}).problem == "please answer"
    assert answer(BY_PATH["pain.areas"], "", {}).problem == "choose at least one"
    assert answer(BY_PATH["pain.intensity_worst_week"], "", {}).problem is None


def test_the_start_back_subscore_needs_a_total_and_cannot_exceed_it() -> None:
    total, sub = "screening.start_back.total", "screening.start_back.psychosocial"
    assert sub not in asked({}) and sub in asked({total: 4})
    assert answer(BY_PATH[sub], "5", {total: 4}).problem is not None
    assert answer(BY_PATH[sub], "4", {total: 4}).value == 4
    alone = read_answers({sub: "2"})
    assert "total score as well" in alone.problems[sub]
    missing = read_answers({total: "6"})
    assert missing.problems[sub] == "please answer"


# --- the documents -----------------------------------------------------------------------------

FULL = {
    "person.age": "62",
    "person.sex": "female",
    **{q.path: "no" for q in QUESTIONS if q.section == "warning" and q.kind == "yes_no"},
    "pain.leg_symptoms.left": "above_knee",
    "pain.leg_symptoms.right": "none",
    "pain.intensity_now": "4",
    "pain.duration_weeks": "8",
    "pain.onset": "gradual",
    "pain.areas": ["low_back", "front_of_hip"],
    "pain.side": "left",
    "pain.better_with": ["bending_forward"],
    "pain.morning_stiffness_minutes": "20",
    "daily_life.sitting_hours_per_day": "9",
    "daily_life.has_standing_desk": "no",
    **{q.path: "no" for q in QUESTIONS if q.section == "health" and q.required},
    "health.hip_replacement": "yes",
    "health.hip_replacement_cleared_for_exercise": "yes",
    "health.family_history_aortic_aneurysm": "",
    **{q.path: "yes" for q in QUESTIONS if q.section == "ability"},
    "equipment_and_ability.uses_wheelchair": "no",
    "health.falls_or_poor_balance": "no",
    "screening.concerns": ["poor_sleep", "worry_about_work"],
    "screening.work_status": "working_reduced_or_light_duties",
    "screening.start_back.total": "5",
    "screening.start_back.psychosocial": "3",
    "observations.thomas_test.left.hip_angle_deg": "12",
    "observations.thomas_test.pelvis_controlled": "yes",
    "observations.hip_joint_screen.right": "painful_or_limited",
    "observations.neurological_exam": "normal",
}


def test_a_full_set_of_answers_makes_a_valid_version_2_intake() -> None:
    reading = read_answers(FULL)
    assert reading.problems == {}
    document = intake_document(reading.answers)
    assert document["version"] == 2
    assert [e.message for e in VALIDATOR.iter_errors(document)] == []
    intake = parse(document)
    assert intake.version == 2
    assert intake.pain.leg_symptoms is not None and intake.pain.leg_symptoms.left == "above_knee"
    assert intake.health.hip_replacement_cleared_for_exercise is True
    assert intake.health.smoker_or_former_smoker is False
    assert intake.health.family_history_aortic_aneurysm is None  # "not sure"
    assert intake.screening.start_back is not None
    assert (intake.screening.start_back.total, intake.screening.start_back.psychosocial) == (5, 3)
    assert intake.observations.thomas_test is not None
    assert intake.observations.thomas_test.pelvis_controlled is True
    assert "numbness_or_tingling_below_knee" not in document["pain"]  # nothing below a knee


def test_the_provisional_intake_is_version_2_and_valid_with_any_partial_answers() -> None:
    partial: dict[str, Any] = {
        "red_flags.weakness_in_both_legs": True,
        "pain.leg_symptoms.left": "below_knee",
        "screening.start_back.total": 4,  # its subscore not yet in
    }
    document = provisional_intake(partial)
    assert document["version"] == 2
    assert [e.message for e in VALIDATOR.iter_errors(document)] == []
    assert "screening" not in document
    intake = Intake.model_validate(document)
    assert intake.red_flags.weakness_in_both_legs is True
    assert intake.pain.leg_symptoms is not None and intake.pain.leg_symptoms.left == "below_knee"
    full = provisional_intake({**partial, "screening.start_back.psychosocial": 2})
    assert full["screening"]["start_back"] == {"total": 4, "psychosocial": 2}
    empty = provisional_intake({})
    assert Intake.model_validate(empty).red_flags.saddle_numbness is None
