"""Migration 0016 on both databases: a telehealth follow-up a clinician kept as a note (before
appointments) becomes an appointment of its clinic, with its time, link and words; one whose
clinician had no clinic stays a note, shared with the patient, saying when it was."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from psoas.services import accounts, clinics
from psoas.storage.db import Database, migrate
from psoas.storage.tables import AppointmentRow, ClinicNoteRow

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
CALL = T0 + timedelta(days=7, hours=5)


def test_0016_turns_follow_ups_into_appointments(empty_database_url: str) -> None:
    db = Database(empty_database_url, migrate_schema=False)
    migrate(db.engine, "0015")  # the tables are as 0016 leaves them: only rows move
    clinic, ada = clinics.create_clinic(
        db,
        name="Riverside",
        admin_email="ada@clinic.test",
        admin_name="Ada Physio",
        password="correct horse battery",
        now=T0,
    )
    lone = accounts.sign_up(
        db,
        email="lone@clinic.test",
        password="correct horse battery",
        display_name="Lone Physio",
        role="clinician",
        now=T0,
    )
    pat = accounts.sign_up(
        db,
        email="pat@home.test",
        password="correct horse battery",
        display_name="Pat",
        role="patient",
        now=T0,
    )
    with db.session() as s, s.begin():
        for clinician, clinic_id, kind, summary in (
            (ada.id, clinic.id, "telehealth", "How the stairs went"),
            (lone.id, None, "telehealth", "A check on the hip"),
            (ada.id, clinic.id, "note", "private: hip seems better"),
        ):
            s.add(
                ClinicNoteRow(
                    patient_id=pat.id,
                    clinician_id=clinician,
                    clinic_id=clinic_id,
                    shared=False,
                    created_at=T0,
                    kind=kind,
                    scheduled_for=CALL if kind == "telehealth" else None,
                    link="https://meet.example.org/abc" if kind == "telehealth" else None,
                    summary=summary,
                )
            )
    migrate(db.engine)
    with db.session() as s:
        [booked] = s.scalars(select(AppointmentRow)).all()
        left = s.scalars(select(ClinicNoteRow).order_by(ClinicNoteRow.id)).all()
        assert (booked.patient_id, booked.clinic_id, booked.clinician_id) == (
            pat.id,
            clinic.id,
            ada.id,
        )
        assert booked.clinician_name == "Ada Physio" and booked.kind == "telehealth"
        assert booked.starts_at == CALL and booked.ends_at == CALL + timedelta(minutes=30)
        assert booked.link == "https://meet.example.org/abc" and booked.status == "booked"
        assert booked.note == "How the stairs went" and booked.created_at == T0
        assert [(n.kind, n.shared) for n in left] == [("note", True), ("note", False)]
        assert left[0].summary == "Video follow-up (for 2026-11-09 14:00 UTC): A check on the hip"
        assert left[1].summary == "private: hip seems better"
    db.close()
