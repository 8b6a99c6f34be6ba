"""The patient's pages and their JSON twins, on SQLite and PostgreSQL: assess step by step,
red flags that stop the form and hold the program back everywhere, logging, progress with
charts, downloads, the API with a token and with the cookie session, and no health data in
any URL."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from psoas.reports import pictures
from tests.conftest import ALL_NO_HEALTH, ALL_NO_RED_FLAGS, intake_doc
from tests.integration.conftest import SignedIn, Web

# --- reading pages as a browser would --------------------------------------------------------


class _Page(HTMLParser):
    """The hidden inputs of the first POST form to ``action``, and every link and form target."""

    def __init__(self, action: str | None = None) -> None:
        super().__init__()
        self.action = action
        self.in_form = False
        self.hidden: list[tuple[str, str]] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.urls.append(a.get("action", ""))
            self.in_form = self.action is not None and a.get("action") == self.action
        if tag in ("a", "link") and "href" in a:
            self.urls.append(a["href"])
        if tag in ("img", "script") and "src" in a and not a["src"].startswith("data:"):
            self.urls.append(a["src"])
        if tag == "input" and self.in_form and a.get("type") == "hidden":
            self.hidden.append((a["name"], a.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_form = False


def hidden_fields(page_html: str, action: str = "/me/assess") -> list[tuple[str, str]]:
    page = _Page(action)
    page.feed(page_html)
    return page.hidden


def page_urls(page_html: str) -> list[str]:
    page = _Page()
    page.feed(page_html)
    return page.urls


def text(page_html: str) -> str:
    """The visible words of a page, whitespace collapsed."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page_html, flags=re.S)
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()
    return html.unescape(re.sub(r" ([:.,;\]])", r"\1", words))


# --- the answers, section by section ---------------------------------------------------------

NO = "no"
V2_RED_FLAGS = (
    "new_sexual_dysfunction_or_genital_numbness",
    "weakness_in_both_legs",
    "new_unsteady_walking",
    "new_severe_abdominal_pain",
)
OFFICE_WORKER: list[tuple[str, list[tuple[str, str]]]] = [
    ("About you", [("person.age", "38"), ("person.sex", "female")]),
    (
        "Warning signs",
        [(f"red_flags.{k}", NO) for k in ALL_NO_RED_FLAGS]
        + [(f"red_flags.{k}", NO) for k in V2_RED_FLAGS]
        + [("pain.leg_symptoms.left", "none"), ("pain.leg_symptoms.right", "above_knee")],
    ),
    (
        "Your pain",
        [
            ("pain.intensity_now", "5"),
            ("pain.intensity_worst_week", "7"),
            ("pain.duration_weeks", "10"),
            ("pain.onset", "gradual"),
            ("pain.areas", "low_back"),
            ("pain.areas", "front_of_hip"),
            ("pain.side", "right"),
            ("pain.numbness_or_tingling_below_knee", NO),
            ("pain.worse_with", "prolonged_sitting"),
            ("pain.worse_with", "rising_from_sitting"),
            ("pain.better_with", "moving_about"),
        ],
    ),
    (
        "Your day",
        [
            ("daily_life.occupation", "office administrator"),
            ("daily_life.sitting_hours_per_day", "9"),
            ("daily_life.longest_sitting_minutes", "120"),
            ("daily_life.activities", "walking"),
            ("daily_life.has_standing_desk", NO),
        ],
    ),
    (
        "Health questions",
        [(f"health.{k}", NO) for k in ALL_NO_HEALTH] + [("health.postpartum_within_6_months", NO)],
    ),
    (
        "What you can do",
        [
            ("equipment_and_ability.can_stand_unaided", "yes"),
            ("equipment_and_ability.uses_wheelchair", NO),
            ("health.falls_or_poor_balance", NO),
            ("equipment_and_ability.can_get_down_to_floor", "yes"),
            ("equipment_and_ability.can_kneel", "yes"),
            ("equipment_and_ability.has_massage_gun", "yes"),
            ("equipment_and_ability.has_release_tool", NO),
            ("equipment_and_ability.has_table_or_firm_bed_edge", "yes"),
        ],
    ),
    ("How the pain is affecting you", []),
    ("Your time", [("preferences.minutes_per_day", "60")]),
    (
        "Examination findings",
        [
            ("observations.thomas_test.left.hip_angle_deg", "2"),
            ("observations.thomas_test.right.hip_angle_deg", "14"),
        ],
    ),
]
HEALTH_VALUES = ("38", "office administrator", "prolonged_sitting", "intensity", "hip_angle")


