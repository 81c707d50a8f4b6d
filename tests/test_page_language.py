"""The pages speak to a reader, not to a statistician: no method jargon, no internal names.

Method words ("95%-BI", "quasi-Poisson", "Kish"), p-values and the codes the pipeline uses
internally (GM0164, WK016400, ``halt_verwijzingen``) belong on the Verantwoording page and in the
small evidence line under a verdict (class ``hv-evidence``); everywhere else a page says in plain
words what came out. The scan reads every published page of the shared demo edition.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.chapter_report import demo_edition, gm0153_notebooks, notebook_text

# Verbatim jargon (case-insensitive) and patterns for codes and internal names.
JARGON_WORDS = (
    "95%-BI",
    "BI ondergrens",
    "BI bovengrens",
    "quasi-Poisson",
    "Kish",
    "TOST",
    "Byar",
    "t-toets",
    "Poisson-regressie",
    "z-toets",
    "eigen_enquete",
    "halt_verwijzingen",
    "jeugdreclassering_zaken",
)
JARGON_PATTERNS = (
    r"\bp\s*[=<>]\s*\d",  # "p = 0,03", "p < 0,05"
    r"\bGM\d{4}\b",  # gemeente codes
    r"\bWK\d{6}\b",  # wijk codes
    r"\bBU\d{8}\b",  # buurt codes
    r"\b[a-z]+_[a-z_]+\b",  # snake_case internal names (onveilig_buurt, slachtoffer_online)
)
# Pages where method words belong (the Verantwoording page is the place for them).
EXEMPT_PAGES = {"verantwoording.html"}


class _ReaderText(HTMLParser):
    """The text a reader sees, without ``hv-evidence`` elements, scripts and styles."""

    SKIP_CLASSES = {"hv-evidence"}
    VOID = {"br", "img", "hr", "meta", "link", "input", "source", "col", "wbr", "area"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._stack: list[bool] = []  # per open element: does it hide its content?

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        classes = set((dict(attrs).get("class") or "").split())
        self._stack.append(tag in ("style", "script") or bool(classes & self.SKIP_CLASSES))

    def handle_endtag(self, tag):
        if tag not in self.VOID and self._stack:
            self._stack.pop()

    def handle_data(self, data):
        if not any(self._stack):
            self.parts.append(data)


def reader_text(html: str) -> str:
    parser = _ReaderText()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def jargon_in(text: str) -> list[str]:
    """Every jargon word or code in ``text``, with a little context, in order of appearance."""
    hits = []
    lowered = text.lower()
    for word in JARGON_WORDS:
        start = lowered.find(word.lower())
        if start >= 0:
            hits.append(f"{word!r}: …{text[max(0, start - 40) : start + 40]}…")
    for pattern in JARGON_PATTERNS:
        for match in re.finditer(pattern, text):
            s = match.start()
            hits.append(f"{match.group(0)!r}: …{text[max(0, s - 40) : s + 40]}…")
    return hits


def test_reader_text_drops_evidence_lines_and_keeps_the_rest():
    html = (
        "<main><p>Het aantal daalt.</p><p class='small hv-evidence'>p = 0,03, 95%-BI 1–2"
        "<span>Kish</span></p><img alt='x'><p>GM0164 blijft</p><style>.a_b{}</style></main>"
    )
    text = reader_text(html)
    assert "Het aantal daalt." in text and "GM0164 blijft" in text
    assert "Kish" not in text and "p = 0,03" not in text and "a_b" not in text
    assert [h.split(":")[0] for h in jargon_in(text)] == ["'GM0164'"]


def test_jargon_in_finds_words_codes_and_internal_names():
    text = "marge (95%-BI) p < 0,05 quasi-Poisson WK016400 BU01640000 halt_verwijzingen"
    found = " ".join(jargon_in(text))
    for expected in ("95%-BI", "p < 0", "quasi-Poisson", "WK016400", "BU01640000", "halt_verw"):
        assert expected in found
    assert jargon_in("Het aantal misdrijven daalt (marge 3 tot 5).") == []


def _published_pages() -> list:
    _, edition = demo_edition()
    return sorted(p for p in edition.glob("*.html") if p.name not in EXEMPT_PAGES)


# One case per page, so a page's jargon fails on its own (the chapter pages and the index have
# different owners); the list is the notebooks plus the pages the publisher renders itself.
PAGE_NAMES = sorted(
    [
        f"{nb.stem}.html"
        for nb in (Path(__file__).parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb")
    ]
    + ["index.html", "colofon.html", "toegankelijkheid.html"]
)


@pytest.mark.slow
def test_the_edition_has_the_pages_the_scan_reads():
    assert {p.name for p in _published_pages()} >= set(PAGE_NAMES)


@pytest.mark.slow
@pytest.mark.parametrize("name", PAGE_NAMES)
def test_no_page_outside_the_verantwoording_carries_jargon(name):
    _, edition = demo_edition()
    hits = jargon_in(reader_text((edition / name).read_text(encoding="utf-8")))
    assert not hits, "\n".join(hits[:8])


@pytest.mark.slow
def test_every_page_links_the_verantwoording():
    _, edition = demo_edition()
    assert (edition / "verantwoording.html").exists()
    text = reader_text((edition / "verantwoording.html").read_text(encoding="utf-8"))
    # The page explains the method words the other pages leave out.
    for word in ("betrouwbaarheidsinterval", "significant", "n.b.", "corona", "Veiligheidsmonitor"):
        assert word.lower() in text.lower(), word
    for page in _published_pages():
        assert 'href="verantwoording.html"' in page.read_text(encoding="utf-8"), page.name


@pytest.mark.slow
def test_an_enschede_edition_has_no_hengelo_wording():
    for stem, nb in gm0153_notebooks().items():
        text = notebook_text(nb)
        assert "Hengelo" not in text, (stem, text[max(0, text.find("Hengelo") - 80) :][:200])
        assert "eigen enquête" not in text.lower(), stem


def test_page_opening_keeps_the_test_figures_in_the_evidence_line():
    from hengelo_analysis.pages import summary

    entry = {
        "verdict": "supported",
        "statement": "Het daalt.",
        "summary": "Het aantal daalt sinds 2012.",
        "sentence": "De cijfers ondersteunen dit: het daalt (-4,5% per jaar, 95%-BI -5 tot -4, p < 0,001).",
        "test": "quasi-Poisson-regressie",
    }
    html = summary.page_opening({"claims": {"C2": entry}}, ["C2"])
    text = reader_text(html)
    assert "Het aantal daalt sinds 2012." in text and jargon_in(text) == []
    assert "p &lt; 0,001" in html  # still there for the reviewer, in the small line


def test_plain_words_and_readable_codes():
    from hengelo_analysis.pages import common

    assert (
        common.plain_words(
            "daalt (-7,5% per jaar, 95%-BI -8,7% tot -6,5%, 2012-2024, p < 0,001); t-toets met 3 "
            "vrijheidsgraden; de cijfers gelden voor GM0164 zelf."
        )
        == "daalt (-7,5% per jaar, 2012-2024); de cijfers gelden voor de gemeente zelf."
    )
    assert common.readable_codes(
        "regio VR05: Hengelo (GM0164) staat er niet in; Twente (VR05)"
    ) == ("de Veiligheidsregio Twente: Hengelo staat er niet in; Twente")
    assert "telt na weging als 824 van de 948" in common.readable_codes(
        "gewogen (Kish-effectieve n 824 van 948)"
    )


def test_survey_source_label_names_the_region_a_figure_describes():
    import pandas as pd

    from hengelo_analysis.pages import enquete

    rows = pd.DataFrame(
        {"source": ["veiligheidsmonitor"], "method_note": ["regio VR05: Hengelo valt erbuiten"]}
    )
    assert enquete.source_label(rows, enquete.VM) == (
        "Veiligheidsmonitor, cijfers van de Veiligheidsregio Twente"
    )
    own = rows.assign(source="eigen_enquete", method_note="gewogen")
    assert enquete.source_label(own, enquete.OWN) == "eigen enquête"
    assert enquete.source_label(None, None) == "geen"


def test_the_verantwoording_states_the_facts_the_analysis_uses():
    from hengelo_analysis import domain
    from hengelo_analysis.analysis import disclosure
    from hengelo_analysis.pipeline import methods

    findings = {"claims": {"C10": {"statement": "b", "test": "t10"}, "C2": {"statement": "a"}}}
    facts = methods.method_facts(findings)
    assert facts["corona_years"] == domain.CORONA_YEARS
    assert facts["threshold"] == disclosure.DEFAULT_THRESHOLD
    assert [c["id"] for c in facts["claims"]] == ["C2", "C10"]  # by number, not as text
    # every code of "veelvoorkomende criminaliteit" and every break has its name
    assert all(name for _, name in facts["common_crime"])
    assert all(name for _, name, _ in facts["registration_breaks"])
