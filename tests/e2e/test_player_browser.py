"""The guided session player and the break coach in a real Chromium over real HTTP: sets saved as
they end, kept on the device while offline and sent exactly once when back; a reload carries on;
repetitions are counted with their tempo, sides taken in turn, previous set and +10 s, the
preview before Start and the floor mode; the break prompt records its answer. The page's time is
Playwright's clock (`page.clock`): the tests move it on, never the wall clock or a fixed wait."""

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

    # axe waits on timers of its own: let the page's clock run while it looks, then stop it
    page.clock.resume()
    try:
        violations = Axe().run(page).response["violations"]
    finally:
        now = page.evaluate("Date.now()") / 1000
        page.clock.pause_at(datetime.fromtimestamp(now + 0.5, UTC))
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])})"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def stop_the_clock(page: Any) -> None:
    """From here the page's time (Date, performance.now, timers) moves only when a test says."""
    now = datetime.now(UTC)
    page.clock.install(time=now)
    page.clock.pause_at(now + timedelta(seconds=1))


def open_player(page: Any) -> None:
    stop_the_clock(page)
    page.goto("/me/session")
    expect(page.locator("#start")).to_be_enabled()
    expect(page.locator("#sync")).to_contain_text("Connected")


def run_for(page: Any, server: Served, ms: int) -> None:
    """Move the page's clock on, and the server's with it."""
    page.clock.run_for(ms)
    server.clock.ahead += timedelta(milliseconds=ms)


@pytest.fixture(autouse=True)
def _server_time_is_real_time(server: Served) -> None:
    server.clock.ahead = timedelta(0)


