"""Appointments between a patient and their care team: booked, moved or cancelled by a
clinician of the patient's care team, seen by the patient on their own clock, in their calendar
feed, and in the clinician's schedule.

Access follows :func:`psoas.services.accounts.in_care_team`: a clinician books, moves, cancels
and sees only the appointments of their own clinic with a patient whose care team they are in
(accepted); anything else is NotFound. A patient sees the appointments of the clinics still in
their care team. Every booking, move and cancellation is in the patient's audit log. Times are
stored in UTC; a clinician's form is read on the clinician's clock, never in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from icalendar import Alarm, Event
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from psoas.domain.appointments import (
    Appointment,
    AppointmentIn,
    AppointmentMove,
    check_link,
    problems,
)
from psoas.domain.errors import Refused
from psoas.services import timezones
from psoas.services.accounts import NotFound, User, in_care_team
from psoas.services.mail import Mail
from psoas.storage.db import Database
from psoas.storage.tables import (
    AppointmentRow,
    AuditRow,
    CareTeamRow,
    ClinicMemberRow,
    ClinicRow,
    UserRow,
)

#: How many days the schedule shows, today included.
SCHEDULE_DAYS = 14
#: How long past appointments stay on the clinician's patient page.
RECENT = timedelta(days=30)
ALARM = timedelta(minutes=30)


def parse_local(raw: str, zone: str | None, *, field: str = "starts_at") -> datetime:
    """A date and time typed in a form (``2026-03-29T09:30``), read on the clock of the
    person whose zone is ``zone``; Refused when it is not a date and time."""
    raw = raw.strip()
    try:
        value = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise Refused([f"{field}: give a date and a time"]) from exc
    try:
        if value.tzinfo is None:
            value = timezones.at_local(value.date(), value.time(), zone)
        # in UTC: a wall-clock time the clocks turn back over compares by its instant, not its
        # fold
        return value.astimezone(UTC)
    except (OverflowError, ValueError) as exc:  # the first or last day a computer can count
        raise Refused([f"{field}: must be from yesterday to two years ahead"]) from exc


def _clinic_of(s: Session, clinician: User) -> int:
    clinic_id = s.scalar(
        select(ClinicMemberRow.clinic_id).where(ClinicMemberRow.user_id == clinician.id)
    )
    if clinic_id is None:
        raise NotFound("patient")
    return clinic_id


def _check(db: Database, clinician: User, patient_id: int) -> None:
    if not in_care_team(db, clinician=clinician, patient_id=patient_id):
        raise NotFound("patient")


def _out(row: AppointmentRow, patient_name: str = "", clinic: str = "") -> Appointment:
    return Appointment(
        id=row.id,
        patient_id=row.patient_id,
        patient_name=patient_name,
        clinic_id=row.clinic_id,
        clinic=clinic,
        clinician=row.clinician_name,
        kind=row.kind,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        link=row.link,
        place=row.place,
        note=row.note,
        status=row.status,
    )


def _audit(s: Session, *, patient_id: int, actor: User, action: str, now: datetime) -> None:
    s.add(AuditRow(patient_id=patient_id, actor_id=actor.id, at=now, action=action[:80]))


def book(
    db: Database, *, clinician: User, patient_id: int, booking: AppointmentIn, now: datetime
) -> Appointment:
    """Book an appointment with the patient for the clinician's clinic; Refused naming each
    field that is wrong, NotFound for a patient who is not in the clinician's care."""
    _check(db, clinician, patient_id)
    wrong = problems(booking, now=now)
    if wrong:
        raise Refused(wrong)
    telehealth = booking.kind == "telehealth"
    with db.session() as s, s.begin():
        row = AppointmentRow(
            patient_id=patient_id,
            clinic_id=_clinic_of(s, clinician),
            clinician_id=clinician.id,
            clinician_name=clinician.display_name[:80],
            kind=booking.kind,
            starts_at=booking.starts_at.astimezone(UTC),
            ends_at=(booking.starts_at + timedelta(minutes=booking.minutes)).astimezone(UTC),
            link=check_link(booking.link) if telehealth else None,
            place=None if telehealth else (booking.place or "").strip(),
            note=booking.note.strip(),
            status="booked",
            revision=0,
            created_at=now,
            updated_at=now,
        )
        s.add(row)
        s.flush()
        kind = "a video call" if telehealth else "an in-person visit"
        _audit(s, patient_id=patient_id, actor=clinician, action=f"booked {kind}", now=now)
        return _out(row)


