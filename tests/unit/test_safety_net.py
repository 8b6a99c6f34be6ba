"""The safety net: what to watch for and what to do at once, on every result but an emergency."""

from __future__ import annotations

import re
from typing import Any

import pytest

from psoas.domain.results import Reason
from psoas.domain.triage import EMERGENCY_NUMBER_DEFAULT, safety_net, triage
from tests.conftest import make_intake
from tests.unit.test_triage import CASE_IDS, CASES

V2 = {"version": 2}


def net(**changes: Any) -> tuple[Reason, ...]:
    intake = make_intake(**changes)
    return safety_net(intake, triage(intake))


def net_codes(**changes: Any) -> list[str]:
    return [r.code for r in net(**changes)]


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_empty_only_for_an_emergency_and_cauda_equina_on_every_other_result(case: Any) -> None:
    intake = make_intake(**case.fires)
    result = triage(intake)
    codes = [r.code for r in safety_net(intake, result)]
    if result.level == "emergency":
        assert codes == []
    else:
        assert codes[0] == "cauda-equina"
        assert "worse-pain" in codes


def test_self_care_gets_the_cauda_equina_signs_and_the_worse_pain_advice() -> None:
    assert net_codes() == ["cauda-equina", "worse-pain"]


def test_cauda_equina_net_names_every_sign_in_plain_words_and_says_go_at_once() -> None:
    (ces,) = [r for r in net() if r.code == "cauda-equina"]
    text = ces.message.lower()
    for sign in (
        "back passage",
        "genitals",
        "inner thighs",
        "urine",
        "stools",
        "sex",
        "both legs",
        "weak",
    ):
        assert sign in text, sign
    assert "go to an emergency department at once" in text
    assert "girft-ces-2023" in ces.sources
    assert {"nice-cks-sciatica", "nice-cks-lbp"} & set(ces.sources)


def test_no_message_carries_a_phone_number() -> None:
    assert EMERGENCY_NUMBER_DEFAULT == "112"
    everyone = {
        **V2,
        "person": {"age": 70, "sex": "female"},
        "red_flags": {"history_of_cancer": True, "immunosuppressed_or_iv_drug_use": True},
        "health": {"takes_anticoagulants": True, "pregnant": True},
    }
    reasons = net(**everyone)
    assert len(reasons) == 7
    for reason in reasons:
        assert not re.search(r"\d{3}", reason.message), reason.code


@pytest.mark.parametrize(
    ("changes", "shown"),
    [
        ({"health": {"known_aortic_aneurysm": True}, "pain": {"duration_weeks": 40}}, True),
        ({"person": {"age": 66, "sex": "male"}}, True),
        ({**V2, "person": {"age": 55}, "health": {"smoker_or_former_smoker": True}}, True),
        ({"person": {"age": 62}}, True),  # risk questions unanswered
        (
            {
                **V2,
                "person": {"age": 62, "sex": "female"},
                "health": {
                    "smoker_or_former_smoker": False,
                    "high_blood_pressure": False,
                    "heart_or_circulation_disease": False,
                    "family_history_aortic_aneurysm": False,
                },
            },
            False,
        ),
        ({**V2, "person": {"age": 45}, "health": {"high_blood_pressure": True}}, False),
        ({"person": {"age": 40}}, False),
    ],
)
def test_aneurysm_net_with_a_known_aneurysm_or_its_risk_profile(
    changes: dict[str, Any], shown: bool
) -> None:
    reasons = {r.code: r for r in net(**changes)}
    assert ("aortic-aneurysm" in reasons) is shown
    if shown:
        assert "ambulance" in reasons["aortic-aneurysm"].message
        assert "faint" in reasons["aortic-aneurysm"].message


@pytest.mark.parametrize(
    ("changes", "code", "words"),
    [
        ({"health": {"takes_anticoagulants": True}}, "iliopsoas-bleed", "same day"),
        (
            {"red_flags": {"immunosuppressed_or_iv_drug_use": True}},
            "spinal-infection",
            "fever",
        ),
        ({"red_flags": {"history_of_cancer": True}}, "cord-compression", "immediately"),
        ({"health": {"pregnant": True}}, "pregnancy", "midwife"),
        ({**V2, "health": {"postpartum_within_6_months": True}}, "pregnancy", "maternity unit"),
    ],
)
def test_the_nets_that_apply_to_this_person(changes: dict[str, Any], code: str, words: str) -> None:
    reasons = {r.code: r for r in net(**changes)}
    assert code in reasons
    assert words in reasons[code].message
    assert code not in net_codes()  # and not for someone without that history


def test_an_urgent_result_still_gets_a_safety_net_while_waiting() -> None:
    changes = {
        "health": {"takes_anticoagulants": True},
        "pain": {"duration_weeks": 1, "areas": ["groin"]},
    }
    intake = make_intake(**changes)
    result = triage(intake)
    assert result.level == "urgent"
    assert [r.code for r in safety_net(intake, result)] == [
        "cauda-equina",
        "iliopsoas-bleed",
        "worse-pain",
    ]
