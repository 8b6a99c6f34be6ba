"""The episode report: an A4 PDF (fpdf2) a clinician attaches to a referral letter.

Plain and short (two or three pages): who the patient is (name, birth date and age), the clinic
and the clinician, each assessment (how urgent, the hip-flexor findings), the program's versions
and what changed in each, adherence, pain and function (the patient-specific functional scale),
the Oswestry and Roland-Morris totals scored at the clinic and the patient's ratings of change,
with their charts, then the works it cites. In the style of the handout
(:mod:`psoas.reports.pdf`): the same fonts, header rule and footer.

Everything it prints is passed in as :class:`Episode` (plain words and numbers), so the same
episode gives the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from fpdf.enums import XPos, YPos

from psoas.reports.pdf import DISCLAIMER_LINE, _Handout

__all__ = ["AssessmentLine", "Episode", "OutcomeLine", "VersionLine", "episode_pdf"]


@dataclass(frozen=True)
class AssessmentLine:
    on: date
    urgency: str  # the triage heading ("Self-care is reasonable", ...)
    action: str | None
    involvement: str  # "possible (score 3)"
    side: str | None
    about: str | None  # "Age 41, office worker; sits 9 hours a day; pain 6/10 for 8 weeks"
    findings: tuple[tuple[int, str], ...]  # (weight, words)
    reasons: tuple[str, ...] = ()  # warning signs, when any


@dataclass(frozen=True)
class VersionLine:
    version: int
    on: date
    why: str
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    items: int = 0
    minutes: float = 0


@dataclass(frozen=True)
class OutcomeLine:
    on: date
    measure: str
    value: str
    entered_by: str


@dataclass(frozen=True)
class Episode:
    patient: str
    on: date
    birth_date: date | None
    age: int | None
    clinician: str
    clinic: str | None
    clinic_contact: tuple[str, ...]
    first_seen: date | None
    assessments: tuple[AssessmentLine, ...]
    versions: tuple[VersionLine, ...]
    adherence: tuple[tuple[str, str], ...]  # (label, value)
    pain_function: tuple[tuple[str, str], ...]
    outcomes: tuple[OutcomeLine, ...]
    changes: tuple[str, ...]
    readings: tuple[str, ...]
    #: (title, PNG bytes)
    charts: tuple[tuple[str, bytes], ...] = ()
    references: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())


class _Report(_Handout):
    def __init__(self, episode: Episode, *, unicode_font: bool = True) -> None:
        super().__init__(episode.patient, episode.on, unicode_font=unicode_font)
        self.episode = episode
        self.set_title(f"psoas episode report: {episode.patient}")
        self.set_auto_page_break(auto=True, margin=13)

    def header(self) -> None:
        e = self.episode
        self.font(10, "B")
        self.set_text_color(0)
        self.cell(self.epw * 0.7, 5, self.t(f"Episode report: {e.patient}"), new_x=XPos.RIGHT)
        self.cell(
            self.epw * 0.3,
            5,
            self.t(_day(e.on)),
            align="R",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.font(8, "I")
        self.set_text_color(80)
        self.cell(self.epw, 4, self.t(DISCLAIMER_LINE), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(170)
        self.line(self.l_margin, self.y + 1, self.l_margin + self.epw, self.y + 1)
        self.set_text_color(0)
        self.ln(4)

    def footer(self) -> None:
        e = self.episode
        self.set_y(-11)
        self.font(8)
        self.set_text_color(90)
        who = " - ".join(p for p in (e.clinic, e.clinician) if p)
        self.cell(self.epw * 0.75, 5, self.t(f"{who} - made with psoas"), new_x=XPos.RIGHT)
        self.cell(self.epw * 0.25, 5, f"page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0)

    def section(self, title: str) -> None:
        self.ln(2)
        self.room_for(22)
        self.set_fill_color(234, 239, 245)
        self.font(12, "B")
        self.multi_cell(
            self.epw, 7, self.t(title), fill=True, align="L", new_x=XPos.LMARGIN, padding=1
        )
        self.ln(1)

    def grid(self, rows: Sequence[Sequence[str]], widths: Sequence[float], head: bool) -> None:
        """A plain table; the first row bold when ``head``."""
        self.font(9)
        with self.table(
            col_widths=tuple(widths),
            text_align="LEFT",
            first_row_as_headings=head,
            line_height=4.6,
            padding=1,
            borders_layout="HORIZONTAL_LINES",
            width=self.epw,
        ) as t:
            for r in rows:
                row = t.row()
                for value in r:
                    row.cell(self.t(value))
        self.ln(1)


def _day(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def _short(d: date) -> str:
    return f"{d.day} {d:%b %Y}"


CHART_GAP = 4.0


def _charts(pdf: _Report, charts: Sequence[tuple[str, bytes]]) -> None:
    """Two charts a row, each half the page wide, kept whole on a page."""
    width = (pdf.epw - CHART_GAP) / 2
    height = width * 4.5 / 8.0  # the charts are drawn 8 by 4.5 inches
    for n in range(0, len(charts), 2):
        pair = charts[n : n + 2]
        pdf.room_for(height + 2)
        top = pdf.y
        for k, (title, png) in enumerate(pair):
            pdf.image(
                io.BytesIO(png),
                x=pdf.l_margin + k * (width + CHART_GAP),
                y=top,
                w=width,
                h=height,
                alt_text=title,
            )
        pdf.set_y(top + height + 1)


def episode_pdf(episode: Episode, *, unicode_font: bool = True) -> bytes:
    """The episode report as A4 PDF bytes (the creation date is the report's day)."""
    e = episode
    pdf = _Report(e, unicode_font=unicode_font)
    pdf.add_page()
    pdf.font(18, "B")
    pdf.multi_cell(pdf.epw, 9, pdf.t("Episode report"), align="L", new_x=XPos.LMARGIN)
    pdf.para(
        "A summary of this person's care with psoas, a home program for low back pain in which "
        "the hip flexors may play a part, for a referral or a colleague.",
        size=9,
    )
    pdf.ln(1)
    born = "not given"
    if e.birth_date is not None:
        born = _day(e.birth_date) + (f" (age {e.age})" if e.age is not None else "")
    who = [
        ("Patient", e.patient),
        ("Birth date", born),
        ("Clinician", e.clinician),
        ("Clinic", e.clinic or "-"),
    ]
    if e.clinic_contact:
        who.append(("Contact", " - ".join(e.clinic_contact)))
    if e.first_seen is not None:
        who.append(("With psoas since", _day(e.first_seen)))
    pdf.grid([list(r) for r in who], (30, 144), head=False)

    pdf.section("Assessments")
    if not e.assessments:
        pdf.para("No assessment yet.")
    for a in e.assessments:
        pdf.room_for(30)
        pdf.heading(f"{_short(a.on)}: {a.urgency}")
        if a.action:
            pdf.para(a.action, size=9)
        if a.reasons:
            pdf.bullets(a.reasons)
        line = f"Hip flexors: {a.involvement}"
        if a.side:
            line += f"; {a.side} side tighter"
        pdf.para(line, size=9.5)
        if a.about:
            pdf.para(a.about, size=9.5)
        if a.findings:
            pdf.grid(
                [["Weight", "Finding"], *[[f"{w:+d}", m] for w, m in a.findings]],
                (16, 158),
                head=True,
            )

    pdf.section("Program versions")
    if e.versions:
        rows = [["Version", "From", "What changed, and why"]]
        for v in e.versions:
            text = v.why
            if v.added:
                text += "\nAdded: " + ", ".join(v.added)
            if v.removed:
                text += "\nLeft out: " + ", ".join(v.removed)
            text += f"\n{v.items} items, about {v.minutes:g} minutes a day."
            rows.append([str(v.version), _short(v.on), text])
        pdf.grid(rows, (17, 26, 131), head=True)
    else:
        pdf.para("No program yet.")

    pdf.section("Adherence, pain and function")
    pdf.grid([list(r) for r in (*e.adherence, *e.pain_function)], (70, 104), head=False)
    if e.readings:
        pdf.bullets(e.readings)

    pdf.section("Disability totals and the patient's rating of change")
    if e.outcomes:
        pdf.grid(
            [
                ["Date", "Measure", "Value", "Entered by"],
                *[[_short(o.on), o.measure, o.value, o.entered_by] for o in e.outcomes],
            ],
            (26, 44, 50, 54),
            head=True,
        )
        if e.changes:
            pdf.bullets(e.changes)
        pdf.para(
            "Oswestry and Roland-Morris totals were scored on the clinic's own forms; psoas "
            "keeps the total only.",
            size=8,
            style="I",
        )
    else:
        pdf.para("None recorded.")

    if e.charts:
        pdf.section("Charts")
        _charts(pdf, e.charts)

    for note in e.notes:
        pdf.para(note, size=9)
    if e.references:
        pdf.section("Sources")
        for ref in e.references:
            pdf.font(7.5)
            pdf.multi_cell(pdf.epw, 3.4, pdf.t(ref), align="L", new_x=XPos.LMARGIN)
    return bytes(pdf.output())
