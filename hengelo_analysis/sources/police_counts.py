"""Read a police count table: one category dimension × a region × periods → a registered count.

47021NED/47024NED (overlast) and 47022NED (misdrijven per maand) share this shape; only the names
differ, so every column is resolved from ``DataProperties`` by its ``Type`` (``GeoDimension`` or
``GeoDetail`` for the region, ``TimeDimension``, the one ``Dimension``) and the count by its Key
prefix (``GeregistreerdeOverlast_1`` today, another suffix tomorrow). Traps handled
(data-sources.md §0, §1; real-samples README §1, §4):

* keys are right-padded (``"E33   "``, ``"NL01  "``, ``"GM0164    "``) and compared stripped;
  every data key must be in its dimension (region, ``Perioden``, category), and a dimension row
  without ``Key``, a key twice or one key with two paddings is refused (``sources.checks``, as
  for 47018NED): a stray ``2099MM01`` would otherwise become the lopend jaar;
* counts are whole numbers: text, fractions, ``NaN``/``Infinity`` (``1e400``) and counts too
  large for an integer (``1e20``) are refused with their file, column, row and value;
* ``null`` is "not published" and stays missing, never 0;
* periods ``2023JJ00`` are a year figure (``month`` null) and ``2023MM01`` a month; quarter keys
  (``KW``) are another grain and skipped; anything else is refused with its row;
* ``Perioden`` ``Status`` "Voorlopig" (also "Nader voorlopig") marks the period provisional;
* the national row is ``NL01`` in RegioS and ``NL00`` in the wijk/buurt tables: both become
  ``NL00`` (``domain.NL_CODE``) so one code joins with ``crime`` and ``population``;
* rows of no real area (``BU00000000``/``WK000000``/``GM0000`` "onbekend", ``GM0998`` buitenland,
  ``GM0999`` and ``LD99``/``PV99``/``RE99`` "niet in te delen") and the RegioS groupings above the
  gemeente (``LD``, ``PV``, ``RE``) are dropped: the first are part of NL but of no gemeente, the
  second are outside the area vocabulary (Twente is compared as the sum of its gemeenten).
"""

from __future__ import annotations

import logging
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from hengelo_analysis.domain import (
    AREA_CODE_RE,
    LEVEL_BY_PREFIX,
    MONTH_PERIOD_RE,
    NL_CODE,
    REGION_GROUP_PREFIXES,
    REGION_TYPES,
    UNPLACED_AREA_CODES,
    YEAR_PERIOD_RE,
)
from hengelo_analysis.errors import DataError
from hengelo_analysis.sources.checks import key_problem, numbers, padding_problem, read_dimension
from hengelo_analysis.sources.odata import entity_set_files, read_document, read_entity_set
from hengelo_analysis.sources.police import resolve_topic_key, strip_code_prefix

log = logging.getLogger(__name__)

COLUMNS = [
    "area_code",
    "area_level",
    "year",
    "month",
    "code",
    "label",
    "registered",
    "provisional",
]


@dataclass(frozen=True)
class CountColumns:
    """The column keys of one police count table, as ``DataProperties`` names them."""

    region: str
    period: str
    dimension: str
    measure: str


def _one(properties: list[dict], types: tuple[str, ...], path: Path, what: str) -> str:
    keys = [p.get("Key", "") for p in properties if p.get("Type") in types]
    if len(keys) != 1:
        raise DataError(path, f"expected one {what} ({'/'.join(types)}) in DataProperties: {keys}")
    return keys[0]


def resolve_columns(properties: list[dict], measure_prefix: str, path: Path) -> CountColumns:
    """Region, period, category and count columns, from ``DataProperties`` (no fixed keys)."""
    return CountColumns(
        region=_one(properties, REGION_TYPES, path, "region dimension"),
        period=_one(properties, ("TimeDimension",), path, "time dimension"),
        dimension=_one(properties, ("Dimension",), path, "category dimension"),
        measure=resolve_topic_key(properties, measure_prefix, path),
    )


