"""What the result says on the web, as a person reads it: the heading with its time frame, the
safety net with a tap-to-call emergency number, the other explanations the answers fit, no
hip-flexor findings under an urgent or emergency result, no scores or weights, the disclaimer
once, and sources as citations. Also the home page, the emergency stop, the clinician's page
(which keeps the findings and their weights) and the handout download."""

from __future__ import annotations

import html
import re
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from psoas.domain.questionnaire import QUESTIONS
from psoas.domain.results import Triage
from psoas.domain.triage import heading
from psoas.settings import Settings
from psoas.web.app import create_app
from psoas.web.routes.assessment import STEPS
from tests.conftest import intake_doc, require_tool
from tests.integration.conftest import Clock, SignedIn, Web

# A version 2 intake with nerve-root signs and a painful hip-joint screen: see a clinician, with
# other explanations and a program.
SEE_CLINICIAN = intake_doc(
    version=2,
    person={"age": 58, "sex": "female"},
    pain={
        "numbness_or_tingling_below_knee": True,
        "areas": ["low_back", "front_of_hip", "below_knee"],
        "worse_with": ["prolonged_sitting"],
    },
    observations={"hip_joint_screen": {"left": "normal", "right": "painful_or_limited"}},
    preferences={"minutes_per_day": 20},
)
URGENT = intake_doc(
    red_flags={"significant_trauma": True},
    pain={"worse_with": ["prolonged_sitting"], "areas": ["low_back", "front_of_hip"]},
)
EMERGENCY = intake_doc(red_flags={"saddle_numbness": True})
SELF_CARE = intake_doc(
    preferences={"minutes_per_day": 20},
    pain={"worse_with": ["prolonged_sitting"], "areas": ["low_back", "front_of_hip"]},
)


