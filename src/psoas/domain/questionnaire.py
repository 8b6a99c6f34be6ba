"""The intake as questions in plain words, in the order a person answers them.

Warning signs come first, so that an emergency stops the questionnaire before anything else is
asked. Each question names the intake field it fills (a dotted path) so that every surface (the
terminal, the web form) asks the same thing and builds the same intake.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["yes_no", "integer", "number", "choice", "multi", "text"]


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


YES_NO: Kind = "yes_no"

SECTIONS = {
    "about": "About you",
    "warning": "Warning signs (asked first, because they change what to do)",
    "pain": "Your pain",
    "daily": "Your day",
    "health": "Health questions that decide what is safe",
    "ability": "What you can do and what you have",
    "preferences": "Your time",
    "exam": "Examination findings (for a clinician, or skip)",
}

SIDE_CHOICES = (("left", "Left"), ("right", "Right"), ("none", "Neither"))
RESISTED = (
    ("normal", "Strong and painless"),
    ("weak", "Weak"),
    ("painful", "Painful"),
    ("weak_painful", "Weak and painful"),
)

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
        "red_flags.progressive_leg_weakness",
        "Is one or both of your legs getting weaker (tripping, foot slapping, giving way)?",
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
            ("stretching", "Stretching"),
            ("heat", "Heat"),
            ("rest", "Rest"),
        ),
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
    Question("health.pregnant", "Are you pregnant?", YES_NO, "health"),
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
)


def set_path(document: dict[str, Any], path: str, value: Any) -> None:
    """Put ``value`` at a dotted path, creating objects on the way."""
    *parents, leaf = path.split(".")
    node = document
    for name in parents:
        node = node.setdefault(name, {})
    node[leaf] = value


def provisional_intake(answers: dict[str, Any]) -> dict[str, Any]:
    """The answers so far, completed with neutral placeholders, for an early red-flag check.

    The placeholders (no pain, no sitting, lower back only, central) fire no rule by themselves.
    """
    document: dict[str, Any] = {
        "version": 1,
        "person": {"age": 40},
        "daily_life": {"sitting_hours_per_day": 0},
        "pain": {
            "intensity_now": 0,
            "duration_weeks": 52,
            "areas": ["low_back"],
            "side": "central",
        },
    }
    for path, value in answers.items():
        set_path(document, path, value)
    return document
