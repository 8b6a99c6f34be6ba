"""What an assessment result says to a person, in the same words on every surface.

The terminal (:func:`psoas.cli.format.format_assessment`), the web pages and the PDF handout
all take their headings, time frames, "where to go" words, safety-net lines and citations from
here, so that no surface says something the others do not. Pure functions: no I/O.

Rules for what a person sees (the clinician's page and the JSON output keep everything):

- The heading says the level with its time frame (``triage.within_hours``) and where to go
  (the triage rules' :func:`~psoas.domain.triage.heading`), so that it never disagrees with the
  reasons below it.
- Every result that is not an emergency follows its essentials with the safety net: what to
  watch for and what to do at once, with the local emergency number; an emergency gives the
  number with what to do.
- Under an emergency or urgent result the hip-flexor findings are set aside (not shown), and no
  raw score or finding weight is ever shown to a person.
- Sources are cited by title, publisher or journal and year; never "citation not yet
  confirmed" or a path to a file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from psoas.domain.catalog import Exercise, Reference
from psoas.domain.results import (
    Alternative,
    Assessment,
    Finding,
    Program,
    ProgramItem,
    Reason,
    Triage,
    Where,
)
from psoas.domain.triage import SAFETY_NET_CAUDA_EQUINA, WHERE_WORDS, heading, withholds_program

__all__ = [
    "ALTERNATIVE_TITLES",
    "SAFETY_NET_FALLBACK",
    "SEATED_BREAKS",
    "Education",
    "FindingGroups",
    "alternative_title",
    "break_advice",
    "break_call",
    "break_move",
    "education",
    "emergency_call",
    "finding_groups",
    "heading",
    "listed",
    "patient_cited_keys",
    "people_citation",
    "program_summary",
    "safety_net",
    "safety_net_call",
    "seated_breaks",
    "shows_findings",
    "shows_safety_net",
    "tel_href",
    "time_frame",
    "where_line",
    "where_words",
]

ALTERNATIVE_TITLES: dict[str, str] = {
    "hip-joint": "The hip joint",
    "spinal-stenosis": "Narrowing around the nerves in the lower back (spinal stenosis)",
    "disc-or-nerve-root": "A disc or a nerve root",
    "abdominal-or-visceral": "Something in the belly",
    "inflammatory": "Inflammatory back pain",
    "iliopsoas-bleed": "A bleed into the hip-flexor muscle",
    "stress-fracture": "A stress fracture of the spine",
    "other": "Something else",
}

#: For results kept before the safety net was part of every result (their ``safety_net`` is
#: empty): the cauda equina signs, as the triage rules word them.
SAFETY_NET_FALLBACK: tuple[str, ...] = (SAFETY_NET_CAUDA_EQUINA.message,)

_SOURCE_PATH = re.compile(r"\s*\((?:[^()]*?[\w.-]+/[\w./-]+\.\w+[^()]*?)\)")
_UNCONFIRMED = " (citation not yet confirmed)"


# --- the heading -----------------------------------------------------------------------------


#: The movement breaks done without standing up (for people who cannot stand unaided).
SEATED_BREAKS = frozenset({"seated-break", "pressure-relief-break"})


def seated_breaks(items: Iterable[Exercise | ProgramItem]) -> bool:
    """True when every break is done sitting: such a person is never told to get up."""
    items = list(items)
    seated = any(i.id in SEATED_BREAKS for i in items)
    standing = any(i.category == "movement" and i.position == "standing" for i in items)
    return seated and not standing


def break_call(seated: bool) -> str:
    """The prompt's title when a break is due."""
    return "Time for a seated break" if seated else "Time to get up"


def break_move(seated: bool) -> str:
    """What to do when no particular movement is suggested."""
    if seated:
        return "Shift your weight, lift off the seat if you can, and move your arms for a minute."
    return "Stand up and move for a minute or two."


def break_count(movement: Exercise) -> str:
    """How much of a break movement to do, from its dose: "10 times", "30 seconds on each
    side", "2 minutes"."""
    dose = movement.dose
    if dose.reps:
        reps = f"{dose.reps} times"
        if (dose.sets or 1) > 1:
            reps = f"{dose.sets} sets of {dose.reps}"
        return reps + (" on each side" if dose.per_side else "")
    if dose.hold_seconds:
        hold = f"hold {dose.hold_seconds} seconds"
        return hold + (" on each side" if dose.per_side else "")
    if dose.minutes:
        return f"{dose.minutes:g} minute{'' if dose.minutes == 1 else 's'}"
    return "once"


