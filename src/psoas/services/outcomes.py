"""Outcomes and records: totals scored elsewhere (Oswestry, Roland-Morris), the global rating
of change, the person's birth date, the clinic's contact details, and the episode report (a PDF
for a referral letter).

Who may enter what (psoas.domain.outcomes has the rules for the values):

- An Oswestry or Roland-Morris total: a clinician of the patient's care team only. The forms
  are licensed and scored on the clinic's own paper or system; the clinician who scored it is
  answerable for the total that goes into a referral letter. The patient sees every total.
- A global rating of change: the patient, on their progress page, or a clinician of the care
  team entering what the patient told them.

Every entry keeps who entered it and when; a clinician's entry is written to the patient's
audit log. Nothing entered is changed afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from psoas.domain import outcomes as rules
from psoas.domain.errors import Refused
from psoas.domain.outcomes import OutcomeScore
from psoas.domain.tracking import History, StoredAssessment
from psoas.reports import episode as report_pdf
from psoas.reports import result_text
from psoas.reports.pdf import CareLine
from psoas.services import accounts, clinics, progress, timezones
from psoas.services.accounts import NotFound, User
from psoas.storage.db import Database
from psoas.storage.tables import ClinicEventRow, ClinicRow, OutcomeScoreRow, UserRow

__all__ = [
    "CareContact",
    "ClinicContact",
    "birth_date_for_profile",
    "care_contact",
    "clinic_contact",
    "record",
    "remove",
    "scores",
    "scores_for_profile",
    "set_birth_date",
    "set_clinic_contact",
]


def _score(row: OutcomeScoreRow) -> OutcomeScore:
    return OutcomeScore(
        id=row.id,
        measure=row.measure,
        score=row.score,
        scored_on=row.scored_on,
        entered_by=row.entered_by_role,
        entered_by_name=row.entered_by_name,
        entered_at=row.entered_at,
    )


def scores(db: Database, *, patient_id: int) -> list[OutcomeScore]:
    """Every total and rating of the patient, oldest first (by the day scored)."""
    with db.session() as s:
        rows = s.scalars(
            select(OutcomeScoreRow)
            .where(OutcomeScoreRow.patient_id == patient_id)
            .order_by(OutcomeScoreRow.scored_on, OutcomeScoreRow.entered_at, OutcomeScoreRow.id)
        )
        return [_score(r) for r in rows]


def scores_for_profile(db: Database, *, profile_id: int | None) -> list[OutcomeScore]:
    """The totals of the account whose records are profile ``profile_id`` (none for a profile
    of the terminal without an account)."""
    if profile_id is None:
        return []
    with db.session() as s:
        rows = s.scalars(
            select(OutcomeScoreRow)
            .join(UserRow, UserRow.id == OutcomeScoreRow.patient_id)
            .where(UserRow.profile_id == profile_id)
            .order_by(OutcomeScoreRow.scored_on, OutcomeScoreRow.entered_at, OutcomeScoreRow.id)
        )
        return [_score(r) for r in rows]


def _account_id(profile_name: str) -> int | None:
    match = re.fullmatch(r"user-(\d+)", profile_name)
    return int(match.group(1)) if match else None


def birth_date_for_profile(db: Database, *, profile_name: str) -> date | None:
    """The birth date of the account whose records are ``profile_name`` (None when not given,
    or for a profile without an account)."""
    account = _account_id(profile_name)
    if account is None:
        return None
    with db.session() as s:
        return s.scalar(select(UserRow.birth_date).where(UserRow.id == account))


def today(user: User, now: datetime) -> date:
    """The person's own calendar day."""
    return timezones.local(now, user.time_zone).date()


