"""The printable handout: a valid A4 PDF built from the catalog, every item with its dose,
steps, cues, errors, cautions, why and sources, and the full citations at the end."""

from __future__ import annotations

import re
import shutil
import subprocess
import zlib
from datetime import date
from pathlib import Path

import pytest

from psoas.catalog import load_catalog
from psoas.domain.assess import assess
from psoas.domain.catalog import Catalog
from psoas.domain.intake import Intake
from psoas.domain.results import Program
from psoas.reports import result_text as say
from psoas.reports.pdf import DISCLAIMER_LINE, handout_pdf, item_text, program_reference_keys
from tests.conftest import EXAMPLES, intake_doc, load_json, require_tool

ON = date(2026, 11, 23)


@pytest.fixture(scope="module")
def program() -> Program:
    intake = Intake.model_validate(load_json(EXAMPLES / "office-worker.json"))
    result = assess(intake, load_catalog())
    assert result.program is not None
    return result.program


def pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def core_font_text(pdf: bytes) -> str:
    """The text shown by a handout made with the core font (Latin-1 strings in the streams)."""
    shown = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, flags=re.S):
        try:
            content = zlib.decompress(stream).decode("latin-1")
        except zlib.error:
            continue
        shown += re.findall(r"\((.*?)(?<!\\)\)\s*Tj", content)
    return re.sub(r"\s+", " ", " ".join(s.replace("\\(", "(").replace("\\)", ")") for s in shown))


def test_handout_is_a_pdf_with_one_page_per_few_items(program: Program, catalog: Catalog) -> None:
    pdf = handout_pdf(program, catalog, person="Ana Müller", on=ON, version=1)
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert b"/MediaBox [0 0 595.28 841.89]" in pdf  # A4
    assert 2 <= pages(pdf) <= len(program.items)
    assert pdf == handout_pdf(program, catalog, person="Ana Müller", on=ON, version=1)
    assert pdf != handout_pdf(program, catalog, person="Ana Müller", on=date(2026, 11, 24))


def test_handout_says_everything_each_item_needs(program: Program, catalog: Catalog) -> None:
    pdf = handout_pdf(program, catalog, person="Ana Muller", on=ON, unicode_font=False)
    words = core_font_text(pdf)
    assert "Home program for Ana Muller" in words and "23 November 2026" in words
    assert DISCLAIMER_LINE[:60] in words
    for n, item in enumerate(program.items, 1):
        it = item_text(item, catalog)
        assert f"{n}. {item.name}" in words, item.id
        assert it.dose in words.replace(" ,", ","), item.id
        assert "[" + it.sources[0] + "]" in words, item.id
        assert it.steps[0][:40] in words, item.id
    sided = next(i for i in program.items if i.dose.per_side and i.dose.per_side.right > 1)
    assert sided.dose.per_side is not None
    left, right = sided.dose.per_side.left, sided.dose.per_side.right
    assert right > left  # the tighter (right) side gets more
    assert item_text(sided, catalog).dose.startswith(f"left {left:g} ")
    assert f", right {right:g} " in item_text(sided, catalog).dose
    for item in program.items:  # the steps say the dose: no placeholder is left
        assert not re.search(r"\{[a-z_]+\}", " ".join(item_text(item, catalog).steps)), item.id
    for heading in ("Steps", "Cues", "Common errors to avoid", "Take care", "Why", "Sources"):
        assert heading in words, heading
    for key in program_reference_keys(program):
        ref = catalog.reference(key)
        assert f"[{key}]" in words
        assert ref.title[:30].replace("–", "-") in words, key  # the citation, not only the key
    assert "Left out, and why" in words


def test_any_name_prints(program: Program, catalog: Catalog) -> None:
    name = "Zoë Łukasz 李 — “Ana”"
    assert handout_pdf(program, catalog, person=name, on=ON).startswith(b"%PDF")
    fallback = handout_pdf(program, catalog, person=name, on=ON, unicode_font=False)
    assert 'Zo\xeb ?ukasz ? - "Ana"' in core_font_text(fallback)


def test_handout_renders(program: Program, catalog: Catalog, tmp_path: Path) -> None:
    pdftoppm = require_tool("pdftoppm", "poppler-utils")
    pdf = tmp_path / "handout.pdf"
    pdf.write_bytes(handout_pdf(program, catalog, person="Ana Müller", on=ON, version=1))
    subprocess.run(
        [pdftoppm, "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
        timeout=60,
    )
    (image,) = tmp_path.glob("page*.png")
    assert image.stat().st_size > 10_000  # a page with text on it, not a blank one
    if shutil.which("pdftotext"):
        out = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "Home program for Ana Müller" in out
        assert f"1. {program.items[0].name}" in out
        assert "What to watch for" in out


# --- the safety net and the other explanations ---------------------------------------------

SEE_CLINICIAN = intake_doc(
    version=2,
    person={"age": 58, "sex": "female"},
    pain={
        "numbness_or_tingling_below_knee": True,
        "areas": ["low_back", "front_of_hip", "below_knee"],
        "worse_with": ["prolonged_sitting"],
    },
    observations={"hip_joint_screen": {"left": "normal", "right": "painful_or_limited"}},
)


def test_handout_opens_with_the_safety_net_and_the_local_number(catalog: Catalog) -> None:
    result = assess(Intake.model_validate(SEE_CLINICIAN), catalog)
    assert result.program is not None and result.alternatives
    pdf = handout_pdf(
        result.program,
        catalog,
        person="Sam",
        on=ON,
        assessment=result,
        emergency_number="999",
        unicode_font=False,
    )
    words = core_font_text(pdf)
    # how soon and where come first, in the words every surface uses
    heading = say.heading(result.triage)
    assert result.triage.level == "see_clinician" and "within two weeks" in heading
    assert words.index(heading) < words.index("What to watch for")
    assert "What to watch for" in words
    assert (
        "If you cannot get to an emergency department safely, call 999 for an ambulance." in words
    )
    assert "call 112" not in words
    cauda = next(r for r in result.safety_net if r.code == "cauda-equina")
    for part in re.split(r"[:;.] ", cauda.message):  # every sign, one to a line
        assert part.rstrip(".") in words, part
    assert words.index("What to watch for") < words.index(f"1. {result.program.items[0].name}")
    assert "What else your answers may fit" in words
    for alt in result.alternatives:
        assert alt.what_to_do[:40] in words, alt.code
        assert "[" + alt.sources[0] + "]" in words, alt.code
    for key in [k for r in result.safety_net for k in r.sources]:  # cited at the end too
        assert f"[{key}] {catalog.reference(key).title[:25]}" in words, key
    assert "not yet confirmed" not in words


def test_handout_without_an_assessment_still_has_the_cauda_equina_safety_net(
    program: Program, catalog: Catalog
) -> None:
    words = core_font_text(handout_pdf(program, catalog, person="Ana", on=ON, unicode_font=False))
    assert "What to watch for" in words and "call 112 for an ambulance" in words
    assert "numbness or tingling around your back passage" in words
    assert "What else your answers may fit" not in words
