"""The demo clinic: one clinician and six patients with eight weeks of realistic history.

``load_demo(db, now)`` is idempotent (a second call finds the clinician and does nothing) and
takes a few seconds: accounts and assessments go through the services, the weeks of sessions,
sets, pain ratings and breaks are bulk inserted. The passwords are published, so production
settings refuse ``PSOAS_DEMO``.

The patients, each with a story a clinician will recognise:

* Ana, an office worker whose right hip flexors are tighter: follows the program, her pain
  drops, the Thomas test improves, and the program steps up once (a new version);
* Bruno, a taxi driver who cannot kneel or get down to the floor: standing versions; stopped
  nine days ago (inactive week);
* Chloé, a cyclist with a tighter left side: two sessions a day, steady progress;
* Dana, who is pregnant: nothing that presses into the belly; a clinician's note and a
  telehealth follow-up booked;
* Eli, with new bladder trouble: an emergency, no program anywhere, a note that he was
  phoned;
* Farah, whose pain got worse over the last weeks (pain worse).
"""

from __future__ import annotations

import copy
import itertools
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select

from psoas.catalog import load_catalog
from psoas.domain.session_plan import session_steps
from psoas.domain.tracking import ProgramVersion, PsfsActivity, PsfsEntry, Retest
from psoas.services import accounts, clinic, progress, tracking
from psoas.services.assessment import run_assessment, validate_intake
from psoas.storage.db import Database
from psoas.storage.tables import BreakRow, PainRow, SessionRow, SetLogRow, UserRow

CLINICIAN_EMAIL = "clinician@demo.psoas"
CLINICIAN_PASSWORD = "demo-clinic-2026"
CLINICIAN_NAME = "Sam Rivera (physiotherapist)"
PATIENT_PASSWORD = "demo-patient-2026"

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


#: Pain over the weeks: (fraction of the way through, pain) points, joined by straight lines.
Curve = tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Story:
    email: str
    name: str
    intake: dict[str, Any]
    days: int  # how long ago the first assessment was, in days
    adherence: float = 0.85  # the chance of doing each session the program asks for
    gaps: tuple[tuple[int, int], ...] = ()  # days (from the start) without sessions
    stop_days_ago: int | None = None  # no session since then
    pain: Curve = ((0.0, 5.0), (1.0, 3.0))
    session_effect: Curve = ((0.0, -1.0), (1.0, -1.0))  # pain after minus before a session
    psfs: tuple[tuple[str, int, int], ...] = ()  # activity, first score, last score
    thomas: tuple[tuple[float, float], tuple[float, float]] | None = None  # left, right
    resisted: tuple[str, str] | None = None  # right side: first, last
    progress_on_day: int | None = None  # when the progression rules step the program up
    breaks_per_workday: int = 5
    seed: int = 1


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
        pain=((0.0, 5.0), (0.3, 4.0), (1.0, 2.0)),
        psfs=(
            ("Sitting through a two-hour meeting", 4, 8),
            ("Getting out of the car", 5, 8),
            ("Walking the dog for 30 minutes", 6, 9),
        ),
        thomas=((2, 0), (14, -2)),
        progress_on_day=21,
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
        stop_days_ago=9,
        pain=((0.0, 6.0), (1.0, 4.5)),
        psfs=(
            ("Driving a full shift", 3, 5),
            ("Lifting suitcases into the boot", 4, 6),
            ("Standing up after a long fare", 3, 6),
        ),
        resisted=("weak", "normal"),
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
            minutes=25,
        ),
        days=50,
        adherence=0.85,
        pain=((0.0, 4.0), (1.0, 1.5)),
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
        pain=((0.0, 5.0), (1.0, 4.0)),
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
        pain=((0.0, 4.0), (0.55, 4.0), (0.8, 5.5), (1.0, 6.5)),
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
    *((s.email, PATIENT_PASSWORD, "patient") for s in STORIES),
)
MOVEMENTS = ("break-walk", "break-standing-hip-opener", "break-sit-to-stand", "movement-break")


def _along(curve: Curve, x: float) -> float:
    for (x0, y0), (x1, y1) in itertools.pairwise(curve):
        if x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0) if x1 > x0 else y1
    return curve[-1][1]


def _score(value: float, rng: random.Random) -> int:
    return max(0, min(10, round(value + rng.uniform(-0.7, 0.7))))