def record(
    db: Database,
    *,
    patient: User,
    actor: User,
    measure: str,
    score: float,
    scored_on: date,
    now: datetime,
) -> OutcomeScore:
    """Store one total or rating. A clinician must be in the patient's care team (else
    NotFound, as if there were no such patient); a patient may enter only their own rating of
    change. Bad values raise Refused naming the field."""
    if actor.role == "clinician":
        if patient.role != "patient" or not accounts.in_care_team(
            db, clinician=actor, patient_id=patient.id
        ):
            raise NotFound("patient")
    elif actor.id != patient.id:
        raise NotFound("patient")
    elif measure in rules.SCORED_ELSEWHERE:
        raise Refused(
            [
                "measure: your clinician enters the Oswestry and Roland-Morris totals; you "
                "can rate how your back has changed"
            ]
        )
    problems = [p for p in (rules.score_problem(measure, score),) if p]
    day_problem = rules.date_problem(scored_on, today(actor, now))
    if day_problem:
        problems.append(day_problem)
    if problems:
        raise Refused(problems)
    info = rules.MEASURES[measure]
    value = float(round(score)) if info.whole else round(float(score), 1)
    with db.session() as s, s.begin():
        row = OutcomeScoreRow(
            patient_id=patient.id,
            measure=measure,
            score=value,
            scored_on=scored_on,
            entered_by=actor.id,
            entered_by_name=actor.display_name[:80],
            entered_by_role=actor.role,
            entered_at=now,
        )
        s.add(row)
        s.flush()
        stored = _score(row)
    if actor.role == "clinician":
        accounts.audit(
            db, patient=patient, actor=actor, action=f"entered a {info.short} total", now=now
        )
    return stored


def remove(db: Database, *, patient: User, actor: User, score_id: int, now: datetime) -> str:
    """Take back an entry made in error; what was removed, in words. A clinician of the care
    team removes a total or rating a clinician entered; a patient removes only their own
    ratings. Anything else (another patient's entry, another's kind) is NotFound. A clinician's
    removal is audited: the log the patient sees keeps what was removed, by whom and when."""
    if actor.role == "clinician":
        if patient.role != "patient" or not accounts.in_care_team(
            db, clinician=actor, patient_id=patient.id
        ):
            raise NotFound("patient")
    elif actor.id != patient.id:
        raise NotFound("patient")
    with db.session() as s, s.begin():
        row = s.get(OutcomeScoreRow, score_id)
        if row is None or row.patient_id != patient.id or row.entered_by_role != actor.role:
            raise NotFound("entry")
        gone = _score(row)
        s.delete(row)
    what = f"{gone.info.short} {gone.text}, scored {gone.scored_on.isoformat()}"
    if actor.role == "clinician":
        accounts.audit(
            db, patient=patient, actor=actor, action=f"removed {what} (entered in error)", now=now
        )
    return what


_LABELS = {
    "measure": "Which total",
    "score": "Total",
    "scored_on": "Date scored",
    "birth_date": "Birth date",
    "phone": "Phone",
    "email": "Email",
    "website": "Website",
}


def plain(line: str) -> str:
    """A ``field: what is wrong`` line as a page says it: ``Total: must be from 0 to 24``."""
    field, _, message = line.partition(": ")
    label = _LABELS.get(field)
    return f"{label}: {message}" if label and message else line


def latest_rating(found: Sequence[OutcomeScore]) -> OutcomeScore | None:
    ratings = [s for s in found if s.measure == "groc"]
    return ratings[-1] if ratings else None


def changes(found: Sequence[OutcomeScore]) -> list[rules.Change]:
    """The Oswestry and Roland-Morris changes, first total to latest, where there are two."""
    out = [rules.change(list(found), m) for m in rules.SCORED_ELSEWHERE]
    return [c for c in out if c is not None]


# --- birth dates ---------------------------------------------------------------------------------


