"""The guided session player and the break coach in a real Chromium over real HTTP: sets saved as
they end, kept on the device while offline and sent exactly once when back; a reload carries on;
the break prompt records its answer. Time runs fast through `window.PSOAS_SPEED`."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from psoas.catalog import load_catalog
from psoas.domain.adherence import planned_sets, session_report
from psoas.domain.assess import assess
from psoas.domain.tracking import BreakEvent
from psoas.services import accounts, tracking
from psoas.services.assessment import parse_intake
from psoas.storage.tables import SetLogRow
from tests.conftest import EXAMPLES
from tests.e2e.conftest import Served

SCREENSHOT = "/tmp/psoas-player.png"


def sign_up_with_a_program(page: Any, server: Served, email: str) -> str:
    """Create a patient account in the browser and keep the office worker's program for them."""
    page.goto("/signup")
    page.fill("#display_name", "Pat")
    page.fill("#email", email)
    page.fill("#password", "correct horse battery")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/me"))
    user_id = page.request.get("/api/v1/me").json()["id"]
    profile = accounts.profile_name_for(user_id)
    doc = json.loads((EXAMPLES / "office-worker.json").read_text())
    doc["preferences"]["minutes_per_day"] = 60  # time for the release, which leads the session
    intake = parse_intake(json.dumps(doc))
    tracking.save_assessment(
        server.db,
        profile_name=profile,
        intake=intake,
        assessment=assess(intake, load_catalog()),
        now=datetime.now(UTC),
    )
    return profile


def stored_keys(server: Served, profile: str) -> list[str]:
    return [s.key for s in tracking.history(server.db, profile_name=profile).sets]


def wait_until(check: Callable[[], bool], timeout: float = 20, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def local_session(page: Any) -> dict[str, Any]:
    found: dict[str, Any] = page.evaluate(
        """() => {
          const key = Object.keys(localStorage).find(k => k.endsWith('.session'));
          return JSON.parse(localStorage.getItem(key));
        }"""
    )
    return found


def queue(page: Any) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = page.evaluate(
        """() => {
          const key = Object.keys(localStorage).find(k => k.endsWith('.queue'));
          return key ? JSON.parse(localStorage.getItem(key)) : [];
        }"""
    )
    return entries


def queued(page: Any) -> int:
    return len(queue(page))


def serious_accessibility_problems(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]

    violations = Axe().run(page).response["violations"]
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])})"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def open_player(page: Any, speed: float) -> None:
    page.add_init_script(f"window.PSOAS_SPEED = {speed};")
    page.goto("/me/session")
    expect(page.locator("#start")).to_be_enabled()
    expect(page.locator("#sync")).to_contain_text("Connected")


def test_sets_survive_going_offline_and_are_stored_exactly_once(
    page: Any, context: Any, server: Served
) -> None:
    profile = sign_up_with_a_program(page, server, "offline@example.org")
    open_player(page, speed=40)
    page.get_by_role("button", name="4", exact=True).first.click()
    page.click("#start")
    expect(page.locator("#player")).to_be_visible()

    wait_until(lambda: len(stored_keys(server, profile)) >= 2, what="two sets saved online")
    expect(page.locator("#sync")).to_contain_text("Saved:")

    context.set_offline(True)
    online_count = len(stored_keys(server, profile))
    page.wait_for_function(
        "() => /([2-9]|\\d\\d) sets waiting to send/.test(document.getElementById('sync')"
        ".textContent)",
        timeout=20_000,
    )
    assert "offline" in page.locator("#sync").inner_text()
    assert queued(page) >= 2
    # nothing reached the server while offline (one request may have been on its way)
    assert len(stored_keys(server, profile)) <= online_count + 1

    context.set_offline(False)
    expect(page.locator("#sync")).not_to_contain_text("waiting", timeout=20_000)
    wait_until(lambda: queued(page) == 0, what="the queue to empty")

    page.click("#quit")
    page.click("#quit-yes")
    expect(page.locator("#done")).to_be_visible()
    page.locator('[data-pain="after"]').get_by_role("button", name="2", exact=True).click()
    page.click("#save-pain-after")
    wait_until(lambda: queued(page) == 0, what="the finish and pain to be sent")

    keys = stored_keys(server, profile)
    completed = local_session(page)["completed"]
    assert completed >= 3
    assert len(keys) == len(set(keys)) == completed
    h = tracking.history(server.db, profile_name=profile)
    assert [s.status for s in h.sessions] == ["quit"]
    assert sorted((p.context, p.score) for p in h.pain) == [
        ("after_session", 2),
        ("before_session", 4),
    ]
    with server.db.session() as s:
        assert s.scalar(select(func.count()).select_from(SetLogRow)) >= completed


