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
from psoas.domain.assessment import Program
from psoas.domain.catalog import Catalog
from psoas.domain.intake import Intake
from psoas.reports.pdf import DISCLAIMER_LINE, handout_pdf, item_text, program_reference_keys
from tests.conftest import EXAMPLES, load_json, require_tool

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
    first = item_text(program.items[0], catalog)
    assert first.dose == "left 2 min, right 3 min, once a day"  # per side, tighter side more
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
        assert "1. Massage-gun release of the psoas and iliacus" in out