def category_labels(titles: Mapping[str, str]) -> dict[str, str]:
    """Trimmed key → title of a category dimension as :func:`checks.read_dimension` gives it,
    with the code prefix stripped (``"1.2.3 Diefstal"`` → ``"Diefstal"``)."""
    return {key: strip_code_prefix(title) for key, title in titles.items()}


def period_parts(key: str) -> tuple[int, int | None] | None:
    """``"2023JJ00"`` → (2023, None); ``"2023MM01"`` → (2023, 1); a quarter → None (skipped).

    Raises ValueError on any other key, so an unknown grain is never silently read as a year.
    """
    key = key.strip()
    if m := YEAR_PERIOD_RE.match(key):
        return int(m.group(1)), None
    if m := MONTH_PERIOD_RE.match(key):
        return int(m.group(1)), int(m.group(2))
    if len(key) == 8 and key[:4].isdigit() and key[4:6] == "KW":
        return None
    raise ValueError(f"unknown period key {key!r}")


def provisional_periods(perioden: list[dict]) -> set[str]:
    """Trimmed period keys whose ``Status`` says provisional ("Voorlopig", "Nader voorlopig")."""
    return {
        str(p.get("Key", "")).strip()
        for p in perioden
        if "voorlopig" in str(p.get("Status") or "").lower()
    }


def area_of(key: str) -> tuple[str, str] | None:
    """(area_code, area_level) for a raw region key, or None for a row that belongs to no area.

    ``None`` for the unplaced rows and the RegioS groupings (see the module docstring); a key that
    is neither raises ValueError.
    """
    code = key.strip()
    if code in UNPLACED_AREA_CODES or code.startswith(REGION_GROUP_PREFIXES):
        return None
    if code in (NL_CODE, "NL01"):  # Nederland, under either code a table uses for it
        return NL_CODE, "land"
    if not AREA_CODE_RE.match(code):
        raise ValueError(f"unknown area code {code!r}")
    return code, LEVEL_BY_PREFIX[code[:2]]


def _whole_counts(path: Path, values: list, column: str) -> np.ndarray:
    """Counts as float64 with NaN for null; refuses what ``checks.numbers(whole=True)`` refuses
    (text, fractions, booleans, NaN/Infinity, overflow) and negatives."""
    counts = numbers(path, values, column, whole=True)
    negative = np.flatnonzero(counts < 0)
    if negative.size:
        v = int(counts[negative[0]])
        raise DataError(path, f"negative count {v}", column=column, row=int(negative[0]) + 1)
    return counts


def _column(path: Path, rows: list[dict], column: str) -> list:
    try:
        return list(map(operator.itemgetter(column), rows))
    except (KeyError, TypeError):
        number = next(
            i for i, r in enumerate(rows, 1) if not isinstance(r, dict) or column not in r
        )
        raise DataError(path, "column missing", column=column, row=number) from None


@dataclass(frozen=True)
class _Dimension:
    """A data column's dimension: its trimmed keys, and the raw form first seen per trimmed key
    (shared by all pages, so two paddings on two pages are found too)."""

    column: str
    what: str
    keys: Mapping[str, str]
    seen: dict[str, str]


def _checked_keys(path: Path, values: list, dim: _Dimension) -> tuple[np.ndarray, list[str]]:
    """Integer codes per row and the distinct trimmed keys of one page's column.

    Each distinct raw key is checked once (``checks.key_problem``, ``checks.padding_problem``):
    missing, not text, not in its dimension, or a second padding is refused with its first row.
    """
    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    if (codes < 0).any():
        first = int(np.flatnonzero(codes < 0)[0]) + 1
        problem = key_problem(None, None, dim.column, what=dim.what)
        raise DataError(path, problem, column=dim.column, row=first)
    trimmed = []
    for i, key in enumerate(uniques):
        problem = key_problem(key, dim.keys, dim.column, what=dim.what)
        if problem is None:
            problem = padding_problem(dim.seen, key)
        if problem is not None:
            first = int(np.flatnonzero(codes == i)[0]) + 1
            raise DataError(path, problem, column=dim.column, row=first)
        trimmed.append(key.strip())
    return codes, trimmed