def test_a_reload_sends_what_failed_and_carries_on(page: Any, server: Served) -> None:
    profile = sign_up_with_a_program(page, server, "reload@example.org")
    refused: list[str] = []

    def fail_sets(route: Any) -> None:
        refused.append(route.request.post_data_json["key"])
        route.abort("internetdisconnected")

    page.route("**/api/v1/me/sessions/*/sets", fail_sets)
    open_player(page, speed=40)
    page.click("#start")
    page.wait_for_function(
        "() => /([2-9]|\\d\\d) sets waiting to send/.test(document.getElementById('sync')"
        ".textContent)",
        timeout=20_000,
    )
    page.click("#pause")
    before = local_session(page)
    waiting = [e["body"]["key"] for e in queue(page) if e["type"] == "set"]
    assert len(waiting) == before["completed"] >= 2
    assert refused and set(refused) <= set(waiting)  # a retry reuses the set's key
    assert stored_keys(server, profile) == []

    page.unroute("**/api/v1/me/sessions/*/sets")
    page.reload()
    expect(page.locator("#resume-note")).to_contain_text(f"{before['completed']} of")
    expect(page.locator("#start")).to_have_text("Carry on")
    wait_until(lambda: queued(page) == 0, what="the queue to flush on page load")
    keys = stored_keys(server, profile)
    assert len(keys) == len(set(keys)) == before["completed"]
    assert sorted(keys) == sorted(waiting)  # the keys made before the reload, not new ones
    assert local_session(page)["id"] == before["id"]

    page.click("#start")
    expect(page.locator("#item-name")).not_to_be_empty()
    wait_until(lambda: len(stored_keys(server, profile)) > len(keys), what="one more set")
    h = tracking.history(server.db, profile_name=profile)
    assert len(h.sessions) == 1  # the same session carried on


def test_the_player_at_phone_size(page: Any, server: Served) -> None:
    sign_up_with_a_program(page, server, "phone@example.org")
    open_player(page, speed=4)
    page.get_by_role("button", name="3", exact=True).first.click()
    page.screenshot(path=SCREENSHOT.replace(".png", "-setup.png"), full_page=True)
    assert serious_accessibility_problems(page) == []
    page.click("#start")
    expect(page.locator("#phase")).to_have_text("Release", timeout=10_000)
    expect(page.locator("#cue")).to_contain_text("Breathe")  # the paced breathing has begun
    page.click("#pause")
    expect(page.locator("#pause")).to_have_text("Resume")
    expect(page.locator("#paused")).to_be_visible()
    expect(page.locator("#cue")).to_contain_text("Breathe")
    expect(page.locator("#how-steps li").first).to_be_visible()
    expect(page.locator("#side-set")).to_have_text("Left side · set 1 of 1")
    assert page.locator("#announce").get_attribute("aria-live") == "polite"
    page.locator("#player").scroll_into_view_if_needed()
    page.evaluate("window.scrollTo(0, document.getElementById('player').offsetTop - 8)")
    page.screenshot(path=SCREENSHOT)
    page.screenshot(path=SCREENSHOT.replace(".png", "-full.png"), full_page=True)
    assert serious_accessibility_problems(page) == []
    # every control is a real button a keyboard reaches, big enough for a thumb
    for control in ("#pause", "#skip-set", "#skip-item", "#quit"):
        box = page.locator(control).bounding_box()
        assert box and box["height"] >= 44, control
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page scrolls sideways on a phone"


