"""Every published page in a real browser: offline, no JavaScript errors, axe-core clean, right numbers.

Debian ``chromium`` driven by Playwright (never ``playwright install``: it downloads a browser),
axe-core from the npm registry injected into each page. ``.ci/run`` installs both; here the tests
skip with a loud reason when either is missing, unless ``HENGELO_REQUIRE_BROWSER=1`` (set by
``.ci/run``), where a missing browser fails the run instead of silently skipping.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from hengelo_analysis.formatting import format_number
from hengelo_analysis.paths import PROJECT_ROOT
from hengelo_analysis.pipeline.run import report_notebooks

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path(os.environ.get("HENGELO_CHROMIUM", "/usr/bin/chromium"))
AXE_JS = PROJECT_ROOT / "tests" / ".node" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--disable-extensions",
]
EVIL = "<script>alert(1)</script>"
PHONE = {"width": 390, "height": 844}
# The only other hosts a page may link to (never load): the sources' StatLine pages and the licence
# (the CC BY 4.0 attribution CBS asks for).
EXTERNAL_LINK_HOSTS = {"opendata.cbs.nl", "data.politie.nl", "creativecommons.org"}
PAGES = [
    "index.html",
    *(nb.stem + ".html" for nb in report_notebooks()),
    "wat_is_er_veranderd.html",
    "colofon.html",
    "toegankelijkheid.html",
    "../index.html",  # all editions of the gemeente: the entry page of the Pages site
]


def _missing_tools() -> str | None:
    problems = []
    if not CHROMIUM.exists():
        problems.append(f"{CHROMIUM} not found (apt-get install chromium)")
    if not AXE_JS.exists():
        problems.append(f"{AXE_JS} not found (npm install --prefix tests/.node axe-core)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problems.append("playwright (Python) not installed (pip install -e '.[dev]')")
    return "; ".join(problems) or None


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory):
    missing = _missing_tools()
    if missing:
        message = f"BROWSER TESTS NOT RUN: {missing}. Run .ci/run to install them."
        if os.environ.get("HENGELO_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1200, "height": 900},
        )
        context.external_requests = []

        def route(route):
            url = route.request.url
            if url.startswith(("file:", "data:")):
                route.continue_()
            else:
                context.external_requests.append(url)
                route.abort()

        context.route("**/*", route)
        yield context
        context.close()


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    """A copy of the shared demo report, published a second time with a hostile claim statement
    (so "wat is er veranderd" exists and data-derived text is shown to be escaped)."""
    from hengelo_analysis.paths import Layout
    from hengelo_analysis.pipeline import publish
    from tests.chapter_report import copy_demo_edition

    # A copy: republishing must not change the edition the other content tests read.
    root, _ = copy_demo_edition(tmp_path_factory.mktemp("browser-report"))
    layout = Layout(root / "data", root / "reports", "demo")
    out = layout.edition_dir("GM0164", 2024)
    findings = json.loads((out / "findings.json").read_text())
    findings["claims"]["C2"]["statement"] += f" {EVIL}"
    publish.publish(layout, "GM0164", 2024, findings=findings)
    return root, out


def _open(context, path: Path):
    page = context.new_page()
    page.errors = []
    page.on(
        "console", lambda m: page.errors.append(f"console: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda e: page.errors.append(f"pageerror: {e}"))
    page.on("dialog", lambda d: (page.errors.append(f"dialog: {d.message}"), d.dismiss()))
    page.goto(path.as_uri(), wait_until="load")
    return page


def test_the_harness_detects_requests_errors_and_violations(browser_context, tmp_path):
    """A deliberately bad page must trip every check, or "zero found" would prove nothing."""
    probe = tmp_path / "probe.html"
    probe.write_text(
        '<!DOCTYPE html><html lang="nl"><head><title>p</title></head><body><main>'
        '<img src="http://example.invalid/x.png" alt="x"><img src="data:image/png;base64,AAAA">'
        '<script>throw new Error("boom")</script></main></body></html>'
    )
    before = len(browser_context.external_requests)
    page = _open(browser_context, probe)
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    errors = list(page.errors)
    page.close()
    assert browser_context.external_requests[before:] == ["http://example.invalid/x.png"]
    assert any("boom" in e for e in errors), errors
    assert {v["id"]: v["impact"] for v in result["violations"]}.get("image-alt") == "critical"


@pytest.mark.parametrize("name", PAGES)
def test_page_is_offline_error_free_and_accessible(browser_context, edition, name):
    _, out = edition
    path = out / name
    assert path.exists(), f"{name} was not published"
    before = len(browser_context.external_requests)
    page = _open(browser_context, path)
    try:
        assert page.evaluate("document.documentElement.lang") == "nl"
        assert page.get_by_text("Synthetische demodata").first.is_visible()
        images = page.evaluate(
            "Array.from(document.images).map(i => [i.alt, i.complete && i.naturalWidth > 0])"
        )
        assert all(alt.strip() and loaded for alt, loaded in images), images
        links = page.evaluate("Array.from(document.links).map(a => a.href.split('#')[0])")
        page.add_script_tag(path=str(AXE_JS))
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    finally:
        errors = list(page.errors)
        page.close()
    assert browser_context.external_requests[before:] == [], name
    internal = [link for link in links if link.startswith("file://")]
    external = {urlparse(link).hostname for link in links if not link.startswith("file://")}
    assert internal, links
    assert external <= EXTERNAL_LINK_HOSTS, external
    assert all(link.startswith("https://") for link in links if not link.startswith("file://"))
    broken = [link for link in internal if not Path(unquote(urlparse(link).path)).exists()]
    assert broken == [], f"{name}: broken links {broken}"
    assert errors == [], name
    violations = result["violations"]
    serious = [
        f"{v['impact']} {v['id']}: {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], f"{name}: axe-core {result['testEngine']['version']}: {serious}"
    lower = [f"{v['impact']} {v['id']} ({len(v['nodes'])}x)" for v in violations]
    if lower:
        warnings.warn(f"axe-core lower-severity findings on {name}: {lower}", stacklevel=1)


@pytest.mark.parametrize("name", PAGES)
def test_page_does_not_scroll_sideways_on_a_phone(browser_context, edition, name):
    """At 390 px only a table's own box may scroll; the page itself never does."""
    _, out = edition
    page = browser_context.new_page()
    page.set_viewport_size(PHONE)
    try:
        page.goto((out / name).as_uri(), wait_until="load")
        width = page.evaluate("document.documentElement.scrollWidth")
        # Every wide table scrolls inside its wrapper, and its first column stays in view.
        tables = page.evaluate(
            """Array.from(document.querySelectorAll('main table')).map(t => {
                const box = t.closest('.hv-table-wrap');
                const first = t.querySelector('tbody tr > *');
                return [!!box, box ? getComputedStyle(box).overflowX : '',
                        first ? getComputedStyle(first).position : 'sticky'];
            })"""
        )
    finally:
        page.close()
    assert width <= PHONE["width"], f"{name}: {width} px wide at a {PHONE['width']} px screen"
    assert all(t == [True, "auto", "sticky"] for t in tables), (name, tables)


