"""Appointments between a patient and their care team: what one is, when its call may be
joined, and what a booking must hold. Pure: callers pass the time (``now``) and the zones.

A time is stored as an aware UTC moment; each person sees it on their own clock (their IANA
zone), so a booking made in Lisbon for 09:00 shows at 04:00 in New York, and summer time moves
nothing: the moment is fixed, only its wall-clock reading differs.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

AppointmentKind = Literal["telehealth", "in_person"]
AppointmentStatus = Literal["booked", "cancelled"]

#: The "Join" button shows this long before the start, and until the end.
JOIN_EARLY = timedelta(minutes=10)
MINUTES_MIN = 5
MINUTES_MAX = 240
NOTE_MAX = 500
PLACE_MAX = 200
LINK_MAX = 500
#: How far ahead (and back, for a late entry) a booking may be.
AHEAD = timedelta(days=2 * 366)
BEHIND = timedelta(days=1)

_HTTPS = re.compile(r"^https://[^\s/?#@]+\.[^\s/?#@]+(?::\d{1,5})?(?:[/?#]\S*)?$", re.IGNORECASE)

KIND_WORDS: dict[str, str] = {"telehealth": "Video call", "in_person": "In person"}


class Appointment(BaseModel):
    """A booked (or cancelled) appointment, as the patient and the care team see it."""

    model_config = ConfigDict(frozen=True)

    id: int
    patient_id: int
    patient_name: str = ""
    clinic_id: int
    clinic: str = ""
    clinician: str = Field(description="the clinician it is with")
    kind: AppointmentKind
    starts_at: datetime = Field(description="UTC")
    ends_at: datetime = Field(description="UTC")
    link: str | None = Field(default=None, description="telehealth: the call's https link")
    place: str | None = Field(default=None, description="in person: where")
    note: str = ""
    status: AppointmentStatus

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"

    @property
    def kind_words(self) -> str:
        return KIND_WORDS[self.kind]

    def join_from(self) -> datetime:
        return self.starts_at - JOIN_EARLY

    def can_join(self, now: datetime) -> bool:
        """The call may be joined: a booked video call, from ten minutes before until it ends."""
        return join_open(self.starts_at, self.ends_at, now) and self.joinable

    @property
    def joinable(self) -> bool:
        return self.kind == "telehealth" and self.status == "booked" and bool(self.link)


class AppointmentIn(BaseModel):
    """What a clinician books: the kind, when (an aware time, or a wall-clock time read in the
    clinician's own zone by the caller), how long, the link or the place, a note."""

    model_config = ConfigDict(extra="forbid")

    kind: AppointmentKind = "telehealth"
    starts_at: datetime = Field(description="when it starts, with a time zone")
    minutes: int = Field(default=30, description=f"{MINUTES_MIN} to {MINUTES_MAX}")
    link: str | None = Field(default=None, description="telehealth: the call's https link")
    place: str | None = Field(default=None, description="in person: where")
    note: str = Field(default="", description=f"for the patient, at most {NOTE_MAX} characters")


class AppointmentMove(BaseModel):
    model_config = ConfigDict(extra="forbid")

    starts_at: datetime = Field(description="the new start, with a time zone")
    minutes: int | None = Field(default=None, description="a new length; unchanged if left out")


def join_open(starts_at: datetime, ends_at: datetime, now: datetime) -> bool:
    """Whether ``now`` is within the join window: ten minutes before the start, to the end."""
    return starts_at - JOIN_EARLY <= now < ends_at


def check_link(link: str | None) -> str | None:
    """The link stripped, or None when empty; ValueError unless it is an https address."""
    link = (link or "").strip()
    if not link:
        return None
    if len(link) > LINK_MAX or not _HTTPS.match(link):
        raise ValueError(f"must be a web address starting with https:// (at most {LINK_MAX} long)")
    return link


def problems(booking: AppointmentIn, *, now: datetime) -> list[str]:
    """What is wrong with a booking, one ``field: message`` line each (empty: fine)."""
    out: list[str] = []
    when = booking.starts_at
    if when.tzinfo is None or when.utcoffset() is None:
        out.append("starts_at: needs a time zone")
    elif not now - BEHIND <= when <= now + AHEAD:
        out.append("starts_at: must be from yesterday to two years ahead")
    out.extend(length_problems(booking.minutes))
    if booking.kind == "telehealth":
        try:
            if check_link(booking.link) is None:
                out.append("link: a video call needs its link (https://...)")
        except ValueError as exc:
            out.append(f"link: {exc}")
    else:
        place = (booking.place or "").strip()
        if not place:
            out.append("place: say where the appointment is")
        elif len(place) > PLACE_MAX:
            out.append(f"place: must be at most {PLACE_MAX} characters")
    if len(booking.note.strip()) > NOTE_MAX:
        out.append(f"note: must be at most {NOTE_MAX} characters")
    return out


def length_problems(minutes: int) -> list[str]:
    if not MINUTES_MIN <= minutes <= MINUTES_MAX:
        return [f"minutes: must be {MINUTES_MIN} to {MINUTES_MAX}"]
    return []
