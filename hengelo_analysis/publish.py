"""``publish``: executed notebooks → self-contained HTML pages and ``index.html``.

nbconvert's HTMLExporter is called in-process with the project's own template (no require.js,
MathJax or other CDN scripts; code hidden; ``lang="nl"``; images embedded). The whole edition is
built in a staging directory and swapped in at the end, so the last good edition stays intact when
anything fails.

Every page is checked before the swap: figures have alt text (refused with the notebook and cell
named), headings do not skip levels, tables have header cells, there is no ``<script>`` (the pages
need none, so any script is injected data) and the page fits the size budget.

Besides the pages an edition holds ``findings.json`` (when the claims were evaluated) and
``key_figures.json`` (the figures notebooks marked with ``tables.key_figure``). When an earlier
edition exists (the previous build of this peiljaar, or another peiljaar), the page
``wat_is_er_veranderd.html`` compares key figures and verdicts with it.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import nbformat

from hengelo_analysis import atomic, provenance
from hengelo_analysis.errors import AnalysisError
from hengelo_analysis.findings import VERDICT_LABELS
from hengelo_analysis.paths import TEMPLATE_DIR, Layout
from hengelo_analysis.processed import load_crime, load_provenance

log = logging.getLogger(__name__)

SOURCE_LABELS = {
    "demo": "synthetische demodata (geen echte cijfers)",
    "real": "CBS en politie open data, aangevuld met door de gemeente aangeleverde bestanden",
}
# A reviewer on a slow connection opens every page; 5 MB is the budget the issue sets.
PAGE_BUDGET_BYTES = 5_000_000
CHANGES_PAGE = "wat_is_er_veranderd.html"
FINDINGS_FILE = "findings.json"
KEY_FIGURES_FILE = "key_figures.json"
PREVIOUS_DIR = "vorige_versie"  # the previous build's findings/key figures, kept for the comparison
KEY_FIGURE_METADATA = "hengelo_key_figure"
IMAGE_MIMETYPES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")


class PublishError(AnalysisError):
    """A page cannot be published as it is (missing alt text, bad headings, over budget...)."""


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
    key_figures: list[dict] = field(default_factory=list)
    has_findings: bool = False
    current: str = ""
    css: str = ""

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS.get(self.source, self.source)

    @property
    def sequence(self) -> list[dict]:
        """All pages in reading order, the index first."""
        return [{"href": "index.html", "title": "Overzicht"}, *self.pages]

    @property
    def previous_page(self) -> dict | None:
        hrefs = [p["href"] for p in self.sequence]
        i = hrefs.index(self.current) if self.current in hrefs else -1
        return self.sequence[i - 1] if i > 0 else None

    @property
    def next_page(self) -> dict | None:
        hrefs = [p["href"] for p in self.sequence]
        i = hrefs.index(self.current) if self.current in hrefs else -1
        return self.sequence[i + 1] if 0 <= i < len(hrefs) - 1 else None


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


# --- checks on notebooks and pages ------------------------------------------------------------


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
                        "plots.show_figure(fig, alt=...)"
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
            f"{page}: {size / 1e6:.1f} MB is over the budget of {budget / 1e6:.1f} MB per page; "
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


# --- findings, key figures and earlier editions -----------------------------------------------


def _claim_order(claim_id: str) -> tuple:
    match = re.fullmatch(r"([A-Za-z]*)(\d+)", claim_id)
    return (match.group(1), int(match.group(2))) if match else (claim_id, 0)


def read_findings(path: Path) -> dict:
    """Read and minimally validate a ``findings.json``; a clear error naming the file if not."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PublishError(f"{path}: not readable as JSON ({exc})") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("claims"), dict):
        raise PublishError(f"{path}: expected an object with a 'claims' object")
    for claim_id, claim in doc["claims"].items():
        if not isinstance(claim, dict) or "verdict" not in claim:
            raise PublishError(f"{path}: claim {claim_id!r} has no 'verdict'")
    return doc