def post_step(me: SignedIn, page_html: str, answers: list[tuple[str, str]], action: str = "next"):  # type: ignore[no-untyped-def]
    """Submit the step shown in ``page_html`` with ``answers``, as the browser would."""
    fields = [*hidden_fields(page_html), *answers, ("action", action)]
    return me.client.post("/me/assess", data=_form(fields), follow_redirects=False)


def _form(fields: list[tuple[str, str]]) -> dict[str, Any]:
    """httpx wants repeated names as a list."""
    out: dict[str, Any] = {}
    for name, value in fields:
        if name in out:
            out[name] = [*out[name], value] if isinstance(out[name], list) else [out[name], value]
        else:
            out[name] = value
    return out


def walk_assessment(me: SignedIn) -> list[str]:
    """Answer every step of /me/assess; returns every URL seen (links, forms, redirects)."""
    page = me.client.get("/me/assess")
    assert page.status_code == 200
    seen = page_urls(page.text)
    for n, (title, answers) in enumerate(OFFICE_WORKER):
        assert f"Step {n + 1} of {len(OFFICE_WORKER)}" in page.text
        assert title in page.text, title
        page = post_step(me, page.text, answers)
        seen += page_urls(page.text)
        if n < len(OFFICE_WORKER) - 1:
            assert page.status_code == 200, text(page.text)[:2000]
    assert page.status_code == 303, text(page.text)[:2000]
    seen.append(page.headers["location"])
    return seen


def api_assess(me: SignedIn, **changes: Any) -> dict[str, Any]:
    doc = intake_doc(
        preferences={"minutes_per_day": 60},
        pain={"worse_with": ["prolonged_sitting"], "areas": ["low_back", "front_of_hip"]},
        **changes,
    )
    response = me.api("POST", "/api/v1/me/assessment", json=doc)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def backup(me: SignedIn) -> dict[str, Any]:
    response = me.client.get("/me/download/backup.json")
    assert response.status_code == 200
    data: dict[str, Any] = response.json()
    return data


# --- tests -------------------------------------------------------------------------------------


