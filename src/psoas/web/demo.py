"""The demo clinic: one clinician and six patients with eight weeks of realistic history.

``load_demo(db, now)`` is idempotent (a second call finds the clinician and does nothing) and
takes a few seconds: accounts and notes go through the services; each patient's weeks (the
assessment, program versions, sessions, sets, pain ratings, PSFS, re-tests and breaks) are built
from their story by the seeded history builder (:func:`psoas.services.fixtures.build`) and
stored in their account's profile. The passwords are published, so production settings refuse
``PSOAS_DEMO``.

The patients, each with a story a clinician will recognise:

* Ana, an office worker whose right hip flexors are tighter: follows the program, her pain
  drops, the Thomas test improves, and the program steps up once (a new version);
* Bruno, a taxi driver who cannot kneel or get down to the floor: standing versions; stopped
  nine days ago (inactive week);
* Chloé, a cyclist with a tighter left side: two sessions a day, steady progress;
* Dana, who is pregnant: nothing that presses into the belly; a clinician's notes and a
  video follow-up booked;
* Eli, with new bladder trouble: an emergency, no program anywhere, a note that he was
  phoned;
* Farah, whose pain got worse over the last weeks (pain worse); she has written to Sam about
  it, and her latest message is still unread.

Sam's clinic also has what a clinician uses day to day, all made through the services: a video
call booked with Dana and an in-person review with Ana (on Sam's clock), a clinic exercise of
the clinic's own (a desk-side glute squeeze) that Ana's program holds, and a program template
saved from Ana's program.
"""

from __future__ import annotations

import contextlib
import copy
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from psoas.domain.appointments import AppointmentIn
from psoas.domain.catalog import Dose
from psoas.domain.program_edit import ProgramEdit
from psoas.domain.tracking import History
from psoas.services import (
    accounts,
    appointments,
    care_team,
    clinic,
    clinics,
    fixtures,
    messages,
    program_editor,
    progress,
    steps,
    timezones,
    tracking,
)
from psoas.services import custom_exercises as custom
from psoas.services.assessment import validate_intake
from psoas.storage.db import Database
from psoas.storage.tables import UserRow

CLINICIAN_EMAIL = "clinician@demo.psoas"
CLINICIAN_PASSWORD = "demo-clinic-2026"
CLINICIAN_NAME = "Sam Rivera (physiotherapist)"
#: The demo clinic; its administrator is the demo clinician.
CLINIC_NAME = "Riverside Physio (demo)"
#: A colleague the administrator invited: in Dana's care team, suggested to Ana (who has not
#: answered yet, so her care-team page shows a request).
COLLEAGUE_EMAIL = "colleague@demo.psoas"
COLLEAGUE_NAME = "Jo Park (physiotherapist)"
PATIENT_PASSWORD = "demo-patient-2026"
#: Dana's video follow-up.
DANA_CALL_LINK = "https://meet.example.org/psoas-demo-dana"
DANA_CALL_AT = time(16, 0)  # in two days, on Sam's clock
#: Ana's review at the clinic.
ANA_VISIT_PLACE = "Riverside Physio, 12 River Street, room 2"
#: The clinic's own exercise, in Ana's program.
CLINIC_EXERCISE = custom.ExerciseForm(
    name="Desk-side glute squeeze",
    category="strengthen",
    position="standing",
    equipment=("chair",),
    abdominal_pressure=False,
    targets=("glutes", "hip extensors"),
    summary="Standing by your desk, you squeeze your buttocks and stand tall for a few breaths.",
    why=(
        "Strong glutes share the work the hip flexors do all day in a chair.",
        "It fits into a work break: no floor, no mat, no change of clothes.",
    ),
    dose=Dose(sets=2, reps=8, hold_seconds=5, rest_seconds=20),
    steps=(
        "Stand tall beside your desk, one hand resting on the chair back.",
        "Squeeze your buttocks firmly and let your hips come gently forward.",
        "Hold for five slow breaths, then relax.",
    ),
    cues=("Keep your ribs down: the movement is at the hips, not the low back.",),
    safety=("Stop if it brings on sharp pain in the back or groin.",),
    needs_standing=True,
    sources=("nice-ng59",),
    figure="standing-hip-extension",
)
TEMPLATE_NAME = "Desk worker, one hip tighter"
#: Farah writes about her worse weeks; Sam answers; her latest message is unread.
#: Who, how many days ago, at what time on Sam's clock, and what they wrote.
THREAD: tuple[tuple[str, int, time, str], ...] = (
    (
        "patient",
        3,
        time(19, 40),
        "Hi Sam, my back has been sorer this week, mostly after long shifts on the phones. "
        "Should I keep going with the stretches?",
    ),
    (
        "clinician",
        2,
        time(8, 15),
        "Thanks for telling me, Farah. Keep the stretches gentle and leave out any that make it "
        "worse. Standing up between calls will help too. We'll look at your program together.",
    ),
    (
        "patient",
        1,
        time(21, 5),
        "Thank you. Standing between calls does help a little. Could we look at it this week?",
    ),
)