def run_until(
    page: Any,
    server: Served,
    check: str | Callable[[], bool],
    *,
    step_ms: int = 1_000,
    limit_s: int = 4 * 3600,
    what: str = "",
) -> None:
    """Move the page's clock on ``step_ms`` at a time until ``check`` (a JavaScript expression
    or a Python callable) holds; at most ``limit_s`` seconds of the page's time."""
    for _ in range(limit_s * 1000 // step_ms + 1):
        if page.evaluate(check) if isinstance(check, str) else check():
            return
        run_for(page, server, step_ms)
    raise AssertionError(f"never happened in {limit_s} s of the page's time: {what or check}")


SETS_WAITING = (
    "/([2-9]|\\d\\d) sets waiting to send/.test(document.getElementById('sync').textContent)"
)


def test_sets_survive_going_offline_and_are_stored_exactly_once(
    page: Any, context: Any, server: Served
) -> None:
    profile = sign_up_with_a_program(page, server, "offline@example.org")
    open_player(page)
    page.get_by_role("button", name="4", exact=True).first.click()
    page.click("#start")
    expect(page.locator("#player")).to_be_visible()

    run_until(
        page, server, lambda: len(stored_keys(server, profile)) >= 2, what="two sets saved online"
    )
    expect(page.locator("#sync")).to_contain_text("Saved:")

    context.set_offline(True)
    online_count = len(stored_keys(server, profile))
    run_until(page, server, SETS_WAITING, what="sets waiting while offline")
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
    open_player(page)
    page.click("#start")
    run_until(page, server, SETS_WAITING, what="sets waiting after failing")
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
    run_until(
        page, server, lambda: len(stored_keys(server, profile)) > len(keys), what="one more set"
    )
    h = tracking.history(server.db, profile_name=profile)
    assert len(h.sessions) == 1  # the same session carried on


def test_the_player_at_phone_size(page: Any, server: Served) -> None:
    sign_up_with_a_program(page, server, "phone@example.org")
    open_player(page)
    page.get_by_role("button", name="3", exact=True).first.click()
    page.screenshot(path=SCREENSHOT.replace(".png", "-setup.png"), full_page=True)
    assert serious_accessibility_problems(page) == []
    page.uncheck("#floor-start")  # the page as it is, with its menu
    page.click("#start")
    run_until(
        page, server, "document.getElementById('phase').textContent === 'Release'", what="work"
    )
    run_for(page, server, 1_000)
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
    for control in ("#previous", "#pause", "#more-time", "#skip-set", "#skip-item", "#quit"):
        box = page.locator(control).bounding_box()
        assert box and box["height"] >= 44, control
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page scrolls sideways on a phone"


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


def at_midday(page: Any, server: Served) -> datetime:
    """Move the page's and the server's clocks to the next noon (UTC), so that a break due in
    20 minutes is still inside the working day, whatever the hour the test runs at (at 23:45
    the next break is tomorrow's). Returns that noon; the page's clock keeps running."""
    now = datetime.now(UTC)
    noon = now.replace(hour=12, minute=0, second=0, microsecond=0)
    if noon < now + timedelta(minutes=1):
        noon += timedelta(days=1)
    server.clock.ahead = noon - now
    page.clock.install(time=noon)
    return noon


def test_the_break_prompt_records_the_answer(page: Any, server: Served) -> None:
    profile = sign_up_with_a_program(page, server, "breaks@example.org")
    all_day_every_day(server, profile)
    now = at_midday(page, server)
    earlier = now - timedelta(minutes=25)
    tracking.record_break(
        server.db, profile_name=profile, event=BreakEvent(at=earlier, kind="taken")
    )
    # the page counts today in the device's time zone (this machine's, in the test)
    taken_today = 1 + (earlier.astimezone().date() == now.astimezone().date())
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


def test_a_late_break_state_does_not_reopen_the_answered_prompt(page: Any, server: Served) -> None:
    """The state read sent before the answer comes back after it (the test holds it): the prompt
    stays closed and the answer is stored once. The page's time is Playwright's clock."""
    profile = sign_up_with_a_program(page, server, "late-state@example.org")
    all_day_every_day(server, profile)
    now = at_midday(page, server)
    earlier = now - timedelta(minutes=19, seconds=10)  # due in 50 s
    tracking.record_break(
        server.db, profile_name=profile, event=BreakEvent(at=earlier, kind="taken")
    )
    taken_today = 1 + (earlier.astimezone().date() == now.astimezone().date())

    def kinds() -> list[str]:
        return [b.kind for b in tracking.history(server.db, profile_name=profile).breaks]

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
    rest = [p for p in plan["planned"] if p["item_id"] != first_item]
    open_player(page)
    page.click("#start")
    expect(page.locator("#item-name")).to_contain_text(plan["steps"][0]["name"])
    page.click("#skip-item")
    run_until(
        page, server, "!document.getElementById('done').hidden", step_ms=5_000, what="the end"
    )
    # a skipped exercise is said, never "well done: session complete"
    title, words = _end_words(profile, server, rest)
    assert title == "Session ended: part done"
    expect(page.locator("#done-title")).to_have_text(title)
    expect(page.locator("#done-summary")).to_have_text(words)
    assert words.startswith(f"You did {len(rest)} of {len(plan['planned'])} sets, about ")
    assert f"Skipped: {plan['steps'][0]['name']} (" in words
    wait_until(lambda: queued(page) == 0, what="everything to be sent")
    page.screenshot(path=SCREENSHOT.replace(".png", "-done.png"))
    h = tracking.history(server.db, profile_name=profile)
    done = [(s.item_id, s.side, s.set_number) for s in h.sets]
    # sides taken in turn are stored as they are done: left 1, right 1, left 2...
    assert sorted(done) == sorted((s["item_id"], s["side"], s["set_number"]) for s in rest)
    assert [s.status for s in h.sessions] == ["completed"]


def test_skipping_most_sets_says_so_and_counts_only_the_part_done(
    page: Any, server: Served
) -> None:
    profile = sign_up_with_a_program(page, server, "skipper@example.org")
    plan = page.request.get("/api/v1/me/session-plan").json()
    steps, planned = plan["steps"], plan["planned"]
    open_player(page)
    page.click("#start")
    expect(page.locator("#item-name")).to_contain_text(steps[0]["name"])
    # every step but the last two skipped, in one go (no timer tick in between)
    page.evaluate(
        f"for (let i = 0; i < {len(steps) - 2}; i++) document.getElementById('skip-set').click()"
    )
    run_until(
        page, server, "!document.getElementById('done').hidden", step_ms=5_000, what="the end"
    )
    done = [p for p in planned if p["key_part"] in {k for s in steps[-2:] for k in s["covers"]}]
    title, words = _end_words(profile, server, done)
    assert title == "Session ended: part done"
    expect(page.locator("#done-title")).to_have_text(title)
    expect(page.locator("#done-summary")).to_have_text(words)
    assert words.startswith(f"You did {len(done)} of {len(planned)} sets, about ")
    wait_until(lambda: queued(page) == 0, what="everything to be sent")
    share = sum(p["share"] for p in done)
    (session,) = tracking.history(server.db, profile_name=profile).sessions
    stored = page.request.get(f"/api/v1/me/sessions/{session.id}").json()
    assert stored["status"] == "completed" and stored["work_done"] == pytest.approx(share)
    progress = page.request.get("/api/v1/me/progress").json()["summary"]
    assert progress["adherence_7"]["completed"] == pytest.approx(share)
    assert progress["adherence_7"]["fraction"] < 0.5


def test_a_session_started_without_a_connection_is_created_later(page: Any, server: Served) -> None:
    profile = sign_up_with_a_program(page, server, "late@example.org")
    page.route("**/api/v1/me/sessions", lambda route: route.abort("internetdisconnected"))
    stop_the_clock(page)
    page.goto("/me/session")
    expect(page.locator("#start")).to_be_enabled()
    expect(page.locator("#sync")).to_contain_text("Not connected yet")
    page.click("#start")
    run_until(page, server, SETS_WAITING, what="sets kept without a session")
    assert all(e["sid"] is None for e in queue(page))
    assert tracking.history(server.db, profile_name=profile).sessions == ()

    page.unroute("**/api/v1/me/sessions")
    # the queue tries again every 30 s while something waits
    run_until(
        page, server, lambda: queued(page) == 0, what="the session to be created and the sets sent"
    )
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
    open_player(page)
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
    open_player(page)
    page.click("#start")
    run_until(
        page, server, "document.getElementById('phase').textContent === 'Release'", what="work"
    )
    expect(page.locator("#side-set")).to_contain_text("Left side")
    figure = page.locator("#figure svg")
    expect(figure).to_be_visible()
    assert "left" in (page.locator("#figure svg desc").text_content() or "")
    placement = page.locator("#placement")
    expect(placement).to_be_visible()
    assert "side=left" in (placement.get_attribute("src") or "")
    assert page.evaluate("document.getElementById('placement').naturalWidth") > 0
    seen = set()
    for _ in range(60):  # 30 s of the release's time
        seen.add(page.evaluate("document.getElementById('figure').dataset.shown"))
        run_for(page, server, 500)
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


# --- a player made for the floor (issue 12) -----------------------------------------------------

RECORD_SPEECH = """
window.__said = [];
if ('speechSynthesis' in window) {
  window.speechSynthesis.speak = (u) => window.__said.push(u.text);
  window.speechSynthesis.cancel = () => {};
}
"""


def said(page: Any) -> list[str]:
    spoken: list[str] = page.evaluate("window.__said")
    return spoken


def to_item(page: Any, name: str) -> None:
    """Skip exercises until ``name`` is on the screen (its get-ready)."""
    for _ in range(12):
        if name in page.locator("#item-name").inner_text():
            return
        page.click("#skip-item")
    raise AssertionError(f"{name} never came")


def test_the_preview_lists_today_before_start(page: Any, server: Served) -> None:
    sign_up_with_a_program(page, server, "preview@example.org")
    plan = page.request.get("/api/v1/me/session-plan").json()
    open_player(page)
    items = page.locator("#preview li")
    names = list(dict.fromkeys(s["name"] for s in plan["steps"]))
    expect(items).to_have_count(len(names))
    for i, name in enumerate(names):
        expect(items.nth(i).locator(".name")).to_have_text(name)
        expect(items.nth(i).locator(".mins")).to_have_text(re.compile(r"^(\d+ min|under 1 min)$"))
    expect(page.locator("#preview")).to_contain_text("2 sets of 8 each side in turn, 2 s hold")
    expect(page.locator("#preview")).to_contain_text("30 s hold")
    expect(page.locator(".lead")).to_contain_text(f"{len(plan['planned'])} sets of {len(names)}")


def test_repetitions_are_counted_with_their_tempo_and_the_sides_take_turns(
    page: Any, server: Served
) -> None:
    profile = sign_up_with_a_program(page, server, "tempo@example.org")
    plan = page.request.get("/api/v1/me/session-plan").json()
    dead_bug = next(s for s in plan["steps"] if s["item_id"] == "dead-bug")
    tempo = dead_bug["tempo"]
    assert dead_bug["rep_sides"][:2] == ["left", "right"] and dead_bug["rep_count"] == 16
    page.add_init_script(RECORD_SPEECH)
    open_player(page)
    page.check("#speak")
    page.click("#start")
    to_item(page, "Dead bug")
    expect(page.locator("#side-set")).to_have_text("Sides in turn · set 1 of 2")
    expect(page.locator("#done-set")).to_be_hidden()  # Done is for a set of reps, at work
    run_for(page, server, dead_bug["get_ready_seconds"] * 1000 + 300)
    expect(page.locator("#phase")).to_have_text("Hold 2 s × 8 each side, in turn")
    expect(page.locator("#rep")).to_have_text("Rep 1 of 16 · left")
    expect(page.locator("#time")).to_have_text("1/16")
    expect(page.locator("#tempo")).to_have_text(f"{tempo['lift_word']} 2")
    assert "left" in (page.locator("#figure svg desc").text_content() or "")
    run_for(page, server, tempo["lift_seconds"] * 1000)
    expect(page.locator("#tempo")).to_have_text(f"{tempo['hold_word']} 2")
    run_for(page, server, tempo["hold_seconds"] * 1000)
    expect(page.locator("#tempo")).to_have_text(f"{tempo['lower_word']} 2")
    run_for(page, server, (tempo["lower_seconds"] + tempo["between_seconds"]) * 1000)
    expect(page.locator("#rep")).to_have_text("Rep 2 of 16 · right")
    expect(page.locator("#time")).to_have_text("2/16")
    expect(page.locator("#figure svg desc")).to_contain_text("right")  # the other side's figure
    words = said(page)
    assert f"1, left. {tempo['lift_word']}" in words
    # what the set is, said while getting ready, before the count begins
    assert words.index(dead_bug["announcement"]) < words.index(f"1, left. {tempo['lift_word']}")
    assert tempo["hold_word"] in words and tempo["lower_word"] in words
    assert words[-1] == f"2, right. {tempo['lift_word']}"
    expect(page.locator("#more-time")).to_be_disabled()  # a paced set runs rep by rep

    # Done: the person's own pace; the set counts for both sides
    page.click("#done-set")
    expect(page.locator("#phase")).to_have_text("Rest")
    wait_until(
        lambda: (
            {("dead-bug", "left", 1), ("dead-bug", "right", 1)}
            <= {
                (s.item_id, s.side, s.set_number)
                for s in tracking.history(server.db, profile_name=profile).sets
            }
        ),
        what="both sides' first set stored",
    )


def test_previous_set_and_ten_seconds_more(page: Any, server: Served) -> None:
    sign_up_with_a_program(page, server, "previous@example.org")
    plan = page.request.get("/api/v1/me/session-plan").json()
    first, second = plan["steps"][0], plan["steps"][1]
    open_player(page)
    page.click("#start")
    time_text = page.locator("#time")
    expect(time_text).to_have_text(str(first["get_ready_seconds"]))
    page.click("#more-time")
    expect(time_text).to_have_text(str(first["get_ready_seconds"] + 10))
    page.keyboard.press("+")  # the same from the keyboard
    expect(time_text).to_have_text(str(first["get_ready_seconds"] + 20))
    page.keyboard.press("p")
    expect(page.locator("#pause")).to_have_text("Resume")
    page.keyboard.press("p")
    expect(page.locator("#pause")).to_have_text("Pause")

    page.click("#skip-set")  # the second step's get-ready
    expect(page.locator("#side-set")).to_have_text(
        f"{second['side'].capitalize()} side · set {second['set_number']} of "
        f"{second['sets_on_this_side']}"
    )
    page.click("#previous")
    expect(page.locator("#item-name")).to_have_text(first["name"])
    expect(page.locator("#side-set")).to_have_text(
        f"{first['side'].capitalize()} side · set 1 of {first['sets_on_this_side']}"
    )
    expect(page.locator("#phase")).to_have_text("Get ready")
    # resting after a set, Previous does that set again
    stretch = next(i for i, s in enumerate(plan["steps"]) if s["rest_seconds"] and not s["tempo"])
    for _ in range(stretch):
        page.click("#skip-set")
    s = plan["steps"][stretch]
    run_for(page, server, (s["get_ready_seconds"] + s["run_seconds"]) * 1000 + 500)
    expect(page.locator("#phase")).to_have_text("Rest")
    rest_left = int(time_text.inner_text())
    page.click("#more-time")
    expect(time_text).to_have_text(str(rest_left + 10))
    page.keyboard.press("b")
    expect(page.locator("#phase")).to_have_text("Get ready")
    expect(page.locator("#side-set")).to_contain_text(f"set {s['set_number']} of")


def test_the_get_ready_time_follows_the_change_of_position(page: Any, server: Served) -> None:
    sign_up_with_a_program(page, server, "position@example.org")
    plan = page.request.get("/api/v1/me/session-plan").json()
    steps = plan["steps"]
    open_player(page)
    page.click("#start")
    expect(page.locator("#time")).to_have_text(str(steps[0]["get_ready_seconds"]))
    expect(page.locator("#cue")).to_have_text("Lie down on a firm bed or the floor.")
    # the next step: the same item, the other side, in place
    page.click("#skip-set")
    expect(page.locator("#time")).to_have_text(str(steps[1]["get_ready_seconds"]))
    assert steps[1]["get_ready_seconds"] < steps[0]["get_ready_seconds"]
    expect(page.locator("#cue")).to_have_text(f"Change to your {steps[1]['side']} side.")


PORTRAIT, LANDSCAPE, DESKTOP = (390, 844), (844, 390), (1280, 800)


@pytest.mark.parametrize("size", [PORTRAIT, LANDSCAPE, DESKTOP], ids=["phone", "landscape", "desk"])
def test_floor_mode_fills_the_screen_with_the_timer(
    page: Any, server: Served, size: tuple[int, int]
) -> None:
    width, height = size
    sign_up_with_a_program(page, server, f"floor{width}@example.org")
    page.set_viewport_size({"width": width, "height": height})
    open_player(page)
    name = {PORTRAIT: "phone", LANDSCAPE: "landscape", DESKTOP: "desktop"}[size]
    page.screenshot(path=f"/tmp/psoas-floor-{name}-setup.png", full_page=True)
    expect(page.locator("#floor-start")).to_be_checked()
    page.click("#start")
    expect(page.locator("body")).to_have_class(re.compile(r"\bfloor\b"))
    expect(page.locator("header").first).to_be_hidden()  # no site menu
    expect(page.locator("footer").first).to_be_hidden()
    run_until(
        page, server, "document.getElementById('phase').textContent === 'Release'", what="work"
    )
    run_for(page, server, 1_500)
    expect(page.locator("#figure svg")).to_be_visible()
    page.screenshot(path=f"/tmp/psoas-floor-{name}.png")
    timer = page.locator("#time").bounding_box()
    assert timer is not None
    share = 0.30 if size == LANDSCAPE else 0.17
    assert timer["height"] >= share * height, (timer, size)
    # the timer, the figure and the controls fit on the screen without scrolling
    for control in ("#time", "#figure svg", "#pause", "#previous", "#more-time"):
        box = page.locator(control).bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= height, (control, box, size)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert serious_accessibility_problems(page) == []
    to_item(page, "Dead bug")
    run_for(page, server, 20_000)
    page.screenshot(path=f"/tmp/psoas-floor-{name}-reps.png")
    box = page.locator("#done-set").bounding_box()
    assert box and box["y"] + box["height"] <= height
    assert serious_accessibility_problems(page) == []
    page.click("#floor")  # leave it: the menu comes back
    expect(page.locator("header").first).to_be_visible()
    expect(page.locator("#floor")).to_have_text("Full screen")
