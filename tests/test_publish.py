"""Publishing without a kernel: hand-built executed notebooks → pages, checks, editions."""

import base64
import json
import re
import shutil

import nbformat
import pandas as pd
import pytest

from hengelo_analysis.pages import tables
from hengelo_analysis.paths import Layout, findings_file
from hengelo_analysis.pipeline import context, publish
from hengelo_analysis.pipeline.compare import CHANGES_PAGE, compare_key_figures
from hengelo_analysis.pipeline.export import PublishError, check_page

EVIL = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
        "0000000d4944415478da63f8cfc0f01f0005000201c5f6c2a00000000049454e44ae426082"
    )
).decode()


def _figure_output(alt="Staafdiagram van iets met een uitleg"):
    meta = {"image/png": {"alt": alt}} if alt is not None else {}
    return nbformat.v4.new_output("display_data", data={"image/png": PNG}, metadata=meta)


def _key_figure_output(value, fid="misdrijven_totaal", label="Misdrijven"):
    mark = {"id": fid, "label": label, "value": value, "unit": "aantal", "decimals": 0}
    return nbformat.v4.new_output(
        "display_data",
        data={"text/markdown": f"**{label}:** {value}"},
        metadata={"hengelo_key_figure": mark},
    )


def _notebook(title, outputs, extra_markdown=""):
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell(f"# {title}\n\nInleiding."))
    nb.cells.append(nbformat.v4.new_markdown_cell("## Sectie" + extra_markdown))
    cell = nbformat.v4.new_code_cell("x = 1")
    cell.outputs = outputs
    nb.cells.append(cell)
    nb.metadata["papermill"] = {"parameters": {"gemeente": "GM0164", "peiljaar": 2024}}
    return nb


def _write_edition(layout, peiljaar, notebooks):
    nb_dir = layout.edition_dir("GM0164", peiljaar) / "notebooks"
    nb_dir.mkdir(parents=True, exist_ok=True)
    for old in nb_dir.glob("*.ipynb"):
        old.unlink()
    for name, nb in notebooks.items():
        nbformat.write(nb, nb_dir / name)
    # What the findings stage wrote before the notebooks ran (publish reads it, judges nothing).
    stage_file = findings_file(layout.processed_dir, "GM0164", peiljaar, 1000)
    stage_file.parent.mkdir(parents=True, exist_ok=True)
    stage_file.write_text(json.dumps(_findings(peiljaar=peiljaar), ensure_ascii=False, indent=2))


def _findings(verdict_c1="supported", peiljaar=2024, statement="E33 stijgt"):
    return {
        "gemeente": "GM0164",
        "peiljaar": peiljaar,
        "source": "demo",
        "claims": {
            "C10": {
                "verdict": "not_supported",
                "statement": "volgt de regio",
                "sentence": "niet aangetoond",
                "test": "t",
                "evidence": {},
            },
            "C1": {
                "verdict": verdict_c1,
                "statement": statement,
                "sentence": "zin",
                "test": "t",
                "evidence": {"slope": 1.0},
            },
        },
    }


@pytest.fixture(autouse=True)
def no_pdf(monkeypatch):
    """Publish here without the PDF (``HENGELO_CHROMIUM`` empty: no browser to print with).

    These cases are about pages, links and comparisons; a machine with Chromium would print
    every hand-built edition (1-2 s each), one without would not, so the same tests ran at
    different costs. The PDF itself is tests/test_pdf.py's (with Chromium: browser tests).
    """
    monkeypatch.setenv("HENGELO_CHROMIUM", "")


@pytest.fixture
def layout(tmp_path):
    return Layout(data_dir=tmp_path / "data", reports_dir=tmp_path / "reports", source="demo")


@pytest.fixture
def two_pages():
    return {
        "01_a.ipynb": _notebook("Pagina A", [_figure_output(), _key_figure_output(100)]),
        "02_b.ipynb": _notebook("Pagina B", [_figure_output()]),
    }


def test_refuses_a_figure_without_alt_text_naming_notebook_and_cell(layout):
    _write_edition(layout, 2024, {"03_kaart.ipynb": _notebook("Kaart", [_figure_output(alt="  ")])})
    with pytest.raises(PublishError, match=r"03_kaart\.ipynb: cell 3 .*without alt text"):
        publish.publish(layout, "GM0164", 2024)
    assert not (layout.edition_dir("GM0164", 2024) / "index.html").exists()


@pytest.mark.parametrize(
    ("html", "message"),
    [
        ("<h1>a</h1><h3>c</h3>", r"p\.html: heading h3 'c' skips a level \(expected h2"),
        ("<h2>a</h2>", r"heading h2 'a' skips a level \(expected h1\)"),
        ("<h1>a</h1><table><tr><td>1</td></tr></table>", r"table 1 has no header cells"),
        ("<h1>a</h1><script>alert(1)</script>", r"p\.html: contains a <script> element"),
        ('<h1>a</h1><img src="x.png">', r"1 image\(s\) without alt text"),
    ],
)
def test_check_page_names_the_page_and_the_fault(html, message):
    with pytest.raises(PublishError, match=message):
        check_page(html, "p.html")


