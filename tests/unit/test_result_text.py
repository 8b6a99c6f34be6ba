"""The words every surface uses for a result (psoas.reports.result_text) and the emergency
number setting (``PSOAS_EMERGENCY_NUMBER``)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from psoas.domain.assess import assess
from psoas.domain.catalog import Catalog, Reference
from psoas.domain.intake import Intake
from psoas.domain.triage import SAFETY_NET_CAUDA_EQUINA
from psoas.reports import result_text as say
from psoas.settings import Settings
from tests.conftest import intake_doc, make_intake

# --- the setting -------------------------------------------------------------------------------


def test_the_emergency_number_defaults_to_112(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PSOAS_EMERGENCY_NUMBER", raising=False)
    assert Settings().emergency_number == "112"


@pytest.mark.parametrize("number", ["999", "911", "000", " 112 ", "+44 20 7946 000", "1-1-2"])
def test_a_telephone_number_is_accepted(monkeypatch: pytest.MonkeyPatch, number: str) -> None:
    monkeypatch.setenv("PSOAS_EMERGENCY_NUMBER", number)
    assert Settings().emergency_number == number.strip()


@pytest.mark.parametrize(
    "number", ["", "   ", "+", "--", "call 112", "112<script>", "1234567890123456", "11\n2"]
)
def test_anything_else_is_refused(monkeypatch: pytest.MonkeyPatch, number: str) -> None:
    monkeypatch.setenv("PSOAS_EMERGENCY_NUMBER", number)
    with pytest.raises(ValidationError, match="must be a telephone number"):
        Settings()


@pytest.mark.parametrize(
    ("number", "href"), [("112", "tel:112"), ("+44 20 7946-000", "tel:+44207946000")]
)
def test_tel_links_keep_only_digits_and_plus(number: str, href: str) -> None:
    assert say.tel_href(number) == href


# --- the safety net ----------------------------------------------------------------------------


def test_a_list_of_signs_is_split_into_lead_signs_and_what_follows() -> None:
    m = say.listed(SAFETY_NET_CAUDA_EQUINA.message)
    assert m.lead.endswith(":") and m.lead.startswith("Go to an emergency department at once")
    assert len(m.items) >= 4 and all(";" not in item for item in m.items)
    assert m.tail == "Do not wait to see whether it settles."
    rebuilt = f"{m.lead[:-1]}: {'; '.join(m.items)}. {m.tail}"
    assert rebuilt == SAFETY_NET_CAUDA_EQUINA.message  # nothing lost, nothing added


@pytest.mark.parametrize(
    "message",
    ["See a doctor today.", "Call at once: the artery may swell.", "Watch for: a; b."],
)
def test_a_message_without_a_list_stays_whole(message: str) -> None:
    assert say.listed(message) == say.Listed(message)


def test_the_safety_net_is_shown_on_every_result_but_an_emergency(catalog: Catalog) -> None:
    calm = assess(make_intake(), catalog)
    assert say.safety_net(calm) == [r.message for r in calm.safety_net]
    emergency = assess(make_intake(red_flags={"saddle_numbness": True}), catalog)
    assert say.safety_net(emergency) == []
    kept_before = calm.model_copy(update={"safety_net": ()})  # a result stored before v2
    assert say.safety_net(kept_before) == [SAFETY_NET_CAUDA_EQUINA.message]
    assert "call 999" in say.safety_net_call("999")


# --- findings and sources ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flags", "shown"),
    [({}, True), ({"significant_trauma": True}, False), ({"saddle_numbness": True}, False)],
    ids=["self-care", "urgent", "emergency"],
)
def test_findings_are_set_aside_under_urgent_and_emergency(
    catalog: Catalog, flags: dict[str, bool], shown: bool
) -> None:
    a = assess(make_intake(red_flags=flags), catalog)
    assert a.hip_flexor_involvement.findings
    assert say.shows_findings(a) is shown
    keys = set(say.patient_cited_keys(a))
    finding_keys = {k for f in a.hip_flexor_involvement.findings for k in f.sources}
    if shown:
        assert finding_keys <= keys
    else:  # a finding's sources are cited only where something shown cites them too
        shown_keys = {k for r in a.triage.reasons for k in r.sources}
        shown_keys |= {k for r in a.safety_net for k in r.sources}
        shown_keys |= {k for o in a.clinician_options for k in o.sources}
        shown_keys |= {k for x in a.alternatives for k in x.sources}
        shown_keys |= {k for c in say.education(a) for k in c.sources}
        assert keys - shown_keys == set()
        assert finding_keys - shown_keys, "the case must have a finding-only source"
        assert not (finding_keys - shown_keys) & keys


def test_cited_keys_cover_the_safety_net_and_the_alternatives(catalog: Catalog) -> None:
    doc = intake_doc(
        version=2,
        person={"age": 58},
        pain={"numbness_or_tingling_below_knee": True, "areas": ["low_back", "below_knee"]},
        observations={"hip_joint_screen": {"left": "normal", "right": "painful_or_limited"}},
    )
    a = assess(Intake.model_validate(doc), catalog)
    assert a.alternatives and a.safety_net
    keys = say.patient_cited_keys(a)
    for group in [*(r.sources for r in a.safety_net), *(x.sources for x in a.alternatives)]:
        assert set(group) <= set(keys)
    assert len(keys) == len(set(keys))


def test_a_citation_for_people_has_no_bookkeeping() -> None:
    ref = Reference(
        key="made-up-2020",
        kind="website",
        title="A made-up page",
        publisher="psoas project (docs/clinical-rules.md)",
        year=2020,
        unconfirmed=True,
    )
    assert say.people_citation(ref) == "A made-up page. psoas project. 2020."
    plain = Reference(key="plain-2020", kind="book", title="A book", publisher="Press (2nd ed)")
    assert say.people_citation(plain) == plain.citation()


def test_every_alternative_code_has_a_title() -> None:
    from typing import get_args

    from psoas.domain.results import AlternativeCode

    assert set(get_args(AlternativeCode)) == set(say.ALTERNATIVE_TITLES)
