"""Renders docs/clinical-rules.md from the rules themselves, so the document cannot drift.

Run ``make docs`` (or ``python -m psoas.services.rules_doc > docs/clinical-rules.md``) after
changing a rule; a test fails while the committed file differs from this output.
"""

from __future__ import annotations

from psoas.catalog import load_catalog
from psoas.domain import breaks, clearance, involvement, program, progression, triage
from psoas.domain.results import DISCLAIMER
from psoas.services import steps

SAFETY_RULES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "red-flag-withholds-program",
        "Emergency and urgent triage return no program at all (`program: null`), on every "
        "surface; the questionnaire stops at the first emergency.",
        ("finucane-2020", "nice-cks-lbp"),
    ),
    *clearance.DOC_RULES,
    # Every exclusion code of the program, checked in this order. The abdominal-pressure
    # codes are one decision (program.why_no_belly_pressure) for items and clinician options.
    *program.PROGRAM_RULES,
    (
        "<condition> (catalog)",
        "Each catalog entry lists its own contraindications with a reason (for example "
        "percussion massage with osteoporosis or altered sensation).",
        ("percussion-device-precautions", "chen-2021"),
    ),
    *program.FITTING_RULES,
)

DOSE_RULES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "hold",
        "Stretches are held 30 seconds: longer holds add nothing, shorter ones do less.",
        ("bandy-1994", "bandy-1997"),
    ),
    (
        "sets",
        "Stretches start at 3 sets (up to 5) as the source protocols give; the tighter side gets "
        "one set more. Releases start at about "
        f"{program.RELEASE_START_MINUTES:g} minute a side, the tighter side included (the "
        "catalog's advice for the first sessions), and grow only with a step up. The other side "
        "never gets more.",
        ("recovapro-2020", "energy-medicine-2020", "percussion-device-precautions"),
    ),
    (
        "gentle",
        "Pain that is acute and severe (under "
        f"{program.IRRITABLE_WEEKS:g} weeks and {program.IRRITABLE_PAIN} or more out of 10 now "
        f"or at its worst this week) or high now ({program.IRRITABLE_PAIN} or more), pregnancy, "
        f"the six months after birth and age under {program.ADULT_AGE} get the gentle program: "
        f"at most {program.GENTLE_MAX_SETS} sets of each stretch and strengthening item (the "
        "tighter side included), no second stretch or side bridge, no release, and walking and "
        "breaks as ever.",
        ("nice-ng59", "bandy-1997", "psoas-safety-rules"),
    ),
    (
        "sessions per day",
        f"Releases and stretches twice a day for people sitting {program.HEAVY_SITTING_HOURS} "
        "hours a day or more, and for cyclists; otherwise once. Strengthening once a day.",
        ("energy-medicine-2020",),
    ),
    (
        "break interval",
        "Get up every 20 minutes when sitting 8 hours a day or more or usually 90 minutes or "
        "more without a break; otherwise every 30 minutes.",
        ("psoas-paradox", "thorp-2014", "waongenngarm-2021"),
    ),
)


