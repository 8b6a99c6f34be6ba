"""Reminders that reach a person with the page closed: their settings (session times, working
hours and days for sitting breaks, a pause, quiet hours) and their private calendar feed.

Every time here is the person's wall-clock time in their own zone (:mod:`timezones`); the
settings are kept per account. The calendar feed's address holds a random secret of which only
a hash is stored: it is shown once, and revoking or making a new one ends the old address.
Web Push sending lives in :mod:`psoas.services.push`.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from icalendar import Calendar

from psoas.domain.breaks import WorkingHours
from psoas.reports import exports
from psoas.services import appointments, custom_exercises, programs, timezones, tracking
from psoas.services.accounts import User, get_user
from psoas.storage.db import Database
from psoas.storage.tables import ReminderSettingsRow, UserRow

#: At most this many session reminders a day.
MAX_SESSION_TIMES = 4
#: The calendar feed lists each session this many days ahead (calendars fetch it again often).
FEED_DAYS = 35
#: Pauses a person can choose, by name.
PAUSES = ("hour", "today", "week")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class ReminderError(ValueError):
    """A setting a person can fix; the message says what, in plain words."""


@dataclass(frozen=True)
class Settings:
    session_times: tuple[time, ...] = (time(18, 0),)
    break_nudges: bool = False
    work_start: time = time(9, 0)
    work_end: time = time(17, 30)
    work_days: frozenset[int] = field(default_factory=lambda: frozenset(range(5)))
    quiet_start: time | None = None
    quiet_end: time | None = None
    paused_until: datetime | None = None
    feed_created_at: datetime | None = None

    @property
    def hours(self) -> WorkingHours:
        return WorkingHours(start=self.work_start, end=self.work_end, weekdays=self.work_days)

    def paused(self, moment: datetime) -> bool:
        return self.paused_until is not None and moment < self.paused_until

    def quiet(self, local_clock: time) -> bool:
        """Inside the do-not-disturb hours (which may cross midnight)."""
        start, end = self.quiet_start, self.quiet_end
        if start is None or end is None or start == end:
            return False
        if start < end:
            return start <= local_clock < end
        return local_clock >= start or local_clock < end

    @property
    def has_feed(self) -> bool:
        return self.feed_created_at is not None


def clock(text: str) -> time:
    return time.fromisoformat(text)


def clock_text(value: time) -> str:
    return value.strftime("%H:%M")


def _settings(row: ReminderSettingsRow) -> Settings:
    return Settings(
        session_times=tuple(clock(t) for t in row.session_times),
        break_nudges=row.break_nudges,
        work_start=clock(row.work_start),
        work_end=clock(row.work_end),
        work_days=frozenset(row.work_days),
        quiet_start=clock(row.quiet_start) if row.quiet_start else None,
        quiet_end=clock(row.quiet_end) if row.quiet_end else None,
        paused_until=row.paused_until,
        feed_created_at=row.feed_created_at,
    )


#: Session times offered before a person chooses, by the program's sessions a day.
DEFAULT_TIMES = {
    1: (time(18, 0),),
    2: (time(8, 0), time(18, 0)),
    3: (time(8, 0), time(13, 0), time(18, 0)),
    4: (time(8, 0), time(12, 0), time(15, 0), time(19, 0)),
}


def defaults(sessions_per_day: int | None) -> Settings:
    """The settings before a person chooses: one session time for each session of the day."""
    n = min(max(sessions_per_day or 1, 1), MAX_SESSION_TIMES)
    return Settings(session_times=DEFAULT_TIMES[n])


def _row(s: object, user: User, db: Database) -> ReminderSettingsRow:
    from sqlalchemy.orm import Session

    assert isinstance(s, Session)
    row = s.get(ReminderSettingsRow, user.id)
    if row is None:
        d = defaults(program_sessions_per_day(db, user=user))
        row = ReminderSettingsRow(
            user_id=user.id,
            session_times=[clock_text(t) for t in d.session_times],
            break_nudges=d.break_nudges,
            work_start=clock_text(d.work_start),
            work_end=clock_text(d.work_end),
            work_days=sorted(d.work_days),
        )
        s.add(row)
        s.flush()
    return row


def settings_for(db: Database, *, user: User) -> Settings:
    """The person's settings; before they choose, the defaults for their program."""
    with db.session() as s:
        row = s.get(ReminderSettingsRow, user.id)
        if row is not None:
            return _settings(row)
    return defaults(program_sessions_per_day(db, user=user))