NO_RED_FLAGS: dict[str, bool] = {
    "saddle_numbness": False,
    "new_bladder_or_bowel_dysfunction": False,
    "progressive_leg_weakness": False,
    "fever_or_feeling_unwell": False,
    "immunosuppressed_or_iv_drug_use": False,
    "history_of_cancer": False,
    "unexplained_weight_loss": False,
    "significant_trauma": False,
    "osteoporosis_or_long_term_steroids": False,
    "constant_night_pain": False,
    "pulsating_abdominal_mass": False,
}
NO_HEALTH: dict[str, bool] = {
    "recent_hip_flexor_injury": False,
    "pregnant": False,
    "recent_abdominal_or_hip_surgery": False,
    "abdominal_hernia": False,
    "known_aortic_aneurysm": False,
    "takes_anticoagulants": False,
    "hip_replacement": False,
}


def _intake(
    *,
    age: int,
    sex: str,
    occupation: str,
    sitting: float,
    longest: int,
    activities: list[str],
    pain: dict[str, Any],
    observations: dict[str, Any] | None = None,
    red_flags: dict[str, bool] | None = None,
    health: dict[str, bool] | None = None,
    ability: dict[str, bool],
    minutes: int,
) -> dict[str, Any]:
    return {
        "version": 1,
        "person": {"age": age, "sex": sex},
        "daily_life": {
            "occupation": occupation,
            "sitting_hours_per_day": sitting,
            "longest_sitting_minutes": longest,
            "activities": activities,
            "has_standing_desk": False,
        },
        "pain": pain,
        "observations": observations or {},
        "red_flags": {**NO_RED_FLAGS, **(red_flags or {})},
        "health": {**NO_HEALTH, **(health or {})},
        "equipment_and_ability": ability,
        "preferences": {"minutes_per_day": minutes},
    }


@dataclass(frozen=True)
class Story:
    """A demo patient: who they are, their intake, and the knobs of
    :func:`psoas.services.fixtures.build` that tell how their weeks went."""

    email: str
    name: str
    intake: dict[str, Any]
    days: int  # how long ago the first assessment was, in days
    adherence: float = 0.85  # the chance of doing each session the program asks for
    gaps: tuple[tuple[int, int], ...] = ()  # days (from the start) away from the program
    stopped_days_ago: int = 0  # no session since then
    pain_curve: fixtures.Curve = ((0.0, 5.0), (1.0, 3.0))
    session_effect: int | fixtures.Curve = -1  # pain after minus before a session
    psfs: tuple[tuple[str, int, int], ...] = ()  # activity, first score, last score
    thomas: tuple[fixtures.Line, fixtures.Line] | None = None  # hip angles, left and right
    resisted_normal_on: int | None = None  # weak resisted hip flexion is normal from this day
    step_up_on: tuple[int, ...] = ()  # days the program steps up a level
    breaks_per_workday: int = 5
    seed: int = 1

    def history(self, now: datetime) -> History:
        return fixtures.build(
            validate_intake(copy.deepcopy(self.intake)),
            now=now,
            days=self.days,
            seed=self.seed,
            adherence=self.adherence,
            gaps=self.gaps,
            stopped_days_ago=self.stopped_days_ago,
            pain_curve=self.pain_curve,
            session_effect=self.session_effect,
            psfs=self.psfs,
            thomas=self.thomas,
            resisted_normal_on=self.resisted_normal_on,
            step_up_on=self.step_up_on,
            breaks_per_workday=self.breaks_per_workday,
        )