def _own_row(s: Session, clinician: User, patient_id: int, appointment_id: int) -> AppointmentRow:
    row = s.get(AppointmentRow, appointment_id)
    if row is None or row.patient_id != patient_id or row.clinic_id != _clinic_of(s, clinician):
        raise NotFound("appointment")
    return row


def move(
    db: Database,
    *,
    clinician: User,
    patient_id: int,
    appointment_id: int,
    change: AppointmentMove,
    now: datetime,
) -> Appointment:
    """Move a booked appointment to a new time (and length); a cancelled one stays cancelled."""
    _check(db, clinician, patient_id)
    with db.session() as s, s.begin():
        row = _own_row(s, clinician, patient_id, appointment_id)
        if row.status != "booked":
            raise Refused(["starts_at: this appointment was cancelled; book a new one"])
        minutes = change.minutes if change.minutes is not None else _minutes(row)
        booking = AppointmentIn(
            kind=row.kind,
            starts_at=change.starts_at,
            minutes=minutes,
            link=row.link,
            place=row.place,
            note=row.note,
        )
        wrong = problems(booking, now=now)
        if wrong:
            raise Refused(wrong)
        row.starts_at = change.starts_at.astimezone(UTC)
        row.ends_at = row.starts_at + timedelta(minutes=minutes)
        row.updated_at = now
        row.revision += 1
        _audit(s, patient_id=patient_id, actor=clinician, action="moved an appointment", now=now)
        return _out(row)


