"""Other explanations the answers also fit (hip joint, stenosis, disc, abdominal, ...).

Placeholder signature agreed between engineers; the rules are being written now.
"""

from __future__ import annotations

from psoas.domain.assessment import Alternative, Involvement, Triage
from psoas.domain.intake import Intake


def alternatives(intake: Intake, triage: Triage, involvement: Involvement) -> tuple[Alternative, ...]:
    """Every other explanation the answers fit, most pressing first."""
    return ()


def weigh_with_alternatives(
    involvement: Involvement, found: tuple[Alternative, ...]
) -> Involvement:
    """The hip-flexor level lowered where another explanation fits."""
    return involvement