STORIES: tuple[Story, ...] = (
    Story(
        email="ana@demo.psoas",
        name="Ana Costa",
        intake=_intake(
            age=38,
            sex="female",
            occupation="office administrator",
            sitting=9,
            longest=120,
            activities=["walking"],
            pain={
                "intensity_now": 5,
                "intensity_worst_week": 7,
                "duration_weeks": 10,
                "areas": ["low_back", "front_of_hip"],
                "side": "right",
                "worse_with": ["prolonged_sitting", "rising_from_sitting", "standing_long"],
                "better_with": ["lying_knees_bent", "moving_about"],
                "numbness_or_tingling_below_knee": False,
            },
            observations={
                "lumbar_exam_unremarkable": True,
                "increased_lumbar_lordosis": True,
                "thomas_test": {
                    "left": {"hip_angle_deg": 2, "knee_angle_deg": 82},
                    "right": {"hip_angle_deg": 14, "knee_angle_deg": 70},
                },
            },
            ability={
                "can_get_down_to_floor": True,
                "can_kneel": True,
                "has_massage_gun": True,
                "has_release_tool": False,
                "has_table_or_firm_bed_edge": True,
            },
            minutes=30,
        ),
        days=54,
        adherence=0.9,
        gaps=((31, 34),),
        pain_curve=((0.0, 5.0), (0.3, 4.0), (1.0, 2.0)),
        psfs=(
            ("Sitting through a two-hour meeting", 4, 8),
            ("Getting out of the car", 5, 8),
            ("Walking the dog for 30 minutes", 6, 9),
        ),
        thomas=((2, 0), (14, -2)),
        step_up_on=(21, 38),  # more sets, then the next level of each exercise
        seed=11,
    ),
    Story(
        email="bruno@demo.psoas",
        name="Bruno Silva",
        intake=_intake(
            age=52,
            sex="male",
            occupation="taxi driver",
            sitting=10,
            longest=180,
            activities=[],
            pain={
                "intensity_now": 6,
                "duration_weeks": 26,
                "areas": ["low_back", "front_of_hip", "groin"],
                "side": "right",
                "worse_with": ["prolonged_sitting", "rising_from_sitting"],
            },
            observations={"resisted_hip_flexion": {"left": "normal", "right": "weak"}},
            ability={
                "can_get_down_to_floor": False,
                "can_kneel": False,
                "has_massage_gun": False,
                "has_release_tool": True,
                "has_table_or_firm_bed_edge": False,
            },
            minutes=15,
        ),
        days=58,
        adherence=0.7,
        gaps=((17, 20),),
        stopped_days_ago=9,
        pain_curve=((0.0, 6.0), (1.0, 4.5)),
        psfs=(
            ("Driving a full shift", 3, 5),
            ("Lifting suitcases into the boot", 4, 6),
            ("Standing up after a long fare", 3, 6),
        ),
        resisted_normal_on=35,
        breaks_per_workday=6,
        seed=22,
    ),
    Story(
        email="chloe@demo.psoas",
        name="Chloé Martin",
        intake=_intake(
            age=29,
            sex="female",
            occupation="software developer",
            sitting=8,
            longest=120,
            activities=["cycling", "running"],
            pain={
                "intensity_now": 4,
                "intensity_worst_week": 6,
                "duration_weeks": 12,
                "areas": ["low_back", "front_of_hip"],
                "side": "left",
                "worse_with": ["prolonged_sitting", "rising_from_sitting", "standing_long"],
                "better_with": ["moving_about", "stretching"],
                "numbness_or_tingling_below_knee": False,
            },
            observations={
                "lumbar_exam_unremarkable": True,
                "increased_lumbar_lordosis": True,
                "thomas_test": {
                    "left": {"hip_angle_deg": 12, "knee_angle_deg": 76},
                    "right": {"hip_angle_deg": 3, "knee_angle_deg": 84},
                },
            },
            ability={
                "can_get_down_to_floor": True,
                "can_kneel": True,
                "has_massage_gun": False,
                "has_release_tool": True,
                "has_table_or_firm_bed_edge": True,
            },
            minutes=60,  # room to step up: she has asked her clinician to (services.steps)
        ),
        days=50,
        adherence=0.85,
        pain_curve=((0.0, 4.0), (1.0, 1.5)),
        psfs=(
            ("Riding 60 km on a Sunday", 5, 8),
            ("Sitting at the desk all afternoon", 4, 7),
            ("Running 5 km", 6, 8),
        ),
        thomas=((12, 5), (3, 2)),
        seed=33,
    ),
    Story(
        email="dana@demo.psoas",
        name="Dana Whitfield",
        intake=_intake(
            age=31,
            sex="female",
            occupation="accountant",
            sitting=7,
            longest=90,
            activities=["walking", "yoga"],
            pain={
                "intensity_now": 5,
                "duration_weeks": 8,
                "areas": ["low_back", "buttock"],
                "side": "both",
                "worse_with": ["prolonged_sitting", "standing_long"],
                "better_with": ["moving_about", "heat"],
                "numbness_or_tingling_below_knee": False,
            },
            observations={
                "lumbar_exam_unremarkable": True,
                "thomas_test": {
                    "left": {"hip_angle_deg": 8, "knee_angle_deg": 80},
                    "right": {"hip_angle_deg": 9, "knee_angle_deg": 80},
                },
            },
            health={"pregnant": True},
            ability={
                "can_get_down_to_floor": True,
                "can_kneel": True,
                "has_massage_gun": True,
                "has_release_tool": False,
                "has_table_or_firm_bed_edge": True,
            },
            minutes=20,
        ),
        days=45,
        adherence=0.75,
        pain_curve=((0.0, 5.0), (1.0, 4.0)),
        psfs=(
            ("Sitting through the working day", 4, 6),
            ("Walking 30 minutes", 5, 6),
            ("Turning over in bed", 5, 7),
        ),
        thomas=((8, 6), (9, 6)),
        seed=44,
    ),
    Story(
        email="eli@demo.psoas",
        name="Eli Novak",
        intake=_intake(
            age=58,
            sex="male",
            occupation="warehouse supervisor",
            sitting=5,
            longest=60,
            activities=["walking"],
            pain={
                "intensity_now": 7,
                "duration_weeks": 3,
                "areas": ["low_back", "buttock", "back_of_thigh"],
                "side": "both",
                "worse_with": ["prolonged_sitting", "bending_forward"],
                "numbness_or_tingling_below_knee": False,
            },
            red_flags={"new_bladder_or_bowel_dysfunction": True},
            ability={
                "can_get_down_to_floor": True,
                "can_kneel": True,
                "has_massage_gun": False,
                "has_release_tool": False,
                "has_table_or_firm_bed_edge": True,
            },
            minutes=15,
        ),
        days=1,
        seed=55,
    ),
    Story(
        email="farah@demo.psoas",
        name="Farah Haddad",
        intake=_intake(
            age=45,
            sex="female",
            occupation="call-centre team lead",
            sitting=9,
            longest=150,
            activities=[],
            pain={
                "intensity_now": 4,
                "duration_weeks": 20,
                "areas": ["low_back", "front_of_hip"],
                "side": "right",
                "worse_with": ["prolonged_sitting", "rising_from_sitting"],
                "better_with": ["lying_knees_bent"],
                "numbness_or_tingling_below_knee": False,
            },
            observations={
                "lumbar_exam_unremarkable": True,
                "thomas_test": {
                    "left": {"hip_angle_deg": 4, "knee_angle_deg": 80},
                    "right": {"hip_angle_deg": 11, "knee_angle_deg": 74},
                },
            },
            ability={
                "can_get_down_to_floor": True,
                "can_kneel": True,
                "has_massage_gun": False,
                "has_release_tool": True,
                "has_table_or_firm_bed_edge": True,
            },
            minutes=15,
        ),
        days=56,
        adherence=0.65,
        gaps=((24, 27),),
        pain_curve=((0.0, 4.0), (0.55, 4.0), (0.8, 5.5), (1.0, 6.5)),
        session_effect=((0.0, -1.0), (0.6, 0.0), (1.0, 1.0)),
        psfs=(
            ("Sitting through a shift", 5, 4),
            ("Carrying the shopping", 6, 5),
            ("Sleeping through the night", 6, 4),
        ),
        thomas=((4, 4), (11, 10)),
        seed=66,
    ),
)