def break_prompt(movement: Exercise) -> str:
    """A break reminder's words in one line: the movement, how much, and what it is. Only safe
    movements reach here (a wheelchair user's breaks are done sitting and never say stand)."""
    from psoas.domain.program import item_summary

    return f"{movement.name}, {break_count(movement)}: {item_summary(movement)}"


def break_advice(program: Program) -> str:
    """How often to break up sitting, in words that suit the person: "get up" only to people
    whose breaks are done standing."""
    every = program.break_interval_minutes
    if seated_breaks(program.items):
        return f"Every {every} minutes, take a short seated break from sitting still."
    return f"While sitting, get up and move every {every} minutes."


def program_summary(program: Program) -> str:
    """The program's size in a sentence, with the break advice."""
    n = program.sessions_per_day
    return (
        f"About {program.minutes_per_day:g} minutes a day, {n} session{'s' if n > 1 else ''} "
        f"a day. {break_advice(program)}"
    )


def time_frame(within_hours: float | None) -> str:
    """``now``, ``today``, ``within a few days``, ``within two weeks``; empty without one."""
    if within_hours is None:
        return ""
    if within_hours <= 0:
        return "now"
    if within_hours <= 24:
        return "today"
    if within_hours <= 72:
        return "within a few days"
    if within_hours <= 336:
        return "within two weeks"
    return f"within {round(within_hours / 24)} days"


def where_words(where: Where | str) -> str:
    """Where to go, in plain words (the triage rules' words); empty when there is nowhere to
    go."""
    if where == "none":
        return ""
    words: dict[str, str] = {str(k): v for k, v in WHERE_WORDS.items()}
    return words.get(where, where.replace("_", " "))


def tel_href(number: str) -> str:
    """A ``tel:`` link target: the number without spaces or dashes (``tel:+442079460000``)."""
    return "tel:" + re.sub(r"[^0-9+]", "", number)


def where_line(t: Triage) -> str:
    """``Where to go: ...``, only where the heading and the action sentence do not say it
    already (empty for nowhere)."""
    where = where_words(t.where)
    if not where or where in t.action or where in heading(t):
        return ""
    return f"Where to go: {where}."


def emergency_call(number: str) -> str:
    """Under an emergency heading: the number to call."""
    return f"Emergency number: {number}"


# --- the safety net --------------------------------------------------------------------------


def clearance_words(a: Assessment) -> str | None:
    """A doctor's clearance of warning signs, in one sentence for every text surface (None
    without one)."""
    c = a.clearance
    if c is None:
        return None
    who = f" by {c.recorded_by}" if c.recorded_by else ""
    signs = "; ".join(c.signs) or ", ".join(r.code for r in c.reasons)
    back = " So the home program is given." if a.program is not None else ""
    return (
        f"Cleared by a doctor: {c.cleared_by}, {c.role_name}, cleared on "
        f"{c.cleared_at:%d %B %Y}: {signs} (recorded{who}).{back} If a sign comes back or gets "
        "worse, or something new appears, stop the exercises and get help."
    )


def shows_safety_net(a: Assessment) -> bool:
    return a.triage.level != "emergency"


def safety_net(a: Assessment) -> list[str]:
    """What to watch for (empty for an emergency, whose result is to go now)."""
    if not shows_safety_net(a):
        return []
    return [r.message for r in a.safety_net] or list(SAFETY_NET_FALLBACK)


@dataclass(frozen=True)
class Listed:
    """A message whose list of signs is shown as a list: ``lead`` ``items`` ``tail``."""

    lead: str
    items: tuple[str, ...] = ()
    tail: str = ""


def listed(message: str) -> Listed:
    """``Go ... if you notice any of these: a; b; c. Do not wait.`` as a lead line, the signs
    as items and what follows; a message without such a list is all lead."""
    head, colon, rest = message.partition(": ")
    if not colon or rest.count("; ") < 2:
        return Listed(message)
    body, _, tail = rest.partition(". ")
    items = tuple(item.strip().rstrip(".") for item in body.split("; ") if item.strip())
    return Listed(head + ":", items, tail.strip())


