"""The edition as a publication: one slim stylesheet, the date in Dutch words, colofon and
attribution, per-page sources, no path of the build machine, and the page-weight budgets."""

from __future__ import annotations

import re
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from hengelo_analysis.paths import TEMPLATE_DIR
from hengelo_analysis.pipeline import context, provenance, weight
from tests.chapter_report import demo_edition, visible_text


def test_dutch_date_and_the_build_stamp(monkeypatch):
    assert context.dutch_date(date(2026, 12, 1)) == "1 december 2026"
    assert context.dutch_date(date(2025, 3, 31)) == "31 maart 2025"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796083200")
    assert context.build_date() == date(2026, 12, 1)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert context.build_date() == datetime.now(UTC).date()


def test_css_string_cannot_close_the_string_or_the_style_element():
    text = context.css_string('Bad "name" </style><script>')
    assert text.startswith('"') and text.endswith('"')
    assert '"' not in text[1:-1] and "<" not in text and ">" not in text


def test_public_parameters_drop_absolute_paths():
    params = {"gemeente": "GM0164", "peiljaar": 2024, "data_dir": "/home/analist/data", "x": "~/d"}
    assert provenance.public_parameters(params) == {"gemeente": "GM0164", "peiljaar": 2024}


def test_scrub_paths_replaces_the_builders_folders_longest_first():
    data, home = Path("/srv/build/data"), str(Path.home())
    text = f'"data_dir": "{data}", "output": "{data}/raw/x", "log": "{home}/notes"'
    scrubbed = provenance.scrub_paths(text, {Path("/srv/build"): "project", data: "data"})
    assert "/srv/build" not in scrubbed and home not in scrubbed
    assert '"data_dir": "<data>"' in scrubbed


TABLES = {
    "47018NED": {"Title": "Misdrijven", "Modified": "2025-03-14", "retrieved_at": "2025-03-15"},
    "85146NED": {"Title": "Veiligheidsmonitor", "Modified": "2024-03-01"},
    "82339NED": {"Title": "KWB 2013", "Modified": "2014-07-01"},
    "85984NED": {"Title": "KWB 2024", "Modified": "2025-07-01"},
    "pdok/2025": {"retrieved_at": "2025-03-15"},
    "supplied/bron/2012/ongevallen.txt": {"table": "accidents"},
    "supplied/bron/2013/ongevallen.txt": {"table": "accidents"},
    "supplied/jeugd.csv": {"table": "youth"},
}


def test_source_rows_list_only_the_tables_behind_the_declared_inputs():
    rows = provenance.source_rows(TABLES, ["crime", "accidents"])
    assert [r["title"] for r in rows] == [
        "Misdrijven",
        "verkeersongevallen (BRON, aangeleverd) (2 bestanden)",
    ]
    assert rows[0]["links"] == [
        {"id": "47018NED", "url": "https://data.politie.nl/#/Politie/nl/dataset/47018NED/table"}
    ]
    population = provenance.source_rows(TABLES, ["population"])
    assert len(population) == 1 and [link["id"] for link in population[0]["links"]] == [
        "82339NED",
        "85984NED",
    ]
    assert population[0]["links"][0]["url"].startswith("https://opendata.cbs.nl/statline/")
    assert len(provenance.source_rows(TABLES, None)) == 6  # the index: every source, grouped


def test_the_house_stylesheet_is_slim_and_has_a_print_part():
    css = (TEMPLATE_DIR / "hv.css").read_text(encoding="utf-8")
    assert len(css.encode()) < 15_000
    assert "@media print" in css and "position: sticky" in css


# --- the demo edition -----------------------------------------------------------------------


def _pages(edition: Path) -> list[Path]:
    return sorted(edition.glob("*.html"))


@pytest.mark.slow
def test_no_page_carries_jupyterlab_css_and_every_page_has_the_date_and_colofon_links():
    _, edition = demo_edition()
    for page in _pages(edition):
        html = page.read_text(encoding="utf-8")
        assert "--jp-" not in html and "jp-theme" not in html, page.name
        text = visible_text(html)
        assert re.search(
            r"gepubliceerd op \d{1,2} (januari|februari|maart|april|mei|juni|juli|"
            r"augustus|september|oktober|november|december) 20\d\d",
            text,
        ), page.name
        assert 'href="colofon.html"' in html and 'href="toegankelijkheid.html"' in html, page.name
        assert "@top-left" in html and "counter(page)" in html, page.name  # title/number on paper
        assert "CC BY 4.0" in text and "niet verantwoordelijk" in text, page.name