def test_assess_step_by_step_to_a_program(web: Web) -> None:
    me = web.sign_up("ana@example.org", name="Ana")
    home = me.client.get("/me")
    assert home.status_code == 200
    assert 'href="/me/assess"' in home.text and "Start the assessment" in home.text

    # A bad answer names the question, keeps the answers, and moves nowhere.
    page = me.client.get("/me/assess")
    page = post_step(me, page.text, OFFICE_WORKER[0][1])
    page = post_step(me, page.text, OFFICE_WORKER[1][1])
    bad = [(k, "11" if k == "pain.intensity_now" else v) for k, v in OFFICE_WORKER[2][1]]
    refused = post_step(me, page.text, bad)
    assert refused.status_code == 400
    words = text(refused.text)
    assert "How bad is the pain right now" in words and "must be from 0 to 10" in words
    assert 'value="11"' in refused.text and 'value="front_of_hip" checked' in refused.text
    assert 'name="person.age" value="38"' in refused.text  # earlier answers carried along
    missing = post_step(me, page.text, [a for a in OFFICE_WORKER[2][1] if a[0] != "pain.side"])
    assert missing.status_code == 400 and "Which side?: please answer" in text(missing.text)
    # Back keeps what was typed on this step too.
    back = post_step(me, refused.text, [("pain.intensity_now", "6")], action="back")
    assert "Warning signs" in back.text and 'name="pain.intensity_now" value="6"' in back.text
    assert me.client.get("/api/v1/me/assessment").status_code == 404  # nothing saved

    seen = walk_assessment(me)
    assert seen[-1] == "/me/result"
    result = me.client.get("/me/result")
    words = text(result.text)
    assert "SELF-CARE" in words and "No warning sign was found" in words
    assert "Hip flexors: likely" in words or "Hip flexors: possible" in words
    assert "Tighter side: right" in words
    assert "Massage-gun release" in words and "left 1 min, right 1 min" in words
    assert words.count("It does not diagnose and it does not replace an examination") == 1
    assert 'id="ref-bandy-1997"' in result.text and "Physical Therapy 77(10):1090-1096" in words

    home = me.client.get("/me")
    words = text(home.text)
    assert "Start the assessment" not in words
    for expected in (
        "Dose: left 3 sets, right 4 sets",
        "Step by step",
        "Why it is in your program",
        "Mistakes to avoid",
    ):
        assert expected in words, expected
    assert words.count("Why it is in your program") >= 5 and 'href="#ref-bandy-1997"' in home.text
    assert 'id="ref-bandy-1997"' in home.text
    assert "Left out, and why" in words and "Release tool" in words
    links = ("/me/session", "/me/breaks", "/me/log", "/me/progress", "/me/download/handout.pdf")
    for link in links:
        assert f'href="{link}"' in home.text, link
    assert all("?" not in url for url in seen)

    program = me.client.get("/api/v1/me/program").json()
    assert program["version"] == 1
    saved = me.client.get("/api/v1/me/assessment").json()
    assert saved["triage"]["level"] == "self_care" and saved["tighter_side"] == "right"


def test_red_flag_stops_the_form_and_holds_the_program_back_everywhere(web: Web) -> None:
    me = web.sign_up("ben@example.org", name="Ben")
    api_assess(me)  # a program first: a later red flag must hold it back
    assert me.client.get("/me/download/handout.pdf").status_code == 200

    page = me.client.get("/me/assess")
    page = post_step(me, page.text, OFFICE_WORKER[0][1])
    flags = [(k, "yes" if k == "red_flags.saddle_numbness" else v) for k, v in OFFICE_WORKER[1][1]]
    stop = post_step(me, page.text, flags)
    assert stop.status_code == 200
    words = text(stop.text)
    assert "emergency department" in words and "cauda equina" in words
    assert "The questions stop here" in words
    assert 'action="/me/assess"' not in stop.text and "Dose:" not in words

    exercise_names = ("Massage-gun release", "Half-kneeling hip-flexor stretch", "Dead bug")
    home = text(me.client.get("/me").text)
    assert "Home program held back" in home and "emergency department" in home
    assert not any(name in home for name in exercise_names)
    result = text(me.client.get("/me/result").text)
    assert "Home program: held back" in result and "EMERGENCY" in result
    assert not any(name in result for name in exercise_names)

    for name in ("handout.pdf", "program.ics"):
        refused = me.client.get(f"/me/download/{name}")
        assert refused.status_code == 404
        assert "held back" in refused.text and "attachment" not in refused.headers.get(
            "content-disposition", ""
        )
    bundle = me.client.get("/me/download/fhir.json").json()
    plans = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "CarePlan"]
    assert plans and all(p["status"] != "active" for p in plans)
    assert me.client.get("/api/v1/me/export/ics").status_code == 404
    program = me.client.get("/api/v1/me/program")
    assert program.status_code == 404 and "held back" in program.json()["detail"]
    progress = me.client.get("/api/v1/me/progress").json()
    assert progress["decision"] is None and "held back" in progress["held_back"]
    page = text(me.client.get("/me/progress").text)
    assert "Next: see a doctor first" in page
    assert me.api("POST", "/api/v1/me/progress/apply").status_code == 409

    # Answering again without the warning sign gives the program back.
    api_assess(me)
    assert "Massage-gun release" in text(me.client.get("/me").text)


