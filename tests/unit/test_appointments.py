"""The time logic of appointments: a time typed on the clinician's clock, read on the
patient's, across summer-time changes; the Join window; what a booking must hold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from psoas.domain.appointments import (
    JOIN_EARLY,
    Appointment,
    AppointmentIn,
    check_link,
    join_open,
    problems,
)
from psoas.domain.errors import Refused
from psoas.services import timezones
from psoas.services.accounts import User
from psoas.services.appointments import change_mail, parse_local

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


def appointment(start: datetime, minutes: int = 30, **changes: object) -> Appointment:
    fields: dict[str, object] = {
        "id": 1,
        "patient_id": 2,
        "clinic_id": 3,
        "clinician": "Dr Ada",
        "kind": "telehealth",
        "starts_at": start,
        "ends_at": start + timedelta(minutes=minutes),
        "link": "https://meet.example.org/a",
        "status": "booked",
    }
    fields.update(changes)
    return Appointment.model_validate(fields)


# --- the clinician's clock and the patient's, across summer time -------------------------------


def test_the_same_wall_clock_time_is_a_different_utc_moment_after_the_clocks_change() -> None:
    # London goes to summer time on Sunday 28 March 2027: 09:00 is 09:00 UTC before, 08:00 after
    before = parse_local("2027-03-27T09:00", "Europe/London")
    after = parse_local("2027-03-29T09:00", "Europe/London")
    assert before == datetime(2027, 3, 27, 9, 0, tzinfo=UTC)
    assert after == datetime(2027, 3, 29, 8, 0, tzinfo=UTC)
    # New York changed two weeks earlier (14 March): UTC-4 on both days
    ny_before = timezones.local(before, "America/New_York")
    ny_after = timezones.local(after, "America/New_York")
    assert (ny_before.hour, ny_before.minute) == (5, 0)
    assert (ny_after.hour, ny_after.minute) == (4, 0)
    # the week between the two changes: London on winter time, New York already on summer time
    gap_week = parse_local("2027-03-20T09:00", "Europe/London")
    assert timezones.local(gap_week, "America/New_York").hour == 5
    earlier = parse_local("2027-03-13T09:00", "Europe/London")  # both on winter time
    assert timezones.local(earlier, "America/New_York").hour == 4


def test_a_time_the_clocks_skip_falls_an_hour_later_and_a_doubled_one_is_the_first() -> None:
    skipped = parse_local("2027-03-28T01:30", "Europe/London")  # 01:00 -> 02:00
    assert skipped == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert timezones.local(skipped, "Europe/London").strftime("%H:%M") == "02:30"
    doubled = parse_local("2026-10-25T01:30", "Europe/London")  # 02:00 -> 01:00
    assert doubled == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_a_time_with_an_offset_keeps_it_and_no_zone_means_utc() -> None:
    assert parse_local("2027-03-29T09:00-04:00", "Europe/London") == datetime(
        2027, 3, 29, 13, 0, tzinfo=UTC
    )
    assert parse_local("2027-03-29T09:00", None) == datetime(2027, 3, 29, 9, 0, tzinfo=UTC)
    with pytest.raises(Refused, match="starts_at: give a date and a time"):
        parse_local("next Tuesday", "Europe/London")


@given(
    zone=st.sampled_from(["Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata"]),
    moment=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
    ),
)
def test_a_moment_read_on_any_clock_and_typed_back_is_the_same_moment(
    zone: str, moment: datetime
) -> None:
    """What the clinician sees and re-types (to the minute) is what was booked, except in the
    hour the clocks turn back, where the first of the two readings is taken."""
    moment = moment.replace(second=0, microsecond=0)
    typed = timezones.local(moment, zone).strftime("%Y-%m-%dT%H:%M")
    back = parse_local(typed, zone)
    assert back == moment or (back < moment and moment - back == timedelta(hours=1))


# --- the Join window ----------------------------------------------------------------------------


def test_the_join_window_opens_ten_minutes_before_and_closes_at_the_end() -> None:
    start = datetime(2027, 3, 29, 8, 0, tzinfo=UTC)
    a = appointment(start, minutes=30)
    assert timedelta(minutes=10) == JOIN_EARLY
    assert not a.can_join(start - timedelta(minutes=10, seconds=1))
    assert a.can_join(start - timedelta(minutes=10))
    assert a.can_join(start + timedelta(minutes=29, seconds=59))
    assert not a.can_join(start + timedelta(minutes=30))
    assert a.join_from() == start - JOIN_EARLY
    assert not appointment(start, status="cancelled").can_join(start)
    assert not appointment(start, kind="in_person", link=None, place="Room 2").can_join(start)


@given(
    start=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
    ),
    minutes=st.integers(min_value=5, max_value=240),
    offset=st.integers(min_value=-24 * 60, max_value=24 * 60),
)
def test_join_is_open_exactly_from_ten_minutes_before_to_the_end(
    start: datetime, minutes: int, offset: int
) -> None:
    end = start + timedelta(minutes=minutes)
    now = start + timedelta(minutes=offset)
    assert join_open(start, end, now) == (-10 <= offset < minutes)


# --- what a booking must hold ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "link",
    [
        "http://meet.example.org/a",
        "javascript:alert(1)",
        "https://",
        "https://user@evil.example/x",
        "https://meet.example.org/a b",
        "ftp://meet.example.org",
        "https://" + "a" * 500 + ".org",
    ],
)
def test_a_join_link_must_be_https(link: str) -> None:
    with pytest.raises(ValueError, match="https://"):
        check_link(link)


def test_what_a_booking_needs() -> None:
    start = NOW + timedelta(days=1)
    good = AppointmentIn(starts_at=start, link=" https://meet.example.org/a?id=1 ")
    assert problems(good, now=NOW) == []
    assert check_link(good.link) == "https://meet.example.org/a?id=1"
    assert problems(AppointmentIn(starts_at=start), now=NOW) == [
        "link: a video call needs its link (https://...)"
    ]
    assert problems(AppointmentIn(kind="in_person", starts_at=start, place="  "), now=NOW) == [
        "place: say where the appointment is"
    ]
    far = AppointmentIn(starts_at=NOW + timedelta(days=800), link="https://m.example.org")
    assert problems(far, now=NOW) == ["starts_at: must be from yesterday to two years ahead"]
    naive = AppointmentIn(starts_at=datetime(2027, 3, 2, 9, 0), link="https://m.example.org")
    assert problems(naive, now=NOW) == ["starts_at: needs a time zone"]
    short = AppointmentIn(starts_at=start, minutes=4, link="https://m.example.org", note="x" * 501)
    assert problems(short, now=NOW) == [
        "minutes: must be 5 to 240",
        "note: must be at most 500 characters",
    ]


def test_the_email_gives_the_time_on_the_patients_clock_and_nothing_clinical() -> None:
    patient = User(
        id=2,
        email="pat@home.test",
        role="patient",
        display_name="Pat",
        profile_id=None,
        clinician_id=None,
        time_zone="America/New_York",
    )
    a = appointment(datetime(2027, 3, 29, 8, 0, tzinfo=UTC), note="Bring the band")
    mail = change_mail(patient, a, "booked", "https://psoas.example/me")
    assert "Monday 29 March 2027 at 04:00 (America/New_York)" in mail.body
    assert "Dr Ada" not in mail.body and "Bring" not in mail.body and "meet." not in mail.body
    assert mail.to == "pat@home.test"