def claims_for_index(findings: dict | None) -> list[dict]:
    """The claims of ``findings.json`` as rows for the index table, in claim order."""
    if not findings:
        return []
    rows = []
    for claim_id in sorted(findings["claims"], key=_claim_order):
        claim = findings["claims"][claim_id]
        verdict = str(claim.get("verdict", ""))
        rows.append(
            {
                "id": claim_id,
                "statement": claim.get("statement", ""),
                "verdict": verdict,
                "verdict_label": VERDICT_LABELS.get(verdict, verdict),
                "sentence": claim.get("sentence", ""),
            }
        )
    return rows


def current_findings_file(layout: Layout, gemeente: str, peiljaar: int) -> Path | None:
    """Where this run's ``findings.json`` was written, if it was.

    Looked for beside the executed notebooks first (a notebook or the findings step writes it
    there), then in the processed data folder as ``findings_<gemeente>_<peiljaar>.json``.
    """
    edition = layout.edition_dir(gemeente, peiljaar)
    for path in (
        edition / "notebooks" / FINDINGS_FILE,
        layout.processed_dir / f"findings_{gemeente}_{peiljaar}.json",
    ):
        if path.exists():
            return path
    return None


def collect_key_figures(notebooks: list[Path]) -> dict[str, dict]:
    """The key figures notebooks displayed with ``tables.key_figure``, by id, in page order."""
    figures: dict[str, dict] = {}
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                figure = output.get("metadata", {}).get(KEY_FIGURE_METADATA)
                if isinstance(figure, dict) and "id" in figure:
                    figures[str(figure["id"])] = {**figure, "page": path.stem + ".html"}
    return figures


@dataclass
class EarlierEdition:
    """Key figures and findings of an earlier edition, as far as they were kept."""

    label: str
    peiljaar: int
    built_at: str
    key_figures: dict[str, dict]
    findings: dict | None


def _read_json_or_none(path: Path) -> dict | None:
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        # An unreadable old file must not block today's report: compare without it.
        log.warning("%s: ignored for the comparison (%s)", path, exc)
        return None


def read_edition(directory: Path, label: str, peiljaar: int) -> EarlierEdition | None:
    """The comparison data of the edition in ``directory``, or None if it kept none."""
    key = _read_json_or_none(directory / KEY_FIGURES_FILE)
    findings = _read_json_or_none(directory / FINDINGS_FILE)
    if findings is not None and not isinstance(findings.get("claims"), dict):
        findings = None
    if key is None and findings is None:
        return None
    return EarlierEdition(
        label=label,
        peiljaar=peiljaar,
        built_at=str((key or {}).get("built_at", "onbekend")),
        key_figures=dict((key or {}).get("figures", {})),
        findings=findings,
    )


def earlier_editions(layout: Layout, gemeente: str, peiljaar: int) -> list[EarlierEdition]:
    """The previous build of this peiljaar and the nearest other peiljaar, where they exist."""
    found = []
    same = read_edition(
        layout.edition_dir(gemeente, peiljaar),
        f"de vorige versie van dit rapport (peiljaar {peiljaar})",
        peiljaar,
    )
    if same is not None:
        found.append(same)
    root = layout.gemeente_reports_dir(gemeente)
    others = (
        sorted(int(p.name) for p in root.iterdir() if p.is_dir() and re.fullmatch(r"\d{4}", p.name))
        if root.exists()
        else []
    )
    others = [y for y in others if y != peiljaar]
    # Prefer the nearest earlier peiljaar; fall back to the nearest later one.
    candidates = sorted(others, key=lambda y: (y > peiljaar, abs(y - peiljaar)))
    for year in candidates:
        other = read_edition(layout.edition_dir(gemeente, year), f"peiljaar {year}", year)
        if other is not None:
            found.append(other)
            break
    return found


def compare_key_figures(before: dict[str, dict], now: dict[str, dict]) -> list[dict]:
    """Rows: label, before, now, difference (missing stays missing, never 0)."""
    rows = []
    for fid in [*now, *(f for f in before if f not in now)]:
        b, n = before.get(fid, {}), now.get(fid, {})
        vb, vn = b.get("value"), n.get("value")
        diff = vn - vb if isinstance(vb, int | float) and isinstance(vn, int | float) else None
        rows.append(
            {
                "id": fid,
                "label": n.get("label") or b.get("label") or fid,
                "unit": n.get("unit") or b.get("unit") or "",
                "decimals": int(n.get("decimals", b.get("decimals", 0)) or 0),
                "before": vb,
                "now": vn,
                "diff": diff,
            }
        )
    return rows


