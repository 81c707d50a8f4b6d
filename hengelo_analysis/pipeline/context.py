"""What the page chrome shows (banner, navigation, provenance, colofon) for one edition."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import nbformat

from hengelo_analysis.domain import MONTHS_NL
from hengelo_analysis.errors import AnalysisError
from hengelo_analysis.paths import TEMPLATE_DIR, Layout
from hengelo_analysis.pipeline import provenance
from hengelo_analysis.processed.reader import load_crime, load_provenance

# Generic until the per-gemeente configuration provides the real ones: set ``PageContext.colofon``
# (keys uitgever, bewerking, contact; "{gemeente_name}" is filled in).
COLOFON_DEFAULTS = {
    "uitgever": "Gemeente {gemeente_name}",
    "bewerking": "gemeente {gemeente_name}",
    "contact": "de gemeente {gemeente_name} (zie de website van de gemeente voor het adres)",
}


def colofon_from_config(colofon: dict) -> dict:
    """The colofon overrides from the gemeente's configuration (``[colofon]``: organisation, email,
    url), as the pages show them; keys the configuration leaves out keep their defaults."""
    out = {}
    organisation = str(colofon.get("organisation") or "").strip()
    if organisation:
        out["uitgever"] = out["bewerking"] = organisation
    contact = [str(colofon[k]).strip() for k in ("email", "url") if colofon.get(k)]
    if contact:
        out["contact"] = " · ".join(contact)
    # literal text: braces from a configuration are not format fields
    return {k: v.replace("{", "{{").replace("}", "}}") for k, v in out.items()}


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
    lock: dict = field(default_factory=lambda: dict(provenance.NO_LOCK))  # environment_lock()
    raw_inputs: dict = field(default_factory=dict)  # provenance.json "inputs": {path: sha256}
    claims: list[dict] = field(default_factory=list)
    samenvatting_html: str = ""  # pages.summary.samenvatting_html of the findings (escaped HTML)
    verdicts_html: str = ""  # pages.summary.verdict_list_html: the claims grouped by verdict
    key_figures: list[dict] = field(default_factory=list)
    has_findings: bool = False
    current: str = ""
    css: str = ""
    source_tables: dict = field(default_factory=dict)  # provenance.json "tables", by id
    publication_date: date = field(default_factory=lambda: build_date())
    colofon: dict = field(default_factory=dict)  # overrides of COLOFON_DEFAULTS
    pdf: dict = field(default_factory=dict)  # {"href", "size"} or {"reason"}: see pipeline.pdf
    workbook: str = ""  # file name of the edition's XLSX, "" when not written
    profile: list[dict] = field(default_factory=list)  # findings.json "profile" (at a glance)

    @property
    def date_text(self) -> str:
        """The publication date in Dutch words, as every page shows it ("1 december 2026")."""
        return dutch_date(self.publication_date)

    @property
    def provenance_href(self) -> str:
        return provenance.EDITION_FILE

    @property
    def lock_short(self) -> str:
        """The first 12 hex digits of the lock's sha256 (the provenance box); "" without one."""
        return (self.lock.get("sha256") or "")[:12]

    @property
    def colofon_text(self) -> dict:
        merged = {**COLOFON_DEFAULTS, **self.colofon}
        return {k: str(v).format(gemeente_name=self.gemeente_name) for k, v in merged.items()}

    @property
    def print_title(self) -> str:
        """What the top of every printed page says (CSS ``@page`` margin box)."""
        return f"Veiligheidsbeeld {self.gemeente_name} {self.peiljaar} · {self.date_text}"

    @property
    def print_title_css(self) -> str:
        return css_string(self.print_title)

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


def dutch_date(day: date) -> str:
    """``date(2026, 12, 1)`` → ``"1 december 2026"``."""
    return f"{day.day} {MONTHS_NL[day.month - 1]} {day.year}"


def build_date() -> date:
    """The build stamp: ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else today (UTC)."""
    return build_time().date()


def build_time() -> datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC)


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string that cannot end the string or the ``<style>`` element."""
    out = "".join(f"\\{ord(c):x} " if c in '"\\<>&\n' else c for c in str(text))
    return f'"{out}"'


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
    tables = provenance.source_rows(prov.get("tables", {}), None)
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
        lock=provenance.environment_lock(),
        raw_inputs=dict(prov.get("inputs", {})),
        css=(TEMPLATE_DIR / "hv.css").read_text(encoding="utf-8"),
        source_tables=dict(prov.get("tables", {})),
    )
