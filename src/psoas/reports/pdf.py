"""A printable handout of a home program (A4 PDF, fpdf2), built from the catalog.

It opens with the safety net (what to watch for and what to do at once, with the local
emergency number) and what else the answers may fit. Each item has its name, the dose per side,
numbered steps (their sets and holds filled in from that dose), breathing, cues, common errors,
cautions, why and the keys of its sources; advice cards follow, and the handout ends with the
full citations (title, publisher or journal, year). Every page carries the person's name, the
date and a one-line disclaimer. The text comes from the same catalog the CLI and the web pages
read (:func:`item_text` is what the web shows too).

DejaVu Sans (it ships with matplotlib, a psoas dependency) is used when it can be found, so
any character prints; otherwise the PDF core font Helvetica with text reduced to Latin-1.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from psoas.domain.catalog import Catalog, Reference
from psoas.domain.illustration import slug
from psoas.domain.program import item_steps
from psoas.domain.results import Assessment, Program, ProgramItem
from psoas.reports import pictures, result_text

__all__ = [
    "DISCLAIMER_LINE",
    "CareLine",
    "ItemText",
    "handout_pdf",
    "item_text",
    "program_reference_keys",
]

DISCLAIMER_LINE = (
    "psoas informs; it does not diagnose. Stop any exercise that causes sharp or spreading pain "
    "and see a clinician."
)
HABITS = ("posture", "movement")
CATEGORY_TITLES = {
    "release": "Release",
    "stretch": "Stretch",
    "strengthen": "Strengthening",
    "posture": "Posture habit",
    "movement": "Movement break",
}


@dataclass(frozen=True)
class ItemText:
    """One program item in words, as every surface shows it."""

    id: str
    name: str
    kind: str  # "Stretch, kneeling"
    dose: str
    equipment: tuple[str, ...]
    summary: str
    steps: tuple[str, ...]
    harder: tuple[str, ...]
    breathing: str | None
    cues: tuple[str, ...]
    common_errors: tuple[str, ...]
    cautions: tuple[str, ...]
    why: tuple[str, ...]
    sources: tuple[str, ...]
    one_sided: bool = False
    #: how to do it in pictures: the item's own, its wrong and right way, where to place a tool
    pictures: tuple[pictures.Picture, ...] = ()
    variants: tuple[VariantText, ...] = ()
    #: the catalog level the item is at (None: the exercise itself), and its kind in words
    level: str | None = None
    level_kind: str | None = None
    #: the patient's clinician's own note or cue on the item, if any
    clinician_note: str | None = None


@dataclass(frozen=True)
class CareLine:
    """Who looks after the person, on every page of a handout: the clinic, the clinician, how
    to reach them, and the app's address (a QR code on the first page)."""

    clinic: str | None = None
    clinician: str | None = None
    #: the ways to reach the clinic, as printed ("Phone 020 7946 0000", an email, a website)
    contact: tuple[str, ...] = ()
    #: the address the QR code opens (the person's program in the app); None: no QR code
    app_url: str | None = None

    @property
    def who(self) -> str:
        return " - ".join(p for p in (self.clinic, self.clinician) if p)


def draw_qr(pdf: FPDF, data: str, *, x: float, y: float, size: float) -> None:
    """A QR code for ``data`` drawn as vector squares (crisp at any print size), made here
    with segno: nothing leaves the server."""
    import segno

    matrix = [list(row) for row in segno.make(data, error="m").matrix]
    n = len(matrix)
    quiet = 2  # modules of white around it (readers need some)
    cell = size / (n + 2 * quiet)
    pdf.set_fill_color(255)
    pdf.rect(x, y, size, size, style="F")
    pdf.set_fill_color(0)
    for r, row in enumerate(matrix):
        c = 0
        while c < n:  # one rectangle for each run of dark modules in a row
            if not row[c]:
                c += 1
                continue
            start = c
            while c < n and row[c]:
                c += 1
            pdf.rect(
                x + (quiet + start) * cell,
                y + (quiet + r) * cell,
                (c - start) * cell + 0.01,
                cell + 0.01,
                style="F",
            )
    pdf.set_fill_color(255)


QR_SIZE = 20.0


@dataclass(frozen=True)
class VariantText:
    """An easier, harder or other way to do an item, with its picture."""

    name: str
    kind: str  # "Easier", "Harder", "Another way"
    description: str
    picture: pictures.Picture | None


