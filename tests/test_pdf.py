"""The PDF of the edition: every page in order with page numbers, the same bytes on a rebuild,
and an index that says so when no browser was there to print it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hengelo_analysis.paths import Layout
from hengelo_analysis.pipeline import pdf, publish
from tests.chapter_report import copy_demo_edition, demo_edition, visible_text

CHROMIUM = Path(os.environ.get("HENGELO_CHROMIUM", "/usr/bin/chromium"))
MISSING_TOOLS = f"PDF TESTS NOT RUN: {CHROMIUM} or pdftotext (poppler-utils) missing"


@pytest.fixture
def needs_tools_fixture():
    """Skip without Chromium and pdftotext, or fail where CI promised them (as the browser
    tests do): a CI run without poppler-utils skipped these two tests unnoticed."""
    if CHROMIUM.exists() and shutil.which("pdftotext"):
        return
    if os.environ.get("HENGELO_REQUIRE_BROWSER") == "1":
        pytest.fail(MISSING_TOOLS + ". Run .ci/run to install them.")
    pytest.skip(MISSING_TOOLS)


needs_tools = pytest.mark.usefixtures("needs_tools_fixture")


def test_fix_metadata_sets_the_dates_and_keeps_every_byte_offset():
    raw = (
        b"%PDF-1.4\n1 0 obj\n<</Creator (Mozilla/5.0 \\(X11\\) HeadlessChrome/156)\n"
        b"/Producer (Skia/PDF m156)\n/CreationDate (D:20261201182323+00'00')\n"
        b"/ModDate (D:20261201182324+00'00')>>\nendobj\n"
    )
    fixed = pdf.fix_metadata(raw, datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert len(fixed) == len(raw)
    assert b"/CreationDate (D:20260102030405+00'00')" in fixed
    assert b"/ModDate (D:20260102030405+00'00')" in fixed
    assert b"HeadlessChrome" not in fixed and b"/Creator (hengelo_analysis via Chromium" in fixed


def test_combined_html_puts_each_main_on_a_sheet_in_order_with_provenance_open():
    def page(title):
        return (
            f"<html><head><title>{title}</title><style>x</style></head><body>"
            '<header><p class="hv-synthetic" role="note">demo</p><nav>menu</nav></header>'
            f'<main id="inhoud"><h1>{title}</h1></main>'
            '<footer class="hv-provenance"><details><summary>Herkomst</summary>t</details></footer>'
            "</body></html>"
        )

    html = pdf.combined_html(
        [("index.html", page("Overzicht")), ("02.html", page("Criminaliteit"))]
    )
    assert "<title>Overzicht</title>" in html  # the index's head: styles and print title
    assert html.index("<h1>Overzicht</h1>") < html.index("<h1>Criminaliteit</h1>")
    assert html.count('class="hv-pdf-page"') == 2
    assert html.count("<details open>") == 2 and "menu" not in html
    assert html.count("demo</p>") == 2  # the demo warning is on paper too


def test_combined_html_links_jump_within_the_pdf_and_files_become_text():
    page = (
        '<html><head></head><body><main><a href="02.html">twee</a> <a href="tabellen.xlsx">x</a>'
        ' <a href="https://opendata.cbs.nl/statline/">s</a> <a href="#inhoud">i</a></main></body></html>'
    )
    html = pdf.combined_html([("index.html", page), ("02.html", page)])
    assert 'id="pdf-02.html"' in html and 'href="#pdf-02.html"' in html
    assert "tabellen.xlsx" not in html  # Chromium would write its temporary folder into the link
    assert 'href="https://opendata.cbs.nl/statline/"' in html and 'href="#inhoud"' in html


def test_no_chromium_means_no_pdf_and_a_reason(monkeypatch, tmp_path):
    monkeypatch.setenv("HENGELO_CHROMIUM", str(tmp_path / "nothing-here"))
    assert pdf.find_chromium() is None
    assert pdf.build_pdf(tmp_path, "x.pdf", [], datetime.now(UTC)) == pdf.NO_CHROMIUM
    assert not (tmp_path / "x.pdf").exists()


def _headings(html: str) -> list[str]:
    return [visible_text(h).strip() for h in re.findall(r"<h1[^>]*>(.*?)</h1>", html, re.S)]


@pytest.mark.slow
@pytest.mark.browser
@needs_tools
def test_pdf_holds_every_page_heading_in_order_with_page_numbers():
    _, edition = demo_edition()
    target = edition / pdf.pdf_name("GM0164", 2024)
    assert target.exists()
    text = subprocess.run(
        ["pdftotext", "-layout", str(target), "-"], capture_output=True, text=True, check=True
    ).stdout
    sheets = text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")
    assert len(sheets) > 10
    for number, sheet in enumerate(sheets, start=1):
        assert f"pagina {number} van {len(sheets)}" in sheet, number
        assert "Veiligheidsbeeld Hengelo 2024" in sheet
    order = ["index.html", *sorted(p.name for p in edition.glob("[0-9][0-9]_*.html"))]
    if (edition / "wat_is_er_veranderd.html").exists():
        order.append("wat_is_er_veranderd.html")
    order.append("colofon.html")
    flat = re.sub(r"\s+", " ", text)
    position = 0
    for name in order:
        for heading in _headings((edition / name).read_text(encoding="utf-8")):
            found = flat.find(heading, position)
            assert found >= 0, (
                f"{name}: heading {heading!r} not in the PDF after position {position}"
            )
            position = found
    index = (edition / "index.html").read_text(encoding="utf-8")
    assert f'href="{target.name}"' in index


@pytest.mark.slow
@pytest.mark.browser
@needs_tools
def test_a_rebuild_of_the_same_inputs_is_byte_identical(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796083200")  # 1 december 2026
    root, edition = copy_demo_edition(tmp_path)
    layout = Layout(root / "data", root / "reports", "demo")
    # Twice first: the changes page names when the previous build was made, so the inputs of a
    # publication include the build before it; the second and third see the same ones.
    publish.publish(layout, "GM0164", 2024)
    publish.publish(layout, "GM0164", 2024)
    first = {p.relative_to(edition): p.read_bytes() for p in edition.rglob("*") if p.is_file()}
    publish.publish(layout, "GM0164", 2024)
    second = {p.relative_to(edition): p.read_bytes() for p in edition.rglob("*") if p.is_file()}
    compared = [
        n
        for n in first
        if n.suffix in (".pdf", ".xlsx", ".csv", ".html") and "vorige" not in str(n)
    ]
    assert {n.suffix for n in compared} == {".pdf", ".xlsx", ".csv", ".html"}
    changed = [str(n) for n in compared if first[n] != second.get(n)]
    assert changed == []
    assert "1 december 2026" in (edition / "index.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_without_a_browser_the_index_says_the_pdf_was_not_built(tmp_path, monkeypatch):
    monkeypatch.setenv("HENGELO_CHROMIUM", "")
    root, edition = copy_demo_edition(tmp_path)
    publish.publish(Layout(root / "data", root / "reports", "demo"), "GM0164", 2024)
    index = visible_text((edition / "index.html").read_text(encoding="utf-8"))
    assert "De pdf van dit rapport is niet gemaakt" in index
    assert not list(edition.glob("*.pdf"))


# --- interrupts: a print under way is killed, and an edition never loses its PDF to one --------


def _fake_chromium(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "chromium"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    return script


def test_an_interrupt_kills_a_print_under_way_that_ignores_the_signal(tmp_path, monkeypatch):
    # Chromium can hang after Ctrl-C until the time limit (300 s); the print must not wait for it.
    pid_file = tmp_path / "pid"
    chromium = _fake_chromium(tmp_path, f"trap '' INT TERM\necho $$ > {pid_file}\nexec sleep 60")
    monkeypatch.setattr(pdf, "stopping", pdf.threading.Event())
    timer = pdf.threading.Timer(0.5, pdf.stopping.set)
    timer.start()
    started = pdf.time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        pdf.print_pdf(chromium, "<html></html>", tmp_path / "out.pdf", datetime(2026, 1, 1))
    assert pdf.time.monotonic() - started < 5
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid_file.read_text()), 0)  # killed and reaped, not left running
    assert not (tmp_path / "out.pdf").exists()


def test_a_print_that_fails_during_an_interrupt_raises_instead_of_leaving_out_the_pdf(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("HENGELO_CHROMIUM", str(_fake_chromium(tmp_path, "exit 1")))
    monkeypatch.setattr(pdf, "stopping", pdf.threading.Event())
    monkeypatch.setattr(pdf, "INTERRUPT_GRACE_S", 0.01)
    pages = [("index.html", "<html><head></head><body><main>x</main></body></html>")]
    stamp = datetime(2026, 1, 1)
    assert pdf.build_pdf(tmp_path, "e.pdf", pages, stamp) == {
        "reason": "het printen naar pdf is mislukt bij het bouwen"
    }
    pdf.stopping.set()
    with pytest.raises(KeyboardInterrupt):
        pdf.build_pdf(tmp_path, "e.pdf", pages, stamp)


@pytest.mark.slow
def test_an_edition_published_without_its_pdf_is_not_stamped_current(tmp_path, monkeypatch):
    from hengelo_analysis.pipeline import stages

    root, edition = copy_demo_edition(tmp_path)
    layout = Layout(root / "data", root / "reports", "demo")
    (edition / ".publish_stamp.json").unlink()  # the copy is current: make it publish again
    monkeypatch.setenv("HENGELO_CHROMIUM", str(_fake_chromium(tmp_path, "exit 1")))
    assert stages.publish_stage(layout, "GM0164", 2024) is False
    assert not list(edition.glob("*.pdf")) and not (edition / ".publish_stamp.json").exists()
    assert stages.publish_stage(layout, "GM0164", 2024) is False  # tried again, not "up to date"
    monkeypatch.setenv("HENGELO_CHROMIUM", "")  # no browser at all: no PDF is expected
    assert stages.publish_stage(layout, "GM0164", 2024) is False
    assert stages.publish_stage(layout, "GM0164", 2024) is True
