"""Education cards: the right advice for the right person, never a score, always a source."""

from __future__ import annotations

import re
from typing import Any

import pytest

from psoas.catalog import load_catalog
from psoas.domain.education import (
    audiences,
    drives_for_a_living,
    education_for,
    start_back_risk,
)
from psoas.domain.results import Triage, TriageLevel
from psoas.domain.triage import triage
from tests.conftest import make_intake

CATALOG = load_catalog()
SELF_CARE = Triage(level="self_care", action="No warning sign.", reasons=())
REQUIRED = (
    "most-back-pain-improves",
    "stay-active",
    "hurt-is-not-harm",
    "what-the-psoas-evidence-says",
    "return-to-work",
    "driving-for-a-living",
    "standing-desk",
    "start-back-high-risk",
    "fear-that-moving-harms",
    "low-mood",
    "worry-about-work",
    "poor-sleep",
    "expects-pain-to-last",
)


def v2(**changes: Any) -> dict[str, Any]:
    return {"version": 2, **changes}


def cards(level: TriageLevel = "self_care", **changes: Any) -> list[str]:
    intake = make_intake(**v2(**changes))
    t = Triage(level=level, action="x", reasons=())
    return [c.id for c in education_for(intake, t, CATALOG)]


def screening(**values: Any) -> dict[str, Any]:
    return {"screening": values}


@pytest.mark.parametrize("card_id", REQUIRED)
def test_every_required_card_is_in_the_catalog_with_sources(card_id: str) -> None:
    card = CATALOG.card(card_id)
    assert card.sources and card.body and card.title
    for key in card.sources:
        assert CATALOG.has_reference(key), key


def test_everyone_gets_the_reassurance_and_the_psoas_evidence() -> None:
    got = cards()
    for card_id in (
        "most-back-pain-improves",
        "stay-active",
        "hurt-is-not-harm",
        "what-the-psoas-evidence-says",
    ):
        assert card_id in got, card_id


def test_the_psoas_card_says_the_evidence_is_mixed_with_both_studies() -> None:
    card = CATALOG.card("what-the-psoas-evidence-says")
    assert {"hellsing-1988", "iliopsoas-length-2024"} <= set(card.sources)
    assert "600" in card.body and "70" in card.body
    assert "not an established fact" in card.body


@pytest.mark.parametrize("level", ["emergency", "urgent"])
def test_no_cards_when_the_person_must_be_seen_first(level: TriageLevel) -> None:
    assert cards(level, **screening(work_status="off_work_because_of_pain")) == []


def test_see_clinician_still_gets_advice() -> None:
    assert "stay-active" in cards("see_clinician")


def test_under_16_is_not_told_hurt_is_not_harm() -> None:
    got = cards(person={"age": 14, "sex": "male"})
    assert "hurt-is-not-harm" not in got and "most-back-pain-improves" not in got
    assert "stay-active" in got


@pytest.mark.parametrize(
    "occupation",
    ["taxi driver", "Bus driver", "HGV driver", "lorry driver", "courier", "chauffeur", "cab"],
)
def test_drivers_get_the_driving_card(occupation: str) -> None:
    assert "driving-for-a-living" in cards(daily_life={"occupation": occupation})


@pytest.mark.parametrize(
    "occupation",
    ["office", "software developer", "business analyst", "cabinet maker", "nurse", "teacher"],
)
def test_non_drivers_never_get_the_driving_card(occupation: str) -> None:
    assert not drives_for_a_living(make_intake(daily_life={"occupation": occupation}))
    assert "driving-for-a-living" not in cards(daily_life={"occupation": occupation})


def test_no_occupation_means_no_driving_card() -> None:
    doc: dict[str, Any] = {"daily_life": {"sitting_hours_per_day": 8}}
    intake = make_intake(**v2(**doc))
    intake = intake.model_copy(
        update={"daily_life": intake.daily_life.model_copy(update={"occupation": None})}
    )
    got = [c.id for c in education_for(intake, SELF_CARE, CATALOG)]
    assert "driving-for-a-living" not in got


def test_the_driving_card_gives_the_two_hour_break_and_walking() -> None:
    card = CATALOG.card("driving-for-a-living")
    assert "2 hours" in card.body and "15 minutes" in card.body and "walk" in card.body
    assert "highway-code-91" in card.sources


@pytest.mark.parametrize("status", ["off_work_because_of_pain", "working_reduced_or_light_duties"])
def test_off_work_or_light_duties_gets_return_to_work(status: str) -> None:
    assert "return-to-work" in cards(**screening(work_status=status))


@pytest.mark.parametrize(
    "status", ["working", "retired", "student", "not_working_for_other_reasons"]
)
def test_others_do_not_get_return_to_work(status: str) -> None:
    assert "return-to-work" not in cards(**screening(work_status=status))
    assert "return-to-work" not in cards()


def test_heavy_sitter_without_a_standing_desk_gets_the_desk_card_with_the_honest_note() -> None:
    got = cards(daily_life={"sitting_hours_per_day": 8, "has_standing_desk": False})
    assert "standing-desk" in got
    card = CATALOG.card("standing-desk")
    assert "buckley-2015" in card.sources and "standing-desk-trials" in card.sources
    assert "not shown that a desk on its own eases back pain" in card.body


@pytest.mark.parametrize(
    "changes",
    [
        {"daily_life": {"sitting_hours_per_day": 8, "has_standing_desk": True}},
        {"daily_life": {"sitting_hours_per_day": 3}},
        {"daily_life": {"sitting_hours_per_day": 9, "occupation": "taxi driver"}},
        {"equipment_and_ability": {"uses_wheelchair": True}},
        {"equipment_and_ability": {"can_stand_unaided": False}},
    ],
)
def test_no_desk_card_for_those_who_have_one_sit_little_drive_or_cannot_stand(
    changes: dict[str, Any],
) -> None:
    assert "standing-desk" not in cards(**changes)