VARIANT_KINDS = {"regression": "Easier", "progression": "Harder", "alternative": "Another way"}
LEVEL_KINDS = {"easier": "an easier level", "harder": "a harder level"}


def item_text(item: ProgramItem, catalog: Catalog) -> ItemText:
    """The words for one item: the program's dose (per side) and the catalog's instructions,
    their sets, holds and minutes filled in from that dose.

    Posture habits and movement breaks take the catalog's dose note, as the terminal does.
    Cautions are the program's cautions for this person: the catalog's safety notes that can
    apply to them (see psoas.domain.program.item_cautions), then their personal ones.
    """
    base = catalog.exercise(item.id)
    level_id = item.level if item.level in base.ladder else None
    ex = base.at_level(level_id)  # the level the item is at: its words, dose and figure
    level = base.level(level_id)
    dose = item.dose.describe()
    if item.category in HABITS:
        dose = ex.dose.note or dose
    cautions = item.cautions  # the catalog's notes that can apply to this person, and more
    position = item.position.replace("_", " ")
    kind = CATEGORY_TITLES[item.category] + ("" if position == "any" else f", {position}")
    if level is not None:
        kind += f", {LEVEL_KINDS[level.kind]} of the {base.name.lower()}"
    return ItemText(
        id=item.id,
        name=item.name,
        kind=kind,
        dose=dose,
        equipment=tuple(e.replace("_", " ") for e in ex.equipment),
        summary=ex.summary,
        steps=item_steps(ex, item.dose),
        harder=ex.progression[: item.progression_level] if level is None else (),
        breathing=ex.breathing,
        cues=ex.cues,
        common_errors=ex.common_errors,
        cautions=cautions,
        why=item.why,
        sources=item.sources,
        one_sided=ex.one_sided,
        pictures=level_pictures(item.id, level.figure if level else None),
        variants=tuple(
            VariantText(
                v.name, VARIANT_KINDS[v.kind], v.description, pictures.find(ex.id, slug(v.name))
            )
            for v in base.variants
            if level is None or slug(v.name) != level.figure
        ),
        level=level.name if level else None,
        level_kind=LEVEL_KINDS[level.kind] if level else None,
        clinician_note=item.clinician_note,
    )


def level_pictures(item_id: str, figure: str | None) -> tuple[pictures.Picture, ...]:
    """What an item at a level opens with: the level's own figure (the exercise's pictures at
    the base level)."""
    if figure is None:
        return pictures.how_to(item_id)
    own = pictures.find(item_id, figure)
    return (own,) if own is not None else pictures.how_to(item_id)


def program_reference_keys(program: Program, extra: Iterable[str] = ()) -> list[str]:
    """Every bibliography key the program's items cite (then ``extra``), first use first."""
    keys = [k for i in program.items for k in i.sources] + list(extra)
    return list(dict.fromkeys(keys))


# --- fonts -------------------------------------------------------------------------------------

_LATIN1 = str.maketrans(
    {
        "\u2013": "-",
        "\u2014": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2026": "...",
        "\u2022": "-",
        "\u2192": "->",
        "\u2264": "<=",
        "\u2265": ">=",
        "\u00a0": " ",
        "\u2212": "-",
    }
)


def _dejavu_dir() -> Path | None:
    try:
        import matplotlib
    except ImportError:  # pragma: no cover - matplotlib is a dependency
        return None
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    names = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf")
    return folder if all((folder / n).is_file() for n in names) else None