def parse_birth_date(raw: str) -> date | None:
    """A birth date from a form (YYYY-MM-DD); empty: None. Refused when not a date."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Refused(["birth_date: must be a date (year, month and day)"]) from None


def set_birth_date(db: Database, *, user: User, birth_date: date | None, now: datetime) -> None:
    """Keep (or, with None, forget) the person's birth date: not in the future, an age from 12
    to 110."""
    if user.role != "patient":
        raise Refused(["birth_date: only patients give a birth date"])
    if birth_date is not None:
        problem = rules.birth_date_problem(birth_date, today(user, now))
        if problem:
            raise Refused([problem])
    with db.session() as s, s.begin():
        row = s.get(UserRow, user.id)
        if row is None:
            raise NotFound("user")
        row.birth_date = birth_date


def age(user: User, now: datetime) -> int | None:
    """The person's age today (their own calendar day), from the birth date they gave."""
    if user.birth_date is None:
        return None
    return rules.age_on(user.birth_date, today(user, now))


# --- the clinic's contact details ---------------------------------------------------------------


@dataclass(frozen=True)
class ClinicContact:
    clinic_id: int
    name: str
    phone: str | None = None
    email: str | None = None
    website: str | None = None

    @property
    def lines(self) -> list[str]:
        """The ways to reach the clinic, as printed: ``Phone 020 7946 0000``."""
        out = []
        if self.phone:
            out.append(f"Phone {self.phone}")
        if self.email:
            out.append(self.email)
        if self.website:
            out.append(self.website.removeprefix("https://").removeprefix("http://"))
        return out


def clinic_contact(db: Database, *, clinic_id: int) -> ClinicContact | None:
    with db.session() as s:
        row = s.get(ClinicRow, clinic_id)
        if row is None:
            return None
        return ClinicContact(row.id, row.name, row.phone, row.email, row.website)


_PHONE = re.compile(r"\+?[0-9 ()./-]{5,39}")
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]+")
_WEBSITE = re.compile(r"https?://[^\s/$.?#][^\s<>\"']*", re.IGNORECASE)


def set_clinic_contact(
    db: Database, *, admin: User, phone: str, email: str, website: str, now: datetime
) -> ClinicContact:
    """Set the clinic's phone, email and website (each may be empty); only its administrator
    may (else NotFound). Written to the clinic's own log."""
    phone, email, website = phone.strip(), email.strip(), website.strip()
    problems = []
    if phone and (not _PHONE.fullmatch(phone) or sum(c.isdigit() for c in phone) < 5):
        problems.append("phone: digits, spaces, + ( ) - only, at least 5 digits")
    if email and (len(email) > 254 or not _EMAIL.fullmatch(email)):
        problems.append("email: must be an email address (name@example.org)")
    if website and (len(website) > 300 or not _WEBSITE.fullmatch(website)):
        problems.append("website: must start with https:// or http://")
    if problems:
        raise Refused(problems)
    with db.session() as s, s.begin():
        held = clinics.membership_in(s, admin.id)
        if admin.role != "clinician" or held is None or not held.is_admin:
            raise NotFound("clinic")
        row = s.get(ClinicRow, held.clinic.id)
        assert row is not None
        before = (row.phone, row.email, row.website)
        row.phone, row.email, row.website = phone or None, email or None, website or None
        if before != (row.phone, row.email, row.website):
            what = "changed the clinic's contact details"
            s.add(ClinicEventRow(clinic_id=held.clinic.id, actor_id=admin.id, at=now, action=what))
        return ClinicContact(row.id, row.name, row.phone, row.email, row.website)


# --- who looks after the patient (the handout and the episode report) --------------------------


@dataclass(frozen=True)
class CareContact:
    """The clinic and clinician a handout or report names, and how to reach them."""

    clinician: str
    clinic: ClinicContact | None

    @property
    def lines(self) -> list[str]:
        return self.clinic.lines if self.clinic else []


def care_contact(
    db: Database, *, patient_id: int, clinician_id: int | None = None
) -> CareContact | None:
    """The clinician ``clinician_id`` (the one printing) and their clinic; without one, the
    patient's main clinician. None for a patient without a care team."""
    with db.session() as s:
        if clinician_id is None:
            clinician_id = s.scalar(select(UserRow.clinician_id).where(UserRow.id == patient_id))
        if clinician_id is None:
            return None
        name = s.scalar(select(UserRow.display_name).where(UserRow.id == clinician_id))
        if name is None:
            return None
        held = clinics.membership_in(s, clinician_id)
    clinic = clinic_contact(db, clinic_id=held.clinic.id) if held else None
    return CareContact(name, clinic)