def _parse_clock(text: str, what: str) -> time:
    try:
        value = time.fromisoformat(text.strip())
    except ValueError:
        raise ReminderError(f"{what}: {text.strip() or 'empty'} is not a time like 08:30") from None
    return value.replace(second=0, microsecond=0, tzinfo=None)


def parse(
    *,
    session_times: list[str],
    break_nudges: bool,
    work_start: str,
    work_end: str,
    work_days: list[int],
    quiet_start: str = "",
    quiet_end: str = "",
) -> Settings:
    """Settings from a form, or ReminderError saying what to fix."""
    times = sorted({_parse_clock(t, "Session time") for t in session_times if t.strip()})
    if len(times) > MAX_SESSION_TIMES:
        raise ReminderError(f"Choose at most {MAX_SESSION_TIMES} session times.")
    start = _parse_clock(work_start, "Working hours start")
    end = _parse_clock(work_end, "Working hours end")
    if start >= end:
        raise ReminderError("Working hours must end after they start.")
    days = frozenset(work_days)
    if not days <= set(range(7)):
        raise ReminderError("Working days are Monday to Sunday.")
    if break_nudges and not days:
        raise ReminderError("Choose at least one working day for the break reminders.")
    q_start = _parse_clock(quiet_start, "Quiet hours start") if quiet_start.strip() else None
    q_end = _parse_clock(quiet_end, "Quiet hours end") if quiet_end.strip() else None
    if (q_start is None) != (q_end is None):
        raise ReminderError("Give both ends of the quiet hours, or neither.")
    return Settings(
        session_times=tuple(times),
        break_nudges=break_nudges,
        work_start=start,
        work_end=end,
        work_days=days,
        quiet_start=q_start,
        quiet_end=q_end,
    )


def save(db: Database, *, user: User, settings: Settings) -> Settings:
    """Keep the person's choices (the pause and the feed stay as they were)."""
    with db.session() as s, s.begin():
        row = _row(s, user, db)
        row.session_times = [clock_text(t) for t in settings.session_times]
        row.break_nudges = settings.break_nudges
        row.work_start = clock_text(settings.work_start)
        row.work_end = clock_text(settings.work_end)
        row.work_days = sorted(settings.work_days)
        row.quiet_start = clock_text(settings.quiet_start) if settings.quiet_start else None
        row.quiet_end = clock_text(settings.quiet_end) if settings.quiet_end else None
        return _settings(row)


def pause_end(kind: str, *, now: datetime, zone_name: str | None) -> datetime:
    """When a pause of ``kind`` (an hour, the rest of today, a week) ends."""
    local = timezones.local(now, zone_name)
    if kind == "hour":
        return now + timedelta(hours=1)
    if kind == "today":
        return timezones.at_local(local.date() + timedelta(days=1), time(0, 0), zone_name)
    if kind == "week":
        return timezones.at_local(local.date() + timedelta(days=7), time(0, 0), zone_name)
    raise ReminderError("Pause for an hour, for today or for a week.")


def pause(db: Database, *, user: User, kind: str | None, now: datetime) -> datetime | None:
    """Pause every reminder (``kind``: hour, today or week), or resume them (None)."""
    until = None if kind is None else pause_end(kind, now=now, zone_name=user.time_zone)
    with db.session() as s, s.begin():
        _row(s, user, db).paused_until = until
    return until


# --- the private calendar feed ------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_feed(db: Database, *, user: User, now: datetime) -> str:
    """A new secret for the person's calendar feed (the old address stops working); returned
    once, only its hash is kept."""
    token = secrets.token_urlsafe(32)
    with db.session() as s, s.begin():
        row = _row(s, user, db)
        row.feed_token_hash = _digest(token)
        row.feed_created_at = now
    return token


def revoke_feed(db: Database, *, user: User) -> None:
    with db.session() as s, s.begin():
        row = _row(s, user, db)
        row.feed_token_hash = None
        row.feed_created_at = None


