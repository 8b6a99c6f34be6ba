"""Pure text formatting for the terminal: every function returns a string and prints nothing."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

from psoas.domain.adherence import SessionReport
from psoas.domain.catalog import Catalog, Exercise, Reference
from psoas.domain.program import item_steps
from psoas.domain.progression import Decision, ProgressSummary, decision_title, shown_readings
from psoas.domain.results import Assessment, ItemDose, ProgramItem
from psoas.reports import result_text

WIDTH = 88


def wrap(text: str, indent: str = "", first: str | None = None) -> str:
    return textwrap.fill(
        text,
        width=WIDTH,
        initial_indent=first if first is not None else indent,
        subsequent_indent=indent,
        break_on_hyphens=False,
    )


def _heading(title: str) -> str:
    return f"{title}\n{'-' * len(title)}"


def _cite(keys: Iterable[str]) -> str:
    return "[" + ", ".join(keys) + "]"


def _numbered(lines: Iterable[str], indent: str) -> list[str]:
    out = []
    for n, line in enumerate(lines, 1):
        lead = f"{indent}{n}. "
        out.append(wrap(line, " " * len(lead), lead))
    return out


def _bullets(lines: Iterable[str], indent: str) -> list[str]:
    return [wrap(line, indent + "  ", indent + "- ") for line in lines]


def format_item(n: int, item: ProgramItem, ex: Exercise) -> str:
    """One program item; ``ex`` is its catalog exercise, shown at the item's level."""
    ind = "    "
    level = ex.level(item.level) if item.level in ex.ladder else None
    head = f"{n}. {item.name}  ({item.category}, {item.position.replace('_', ' ')})"
    if level is not None:
        kind = "an easier" if level.kind == "easier" else "a harder"
        head += f"\n{ind}{kind.capitalize()} level of the {ex.name.lower()}"
        ex = ex.at_level(level.id)
    lines = [head, wrap("Dose: " + item.dose.describe(), ind, ind)]
    if item.dose.minutes is not None and item.category in ("posture", "movement"):
        lines[-1] = wrap("Dose: " + (ex.dose.note or item.dose.describe()), ind, ind)
    if ex.equipment:
        lines.append(ind + "You need: " + ", ".join(e.replace("_", " ") for e in ex.equipment))
    lines.append(ind + "Steps:")
    lines += _numbered(item_steps(ex, item.dose), ind + "  ")
    if item.progression_level and level is None and ex.progression:
        lines.append(ind + "Made harder:")
        lines += _bullets(ex.progression[: item.progression_level], ind)
    if ex.breathing:
        lines.append(wrap("Breathing: " + ex.breathing, ind, ind))
    if ex.cues:
        lines.append(ind + "Cues:")
        lines += _bullets(ex.cues, ind)
    if ex.common_errors:
        lines.append(ind + "Avoid:")
        lines += _bullets(ex.common_errors, ind)
    lines.append(ind + "Why:")
    lines += _bullets(item.why, ind)
    if item.cautions:
        lines.append(ind + "Take care:")
        lines += _bullets(item.cautions, ind)
    lines.append(ind + "Sources: " + ", ".join(item.sources))
    return "\n".join(lines)


