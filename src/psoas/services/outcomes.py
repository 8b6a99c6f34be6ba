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
from psoas.services import accounts, clinics, timezones
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


def birth_date_for_profile(db: Database, *, profile_name: str) -> date | None:
    """The birth date of the account whose records are ``profile_name`` (None when not given,
    or for a profile without an account)."""
    match = re.fullmatch(r"user-(\d+)", profile_name)
    if match is None:
        return None
    with db.session() as s:
        return s.scalar(select(UserRow.birth_date).where(UserRow.id == int(match.group(1))))


def _today(user: User, now: datetime) -> date:
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
    day_problem = rules.date_problem(scored_on, _today(actor, now))
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
        problem = rules.birth_date_problem(birth_date, _today(user, now))
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
    return rules.age_on(user.birth_date, _today(user, now))


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
