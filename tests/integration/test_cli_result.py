"""What ``psoas assess`` prints for a person (the text output): the heading with its time
frame, the safety net with the local emergency number (``PSOAS_EMERGENCY_NUMBER``), the other
explanations, no hip-flexor findings under an urgent or emergency result, and never a score or
a finding weight; ``--format json`` keeps everything for scripts. Run in-process
(tests/cli_runner.py), but for a setting refused at start-up, which runs as a real process."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from typing import Any

import pytest

from psoas.domain.results import Triage
from psoas.domain.triage import LEVEL_TITLES, heading
from tests.cli_runner import invoke
from tests.conftest import ROOT, intake_doc

ENV = {**os.environ, "PYTHONUTF8": "1", "NO_COLOR": "1", "COLUMNS": "100", "TERM": "dumb"}
ENV.pop("PSOAS_EMERGENCY_NUMBER", None)

SEE_CLINICIAN = intake_doc(
    version=2,
    person={"age": 58, "sex": "female"},
    pain={
        "numbness_or_tingling_below_knee": True,
        "areas": ["low_back", "front_of_hip", "below_knee"],
        "worse_with": ["prolonged_sitting"],
    },
    observations={"hip_joint_screen": {"left": "normal", "right": "painful_or_limited"}},
)
URGENT = intake_doc(
    red_flags={"significant_trauma": True},
    pain={"worse_with": ["prolonged_sitting"], "areas": ["low_back", "front_of_hip"]},
)
EMERGENCY = intake_doc(red_flags={"saddle_numbness": True})


def flat(text: str) -> str:
    return " ".join(text.split())


def assess(document: dict[str, Any], *, fmt: str = "text", **env: str) -> str:
    result = invoke(
        "assess",
        "--input",
        "-",
        "--format",
        fmt,
        stdin=json.dumps(document),
        env={"NO_COLOR": "1", "COLUMNS": "100", "PSOAS_EMERGENCY_NUMBER": None, **env},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def both(document: dict[str, Any], **env: str) -> tuple[str, dict[str, Any]]:
    data: dict[str, Any] = json.loads(assess(document, fmt="json"))
    return assess(document, **env), data


def section(text: str, title: str) -> str:
    """The lines under a ``Title\\n-----`` heading, up to the next heading."""
    match = re.search(rf"^{re.escape(title)}\n-+\n(.*?)(?=^\S[^\n]*\n-+\n|\Z)", text, re.M | re.S)
    assert match, f"no section {title!r}"
    return match.group(1)


@pytest.mark.parametrize(
    ("document", "frame"),
    [(SEE_CLINICIAN, "within two weeks"), (URGENT, "today"), (EMERGENCY, "now")],
    ids=["see-clinician", "urgent", "emergency"],
)
def test_the_first_heading_says_the_level_and_how_soon(
    document: dict[str, Any], frame: str
) -> None:
    text, data = both(document)
    first = text.split("\n")[3]
    assert first == heading(Triage.model_validate(data["triage"]))
    assert first.startswith(LEVEL_TITLES[data["triage"]["level"]] + ": ")
    assert frame in first
    assert text.split("\n")[4] == "-" * len(first)


def test_the_safety_net_gives_the_signs_and_the_emergency_number() -> None:
    text, data = both(SEE_CLINICIAN)
    net = flat(section(text, "What to watch for"))
    assert data["safety_net"][0]["code"] == "cauda-equina"
    for reason in data["safety_net"]:  # every sign and sentence, however it is laid out
        for part in re.split(r"[:;.] ", reason["message"]):
            assert flat(part).rstrip(".") in net, (reason["code"], part)
    assert "If you cannot get to an emergency department safely, call 112 for an ambulance." in net
    assert text.index("What to watch for") < text.index("Your home program")


def test_the_emergency_number_is_a_setting() -> None:
    text = assess(SEE_CLINICIAN, PSOAS_EMERGENCY_NUMBER="999")
    net = flat(section(text, "What to watch for"))
    assert "call 999 for an ambulance" in net and "112" not in net
    emergency = assess(EMERGENCY, PSOAS_EMERGENCY_NUMBER="999")
    assert "Emergency number: 999" in emergency and "112" not in emergency


def test_an_unusable_emergency_number_is_refused_naming_the_setting() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "psoas", "assess", "--input", "-"],
        input=json.dumps(SEE_CLINICIAN),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**ENV, "PSOAS_EMERGENCY_NUMBER": "call me"},
        timeout=60,
        check=False,
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("PSOAS_EMERGENCY_NUMBER: must be a telephone number")
    assert "Traceback" not in result.stderr


def test_emergency_gives_the_number_and_no_safety_net() -> None:
    text, data = both(EMERGENCY)
    assert data["safety_net"] == []
    assert "Emergency number: 112" in text
    assert "What to watch for" not in text


def test_other_explanations_say_why_and_what_to_do() -> None:
    text, data = both(SEE_CLINICIAN)
    assert data["alternatives"]
    others = flat(section(text, "What else your answers may fit"))
    for alt in data["alternatives"]:
        assert flat(alt["message"]) in others, alt["code"]
        assert f"What to do: {flat(alt['what_to_do'])}" in others, alt["code"]
        assert "[" + ", ".join(alt["sources"]) + "]" in others, alt["code"]


@pytest.mark.parametrize("document", [URGENT, EMERGENCY], ids=["urgent", "emergency"])
def test_no_hip_flexor_finding_under_an_urgent_or_emergency_result(
    document: dict[str, Any],
) -> None:
    text, data = both(document)
    findings = data["hip_flexor_involvement"]["findings"]
    assert findings, "the JSON keeps the findings for scripts"
    assert all("weight" in f for f in findings) and "score" in data["hip_flexor_involvement"]
    assert "Hip flexors:" not in text and "Tighter side" not in text
    for finding in findings:
        assert flat(finding["message"]) not in flat(text), finding["code"]


def test_no_score_and_no_weight_only_the_level_and_the_reasons() -> None:
    text, data = both(SEE_CLINICIAN)
    inv = data["hip_flexor_involvement"]
    assert re.search(rf"^Hip flexors: {inv['level']}$", text, re.M)
    assert "score" not in text.lower()
    assert not re.search(r"^\s*[+-]\d+\s", text, re.M), "a finding weight is printed"
    hip = flat(section(text, f"Hip flexors: {inv['level']}"))
    for finding in inv["findings"]:
        assert flat(finding["message"]) in hip, finding["code"]


def test_sources_are_citations_never_bookkeeping() -> None:
    text = assess(SEE_CLINICIAN)
    sources = section(text, "Sources")
    assert "not yet confirmed" not in sources
    assert not re.search(r"\b[\w-]+/[\w./-]+\.(md|py|yaml|txt)\b", sources)
    assert flat(text).count("It does not diagnose") == 1


def test_education_cards_are_printed_where_the_assessment_has_them() -> None:
    text, data = both(intake_doc())
    assert data["education"]
    cards = flat(section(text, "Good to know"))
    for card in data["education"]:
        assert f"- {flat(card['title'])} {flat(card['body'])}" in cards, card["id"]
    urgent, data = both(URGENT)
    assert data["education"] == [] and "Good to know" not in urgent