def test_the_break_prompt_records_the_answer(page: Any, server: Served) -> None:
    profile = sign_up_with_a_program(page, server, "breaks@example.org")
    earlier = datetime.now(UTC) - timedelta(minutes=25)
    tracking.record_break(
        server.db, profile_name=profile, event=BreakEvent(at=earlier, kind="taken")
    )
    # the page counts today in the device's time zone (this machine's, in the test)
    taken_today = 1 + (earlier.astimezone().date() == datetime.now().astimezone().date())
    page.goto("/me/breaks")
    prompt = page.locator("#prompt")
    expect(prompt).to_be_visible()
    expect(page.locator("#movement-name")).not_to_be_empty()
    expect(page.locator("#movement-steps li").first).to_be_visible()
    page.screenshot(path="/tmp/psoas-breaks-prompt.png")
    assert serious_accessibility_problems(page) == []
    page.get_by_role("button", name="Taken").click()
    expect(prompt).to_be_hidden()
    expect(page.locator("#count-taken")).to_have_text(str(taken_today))
    expect(page.locator("#count-prompted")).to_have_text("1")
    expect(page.locator("#countdown")).to_have_text(re.compile(r"^(20:00|19:5\d)$"))
    page.screenshot(path="/tmp/psoas-breaks.png", full_page=True)
    kinds = [b.kind for b in tracking.history(server.db, profile_name=profile).breaks]
    assert kinds == ["taken", "prompted", "taken"]


def all_day_every_day(server: Served, profile: str) -> None:
    """Working hours all day, every day: the break coach runs whenever the test does (it is
    quiet outside the person's working hours, 09:00 to 17:30 on weekdays unless they choose)."""
    from datetime import time as clock

    from psoas.services import reminders

    user = accounts.get_user(server.db, user_id=int(profile.removeprefix("user-")))
    assert user is not None
    every_day = reminders.Settings(
        work_start=clock(0, 0), work_end=clock(23, 59), work_days=frozenset(range(7))
    )
    reminders.save(server.db, user=user, settings=every_day)


def test_a_late_break_state_does_not_reopen_the_answered_prompt(page: Any, server: Served) -> None:
    """The state read sent before the answer comes back after it (the test holds it): the prompt
    all_day_every_day(server, profile)
    stays closed and the answer is stored once. The page's time is Playwright's clock."""
    profile = sign_up_with_a_program(page, server, "late-state@example.org")
    earlier = datetime.now(UTC) - timedelta(minutes=19, seconds=10)  # due in 50 s
    tracking.record_break(
        server.db, profile_name=profile, event=BreakEvent(at=earlier, kind="taken")
    )
    taken_today = 1 + (earlier.astimezone().date() == datetime.now().astimezone().date())

    def kinds() -> list[str]:
        return [b.kind for b in tracking.history(server.db, profile_name=profile).breaks]

    now = datetime.now(UTC)
    page.clock.install(time=now)
    page.clock.pause_at(now + timedelta(seconds=1))  # from here only the test moves time on
    page.goto("/me/breaks")
    prompt, countdown = page.locator("#prompt"), page.locator("#countdown")
    expect(countdown).to_have_text(re.compile(r"^0:[0-5]\d$"))
    expect(prompt).to_be_hidden()

    held: list[Any] = []  # the page's state reads from now on, answered when the test says
    page.route(re.compile(r"/api/v1/me/breaks/state\?"), lambda route: held.append(route))
    with page.expect_request(re.compile(r"/api/v1/me/breaks/state\?")) as polled:
        page.clock.run_for(5 * 60_000 + 1_000)  # the break comes due, then the 5-minute poll
    expect(prompt).to_be_visible()
    wait_until(lambda: kinds() == ["taken", "prompted"], what="the prompt stored")
    stale = page.request.get(polled.value.url).json()  # the server's reply before the answer
    assert stale["awaiting_answer"] is True
    all_day_every_day(server, profile)

    page.get_by_role("button", name="Taken").click()
    expect(prompt).to_be_hidden()
    page.clock.run_for(3_000)  # the countdown ticks on the answer's state alone
    expect(prompt).to_be_hidden()
    expect(page.locator("#count-taken")).to_have_text(str(taken_today))
    expect(page.locator("#count-prompted")).to_have_text("1")
    expect(countdown).to_have_text(re.compile(r"^(20:00|19:5\d)$"))

    assert held, "the page's state read was not held"
    for route in held:
        with page.expect_event("requestfinished"):
            route.fulfill(json=stale)  # the late reply: the break still waiting for its answer
    page.clock.run_for(3_000)
    expect(prompt).to_be_hidden()
    expect(countdown).to_have_text(re.compile(r"^(20:00|19:5\d)$"))
    assert kinds() == ["taken", "prompted", "taken"]  # one prompt, answered once


