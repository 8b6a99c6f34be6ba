"""Secure messages between a patient and their care team: one thread per clinic of the team.

A thread belongs to its clinic, like a clinic's notes: the patient and the clinicians of that
clinic who are in the patient's care team (accepted) read and write it. A clinic the patient
joins later never reads another clinic's thread; a clinician the patient leaves stops reading
at once, and when the patient leaves the whole clinic the thread stops for both sides (its
messages stay on the server, shown to nobody). Plain text, at most 2,000 characters; each person's
read state is their own. An email, when the server can send mail, says only that a message is
waiting (no content, no names), at most once until that person reads the thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from psoas.domain.errors import Refused
from psoas.services import badges
from psoas.services.accounts import NotFound, User
from psoas.services.mail import Mail
from psoas.storage.db import Database
from psoas.storage.tables import (
    AuditRow,
    CareTeamRow,
    ClinicMemberRow,
    ClinicRow,
    MessageReadRow,
    MessageRow,
    UserRow,
)

BODY_MAX = 2000
#: How many of a thread's latest messages a page shows.
THREAD_LIMIT = 200


@dataclass(frozen=True)
class Message:
    id: int
    sender: str
    #: written by the patient (else by a clinician of the clinic)
    from_patient: bool
    #: written by the person reading
    mine: bool
    body: str
    created_at: datetime


@dataclass(frozen=True)
class Thread:
    patient_id: int
    patient_name: str
    clinic_id: int
    clinic: str
    messages: list[Message]
    #: messages from the other side the reader had not read before this look
    unread: int
    #: the last message the reader had read (0: none), to mark where the new ones start
    read_up_to: int


def check_body(body: str) -> str:
    text = body.replace("\r\n", "\n").strip()
    if not text:
        raise Refused(["body: write your message"])
    if len(text) > BODY_MAX:
        raise Refused([f"body: must be at most {BODY_MAX} characters (it has {len(text)})"])
    if "\x00" in text:
        raise Refused(["body: must not contain a NUL character"])
    return text


def _clinic_of(s: Session, clinician: User) -> int | None:
    return s.scalar(
        select(ClinicMemberRow.clinic_id).where(ClinicMemberRow.user_id == clinician.id)
    )


def _patient_clinics(s: Session, patient_id: int) -> dict[int, str]:
    """The clinics in the patient's care team (an accepted clinician), by name."""
    rows = s.execute(
        select(ClinicRow.id, ClinicRow.name)
        .where(
            ClinicRow.id.in_(
                select(CareTeamRow.clinic_id).where(
                    CareTeamRow.patient_id == patient_id, CareTeamRow.status == "accepted"
                )
            )
        )
        .order_by(ClinicRow.name, ClinicRow.id)
    ).all()
    return {i: n for i, n in rows}


def _clinician_thread(s: Session, clinician: User, patient_id: int) -> int:
    """The clinic whose thread with the patient this clinician reads; NotFound unless they are
    in the patient's care team (accepted) for their own clinic."""
    if clinician.role != "clinician":
        raise NotFound("patient")
    clinic_id = s.scalar(
        select(CareTeamRow.clinic_id).where(
            CareTeamRow.patient_id == patient_id,
            CareTeamRow.clinician_id == clinician.id,
            CareTeamRow.status == "accepted",
        )
    )
    if clinic_id is None or clinic_id != _clinic_of(s, clinician):
        raise NotFound("patient")
    return clinic_id


def _read_up_to(s: Session, user_id: int, patient_id: int, clinic_id: int) -> int:
    return (
        s.scalar(
            select(MessageReadRow.last_read_id).where(
                MessageReadRow.user_id == user_id,
                MessageReadRow.patient_id == patient_id,
                MessageReadRow.clinic_id == clinic_id,
            )
        )
        or 0
    )


def _thread(
    s: Session, reader: User, patient_id: int, patient_name: str, clinic_id: int, clinic: str
) -> Thread:
    rows = list(
        s.execute(
            select(MessageRow)
            .where(MessageRow.patient_id == patient_id, MessageRow.clinic_id == clinic_id)
            .order_by(MessageRow.id.desc())
            .limit(THREAD_LIMIT)
        ).scalars()
    )
    rows.reverse()
    up_to = _read_up_to(s, reader.id, patient_id, clinic_id)
    messages = [
        Message(
            id=r.id,
            sender=r.sender_name,
            from_patient=r.sender_id == patient_id,
            mine=r.sender_id == reader.id,
            body=r.body,
            created_at=r.created_at,
        )
        for r in rows
    ]
    if reader.role == "patient":
        unread = sum(1 for m in messages if m.id > up_to and not m.from_patient)
    else:
        unread = sum(1 for m in messages if m.id > up_to and m.from_patient)
    return Thread(patient_id, patient_name, clinic_id, clinic, messages, unread, up_to)