DEMO_ACCOUNTS: tuple[tuple[str, str, str], ...] = (
    (CLINICIAN_EMAIL, CLINICIAN_PASSWORD, "clinician"),
    (COLLEAGUE_EMAIL, CLINICIAN_PASSWORD, "clinician"),
    *((s.email, PATIENT_PASSWORD, "patient") for s in STORIES),
)


def _notes(
    db: Database, clinician: accounts.User, patients: dict[str, accounts.User], now: datetime
) -> None:
    def note(email: str, days_ago: float, summary: str, **extra: Any) -> None:
        clinic.add_note(
            db,
            clinician=clinician,
            patient=patients[email],
            note=clinic.NoteIn(summary=summary, **extra),
            now=now - timedelta(days=days_ago),
        )

    note(
        "ana@demo.psoas",
        34,
        "Two-week review: did 13 of 14 sessions, no flare-ups. Right Thomas test down from 14 to "
        "about 10 degrees. Keep going; psoas will step the stretches up at three weeks.",
    )
    note(
        "ana@demo.psoas",
        33.9,
        "Great first fortnight, Ana. Keep the standing breaks going at work: every 30 to 45 "
        "minutes, even for a minute. See you at the next review.",
        shared=True,
    )
    note(
        "dana@demo.psoas",
        44,
        "About 22 weeks pregnant, uncomplicated so far; midwife aware. The massage-gun release is "
        "left out (nothing presses into the belly in pregnancy). From now on prefer standing "
        "stretches and avoid lying flat for long.",
    )
    note(
        "dana@demo.psoas",
        10,
        "Check-in by video: pain a little easier, sleeping better with a pillow between the knees.",
    )
    note(
        "eli@demo.psoas",
        0.9,
        "Phoned Eli after the assessment flagged new bladder trouble with back pain: advised to go "
        "to the emergency department today (possible cauda equina). No home program until he "
        "has been checked and is assessed again.",
    )


