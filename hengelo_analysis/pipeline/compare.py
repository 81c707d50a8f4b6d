"""The comparison page ``wat_is_er_veranderd.html`` and the earlier editions it reads.

The key figures are compared with the year before *from the data*: the findings stage computes
``findings.json["changes"]`` (:mod:`hengelo_analysis.analysis.profile_changes`, peiljaar against
peiljaar - 1 from the same processed tables). Which edition was built last in the reports folder
plays no part in that, so a 2020 edition compares with 2019, never with a 2024 edition.

Verdicts can only be compared with another edition's ``findings.json``: with the edition of exactly
peiljaar - 1 when it was built, else the page says it is not there (no nearest other peiljaar: a
later one would invert every direction). The previous build of this same peiljaar is kept as a
second comparison, because a rebuild of one peiljaar changes when the police or CBS revise their
figures (a provisional year becoming final): a reader who saw the earlier version can see what moved.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

import nbformat

from hengelo_analysis.analysis.claims import VERDICT_LABELS, claim_order
from hengelo_analysis.paths import Layout

log = logging.getLogger(__name__)

CHANGES_PAGE = "wat_is_er_veranderd.html"
FINDINGS_FILE = "findings.json"
KEY_FIGURES_FILE = "key_figures.json"
KEY_FIGURE_METADATA = "hengelo_key_figure"


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


def read_json_or_none(path: Path) -> dict | None:
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
    key = read_json_or_none(directory / KEY_FIGURES_FILE)
    findings = read_json_or_none(directory / FINDINGS_FILE)
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


def previous_peiljaar_edition(
    layout: Layout, gemeente: str, peiljaar: int
) -> EarlierEdition | None:
    """The edition of exactly ``peiljaar - 1`` in the reports folder, or None when not built."""
    previous = peiljaar - 1
    return read_edition(layout.edition_dir(gemeente, previous), f"peiljaar {previous}", previous)


def previous_build(layout: Layout, gemeente: str, peiljaar: int) -> EarlierEdition | None:
    """The previous build of this very peiljaar (before it is replaced), or None."""
    return read_edition(
        layout.edition_dir(gemeente, peiljaar),
        f"de vorige versie van dit rapport (peiljaar {peiljaar})",
        peiljaar,
    )


@dataclass
class Comparisons:
    """What the changes page shows: the data's change, and the editions verdicts compare with."""

    changes: dict | None  # findings.json "changes"; None for findings made without it
    previous_year: EarlierEdition | None
    previous_build: EarlierEdition | None

    @property
    def any(self) -> bool:
        return bool(self.changes and self.changes.get("rows")) or bool(
            self.previous_year or self.previous_build
        )


def comparisons_for(layout: Layout, gemeente: str, peiljaar: int, findings: dict) -> Comparisons:
    return Comparisons(
        findings.get("changes"),
        previous_peiljaar_edition(layout, gemeente, peiljaar),
        previous_build(layout, gemeente, peiljaar),
    )


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
    """Rows: claim id and statement, verdict before and now (Dutch), changed or not."""
    if not before or not now:
        return []
    b, n = before.get("claims", {}), now.get("claims", {})
    rows = []
    for claim_id in sorted(set(b) | set(n), key=claim_order):
        vb = (b.get(claim_id) or {}).get("verdict")
        vn = (n.get(claim_id) or {}).get("verdict")
        statement = (n.get(claim_id) or b.get(claim_id) or {}).get("statement") or ""
        rows.append(
            {
                "id": claim_id,
                "statement": statement,  # the policy sentence: an id alone tells a reader nothing
                "before": VERDICT_LABELS.get(vb, vb) if vb else None,
                "now": VERDICT_LABELS.get(vn, vn) if vn else None,
                "changed": vb != vn,
            }
        )
    return rows