def test_check_page_accepts_ordered_headings_going_back_up():
    check_page("<h1>a</h1><h2>b</h2><h3>c</h3><h2>d</h2><table><th>x</th></table>", "p")


def test_over_budget_page_is_refused_and_the_last_good_edition_stays(layout, two_pages):
    _write_edition(layout, 2024, two_pages)
    edition = publish.publish(layout, "GM0164", 2024)
    before = (edition / "index.html").read_text()
    # The pages carry the slim house stylesheet only (about 10 kB each), so a 5 kB budget trips.
    with pytest.raises(
        PublishError, match=r"01_a\.html: 0\.0\d MB is over the budget of 0\.005 MB"
    ):
        publish.publish(layout, "GM0164", 2024, page_budget=5_000)
    assert (edition / "index.html").read_text() == before
    assert not list(edition.parent.glob(".*staging*"))


def test_data_derived_text_is_escaped_in_chrome_index_and_tables(layout, monkeypatch):
    monkeypatch.setattr(context, "gemeente_name", lambda *a: EVIL)
    table = tables.html_table(pd.DataFrame({"Buurt": [EVIL], "Aantal": [3]}), f"Buurten {EVIL}")
    out = nbformat.v4.new_output("display_data", data={"text/html": table.to_html()})
    _write_edition(layout, 2024, {"01_a.ipynb": _notebook("Pagina A", [out])})
    edition = publish.publish(layout, "GM0164", 2024, findings=_findings(statement=EVIL))
    index = (edition / "index.html").read_text()
    page = (edition / "01_a.html").read_text()
    for html in (index, page):
        assert "<script" not in html
        assert f"Ze zeggen niets over {ESCAPED}" in html  # banner
    assert f'<blockquote class="hv-statement"><p>{ESCAPED}</p></blockquote>' in index
    assert f"<td>{ESCAPED}</td>" in page and f"<caption>Buurten {ESCAPED}</caption>" in page
    editions = (layout.gemeente_reports_dir("GM0164") / "index.html").read_text()
    assert "<script" not in editions and ESCAPED in editions


def test_index_lists_claims_in_order_links_pages_and_findings(layout, two_pages):
    _write_edition(layout, 2024, two_pages)
    edition = publish.publish(layout, "GM0164", 2024, findings=_findings())
    index = (edition / "index.html").read_text()
    ids = re.findall(r'id="uitspraak-(C\d+)"', index)
    assert ids == ["C1", "C10"]  # grouped by verdict: C1 supported before C10 not shown
    assert "De cijfers ondersteunen dit" in index
    assert 'href="findings.json"' in index and 'href="01_a.html"' in index
    assert json.loads((edition / "findings.json").read_text())["claims"]["C1"]["verdict"] == (
        "supported"
    )
    key = json.loads((edition / "key_figures.json").read_text())
    assert key["figures"]["misdrijven_totaal"]["value"] == 100
    assert key["figures"]["misdrijven_totaal"]["page"] == "01_a.html"


def test_publish_copies_the_findings_stage_document_and_judges_nothing(
    layout, two_pages, monkeypatch
):
    from hengelo_analysis.analysis.claims import evaluation

    def no_evaluation(*args, **kwargs):
        raise AssertionError("publish must not evaluate a claim")

    monkeypatch.setattr(evaluation, "evaluate", no_evaluation)
    _write_edition(layout, 2024, two_pages)
    edition = publish.publish(layout, "GM0164", 2024)
    stage_file = findings_file(layout.processed_dir, "GM0164", 2024, 1000)
    assert (edition / "findings.json").read_bytes() == stage_file.read_bytes()
    index = (edition / "index.html").read_text()
    assert 'href="findings.json"' in index and "Niet aangetoond" in index


def test_publish_without_the_findings_stage_says_which_command_to_run(layout, two_pages):
    _write_edition(layout, 2024, two_pages)
    findings_file(layout.processed_dir, "GM0164", 2024, 1000).unlink()
    with pytest.raises(PublishError, match=r"GM0164_2024_1000\.json: no findings .*findings"):
        publish.publish(layout, "GM0164", 2024)


def test_pages_link_to_previous_and_next_in_order(layout, two_pages):
    _write_edition(layout, 2024, two_pages)
    edition = publish.publish(layout, "GM0164", 2024)

    def pager(name):
        html = (edition / name).read_text()
        return re.findall(r'<a href="([^"]+)" rel="(prev|next)"', html)

    assert pager("index.html") == [("01_a.html", "next")]
    assert pager("01_a.html") == [("index.html", "prev"), ("02_b.html", "next")]
    assert pager("02_b.html") == [("01_a.html", "prev")]
    assert not (edition / CHANGES_PAGE).exists()  # first edition: nothing to compare