def text(page_html: str) -> str:
    """The visible words of a page (details included), whitespace collapsed."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page_html, flags=re.S)
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()
    return html.unescape(re.sub(r" ([:.,;\]])", r"\1", words))


def assess(me: SignedIn, document: dict[str, Any]) -> dict[str, Any]:
    response = me.api("POST", "/api/v1/me/assessment", json=document)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def tel_links(page_html: str) -> list[tuple[str, str]]:
    """(href, words) of every tap-to-call link."""
    return [
        (href, re.sub(r"\s+", " ", words).strip())
        for href, words in re.findall(r'<a[^>]*href="(tel:[^"]*)"[^>]*>(.*?)</a>', page_html, re.S)
    ]


def section(page_html: str, element_id: str) -> str:
    """The <section> whose heading has ``element_id`` (as HTML)."""
    match = re.search(
        rf'<section[^>]*>(?:(?!</section>).)*id="{element_id}".*?</section>', page_html, re.S
    )
    assert match, f"no section {element_id!r}"
    return match.group(0)


def shown_heading(result: dict[str, Any]) -> str:
    return heading(Triage.model_validate(result["triage"]))


# --- the result page ---------------------------------------------------------------------------


def test_see_clinician_result_shows_heading_safety_net_call_link_and_alternatives(
    web: Web,
) -> None:
    me = web.sign_up("sam@example.org", name="Sam")
    result = assess(me, SEE_CLINICIAN)
    assert result["triage"]["level"] == "see_clinician"
    assert result["alternatives"], "the case must fit another explanation"
    page = me.client.get("/me/result")
    assert page.status_code == 200
    words = text(page.text)

    # The heading says the level, how soon and where, before anything else.
    title = shown_heading(result)
    assert "within two weeks" in title
    assert f'<h2 id="what-to-do">{html.escape(title)}</h2>' in page.text
    assert words.index(title) < words.index("What to watch for")

    # The safety net: every sign the result carries, and the number as a tap-to-call link.
    net = text(section(page.text, "safety-net"))
    codes = [n["code"] for n in result["safety_net"]]
    assert "cauda-equina" in codes
    for reason in result["safety_net"]:
        assert reason["message"].split(":")[0] in net, reason["code"]
    assert "If you cannot get to an emergency department safely, call 112" in net
    assert ("tel:112", "112") in tel_links(section(page.text, "safety-net"))

    # What else the answers fit: each with what to do, why and its sources.
    others = section(page.text, "alternatives")
    for alt in result["alternatives"]:
        assert html.escape(alt["what_to_do"], quote=False) in others, alt["code"]
        assert html.escape(alt["message"], quote=False) in others, alt["code"]
        for key in alt["sources"]:
            assert f'href="#ref-{key}"' in others and f'id="ref-{key}"' in page.text


def test_no_raw_score_nor_weight_and_the_disclaimer_once(web: Web) -> None:
    me = web.sign_up("ann@example.org", name="Ann")
    result = assess(me, SELF_CARE)
    assert result["hip_flexor_involvement"]["findings"]
    page = me.client.get("/me/result").text
    words = text(page)
    assert f"Hip flexors: {result['hip_flexor_involvement']['level']}" in words
    assert "score" not in words.lower()
    assert not re.search(r"(^|\s)[+-]\d+(\s|$)", words), "a finding weight is shown"
    for finding in result["hip_flexor_involvement"]["findings"]:  # the reasons, in words
        assert html.escape(finding["message"], quote=False) in page
    assert words.count("does not diagnose") == 1
    assert words.count("not a diagnosis") == 0


def test_urgent_result_shows_no_hip_flexor_finding(web: Web) -> None:
    me = web.sign_up("uma@example.org", name="Uma")
    result = assess(me, URGENT)
    assert result["triage"]["level"] == "urgent"
    findings = result["hip_flexor_involvement"]["findings"]
    assert findings, "the JSON keeps the findings for machines"
    page = me.client.get("/me/result").text
    words = text(page)
    assert shown_heading(result) in words
    assert "Hip flexors:" not in words and "Tighter side" not in words
    for finding in findings:
        assert html.escape(finding["message"], quote=False) not in page, finding["code"]
        for key in finding["sources"]:
            if not any(key in r["sources"] for r in result["triage"]["reasons"]):
                assert f'id="ref-{key}"' not in page, key
    assert "What to watch for" in words and ("tel:112", "112") in tel_links(page)


def test_emergency_result_has_a_call_button_and_no_safety_net(web: Web) -> None:
    me = web.sign_up("eve@example.org", name="Eve")
    result = assess(me, EMERGENCY)
    assert result["triage"]["level"] == "emergency" and result["safety_net"] == []
    page = me.client.get("/me/result").text
    essentials = section(page, "what-to-do")
    assert ("tel:112", "Call 112") in tel_links(essentials)
    assert "emergency department" in text(essentials)
    assert 'id="safety-net"' not in page
    for finding in result["hip_flexor_involvement"]["findings"]:
        assert html.escape(finding["message"], quote=False) not in page


def test_sources_are_citations_never_bookkeeping(web: Web) -> None:
    me = web.sign_up("cy@example.org", name="Cy")
    assess(me, SEE_CLINICIAN)
    for url in ("/me/result", "/me"):
        words = text(me.client.get(url).text)
        assert "not yet confirmed" not in words, url
        assert not re.search(r"\b[\w-]+/[\w./-]+\.(md|py|yaml|txt)\b", words), url


# --- the emergency number setting --------------------------------------------------------------


@pytest.fixture
def web_999(database_url: str) -> Iterator[Web]:
    clock = Clock()
    app = create_app(database_url, clock=clock, settings=Settings(emergency_number="999"))
    yield Web(app=app, clock=clock)
    app.state.db.close()


def test_the_emergency_number_setting_changes_every_link(web_999: Web) -> None:
    me = web_999.sign_up("ida@example.org", name="Ida")
    assess(me, SEE_CLINICIAN)
    result = me.client.get("/me/result").text
    home = me.client.get("/me").text
    for page in (result, home):
        assert ("tel:999", "999") in tel_links(page)
        assert "tel:112" not in page
    assert "call 999" in text(home)
    assess(me, EMERGENCY)
    assert ("tel:999", "Call 999") in tel_links(me.client.get("/me/result").text)
    assert ("tel:999", "Call 999") in tel_links(me.client.get("/me").text)


# --- the home page and the emergency stop ------------------------------------------------------


def test_home_page_shows_the_heading_safety_net_and_other_explanations(web: Web) -> None:
    me = web.sign_up("hal@example.org", name="Hal")
    result = assess(me, SEE_CLINICIAN)
    page = me.client.get("/me").text
    words = text(page)
    assert shown_heading(result) in words
    assert "What to watch for" in words and ("tel:112", "112") in tel_links(page)
    assert result["safety_net"][0]["message"].split(":")[0] in words
    assert 'href="/me/result#alternatives"' in page
    assert "score" not in words.lower()


def test_held_back_home_page_says_where_and_how_soon_with_a_call_link(web: Web) -> None:
    me = web.sign_up("ben@example.org", name="Ben")
    assess(me, SELF_CARE)
    result = assess(me, EMERGENCY)
    page = me.client.get("/me").text
    assert shown_heading(result) in text(page)
    assert ("tel:112", "Call 112") in tel_links(page)
    assert "Massage-gun release" not in page


def _warning_answers(flag: str) -> dict[str, Any]:
    """The first two steps answered: about (age, sex) and every warning sign no but ``flag``."""
    answers: dict[str, Any] = {"person.age": "40", "person.sex": "female"}
    for q in (q for q in QUESTIONS if q.section == "warning"):
        if q.kind == "yes_no":
            answers[q.path] = "yes" if q.path == flag else "no"
        elif q.kind in ("choice", "multi") and q.choices:
            answers[q.path] = q.choices[-1][0]
    return answers


def test_emergency_stop_page_has_the_heading_and_a_call_button(web: Web) -> None:
    me = web.sign_up("sol@example.org", name="Sol")
    data = {
        **_warning_answers("red_flags.saddle_numbness"),
        "step": str(STEPS.index("warning")),
        "action": "next",
    }
    stop = me.post("/me/assess", data)
    assert stop.status_code == 200, text(stop.text)[:1500]
    words = text(stop.text)
    assert "The questions stop here" in words
    assert "EMERGENCY" in words and "emergency department" in words
    assert ("tel:112", "Call 112") in tel_links(stop.text)
    assert 'id="safety-net"' not in stop.text


# --- the clinician's page and the handout ------------------------------------------------------


def test_clinician_sees_alternatives_safety_net_and_findings_with_a_note(web: Web) -> None:
    ada = web.sign_up("ada@clinic.test", role="clinician", name="Dr Ada")
    code = ada.post("/clinic/invitations").text
    invite = re.search(r'id="invitation-code">([^<]+)<', code)
    assert invite
    pat = web.sign_up("pat@home.test", name="Pat", invite=invite.group(1))
    first = assess(pat, SEE_CLINICIAN)
    page = ada.client.get(f"/clinic/patients/{pat.id}").text
    words = text(page)
    for alt in first["alternatives"]:
        assert html.escape(alt["what_to_do"], quote=False) in page, alt["code"]
    assert "Safety net the patient was given" in words
    assert html.escape(first["safety_net"][0]["message"], quote=False) in page

    urgent = assess(pat, URGENT)
    page = ada.client.get(f"/clinic/patients/{pat.id}").text
    latest = page.split("Hip-flexor findings", 1)[1].split("</details>", 1)[0]
    assert "Not shown to the patient" in latest
    finding = urgent["hip_flexor_involvement"]["findings"][0]
    assert html.escape(finding["message"], quote=False) in latest
    assert f"{finding['weight']:+d}" in latest  # the weights stay for the clinician


def test_handout_download_carries_the_safety_net_and_number(web_999: Web, tmp_path: Any) -> None:
    pdftotext = require_tool("pdftotext", "poppler-utils")
    me = web_999.sign_up("liv@example.org", name="Liv")
    result = assess(me, SEE_CLINICIAN)
    pdf = me.client.get("/me/download/handout.pdf")
    assert pdf.status_code == 200
    path = tmp_path / "handout.pdf"
    path.write_bytes(pdf.content)
    out = subprocess.run(
        [pdftotext, str(path), "-"], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    words = " ".join(out.split())
    assert "What to watch for" in words
    assert "call 999 for an ambulance" in words
    assert "numb genitals" in words  # a cauda equina sign, spelled out
    assert "What else your answers may fit" in words
    for alt in result["alternatives"]:
        assert " ".join(alt["what_to_do"].split())[:40] in words, alt["code"]
    assert "not yet confirmed" not in words


def test_education_cards_are_one_tap_away_and_none_under_urgent(web: Web) -> None:
    me = web.sign_up("ed@example.org", name="Ed")
    result = assess(me, SELF_CARE)
    assert result["education"], "the case must get advice cards"
    page = me.client.get("/me/result").text
    cards = section(page, "good-to-know")
    for card in result["education"]:
        assert f'<details class="alt" id="edu-{card["id"]}">' in cards
        assert html.escape(card["title"], quote=False) in cards
        assert html.escape(card["body"], quote=False) in cards
    assess(me, URGENT)
    assert 'id="good-to-know"' not in me.client.get("/me/result").text
