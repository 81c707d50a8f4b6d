"""``publish``: executed notebooks → self-contained HTML pages and ``index.html`` of one edition.

The whole edition is built in a staging directory and swapped in at the end, so the last good
edition stays intact when anything fails (pages are exported and checked by ``export``).

Besides the pages an edition holds ``findings.json`` (the findings stage's document, copied) and
``key_figures.json`` (the figures notebooks marked with ``tables.key_figure``). The page
``wat_is_er_veranderd.html`` compares with the year before (from the data) and with the earlier
editions ``compare`` names. It also
holds a colofon and a toegankelijkheid page, every table as CSV plus one workbook (``downloads``),
a PDF of the whole edition (``pdf``, when Chromium is there) and executed notebooks without the
builder's folders (``provenance.scrub_paths``); ``weight`` checks the total against the budgets.
"""

from __future__ import annotations

import json
import logging
import shutil
import sys
from datetime import date
from pathlib import Path

import nbformat

from hengelo_analysis import atomic
from hengelo_analysis.analysis.claims import claims_for_index
from hengelo_analysis.errors import AnalysisError
from hengelo_analysis.pages import summary
from hengelo_analysis.paths import PROJECT_ROOT, Layout, findings_file
from hengelo_analysis.pipeline import downloads, pdf, provenance, stamps, weight
from hengelo_analysis.pipeline.compare import (
    CHANGES_PAGE,
    FINDINGS_FILE,
    KEY_FIGURES_FILE,
    Comparisons,
    collect_key_figures,
    compare_key_figures,
    compare_verdicts,
    comparisons_for,
)
from hengelo_analysis.pipeline.context import (
    PageContext,
    build_context,
    build_date,
    build_time,
    colofon_from_config,
)
from hengelo_analysis.pipeline.export import (
    PAGE_BUDGET_BYTES,
    PublishError,
    check_page,
    export_notebook,
    shared_exporter,
)
from hengelo_analysis.pipeline.index import (
    render_changes,
    render_index,
    render_static,
    write_editions_index,
)
from hengelo_analysis.pipeline.methods import method_facts

log = logging.getLogger(__name__)

PREVIOUS_DIR = "vorige_versie"  # the previous build's findings/key figures, kept for the comparison
STATIC_PAGES = {
    "colofon.html": "colofon_page.html.j2",
    "toegankelijkheid.html": "toegankelijkheid_page.html.j2",
    "verantwoording.html": "verantwoording_page.html.j2",
}
# The methods and the colofon close the PDF; the accessibility page is web-only.
PDF_PAGES_LAST = ("verantwoording.html", "colofon.html")


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


def run_rate_unit(executed: list[Path]) -> int:
    """The ``rate_unit`` the notebooks ran with (papermill parameters), 1000 if absent."""
    nb = nbformat.read(executed[0], as_version=4)
    return int(nb.metadata.get("papermill", {}).get("parameters", {}).get("rate_unit", 1000))


def edition_findings(layout: Layout, gemeente: str, peiljaar: int, executed: list[Path]) -> dict:
    """The findings stage's document for the edition the notebooks were run for.

    Publish judges nothing itself: it shows the document the notebooks read, so index.html, the
    pages and the edition's findings.json agree.
    """
    path = findings_file(layout.processed_dir, gemeente, peiljaar, run_rate_unit(executed))
    if not path.is_file():
        raise PublishError(
            f"{path}: no findings for {gemeente} {peiljaar}; run `hengelo-analysis findings` "
            "(or `report`) first"
        )
    return read_findings(path)


def check_findings_edition(findings: dict, gemeente: str, peiljaar: int, source: str) -> None:
    """Refuse findings made for another gemeente, peiljaar or source."""
    for key, expected in (("gemeente", gemeente), ("peiljaar", peiljaar), ("source", source)):
        if key in findings and str(findings[key]) != str(expected):
            raise PublishError(
                f"findings.json is for {key} {findings[key]!r}, this edition is {expected!r}"
            )


def check_suite_complete(executed_dir: Path, executed: list[Path], suite: list[Path]) -> None:
    """Refuse an edition missing the executed notebook of a report page.

    Publishing without it would drop the page and leave the navigation pointing at nothing.
    """
    have = {p.name for p in executed}
    missing = [nb.name for nb in suite if nb.name not in have]
    if missing:
        raise PublishError(
            f"{executed_dir}: no executed notebook {', '.join(missing)}; run "
            "`hengelo-analysis run` again (the published edition was kept)"
        )


