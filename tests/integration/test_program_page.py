"""The program page as a person on a phone reads it: each item leads with its figure, its dose
and its steps in short; each step in full, the tips, the mistakes to avoid, the cautions and
why are one tap away; the sources fold away; one disclaimer, in the footer."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from tests.integration.conftest import Web
from tests.integration.test_web_patient import api_assess, text


class _Visible(HTMLParser):
    """The words shown before any tap: text outside closed <details> (their summaries count)."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self.closed = 0  # depth inside closed details
        self.summary = False
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        if tag == "details" and (self.closed or "open" not in dict(attrs)):
            self.closed += 1
        if tag == "summary":
            self.summary = True

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip -= 1
        if tag == "details" and self.closed:
            self.closed -= 1
        if tag == "summary":
            self.summary = False

    def handle_data(self, data: str) -> None:
        if not self.skip and (not self.closed or (self.summary and self.closed == 1)):
            self.words += data.split()


def visible_words(page: str) -> int:
    parser = _Visible()
    parser.feed(page)
    return len(parser.words)


def test_each_item_leads_with_figure_dose_and_steps_the_rest_one_tap_away(web: Web) -> None:
    me = web.sign_up("pia@example.org")
    api_assess(me)
    page = me.client.get("/me").text
    items = re.findall(r'(?s)<article class="pitem".*?</article>', page)
    assert len(items) >= 4
    for item in items:
        glance, _, more = item.partition('<details class="more">')
        assert "<strong>Dose:</strong>" in glance and '<ol class="outline">' in glance
        assert more, "each item keeps its details one tap away"
        assert "Why it is in your program" in more and "Step by step" in more
        for heading in ("Tips", "Mistakes to avoid", "Take care", "Why it is in your program"):
            assert f"<h4>{heading}</h4>" not in glance
        # the short steps are the first sentence of each whole step, in the same order
        short = re.findall(r"<li>(.*?)</li>", glance.split('<ol class="outline">')[1])
        whole = re.findall(
            r"<li>(.*?)</li>", more.split("<h4>Step by step</h4>")[1].split("</ol>")[0]
        )
        assert len(short) == len(whole) and all(
            w.startswith(s) for s, w in zip(short, whole, strict=True)
        )
    with_figure = [i for i in items if '<figure class="pic">' in i.partition("<details")[0]]
    assert with_figure, "the items with pictures show one before any tap"
    assert re.search(r'<details class="block fold" id="sources">\s*<summary>Sources \(\d+\)', page)
    words = text(page)
    assert words.count("it does not diagnose") == 1
    shown = visible_words(page)
    # 2,082 before (the first item open, the sources listed), of 5,894 on the page
    assert shown < 1800, shown
