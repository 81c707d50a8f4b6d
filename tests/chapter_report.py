"""The one place slow tests get a demo report from, plus raw-data readers for the content tests.

Building the report takes about half a minute of both cores. Every test that only reads a standard
demo edition (chapter content, end to end, browser, faults) shares :func:`demo_edition`, built
once per test session; a test that changes files works on :func:`copy_demo_edition`. Variants
(another gemeente, another peiljaar) are built with :func:`build_report` or, for Enschede,
shared by :func:`gm0153_executed`. The raw readers parse the committed demo JSON directly, without
the package, so a content test compares the page with an independent computation.
"""

from __future__ import annotations

import atexit
import functools
import json
import re
import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path

from tests.conftest import DEMO_RAW

# What each build_report run printed on stderr, by its root (the kernels' warnings end up here).
BUILD_STDERR: dict[Path, str] = {}


def _tempdir(prefix: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def build_report(root: Path, *options: str) -> Path:
    """`hengelo-analysis report` (the real CLI, in a subprocess) on a fresh copy of the demo.

    Writes ``root/data`` and ``root/reports``; ``options`` go to the CLI as they are (for example
    ``"--gemeente", "GM0153"`` or ``"--peiljaar", "2023"``). Returns ``root``.
    """
    shutil.copytree(DEMO_RAW, root / "data" / "raw" / "demo")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "hengelo_analysis",
            "report",
            "--data-dir",
            str(root / "data"),
            "--reports-dir",
            str(root / "reports"),
            *options,
        ],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, result.stderr
    BUILD_STDERR[root] = result.stderr
    return root


@functools.cache
def demo_edition() -> tuple[Path, Path]:
    """``(root, edition dir)`` of the standard demo report, built once per session. Read only.

    ``root`` holds exactly ``data/`` and ``reports/`` of one `report` run.
    """
    # Per 1,000 inhabitants (as CBS), which the content tests recompute; Hengelo's configuration
    # would give its own per 10,000.
    root = build_report(_tempdir("demo-report-"), "--rate-unit", "1000")
    return root, root / "reports" / "demo" / "GM0164" / "2024"


def copy_demo_edition(dest: Path) -> tuple[Path, Path]:
    """``(dest, edition dir)``: a copy of :func:`demo_edition` for a test that changes files."""
    root, edition = demo_edition()
    for part in ("data", "reports"):
        shutil.copytree(root / part, dest / part, symlinks=True)
    return dest, dest / edition.relative_to(root)


@functools.cache
def gm0153_executed() -> dict[str, Path]:
    """All report notebooks executed for Enschede (GM0153: gemeente rows only, no areas, no E33,
    no own survey), as ``{stem: executed notebook}``; run once per session.

    Uses the processed data of :func:`demo_edition` (read only) and the real runner (papermill,
    the kernel the report uses), writing into a reports dir of its own.
    """
    from hengelo_analysis.gemeente_config import config_for
    from hengelo_analysis.paths import Layout
    from hengelo_analysis.pipeline.run import RunParameters, run_notebooks
    from hengelo_analysis.pipeline.stages import findings_stage

    root, _ = demo_edition()
    layout = Layout(root / "data", _tempdir("gm0153-reports-"), "demo")
    params = RunParameters("GM0153", 2024, "demo", str(root / "data"))
    # The notebooks read the findings document; judging Enschede's claims adds one file beside
    # the shared demo's processed tables (its own name, so the Hengelo edition is untouched).
    findings_stage(layout, "GM0153", 2024, params.rate_unit, config_for("GM0153"))
    return {p.stem: p for p in run_notebooks(layout, params)}


@functools.cache
def gm0153_notebooks() -> dict[str, dict]:
    """The notebooks of :func:`gm0153_executed` as JSON, by stem."""
    return {stem: json.loads(p.read_text()) for stem, p in gm0153_executed().items()}


def notebook_text(nb: dict) -> str:
    """All markdown/plain/html text the executed notebook shows."""
    parts = []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            for mime in ("text/markdown", "text/html", "text/plain"):
                if mime in data:
                    text = data[mime]
                    parts.append("".join(text) if isinstance(text, list) else text)
    return "\n".join(parts)


@functools.cache
def raw_crime() -> dict[tuple[str, str, int], int | None]:
    """``(area, code, year) → registered`` read straight from the raw demo 47018NED pages."""
    values = {}
    for page in sorted((DEMO_RAW / "47018NED").glob("TypedDataSet-*.json")):
        for r in json.loads(page.read_text())["value"]:
            key = (r["WijkenEnBuurten"].strip(), r["SoortMisdrijf"].strip(), int(r["Perioden"][:4]))
            values[key] = r["GeregistreerdeMisdrijven_1"]
    return values


class Tables(HTMLParser):
    """The ``hv-table`` tables of a page: caption and rows of cell texts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[dict] = []
        self._cell: list[str] | None = None
        self._in_caption = False
        self._row: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr" and self.tables:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1]["rows"].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._in_caption and self.tables:
            self.tables[-1]["caption"] += data
        if self._cell is not None:
            self._cell.append(data)


def page_tables(html: str) -> list[dict]:
    parser = Tables()
    parser.feed(html)
    return parser.tables


def table_by_caption(html: str, start: str) -> dict:
    """The first table whose caption starts with ``start`` (header row first in ``rows``)."""
    for table in page_tables(html):
        if table["caption"].strip().startswith(start):
            return table
    raise AssertionError(f"no table with a caption starting {start!r}")


def visible_text(html: str) -> str:
    """The page's text with tags removed and whitespace collapsed."""
    text = re.sub(r"<[^>]+>", " ", html)
    import html as html_lib

    return re.sub(r"\s+", " ", html_lib.unescape(text))


def opening_verdicts(html: str) -> dict[str, tuple[str, str]]:
    """Claim id → (verdict, quoted statement) of the claims in a page's opening, in page order."""
    import html as html_lib

    from hengelo_analysis.pages.summary import VERDICT_STYLES

    by_css = {style.css: verdict for verdict, style in VERDICT_STYLES.items()}
    start = html.index('class="hv-opening"')
    block = html[start : html.index("</section>", start)]
    items = re.findall(
        r'<li class="hv-claim ([\w-]+)" id="uitspraak-(\w+)">.*?'
        r'<blockquote class="hv-statement"><p>(.*?)</p>',
        block,
        re.S,
    )
    return {cid: (by_css[css], html_lib.unescape(quoted)) for css, cid, quoted in items}