@pytest.mark.parametrize(
    ("total", "psychosocial", "risk"),
    [
        (0, 0, "low"),
        (3, 3, "low"),
        (4, 3, "medium"),
        (9, 3, "medium"),
        (4, 4, "high"),
        (9, 5, "high"),
    ],
)
def test_start_back_risk_groups_follow_the_published_cut_offs(
    total: int, psychosocial: int, risk: str
) -> None:
    intake = make_intake(
        **v2(**screening(start_back={"total": total, "psychosocial": psychosocial}))
    )
    assert start_back_risk(intake) == risk
    got = [c.id for c in education_for(intake, SELF_CARE, CATALOG)]
    assert f"start-back-{risk}-risk" in got
    others = {"low", "medium", "high"} - {risk}
    assert not any(f"start-back-{o}-risk" in got for o in others)


def test_no_start_back_result_means_no_risk_card() -> None:
    assert start_back_risk(make_intake(**v2())) is None
    assert not any(c.startswith("start-back") for c in cards())


def test_high_start_back_risk_is_told_to_see_a_physiotherapist_first() -> None:
    intake = make_intake(**v2(**screening(start_back={"total": 7, "psychosocial": 5})))
    out = education_for(intake, SELF_CARE, CATALOG)
    assert out[0].id == "start-back-high-risk"
    card = out[0]
    assert card.points_to == "physiotherapist"
    assert "see a physiotherapist" in card.body
    assert "hill-2011-startback" in card.sources
    assert card.notice and "Keele University" in card.notice
    assert "7" not in card.body and "5" not in card.body


def test_every_start_back_card_carries_keeles_notice_and_nothing_else_does() -> None:
    for card in CATALOG.education:
        if card.id.startswith("start-back"):
            assert card.notice == CATALOG.start_back_notice
        else:
            assert card.notice is None, card.id
    assert CATALOG.start_back_notice
    assert "copyright" in CATALOG.start_back_notice
    assert "Keele University" in CATALOG.start_back_notice


@pytest.mark.parametrize(
    ("concern", "card_id", "points_to"),
    [
        ("fear_that_moving_harms_the_back", "fear-that-moving-harms", "physiotherapist"),
        ("low_mood", "low-mood", "doctor"),
        ("worry_about_work", "worry-about-work", "physiotherapist_or_doctor"),
        ("poor_sleep", "poor-sleep", "doctor"),
        ("expects_pain_to_last", "expects-pain-to-last", "physiotherapist"),
    ],
)
def test_each_concern_gets_its_card_and_where_to_turn(
    concern: str, card_id: str, points_to: str
) -> None:
    intake = make_intake(**v2(**screening(concerns=[concern])))
    out = {c.id: c for c in education_for(intake, SELF_CARE, CATALOG)}
    assert card_id in out
    assert out[card_id].points_to == points_to
    others = {"fear-that-moving-harms", "low-mood", "worry-about-work", "poor-sleep"}
    others |= {"expects-pain-to-last"}
    assert not (others - {card_id}) & set(out)


def test_low_mood_card_gives_an_urgent_route_for_feeling_unsafe() -> None:
    assert "emergency number" in CATALOG.card("low-mood").body


def test_a_v1_intake_gets_only_the_general_cards() -> None:
    intake = make_intake()
    got = {c.id for c in education_for(intake, triage(intake), CATALOG)}
    assert "stay-active" in got
    assert not got & {"return-to-work", "start-back-high-risk", "low-mood"}


def test_audiences_are_empty_when_the_program_is_withheld() -> None:
    intake = make_intake(**v2(**screening(concerns=["low_mood"])))
    assert audiences(intake, Triage(level="urgent", action="x", reasons=())) == frozenset()


SCORE_TEXT = re.compile(r"\bscore|\b\d+\s*(/|out of)\s*\d+|\btotal\b", re.IGNORECASE)


def test_no_card_body_shows_a_score() -> None:
    for entry in CATALOG.education:
        assert not SCORE_TEXT.search(entry.body), entry.id
    for total in range(10):
        for psychosocial in range(min(total, 5) + 1):
            intake = make_intake(
                **v2(
                    **screening(
                        start_back={"total": total, "psychosocial": psychosocial},
                        concerns=["low_mood", "poor_sleep"],
                    )
                )
            )
            for card in education_for(intake, SELF_CARE, CATALOG):
                assert not SCORE_TEXT.search(card.body), card.id
                if card.id.startswith("start-back"):
                    assert str(total) not in card.body, card.id


def test_cards_come_out_in_catalog_order_and_once_each() -> None:
    intake = make_intake(
        **v2(
            **screening(
                start_back={"total": 6, "psychosocial": 4},
                concerns=["low_mood", "worry_about_work"],
                work_status="off_work_because_of_pain",
            ),
            daily_life={"occupation": "taxi driver"},
        )
    )
    got = [c.id for c in education_for(intake, SELF_CARE, CATALOG)]
    order = [c.id for c in CATALOG.education]
    assert got == [i for i in order if i in got]
    assert len(got) == len(set(got))


def test_reassurance_rests_on_a_prognosis_source_and_is_honest_about_flare_ups() -> None:
    card = CATALOG.card("most-back-pain-improves")
    assert "costa-2012" in card.sources
    assert "flare-ups" in card.body
