"""The clinician's list as rules, without a database (psoas.domain.patient_list)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from psoas.domain.adherence import VersionStart
from psoas.domain.patient_list import (
    INACTIVE_WEEK,
    PAIN_WORSE,
    RED_FLAG,
    RETEST_DUE,
    PatientFacts,
    ordered,
    patient_row,
)

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
#: Whole sessions on each of the 6 days before today and on 4 days before those.
WORKED = {TODAY - timedelta(days=d): 1.0 for d in range(1, 11)}
ACTIVE = PatientFacts(
    id=1,
    name="Ana",
    email="ana@example.org",
    triage_level="self_care",
    assessed_at=NOW - timedelta(days=10),
    intake_pain=5,
    program_version=1,
    versions=(VersionStart(NOW - timedelta(days=10), 1),),
    worked=WORKED,
    last_session_at=NOW - timedelta(days=1),
    first_rating=None,
    recent_pain=4.0,
    recent_pain_days=6,
    days_rated=10,
    last_retest_at=None,
)


def test_an_active_patient_has_no_flag_and_adherence_counts_the_program_days() -> None:
    row = patient_row(ACTIVE, NOW)
    assert row.flags == () and row.program_version == 1
    assert (row.adherence_7.completed, row.adherence_7.expected) == (6, 7)
    # the program's 11 calendar days, today included
    assert (row.adherence_28.completed, row.adherence_28.expected) == (10, 11)
    assert row.pain_change == -1.0 and row.pain_trend == "same"


def test_the_list_counts_the_share_of_work_done_as_the_progress_report_does() -> None:
    partial = {**WORKED, TODAY - timedelta(days=1): 0.25, TODAY - timedelta(days=2): 1.8}
    row = patient_row(replace(ACTIVE, worked=partial), NOW)
    # a quarter of one session counts a quarter; a day counts at most the one session asked for
    assert row.adherence_7.completed == 5.25 and row.adherence_7.expected == 7
    assert row.adherence_7.sessions_text == "5.3 of 7"


def test_a_new_version_does_not_reset_the_list_s_adherence() -> None:
    stepped = replace(
        ACTIVE,
        program_version=2,
        versions=(*ACTIVE.versions, VersionStart(NOW - timedelta(hours=3), 2)),
    )
    row = patient_row(stepped, NOW)
    assert row.program_version == 2
    # the six days before today under version 1 still count; today asks for version 2's two
    assert (row.adherence_7.completed, row.adherence_7.expected) == (6, 8)
    assert row.adherence_7.window_days == 7


def test_a_warning_sign_holds_the_program_back_and_comes_first() -> None:
    held = patient_row(replace(ACTIVE, id=2, name="Zed", triage_level="urgent"), NOW)
    assert held.flags[0] == RED_FLAG and held.program_version is None
    assert held.adherence_7.expected == 0  # nothing is asked of a held-back program
    assert [r.name for r in ordered([patient_row(ACTIVE, NOW), held])] == ["Zed", "Ana"]


def test_pain_worse_needs_a_meaningful_rise_on_enough_days() -> None:
    worse = replace(ACTIVE, recent_pain=7.5, recent_pain_days=3)
    assert PAIN_WORSE in patient_row(worse, NOW).flags
    too_few = replace(ACTIVE, recent_pain=7.5, recent_pain_days=1, days_rated=1)
    assert PAIN_WORSE not in patient_row(too_few, NOW).flags


def test_a_quiet_week_and_a_re_test_after_two_weeks_are_flagged() -> None:
    quiet = replace(
        ACTIVE,
        versions=(VersionStart(NOW - timedelta(days=20), 1),),
        last_session_at=NOW - timedelta(days=8),
    )
    flags = patient_row(quiet, NOW).flags
    assert INACTIVE_WEEK in flags and RETEST_DUE in flags
    retested = replace(quiet, last_retest_at=NOW - timedelta(days=2))
    assert RETEST_DUE not in patient_row(retested, NOW).flags