def _minutes(row: AppointmentRow) -> int:
    return int((row.ends_at - row.starts_at).total_seconds() // 60)


def cancel(
    db: Database, *, clinician: User, patient_id: int, appointment_id: int, now: datetime
) -> Appointment:
    """Cancel the appointment: it stays on both sides, marked cancelled."""
    _check(db, clinician, patient_id)
    with db.session() as s, s.begin():
        row = _own_row(s, clinician, patient_id, appointment_id)
        if row.status == "booked":
            row.status = "cancelled"
            row.updated_at = now
            row.revision += 1
            _audit(
                s,
                patient_id=patient_id,
                actor=clinician,
                action="cancelled an appointment",
                now=now,
            )
        return _out(row)


def for_clinician(
    db: Database, *, clinician: User, patient_id: int, now: datetime
) -> list[Appointment]:
    """The clinician's clinic's appointments with the patient: the coming ones and those of
    the last 30 days, soonest first."""
    _check(db, clinician, patient_id)
    with db.session() as s:
        rows = s.scalars(
            select(AppointmentRow)
            .where(
                AppointmentRow.patient_id == patient_id,
                AppointmentRow.clinic_id == _clinic_of(s, clinician),
                AppointmentRow.ends_at > now - RECENT,
            )
            .order_by(AppointmentRow.starts_at, AppointmentRow.id)
        )
        return [_out(r) for r in rows]


def _team_clinics(patient_id: int) -> Select[int]:
    return select(CareTeamRow.clinic_id).where(
        CareTeamRow.patient_id == patient_id, CareTeamRow.status == "accepted"
    )


def for_patient(db: Database, *, patient: User, now: datetime) -> list[Appointment]:
    """The patient's appointments not yet over, with the clinics of their care team (cancelled
    ones too, marked), soonest first."""
    if patient.role != "patient":
        return []
    with db.session() as s:
        rows = s.execute(
            select(AppointmentRow, ClinicRow.name)
            .join(ClinicRow, ClinicRow.id == AppointmentRow.clinic_id)
            .where(
                AppointmentRow.patient_id == patient.id,
                AppointmentRow.ends_at > now,
                AppointmentRow.clinic_id.in_(_team_clinics(patient.id)),
            )
            .order_by(AppointmentRow.starts_at, AppointmentRow.id)
        ).all()
        return [_out(r, patient.display_name, name) for r, name in rows]


def every_for_patient(db: Database, *, patient: User) -> list[Appointment]:
    """Every appointment ever booked for the patient, with any clinic (past, cancelled, and
    those of clinics they have left), oldest first: for the person's own data download."""
    with db.session() as s:
        rows = s.execute(
            select(AppointmentRow, ClinicRow.name)
            .join(ClinicRow, ClinicRow.id == AppointmentRow.clinic_id)
            .where(AppointmentRow.patient_id == patient.id)
            .order_by(AppointmentRow.starts_at, AppointmentRow.id)
        ).all()
        return [_out(r, patient.display_name, name) for r, name in rows]


@dataclass(frozen=True)
class ScheduleDay:
    day: date
    appointments: list[Appointment]


def schedule(
    db: Database, *, clinician: User, now: datetime, days: int = SCHEDULE_DAYS
) -> list[ScheduleDay]:
    """The clinician's appointments from the start of today (on their clock) for ``days``
    days, by their local day, with the patients still in their care."""
    if clinician.role != "clinician":
        raise NotFound("schedule")
    days = max(1, min(days, 62))
    today = timezones.local(now, clinician.time_zone).date()
    start = timezones.at_local(today, time(0), clinician.time_zone)
    end = timezones.at_local(today + timedelta(days=days), time(0), clinician.time_zone)
    with db.session() as s:
        mine = select(CareTeamRow.patient_id).where(
            CareTeamRow.clinician_id == clinician.id, CareTeamRow.status == "accepted"
        )
        rows = s.execute(
            select(AppointmentRow, UserRow.display_name)
            .join(UserRow, UserRow.id == AppointmentRow.patient_id)
            .where(
                AppointmentRow.clinician_id == clinician.id,
                AppointmentRow.starts_at >= start,
                AppointmentRow.starts_at < end,
                AppointmentRow.patient_id.in_(mine),
            )
            .order_by(AppointmentRow.starts_at, AppointmentRow.id)
        ).all()
    by_day: dict[date, list[Appointment]] = {}
    for row, name in rows:
        day = timezones.local(row.starts_at, clinician.time_zone).date()
        by_day.setdefault(day, []).append(_out(row, name))
    return [ScheduleDay(d, items) for d, items in sorted(by_day.items())]


# --- the patient's calendar feed -----------------------------------------------------------------


def calendar_events(db: Database, *, patient: User, now: datetime) -> list[Event]:
    """The patient's appointments for their calendar feed (psoas.services.reminders.feed): the
    coming ones and those of the last 30 days, a cancelled one as a cancelled event (so a phone
    calendar that already has it takes it off), each booked one with an alarm."""
    if patient.role != "patient":
        return []
    with db.session() as s:
        rows = s.scalars(
            select(AppointmentRow)
            .where(
                AppointmentRow.patient_id == patient.id,
                AppointmentRow.ends_at > now - RECENT,
                AppointmentRow.clinic_id.in_(_team_clinics(patient.id)),
            )
            .order_by(AppointmentRow.starts_at, AppointmentRow.id)
        ).all()
    return [_event(_out(r), now, sequence=r.revision) for r in rows]


def _event(a: Appointment, now: datetime, *, sequence: int) -> Event:
    event = Event()
    title = ("Video call" if a.kind == "telehealth" else "Appointment") + f" with {a.clinician}"
    event.add("uid", f"psoas-appointment-{a.id}@psoas")
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", a.starts_at.astimezone(UTC))
    event.add("dtend", a.ends_at.astimezone(UTC))
    event.add("sequence", sequence)
    event.add("summary", ("Cancelled: " if a.cancelled else "") + title)
    lines = [a.note] if a.note else []
    if a.link:
        lines.append(f"Join the call: {a.link}")
        event.add("url", a.link)
    if a.place:
        event.add("location", a.place)
    if lines:
        event.add("description", "\n".join(lines))
    event.add("categories", ["psoas"])
    if a.cancelled:
        event.add("status", "CANCELLED")
        return event
    event.add("status", "CONFIRMED")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", title)
    alarm.add("trigger", -ALARM)
    event.add_component(alarm)
    return event


# --- email ---------------------------------------------------------------------------------------

Change = str  # booked | moved | cancelled

_SUBJECTS = {
    "booked": "A new appointment on psoas",
    "moved": "Your appointment on psoas has moved",
    "cancelled": "Your appointment on psoas was cancelled",
}


def change_mail(patient: User, appointment: Appointment, change: Change, link: str) -> Mail:
    """The email that tells the patient of a booking, a move or a cancellation: the time on
    their clock, nothing clinical (no clinic, no clinician, no note)."""
    when = timezones.local(appointment.starts_at, patient.time_zone)
    zone = patient.time_zone or "UTC"
    moment = f"{when:%A} {when.day} {when:%B %Y at %H:%M} ({zone})"
    what = {
        "booked": f"Your care team booked an appointment for you: {moment}.",
        "moved": f"Your care team moved your appointment. It is now {moment}.",
        "cancelled": f"Your care team cancelled your appointment of {moment}.",
    }[change]
    return Mail(
        to=patient.email,
        subject=_SUBJECTS[change],
        body=f"Hello,\n\n{what}\n\nSign in to psoas to see the details:\n\n{link}\n",
    )