def test_rebuild_compares_key_figures_and_verdicts_with_the_previous_build(layout, two_pages):
    _write_edition(layout, 2024, two_pages)
    publish.publish(layout, "GM0164", 2024, findings=_findings("supported"))
    two_pages["01_a.ipynb"] = _notebook("Pagina A", [_figure_output(), _key_figure_output(1234)])
    _write_edition(layout, 2024, two_pages)
    edition = publish.publish(layout, "GM0164", 2024, findings=_findings("contradicted"))
    html = (edition / CHANGES_PAGE).read_text()
    assert "de vorige versie van dit rapport (peiljaar 2024)" in html
    assert re.search(
        r'100</td><td class="hv-num">1\.234</td><td class="hv-num hv-changed">\+1\.134', html
    )
    assert re.search(
        r'C1<span class="hv-sub">E33 stijgt</span></th><td>de cijfers ondersteunen dit</td>'
        r"<td>de cijfers wijzen de andere kant op</td>"
        r'<td class="hv-changed">ja',
        html,
    )
    assert re.search(
        r'C10<span class="hv-sub">volgt de regio</span></th><td>niet aangetoond</td>'
        r"<td>niet aangetoond</td><td>nee",
        html,
    )
    assert 'href="wat_is_er_veranderd.html"' in (edition / "index.html").read_text()
    kept = json.loads((edition / "vorige_versie" / "findings.json").read_text())
    assert kept["claims"]["C1"]["verdict"] == "supported"


def test_new_peiljaar_compares_with_the_year_before_and_handles_missing_findings(layout, two_pages):
    _write_edition(layout, 2023, two_pages)
    earlier = publish.publish(layout, "GM0164", 2023)
    (earlier / "findings.json").unlink()  # as an edition built before findings.json existed
    _write_edition(layout, 2024, two_pages)
    edition = publish.publish(layout, "GM0164", 2024, findings=_findings())
    html = (edition / CHANGES_PAGE).read_text()
    assert "Oordelen tegenover het rapport over 2023" in html
    assert "Het rapport over peiljaar 2023 heeft geen oordelen bewaard (geen findings.json)" in html
    assert "vorige versie" not in html
    editions = (layout.gemeente_reports_dir("GM0164") / "index.html").read_text()
    assert re.findall(r'<a href="(\d{4}/index\.html)"', editions) == [
        "2024/index.html",
        "2023/index.html",
    ]
    assert "Synthetische demodata" in editions
    assert 'href="../index.html"' in (edition / "index.html").read_text()


def test_a_missing_key_figure_is_not_published_never_zero():
    rows = compare_key_figures({"a": {"label": "A", "value": 5}}, {})
    assert rows == [
        {"id": "a", "label": "A", "unit": "", "decimals": 0, "before": 5, "now": None, "diff": None}
    ]


def test_malformed_findings_file_is_a_clear_error(layout, two_pages, tmp_path):
    _write_edition(layout, 2024, two_pages)
    bad = findings_file(layout.processed_dir, "GM0164", 2024, 1000)  # the findings stage's file
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_text('{"claims": {"C1": {}}}')
    with pytest.raises(PublishError, match=r"GM0164_2024_1000\.json: claim 'C1' has no 'verdict'"):
        publish.publish(layout, "GM0164", 2024)


def test_findings_of_another_edition_are_refused(layout, two_pages):
    _write_edition(layout, 2024, two_pages)
    with pytest.raises(
        PublishError, match=r"findings\.json is for peiljaar 2023, this edition is 2024"
    ):
        publish.publish(layout, "GM0164", 2024, findings=_findings(peiljaar=2023))


def test_an_older_peiljaar_never_compares_with_a_newer_edition_in_the_folder(layout, two_pages):
    _write_edition(layout, 2024, two_pages)
    publish.publish(layout, "GM0164", 2024, findings=_findings("contradicted"))
    _write_edition(layout, 2020, two_pages)
    edition = publish.publish(layout, "GM0164", 2020, findings=_findings(peiljaar=2020))
    # No 2019 edition, no earlier build of 2020, no data change: nothing to compare, no page
    # (the folder-scanning comparison made 2020 compare itself with 2024 here).
    assert not (edition / CHANGES_PAGE).exists()
    _write_edition(layout, 2019, two_pages)
    publish.publish(layout, "GM0164", 2019, findings=_findings("contradicted", peiljaar=2019))
    shutil.rmtree(edition)  # a first build of 2020 again, now with 2019 built beside it
    _write_edition(layout, 2020, two_pages)
    edition = publish.publish(layout, "GM0164", 2020, findings=_findings(peiljaar=2020))
    html = (edition / CHANGES_PAGE).read_text()
    assert "Het rapport over peiljaar 2019 is gebouwd op" in html
    assert "2024" not in html.split("<main")[1].split("</main>")[0]
    assert re.search(
        r'C1<span class="hv-sub">E33 stijgt</span></th><td>de cijfers wijzen de andere kant op</td>'
        r"<td>de cijfers ondersteunen dit</td>"
        r'<td class="hv-changed">ja',
        html,
    )