# --- what the pages show ------------------------------------------------------------------------


@dataclass(frozen=True)
class Panel:
    """The outcomes part of a patient's record: every entry (newest first), the changes read
    against the smallest change that matters, the latest rating of change and the age."""

    scores: list[OutcomeScore]
    changes: list[rules.Change]
    latest_rating: OutcomeScore | None
    age: int | None
    birth_date: date | None
    today: date
    measures: dict[str, rules.MeasureInfo]
    groc_words: dict[int, str]
    groc_question: str

    @property
    def sources(self) -> list[str]:
        return list(
            dict.fromkeys(k for c in self.changes for k in rules.MEASURES[c.measure].sources)
        )


def panel(found: Sequence[OutcomeScore], *, patient: User, now: datetime) -> Panel:
    return Panel(
        scores=sorted(found, key=lambda s: (s.scored_on, s.entered_at), reverse=True),
        changes=changes(found),
        latest_rating=latest_rating(found),
        age=age(patient, now),
        birth_date=patient.birth_date,
        today=today(patient, now),
        measures=rules.MEASURES,
        groc_words=rules.GROC_WORDS,
        groc_question=rules.GROC_QUESTION,
    )


def care_line(
    db: Database, *, profile_name: str, clinician_id: int | None = None, app_url: str | None = None
) -> CareLine | None:
    """What a handout prints about who looks after the person (see :class:`CareLine`): the
    clinician printing it (else the person's main clinician), their clinic and its contact
    details, and a QR code to the person's program at ``app_url``."""
    account = _account_id(profile_name)
    found = care_contact(db, patient_id=account, clinician_id=clinician_id) if account else None
    if found is None and app_url is None:
        return None
    return CareLine(
        clinic=found.clinic.name if found and found.clinic else None,
        clinician=found.clinician if found else None,
        contact=tuple(found.lines) if found else (),
        app_url=f"{app_url.rstrip('/')}/me" if app_url else None,
    )


# --- the episode report ---------------------------------------------------------------------------


def _versions(history: History) -> tuple[report_pdf.VersionLine, ...]:
    out = []
    before: dict[str, str] = {}
    for v in sorted(history.programs, key=lambda p: p.version):
        now_items = {i.id: i.name for i in v.program.items}
        added = tuple(n for k, n in now_items.items() if k not in before) if before else ()
        removed = tuple(n for k, n in before.items() if k not in now_items)
        out.append(
            report_pdf.VersionLine(
                version=v.version,
                on=v.created_at.date(),
                why=v.reason,
                added=added,
                removed=removed,
                items=len(v.program.items),
                minutes=v.program.minutes_per_day,
            )
        )
        before = now_items
    return tuple(out)


def _assessment(a: StoredAssessment, zone: str | None) -> report_pdf.AssessmentLine:
    t = a.result.triage
    inv = a.result.hip_flexor_involvement
    about = None
    if a.complete:
        i = a.intake
        about = (
            f"At the assessment: age {i.person.age}"
            + (f", {i.daily_life.occupation}" if i.daily_life.occupation else "")
            + f"; sits {i.daily_life.sitting_hours_per_day:g} hours a day; pain "
            f"{i.pain.intensity_now}/10 for {i.pain.duration_weeks:g} weeks."
        )
    return report_pdf.AssessmentLine(
        on=timezones.local(a.created_at, zone).date(),
        urgency=result_text.heading(t),
        action=t.action if t.level != "self_care" else None,
        involvement=f"{inv.level} (score {inv.score})",
        side=a.result.tighter_side,
        about=about,
        findings=tuple((f.weight, f.message) for f in inv.findings),
        reasons=tuple(r.message for r in t.reasons),
    )


def _num(x: float | None) -> str:
    return "-" if x is None else rules.number(round(x, 1))