def threads_for_patient(db: Database, *, patient: User) -> list[Thread]:
    """One thread for each clinic in the patient's care team (empty ones too)."""
    if patient.role != "patient":
        raise NotFound("messages")
    with db.session() as s:
        return [
            _thread(s, patient, patient.id, patient.display_name, cid, name)
            for cid, name in _patient_clinics(s, patient.id).items()
        ]


def every_for_patient(db: Database, *, patient: User) -> list[dict[str, object]]:
    """Every message between the patient and any clinic (those they have left too), oldest
    first: for the person's own data download."""
    with db.session() as s:
        rows = s.execute(
            select(MessageRow, ClinicRow.name)
            .join(ClinicRow, ClinicRow.id == MessageRow.clinic_id)
            .where(MessageRow.patient_id == patient.id)
            .order_by(MessageRow.id)
        ).all()
        return [
            {
                "clinic": clinic,
                "from": "you" if r.sender_id == patient.id else r.sender_name,
                "sent_at": r.created_at.isoformat(),
                "body": r.body,
            }
            for r, clinic in rows
        ]


def thread_for_clinician(db: Database, *, clinician: User, patient_id: int) -> Thread:
    """The thread of the clinician's clinic with the patient; NotFound when not theirs."""
    with db.session() as s:
        clinic_id = _clinician_thread(s, clinician, patient_id)
        clinic = s.scalar(select(ClinicRow.name).where(ClinicRow.id == clinic_id)) or ""
        name = s.scalar(select(UserRow.display_name).where(UserRow.id == patient_id)) or ""
        return _thread(s, clinician, patient_id, name, clinic_id, clinic)


def _upsert_read(
    s: Session, *, user_id: int, patient_id: int, clinic_id: int, **values: object
) -> None:
    dialect = s.get_bind().dialect.name
    make = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = make(MessageReadRow).values(
        user_id=user_id, patient_id=patient_id, clinic_id=clinic_id, **values
    )
    s.execute(
        stmt.on_conflict_do_update(
            index_elements=["user_id", "patient_id", "clinic_id"], set_=values
        )
    )


def mark_read(
    db: Database, *, reader: User, patient_id: int, clinic_id: int, now: datetime
) -> None:
    """The reader has seen the thread up to its latest message; the next message may email
    them again."""
    with db.session() as s, s.begin():
        if reader.role == "patient":
            if reader.id != patient_id or clinic_id not in _patient_clinics(s, patient_id):
                raise NotFound("messages")
        elif _clinician_thread(s, reader, patient_id) != clinic_id:
            raise NotFound("patient")
        last = s.scalar(
            select(func.max(MessageRow.id)).where(
                MessageRow.patient_id == patient_id, MessageRow.clinic_id == clinic_id
            )
        )
        _upsert_read(
            s,
            user_id=reader.id,
            patient_id=patient_id,
            clinic_id=clinic_id,
            last_read_id=last or 0,
            read_at=now,
            notified_at=None,
        )


@dataclass(frozen=True)
class Sent:
    message: Message
    #: who to tell by email that a message is waiting (not told since they last read it)
    notify: list[str]