@pytest.mark.slow
def test_colofon_names_issuer_date_contact_and_the_cbs_attribution():
    _, edition = demo_edition()
    text = visible_text((edition / "colofon.html").read_text(encoding="utf-8"))
    for part in (
        "Uitgegeven door Gemeente Hengelo",
        "Datum van publicatie",
        "Vragen en contact",
        "bewerking door",
        "CBS en de politie zijn niet verantwoordelijk",
    ):
        assert part in text, part
    access = visible_text((edition / "toegankelijkheid.html").read_text(encoding="utf-8"))
    assert "Toegankelijkheid" in access and "Wat nog niet goed is" in access


@pytest.mark.slow
def test_the_provenance_box_lists_the_tables_the_page_reads_with_their_statline_page():
    _, edition = demo_edition()
    crime = (edition / "02_criminaliteit.html").read_text(encoding="utf-8")
    box = crime[crime.index('<footer class="hv-provenance">') :]
    assert "https://data.politie.nl/#/Politie/nl/dataset/47018NED/table" in box
    assert "85146NED" not in box  # the survey is not read by this page
    assert "ongevallen" not in box and "supplied/" not in box
    assert box.count("<tr>") < 22  # the page's tables, plus the lock and "alle invoer" rows
    traffic = (edition / "07_verkeer.html").read_text(encoding="utf-8")
    assert "verkeersongevallen (BRON, aangeleverd) (13 bestanden)" in visible_text(traffic)


@pytest.mark.slow
def test_no_absolute_path_of_the_build_machine_is_anywhere_in_the_edition():
    root, edition = demo_edition()
    forbidden = [str(root / "data"), str(root / "reports"), str(root), str(Path.home()) + "/"]
    forbidden += [str(Path(__file__).resolve().parents[1]), "file://", tempfile.gettempdir() + "/"]
    for path in sorted(p for p in edition.rglob("*") if p.is_file()):
        if path.suffix in (".pdf", ".xlsx"):
            import subprocess
            import zipfile

            if path.suffix == ".xlsx":
                content = "".join(
                    zipfile.ZipFile(path).read(n).decode() for n in zipfile.ZipFile(path).namelist()
                )
            else:
                content = path.read_bytes().decode("latin-1")
                try:
                    content += subprocess.run(
                        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
                    ).stdout
                except (OSError, subprocess.CalledProcessError):
                    pass
        else:
            content = path.read_text(encoding="utf-8", errors="replace")
        for needle in forbidden:
            assert needle not in content, f"{path.relative_to(edition)} shows {needle}"


@pytest.mark.slow
def test_page_weights_are_within_their_budgets():
    _, edition = demo_edition()
    weights = weight.edition_weights(edition)
    print({part: f"{size / 1e6:.2f} MB" for part, size in weights.items()})  # noqa: T201
    for part, size in weights.items():
        assert 0 < size <= weight.BUDGETS[part], (part, size)
    assert weights["html"] <= 3_000_000


def test_published_notebooks_keep_their_cache_key_but_not_the_run_times(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])
    nb.metadata["papermill"] = {
        "start_time": "2026-12-01T18:48:17",
        "duration": 1.2,
        "output_path": str(tmp_path / ".notebooks.staging-g_ig8p8o" / "04_jeugd.ipynb"),
    }
    nb.metadata["hengelo"] = {"cache_key": "abc", "inputs": ["crime"]}
    nb.cells[0].metadata["papermill"] = {"end_time": "2026-12-01T18:48:18", "status": "completed"}
    nb.cells[0].metadata["execution"] = {"iopub.status.idle": "2026-12-01T18:48:18Z"}
    source, target = tmp_path / "in", tmp_path / "out"
    source.mkdir()
    (source / "a.ipynb").write_text(nbformat.writes(nb), encoding="utf-8")
    provenance.copy_notebooks_without_paths(source, target, {tmp_path: "tmp"})
    text = (target / "a.ipynb").read_text(encoding="utf-8")
    assert "2026-12-01" not in text and str(tmp_path) not in text
    copied = nbformat.reads(text, as_version=4)
    assert copied.metadata["hengelo"]["cache_key"] == "abc"
    assert copied.cells[0].metadata["papermill"] == {"status": "completed"}
    assert copied.metadata["papermill"] == {"output_path": "04_jeugd.ipynb"}


def test_the_colofon_comes_from_the_gemeente_configuration():
    from hengelo_analysis.pipeline.context import PageContext, colofon_from_config

    overrides = colofon_from_config(
        {"organisation": "Gemeente Hengelo", "email": "info@hengelo.nl", "url": "https://x.nl/{a}"}
    )
    context = PageContext("GM0164", "Hengelo", 2024, "demo", True, colofon=overrides)
    shown = context.colofon_text
    assert shown["uitgever"] == shown["bewerking"] == "Gemeente Hengelo"
    assert shown["contact"] == "info@hengelo.nl · https://x.nl/{a}"  # braces stay literal
    default = PageContext("GM0153", "Enschede", 2024, "demo", True).colofon_text
    assert default["uitgever"] == "Gemeente Enschede"  # no configuration: the generic default