def _cite(keys: tuple[str, ...]) -> str:
    return ", ".join(f"`{k}`" for k in keys)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render() -> str:
    catalog = load_catalog()
    out = [
        "# Clinical rules",
        "",
        "Generated from the code by `make docs` (`python -m psoas.services.rules_doc`); a test "
        "fails when this file and the code disagree. Source keys refer to the bibliography at "
        f"the end (catalog {catalog.version}).",
        "",
        f"> {DISCLAIMER}",
        "",
        "## 1. Warning signs (triage)",
        "",
        "Levels, most urgent first, with their time frames (`within_hours`: 0 now, 24 today, "
        "72 within a few days, 336 within two weeks): `emergency` (0, emergency department), "
        "`urgent` (24 or 72; no program), `see_clinician` (336; a gentle program is still "
        "given), `self_care` (null). The most urgent rule that fires sets the level, the "
        "shortest time frame among the rules that fired sets `within_hours`, and the most "
        "urgent rule sets `where`; a rule can supersede milder ones that say the same thing. "
        "Age alone never fires a rule (under-16s get their own pathway).",
        "",
        "| code | level | within hours | where | sign | fires when | what the person is told "
        "| supersedes | sources |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in triage.RULES:
        hours = "-" if r.within_hours is None else f"{r.within_hours:g}"
        out.append(
            f"| `{r.code}` | {r.level} | {hours} | {r.where} | {_cell(r.title)} | "
            f"{_cell(r.when)} | {_cell(r.message)} | "
            f"{', '.join(f'`{s}`' for s in r.supersedes) or '-'} | {_cite(r.sources)} |"
        )
    out += [
        "",
        "What the person is told to do, from the shortest time frame (`where` fills in *where*):",
        "",
    ]
    for frame, text in triage.ACTIONS.items():
        label = "null" if frame is None else f"{frame:g}"
        out.append(f"- `{label}`: {text.format(where='*where*')}")
    out += ["", "Then, by level:", ""]
    for level, note in triage.PROGRAM_NOTES.items():
        out.append(f"- `{level}`: {note}")
    out += [
        "",
        "## 2. Hip-flexor involvement",
        "",
        "Each finding adds or subtracts points; a finding shown on both sides counts once. "
        f"`likely` needs {involvement.LIKELY_SCORE} points and at least one positive examination "
        "finding (Thomas test, resisted hip flexion or palpation); "
        f"`possible` needs {involvement.POSSIBLE_SCORE}; below that `unlikely`.",
        "",
        "| code | weight | when | sources |",
        "| --- | --- | --- | --- |",
    ]
    for f in involvement.FINDINGS.values():
        out.append(f"| `{f.code}` | {f.weight} | {_cell(f.when)} | {_cite(f.sources)} |")
    out += [
        "",
        "### Tighter side",
        "",
        "Where both Thomas angles are measured they decide alone: the side whose thigh sits "
        f"higher, if the difference is at least {involvement.SIDE_DIFFERENCE_DEG:g} degrees "
        "(smaller differences are within the test's error) and that thigh is above the table. "
        "Otherwise the positive one-sided findings are added up per side and a side needs a "
        "lead of at least 2 points. Else neither side is tighter. Sources: "
        "`peeler-2007`, `vigotsky-2016`.",
        "",
        "## 3. Program safety",
        "",
        "| rule (exclusion code) | what it does | sources |",
        "| --- | --- | --- |",
    ]
    for code, text, keys in SAFETY_RULES:
        out.append(f"| `{code}` | {_cell(text)} | {_cite(keys)} |")
    out += [
        "",
        "## 4. Choosing the items",
        "",
        "Slots are filled in this order, each with the first candidate the person may do. "
        "When time is short, the slot with the highest drop number goes first.",
        "",
        "| slot | candidates, in order of preference | drop order | kept when short |",
        "| --- | --- | --- | --- |",
    ]
    for slot in (
        program.PRIMARY_STRETCH,
        program.RELEASE_SLOT,
        program.INJURED_FLEXOR_STRENGTH,
        program.CORE,
        program.EXTENSORS,
        program.FLEXOR_STRENGTH,
        program.SIDE_BRIDGE,
        program.SECOND_STRETCH,
        program.MOVEMENT,
        program.PRESSURE_RELIEF,
        program.WALKING,
    ):
        out.append(
            f"| {slot.name} | {', '.join(f'`{c}`' for c in slot.candidates)} | {slot.priority} "
            f"| {'yes' if slot.keep_when_short else 'no'} |"
        )
    out += [
        "",
        "- The primary stretch, the second stretch and hip-flexor strengthening are replaced by "
        "gentle isometric hip flexion when a hip flexor is injured.",
        "- Release is offered only when involvement is at least `possible` and triage is "
        "`self_care`, and never where belly pressure is ruled out; the second stretch only when "
        "involvement is `likely` and the program is not gentle. Hip-flexor strengthening stays "
        "when resisted hip flexion is weak.",
        "- For someone who cannot stand unaided or uses a wheelchair, stretches and "
        "strengthening are chosen only among seated versions, breaks are seated (and a "
        "pressure-relief break for wheelchair users), and walking is left out.",
        "- Posture habits: sitting back, feet flat and changing position for anyone sitting 2 "
        "hours a day or more; standing gym exercises for gym-goers; not sleeping on the stomach "
        "when it hurts or the hip flexors are implicated; standing-desk intervals with a "
        "standing desk. Movement breaks for everyone.",
        "",
        "## 5. Dose",
        "",
        "| rule | what it does | sources |",
        "| --- | --- | --- |",
    ]
    for name, text, keys in DOSE_RULES:
        out.append(f"| {name} | {_cell(text)} | {_cite(keys)} |")
    out += [
        "",
        "## 6. Progress and adaptation",
        "",
        "`psoas progress` reads the whole history, summarises it, and decides. A change to the "
        "program is stored as a new version with its reason; earlier versions stay as they were.",
        "",
        "| rule | what it does | sources |",
        "| --- | --- | --- |",
    ]
    for name, text, keys in (*progression.PROGRESSION_RULES, *steps.RULES):
        out.append(f"| `{name}` | {_cell(text)} | {_cite(keys)} |")
    out += [
        "",
        "## 7. Sitting breaks",
        "",
        "The coach prompts once an interval (the program's break interval, 20 or 30 minutes) "
        "inside working hours. Taken or skipped restarts the clock; a snooze pushes the break "
        "back by its minutes; outside working hours the next break comes one interval after "
        "work starts. It is worked out from the stored events, so a restart never loses count. "
        "Movements rotate among those that are safe for the person (the same exclusion rules as "
        f"the program). Sources: {_cite(breaks.SOURCES)}.",
    ]
    out += ["", "## Bibliography", ""]
    for ref in catalog.references:
        out.append(f"- `{ref.key}`: {ref.citation()}")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(render(), end="")