def format_assessment(a: Assessment, catalog: Catalog, *, emergency_number: str = "112") -> str:
    """The result as a person reads it in the terminal: what to do, how soon and where first,
    then what to watch for, what else the answers fit, the program, and the sources.

    Under an emergency or urgent result the hip-flexor findings are set aside, and no score
    or finding weight is shown (``--format json`` keeps them for scripts)."""
    out: list[str] = ["psoas assessment", "=" * 16, ""]
    t = a.triage
    out.append(_heading(result_text.heading(t)))
    where = result_text.where_line(t)
    if where:
        out.append(wrap(where))
    out.append(wrap(t.action))
    if t.level == "emergency":
        out.append(result_text.emergency_call(emergency_number))
    for r in t.reasons:
        out.append(wrap(f"{r.message} {_cite(r.sources)}", "    ", "  ! "))
    out.append("")
    cleared = result_text.clearance_words(a)
    if cleared:
        out += [wrap(cleared), ""]

    net = result_text.safety_net(a)
    if net:
        out.append(_heading("What to watch for"))
        for line in net:
            m = result_text.listed(line)
            out.append(wrap(m.lead, "  ", "- "))
            out += _bullets(m.items, "    ")
            if m.tail:
                out.append(wrap(m.tail, "  ", "  "))
        out.append(wrap(result_text.safety_net_call(emergency_number)))
        out.append("")

    if a.alternatives:
        out.append(_heading("What else your answers may fit"))
        for alt in a.alternatives:
            out.append(wrap(result_text.alternative_title(alt), "  ", "- "))
            out.append(wrap(alt.message, "  ", "  "))
            out.append(wrap(f"What to do: {alt.what_to_do} {_cite(alt.sources)}", "  ", "  "))
        out.append("")

    if a.program is None:
        out.append(_heading("Home program: held back"))
        out.append(
            wrap(
                "No exercises are given, and the hip-flexor signs are set aside, until a doctor "
                "has checked the warning signs above."
            )
        )
        out.append("")
    if result_text.shows_findings(a):
        inv = a.hip_flexor_involvement
        out.append(_heading(f"Hip flexors: {inv.level}"))
        out.append(
            wrap(result_text.involvement_words(inv.level) + " The program puts this to the test.")
        )
        groups = result_text.finding_groups(inv.findings)
        for title, found in (
            ("What points to the hip flexors:", groups.for_),
            ("What points away from them:", groups.against),
            ("Also noted:", groups.noted),
        ):
            if found:
                out.append(title)
                out += [wrap(f"{f.message} {_cite(f.sources)}", "    ", "  - ") for f in found]
        side = a.tighter_side or "neither side clearly"
        out.append(f"Tighter side: {side}")
        out.append("")

    cards = result_text.education(a)
    if cards:
        out.append(_heading("Good to know"))
        for card in cards:
            out.append(wrap(card.title, "  ", "- "))
            out.append(wrap(f"{card.body} {_cite(card.sources)}", "  ", "  "))
            if card.who_helps:
                out.append(wrap(card.who_helps, "  ", "  "))
            if card.notice:
                out.append(wrap(card.notice, "  ", "  "))
        out.append("")

    p = a.program
    if p is not None:
        out.append(_heading("Your home program"))
        out.append(wrap(result_text.program_summary(p)))
        for note in p.notes:
            out.append(wrap(note))
        out.append("")
        for n, item in enumerate(p.items, 1):
            out.append(format_item(n, item, catalog.exercise(item.id)))
            out.append("")
        if p.excluded:
            out.append(_heading("Left out, and why"))
            for e in p.excluded:
                name = catalog.exercise(e.id).name
                out.append(wrap(f"{name}: {e.message}", "    ", "  - "))
            out.append("")
    if a.clinician_options:
        out.append(_heading("Options with a clinician (not for home)"))
        for o in a.clinician_options:
            out.append(wrap(f"{o.name} ({o.who}): {' '.join(o.why)}", "    ", "  - "))
        out.append("")
    if a.next_steps:
        out.append(_heading("Next steps"))
        out += _bullets(a.next_steps, "")
        out.append("")
    out.append(_heading("Sources"))
    out += [
        wrap(result_text.people_citation(catalog.reference(k)), "      ", f"  [{k}] ")
        for k in result_text.patient_cited_keys(a)
        if catalog.has_reference(k)
    ]
    out.append("")
    out.append(wrap(a.disclaimer))
    out.append(f"(catalog {a.catalog_version})")
    return "\n".join(out)


def format_catalog_list(exercises: Iterable[Exercise]) -> str:
    rows = [f"{'id':<40} {'category':<11} {'position':<9} belly  name"]
    for ex in exercises:
        belly = "yes" if ex.abdominal_pressure else "-"
        rows.append(f"{ex.id:<40} {ex.category:<11} {ex.position:<9} {belly:<6} {ex.name}")
    return "\n".join(rows)


def format_exercise(ex: Exercise, catalog: Catalog) -> str:
    ind = "  "
    out = [ex.name, "=" * len(ex.name), f"id: {ex.id}"]
    out.append(
        f"{ex.category}, {ex.position}; presses into the belly: "
        f"{'yes' if ex.abdominal_pressure else 'no'}; one side at a time: "
        f"{'yes' if ex.one_sided else 'no'}"
    )
    if ex.equipment:
        out.append("Equipment: " + ", ".join(e.replace("_", " ") for e in ex.equipment))
    out.append("Works on: " + ", ".join(ex.targets))
    out += ["", wrap(ex.summary), ""]
    d = ex.dose
    dose = ItemDose(
        sets=d.sets,
        reps=d.reps,
        hold_seconds=d.hold_seconds,
        minutes=d.minutes,
        rest_seconds=d.rest_seconds,
        times_per_day=d.times_per_day,
    ).describe()
    if d.sets_max:
        dose += f" (up to {d.sets_max} sets)"
    if d.per_side:
        dose += ", each side"
    out.append(wrap("Default dose: " + dose + (f". {d.note}" if d.note else "")))
    out.append("Why:")
    out += _bullets(ex.why, ind)
    out.append("Steps:")
    out += _numbered(item_steps(ex), ind)
    if ex.breathing:
        out.append(wrap("Breathing: " + ex.breathing))
    for title, lines in (
        ("Cues", ex.cues),
        ("Common errors", ex.common_errors),
        ("Safety", ex.safety),
        ("Progression", ex.progression),
        ("Regression", ex.regression),
    ):
        if lines:
            out.append(title + ":")
            out += _bullets(lines, ind)
    if ex.contraindications:
        out.append("Not offered with:")
        out += _bullets(
            (f"{c.condition.replace('_', ' ')}: {c.reason}" for c in ex.contraindications), ind
        )
    if ex.levels:
        out.append("Levels (a program steps back and up along these, easiest first):")
        for lv in ex.levels:
            d = ex.at_level(lv.id).dose
            dose = f"{d.sets} sets" + (f" of {d.reps}" if d.reps else "")
            dose += f", hold {d.hold_seconds} s" if d.hold_seconds else ""
            out += _bullets([f"{lv.name} ({lv.kind}; {dose}): {lv.summary}"], ind)
    if ex.variants:
        out.append("Variants:")
        out += _bullets((f"{v.name} ({v.kind}): {v.description}" for v in ex.variants), ind)
    out.append("Sources:")
    out += [wrap(catalog.reference(k).citation(), ind + "    ", f"{ind}[{k}] ") for k in ex.sources]
    return "\n".join(out)