def _end_words(profile: str, server: Served, done: list[dict[str, Any]]) -> tuple[str, str]:
    """The title and words the domain gives the end of a session with ``done`` steps."""
    version = tracking.current_program(server.db, profile_name=profile)
    report = session_report(
        planned_sets(version.program),
        [(s["item_id"], s["side"], s["set_number"]) for s in done],
        stopped=False,
    )
    return report.title, report.summary


def test_skip_exercise_then_run_to_the_end(page: Any, server: Served) -> None:
    profile = sign_up_with_a_program(page, server, "whole@example.org")
    plan = page.request.get("/api/v1/me/session-plan").json()
    first_item = plan["steps"][0]["item_id"]
    rest = [s for s in plan["steps"] if s["item_id"] != first_item]
    open_player(page, speed=300)
    page.click("#start")
    expect(page.locator("#item-name")).to_contain_text(plan["steps"][0]["name"])
    page.click("#skip-item")
    expect(page.locator("#done")).to_be_visible(timeout=30_000)
    # a skipped exercise is said, never "well done: session complete"
    title, words = _end_words(profile, server, rest)
    assert title == "Session ended: part done"
    expect(page.locator("#done-title")).to_have_text(title)
    expect(page.locator("#done-summary")).to_have_text(words)
    assert words.startswith(f"You did {len(rest)} of {len(plan['steps'])} sets, about ")
    assert f"Skipped: {plan['steps'][0]['name']} (" in words
    wait_until(lambda: queued(page) == 0, what="everything to be sent")
    page.screenshot(path=SCREENSHOT.replace(".png", "-done.png"))
    h = tracking.history(server.db, profile_name=profile)
    done = [(s.item_id, s.side, s.set_number) for s in h.sets]
    assert done == [(s["item_id"], s["side"], s["set_number"]) for s in rest]
    assert [s.status for s in h.sessions] == ["completed"]


def test_skipping_most_sets_says_so_and_counts_only_the_part_done(
    page: Any, server: Served
) -> None:
    profile = sign_up_with_a_program(page, server, "skipper@example.org")
    plan = page.request.get("/api/v1/me/session-plan").json()
    steps = plan["steps"]
    open_player(page, speed=300)
    page.click("#start")
    expect(page.locator("#item-name")).to_contain_text(steps[0]["name"])
    # every set but the last two skipped, in one go (no timer tick in between)
    page.evaluate(
        f"for (let i = 0; i < {len(steps) - 2}; i++) document.getElementById('skip-set').click()"
    )
    expect(page.locator("#done")).to_be_visible(timeout=30_000)
    title, words = _end_words(profile, server, steps[-2:])
    assert title == "Session ended: part done"
    expect(page.locator("#done-title")).to_have_text(title)
    expect(page.locator("#done-summary")).to_have_text(words)
    assert words.startswith(f"You did 2 of {len(steps)} sets, about ")
    wait_until(lambda: queued(page) == 0, what="everything to be sent")
    share = sum(s["share"] for s in steps[-2:])
    (session,) = tracking.history(server.db, profile_name=profile).sessions
    stored = page.request.get(f"/api/v1/me/sessions/{session.id}").json()
    assert stored["status"] == "completed" and stored["work_done"] == pytest.approx(share)
    progress = page.request.get("/api/v1/me/progress").json()["summary"]
    assert progress["adherence_7"]["completed"] == pytest.approx(share)
    assert progress["adherence_7"]["fraction"] < 0.5