def compare_verdicts(before: dict | None, now: dict | None) -> list[dict]:
    """Rows: claim id, verdict before and now (Dutch), changed or not."""
    if not before or not now:
        return []
    b, n = before.get("claims", {}), now.get("claims", {})
    rows = []
    for claim_id in sorted(set(b) | set(n), key=_claim_order):
        vb = (b.get(claim_id) or {}).get("verdict")
        vn = (n.get(claim_id) or {}).get("verdict")
        rows.append(
            {
                "id": claim_id,
                "before": VERDICT_LABELS.get(vb, vb) if vb else None,
                "now": VERDICT_LABELS.get(vn, vn) if vn else None,
                "changed": vb != vn,
            }
        )
    return rows


# --- rendering --------------------------------------------------------------------------------


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
    check_figures_have_alt(nb, path.name)
    page_context = PageContext(**{**context.__dict__, "current": path.stem + ".html"})
    page_context.parameters = dict(nb.metadata.get("papermill", {}).get("parameters", {}))
    resources = {"hengelo": page_context, "metadata": {"name": notebook_title(nb, path.stem)}}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


def _jinja_env() -> jinja2.Environment:
    from hengelo_analysis.formatting import format_number

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=True,
        keep_trailing_newline=True,
    )
    env.filters["nl"] = lambda v, decimals=0: format_number(v, decimals)
    env.filters["nl_signed"] = lambda v, decimals=0: (
        ("+" if isinstance(v, int | float) and v > 0 else "") + format_number(v, decimals)
    )
    return env


def render_index(context: PageContext) -> str:
    return _jinja_env().get_template("index_page.html.j2").render(h=context)


def render_changes(context: PageContext, comparisons: list[dict]) -> str:
    return (
        _jinja_env().get_template("changes_page.html.j2").render(h=context, comparisons=comparisons)
    )


def write_editions_index(layout: Layout, gemeente: str, context: PageContext) -> Path:
    """``reports/<source>/<gemeente>/index.html``: every published edition, newest first.

    The folder is what the refresh workflow deploys to GitHub Pages, so it needs an entry page.
    """
    root = layout.gemeente_reports_dir(gemeente)
    editions = []
    for directory in sorted(root.iterdir(), reverse=True):
        if re.fullmatch(r"\d{4}", directory.name) and (directory / "index.html").exists():
            key = _read_json_or_none(directory / KEY_FIGURES_FILE) or {}
            editions.append(
                {
                    "peiljaar": int(directory.name),
                    "built_at": key.get("built_at", "onbekend"),
                    "href": f"{directory.name}/index.html",
                }
            )
    html = (
        _jinja_env()
        .get_template("editions_page.html.j2")
        .render(
            gemeente=gemeente,
            gemeente_name=context.gemeente_name,
            synthetic=context.synthetic,
            source_label=context.source_label,
            css=context.css,
            editions=editions,
        )
    )
    check_page(html, str(root / "index.html"))
    atomic.write_text(root / "index.html", html)
    return root / "index.html"


def run_rate_unit(executed: list[Path]) -> int:
    """The ``rate_unit`` the notebooks ran with (papermill parameters), 1000 if absent."""
    nb = nbformat.read(executed[0], as_version=4)
    return int(nb.metadata.get("papermill", {}).get("parameters", {}).get("rate_unit", 1000))


def evaluate_findings(layout: Layout, gemeente: str, peiljaar: int, rate_unit: int = 1000) -> dict:
    """The ``findings.json`` document, judged from this edition's processed tables."""
    from hengelo_analysis import findings

    result = findings.evaluate_all(layout.data_dir, layout.source, gemeente, peiljaar, rate_unit)
    return findings.findings_document(result, gemeente, peiljaar, layout.source, rate_unit)


