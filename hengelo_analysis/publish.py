"""``publish``: executed notebooks → self-contained HTML pages and ``index.html``.

nbconvert's HTMLExporter is called in-process with the project's own template (no require.js,
MathJax or other CDN scripts; code hidden; ``lang="nl"``; images embedded). The whole edition is
built in a staging directory and swapped in at the end, so the last good edition stays intact when
anything fails.
"""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import nbformat

from hengelo_analysis import atomic, provenance
from hengelo_analysis.errors import AnalysisError
from hengelo_analysis.paths import TEMPLATE_DIR, Layout
from hengelo_analysis.processed import load_crime, load_provenance

log = logging.getLogger(__name__)

SOURCE_LABELS = {
    "demo": "synthetische demodata (geen echte cijfers)",
    "real": "CBS en politie open data, aangevuld met door de gemeente aangeleverde bestanden",
}


@dataclass
class PageContext:
    """What the page chrome shows (banner, navigation, provenance). Passed to the templates."""

    gemeente: str
    gemeente_name: str
    peiljaar: int
    source: str
    synthetic: bool
    pages: list[dict] = field(default_factory=list)
    tables: list[dict] = field(default_factory=list)
    parameters: dict = field(default_factory=dict)
    versions: dict = field(default_factory=dict)
    git_commit: str = ""
    claims: list[dict] = field(default_factory=list)
    current: str = ""
    css: str = ""

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS.get(self.source, self.source)


def notebook_title(nb: nbformat.NotebookNode, fallback: str) -> str:
    """The first level-1 markdown heading, else ``fallback``."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def gemeente_name(data_dir: Path, source: str, gemeente: str) -> str:
    try:
        crime = load_crime(data_dir, source)
    except AnalysisError:
        return gemeente
    names = crime.loc[crime["area_code"] == gemeente, "area_name"].dropna().unique()
    return str(names[0]) if len(names) else gemeente


def build_context(
    layout: Layout, gemeente: str, peiljaar: int, notebooks: list[Path]
) -> PageContext:
    prov = load_provenance(layout.data_dir, layout.source)
    tables = [
        {
            "id": table_id,
            "title": info.get("Title") or "",
            "modified": info.get("Modified") or "onbekend",
            "retrieved_at": info.get("retrieved_at") or "onbekend (handmatig opgeslagen)",
        }
        for table_id, info in sorted(prov.get("tables", {}).items())
    ]
    synthetic = layout.source == "demo" or any(
        info.get("synthetic") for info in prov.get("tables", {}).values()
    )
    pages = []
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        pages.append({"href": path.stem + ".html", "title": notebook_title(nb, path.stem)})
    return PageContext(
        gemeente=gemeente,
        gemeente_name=gemeente_name(layout.data_dir, layout.source, gemeente),
        peiljaar=peiljaar,
        source=layout.source,
        synthetic=synthetic,
        pages=pages,
        tables=tables,
        versions=provenance.package_versions(),
        git_commit=provenance.git_commit(),
        css=(TEMPLATE_DIR / "hv.css").read_text(encoding="utf-8"),
    )


def make_exporter():
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="veiligheidsbeeld",
        extra_template_basedirs=[str(TEMPLATE_DIR)],
        extra_template_paths=[str(TEMPLATE_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
        embed_images=True,
        language_code="nl",
    )


def export_notebook(exporter, path: Path, context: PageContext) -> str:
    nb = nbformat.read(path, as_version=4)
    page_context = PageContext(**{**context.__dict__, "current": path.stem + ".html"})
    page_context.parameters = dict(nb.metadata.get("papermill", {}).get("parameters", {}))
    resources = {"hengelo": page_context, "metadata": {"name": notebook_title(nb, path.stem)}}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


def render_index(context: PageContext) -> str:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=True,
        keep_trailing_newline=True,
    )
    return env.get_template("index_page.html.j2").render(h=context)


def run_rate_unit(executed: list[Path]) -> int:
    """The ``rate_unit`` the notebooks ran with (papermill parameters), 1000 if absent."""
    nb = nbformat.read(executed[0], as_version=4)
    return int(nb.metadata.get("papermill", {}).get("parameters", {}).get("rate_unit", 1000))


def evaluate_findings(
    layout: Layout, gemeente: str, peiljaar: int, rate_unit: int = 1000
) -> tuple[dict, list[dict]]:
    """The ``findings.json`` document and the index page's claim rows for this edition."""
    from hengelo_analysis import findings

    result = findings.evaluate_all(layout.data_dir, layout.source, gemeente, peiljaar, rate_unit)
    document = findings.findings_document(result, gemeente, peiljaar, layout.source, rate_unit)
    return document, findings.index_claims(result)


def publish(layout: Layout, gemeente: str, peiljaar: int) -> Path:
    """Publish the executed notebooks of an edition; return the edition directory."""
    edition = layout.edition_dir(gemeente, peiljaar)
    executed = sorted((edition / "notebooks").glob("*.ipynb"))
    if not executed:
        raise AnalysisError(
            f"{edition / 'notebooks'}: no executed notebooks; run `hengelo-analysis run` first"
        )
    context = build_context(layout, gemeente, peiljaar, executed)
    exporter = make_exporter()
    with atomic.staged_directory(edition) as staging:
        shutil.copytree(edition / "notebooks", staging / "notebooks")
        for path in executed:
            html = export_notebook(exporter, path, context)
            (staging / f"{path.stem}.html").write_text(html, encoding="utf-8")
        index_context = PageContext(**{**context.__dict__, "current": "index.html"})
        index_context.parameters = {
            "gemeente": gemeente,
            "peiljaar": peiljaar,
            "source": layout.source,
        }
        # The claims C1-C11: judged here from the processed tables, so index.html and
        # findings.json always agree with each other and with the data of this edition.
        document, index_context.claims = evaluate_findings(
            layout, gemeente, peiljaar, run_rate_unit(executed)
        )
        (staging / "findings.json").write_text(
            json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        (staging / "index.html").write_text(render_index(index_context), encoding="utf-8")
    log.info("published %s", edition)
    return edition