def send(
    db: Database,
    *,
    sender: User,
    patient_id: int,
    body: str,
    now: datetime,
    clinic_id: int | None = None,
    mail: bool = False,
) -> Sent:
    """Add a message to a thread: a patient writes to one clinic of their care team (the only
    one when ``clinic_id`` is None and they have one), a clinician to the patient in their own
    clinic's thread. With ``mail``, the people on the other side not told since they last read
    the thread are returned to email (and marked told)."""
    text = check_body(body)
    with db.session() as s, s.begin():
        if sender.role == "patient":
            if sender.id != patient_id:
                raise NotFound("messages")
            clinics = _patient_clinics(s, patient_id)
            if clinic_id is None and len(clinics) == 1:
                clinic_id = next(iter(clinics))
            if clinic_id not in clinics:
                raise NotFound("care team")
            recipients = list(
                s.scalars(
                    select(CareTeamRow.clinician_id).where(
                        CareTeamRow.patient_id == patient_id,
                        CareTeamRow.clinic_id == clinic_id,
                        CareTeamRow.status == "accepted",
                    )
                )
            )
        else:
            thread_clinic = _clinician_thread(s, sender, patient_id)
            if clinic_id is not None and clinic_id != thread_clinic:
                raise NotFound("patient")
            clinic_id = thread_clinic
            recipients = [patient_id]
        assert clinic_id is not None
        row = MessageRow(
            patient_id=patient_id,
            clinic_id=clinic_id,
            sender_id=sender.id,
            sender_name=sender.display_name[:80],
            body=text,
            created_at=now,
        )
        s.add(row)
        s.flush()
        # the sender has read their own thread up to here
        _upsert_read(
            s,
            user_id=sender.id,
            patient_id=patient_id,
            clinic_id=clinic_id,
            last_read_id=row.id,
            read_at=now,
            notified_at=None,
        )
        if sender.role == "clinician":
            s.add(
                AuditRow(patient_id=patient_id, actor_id=sender.id, at=now, action="sent a message")
            )
        notify = _to_notify(s, recipients, patient_id, clinic_id, now) if mail else []
        message = Message(row.id, row.sender_name, sender.id == patient_id, True, text, now)
    return Sent(message, notify)


def _to_notify(
    s: Session, recipients: list[int], patient_id: int, clinic_id: int, now: datetime
) -> list[str]:
    """The addresses of recipients not yet told of a waiting message since they last read the
    thread; each is marked told."""
    told = set(
        s.scalars(
            select(MessageReadRow.user_id).where(
                MessageReadRow.user_id.in_(recipients),
                MessageReadRow.patient_id == patient_id,
                MessageReadRow.clinic_id == clinic_id,
                MessageReadRow.notified_at.is_not(None),
            )
        )
    )
    out: list[str] = []
    for user_id in recipients:
        if user_id in told:
            continue
        email = s.scalar(select(UserRow.email).where(UserRow.id == user_id))
        if email is None:
            continue
        known = _read_up_to(s, user_id, patient_id, clinic_id)
        _upsert_read(
            s,
            user_id=user_id,
            patient_id=patient_id,
            clinic_id=clinic_id,
            last_read_id=known,
            notified_at=now,
        )
        out.append(email)
    return out


def unread_by_patient(db: Database, *, clinician: User) -> dict[int, int]:
    """For the clinician's patient list: each patient with messages the clinician has not
    read, and how many."""
    if clinician.role != "clinician":
        return {}
    clinician_id = literal(clinician.id)
    up_to = func.coalesce(
        select(MessageReadRow.last_read_id)
        .where(
            MessageReadRow.user_id == clinician_id,
            MessageReadRow.patient_id == MessageRow.patient_id,
            MessageReadRow.clinic_id == MessageRow.clinic_id,
        )
        .correlate(MessageRow)
        .scalar_subquery(),
        0,
    )
    with db.session() as s:
        rows = s.execute(
            select(MessageRow.patient_id, func.count())
            .join(
                CareTeamRow,
                (CareTeamRow.patient_id == MessageRow.patient_id)
                & (CareTeamRow.clinic_id == MessageRow.clinic_id),
            )
            .where(
                CareTeamRow.clinician_id == clinician.id,
                CareTeamRow.status == "accepted",
                MessageRow.sender_id == MessageRow.patient_id,
                MessageRow.id > up_to,
            )
            .group_by(MessageRow.patient_id)
        ).all()
    return {p: n for p, n in rows}


def unread_total(db: Database, *, user: User) -> int:
    """What the navigation badge shows (the session query carries the same count)."""
    with db.session() as s:
        found = s.scalar(select(badges.UNREAD).where(UserRow.id == user.id))
    return int(found or 0)


def waiting_mail(to: str, link: str) -> Mail:
    """Says only that a message is waiting: no content, no names, no clinic."""
    return Mail(
        to=to,
        subject="A new message is waiting for you on psoas",
        body=(
            "Hello,\n\nA new message is waiting for you on psoas. For your privacy, it is not "
            "in this email.\n\nSign in to read it:\n\n"
            f"{link}\n\nWe send this once until you read your messages.\n"
        ),
    )