def load_demo(db: Database, now: datetime) -> dict[str, int]:
    """Create the demo clinic unless it exists; the user id of each demo account by email."""
    with db.session() as s:
        existing = s.scalar(select(UserRow.id).where(UserRow.email == CLINICIAN_EMAIL))
    if existing is None:
        _create(db, now)
    with db.session() as s:
        emails = [email for email, _, _ in DEMO_ACCOUNTS]
        return dict(
            s.execute(select(UserRow.email, UserRow.id).where(UserRow.email.in_(emails))).all()
        )


def _create(db: Database, now: datetime) -> None:
    first = now - timedelta(days=max(s.days for s in STORIES) + 1)
    _, clinician = clinics.create_clinic(
        db,
        name=CLINIC_NAME,
        admin_email=CLINICIAN_EMAIL,
        admin_name=CLINICIAN_NAME,
        password=CLINICIAN_PASSWORD,
        now=first,
    )
    patients: dict[str, accounts.User] = {}
    for story in STORIES:
        joined = now - timedelta(days=story.days, hours=1)
        code = accounts.create_invitation(db, clinician=clinician, now=joined)
        patient = accounts.sign_up(
            db,
            email=story.email,
            password=PATIENT_PASSWORD,
            display_name=story.name,
            role="patient",
            now=joined,
            invitation=code,
        )
        care_team.accept(db, patient=patient, clinician_id=clinician.id, now=joined)
        patients[story.email] = accounts.get_user(db, user_id=patient.id) or patient
    for story in STORIES:
        fixtures.store(db, story.history(now), name=patients[story.email].profile_name)
    for story in STORIES:  # whoever the rules would step up today has asked their clinician
        name = patients[story.email].profile_name
        with contextlib.suppress(steps.StepError, tracking.TrackingError):
            if progress.report(db, profile_name=name, now=now).decision.kind == "progress":
                steps.step(db, profile_name=name, now=now)
    _notes(db, clinician, patients, now)
    _colleague(db, clinician, patients, now, first)
    _appointments(db, clinician, patients, now)
    _messages(db, clinician, patients["farah@demo.psoas"], now)
    _clinic_exercise(db, clinician, patients["ana@demo.psoas"], now)


