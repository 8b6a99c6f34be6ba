"""Each person's time zone: one place that turns a stored UTC time into their local time.

A zone is an IANA name (``Europe/Lisbon``), taken from the browser
(``Intl.DateTimeFormat().resolvedOptions().timeZone``) at sign-up and sign-in, editable on
the account page, and kept on the account. Zone rules come from :mod:`zoneinfo`, so summer
time starts and ends on the right day; a fixed offset never does.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, tzinfo
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

#: Times show in UTC until a person's zone is known.
DEFAULT = "UTC"


class UnknownZone(ValueError):
    """Not a time zone this server knows; the message says so in plain words."""


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def check_zone(name: str) -> str:
    """``name`` if it is a known IANA zone, else UnknownZone."""
    name = name.strip()
    if not name or len(name) > 64 or name.startswith(("/", ".")) or ".." in name:
        raise UnknownZone(f"{name or 'An empty name'} is not a time zone we know.")
    try:
        _zone(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise UnknownZone(
            f"{name} is not a time zone we know. Pick a city such as Europe/London."
        ) from None
    return name


def zone(name: str | None) -> ZoneInfo:
    """The zone called ``name``; UTC when it is missing or no longer known."""
    if name:
        try:
            return _zone(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    return _zone(DEFAULT)


def local(moment: datetime, name: str | None) -> datetime:
    """``moment`` (aware) as the wall-clock time of the person whose zone is ``name``."""
    return moment.astimezone(zone(name))


def at_local(day: date, clock: time, name: str | None) -> datetime:
    """The aware moment when it is ``clock`` on ``day`` in zone ``name``.

    A clock time that does not exist that day (skipped by summer time) falls an hour later;
    one that happens twice is the first."""
    here = zone(name)
    naive = datetime.combine(day, clock)
    moment = naive.replace(tzinfo=here, fold=0)
    # a wall time in the spring gap does not round-trip: move it on past the gap
    back = moment.astimezone(UTC).astimezone(here)
    if back.replace(tzinfo=None) != naive:
        moment = back
    return moment


@lru_cache(maxsize=1)
def names() -> tuple[str, ...]:
    """Every zone name the server knows, sorted (for the account page's list)."""
    return tuple(sorted(n for n in available_timezones() if "/" in n or n == "UTC"))


def machine_zone() -> tzinfo:
    """The zone this computer is set to (for the terminal), by name so summer time follows:
    ``TZ``, else ``/etc/localtime``'s link, else ``/etc/timezone``, else the current offset."""
    candidates: list[str] = []
    if os.environ.get("TZ"):
        candidates.append(os.environ["TZ"].lstrip(":"))
    link = Path("/etc/localtime")
    if link.is_symlink():
        target = str(link.resolve())
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    with_name = Path("/etc/timezone")
    if with_name.is_file():
        candidates.append(with_name.read_text().strip())
    for name in candidates:
        try:
            return _zone(check_zone(name))
        except UnknownZone:
            continue
    fixed = datetime.now().astimezone().tzinfo
    return fixed if fixed is not None else _zone(DEFAULT)


def zone_name(value: tzinfo) -> str:
    """The IANA name of ``value`` where it has one (for iCalendar's TZID), else UTC."""
    return str(getattr(value, "key", DEFAULT))