def check_readable(executed: list[Path]) -> None:
    """Refuse an empty, truncated or otherwise unreadable executed notebook, naming it.

    Only the JSON and its two top-level keys are checked: enough for nbformat not to fail later
    with a traceback, and far cheaper than a second full read of every notebook.
    """
    for path in executed:
        try:
            doc = json.loads(path.read_bytes())
        except (UnicodeDecodeError, ValueError) as exc:
            problem = f"not valid JSON ({str(exc).splitlines()[0][:120]}), empty or truncated?"
        else:
            if isinstance(doc, dict) and isinstance(doc.get("cells"), list) and "nbformat" in doc:
                continue
            problem = "not a notebook (no 'cells' list or 'nbformat')"
        raise PublishError(
            f"{path}: {problem}; run `hengelo-analysis run` again (the published edition was kept)"
        )


def publish(
    layout: Layout,
    gemeente: str,
    peiljaar: int,
    *,
    findings: dict | None = None,
    page_budget: int = PAGE_BUDGET_BYTES,
    exporter=None,
    publication_date: date | None = None,
    suite: list[Path] | None = None,
) -> Path:
    """Publish the executed notebooks of an edition; return the edition directory.

    Parameters
    ----------
    findings : dict, optional
        The evaluated claims (``findings.json`` format); default: ``edition_findings``.
    page_budget : int
        Maximum size of one page in bytes.
    exporter : nbconvert.HTMLExporter, optional
        The exporter to use; default: ``export.shared_exporter()``.
    publication_date : datetime.date, optional
        The date every page shows; default: the build stamp (``SOURCE_DATE_EPOCH`` or today).
    suite : list of Path, optional
        The notebooks of the report (``run.report_notebooks()``); publish refuses when one of them
        has no executed notebook. Default: no such check (an edition of other notebooks).
    """
    edition = layout.edition_dir(gemeente, peiljaar)
    executed_dir = stamps.executed_dir(edition)
    executed = sorted(executed_dir.glob("*.ipynb"))
    if not executed:
        raise AnalysisError(
            f"{stamps.run_notebooks_dir(edition)}: no executed notebooks; "
            "run `hengelo-analysis run` first"
        )
    if suite is not None:
        check_suite_complete(executed_dir, executed, suite)
    check_readable(executed)
    if findings is None:
        findings = edition_findings(layout, gemeente, peiljaar, executed)
    check_findings_edition(findings, gemeente, peiljaar, layout.source)
    context = build_context(layout, gemeente, peiljaar, executed)
    context.colofon = colofon_from_config(findings.get("config", {}).get("colofon", {}))
    context.publication_date = publication_date or build_date()
    context.workbook = downloads.WORKBOOK_NAME if downloads.has_tables(executed) else ""
    pdf_file = pdf.pdf_name(gemeente, peiljaar)
    chromium = pdf.find_chromium()
    context.pdf = {"href": pdf_file, "size": ""} if chromium else pdf.NO_CHROMIUM
    context.claims = claims_for_index(findings)
    context.samenvatting_html = summary.samenvatting_html(findings, context.gemeente_name)
    context.verdicts_html = summary.verdict_list_html(findings)
    context.profile = list(findings.get("profile", []))
    context.has_findings = True
    key_figures = collect_key_figures(executed)
    context.key_figures = list(key_figures.values())
    earlier = comparisons_for(layout, gemeente, peiljaar, findings)
    if earlier.any:
        context.pages = [*context.pages, {"href": CHANGES_PAGE, "title": "Wat is er veranderd"}]
    pages = render_pages(
        context, executed, findings, key_figures, earlier, exporter or shared_exporter()
    )
    # No folder of the machine that built the edition may show in it (papermill records them).
    builder_paths = {
        layout.data_dir: "data",
        layout.reports_dir: "reports",
        PROJECT_ROOT: "project",
        Path(sys.prefix): "python",
    }
    pages = {name: provenance.scrub_paths(html, builder_paths) for name, html in pages.items()}
    stamp = build_time()
    # Pages, notebooks and findings are swapped in together, world-readable (public=True): the
    # edition is replaced whole or not at all, and a killed earlier publish's folders are cleared.
    with atomic.staged_directory(edition, public=True) as staging:
        provenance.copy_notebooks_without_paths(executed_dir, staging / "notebooks", builder_paths)
        for name, html in pages.items():
            check_page(html, name, page_budget)
            (staging / name).write_text(html, encoding="utf-8")
        title = f"Veiligheidsbeeld {context.gemeente_name} {peiljaar}"
        downloads.write_downloads(staging, executed, title, context.colofon_text["uitgever"], stamp)
        if chromium:
            write_pdf(staging, context, pages, pdf_file, builder_paths, page_budget)
        weight.check_edition(staging)
        write_edition_files(staging, edition, context, findings, key_figures)
    write_editions_index(layout, gemeente, context)
    log.info("published %s (%d pages)", edition, len(pages))
    return edition


