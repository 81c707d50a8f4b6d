"""Which wijk/buurt indeling a table uses, and whether a boundary file covers its buurten.

The MapYear trap (real-samples README §1): 47018NED's ``DataProperties`` says ``MapYear 2019`` for
its region dimension while the regions are the 2024 indeling — the dimension's Description says
"Wijken en buurten (indeling 2024)" and TableInfos "volgens de buurtindeling van 2024". So the year
is read from that text; ``MapYear`` is used only when no text names a year (the KWB tables, whose
``MapYear`` is their own year). Boundaries of another year miss renamed or split buurten, which
:func:`boundary_coverage` names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from hengelo_analysis.domain import POLICE_TABLE, REGION_TYPES, UNPLACED_AREA_CODES
from hengelo_analysis.sources.odata import read_entity_set

# "indeling 2024", "buurtindeling van 2024", "indeling op 1 januari 2024" — not "herindeling per
# 01-01-1996" (a gemeente's history in RegioS) nor "indeling in wijken en buurten".
INDELING_YEAR_RE = re.compile(
    r"indeling\s+(?:van\s+|(?:op|per)\s+1\s+januari\s+)?((?:19|20)\d{2})\b", re.IGNORECASE
)
TABLE_INFO_FIELDS = ("ExplanatoryText", "ShortDescription", "Description", "Summary", "Title")
# Property names of a buurt code in the three PDOK schemas (OGC API and WFS share ``buurtcode``;
# gebiedsindelingen uses ``statcode``; older CBS downloads ``BU_CODE``).
BOUNDARY_CODE_KEYS = ("buurtcode", "statcode", "BU_CODE")


def indeling_year(data_properties: list[dict], table_infos: list[dict]) -> int:
    """The indeling year of a table's regions: from the text first, ``MapYear`` only as fallback.

    Looks in the region dimension's Description and Title, then in TableInfos (explanatory text,
    descriptions, title). Raises ValueError when neither the text nor MapYear gives a year.
    """
    regions = [p for p in data_properties if p.get("Type") in REGION_TYPES]
    texts = [str(p.get(f) or "") for p in regions for f in ("Description", "Title")]
    texts += [str(info.get(f) or "") for info in table_infos[:1] for f in TABLE_INFO_FIELDS]
    for text in texts:
        if m := INDELING_YEAR_RE.search(text):
            return int(m.group(1))
    for p in regions:
        if str(p.get("MapYear") or "").strip().isdigit():
            return int(p["MapYear"])
    raise ValueError("no indeling year in the region dimension, TableInfos or MapYear")


def table_indeling_year(table_dir: Path) -> int | None:
    """:func:`indeling_year` of a saved table folder; None when the folder or the year is missing."""
    if not table_dir.is_dir():
        return None
    props = read_entity_set(table_dir, "DataProperties", required=False)
    infos = read_entity_set(table_dir, "TableInfos", required=False)
    try:
        return indeling_year(props, infos)
    except ValueError:
        return None


def police_indeling_year(raw_dir: Path) -> int | None:
    """The indeling year of the police table 47018NED under ``raw_dir``: which boundaries to use."""
    return table_indeling_year(raw_dir / POLICE_TABLE)


@dataclass(frozen=True)
class Coverage:
    """How many of a table's buurt codes a boundary file can draw."""

    expected: int
    found: int
    missing: tuple[str, ...]  # buurt codes of the table without a (non-null) boundary
    extra: tuple[str, ...]  # boundary codes the table does not have (other indeling?)

    @property
    def share(self) -> float:
        return self.found / self.expected if self.expected else 1.0

    def ok(self, minimum_share: float = 0.99) -> bool:
        return self.share >= minimum_share

    def message(self) -> str:
        text = f"{self.found} of {self.expected} buurten have a boundary ({self.share:.1%})"
        if self.missing:
            text += "; missing: " + ", ".join(self.missing)
        return text


def boundary_codes(features: Iterable[dict]) -> set[str]:
    """Buurt codes of GeoJSON features that have a geometry (a null geometry cannot be drawn)."""
    codes = set()
    for feature in features:
        if feature.get("geometry") is None:
            continue
        props = feature.get("properties") or {}
        key = next((k for k in BOUNDARY_CODE_KEYS if k in props), None)
        if key is not None and str(props[key]).strip().startswith("BU"):
            codes.add(str(props[key]).strip())
    return codes


def boundary_coverage(buurt_codes: Iterable[str], boundaries: Iterable[str]) -> Coverage:
    """Compare a table's buurt codes (padded or not) with the codes a boundary file draws.

    ``BU00000000`` "Buurt onbekend" has no boundary by nature and is not expected.
    """
    wanted = {
        c.strip()
        for c in buurt_codes
        if c.strip().startswith("BU") and c.strip() not in UNPLACED_AREA_CODES
    }
    drawn = {c.strip() for c in boundaries}
    missing = tuple(sorted(wanted - drawn))
    return Coverage(
        expected=len(wanted),
        found=len(wanted) - len(missing),
        missing=missing,
        extra=tuple(sorted(drawn - wanted)),
    )
