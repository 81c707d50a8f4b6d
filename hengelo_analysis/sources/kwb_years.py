"""Which year a KWB table describes: known to the code, or found in the CBS catalogue by fetch.

One KWB table per year (``domain.KWB_TABLES``, a fallback list that ends in 2025); a newer year's
table is found by fetch in the CBS catalogue by its title and recorded in
``raw/<source>/catalogue/kwb_tables.json`` (``domain.KWB_LISTING_FILE``), which this reads
without touching the network.
"""

from __future__ import annotations

import json
from pathlib import Path

from hengelo_analysis.domain import KWB_LISTING_FILE, KWB_TABLES

YEAR_BY_TABLE = {table: year for year, table in KWB_TABLES.items()}


def listed_year(raw_dir: Path, table_id: str) -> int | None:
    """The year fetch's catalogue listing (``domain.KWB_LISTING_FILE``) gives ``table_id``."""
    path = raw_dir / KWB_LISTING_FILE
    if not path.is_file():
        return None
    try:
        chosen = json.loads(path.read_text(encoding="utf-8")).get("chosen", {})
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
        return None
    years = [int(y) for y, t in chosen.items() if t == table_id and str(y).isdigit()]
    return years[0] if len(years) == 1 else None


def table_year(raw_dir: Path, table_id: str) -> int | None:
    """A KWB table's year: known to the code (``domain.KWB_TABLES``) or found in the catalogue."""
    return YEAR_BY_TABLE.get(table_id) or listed_year(raw_dir, table_id)