def safety_net_call(number: str) -> str:
    """The line after what to watch for: each sign says where to go; this gives the number."""
    return f"If you cannot get to an emergency department safely, call {number} for an ambulance."


# --- hip-flexor findings ---------------------------------------------------------------------


def shows_findings(a: Assessment) -> bool:
    """Whether a person is shown the hip-flexor findings: never under an emergency or urgent
    result (they are set aside until a doctor has checked the warning signs)."""
    return a.program is not None and not withholds_program(a.triage.level)


@dataclass(frozen=True)
class FindingGroups:
    """The findings as plain reasons (no weights): for, against, and noted."""

    for_: tuple[Finding, ...]
    against: tuple[Finding, ...]
    noted: tuple[Finding, ...]


def finding_groups(findings: Iterable[Finding]) -> FindingGroups:
    found = tuple(findings)
    return FindingGroups(
        for_=tuple(f for f in found if f.weight > 0),
        against=tuple(f for f in found if f.weight < 0),
        noted=tuple(f for f in found if f.weight == 0),
    )


LEVEL_WORDS: dict[str, str] = {
    "likely": "Your answers suggest that tight or weak hip flexors may well play a part.",
    "possible": "Your answers suggest that the hip flexors may play a part.",
    "unlikely": "Your answers do not point at the hip flexors.",
}


def involvement_words(level: str) -> str:
    return LEVEL_WORDS.get(level, "")


# --- alternatives and education --------------------------------------------------------------


def alternative_title(alt: Alternative) -> str:
    return ALTERNATIVE_TITLES.get(alt.code, alt.code.replace("-", " ").capitalize())


POINTS_TO: dict[str, str] = {
    "physiotherapist": "A physiotherapist can help with this.",
    "doctor": "Your doctor can help with this.",
    "physiotherapist_or_doctor": "A physiotherapist or your doctor can help with this.",
}


@dataclass(frozen=True)
class Education:
    """One advice card as a person reads it: the title, the text, who can help, and any
    copyright notice that must be shown with it."""

    id: str
    title: str
    body: str
    sources: tuple[str, ...]
    who_helps: str = ""
    notice: str = ""
    #: the education figures shown with it (names for psoas.reports.pictures.education)
    figures: tuple[str, ...] = ()


def education(a: Assessment) -> list[Education]:
    """The education cards the assessment chose (none under an emergency or urgent result)."""
    from psoas.catalog import load_catalog  # the figures are catalog data, not the result's

    cards = {c.id: c for c in load_catalog().education}
    return [
        Education(
            id=card.id,
            title=card.title,
            body=card.body,
            sources=card.sources,
            who_helps=POINTS_TO.get(card.points_to or "", ""),
            notice=card.notice or "",
            figures=cards[card.id].figures if card.id in cards else (),
        )
        for card in a.education
    ]


# --- sources ---------------------------------------------------------------------------------


def patient_cited_keys(a: Assessment) -> list[str]:
    """Every bibliography key a person's view of the result cites, first use first (the
    findings' keys only where the findings are shown)."""
    groups: list[Sequence[str]] = [r.sources for r in a.triage.reasons]
    groups += [r.sources for r in _net(a)]
    groups += [alt.sources for alt in a.alternatives]
    if shows_findings(a):
        groups += [f.sources for f in a.hip_flexor_involvement.findings]
    if a.program is not None:
        groups += [i.sources for i in a.program.items]
    groups += [o.sources for o in a.clinician_options]
    groups += [card.sources for card in education(a)]
    keys: list[str] = []
    for group in groups:
        keys += [k for k in group if k not in keys]
    return keys


def _net(a: Assessment) -> tuple[Reason, ...]:
    return a.safety_net if shows_safety_net(a) else ()


def people_citation(ref: Reference) -> str:
    """The citation a person sees: authors, title, publisher or journal, year (and DOI),
    without the project's own bookkeeping ("not yet confirmed", paths to files)."""
    text = ref.citation().replace(_UNCONFIRMED, "")
    return _SOURCE_PATH.sub("", text)