def episode(
    db: Database, *, clinician: User, patient: User, now: datetime, charts: bool = True
) -> report_pdf.Episode:
    """What the episode report says, as words and numbers (see :mod:`psoas.reports.episode`).
    The clinician must be in the patient's care team (else NotFound)."""
    if not accounts.in_care_team(db, clinician=clinician, patient_id=patient.id):
        raise NotFound("patient")
    from psoas.catalog import load_catalog
    from psoas.reports import charts as drawn

    zone = clinician.time_zone
    report = progress.report(db, profile_name=patient.profile_name, now=now, with_sets=True)
    h, s = report.history, report.summary
    found = scores(db, patient_id=patient.id)
    contact = care_contact(db, patient_id=patient.id, clinician_id=clinician.id)
    first_seen = min(
        [a.created_at for a in h.assessments] + [p.created_at for p in h.programs], default=None
    )
    adherence = (
        ("Days on the program", str(s.days_on_program) if s.days_on_program is not None else "-"),
        ("Sessions, last 7 days", f"{s.adherence_7.sessions_text} ({s.adherence_7.percent_text})"),
        (
            "Sessions, last 28 days",
            f"{s.adherence_28.sessions_text} ({s.adherence_28.percent_text})",
        ),
        ("Sessions logged in all", str(len(h.sessions))),
    )
    pain_function = (
        (
            "Pain 0-10: at the start → last 7 days",
            f"{_num(s.pain.baseline)} → {_num(s.pain.recent_average)}"
            f" ({s.pain.recent_ratings} ratings in 7 days)",
        ),
        (
            "Function (PSFS mean 0-10): first → latest",
            f"{_num(s.function.first_mean)} → {_num(s.function.latest_mean)}"
            f" ({s.function.entries} entries)",
        ),
        ("Thomas test, left hip (degrees)", s.retest.left.text or "-"),
        ("Thomas test, right hip (degrees)", s.retest.right.text or "-"),
    )
    outcome_lines = tuple(
        report_pdf.OutcomeLine(
            on=x.scored_on,
            measure=x.info.short,
            value=x.text,
            entered_by=x.entered_by_name + (" (patient)" if x.entered_by == "patient" else ""),
        )
        for x in found
    )
    made = changes(found)
    images: tuple[tuple[str, bytes], ...] = ()
    if charts:
        files = drawn.progress_charts(h, fmt="png", tz=zone or "UTC", outcomes=found)
        images = tuple((name.removesuffix(".png"), png) for name, png in files.items())
    catalog = load_catalog()
    keys = [k for r in s.readings for k in r.sources]
    keys += [k for c in made for k in rules.MEASURES[c.measure].sources]
    refs = tuple(
        f"[{ref.key}] {result_text.people_citation(ref)}"
        for ref in (catalog.reference(k) for k in dict.fromkeys(keys) if catalog.has_reference(k))
    )
    return report_pdf.Episode(
        patient=patient.display_name,
        on=today(clinician, now),
        birth_date=patient.birth_date,
        age=age(patient, now),
        clinician=clinician.display_name,
        clinic=contact.clinic.name if contact and contact.clinic else None,
        clinic_contact=tuple(contact.lines) if contact else (),
        first_seen=timezones.local(first_seen, zone).date() if first_seen else None,
        assessments=tuple(_assessment(a, zone) for a in reversed(h.assessments)),
        versions=_versions(h),
        adherence=adherence,
        pain_function=pain_function,
        outcomes=outcome_lines,
        changes=tuple(c.words for c in made),
        readings=tuple(f"{r.message} [{', '.join(r.sources)}]" for r in s.readings),
        charts=images,
        references=refs,
    )


def episode_report(
    db: Database,
    *,
    clinician: User,
    patient: User,
    now: datetime,
    app_url: str | None = None,
    emergency_number: str = "112",
) -> bytes:
    """The episode report as PDF bytes (see :func:`episode`)."""
    return report_pdf.episode_pdf(episode(db, clinician=clinician, patient=patient, now=now))