def format_reference(ref: Reference) -> str:
    text = f"[{ref.key}] {ref.citation()}"
    if ref.note:
        text += f" {ref.note}"
    return wrap(text, "    ")


def format_sources(refs: Iterable[Reference]) -> str:
    return "\n".join(format_reference(r) for r in refs)


def format_session_end(report: SessionReport) -> str:
    """What the end of a session says, plainly: what was done and what was skipped (the
    browser's player says the same words)."""
    return (
        f"{report.title}. {report.summary} Posture habits and movement breaks carry on through "
        "the day (`psoas breaks` coaches them)."
    )


def format_progress(summary: ProgressSummary, decision: Decision) -> str:
    """The progress table and its plain reading, then what the program should do next."""
    out = [_heading(f"Progress on {summary.at:%Y-%m-%d}"), ""]
    a7, a28 = summary.adherence_7, summary.adherence_28
    rows = [
        ("Program version", str(summary.program_version or "-")),
        (
            "Days on the program",
            str(summary.days_on_program if summary.days_on_program is not None else "-"),
        ),
        ("Sessions, last 7 days", f"{a7.sessions_text} ({a7.percent_text})"),
        ("Sessions, last 28 days", f"{a28.sessions_text} ({a28.percent_text})"),
    ]
    p = summary.pain
    if p.baseline is not None:
        recent = "-" if p.recent_average is None else f"{p.recent_average:.1f}"
        rows.append(("Pain (0-10): at the start -> last 7 days", f"{p.baseline:g} -> {recent}"))
    if p.session_change is not None:
        rows.append(("Pain after minus before sessions", f"{p.session_change:+.1f}"))
    f = summary.function
    if f.first_mean is not None and f.latest_mean is not None:
        rows.append(
            ("Function (PSFS mean): first -> latest", f"{f.first_mean:.1f} -> {f.latest_mean:.1f}")
        )
    held_back = decision.rule == "held-back"
    for side_name, side in (("left", summary.retest.left), ("right", summary.retest.right)):
        if not held_back and side.first is not None:
            rows.append(
                (
                    f"Thomas test {side_name} hip (degrees): start -> latest",
                    side.text.replace("→", "->"),
                )
            )
    width = max(len(r[0]) for r in rows)
    out += [f"  {label:<{width}}  {value}" for label, value in rows]
    out.append("")
    out.append("What changed:")
    readings = shown_readings(summary, held_back=held_back)
    out += [wrap(f"{r.message} {_cite(r.sources)}", "    ", "  - ") for r in readings]
    out.append("")
    out.append(_heading(decision_title(decision)))
    out.append(wrap(f"{decision.lead} {_cite(decision.sources)}"))  # the changes: a list
    out += _bullets(decision.changes, "")
    if decision.rule == "recheck-first":
        out.append(wrap("Answer them with: psoas recheck --pain N (N: your pain now, 0-10)."))
    if decision.retest_due and not held_back:
        out.append(wrap("A re-test is due: `psoas log retest --thomas-left A --thomas-right B`."))
    if decision.advise_clinician and not held_back:  # the hold says whom to see, and how soon
        out.append(wrap("Please see a physiotherapist or your doctor about this."))
    return "\n".join(out)


def format_triage(a: Assessment) -> str:
    """What a warning-sign check found: the level, what to do, and each reason."""
    t = a.triage
    out = [_heading(result_text.heading(t)), wrap(t.action)]
    out += [wrap(f"{r.message} {_cite(r.sources)}", "    ", "  ! ") for r in t.reasons]
    if a.program is None:
        out.append(wrap("The home program is held back: no exercise is offered."))
    else:
        out.append(wrap("No new warning sign: your program has been made again for today's pain."))
    return "\n".join(out)
