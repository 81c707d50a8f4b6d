"""End to end: `hengelo-analysis report` on the demo data, asserting on the published content."""

import json
import re
from html.parser import HTMLParser

import pytest

from hengelo_analysis.formatting import format_number

pytestmark = pytest.mark.slow


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.cells: list[str] = []
        self.text: list[str] = []
        self._in_cell = False

    def handle_starttag(self, tag, attrs):
        if tag in ("td", "th"):
            self._in_cell = True
            self.cells.append("")

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self._in_cell = False

    def handle_data(self, data):
        self.text.append(data)
        if self._in_cell:
            self.cells[-1] += data


def _raw_gemeente_totals(raw_dir, area="GM0164    ", code="0.0.0 "):
    """The yearly totals read straight from the raw JSON pages, independent of the package."""
    totals = {}
    for page in sorted((raw_dir / "47018NED").glob("TypedDataSet-*.json")):
        for r in json.loads(page.read_text())["value"]:
            if r["WijkenEnBuurten"] == area and r["SoortMisdrijf"] == code:
                totals[int(r["Perioden"][:4])] = r["GeregistreerdeMisdrijven_1"]
    return totals


@pytest.fixture(scope="module")
def edition():
    """`hengelo-analysis report` run by the CLI on a copy of the demo (shared with the chapter tests)."""
    from tests.chapter_report import demo_edition

    return demo_edition()


def test_report_writes_index_and_one_page_per_notebook(edition):
    from hengelo_analysis.pipeline.run import report_notebooks

    _, out = edition
    assert (out / "index.html").exists()
    for nb in report_notebooks():
        assert (out / f"{nb.stem}.html").exists()
        assert (out / "notebooks" / nb.name).exists()
    assert not list(out.parent.glob(".*staging*"))


def test_crime_page_shows_the_yearly_figures_of_the_raw_data(edition):
    root, out = edition
    totals = _raw_gemeente_totals(root / "data" / "raw" / "demo")
    parser = _Text()
    parser.feed((out / "02_criminaliteit.html").read_text())
    cells = [c.strip() for c in parser.cells]
    for year, value in totals.items():
        i = cells.index(str(year))
        # a Status column (voorlopig/definitief) follows the year when the source marks a year
        # provisional, as the demo's 2024
        status = cells[i + 1] in ("voorlopig", "definitief")
        assert cells[i + 2 if status else i + 1] == format_number(value), year
    text = " ".join(parser.text)
    assert (
        f"In 2024 registreerde de politie in Hengelo {format_number(totals[2024])} misdrijven"
        in text
    )
    diff = totals[2024] - totals[2023]
    assert format_number(diff) in text


def test_every_page_is_labelled_synthetic_and_names_the_gemeente(edition):
    _, out = edition
    for page in out.glob("*.html"):
        html = page.read_text()
        assert "Synthetische demodata" in html, page.name
        assert "Hengelo" in html and "GM0164" in html
        assert '<html lang="nl">' in html
        assert not re.search(r"<(script|link)[^>]+(src|href)=\"https?://", html), page.name


def test_pages_hide_code_and_carry_provenance(edition):
    _, out = edition
    html = (out / "02_criminaliteit.html").read_text()
    assert "load_crime" not in html  # code cells are hidden
    assert "47018NED" in html and "2025-03-14T02:00:00" in html  # table id and CBS Modified
    assert re.search(r"parameter peiljaar</th><td>2024", html)
    images = re.findall(r"<img[^>]*>", html)
    assert images and all('src="data:image/png;base64,' in img for img in images)
    assert all(re.search(r'alt="[^"]{20,}"', img) for img in images)
    assert any('alt="Staafdiagram' in img for img in images)