class _Handout(FPDF):
    def __init__(
        self, person: str, on: date, *, unicode_font: bool, care: CareLine | None = None
    ) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.person = person
        self.on = on
        self.care = care
        self.family = "Helvetica"
        folder = _dejavu_dir() if unicode_font else None
        if folder is not None:
            self.add_font("DejaVu", "", str(folder / "DejaVuSans.ttf"))
            self.add_font("DejaVu", "B", str(folder / "DejaVuSans-Bold.ttf"))
            self.add_font("DejaVu", "I", str(folder / "DejaVuSans-Oblique.ttf"))
            self.family = "DejaVu"
        self.set_margins(left=18, top=16, right=18)
        self.set_auto_page_break(auto=True, margin=16)
        self.set_title("psoas home program")
        self.set_author("psoas")
        self.set_creator("psoas")
        self.set_lang("en")
        self.set_creation_date(datetime.combine(on, time(0, 0), tzinfo=UTC))

    def t(self, text: str) -> str:
        """Text the current font can print."""
        if self.family == "DejaVu":
            return text
        return text.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")

    def font(self, size: float, style: str = "") -> None:
        self.set_font(self.family, style, size)

    def header(self) -> None:
        care = self.care
        qr = care is not None and care.app_url is not None and self.page_no() == 1
        top = self.y
        width = self.epw - (QR_SIZE + 3 if qr else 0)
        self.font(10, "B")
        self.set_text_color(0)
        left = f"Home program for {self.person}"
        right = f"{self.on:%d %B %Y}".lstrip("0")
        self.cell(width * 0.7, 5, self.t(left), new_x=XPos.RIGHT, new_y=YPos.TOP)
        self.cell(width * 0.3, 5, self.t(right), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if care is not None and care.who:
            self.font(9)
            self.cell(width, 4.5, self.t(care.who), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            if care.contact and self.page_no() == 1:
                self.cell(
                    width,
                    4.5,
                    self.t(" - ".join(care.contact)),
                    new_x=XPos.LMARGIN,
                    new_y=YPos.NEXT,
                )
        if qr and care is not None and care.app_url is not None:
            self.font(8)
            self.set_text_color(60)
            self.cell(
                width,
                4,
                self.t(f"Your program in the app: scan the code or open {care.app_url}"),
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )
        self.font(8, "I")
        self.set_text_color(80)
        self.multi_cell(width, 4, self.t(DISCLAIMER_LINE), align="L", new_x=XPos.LMARGIN)
        if qr and care is not None and care.app_url is not None:
            draw_qr(self, care.app_url, x=self.l_margin + self.epw - QR_SIZE, y=top, size=QR_SIZE)
            self.set_y(max(self.y, top + QR_SIZE))
        self.set_draw_color(170)
        self.line(self.l_margin, self.y + 1, self.l_margin + self.epw, self.y + 1)
        self.set_text_color(0)
        self.ln(4)

    def footer(self) -> None:
        self.set_y(-11)
        self.font(8)
        self.set_text_color(90)
        page = f"psoas - page {self.page_no()} of {{nb}}"
        care = self.care
        if care is not None and (care.clinic or care.contact):
            reach = " - ".join([*([care.clinic] if care.clinic else []), *care.contact[:1]])
            self.cell(self.epw * 0.75, 5, self.t(f"Questions: {reach}"), new_x=XPos.RIGHT)
            self.cell(self.epw * 0.25, 5, page, align="R")
        else:
            self.cell(0, 5, page, align="C")
        self.set_text_color(0)

    # --- blocks ---------------------------------------------------------------------------

    def para(self, text: str, size: float = 10, style: str = "", h: float = 5) -> None:
        self.font(size, style)
        self.multi_cell(self.epw, h, self.t(text), align="L", new_x=XPos.LMARGIN)

    def labelled(self, label: str, text: str, size: float = 10) -> None:
        """``Label: text`` with the label in bold, wrapped as one paragraph."""
        self.font(size)
        self.multi_cell(
            self.epw,
            5,
            f"**{self.t(label)}** {self.t(_escape_md(text))}",
            align="L",
            markdown=True,
            new_x=XPos.LMARGIN,
        )

    def heading(self, text: str, size: float = 10) -> None:
        self.room_for(size * 1.6)
        self.font(size, "B")
        self.multi_cell(self.epw, 5.5, self.t(text), align="L", new_x=XPos.LMARGIN)

    def hanging(self, marks: Sequence[str], lines: Sequence[str], indent: float = 4) -> None:
        """A list with its marks (numbers or bullets) hanging to the left of the text."""
        self.font(10)
        width = max(self.get_string_width(self.t(m)) for m in marks) + 2
        for mark, line in zip(marks, lines, strict=True):
            self.set_x(self.l_margin + indent)
            self.cell(width, 5, self.t(mark), new_x=XPos.RIGHT, new_y=YPos.TOP)
            self.multi_cell(
                self.epw - indent - width, 5, self.t(line), align="L", new_x=XPos.LMARGIN
            )

    def bullets(self, lines: Sequence[str]) -> None:
        if lines:
            self.hanging(["-"] * len(lines), lines)

    def numbered(self, lines: Sequence[str]) -> None:
        if lines:
            self.hanging([f"{n}." for n in range(1, len(lines) + 1)], lines)

    def room_for(self, height: float) -> None:
        """Start a new page unless ``height`` mm fit on this one (so that a heading is never
        left alone at the foot of a page)."""
        if self.y + height > self.page_break_trigger:
            self.add_page()


def _escape_md(text: str) -> str:
    """Keep fpdf2's markdown from reading ``**``, ``__`` or ``--`` in catalog text."""
    return text.replace("**", "* *").replace("__", "_ _").replace("--", "- -")


def _draw_item(pdf: _Handout, n: int, it: ItemText) -> None:
    pdf.ln(1.5)
    pdf.room_for(45)
    pdf.set_fill_color(234, 239, 245)
    pdf.font(12, "B")
    pdf.multi_cell(
        pdf.epw, 7, pdf.t(f"{n}. {it.name}"), fill=True, align="L", new_x=XPos.LMARGIN, padding=1
    )
    pdf.font(9, "I")
    pdf.set_text_color(70)
    pdf.multi_cell(pdf.epw, 4.5, pdf.t(it.kind), align="L", new_x=XPos.LMARGIN)
    pdf.set_text_color(0)
    pdf.ln(0.5)
    _draw_pictures(pdf, it)
    pdf.labelled("Dose:", it.dose)
    if it.clinician_note:
        pdf.labelled("From your clinician:", it.clinician_note)
    if it.equipment:
        pdf.labelled("You need:", ", ".join(it.equipment))
    pdf.heading("Steps")
    pdf.numbered(it.steps)
    if it.harder:
        pdf.heading("Made harder")
        pdf.bullets(it.harder)
    if it.breathing:
        pdf.labelled("Breathing:", it.breathing)
    if it.cues:
        pdf.heading("Cues")
        pdf.bullets(it.cues)
    if it.common_errors:
        pdf.heading("Common errors to avoid")
        pdf.bullets(it.common_errors)
    if it.cautions:
        pdf.heading("Take care")
        pdf.bullets(it.cautions)
    pdf.heading("Why")
    pdf.bullets(it.why)
    pdf.font(9)
    pdf.set_text_color(70)
    pdf.multi_cell(
        pdf.epw,
        4.5,
        pdf.t("Sources: " + ", ".join(f"[{k}]" for k in it.sources)),
        align="L",
        new_x=XPos.LMARGIN,
    )
    pdf.set_text_color(0)
    pdf.ln(2)


#: Printed height (mm) of a row of pictures: about a quarter of the page's text height.
PICTURE_HEIGHT = 36.0
PICTURE_GAP = 4.0


def _svg_for_print(p: pictures.Picture) -> io.BytesIO:
    # fpdf2 draws the shapes and text; it does not read <title>/<desc> (the caption says it)
    drawn = pictures.svg(p.item_id, p.name, for_print=True)
    return io.BytesIO(re.sub(r"<title.*?</desc>", "", drawn, flags=re.S).encode())


def _draw_row(pdf: _Handout, row: Sequence[pictures.Picture], caption: str = "") -> None:
    """Pictures side by side at one height, as vectors, kept whole on one page, captioned."""
    sizes = [tuple(float(v) for v in p.size()) for p in row]
    widths = [min(PICTURE_HEIGHT * w / h, pdf.epw) for w, h in sizes]
    heights = [wd * h / w for wd, (w, h) in zip(widths, sizes, strict=True)]
    pdf.room_for(max(heights) + 6)
    top, x = pdf.y, pdf.l_margin
    for p, wd, ht in zip(row, widths, heights, strict=True):
        pdf.image(_svg_for_print(p), x=x, y=top, w=wd, h=ht)
        x += wd + PICTURE_GAP
    pdf.set_y(top + max(heights) + 1)
    if caption:
        pdf.font(8, "I")
        pdf.set_text_color(90)
        pdf.multi_cell(pdf.epw, 4, pdf.t(caption), align="L", new_x=XPos.LMARGIN)
        pdf.set_text_color(0)
    pdf.ln(1)


def _draw_picture(pdf: _Handout, p: pictures.Picture, caption: str = "") -> None:
    _draw_row(pdf, [p], caption)


def _draw_pictures(pdf: _Handout, it: ItemText) -> None:
    """The item's pictures in rows as wide as the page: its own, the wrong and right way,
    where to place a tool, and why; one caption says what they show."""
    notes = {
        "pair": "The wrong way and the right way.",
        "placement": "Where to place it, seen from the front.",
        "education": "Why it matters.",
    }
    caption = " ".join(
        dict.fromkeys(
            [*(["Right side shown; do the left the same way, mirrored."] if it.one_sided else [])]
            + [notes[p.kind] for p in it.pictures if p.kind in notes]
        )
    )
    row: list[pictures.Picture] = []
    used = 0.0
    for p in it.pictures:
        w, h = (float(v) for v in p.size())
        width = min(PICTURE_HEIGHT * w / h, pdf.epw)
        if row and used + PICTURE_GAP + width > pdf.epw:
            _draw_row(pdf, row)
            row, used = [], 0.0
        row.append(p)
        used += (PICTURE_GAP if used else 0.0) + width
    if row:
        _draw_row(pdf, row, caption)


def _draw_safety_net(pdf: _Handout, lines: Sequence[str], number: str) -> None:
    """What to watch for, in a box with a red rule: the part of the handout to keep in mind."""
    pdf.ln(1)
    pdf.room_for(40)
    top = pdf.y
    pdf.set_x(pdf.l_margin + 3)
    pdf.font(12, "B")
    pdf.set_text_color(164, 22, 26)
    pdf.multi_cell(pdf.epw - 3, 6, pdf.t("What to watch for"), align="L", new_x=XPos.LMARGIN)
    pdf.set_text_color(0)
    for line in lines:
        m = result_text.listed(line)
        pdf.hanging(["-"], [m.lead], indent=4)
        if m.items:
            pdf.hanging(["-"] * len(m.items), list(m.items), indent=9)
        if m.tail:
            pdf.set_x(pdf.l_margin + 7)
            pdf.font(10, "B")
            pdf.multi_cell(pdf.epw - 7, 5, pdf.t(m.tail), align="L", new_x=XPos.LMARGIN)
        pdf.ln(0.8)
    pdf.set_x(pdf.l_margin + 3)
    pdf.font(10, "B")
    pdf.multi_cell(
        pdf.epw - 3, 5, pdf.t(result_text.safety_net_call(number)), align="L", new_x=XPos.LMARGIN
    )
    pdf.set_draw_color(164, 22, 26)
    pdf.set_line_width(0.8)
    pdf.line(pdf.l_margin, top, pdf.l_margin, pdf.y)
    pdf.set_line_width(0.2)
    pdf.set_draw_color(0)
    pdf.ln(2)


def _draw_alternatives(pdf: _Handout, assessment: Assessment) -> None:
    pdf.ln(1)
    pdf.room_for(30)
    pdf.heading("What else your answers may fit", size=12)
    for alt in assessment.alternatives:
        pdf.room_for(20)
        pdf.heading(result_text.alternative_title(alt))
        pdf.para(alt.message)
        pdf.labelled("What to do:", alt.what_to_do)
        pdf.font(9)
        pdf.set_text_color(70)
        sources = "Sources: " + ", ".join(f"[{k}]" for k in alt.sources)
        pdf.multi_cell(pdf.epw, 4.5, pdf.t(sources), align="L", new_x=XPos.LMARGIN)
        pdf.set_text_color(0)
        pdf.ln(1)


def _draw_education(pdf: _Handout, cards: Sequence[result_text.Education]) -> None:
    pdf.ln(1)
    pdf.room_for(30)
    pdf.heading("Good to know", size=12)
    for card in cards:
        pdf.room_for(20)
        pdf.heading(card.title)
        for name in card.figures:
            _draw_picture(pdf, pictures.education(name))
        pdf.para(card.body)
        if card.who_helps:
            pdf.para(card.who_helps, style="B")
        if card.notice:
            pdf.para(card.notice, size=8, style="I")
        if card.sources:
            pdf.font(9)
            pdf.set_text_color(70)
            sources = "Sources: " + ", ".join(f"[{k}]" for k in card.sources)
            pdf.multi_cell(pdf.epw, 4.5, pdf.t(sources), align="L", new_x=XPos.LMARGIN)
            pdf.set_text_color(0)
        pdf.ln(1)


def handout_pdf(
    program: Program,
    catalog: Catalog,
    *,
    person: str,
    on: date,
    version: int | None = None,
    catalog_version: str | None = None,
    sources: Iterable[str] = (),
    assessment: Assessment | None = None,
    emergency_number: str = "112",
    unicode_font: bool = True,
    care: CareLine | None = None,
) -> bytes:
    """The program as an A4 PDF handout for ``person``, dated ``on``.

    ``care`` puts the clinic, the clinician and how to reach them on every page, and a QR code
    back to the app on the first.

    ``sources`` are extra bibliography keys (for example the reason for a program version).
    ``assessment`` (the latest one) gives the safety net, the other explanations the answers
    fit and any education cards; without it the handout still carries the cauda equina safety
    net. ``emergency_number`` is the local number (``PSOAS_EMERGENCY_NUMBER``).
    The same arguments give the same bytes: the creation date is ``on``, not the clock.
    """
    pdf = _Handout(person, on, unicode_font=unicode_font, care=care)
    pdf.add_page()
    pdf.font(18, "B")
    title = "Your home program" + (f" (version {version})" if version else "")
    pdf.multi_cell(pdf.epw, 9, pdf.t(title), align="L", new_x=XPos.LMARGIN)
    pdf.ln(1)
    if assessment is not None:  # how soon and where, as every surface says it first
        pdf.para(result_text.heading(assessment.triage), size=12, style="B", h=6)
        if assessment.triage.level != "self_care":
            pdf.para(assessment.triage.action, size=11, h=5.5)
        cleared = result_text.clearance_words(assessment)
        if cleared:  # why a program is here although a warning sign was found
            pdf.para(cleared, size=10, h=5)
        pdf.ln(1)
    pdf.para(
        f"{result_text.program_summary(program)} Posture habits and movement breaks are done "
        "through the day, not in a session.",
        size=11,
        h=5.5,
    )
    for note in program.notes:
        pdf.ln(1)
        pdf.para(note)
    net = (
        result_text.safety_net(assessment)
        if assessment is not None
        else list(result_text.SAFETY_NET_FALLBACK)
    )
    if net:
        _draw_safety_net(pdf, net, emergency_number)
    if assessment is not None and assessment.alternatives:
        _draw_alternatives(pdf, assessment)
    cards = result_text.education(assessment) if assessment is not None else []
    pdf.ln(2)
    for n, item in enumerate(program.items, 1):
        text = item_text(item, catalog)
        _draw_item(pdf, n, text)

    if program.excluded:
        pdf.ln(2)
        pdf.room_for(30)
        pdf.heading("Left out, and why", size=12)
        pdf.bullets([f"{catalog.exercise(e.id).name}: {e.message}" for e in program.excluded])

    if cards:
        _draw_education(pdf, cards)

    extra = list(sources)
    if assessment is not None:
        for group in (
            *(r.sources for r in assessment.safety_net),
            *(a.sources for a in assessment.alternatives),
            *(c.sources for c in cards),
        ):
            extra += group
    keys = program_reference_keys(program, extra)
    refs: list[Reference] = [catalog.reference(k) for k in keys if catalog.has_reference(k)]
    pdf.ln(3)
    pdf.room_for(30)
    _draw_sources_title(pdf)
    for ref in refs:
        pdf.font(9)
        line = f"[{ref.key}] {result_text.people_citation(ref)}"
        if ref.url:
            line += f" {ref.url}"
        pdf.multi_cell(pdf.epw, 4.5, pdf.t(line), align="L", new_x=XPos.LMARGIN)
        pdf.ln(0.8)
    if catalog_version:
        pdf.ln(2)
        pdf.font(8, "I")
        pdf.multi_cell(pdf.epw, 4, pdf.t(f"Catalog {catalog_version}."), new_x=XPos.LMARGIN)
    return bytes(pdf.output())


def _draw_sources_title(pdf: _Handout) -> None:
    pdf.heading("Sources", size=12)
    pdf.font(9)
    pdf.multi_cell(
        pdf.epw,
        4.5,
        pdf.t("The advice above cites these works by the key in brackets."),
        align="L",
        new_x=XPos.LMARGIN,
    )
    pdf.ln(1)