def test_a_session_started_without_a_connection_is_created_later(page: Any, server: Served) -> None:
    profile = sign_up_with_a_program(page, server, "late@example.org")
    page.route("**/api/v1/me/sessions", lambda route: route.abort("internetdisconnected"))
    page.add_init_script("window.PSOAS_SPEED = 100;")
    page.goto("/me/session")
    expect(page.locator("#start")).to_be_enabled()
    expect(page.locator("#sync")).to_contain_text("Not connected yet")
    page.click("#start")
    page.wait_for_function(
        "() => /([2-9]|\\d\\d) sets waiting to send/.test(document.getElementById('sync')"
        ".textContent)",
        timeout=20_000,
    )
    assert all(e["sid"] is None for e in queue(page))
    assert tracking.history(server.db, profile_name=profile).sessions == ()

    page.unroute("**/api/v1/me/sessions")
    wait_until(lambda: queued(page) == 0, what="the session to be created and the sets sent")
    h = tracking.history(server.db, profile_name=profile)
    assert len(h.sessions) == 1
    keys = [s.key for s in h.sets]
    assert len(keys) == len(set(keys)) >= 2
    assert local_session(page)["id"] == h.sessions[0].id


def test_pain_before_clearly_higher_sends_the_person_to_the_warning_signs(
    page: Any, server: Served
) -> None:
    """The office worker started at 5/10; 7 before a session is a rise that matters."""
    profile = sign_up_with_a_program(page, server, "higher@example.org")
    open_player(page, speed=4)
    page.locator('[data-pain="before"]').get_by_role("button", name="7", exact=True).click()
    page.click("#start")
    page.wait_for_url(re.compile(r"/me/recheck$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Warning signs, once more")
    history = tracking.history(server.db, profile_name=profile)
    # the session the page opened is closed unstarted, with nothing done in it
    assert all(s.status == "quit" for s in history.sessions) and not history.sets
    assert [(r.score, r.context) for r in history.pain] == [(7, "daily")]


def test_the_player_moves_the_figure_for_the_side_and_shows_where_to_press(
    page: Any, server: Served
) -> None:
    """Issue 11: the figure animates in time with the work, mirrored for the left side, and a
    release shows its placement diagram beside it."""
    sign_up_with_a_program(page, server, "figure@example.org")
    open_player(page, speed=4)
    page.click("#start")
    expect(page.locator("#phase")).to_have_text("Release", timeout=10_000)
    expect(page.locator("#side-set")).to_contain_text("Left side")
    figure = page.locator("#figure svg")
    expect(figure).to_be_visible()
    assert "left" in (page.locator("#figure svg desc").text_content() or "")
    placement = page.locator("#placement")
    expect(placement).to_be_visible()
    assert "side=left" in (placement.get_attribute("src") or "")
    assert page.evaluate("document.getElementById('placement').naturalWidth") > 0
    seen = set()
    deadline = time.monotonic() + 15
    while len(seen) < 3 and time.monotonic() < deadline:
        seen.add(page.evaluate("document.getElementById('figure').dataset.shown"))
        time.sleep(0.2)
    assert len(seen) >= 3, f"the figure did not move: {seen}"
    visible = page.evaluate(
        "[...document.querySelectorAll('#figure g.pose')].filter(g => g.style.display !== 'none')"
        ".length"
    )
    assert visible == 1
    page.screenshot(path=SCREENSHOT.replace(".png", "-figure.png"))
    page.click("#skip-item")
    expect(page.locator("#item-name")).not_to_have_text(re.compile("Massage-gun"))
    expect(page.locator("#placement")).to_be_hidden()
    expect(page.locator("#figure svg title")).not_to_have_text(re.compile("Massage-gun"))
