"""The intake as questions in plain words, in the order a person answers them.

Warning signs come first (with the leg body chart, since symptoms below the knee in both legs
are a cauda equina sign), so that an emergency stops the questionnaire before anything else is
asked. Each question names the intake field it fills (a dotted path) so that every surface (the
terminal, the web form) asks the same thing and builds the same version 2 intake.

Everything a surface needs to decide lives here, in one place:

- which questions apply to a person (:meth:`Question.applies`, :func:`visible_questions`,
  :func:`next_question`): a question may carry a pure ``ask_when`` predicate over the answers
  so far, naming in ``depends_on`` the answers it reads;
- how a typed answer is read (:func:`parse_answer`, :func:`answer`, :func:`read_answers`): one
  parser for yes/no, numbers, choices and multiple choices, whether typed in a terminal (``y``,
  ``3``, ``1,4``) or sent by a web form (``yes``, ``front_of_hip``);
- the intake document the answers make (:func:`intake_document`, :func:`provisional_intake`).

Skips (a question that does not apply is not asked, and an answer given to it earlier is set
aside):

- pregnancy and the months after birth: not asked of men, nor of anyone over
  :data:`PREGNANCY_MAX_AGE` (55: a project choice; pregnancy after 55 is vanishingly rare);
- clearance after a hip replacement: only after "yes, I have a hip replacement";
- the aneurysm risk questions (smoking, blood pressure, heart or circulation disease, family
  history): from :data:`ANEURYSM_RISK_FROM_AGE` (50; the program uses them over 50, and over 60
  leaves out belly pressure while they are unanswered, so asking at 50 as well covers both);
- numbness or pins and needles below the knee: not asked when the body chart already says that
  neither leg has symptoms below the knee;
- the STarT Back distress subscore: only with a total score (the contract needs both);
- pelvic control in the Thomas test: only when a Thomas test angle was entered.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["yes_no", "integer", "number", "choice", "multi", "text"]
#: Typed answers by intake path (``"pain.intensity_now": 4``).
Answers = Mapping[str, Any]
#: Raw answers by intake path, as typed or sent: one string, or several (a web form's checkboxes).
RawAnswers = Mapping[str, str | Sequence[str]]
Predicate = Callable[[Answers], bool]
Check = Callable[[Any, Answers], str | None]


@dataclass(frozen=True)
class Question:
    path: str
    text: str
    kind: Kind
    section: str
    choices: tuple[tuple[str, str], ...] = ()  # (value, label)
    minimum: float | None = None
    maximum: float | None = None
    required: bool = True
    help: str | None = None
    #: Pure predicate over the answers so far: is the question asked? None: always.
    ask_when: Predicate | None = field(default=None, compare=False)
    #: The answers ``ask_when`` reads (all asked before this question).
    depends_on: tuple[str, ...] = ()
    #: The condition in plain words, shown where the question sits on the same page as the
    #: answer it depends on ("If you have a hip replacement").
    when: str | None = None
    #: A further check of a well-formed answer against the answers so far: the problem or None.
    check: Check | None = field(default=None, compare=False)
    #: For an optional question: the words of the answer that leaves it unanswered ("Not sure");
    #: None for the surface's usual words, "" for no such answer.
    skip_label: str | None = None
    #: The problem to report when this question does not apply but was answered anyway (None:
    #: such an answer is quietly set aside).
    unasked_problem: str | None = None

    def applies(self, answers: Answers) -> bool:
        """Whether the question is asked, given the answers so far."""
        return self.ask_when is None or self.ask_when(answers)


YES_NO: Kind = "yes_no"

SECTIONS = {
    "about": "About you",
    "warning": "Warning signs (asked first, because they change what to do)",
    "pain": "Your pain",
    "daily": "Your day",
    "health": "Health questions that decide what is safe",
    "ability": "What you can do and what you have",
    "screening": "How the pain is affecting you",
    "preferences": "Your time",
    "exam": "Examination findings (for a clinician, or skip)",
}
#: The sections in the order they are asked (the web form's steps).
SECTION_ORDER: tuple[str, ...] = tuple(SECTIONS)

#: Pregnancy and the six months after birth are not asked of anyone older (a project choice).
PREGNANCY_MAX_AGE = 55
#: The aneurysm risk questions are asked from this age.
ANEURYSM_RISK_FROM_AGE = 50

SIDE_CHOICES = (("left", "Left"), ("right", "Right"), ("none", "Neither"))
RESISTED = (
    ("normal", "Strong and painless"),
    ("weak", "Weak"),
    ("painful", "Painful"),
    ("weak_painful", "Weak and painful"),
)
LEG_REACH = (
    ("none", "Not in this leg"),
    ("above_knee", "In the buttock or thigh, not past the knee"),
    ("below_knee", "Below the knee: calf, shin or foot"),
)
HIP_SCREEN = (("normal", "Normal"), ("painful_or_limited", "Painful or limited"))
THOMAS_ANGLES = (
    "observations.thomas_test.left.hip_angle_deg",
    "observations.thomas_test.left.knee_angle_deg",
    "observations.thomas_test.right.hip_angle_deg",
    "observations.thomas_test.right.knee_angle_deg",
)
LEGS = ("pain.leg_symptoms.left", "pain.leg_symptoms.right")
START_BACK_TOTAL = "screening.start_back.total"


# --- who is asked what (pure predicates over the answers so far) -------------------------------


def could_be_pregnant(age: int | None, sex: str | None) -> bool:
    """Whether pregnancy and the six months after birth are asked about: not of a man, nor of
    anyone over PREGNANCY_MAX_AGE. Unknown sex ("other", "rather not say", unanswered) or age:
    asked, to be safe. A rule that needs these questions answered should ask this too."""
    return sex != "male" and not (age is not None and age > PREGNANCY_MAX_AGE)


def pregnancy_possible(answers: Answers) -> bool:
    """:func:`could_be_pregnant` over the answers so far."""
    age, sex = answers.get("person.age"), answers.get("person.sex")
    return could_be_pregnant(
        age if isinstance(age, int) else None, sex if isinstance(sex, str) else None
    )


def aneurysm_risk_applies(answers: Answers) -> bool:
    """The aneurysm risk questions apply from ANEURYSM_RISK_FROM_AGE (or when age is unknown)."""
    age = answers.get("person.age")
    return not isinstance(age, int) or age >= ANEURYSM_RISK_FROM_AGE


def _has_hip_replacement(answers: Answers) -> bool:
    return answers.get("health.hip_replacement") is True


def _leg_symptoms_may_reach_below_knee(answers: Answers) -> bool:
    reach = [answers.get(path) for path in LEGS]
    return None in reach or "below_knee" in reach


def _thomas_angle_entered(answers: Answers) -> bool:
    return any(answers.get(path) is not None for path in THOMAS_ANGLES)


def _start_back_total_entered(answers: Answers) -> bool:
    return answers.get(START_BACK_TOTAL) is not None


def _not_above_total(value: Any, answers: Answers) -> str | None:
    total = answers.get(START_BACK_TOTAL)
    if isinstance(total, int) and isinstance(value, int) and value > total:
        return "cannot be more than the total score (its questions are part of the total)"
    return None


_ABOUT = ("person.age", "person.sex")


QUESTIONS: tuple[Question, ...] = (
    Question("person.age", "How old are you?", "integer", "about", minimum=12, maximum=110),
    Question(
        "person.sex",
        "Sex",
        "choice",
        "about",
        (
            ("female", "Female"),
            ("male", "Male"),
            ("other", "Other"),
            ("unspecified", "Rather not say"),
        ),
        required=False,
    ),
    # Warning signs: the cauda equina signs first, then the body chart, then the others.
    Question(
        "red_flags.saddle_numbness",
        "Is there any new numbness around your back passage, genitals or inner thighs?",
        YES_NO,
        "warning",
    ),
    Question(
        "red_flags.new_bladder_or_bowel_dysfunction",
        "Any new trouble passing or holding urine or stools, or not feeling when you pass them?",
        YES_NO,
        "warning",
    ),
    Question(
        "red_flags.new_sexual_dysfunction_or_genital_numbness",
        "Any new change in sexual function or feeling, or new numbness of your genitals?",
        YES_NO,
        "warning",
    ),
    Question(
        "red_flags.progressive_leg_weakness",
        "Is a leg getting weaker (tripping, a foot slapping down, a knee giving way)?",
        YES_NO,
        "warning",
    ),
    Question(
        "red_flags.weakness_in_both_legs",
        "Are both of your legs getting weaker, heavy or giving way?",
        YES_NO,
        "warning",
    ),
    Question(
        "pain.leg_symptoms.left",
        "How far down your left leg do pain, numbness or pins and needles go?",
        "choice",
        "warning",
        LEG_REACH,
    ),
    Question(
        "pain.leg_symptoms.right",
        "How far down your right leg do pain, numbness or pins and needles go?",
        "choice",
        "warning",
        LEG_REACH,
    ),
    Question(
        "red_flags.new_unsteady_walking",
        "Has your walking become unsteady or clumsy lately, in a new way, not just from the pain?",
        YES_NO,
        "warning",
    ),
    Question(
        "red_flags.pulsating_abdominal_mass",
        "Can you feel a lump in your belly that beats with your pulse?",
        YES_NO,
        "warning",
    ),
    Question(
        "red_flags.new_severe_abdominal_pain",
        "Do you have severe pain in your belly that started in the last few days?",
        YES_NO,
        "warning",
    ),
    Question(
        "red_flags.fever_or_feeling_unwell",
        "Do you have a fever, chills or feel generally unwell?",
        YES_NO,
        "warning",
    ),
    Question(
        "red_flags.immunosuppressed_or_iv_drug_use",
        "Is your immune system weakened (by illness or medicines), or do you inject drugs?",
        YES_NO,
        "warning",
    ),
    Question(
        "red_flags.history_of_cancer",
        "Have you ever had cancer?",
        YES_NO,
        "warning",
    ),
    Question(
        "red_flags.unexplained_weight_loss",
        "Have you lost weight recently without trying?",
        YES_NO,
        "warning",
    ),
    Question(
        "red_flags.constant_night_pain",
        "Is the pain constant at night, whatever position you lie in?",
        YES_NO,
        "warning",
    ),
    Question(
        "red_flags.significant_trauma",
        "Did the pain start after a significant fall, crash or blow?",
        YES_NO,
        "warning",
    ),
    Question(
        "red_flags.osteoporosis_or_long_term_steroids",
        "Do you have osteoporosis (fragile bones) or take steroid tablets long-term?",
        YES_NO,
        "warning",
    ),
    Question(
        "pain.intensity_now",
        "How bad is the pain right now, from 0 (none) to 10 (worst imaginable)?",
        "integer",
        "pain",
        minimum=0,
        maximum=10,
    ),
    Question(
        "pain.intensity_worst_week",
        "And at its worst in the past week (0-10)?",
        "integer",
        "pain",
        minimum=0,
        maximum=10,
        required=False,
    ),
    Question(
        "pain.duration_weeks",
        "How many weeks have you had this pain?",
        "number",
        "pain",
        minimum=0,
        maximum=5200,
    ),
    Question(
        "pain.onset",
        "How did it start?",
        "choice",
        "pain",
        (
            ("sudden", "Suddenly, at a moment I can name"),
            ("gradual", "Gradually, over days or weeks"),
        ),
    ),
    Question(
        "pain.areas",
        "Where do you feel it? (choose all that apply)",
        "multi",
        "pain",
        (
            ("low_back", "Low back"),
            ("buttock", "Buttock"),
            ("front_of_hip", "Front of the hip"),
            ("groin", "Groin"),
            ("front_of_thigh", "Front of the thigh"),
            ("back_of_thigh", "Back of the thigh"),
            ("below_knee", "Below the knee"),
            ("abdomen", "Belly"),
        ),
    ),
    Question(
        "pain.side",
        "Which side?",
        "choice",
        "pain",
        (("left", "Left"), ("right", "Right"), ("both", "Both"), ("central", "In the middle")),
    ),
    Question(
        "pain.numbness_or_tingling_below_knee",
        "Any numbness or pins and needles below the knee?",
        YES_NO,
        "pain",
        ask_when=_leg_symptoms_may_reach_below_knee,
        depends_on=LEGS,
    ),
    Question(
        "pain.worse_with",
        "What makes it worse? (choose all that apply, or none)",
        "multi",
        "pain",
        (
            ("prolonged_sitting", "Sitting for a long time"),
            ("standing_long", "Standing for a long time"),
            ("walking", "Walking"),
            ("rising_from_sitting", "Getting up from a chair"),
            ("bending_forward", "Bending forward"),
            ("bending_backward", "Bending backward"),
            ("lying_flat_legs_straight", "Lying flat with the legs straight"),
            ("lying_on_stomach", "Lying on your stomach"),
            ("coughing_sneezing", "Coughing or sneezing"),
            ("night_rest", "Resting at night"),
        ),
        required=False,
    ),
    Question(
        "pain.better_with",
        "What eases it? (choose all that apply, or none)",
        "multi",
        "pain",
        (
            ("lying_knees_bent", "Lying with the knees bent"),
            ("moving_about", "Moving about"),
            ("sitting", "Sitting"),
            ("bending_forward", "Bending forward or leaning on something"),
            ("stretching", "Stretching"),
            ("heat", "Heat"),
            ("rest", "Rest"),
        ),
        required=False,
    ),
    Question(
        "pain.morning_stiffness_minutes",
        "After you get up in the morning, how many minutes does your back or hip stay stiff? "
        "(0 if it does not)",
        "integer",
        "pain",
        minimum=0,
        maximum=600,
        required=False,
    ),
    Question(
        "daily_life.occupation",
        "What is your work? (for example: office, taxi driver)",
        "text",
        "daily",
        required=False,
    ),
    Question(
        "daily_life.sitting_hours_per_day",
        "About how many hours a day do you sit, work and home together?",
        "number",
        "daily",
        minimum=0,
        maximum=24,
    ),
    Question(
        "daily_life.longest_sitting_minutes",
        "What is the longest you usually sit without getting up, in minutes?",
        "integer",
        "daily",
        minimum=0,
        maximum=1440,
        required=False,
    ),
    Question(
        "daily_life.activities",
        "Which activities do you do? (choose all that apply, or none)",
        "multi",
        "daily",
        (
            ("cycling", "Cycling"),
            ("running", "Running"),
            ("rowing", "Rowing"),
            ("gym", "Gym"),
            ("yoga", "Yoga"),
            ("walking", "Walking"),
            ("football", "Football"),
            ("swimming", "Swimming"),
            ("other", "Other"),
        ),
        required=False,
    ),
    Question("daily_life.has_standing_desk", "Do you have a standing desk?", YES_NO, "daily"),
    Question(
        "health.recent_hip_flexor_injury",
        "Have you strained or injured a hip flexor (front of the hip) in the last few weeks?",
        YES_NO,
        "health",
    ),
    Question(
        "health.pregnant",
        "Are you pregnant?",
        YES_NO,
        "health",
        ask_when=pregnancy_possible,
        depends_on=_ABOUT,
    ),
    Question(
        "health.postpartum_within_6_months",
        "Have you given birth in the last six months?",
        YES_NO,
        "health",
        ask_when=pregnancy_possible,
        depends_on=_ABOUT,
    ),
    Question(
        "health.recent_abdominal_or_hip_surgery",
        "Have you had surgery on your belly or hip in the last six months?",
        YES_NO,
        "health",
    ),
    Question(
        "health.abdominal_hernia", "Do you have a hernia in your belly or groin?", YES_NO, "health"
    ),
    Question(
        "health.known_aortic_aneurysm",
        "Have you been told you have an aortic aneurysm (a widened main artery)?",
        YES_NO,
        "health",
    ),
    Question(
        "health.takes_anticoagulants",
        "Do you take blood thinners (for example warfarin, apixaban, rivaroxaban)?",
        YES_NO,
        "health",
    ),
    Question("health.hip_replacement", "Do you have a hip replacement?", YES_NO, "health"),
    Question(
        "health.hip_replacement_cleared_for_exercise",
        "Has your surgical team said you may stretch and exercise with no limits?",
        YES_NO,
        "health",
        help="If you are not sure, answer no.",
        ask_when=_has_hip_replacement,
        depends_on=("health.hip_replacement",),
        when="If you have a hip replacement",
    ),
    Question(
        "health.smoker_or_former_smoker",
        "Do you smoke, or have you smoked in the past?",
        YES_NO,
        "health",
        help="This and the next three questions help decide whether anything may safely "
        "press into your belly.",
        ask_when=aneurysm_risk_applies,
        depends_on=("person.age",),
    ),
    Question(
        "health.high_blood_pressure",
        "Have you been told you have high blood pressure (treated or not)?",
        YES_NO,
        "health",
        ask_when=aneurysm_risk_applies,
        depends_on=("person.age",),
    ),
    Question(
        "health.heart_or_circulation_disease",
        "Have you had angina, a heart attack or a stroke, or calf pain on walking that eases "
        "when you rest?",
        YES_NO,
        "health",
        ask_when=aneurysm_risk_applies,
        depends_on=("person.age",),
    ),
    Question(
        "health.family_history_aortic_aneurysm",
        "Has a parent, brother or sister had an aortic aneurysm?",
        YES_NO,
        "health",
        required=False,
        skip_label="Not sure",
        ask_when=aneurysm_risk_applies,
        depends_on=("person.age",),
    ),
    Question(
        "equipment_and_ability.can_stand_unaided",
        "Can you stand for two minutes, and walk a few steps, without holding on to anything?",
        YES_NO,
        "ability",
    ),
    Question(
        "equipment_and_ability.uses_wheelchair",
        "Do you use a wheelchair for most of the day?",
        YES_NO,
        "ability",
    ),
    Question(
        "health.falls_or_poor_balance",
        "Have you had a fall in the past year, or do you often feel unsteady on your feet?",
        YES_NO,
        "ability",
    ),
    Question(
        "equipment_and_ability.can_get_down_to_floor",
        "Can you get down to the floor and back up without much trouble?",
        YES_NO,
        "ability",
    ),
    Question("equipment_and_ability.can_kneel", "Can you kneel comfortably?", YES_NO, "ability"),
    Question(
        "equipment_and_ability.has_massage_gun", "Do you have a massage gun?", YES_NO, "ability"
    ),
    Question(
        "equipment_and_ability.has_release_tool",
        "Do you have a psoas release tool?",
        YES_NO,
        "ability",
    ),
    Question(
        "equipment_and_ability.has_table_or_firm_bed_edge",
        "Do you have a sturdy table or a firm bed you can lie on with one leg hanging off?",
        YES_NO,
        "ability",
    ),
    Question(
        "screening.concerns",
        "Is any of these on your mind at the moment? (choose any that apply, or none)",
        "multi",
        "screening",
        (
            ("fear_that_moving_harms_the_back", "Worry that moving will harm my back"),
            ("low_mood", "Feeling low or down"),
            ("worry_about_work", "Worry about work"),
            ("poor_sleep", "Sleeping badly"),
            ("expects_pain_to_last", "A feeling that the pain will last a long time"),
        ),
        required=False,
    ),
    Question(
        "screening.work_status",
        "What is your work situation at the moment?",
        "choice",
        "screening",
        (
            ("working", "Working as usual"),
            ("working_reduced_or_light_duties", "Working, with fewer hours or lighter duties"),
            ("off_work_because_of_pain", "Off work because of the pain"),
            ("not_working_for_other_reasons", "Not working, for other reasons"),
            ("retired", "Retired"),
            ("student", "Studying"),
        ),
        required=False,
    ),
    Question(
        START_BACK_TOTAL,
        "STarT Back total score (0-9), scored elsewhere by a clinician",
        "integer",
        "screening",
        minimum=0,
        maximum=9,
        required=False,
        help="Only if a clinician went through the STarT Back questionnaire with you. psoas "
        "does not ask its questions; leave this empty otherwise.",
    ),
    Question(
        "screening.start_back.psychosocial",
        "STarT Back distress subscore (0-5), from the same clinician",
        "integer",
        "screening",
        minimum=0,
        maximum=5,
        ask_when=_start_back_total_entered,
        depends_on=(START_BACK_TOTAL,),
        when="With a total score",
        check=_not_above_total,
        unasked_problem="enter the total score as well, or leave both empty",
    ),
    Question(
        "preferences.minutes_per_day",
        "How many minutes a day can you give to the exercises (5-120)?",
        "integer",
        "preferences",
        minimum=5,
        maximum=120,
        required=False,
    ),
    Question(
        "observations.lumbar_exam_unremarkable",
        "Was the examination of the low back itself unremarkable?",
        YES_NO,
        "exam",
        required=False,
    ),
    Question(
        "observations.cannot_stand_fully_upright",
        "Unable to stand fully upright?",
        YES_NO,
        "exam",
        required=False,
    ),
    Question(
        "observations.increased_lumbar_lordosis",
        "Increased lumbar lordosis?",
        YES_NO,
        "exam",
        required=False,
    ),
    Question(
        "observations.short_stride_side",
        "Shorter stride on one side?",
        "choice",
        "exam",
        SIDE_CHOICES,
        required=False,
    ),
    Question(
        "observations.lateral_shift_side",
        "Lateral shift of the trunk?",
        "choice",
        "exam",
        SIDE_CHOICES,
        required=False,
    ),
    Question(
        "observations.thomas_test.left.hip_angle_deg",
        "Modified Thomas test, left: thigh angle above (+) or below (-) the table, degrees",
        "number",
        "exam",
        minimum=-40,
        maximum=60,
        required=False,
    ),
    Question(
        "observations.thomas_test.left.knee_angle_deg",
        "Modified Thomas test, left: knee flexion angle, degrees",
        "number",
        "exam",
        minimum=0,
        maximum=160,
        required=False,
    ),
    Question(
        "observations.thomas_test.right.hip_angle_deg",
        "Modified Thomas test, right: thigh angle above (+) or below (-) the table, degrees",
        "number",
        "exam",
        minimum=-40,
        maximum=60,
        required=False,
    ),
    Question(
        "observations.thomas_test.right.knee_angle_deg",
        "Modified Thomas test, right: knee flexion angle, degrees",
        "number",
        "exam",
        minimum=0,
        maximum=160,
        required=False,
    ),
    Question(
        "observations.thomas_test.pelvis_controlled",
        "Modified Thomas test: was the other knee held to the chest until the low back lay "
        "flat (pelvis controlled)?",
        YES_NO,
        "exam",
        required=False,
        ask_when=_thomas_angle_entered,
        depends_on=THOMAS_ANGLES,
        when="If a Thomas test angle was entered",
    ),
    Question(
        "observations.resisted_hip_flexion.left",
        "Resisted hip flexion, left",
        "choice",
        "exam",
        RESISTED,
        required=False,
    ),
    Question(
        "observations.resisted_hip_flexion.right",
        "Resisted hip flexion, right",
        "choice",
        "exam",
        RESISTED,
        required=False,
    ),
    Question(
        "observations.psoas_palpation_reproduces_pain.left",
        "Psoas palpation reproduces the familiar pain, left?",
        YES_NO,
        "exam",
        required=False,
    ),
    Question(
        "observations.psoas_palpation_reproduces_pain.right",
        "Psoas palpation reproduces the familiar pain, right?",
        YES_NO,
        "exam",
        required=False,
    ),
    Question(
        "observations.hip_joint_screen.left",
        "Hip joint screen (passive rotation or FADIR), left",
        "choice",
        "exam",
        HIP_SCREEN,
        required=False,
    ),
    Question(
        "observations.hip_joint_screen.right",
        "Hip joint screen (passive rotation or FADIR), right",
        "choice",
        "exam",
        HIP_SCREEN,
        required=False,
    ),
    Question(
        "observations.neurological_exam",
        "Neurological examination of the legs (reflexes, sensation and strength, L2-S1)",
        "choice",
        "exam",
        (("normal", "Normal"), ("abnormal", "Abnormal"), ("not_done", "Not done")),
        required=False,
        skip_label="",
    ),
)
BY_PATH: dict[str, Question] = {q.path: q for q in QUESTIONS}
_ORDER: dict[str, int] = {q.path: n for n, q in enumerate(QUESTIONS)}


# --- which questions are asked -----------------------------------------------------------------


def visible_questions(answers: Answers) -> tuple[Question, ...]:
    """The questions asked of a person with these answers, in order.

    Each ``ask_when`` sees only the answers to the questions asked before it, so an answer
    left over from a question that no longer applies changes nothing."""
    so_far: dict[str, Any] = {}
    asked: list[Question] = []
    for q in QUESTIONS:
        if q.applies(so_far):
            asked.append(q)
            if answers.get(q.path) is not None:
                so_far[q.path] = answers[q.path]
    return tuple(asked)


def next_question(answers: Answers, after: str | None = None) -> Question | None:
    """The next question to ask after the one at ``after`` (the first when None), or None
    when there is nothing left to ask."""
    start = -1 if after is None else _ORDER[after]
    return next((q for q in visible_questions(answers) if _ORDER[q.path] > start), None)


def conditional_on_page(q: Question) -> bool:
    """Whether the question depends on an answer in its own section: a form that shows a
    section at once shows it with its condition (``q.when``) and reads it only if it applies."""
    return any(BY_PATH[path].section == q.section for path in q.depends_on)


def questions_on_page(section: str, answers: Answers) -> tuple[Question, ...]:
    """The questions a one-page-per-section form shows for ``section``: those that apply given
    the answers on earlier pages, and those whose condition is on this very page."""
    applying = {q.path for q in visible_questions(answers)}
    return tuple(
        q
        for q in QUESTIONS
        if q.section == section and (q.path in applying or conditional_on_page(q))
    )


# --- reading answers ---------------------------------------------------------------------------

YES_WORDS = frozenset({"y", "yes"})
NO_WORDS = frozenset({"n", "no"})


@dataclass(frozen=True)
class Parsed:
    """A typed answer (None when unanswered) or what is wrong with it."""

    value: Any = None
    problem: str | None = None


def _range(q: Question) -> str:
    return f"from {q.minimum:g} to {q.maximum:g}"


def _choice(q: Question, text: str) -> str | None:
    """A choice by its value (as a web form sends it) or its 1-based number (as typed)."""
    codes = [code for code, _ in q.choices]
    if text in codes:
        return text
    if text.isascii() and text.isdigit() and 1 <= int(text) <= len(codes):
        return codes[int(text) - 1]
    return None


def _number(q: Question, text: str) -> Parsed:
    kind = "a whole number" if q.kind == "integer" else "a number"
    try:
        if "_" in text:
            raise ValueError(text)
        number: float = int(text) if q.kind == "integer" else float(text)
    except ValueError:
        return Parsed(problem=f"type {kind} {_range(q)}")
    if not math.isfinite(number):
        return Parsed(problem=f"type {kind} {_range(q)}")
    if (q.minimum is not None and number < q.minimum) or (
        q.maximum is not None and number > q.maximum
    ):
        return Parsed(problem=f"must be {_range(q)}")
    return Parsed(number)


def parse_answer(q: Question, raw: str | Sequence[str]) -> Parsed:
    """Read one answer, typed in a terminal or sent by a form; empty means unanswered.

    yes/no: ``y``, ``yes``, ``n``, ``no`` (any case). Numbers: within the question's range.
    A choice: its value or its number in the list. Several choices: values or numbers,
    separated by commas or sent as several values; repeats count once."""
    values = [v.strip() for v in ([raw] if isinstance(raw, str) else raw)]
    if q.kind == "multi":
        picks = [part.strip() for v in values for part in v.split(",") if part.strip()]
        codes = [_choice(q, p) for p in picks]
        if None in codes:
            return Parsed(problem="choose from the list")
        return Parsed(list(dict.fromkeys(c for c in codes if c is not None)) or None)
    given = [v for v in values if v]
    if not given:
        return Parsed()
    text = given[-1]
    if q.kind == "yes_no":
        if text.lower() in YES_WORDS:
            return Parsed(True)
        if text.lower() in NO_WORDS:
            return Parsed(False)
        return Parsed(problem="answer yes or no")
    if q.kind in ("integer", "number"):
        return _number(q, text)
    if q.kind == "choice":
        code = _choice(q, text)
        return Parsed(code) if code is not None else Parsed(problem="choose one of the answers")
    return Parsed(text[:200])


def answer(q: Question, raw: str | Sequence[str], answers: Answers) -> Parsed:
    """Read an answer to a question that applies: parsed, required, and checked against the
    answers so far."""
    parsed = parse_answer(q, raw)
    if parsed.problem is not None:
        return parsed
    if parsed.value is None:
        if q.required:
            return Parsed(problem="choose at least one" if q.kind == "multi" else "please answer")
        return parsed
    problem = q.check(parsed.value, answers) if q.check is not None else None
    return Parsed(problem=problem) if problem else parsed


@dataclass(frozen=True)
class Reading:
    """Every answer read at once (a web form with its carried answers)."""

    #: The valid answers to the questions that apply, by path, in question order.
    answers: dict[str, Any]
    #: What is wrong, by path: a bad answer, or a required one missing.
    problems: dict[str, str]
    #: The questions that apply to these answers.
    asked: tuple[Question, ...]


def _given(raw: str | Sequence[str]) -> bool:
    values = [raw] if isinstance(raw, str) else raw
    return any(v.strip() for v in values)


def read_answers(raw: RawAnswers) -> Reading:
    """Read raw answers question by question, in order; an answer to a question that does not
    apply (given these answers) is set aside."""
    answers: dict[str, Any] = {}
    problems: dict[str, str] = {}
    asked: list[Question] = []
    for q in QUESTIONS:
        values = raw.get(q.path, ())
        if not q.applies(answers):
            if q.unasked_problem and _given(values):
                problems[q.path] = q.unasked_problem
            continue
        asked.append(q)
        parsed = answer(q, values, answers)
        if parsed.problem is not None:
            problems[q.path] = parsed.problem
        elif parsed.value is not None:
            answers[q.path] = parsed.value
    return Reading(answers=answers, problems=problems, asked=tuple(asked))


# --- the intake document -----------------------------------------------------------------------


def set_path(document: dict[str, Any], path: str, value: Any) -> None:
    """Put ``value`` at a dotted path, creating objects on the way."""
    *parents, leaf = path.split(".")
    node = document
    for name in parents:
        node = node.setdefault(name, {})
    node[leaf] = value


def _fill(document: dict[str, Any], answers: Answers) -> dict[str, Any]:
    for q in visible_questions(answers):
        value = answers.get(q.path)
        if value is not None and value != []:
            set_path(document, q.path, value)
    return document


def intake_document(answers: Answers) -> dict[str, Any]:
    """The version 2 intake document of these answers (those to questions that apply)."""
    return _fill({"version": 2}, answers)


def provisional_intake(answers: Answers) -> dict[str, Any]:
    """The answers so far, completed with neutral placeholders, for an early red-flag check.

    Version 2. The placeholders (no pain, no sitting, lower back only, central) fire no rule by
    themselves. A STarT Back result is left out until both its numbers are in, so that a half
    answered screening section never hides a warning sign."""
    document = _fill(
        {
            "version": 2,
            "person": {"age": 40},
            "daily_life": {"sitting_hours_per_day": 0},
            "pain": {
                "intensity_now": 0,
                "duration_weeks": 52,
                "areas": ["low_back"],
                "side": "central",
            },
        },
        answers,
    )
    start_back = document.get("screening", {}).get("start_back")
    if start_back is not None and set(start_back) != {"total", "psychosocial"}:
        del document["screening"]["start_back"]
        if not document["screening"]:
            del document["screening"]
    return document
