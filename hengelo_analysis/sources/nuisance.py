"""Clean the police overlast tables 47021NED (per gemeente) and 47024NED (per wijk/buurt) into ``nuisance``.

47021NED has ``RegioS`` (``NL01``, landsdelen, provincies, politie-eenheden, gemeenten; keys
width 6) and year and month periods; 47024NED has ``WijkenEnBuurten`` (``NL00``, gemeente, wijk,
buurt; width 10) and months. Both have the same ``Overlast`` dimension (``0.0.0`` totaal, ``E33``
verward persoon, ``E35`` jeugd, ``E38`` alcohol/drugs, ``E41`` zwervers, ``F010`` openbare
dronkenschap, ``M061``/``M062``/``M22`` geluidshinder). Columns are resolved from
``DataProperties`` and the traps are handled in :mod:`~hengelo_analysis.sources.police_counts`
(padding, null ≠ 0, NL01 → NL00, "onbekend" and LD/PV/RE rows left out).

One ``nuisance`` table is made of both: an area's land and gemeente rows come whole from 47021NED
when it has that area, else from 47024NED; wijk and buurt rows come from 47024NED. An area's series
is never stitched from two tables, whose counts may differ a little. A month row and a year row of
the same year are both kept (``month`` null = year figure): never add the two.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from hengelo_analysis.domain import NUISANCE_GEMEENTE_TABLE, NUISANCE_WIJK_TABLE
from hengelo_analysis.sources.police_counts import read_count_table

MEASURE_PREFIX = "GeregistreerdeOverlast"
TABLE_IDS = (NUISANCE_GEMEENTE_TABLE, NUISANCE_WIJK_TABLE)
COLUMNS = [
    "area_code",
    "area_level",
    "year",
    "month",
    "nuisance_code",
    "nuisance_label",
    "registered",
    "provisional",
]
UPPER_LEVELS = ("land", "gemeente")
MISSING_MEANS = {
    NUISANCE_GEMEENTE_TABLE: "gemeente and national rows from 47024NED only (months, no year rows)",
    NUISANCE_WIJK_TABLE: "no wijk or buurt rows",
}


def clean_nuisance_table(table_dir: Path) -> pd.DataFrame:
    """One 47021NED or 47024NED folder → rows with the ``nuisance`` columns."""
    frame = read_count_table(table_dir, MEASURE_PREFIX)
    frame = frame.rename(columns={"code": "nuisance_code", "label": "nuisance_label"})
    return frame[COLUMNS]


def combine(gemeente_rows: pd.DataFrame | None, wijk_rows: pd.DataFrame | None) -> pd.DataFrame:
    """The one ``nuisance`` table from the cleaned 47021NED and 47024NED rows (either may be None).

    Land/gemeente areas present in 47021NED are taken from there only; 47024NED adds its
    wijken, buurten and the land/gemeente areas 47021NED lacks.
    """
    parts = []
    upper_from_gemeente_table: set[str] = set()
    if gemeente_rows is not None:
        upper = gemeente_rows[gemeente_rows["area_level"].isin(UPPER_LEVELS)]
        upper_from_gemeente_table = set(upper["area_code"])
        parts.append(upper)
    if wijk_rows is not None:
        parts.append(wijk_rows[~wijk_rows["area_code"].isin(upper_from_gemeente_table)])
    if not parts:
        return _empty()
    frame = pd.concat(parts, ignore_index=True)
    frame = frame.astype({"month": "Int64", "registered": "Int64", "provisional": bool})
    return frame.sort_values(
        ["area_code", "nuisance_code", "year", "month"], ignore_index=True, na_position="first"
    )[COLUMNS]


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area_code": pd.Series(dtype="object"),
            "area_level": pd.Series(dtype="object"),
            "year": pd.Series(dtype="int64"),
            "month": pd.Series(dtype="Int64"),
            "nuisance_code": pd.Series(dtype="object"),
            "nuisance_label": pd.Series(dtype="object"),
            "registered": pd.Series(dtype="Int64"),
            "provisional": pd.Series(dtype=bool),
        }
    )


def clean_nuisance(raw_dir: Path, found: dict[str, Path]):
    """Group cleaner for ``clean``: ``({"nuisance": df}, {table id: folder used}, warnings)``.

    A missing overlast table is a warning; with neither table there is no ``nuisance`` table.
    """
    used = {t: found[t] for t in TABLE_IDS if t in found}
    warnings = [
        f"table {t} not found under {raw_dir}; nuisance: {MISSING_MEANS[t]}"
        for t in TABLE_IDS
        if t not in found
    ]
    if not used:
        return {}, {}, [f"no police overlast table under {raw_dir}; nuisance will be missing"]
    cleaned = {t: clean_nuisance_table(folder) for t, folder in used.items()}
    frame = combine(cleaned.get(NUISANCE_GEMEENTE_TABLE), cleaned.get(NUISANCE_WIJK_TABLE))
    return {"nuisance": frame}, used, warnings
