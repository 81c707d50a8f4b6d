"""nbconvert export of one executed notebook to a page, and the checks every page must pass.

nbconvert's HTMLExporter is called in-process with the project's own template (no require.js,
MathJax or other CDN scripts; code hidden; ``lang="nl"``; images embedded). Every page is checked
before an edition is swapped in: figures have alt text (refused with the notebook and cell named),
headings do not skip levels, tables have header cells, there is no ``<script>`` (the pages need
none, so any script is injected data) and the page fits the size budget.
"""

from __future__ import annotations

import re
import threading
from html.parser import HTMLParser
from pathlib import Path

import nbformat

from hengelo_analysis.errors import AnalysisError
from hengelo_analysis.paths import TEMPLATE_DIR
from hengelo_analysis.pipeline import downloads, provenance
from hengelo_analysis.pipeline.context import PageContext, notebook_title

# A reviewer on a slow connection opens every page; 5 MB is the budget the issue sets.
PAGE_BUDGET_BYTES = 5_000_000
IMAGE_MIMETYPES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")


class PublishError(AnalysisError):
    """A page cannot be published as it is (missing alt text, bad headings, over budget...)."""


def make_exporter():
    """A new HTMLExporter with the report template (building one costs about 0.2 s)."""
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


_exporters = threading.local()


def shared_exporter():
    """One exporter per thread: every page of every edition is exported with the same settings.

    Per thread, not per process: an nbconvert exporter keeps state of the notebook it is
    exporting, and ``stages.publish_stages`` publishes editions on several threads.
    """
    exporter = getattr(_exporters, "exporter", None)
    if exporter is None:
        exporter = _exporters.exporter = make_exporter()
    return exporter


def export_notebook(exporter, path: Path, context: PageContext) -> str:
    nb = nbformat.read(path, as_version=4)
    check_figures_have_alt(nb, path.name)
    downloads.link_tables(nb, path.stem)
    page_context = PageContext(**{**context.__dict__, "current": path.stem + ".html"})
    parameters = dict(nb.metadata.get("papermill", {}).get("parameters", {}))
    page_context.parameters = provenance.public_parameters(parameters)
    # The provenance box lists the sources of the tables this notebook declares it reads.
    inputs = nb.metadata.get("hengelo", {}).get("inputs")
    page_context.tables = provenance.source_rows(context.source_tables, inputs)
    resources = {"hengelo": page_context, "metadata": {"name": notebook_title(nb, path.stem)}}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


def check_figures_have_alt(nb: nbformat.NotebookNode, name: str) -> None:
    """Refuse any image output without alt text, naming the notebook and the cell."""
    for number, cell in enumerate(nb.cells, start=1):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            for mime in IMAGE_MIMETYPES:
                if mime not in data:
                    continue
                alt = (output.get("metadata", {}).get(mime) or {}).get("alt", "")
                if not str(alt).strip():
                    raise PublishError(
                        f"{name}: cell {number} (execution count {cell.get('execution_count')}) "
                        "shows a figure without alt text; show it with "
                        "plots.show_figure(fig, alt=..., source=source)"
                    )


class _PageScan(HTMLParser):
    """Collects what the page checks need: heading levels, tables and their header cells."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.headings: list[tuple[int, str]] = []
        self.tables: list[int] = []  # number of <th> per table
        self.scripts = 0
        self.images_without_alt = 0
        self._heading: list | None = None
        self._open_tables: list[int] = []

    def handle_starttag(self, tag, attrs):
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = [int(tag[1]), ""]
        elif tag == "table":
            self._open_tables.append(0)
        elif tag == "th" and self._open_tables:
            self._open_tables[-1] += 1
        elif tag == "script":
            self.scripts += 1
        elif tag == "img" and not (dict(attrs).get("alt") or "").strip():
            self.images_without_alt += 1

    def handle_endtag(self, tag):
        if self._heading is not None and tag == f"h{self._heading[0]}":
            self.headings.append((self._heading[0], self._heading[1].strip()))
            self._heading = None
        elif tag == "table" and self._open_tables:
            self.tables.append(self._open_tables.pop())

    def handle_data(self, data):
        if self._heading is not None:
            self._heading[1] += data


def check_page(html: str, page: str, budget: int = PAGE_BUDGET_BYTES) -> None:
    """Raise ``PublishError`` naming ``page`` if the rendered page breaks a report requirement."""
    size = len(html.encode("utf-8"))
    if size > budget:
        raise PublishError(
            f"{page}: {size / 1e6:.2f} MB is over the budget of {budget / 1e6:.3g} MB per page; "
            "use fewer or smaller figures (lower DPI, fewer buurten per map)"
        )
    scan = _PageScan()
    scan.feed(html)
    scan.close()
    if scan.scripts:
        raise PublishError(
            f"{page}: contains a <script> element; published pages need no scripts, so this is "
            "unescaped data or raw HTML in a notebook output (escape it with tables.escape_markdown "
            "or show tables with tables.html_table)"
        )
    if scan.images_without_alt:
        raise PublishError(f"{page}: {scan.images_without_alt} image(s) without alt text")
    previous = 0
    for level, text in scan.headings:
        if level > previous + 1:
            expected = "h1" if previous == 0 else f"h{previous + 1} or higher"
            raise PublishError(
                f"{page}: heading h{level} {text!r} skips a level (expected {expected}); "
                "headings must go in order"
            )
        previous = level
    for number, header_cells in enumerate(scan.tables, start=1):
        if header_cells == 0:
            raise PublishError(f"{page}: table {number} has no header cells (<th>)")