@dataclass
class _Rows:
    sessions: list[dict[str, Any]] = field(default_factory=list)
    sets: list[list[dict[str, Any]]] = field(default_factory=list)  # per session, in order
    pain: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (session index|-1, row)
    breaks: list[dict[str, Any]] = field(default_factory=list)


def _simulate(
    story: Story,
    version: ProgramVersion,
    profile_id: int,
    start: datetime,
    now: datetime,
    days: range,
    rng: random.Random,
) -> _Rows:
    """Sessions with their sets and pain ratings, daily pain and sitting breaks, day by day."""
    catalog = load_catalog()
    steps = session_steps(version.program, catalog)
    per_day = version.program.sessions_per_day
    rows = _Rows()
    last_active = story.days - (story.stop_days_ago or 0)
    for day in days:
        midnight = start.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=day)
        x = day / max(1, story.days)
        off = any(a <= day <= b for a, b in story.gaps) or day > last_active
        for n in range(per_day):
            if off or rng.random() > story.adherence * (0.85 if n else 1.0):
                continue
            at = midnight + timedelta(hours=7 if n == 0 else 18, minutes=rng.randrange(0, 50))
            if not start <= at <= now - timedelta(hours=1):
                continue
            quit_early = rng.random() < 0.06
            done = steps[: max(1, len(steps) // 2)] if quit_early else steps
            t = at
            sets = []
            for step in done:
                t += timedelta(seconds=step.get_ready_seconds + step.work_seconds)
                sets.append(
                    {
                        "item_id": step.item_id,
                        "side": step.side,
                        "set_number": step.set_number,
                        "hold_seconds": step.hold_seconds if step.kind == "hold" else None,
                        "reps": step.reps if step.kind == "reps" else None,
                        "minutes": round(step.work_seconds / 60, 2)
                        if step.kind == "timed"
                        else None,
                        "completed_at": t,
                        "key": step.key_part,
                    }
                )
                t += timedelta(seconds=step.rest_seconds)
            index = len(rows.sessions)
            rows.sessions.append(
                {
                    "profile_id": profile_id,
                    "program_version": version.version,
                    "started_at": at,
                    "ended_at": t,
                    "status": "quit" if quit_early else "completed",
                }
            )
            rows.sets.append(sets)
            before = _score(_along(story.pain, x), rng)
            after = max(0, min(10, before + round(_along(story.session_effect, x))))
            for context, score, when in (
                ("before_session", before, at),
                ("after_session", after, t + timedelta(minutes=1)),
            ):
                rows.pain.append(
                    (
                        index,
                        {"profile_id": profile_id, "at": when, "score": score, "context": context},
                    )
                )
        evening = midnight + timedelta(hours=20, minutes=rng.randrange(0, 90))
        if rng.random() < (0.45 if off else 0.85) and start <= evening <= now:
            rows.pain.append(
                (
                    -1,
                    {
                        "profile_id": profile_id,
                        "at": evening,
                        "score": _score(_along(story.pain, x), rng),
                        "context": "daily",
                    },
                )
            )
        if midnight.weekday() < 5 and day <= last_active:
            for k in range(story.breaks_per_workday):
                prompt = midnight + timedelta(
                    hours=9, minutes=k * version.program.break_interval_minutes * 2
                )
                if not start <= prompt <= now - timedelta(minutes=5):
                    continue
                movement = MOVEMENTS[(day + k) % len(MOVEMENTS)]
                rows.breaks.append(
                    {
                        "profile_id": profile_id,
                        "at": prompt,
                        "kind": "prompted",
                        "movement_id": movement,
                    }
                )
                roll = rng.random()
                kind = "taken" if roll < 0.7 else "snoozed" if roll < 0.88 else "skipped"
                rows.breaks.append(
                    {
                        "profile_id": profile_id,
                        "at": prompt + timedelta(minutes=1),
                        "kind": kind,
                        "movement_id": movement if kind == "taken" else None,
                        "snooze_minutes": 10 if kind == "snoozed" else None,
                    }
                )
    return rows


def _insert(db: Database, rows: _Rows) -> None:
    with db.engine.begin() as conn:
        ids: list[int] = []
        if rows.sessions:
            result = conn.execute(
                insert(SessionRow).returning(SessionRow.id, sort_by_parameter_order=True),
                rows.sessions,
            )
            ids = [r[0] for r in result]
        sets = [
            {**s, "session_id": sid, "key": f"s{sid}:{s['key']}"}
            for sid, session_sets in zip(ids, rows.sets, strict=True)
            for s in session_sets
        ]
        if sets:
            conn.execute(insert(SetLogRow), sets)
        pain = [{**row, "session_id": ids[i] if i >= 0 else None} for i, row in rows.pain]
        if pain:
            conn.execute(insert(PainRow), pain)
        if rows.breaks:
            for row in rows.breaks:
                row.setdefault("snooze_minutes", None)
            conn.execute(insert(BreakRow), rows.breaks)


def _measures(
    story: Story, profile: str, db: Database, start: datetime, now: datetime, days: int
) -> None:
    """PSFS every two weeks, re-tests at weeks 2, 4 and 6."""
    rng = random.Random(story.seed + 1)
    for day in range(0, days + 1, 14):
        at = start + timedelta(days=day, hours=12)
        x = day / max(1, days)
        if at > now:
            break
        if story.psfs:
            entry = PsfsEntry(
                at=at,
                activities=tuple(
                    PsfsActivity(
                        activity=a, score=max(0, min(10, round(first + (last - first) * x)))
                    )
                    for a, first, last in story.psfs
                ),
            )
            tracking.log_psfs(db, profile_name=profile, entry=entry)
        if day in (14, 28, 42) and (story.thomas or story.resisted):
            fields: dict[str, Any] = {}
            if story.thomas:
                (l0, l1), (r0, r1) = story.thomas
                fields["thomas_left_hip_deg"] = round(l0 + (l1 - l0) * x + rng.uniform(-1, 1))
                fields["thomas_right_hip_deg"] = round(r0 + (r1 - r0) * x + rng.uniform(-1, 1))
            if story.resisted:
                fields["resisted_left"] = "normal"
                fields["resisted_right"] = story.resisted[0] if x < 0.6 else story.resisted[1]
            tracking.log_retest(db, profile_name=profile, retest=Retest(at=at, **fields))


def _story(db: Database, story: Story, patient: accounts.User, now: datetime) -> None:
    profile = accounts.profile_name_for(patient.id)
    start = now - timedelta(days=story.days)
    intake = validate_intake(copy.deepcopy(story.intake))
    result = run_assessment(intake)
    version = tracking.save_assessment(
        db, profile_name=profile, intake=intake, assessment=result, now=start
    )
    if version is None:  # a red flag: no program, nothing to follow
        return
    profile_id = tracking.get_profile(db, profile).id
    assert profile_id is not None
    rng = random.Random(story.seed)
    split = story.progress_on_day or story.days + 1
    _insert(db, _simulate(story, version, profile_id, start, now, range(0, split), rng))
    if story.progress_on_day is not None:
        at = start + timedelta(days=story.progress_on_day, hours=6)
        report = progress.report(db, profile_name=profile, now=at)
        if report.decision.kind == "progress":
            version = progress.apply(db, profile_name=profile, decision=report.decision, now=at)
        _insert(
            db,
            _simulate(story, version, profile_id, start, now, range(split, story.days + 1), rng),
        )
    _measures(story, profile, db, start, now, story.days)


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
    follow_up = (now + timedelta(days=2)).replace(hour=16, minute=0, second=0, microsecond=0)
    note(
        "dana@demo.psoas",
        0.5,
        "Follow-up call: review the standing stretches, adjust for the third trimester.",
        kind="telehealth",
        scheduled_for=follow_up,
        link="https://meet.example.org/psoas-demo-dana",
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
    clinician = accounts.sign_up(
        db,
        email=CLINICIAN_EMAIL,
        password=CLINICIAN_PASSWORD,
        display_name=CLINICIAN_NAME,
        role="clinician",
        now=first,
    )
    patients: dict[str, accounts.User] = {}
    for story in STORIES:
        joined = now - timedelta(days=story.days, hours=1)
        code = accounts.create_invitation(db, clinician=clinician, now=joined)
        patients[story.email] = accounts.sign_up(
            db,
            email=story.email,
            password=PATIENT_PASSWORD,
            display_name=story.name,
            role="patient",
            now=joined,
            invitation=code,
        )
    for story in STORIES:
        _story(db, story, patients[story.email], now)
    _notes(db, clinician, patients, now)