def test_log_pain_function_and_retest_and_refuse_bad_values(web: Web) -> None:
    me = web.sign_up("cai@example.org")
    api_assess(me)
    saved = me.post("/me/log", {"kind": "pain", "score": "4"}, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == "/me/log?saved=pain"
    assert "Today's pain is saved" in text(me.client.get(saved.headers["location"]).text)

    for value in ("11", "four"):
        refused = me.post("/me/log", {"kind": "pain", "score": value})
        assert refused.status_code == 400
        assert (
            '<a href="#score">Pain today is a whole number from 0 (no pain) to 10 (worst).</a>'
            in refused.text
        )
        assert "Nothing was saved" in text(refused.text)
    refused = me.post("/me/log", {"kind": "pain", "score": ""})
    assert "Choose how much it hurts today, from 0 (no pain) to 10 (worst)." in text(refused.text)

    activities = {
        "activity_1": "Sitting through a meeting",
        "score_1": "4",
        "activity_2": "Getting out of the car",
        "score_2": "3",
        "activity_3": "Walking the dog",
        "score_3": "6",
    }
    saved = me.post("/me/log", {"kind": "psfs", **activities}, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == "/me/log?saved=psfs"
    page = me.client.get("/me/log").text
    assert 'value="Getting out of the car"' in page  # offered again next time
    for changes, message, field in (
        ({"score_2": "12"}, "Activity 2: the score is a whole number from 0 to 10.", "score_2"),
        (
            {"activity_3": "", "score_3": ""},
            "Add at least 3 activities, each with a score from 0 to 10.",
            "activity_3",
        ),
        (
            {"activity_2": "walking the dog"},
            "List each activity once: two of them are the same.",
            "activity_1",
        ),
        (
            {"score_1": ""},
            "Activity 1: give it a score from 0 (cannot do it) to 10 (as before).",
            "score_1",
        ),
        ({"activity_2": "x"}, "Activity 2: describe it in a few words.", "activity_2"),
    ):
        refused = me.post("/me/log", {"kind": "psfs", **activities, **changes})
        assert refused.status_code == 400, changes
        assert f'<a href="#{field}">{message}</a>' in refused.text, (changes, text(refused.text))
        assert f'id="{field}"' in refused.text
        # never a field path or a developer's words
        assert not re.search(r"activities\[|item\(s\)|must be at|is required", text(refused.text))

    saved = me.post(
        "/me/log",
        {
            "kind": "retest",
            "thomas_left_hip_deg": "2",
            "thomas_right_hip_deg": "12.5",
            "resisted_right": "weak",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/me/log?saved=retest"
    for form, message in (
        ({"thomas_left_hip_deg": "70"}, "Left hip angle: a number of degrees from -40 to 60."),
        ({"thomas_right_knee_deg": "x"}, "Right knee angle: a number of degrees from 0 to 160."),
        (
            {"resisted_left": "sore"},
            "Resisted hip flexion, left: choose one of the answers in the list.",
        ),
        ({}, "Fill in at least one measurement: a hip or knee angle, or how resisted hip"),
    ):
        refused = me.post("/me/log", {"kind": "retest", **form})
        assert refused.status_code == 400 and message in text(refused.text), form
        assert "must be" not in text(refused.text) and "thomas_" not in text(refused.text)

    stored = backup(me)
    assert [p["score"] for p in stored["pain"]] == [4]
    assert len(stored["psfs"]) == 1 and len(stored["retests"]) == 1
    assert stored["retests"][0]["thomas_right_hip_deg"] == 12.5


def test_progress_page_charts_and_applying_the_decision(web: Web) -> None:
    me = web.sign_up("dee@example.org")
    api_assess(me)  # pain 4 at the start
    page = me.client.get("/me/progress")
    assert page.status_code == 200 and "No charts yet" in page.text
    me.post("/me/log", {"kind": "retest", "thomas_left_hip_deg": "8", "thomas_right_hip_deg": "9"})
    for day in range(4):
        web.clock.advance(days=1)
        assert me.api("POST", "/api/v1/me/pain", json={"score": 8}).status_code == 201
        if day == 1:
            me.post(
                "/me/log",
                {
                    "kind": "psfs",
                    "activity_1": "Sitting at work",
                    "score_1": "3",
                    "activity_2": "Driving",
                    "score_2": "4",
                    "activity_3": "Lifting a bag",
                    "score_3": "5",
                },
            )
    page = me.client.get("/me/progress")
    assert page.status_code == 200
    words = text(page.text)
    assert "Pain (0-10): at the start → last 7 days 4 → 8.0" in words
    # pain that rose this much asks for the warning signs before any change
    assert "Next: answer the warning-sign questions again first" in words
    from tests.integration.test_recheck import _calm_answers

    answers = _calm_answers(me.client.get("/me/recheck").text)
    assert me.post("/me/recheck", {**answers, "pain_now": "8"}).status_code == 200
    words = text(me.client.get("/me/progress").text)
    assert "Next: keep going as you are" in words  # the re-check made the program gentler
    for _day in range(7):  # a week on the gentler program, and the pain stays up
        web.clock.advance(days=1)
        assert me.api("POST", "/api/v1/me/pain", json={"score": 8}).status_code == 201
    page = me.client.get("/me/progress")
    words = text(page.text)
    assert "Next: step back" in words and "Please see a physiotherapist" in words
    figures = re.findall(r"<figure.*?</figure>", page.text, flags=re.S)
    assert len(figures) >= 3
    for figure in figures:
        # drawn in the browser from the numbers; the words and the table are in the page
        assert "data:image" not in figure and "<figcaption>" in figure
        assert re.search(r'role="img" aria-label="[^"]{20,}"', figure)
        assert '<details class="numbers">' in figure and "<table>" in figure
    data = json.loads(re.search(r'id="chart-data">(.*?)</script>', page.text, re.S).group(1))  # type: ignore[union-attr]
    assert [c["id"] for c in data] == ["pain", "function", "retest"]
    pain = data[0]
    assert pain["band"] == [2, 6] and [p[1] for p in pain["series"][0]["points"]][-1] == 8
    assert "Pain ratings from 0 to 10 over time" in page.text
    assert '<script src="/static/progress-charts.js" defer></script>' in page.text
    assert 'action="/me/progress"' in page.text and "Step my program back" in words

    summary = me.client.get("/api/v1/me/progress").json()
    assert summary["decision"]["kind"] == "regress" and summary["held_back"] is None
    applied = me.post("/me/progress", follow_redirects=False)
    assert applied.status_code == 303 and applied.headers["location"] == "/me?saved=applied"
    home = text(me.client.get(applied.headers["location"]).text)
    assert "Your program is updated" in home and "Version 3" in home  # 2 was the re-check's
    assert me.client.get("/api/v1/me/program").json()["version"] == 3
    again = me.api("POST", "/api/v1/me/progress/apply")
    assert again.status_code == 409 and "Nothing to apply" in again.json()["detail"]
    page = me.post("/me/progress")  # the page says so in plain words, with the way on
    assert page.status_code == 409 and "Nothing to apply" in text(page.text)
    assert "Please fix" not in text(page.text)
    assert '<a href="#next">What happens next</a>' in page.text
    assert me.client.get("/api/v1/me/program").json()["version"] == 3


def test_downloads_are_attachments_that_parse(web: Web) -> None:
    me = web.sign_up("eve@example.org", name="Eve Example")
    api_assess(me)
    me.post("/me/log", {"kind": "pain", "score": "3"})
    expected = {
        "handout.pdf": "application/pdf",
        "program.ics": "text/calendar",
        "history.csv": "text/csv",
        "fhir.json": "application/fhir+json",
        "backup.json": "application/json",
    }
    files = {}
    for name, content_type in expected.items():
        response = me.client.get(f"/me/download/{name}")
        assert response.status_code == 200, name
        assert response.headers["content-type"].startswith(content_type), name
        assert response.headers["content-disposition"].startswith("attachment; filename=")
        files[name] = response.content
    assert files["handout.pdf"].startswith(b"%PDF") and files["handout.pdf"].rstrip().endswith(
        b"%%EOF"
    )
    rows = list(csv.DictReader(io.StringIO(files["history.csv"].decode())))
    assert [r["kind"] for r in rows] == ["pain"] and rows[0]["score"] == "3"
    assert json.loads(files["fhir.json"])["resourceType"] == "Bundle"
    assert files["program.ics"].startswith(b"BEGIN:VCALENDAR")
    assert json.loads(files["backup.json"])["format"] == "psoas-history"
    for fmt, content_type in (
        ("json", "application/json"),
        ("csv", "text/csv"),
        ("fhir", "application/fhir+json"),
        ("ics", "text/calendar"),
    ):
        response = me.client.get(f"/api/v1/me/export/{fmt}")
        assert response.status_code == 200 and response.headers["content-type"].startswith(
            content_type
        )
    assert me.client.get("/api/v1/me/export/xml").status_code == 422
    assert me.client.get("/me/download/secrets.txt").status_code == 404

    fresh = web.sign_up("fay@example.org")
    refused = fresh.client.get("/me/download/handout.pdf")
    assert refused.status_code == 404 and "Start the assessment" in refused.text
    assert fresh.client.get("/me/download/history.csv").status_code == 200


def _token(me: SignedIn) -> str:
    page = me.post("/account/tokens", {"name": "my script", "scope": "write"})
    match = re.search(r"psoas_[A-Za-z0-9_\-]+", page.text)
    assert match, "the new token is shown once on the account page"
    return match.group(0)


@pytest.mark.parametrize("auth", ["token", "cookie"])
def test_api_twins(web: Web, auth: str) -> None:
    me = web.sign_up(f"gus-{auth}@example.org")
    if auth == "token":
        client = web.client()
        client.headers["Authorization"] = f"Bearer {_token(me)}"

        def call(method: str, url: str, **kw: Any) -> Any:
            return client.request(method, url, **kw)

    else:
        call = me.api
        no_csrf = me.client.post("/api/v1/me/pain", json={"score": 3})
        assert no_csrf.status_code == 403
        assert me.client.get("/api/v1/me/progress").json()["decision"]["kind"] == "hold"

    assert call("GET", "/api/v1/me/assessment").status_code == 404
    missing = call("GET", "/api/v1/me/program")
    assert missing.status_code == 404 and "assessment" in missing.json()["detail"]

    bad = intake_doc(pain={"intensity_now": 11}, person={"age": "forty"})
    invalid = call("POST", "/api/v1/me/assessment", json=bad)
    assert invalid.status_code == 422
    assert {"field": "pain.intensity_now", "message": "must be at most 10"} in invalid.json()[
        "detail"
    ]
    assert {"field": "person.age", "message": "must be a whole number"} in invalid.json()["detail"]
    not_json = call(
        "POST", "/api/v1/me/assessment", content=b"{", headers={"content-type": "application/json"}
    )
    assert not_json.status_code == 422 and not_json.json()["detail"][0]["field"] == "(document)"
    assert call("GET", "/api/v1/me/assessment").status_code == 404  # nothing saved

    made = call("POST", "/api/v1/me/assessment", json=intake_doc())
    assert made.status_code == 201 and made.json()["triage"]["level"] == "self_care"
    assert call("GET", "/api/v1/me/assessment").json() == made.json()
    program = call("GET", "/api/v1/me/program").json()
    assert program["version"] == 1 and program["program"]["items"]

    pain = call("POST", "/api/v1/me/pain", json={"score": 3})
    assert pain.status_code == 201 and pain.json()["score"] == 3
    for body, field in (({"score": 11}, "score"), ({"score": "3"}, "score"), ({}, "score")):
        refused = call("POST", "/api/v1/me/pain", json=body)
        assert refused.status_code == 422 and refused.json()["detail"][0]["field"] == field
    refused = call("POST", "/api/v1/me/pain", json={"score": 3, "note": "x"})
    assert refused.json()["detail"] == [{"field": "note", "message": "is not a known field"}]
    psfs = {"activities": [{"activity": a, "score": 5} for a in ("sit", "drive", "lift")]}
    assert call("POST", "/api/v1/me/psfs", json=psfs).status_code == 201
    psfs["activities"][1]["score"] = 12
    refused = call("POST", "/api/v1/me/psfs", json=psfs)
    assert refused.json()["detail"] == [
        {"field": "activities[1].score", "message": "must be at most 10"}
    ]
    assert call("POST", "/api/v1/me/retest", json={"thomas_left_hip_deg": 5}).status_code == 201
    refused = call("POST", "/api/v1/me/retest", json={})
    assert refused.status_code == 422 and refused.json()["detail"][0]["field"] == "retest"

    progress = call("GET", "/api/v1/me/progress").json()
    assert progress["summary"]["program_version"] == 1
    assert progress["decision"]["kind"] in ("hold", "progress", "regress")
    assert call("GET", "/api/v1/me/export/csv").text.count("\r\n") == 1 + 1 + 3 + 1

    stored = call("GET", "/api/v1/me/export/json").json()
    assert [p["score"] for p in stored["pain"]] == [3] and len(stored["psfs"]) == 1


def test_clinicians_and_strangers_get_nothing(web: Web) -> None:
    doc = web.sign_up("dr@example.org", role="clinician")
    for url in ("/api/v1/me/program", "/api/v1/me/progress", "/api/v1/me/export/json"):
        assert doc.client.get(url).status_code == 404, url
    assert doc.api("POST", "/api/v1/me/pain", json={"score": 3}).status_code == 404
    assert doc.client.get("/me").status_code == 404
    assert doc.client.get("/me/download/backup.json").status_code == 404
    stranger = web.client()
    assert stranger.get("/api/v1/me/program").status_code == 401
    page = stranger.get("/me/progress", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/signin"


def test_openapi_describes_the_patient_api(web: Web) -> None:
    spec = web.client().get("/api/openapi.json").json()
    paths = spec["paths"]
    post = paths["/api/v1/me/assessment"]["post"]
    assert post["tags"] == ["patient"]
    body = post["requestBody"]["content"]["application/json"]["schema"]
    assert "$ref" not in json.dumps(body) and "intensity_now" in json.dumps(body)
    assert "ProblemsOut" in json.dumps(post["responses"]["422"])
    for path in ("/api/v1/me/pain", "/api/v1/me/psfs", "/api/v1/me/retest"):
        assert paths[path]["post"]["responses"]["201"], path
    assert "ProgressOut" in json.dumps(paths["/api/v1/me/progress"]["get"]["responses"])


def test_no_health_value_in_any_url(web: Web) -> None:
    me = web.sign_up("hal@example.org")
    seen = walk_assessment(me)
    responses = [
        me.post("/me/log", {"kind": "pain", "score": "6"}, follow_redirects=False),
        me.post("/me/log", {"kind": "pain", "score": "66"}),
        me.post(
            "/me/log",
            {"kind": "retest", "thomas_left_hip_deg": "17", "thomas_right_hip_deg": "3"},
            follow_redirects=False,
        ),
    ]
    for url in ("/me", "/me/result", "/me/log", "/me/progress", "/me/assess"):
        responses.append(me.client.get(url))
    for response in responses:
        seen += page_urls(response.text)
        if "location" in response.headers:
            seen.append(response.headers["location"])
    assert seen
    for url in seen:
        parts = urlsplit(url)
        assert set(parse_qs(parts.query)) <= {"saved", "v", "side"}, url
        for value in parse_qs(parts.query).get("saved", []):
            assert value in ("pain", "psfs", "retest", "applied"), url
        # the pictures' addresses carry the release and the side drawn, nothing of the person
        assert parse_qs(parts.query).get("v", [pictures.version()]) == [pictures.version()], url
        assert parse_qs(parts.query).get("side", ["left"])[0] in ("left", "right"), url
        assert not any(v in url for v in HEALTH_VALUES), url
        assert not re.search(r"/\d+(/|$)", parts.path) or parts.path.startswith("/account"), url


def test_the_thomas_test_reads_one_start_and_latest_everywhere(web: Web) -> None:
    """The table, the sentence, the chart and the API read the same baseline and latest
    re-test; a first re-test is never followed by "no re-test yet"."""
    me = web.sign_up("tom@example.org")
    api_assess(me)  # no Thomas test at the assessment
    web.clock.advance(days=1)
    me.post("/me/log", {"kind": "retest", "thomas_left_hip_deg": "8", "thomas_right_hip_deg": "9"})
    words = text(me.client.get("/me/progress").text)
    assert (
        "Thomas test left hip (degrees): start → latest 8 (first re-test) → re-test again" in words
    )
    assert "thigh 8 degrees above the table at your first re-test" in words
    assert "no re-test" not in words
    retest = me.api("GET", "/api/v1/me/progress").json()["summary"]["retest"]
    assert (retest["left"]["first"], retest["left"]["first_from"]) == (8, "retest")
    assert retest["left"]["latest"] is None
    web.clock.advance(days=2)
    me.post("/me/log", {"kind": "retest", "thomas_left_hip_deg": "3", "thomas_right_hip_deg": "9"})
    words = text(me.client.get("/me/progress").text)
    assert "start → latest 8 (first re-test) → 3 (latest re-test)" in words
    assert "at your first re-test, thigh 3 degrees above the table at the latest re-test" in words

    measured = web.sign_up("tia@example.org")
    api_assess(
        measured,
        observations={
            "thomas_test": {"left": {"hip_angle_deg": 12}, "right": {"hip_angle_deg": 14}}
        },
    )
    words = text(measured.client.get("/me/progress").text)
    assert "Thomas test left hip (degrees): start → latest 12 (assessment) → not re-tested" in words
    assert "at the assessment; no re-test of this side yet" in words
    web.clock.advance(days=1)
    measured.post(
        "/me/log", {"kind": "retest", "thomas_left_hip_deg": "1", "thomas_right_hip_deg": "13"}
    )
    page = measured.client.get("/me/progress").text
    words = text(page)
    assert "start → latest 12 (assessment) → 1 (latest re-test)" in words
    assert "at the assessment, thigh 1 degree above the table at the latest re-test" in words
    retest = measured.api("GET", "/api/v1/me/progress").json()["summary"]["retest"]
    assert (retest["left"]["first"], retest["left"]["latest"]) == (12, 1)
    assert "Hip flexor length (Thomas test)" in page  # the chart, drawn from the same points
    data = json.loads(re.search(r'id="chart-data">(.*?)</script>', page, re.S).group(1))  # type: ignore[union-attr]
    left = next(c for c in data if c["id"] == "retest")["series"][0]
    assert left["name"] == "Left hip" and [p[1] for p in left["points"]] == [12, 1]


def test_dates_on_the_pages_are_the_persons_own_days(web: Web) -> None:
    """Noon in London is already tomorrow in Auckland: the program's version and the progress
    page show the person's own day, not UTC's (every page's times go through ``local``)."""
    from datetime import UTC, datetime

    web.clock.now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # 01:00 on the 24th in Auckland
    me = web.sign_up("kiri@example.org")
    assert me.post("/account/time-zone", {"time_zone": "Pacific/Auckland"}).status_code < 400
    api_assess(me)
    program = text(me.client.get("/me").text)
    assert "24 November 2026" in program and "23 November 2026" not in program
    assert "As of 24 November 2026" in text(me.client.get("/me/progress").text)
