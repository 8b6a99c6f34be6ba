"""The counts every page shows in its navigation (unread messages) and that decide whether the
home page asks for appointments at all, as correlated subqueries on ``users``: the session's
one query (:data:`psoas.services.accounts._SESSION_USER`) carries them, so no page pays an
extra query for a badge. Each reads only the rows of one person through an index.

Who may read what is the rule of :mod:`psoas.services.messages`: a patient reads the threads
of the clinics in their care team (accepted); a clinician reads the thread of their own clinic
with each patient whose care team they are in (accepted). Only messages from the other side
count as unread: for a clinician, the patient's; for a patient, the clinicians'.
"""

from __future__ import annotations

from sqlalchemy import and_, bindparam, case, func, literal, select
from sqlalchemy.sql.elements import ColumnElement

from psoas.storage.tables import (
    AppointmentRow,
    CareTeamRow,
    MessageReadRow,
    MessageRow,
    UserRow,
)


def _read_up_to(user_id: ColumnElement[int]) -> ColumnElement[int]:
    """The last message id ``user_id`` read in the message's thread (0: none)."""
    return func.coalesce(
        select(MessageReadRow.last_read_id)
        .where(
            MessageReadRow.user_id == user_id,
            MessageReadRow.patient_id == MessageRow.patient_id,
            MessageReadRow.clinic_id == MessageRow.clinic_id,
        )
        .correlate_except(MessageReadRow)
        .scalar_subquery(),
        0,
    )


def _team_clinics(patient_id: ColumnElement[int]) -> ColumnElement[bool]:
    return MessageRow.clinic_id.in_(
        select(CareTeamRow.clinic_id)
        .where(CareTeamRow.patient_id == patient_id, CareTeamRow.status == "accepted")
        .correlate_except(CareTeamRow)
    )


def patient_unread(patient_id: ColumnElement[int]) -> ColumnElement[int]:
    """Messages from the care team the patient has not read, in the threads still open."""
    return (
        select(func.count())
        .select_from(MessageRow)
        .where(
            MessageRow.patient_id == patient_id,
            MessageRow.sender_id.is_distinct_from(patient_id),
            _team_clinics(patient_id),
            MessageRow.id > _read_up_to(patient_id),
        )
        .correlate_except(MessageRow)
        .scalar_subquery()
    )


def clinician_unread(clinician_id: ColumnElement[int]) -> ColumnElement[int]:
    """The patients' messages the clinician has not read, in their own clinic's threads with
    the patients whose care team they are in."""
    return (
        select(func.count())
        .select_from(MessageRow)
        .join(
            CareTeamRow,
            and_(
                CareTeamRow.patient_id == MessageRow.patient_id,
                CareTeamRow.clinic_id == MessageRow.clinic_id,
            ),
        )
        .where(
            CareTeamRow.clinician_id == clinician_id,
            CareTeamRow.status == "accepted",
            MessageRow.sender_id == MessageRow.patient_id,
            MessageRow.id > _read_up_to(clinician_id),
        )
        .correlate_except(MessageRow, CareTeamRow)
        .scalar_subquery()
    )


def patient_appointments(patient_id: ColumnElement[int]) -> ColumnElement[int]:
    """The patient's appointments not yet over (cancelled ones too: they show as cancelled),
    with the clinics of their care team; ``now`` is a bound parameter."""
    return (
        select(func.count())
        .select_from(AppointmentRow)
        .where(
            AppointmentRow.patient_id == patient_id,
            AppointmentRow.ends_at > bindparam("now"),
            AppointmentRow.clinic_id.in_(
                select(CareTeamRow.clinic_id)
                .where(CareTeamRow.patient_id == patient_id, CareTeamRow.status == "accepted")
                .correlate_except(CareTeamRow)
            ),
        )
        .correlate_except(AppointmentRow)
        .scalar_subquery()
    )


_USER_ID: ColumnElement[int] = UserRow.__table__.c.id

#: For the session query: unread messages for whoever is signed in.
UNREAD = case(
    (UserRow.role == "patient", patient_unread(_USER_ID)),
    (UserRow.role == "clinician", clinician_unread(_USER_ID)),
    else_=literal(0),
).label("unread_messages")

#: For the session query: a patient's appointments not yet over (0 for a clinician).
APPOINTMENTS = case(
    (UserRow.role == "patient", patient_appointments(_USER_ID)),
    else_=literal(0),
).label("appointments")