def read_count_table(table_dir: Path, measure_prefix: str) -> pd.DataFrame:
    """A police count table folder → tidy rows with the columns of :data:`COLUMNS`.

    ``code``/``label`` are the trimmed category key and its title (a code prefix such as
    ``"1.2.3 "`` stripped). Duplicate (area, period, code) rows are refused with their file and row.
    """
    props = read_entity_set(table_dir, "DataProperties")
    cols = resolve_columns(props, measure_prefix, table_dir / "DataProperties.json")
    labels = category_labels(read_dimension(table_dir, cols.dimension))
    dims = {
        "region": _Dimension(cols.region, "area code", read_dimension(table_dir, cols.region), {}),
        "period": _Dimension(cols.period, "period", read_dimension(table_dir, cols.period), {}),
        "code": _Dimension(cols.dimension, "code", labels, {}),
    }
    # read_dimension has refused a bad row; the Status column is only read here
    provisional = provisional_periods(read_entity_set(table_dir, cols.period))
    pages = entity_set_files(table_dir, "TypedDataSet")
    if not pages:
        raise DataError(
            table_dir / "TypedDataSet.json", "no TypedDataSet pages in the table folder"
        )
    frames = [
        _page_frame(path, read_document(path)["value"], cols, dims, provisional) for path in pages
    ]
    frame = pd.concat(frames, ignore_index=True)
    dropped = int(frame["area_code"].isna().sum())
    if dropped:
        log.info("%s: %d rows of no area (onbekend, LD/PV/RE) left out", table_dir.name, dropped)
    frame = frame[frame["area_code"].notna()]
    key = ["area_code", "year", "month", "code"]
    dup = frame.duplicated(key, keep="first")
    if dup.any():
        r = frame[dup].iloc[0]
        raise DataError(
            r["_file"],
            f"duplicate row for {r['area_code']} {r['year']}/{r['month']} {r['code']}",
            row=int(r["_row"]),
        )
    frame = frame.sort_values(key, ignore_index=True, na_position="first")
    return frame[COLUMNS]


def _page_frame(
    path: Path, rows: list[dict], cols: CountColumns, dims: dict, provisional: set[str]
) -> pd.DataFrame:
    """One page → rows; every key is checked and parsed once per distinct value (pages hold
    ~10,000 rows)."""
    region, region_keys = _checked_keys(path, _column(path, rows, cols.region), dims["region"])
    period, period_keys = _checked_keys(path, _column(path, rows, cols.period), dims["period"])
    code, trimmed = _checked_keys(path, _column(path, rows, cols.dimension), dims["code"])
    counts = _whole_counts(path, _column(path, rows, cols.measure), cols.measure)

    def per_key(keys: list[str], codes: np.ndarray, parse: Callable, column: str) -> list:
        out = []
        for i, key in enumerate(keys):
            try:
                out.append(parse(key))
            except ValueError as exc:
                number = int(np.flatnonzero(codes == i)[0]) + 1
                raise DataError(path, str(exc), column=column, row=number) from None
        return out

    areas = per_key(region_keys, region, area_of, cols.region)
    parts = per_key(period_keys, period, period_parts, cols.period)
    labels = dims["code"].keys

    area_code = np.array([a[0] if a else None for a in areas], dtype=object)[region]
    area_level = np.array([a[1] if a else None for a in areas], dtype=object)[region]
    year = np.array([p[0] if p else -1 for p in parts], dtype=np.int64)[period]
    month = np.array([p[1] if p and p[1] else np.nan for p in parts], dtype=np.float64)[period]
    is_provisional = np.array([k in provisional for k in period_keys], dtype=bool)[period]
    keep = year >= 0  # quarter rows are another grain
    frame = pd.DataFrame(
        {
            "area_code": area_code,
            "area_level": area_level,
            "year": year,
            "month": pd.array(month, dtype="Float64").astype("Int64"),
            "code": np.array(trimmed, dtype=object)[code],
            "label": np.array([labels[k] for k in trimmed], dtype=object)[code],
            "registered": pd.array(counts, dtype="Float64").astype("Int64"),
            "provisional": is_provisional,
            "_file": str(path),
            "_row": np.arange(1, len(rows) + 1),
        }
    )
    return frame[keep].reset_index(drop=True)