def publish(
    layout: Layout,
    gemeente: str,
    peiljaar: int,
    *,
    findings: dict | None = None,
    page_budget: int = PAGE_BUDGET_BYTES,
    exporter=None,
) -> Path:
    """Publish the executed notebooks of an edition; return the edition directory.

    Parameters
    ----------
    findings : dict, optional
        The evaluated claims (``findings.json`` format); default: read from
        ``current_findings_file`` if one was placed, else evaluated from the processed tables.
    page_budget : int
        Maximum size of one page in bytes.
    exporter : nbconvert.HTMLExporter, optional
        An exporter from ``make_exporter`` to reuse (a multi-gemeente run builds one).
    """
    edition = layout.edition_dir(gemeente, peiljaar)
    executed = sorted((edition / "notebooks").glob("*.ipynb"))
    if not executed:
        raise AnalysisError(
            f"{edition / 'notebooks'}: no executed notebooks; run `hengelo-analysis run` first"
        )
    if findings is None:
        # The claims C1-C11 are judged here from the processed tables (unless a findings file was
        # placed for this edition), so index.html and findings.json agree with the data.
        path = current_findings_file(layout, gemeente, peiljaar)
        findings = (
            read_findings(path)
            if path is not None
            else evaluate_findings(layout, gemeente, peiljaar, run_rate_unit(executed))
        )
    if findings is not None:
        for key, expected in (
            ("gemeente", gemeente),
            ("peiljaar", peiljaar),
            ("source", layout.source),
        ):
            if key in findings and str(findings[key]) != str(expected):
                raise PublishError(
                    f"findings.json is for {key} {findings[key]!r}, this edition is {expected!r}"
                )
    context = build_context(layout, gemeente, peiljaar, executed)
    context.claims = claims_for_index(findings)
    context.has_findings = findings is not None
    key_figures = collect_key_figures(executed)
    context.key_figures = list(key_figures.values())
    earlier = earlier_editions(layout, gemeente, peiljaar)
    if earlier:
        context.pages = [*context.pages, {"href": CHANGES_PAGE, "title": "Wat is er veranderd"}]
    built_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    exporter = make_exporter() if exporter is None else exporter
    with atomic.staged_directory(edition) as staging:
        shutil.copytree(edition / "notebooks", staging / "notebooks")
        pages: dict[str, str] = {}
        for path in executed:
            pages[f"{path.stem}.html"] = export_notebook(exporter, path, context)
        index_context = PageContext(**{**context.__dict__, "current": "index.html"})
        index_context.parameters = {
            "gemeente": gemeente,
            "peiljaar": peiljaar,
            "source": layout.source,
        }
        pages["index.html"] = render_index(index_context)
        if earlier:
            changes_context = PageContext(**{**index_context.__dict__, "current": CHANGES_PAGE})
            comparisons = [
                {
                    "edition": e,
                    "figures": compare_key_figures(e.key_figures, key_figures),
                    "verdicts": compare_verdicts(e.findings, findings),
                }
                for e in earlier
            ]
            pages[CHANGES_PAGE] = render_changes(changes_context, comparisons)
        for name, html in pages.items():
            check_page(html, name, page_budget)
            (staging / name).write_text(html, encoding="utf-8")
        if findings is not None:
            (staging / FINDINGS_FILE).write_text(
                json.dumps(findings, ensure_ascii=False, indent=2), encoding="utf-8"
            )
        (staging / KEY_FIGURES_FILE).write_text(
            json.dumps(
                {
                    "gemeente": gemeente,
                    "peiljaar": peiljaar,
                    "source": layout.source,
                    "built_at": built_at,
                    "git_commit": context.git_commit,
                    "figures": key_figures,
                },
                ensure_ascii=False,
                indent=2,
            ),
            encoding="utf-8",
        )
        # Keep what the previous build of this peiljaar published, so the comparison basis can
        # be inspected (one level only: its own vorige_versie is not carried along).
        for name in (FINDINGS_FILE, KEY_FIGURES_FILE):
            if (edition / name).exists():
                (staging / PREVIOUS_DIR).mkdir(exist_ok=True)
                shutil.copy2(edition / name, staging / PREVIOUS_DIR / name)
    write_editions_index(layout, gemeente, context)
    log.info("published %s (%d pages)", edition, len(pages))
    return edition