def _raw_gemeente_totals(raw_dir, area="GM0164    ", code="0.0.0 "):
    totals = {}
    for page in sorted((raw_dir / "47018NED").glob("TypedDataSet-*.json")):
        for r in json.loads(page.read_text())["value"]:
            if r["WijkenEnBuurten"] == area and r["SoortMisdrijf"] == code:
                totals[int(r["Perioden"][:4])] = r["GeregistreerdeMisdrijven_1"]
    return totals


def test_rendered_crime_table_and_key_figure_match_the_raw_demo_data(browser_context, edition):
    root, out = edition
    totals = _raw_gemeente_totals(root / "data" / "raw" / "demo")
    page = _open(browser_context, out / "02_criminaliteit.html")
    # The page has more tables (rates, high impact crimes, claims); this one is the yearly totals.
    yearly = (
        "Array.from(document.querySelectorAll('table.hv-table')).find(t => "
        "t.caption.innerText.startsWith('Geregistreerde misdrijven per jaar'))"
    )
    rows = page.evaluate(
        f"Array.from({yearly}.querySelectorAll('tbody tr'))"
        ".map(r => Array.from(r.cells).map(c => c.innerText.trim()))"
    )
    headers = page.evaluate(
        f"Array.from({yearly}.querySelectorAll('thead th')).map(th => th.scope)"
    )
    page.close()
    assert headers == ["col", "col", "col"]  # Jaar, Status (2024 is provisional in the demo), count
    assert rows == [
        [str(y), "voorlopig" if y == 2024 else "definitief", format_number(v)]
        for y, v in sorted(totals.items())
        if y <= 2024
    ]
    index = _open(browser_context, out / "index.html")
    key_row = index.evaluate(
        "Array.from(document.querySelectorAll('main table tr'))"
        ".map(r => r.innerText).find(t => t.includes('Geregistreerde misdrijven'))"
    )
    claims = index.evaluate("document.querySelector('main .hv-verdicts').innerText")
    index.close()
    assert format_number(totals[2024]) in key_row
    assert "C2" in claims and EVIL in claims  # shown as text, not run as a script


def test_the_newest_edition_compares_with_the_year_before_in_the_direction_of_the_data(
    browser_context, edition
):
    from hengelo_analysis.processed import reader

    root, out = edition
    crime = reader.load_table(root / "data", "demo", "crime")
    population = reader.load_table(root / "data", "demo", "population")

    def rate(year):  # per 1,000 (the shared demo edition's rate unit), straight from the tables
        count = crime[
            (crime["area_code"] == "GM0164")
            & (crime["crime_code"] == "0.0.0")
            & (crime["year"] == year)
        ]["registered"].iloc[0]
        people = population[(population["area_code"] == "GM0164") & (population["year"] == year)]
        return round(float(count) / float(people["inhabitants"].iloc[0]) * 1000, 1)

    page = _open(browser_context, out / "wat_is_er_veranderd.html")
    table = (
        "Array.from(document.querySelectorAll('table')).find(t => "
        "t.caption.innerText.startsWith('Kerncijfers van Hengelo: 2023 en 2024'))"
    )
    headers = page.evaluate(
        f"Array.from({table}.querySelectorAll('thead th')).map(c => c.innerText)"
    )
    total = page.evaluate(
        f"Array.from({table}.querySelectorAll('tbody tr')).map(r => "
        "Array.from(r.cells).map(c => c.innerText.trim()))"
        ".find(cells => cells[0].startsWith('Misdrijven, totaal'))"
    )
    page.close()
    assert headers[1:3] == ["2023", "2024"]
    before, now = rate(2023), rate(2024)
    assert total[1] == format_number(before, 1) and total[2] == format_number(now, 1)
    difference = round(now - before, 1)
    assert total[3] == ("+" if difference > 0 else "") + format_number(difference, 1)