def _on_sams_clock(clinician: accounts.User, now: datetime, days: int, clock: time) -> datetime:
    """``clock`` on Sam's own clock, ``days`` after today there."""
    day = timezones.local(now, clinician.time_zone).date() + timedelta(days=days)
    return timezones.at_local(day, clock, clinician.time_zone)


def _appointments(
    db: Database, clinician: accounts.User, patients: dict[str, accounts.User], now: datetime
) -> None:
    """Dana's video follow-up and Ana's review in person (a follow-up is an appointment, never a
    note: migration 0016)."""
    appointments.book(
        db,
        clinician=clinician,
        patient_id=patients["dana@demo.psoas"].id,
        booking=AppointmentIn(
            kind="telehealth",
            starts_at=_on_sams_clock(clinician, now, 2, DANA_CALL_AT),
            minutes=30,
            link=DANA_CALL_LINK,
            note="We'll go over your standing stretches and adjust them for the third trimester.",
        ),
        now=now - timedelta(hours=12),
    )
    appointments.book(
        db,
        clinician=clinician,
        patient_id=patients["ana@demo.psoas"].id,
        booking=AppointmentIn(
            kind="in_person",
            starts_at=_on_sams_clock(clinician, now, 6, time(9, 30)),
            minutes=45,
            place=ANA_VISIT_PLACE,
            note="We'll redo the hip test and plan your next weeks. Wear clothes you can move in.",
        ),
        now=now - timedelta(days=1),
    )


def _messages(db: Database, clinician: accounts.User, farah: accounts.User, now: datetime) -> None:
    for who, days_ago, clock, body in THREAD:
        messages.send(
            db,
            sender=farah if who == "patient" else clinician,
            patient_id=farah.id,
            body=body,
            now=_on_sams_clock(clinician, now, -days_ago, clock),
        )


def _clinic_exercise(
    db: Database, clinician: accounts.User, ana: accounts.User, now: datetime
) -> None:
    """The clinic writes its own exercise, gives it to Ana, and saves her program as a
    template for the next desk worker."""
    made = custom.create(db, clinician=clinician, form=CLINIC_EXERCISE, now=now - timedelta(days=3))
    clinic.edit_program(
        db,
        clinician=clinician,
        patient=ana,
        edit=ProgramEdit(reason="a glute squeeze for her work breaks", add=[made.item_id]),
        now=now,
    )
    program_editor.save_template(db, clinician=clinician, patient=ana, name=TEMPLATE_NAME, now=now)


def _colleague(
    db: Database,
    admin: accounts.User,
    patients: dict[str, accounts.User],
    now: datetime,
    first: datetime,
) -> None:
    """Jo joins the clinic by the administrator's invitation, as every clinician does."""
    token = clinics.invite_clinician(db, admin=admin, email=COLLEAGUE_EMAIL, now=first)
    jo = clinics.join_clinic(
        db,
        token=token,
        password=CLINICIAN_PASSWORD,
        display_name=COLLEAGUE_NAME,
        now=first + timedelta(hours=2),
    )
    for email, accepted in (("dana@demo.psoas", True), ("ana@demo.psoas", False)):
        patient = patients[email]
        asked = now - timedelta(days=3 if accepted else 1)
        care_team.add_colleague(db, clinician=admin, patient=patient, colleague_id=jo.id, now=asked)
        if accepted:
            care_team.accept(
                db, patient=patient, clinician_id=jo.id, now=asked + timedelta(hours=5)
            )