def user_for_feed(db: Database, *, token: str) -> User | None:
    if not 20 <= len(token) <= 100:
        return None
    with db.session() as s:
        from sqlalchemy import select

        user_id = s.scalar(
            select(ReminderSettingsRow.user_id).where(
                ReminderSettingsRow.feed_token_hash == _digest(token)
            )
        )
    if user_id is None:
        return None
    user = get_user(db, user_id=user_id)
    return user if user is not None and user.role == "patient" else None


def feed(db: Database, *, user: User, now: datetime) -> bytes:
    """The person's calendar (iCalendar): each session at the times they chose, every day,
    in their zone (with its VTIMEZONE, so summer time moves nothing), and their follow-up
    appointments; every event with an alarm. A program that may not be shown (none yet, or
    held back by a warning sign) puts no sessions in it."""
    settings = settings_for(db, user=user)
    zone_name = timezones.zone_name(timezones.zone(user.time_zone))
    today = timezones.local(now, user.time_zone).date()
    state = tracking.program_state(db, profile_name=user.profile_name)
    try:
        version = state.require()
    except programs.ProgramUnavailable:
        version = None
    cal: Calendar
    if version is not None and settings.session_times:
        data = exports.program_to_ics(
            version,
            custom_exercises.catalog_for_program(db, version.program),
            start=today,
            days=FEED_DAYS,
            times=settings.session_times,
            tz=zone_name,
            profile=tracking.get_profile(db, user.profile_name),
            dtstamp=now,
        )
        cal = Calendar.from_ical(data)
    else:
        cal = Calendar()
        cal.add("prodid", "-//psoas//home program//EN")
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.add("method", "PUBLISH")
    cal["x-wr-calname"] = "psoas"
    cal["x-wr-timezone"] = zone_name
    cal.add("refresh-interval", timedelta(hours=6), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT6H")
    for event in appointments.calendar_events(db, patient=user, now=now):
        cal.add_component(event)
    ical: bytes = cal.to_ical()
    return ical


def program_sessions_per_day(db: Database, *, user: User) -> int | None:
    """How many sessions a day the person's program asks for (None without one to show)."""
    try:
        version = tracking.program_state(db, profile_name=user.profile_name).require()
    except programs.ProgramUnavailable:
        return None
    return version.program.sessions_per_day


def days_text(days: frozenset[int]) -> str:
    """Working days in a few words: "Mon to Fri", "every day", "Mon, Wed and Fri"."""
    ordered = sorted(days)
    if len(ordered) == 7:
        return "every day"
    if not ordered:
        return "no days"
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{WEEKDAYS[ordered[0]]} to {WEEKDAYS[ordered[-1]]}"
    names = [WEEKDAYS[d] for d in ordered]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def hours_text(settings: Settings, user: User) -> str:
    """The break coach's hours in a sentence, in the person's zone."""
    return (
        f"Breaks {days_text(settings.work_days)}, {clock_text(settings.work_start)} to "
        f"{clock_text(settings.work_end)} ({zone_label(user)})."
    )


def zone_label(user: User) -> str:
    return user.time_zone or timezones.DEFAULT


def _today(now: datetime, user: User) -> date:
    return timezones.local(now, user.time_zone).date()


def people_with_devices(db: Database) -> list[tuple[User, Settings]]:
    """Every patient with reminder settings and at least one push subscription, with their
    settings, in one query (the scheduler's round)."""
    from sqlalchemy import exists, select

    from psoas.storage.tables import PushSubscriptionRow

    with db.session() as s:
        rows = s.execute(
            select(UserRow, ReminderSettingsRow)
            .join(ReminderSettingsRow, ReminderSettingsRow.user_id == UserRow.id)
            .where(
                UserRow.role == "patient",
                exists().where(PushSubscriptionRow.user_id == UserRow.id),
            )
            .order_by(UserRow.id)
        ).all()
        return [
            (
                User(
                    id=u.id,
                    email=u.email,
                    role="patient",
                    display_name=u.display_name,
                    profile_id=u.profile_id,
                    clinician_id=u.clinician_id,
                    time_zone=u.time_zone,
                ),
                _settings(r),
            )
            for u, r in rows
        ]
