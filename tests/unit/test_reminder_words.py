"""The words a break reminder uses and the time-zone helper, without a database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from psoas.catalog import load_catalog
from psoas.reports import result_text
from psoas.services import breaks, reminders, timezones


@pytest.mark.parametrize(
    ("movement_id", "count"),
    [
        ("break-sit-to-stand", "10 times"),
        ("break-standing-hip-opener", "hold 30 seconds on each side"),
        ("break-walk", "2 minutes"),
        ("seated-break", "2 minutes"),
        ("pressure-relief-break", "2 minutes"),
    ],
)
def test_a_break_prompt_says_what_to_do_and_how_much(movement_id: str, count: str) -> None:
    movement = load_catalog().exercise(movement_id)
    assert result_text.break_count(movement) == count
    prompt = result_text.break_prompt(movement)
    assert prompt.startswith(f"{movement.name}, {count}: ")
    assert "{" not in prompt  # every dose placeholder is filled in
    terminal = breaks.prompt_text(movement, 30)
    assert terminal == f"You have been sitting 30 minutes. {prompt}"


def test_the_breaks_a_wheelchair_user_gets_never_say_stand() -> None:
    catalog = load_catalog()
    seated = [catalog.exercise("seated-break"), catalog.exercise("pressure-relief-break")]
    assert result_text.seated_breaks(seated)
    for movement in seated:
        words = result_text.break_prompt(movement).lower()
        assert "stand" not in words and "get up" not in words, words
    assert "get up" not in result_text.break_call(True).lower()
    assert "stand" not in breaks.prompt_text(None, 30, seated=True).lower()


def test_a_wall_time_is_placed_by_the_zone_rules() -> None:
    # London: 29 March 2026 skips 01:00-02:00; 25 October repeats 01:00-02:00
    skipped = timezones.at_local(date(2026, 3, 29), time(1, 30), "Europe/London")
    assert skipped.astimezone(UTC) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    repeated = timezones.at_local(date(2026, 10, 25), time(1, 30), "Europe/London")
    assert repeated.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # the first
    summer = timezones.at_local(date(2026, 7, 1), time(7, 30), "Europe/London")
    winter = timezones.at_local(date(2026, 12, 1), time(7, 30), "Europe/London")
    assert (summer.astimezone(UTC).hour, winter.astimezone(UTC).hour) == (6, 7)
    assert timezones.local(winter, None).tzinfo == timezones.zone("UTC")


@pytest.mark.parametrize("name", ["", "Mars/Olympus", "../../etc/passwd", "/etc/localtime"])
def test_only_known_zones_are_kept(name: str) -> None:
    with pytest.raises(timezones.UnknownZone):
        timezones.check_zone(name)
    assert timezones.zone(name or None).key == "UTC"  # shown in UTC meanwhile


def test_the_terminal_uses_the_computers_named_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "America/Chicago")
    assert timezones.zone_name(timezones.machine_zone()) == "America/Chicago"


def test_quiet_hours_may_cross_midnight_and_days_read_plainly() -> None:
    night = reminders.Settings(quiet_start=time(21, 0), quiet_end=time(7, 30))
    assert night.quiet(time(23, 0)) and night.quiet(time(6, 0))
    assert not night.quiet(time(12, 0))
    assert not reminders.Settings().quiet(time(3, 0))
    assert reminders.days_text(frozenset(range(5))) == "Mon to Fri"
    assert reminders.days_text(frozenset({0, 2, 4})) == "Mon, Wed and Fri"
    assert reminders.days_text(frozenset(range(7))) == "every day"


def test_settings_from_a_form_are_checked() -> None:
    chosen = reminders.parse(
        session_times=["19:00", "07:30", "", "07:30"],
        break_nudges=True,
        work_start="08:00",
        work_end="16:00",
        work_days=[0, 1],
    )
    assert chosen.session_times == (time(7, 30), time(19, 0))
    with pytest.raises(reminders.ReminderError, match="not a time like 08:30"):
        reminders.parse(
            session_times=["7pm"],
            break_nudges=False,
            work_start="9:00",
            work_end="17:00",
            work_days=[],
        )
    with pytest.raises(reminders.ReminderError, match="at least one working day"):
        reminders.parse(
            session_times=[],
            break_nudges=True,
            work_start="09:00",
            work_end="17:00",
            work_days=[],
        )


@pytest.mark.parametrize(
    ("endpoint", "public"),
    [
        ("https://fcm.googleapis.com/fcm/send/abc", True),
        ("https://updates.push.services.mozilla.com/wpush/v2/abc", True),
        ("https://web.push.apple.com/QFk", True),
        ("https://localhost/push", False),
        ("https://127.0.0.1/push", False),
        ("https://10.0.0.5/push", False),
        ("https://[::1]/push", False),
        ("https://169.254.169.254/latest/meta-data", False),
        ("https://db.internal/push", False),
        ("https://intranet/push", False),
        ("https://wns2-bl2p.notify.windows.com/w/?token=abc", True),
        ("https://attacker.example/push", False),  # may resolve to a private address
        ("https://fcm.googleapis.com.attacker.example/push", False),
        ("https://notfcm.googleapis.com/push", False),
    ],
)
def test_push_addresses_must_be_public_in_production(endpoint: str, public: bool) -> None:
    from psoas.services import push

    assert push._public_host(endpoint) is public
