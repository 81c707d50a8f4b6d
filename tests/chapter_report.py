"""Shared by the chapter content tests: one demo report build per test session, raw-data readers.

Building the report takes about half a minute; the five tests/test_chapters_*.py modules share one
build (cached per process) instead of building it five times. The raw readers parse the committed
demo JSON directly, without the package, so a content test compares the page with an independent
computation.
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

MY_NOTEBOOKS = (
    "01_veiligheidsbeeld",
    "02_criminaliteit",
    "05_bedrijven",
    "08_digitale_veiligheid",
    "09_wijken_en_buurten",
)


def _tempdir(prefix: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


@functools.cache
def demo_edition() -> tuple[Path, Path]:
    """``(root, edition dir)`` of `hengelo-analysis report` on a copy of the demo (built once)."""
    root = _tempdir("chapters-report-")
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
        ],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, result.stderr
    return root, root / "reports" / "demo" / "GM0164" / "2024"


@functools.cache
def gm0153_notebooks() -> dict[str, dict]:
    """Our notebooks executed for Enschede (GM0153: gemeente rows only, no areas/E33/own survey).

    Returns the executed notebooks as JSON by stem. Uses the processed data of
    :func:`demo_edition` and the real runner (papermill, the kernel the report uses).
    """
    from hengelo_analysis.paths import NOTEBOOK_DIR, Layout
    from hengelo_analysis.run import RunParameters, run_notebooks

    root, _ = demo_edition()
    layout = Layout(root / "data", root / "reports-gm0153", "demo")
    params = RunParameters("GM0153", 2024, "demo", str(root / "data"))
    notebooks = [NOTEBOOK_DIR / f"{stem}.ipynb" for stem in MY_NOTEBOOKS]
    executed = run_notebooks(layout, params, notebooks)
    return {p.stem: json.loads(p.read_text()) for p in executed}


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