def render_pages(
    context: PageContext,
    executed: list[Path],
    findings: dict,
    key_figures: dict[str, dict],
    earlier: Comparisons,
    exporter,
) -> dict[str, str]:
    """``{page file name: html}``: one page per notebook, the index and the changes page."""
    pages = {f"{path.stem}.html": export_notebook(exporter, path, context) for path in executed}
    index_context = PageContext(**{**context.__dict__, "current": "index.html"})
    index_context.parameters = index_parameters(context)
    pages["index.html"] = render_index(index_context)
    for name, template in STATIC_PAGES.items():
        static_context = PageContext(**{**index_context.__dict__, "current": name})
        pages[name] = render_static(static_context, template, v=method_facts(findings))
    if earlier.any:
        changes_context = PageContext(**{**index_context.__dict__, "current": CHANGES_PAGE})
        same = earlier.previous_build
        pages[CHANGES_PAGE] = render_changes(
            changes_context,
            {
                "changes": earlier.changes,
                "previous_year": earlier.previous_year,
                "year_verdicts": compare_verdicts(
                    earlier.previous_year.findings if earlier.previous_year else None, findings
                ),
                "previous_build": same,
                "build_figures": compare_key_figures(same.key_figures, key_figures) if same else [],
                "build_verdicts": compare_verdicts(same.findings if same else None, findings),
            },
        )
    return pages


def write_pdf(
    staging: Path,
    context: PageContext,
    pages: dict[str, str],
    name: str,
    builder_paths: dict[Path, str],
    page_budget: int,
) -> None:
    """Print the edition to ``name`` and rewrite the index, which names the PDF's size (or why
    there is none), known only now."""
    context.pdf = pdf.build_pdf(staging, name, pdf_order(pages), build_time())
    index_context = PageContext(**{**context.__dict__, "current": "index.html"})
    index_context.parameters = index_parameters(context)
    html = provenance.scrub_paths(render_index(index_context), builder_paths)
    check_page(html, "index.html", page_budget)
    (staging / "index.html").write_text(html, encoding="utf-8")


def index_parameters(context: PageContext) -> dict:
    return {"gemeente": context.gemeente, "peiljaar": context.peiljaar, "source": context.source}


def pdf_order(pages: dict[str, str]) -> list[tuple[str, str]]:
    """The pages of the PDF in reading order: index, chapters (and changes), methods, colofon."""
    first = ["index.html"]
    middle = sorted(n for n in pages if n not in first and n not in STATIC_PAGES)
    return [(n, pages[n]) for n in [*first, *middle, *PDF_PAGES_LAST]]


def edition_provenance(context: PageContext, built_at: str) -> dict:
    """What an edition was built from, machine-readable (the provenance box links it): the code's
    commit, the lock file of the environment with its sha256, the versions of the packages that
    shape the report, and the sha256 of every raw file the processed tables were cleaned from.

    Paths are relative to ``data/raw/<source>/`` and to the checkout: no builder folder.
    """
    return {
        "gemeente": context.gemeente,
        "peiljaar": context.peiljaar,
        "source": context.source,
        "built_at": built_at,
        "git_commit": context.git_commit,
        "lock": context.lock,
        "packages": context.versions,
        "raw_inputs": {"root": f"data/raw/{context.source}", "sha256": context.raw_inputs},
    }


def write_edition_files(
    staging: Path, edition: Path, context: PageContext, findings: dict, key_figures: dict
) -> None:
    """``findings.json``, ``key_figures.json``, ``provenance.json`` and the previous build's copies
    in ``vorige_versie``."""
    (staging / FINDINGS_FILE).write_text(
        json.dumps(findings, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    built_at = build_time().strftime("%Y-%m-%dT%H:%M:%SZ")
    document = {
        "gemeente": context.gemeente,
        "peiljaar": context.peiljaar,
        "source": context.source,
        "built_at": built_at,
        "git_commit": context.git_commit,
        "figures": key_figures,
    }
    (staging / KEY_FIGURES_FILE).write_text(
        json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    (staging / provenance.EDITION_FILE).write_text(
        json.dumps(edition_provenance(context, built_at), ensure_ascii=False, indent=2),
        encoding="utf-8",
    )
    # Keep what the previous build of this peiljaar published, so the comparison basis can
    # be inspected (one level only: its own vorige_versie is not carried along).
    for name in (FINDINGS_FILE, KEY_FIGURES_FILE):
        if (edition / name).exists():
            (staging / PREVIOUS_DIR).mkdir(exist_ok=True)
            shutil.copy2(edition / name, staging / PREVIOUS_DIR / name)
