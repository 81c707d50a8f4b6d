"""Clean the CBS Kerncijfers wijken en buurten (KWB) tables into ``population`` and ``population_structure``.

One KWB table per year (``domain.KWB_TABLES``); 70904NED covers several years through ``Perioden``.
``population`` also carries ``business_establishments`` (``BedrijfsvestigingenTotaal_N``, the
vestigingen on 1 January; missing where a table does not publish it). Traps handled (data-sources.md §0, §2): the column suffixes change every year, so every column is
resolved from ``DataProperties`` by Key prefix (``AantalInwoners_5`` in one year, ``_4`` in another);
the region dimension may be ``WijkenEnBuurten`` or ``RegioS``; keys and ``SoortRegio_2`` are padded;
``-99995``/``-99997``/``-99999`` are "no value" sentinels, not numbers; 47018NED maps every year onto
the latest indeling, so a current buurt code can be absent from an older KWB year: its inhabitants
are missing for that year with ``population_flag = "code_not_in_kwb_year"``, never a crash. Area
keys must be in the table's region dimension, periods in its ``Perioden`` (when it has one), and
counts are refused when NaN or too large for an integer (``sources.checks``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from hengelo_analysis.domain import (
    AREA_CODE_RE,
    LEVEL_BY_PREFIX,
    POLICE_TABLE,
    REGION_TYPES,
    YEAR_PERIOD_RE,
)
from hengelo_analysis.errors import DataError
from hengelo_analysis.sources.checks import dimension_keys, numbers, read_dimension
from hengelo_analysis.sources.kwb_years import table_year
from hengelo_analysis.sources.odata import entity_set_files, read_document, read_entity_set

SENTINELS = (-99995, -99997, -99999)
INHABITANTS = "AantalInwoners"
STEDELIJKHEID = "MateVanStedelijkheid"
# Bedrijfsvestigingen totaal (on 1 January; CBS marks the newest year provisional): C13.
BUSINESSES = "BedrijfsvestigingenTotaal"
# population_structure group -> KWB Key prefix
GROUPS = {
    "age_0_15": "k_0Tot15Jaar",
    "age_15_25": "k_15Tot25Jaar",
    "age_25_45": "k_25Tot45Jaar",
    "age_45_65": "k_45Tot65Jaar",
    "age_65_plus": "k_65JaarOfOuder",
    "sex_man": "Mannen",
    "sex_vrouw": "Vrouwen",
}
FLAG_NOT_PUBLISHED = "not_published"
FLAG_NOT_IN_YEAR = "code_not_in_kwb_year"
POPULATION_COLUMNS = [
    "area_code",
    "area_level",
    "year",
    "inhabitants",
    "stedelijkheid",
    "kwb_table",
    "population_flag",
    "business_establishments",
]


def topic_key(properties: list[dict], prefix: str, path: Path, *, required: bool = True):
    """The topic column whose Key is ``prefix`` or ``prefix_N`` (N changes per year)."""
    keys = [p.get("Key", "") for p in properties if p.get("Type") == "Topic"]
    matches = [k for k in keys if k == prefix or k.startswith(prefix + "_")]
    if len(matches) > 1:
        raise DataError(path, f"several topics match {prefix}_N in DataProperties: {matches}")
    if not matches:
        if required:
            raise DataError(path, f"no topic {prefix}_N in DataProperties")
        return None
    return matches[0]


def region_key(properties: list[dict], path: Path) -> str:
    for p in properties:
        if p.get("Type") in REGION_TYPES:
            return p["Key"]
    raise DataError(path, "no region dimension (GeoDimension/GeoDetail) in DataProperties")


def _counts(path: Path, rows: list[dict], column: str, index: pd.Index) -> pd.Series:
    """Whole, non-negative counts of the raw rows (Int64); sentinels and null become missing."""
    return _as_counts(_count_values(path, rows, column), index)


def _as_counts(values: np.ndarray, index: pd.Index | None = None) -> pd.Series:
    return pd.Series(pd.array(values, dtype="Float64"), index=index).astype("Int64")


def _count_values(path: Path, rows: list[dict], column: str) -> np.ndarray:
    """The counts of :func:`_counts` as floats, missing as NaN.

    Read from the raw JSON values, not from a DataFrame column, where a NaN in the file and a
    null would be the same float.
    """
    values = numbers(path, [r.get(column) for r in rows], column, whole=True)
    values[np.isin(values, SENTINELS)] = np.nan
    negative = np.flatnonzero(values < 0)
    if negative.size:
        raise DataError(
            path,
            f"negative value {rows[negative[0]][column]}",
            column=column,
            row=int(negative[0]) + 1,
        )
    return values


@dataclass(frozen=True)
class _Topics:
    """The column keys of one KWB table (their ``_N`` suffix changes every year)."""

    region: str
    inhabitants: str
    stedelijkheid: str | None
    businesses: str | None
    groups: dict[str, str | None]  # population_structure group → column
    regions: dict[str, str]  # the region dimension: every key a row may use
    perioden: dict[str, str] | None  # only 70904NED has periods


def _table_topics(table_dir: Path) -> _Topics:
    props_path = table_dir / "DataProperties.json"
    props = read_entity_set(table_dir, "DataProperties")
    return _Topics(
        region=region_key(props, props_path),
        inhabitants=topic_key(props, INHABITANTS, props_path),
        stedelijkheid=topic_key(props, STEDELIJKHEID, props_path, required=False),
        businesses=topic_key(props, BUSINESSES, props_path, required=False),
        groups={
            g: topic_key(props, prefix, props_path, required=False) for g, prefix in GROUPS.items()
        },
        regions=read_dimension(table_dir, region_key(props, props_path)),
        # a hand-saved copy without its Perioden dimension is not refused
        perioden=read_dimension(table_dir, "Perioden", required=False) or None,
    )


def _first_bad_row(df: pd.DataFrame, bad: pd.Series) -> pd.Series:
    return df.loc[bad].iloc[0]


def _page_years(
    df: pd.DataFrame, path: Path, table_id: str, topics: _Topics, year: int | None
) -> pd.Series | int:
    """The year of each row: from ``Perioden`` when the table has it, else the table's year."""
    if "Perioden" in df.columns:
        period = pd.Series(
            dimension_keys(
                path, df["Perioden"].tolist(), topics.perioden, "Perioden", what="period"
            ),
            index=df.index,
            dtype="string",
        )
        years = period.str.extract(YEAR_PERIOD_RE, expand=False)
        bad = years.isna()
        if bad.any():
            r = _first_bad_row(df, bad)
            raise DataError(
                path, f"not a year period: {r['Perioden']!r}", column="Perioden", row=int(r["_row"])
            )
        return years.astype("int64")
    year = year if year is not None else table_year(path.parent.parent, table_id)
    if year is not None:
        return year
    raise DataError(path, f"unknown KWB table {table_id} and no Perioden column")


def _page_area_codes(df: pd.DataFrame, path: Path, topics: _Topics) -> pd.Series:
    region = topics.region
    codes = dimension_keys(
        path, df[region].tolist(), topics.regions, region, what="area code", pattern=AREA_CODE_RE
    )
    return pd.Series(codes, index=df.index, dtype="string")


def _stedelijkheid(df: pd.DataFrame, rows: list[dict], column: str | None, path: Path) -> pd.Series:
    """Mate van stedelijkheid 1-5 (missing when the table has no such topic)."""
    if not column or column not in df.columns:
        return pd.Series(pd.NA, index=df.index, dtype="Int64")
    sted = _counts(path, rows, column, df.index)
    out_of_range = sted.notna() & ~sted.between(1, 5)
    if out_of_range.any():
        r = _first_bad_row(df, out_of_range)
        raise DataError(
            path, f"stedelijkheid {r[column]!r} outside 1-5", column=column, row=int(r["_row"])
        )
    return sted


def _read_page(
    path: Path, topics: _Topics, year: int | None = None
) -> tuple[pd.DataFrame, list[dict]] | None:
    """One TypedDataSet page with ``_row`` (1-based), ``year`` and ``area_code``, and its raw rows
    (counts are read from those: a NaN and a null are the same float in a frame); None if empty."""
    rows = read_document(path)["value"]
    for number, r in enumerate(rows, start=1):
        if not isinstance(r, dict):
            raise DataError(path, "not a JSON object", row=number)
    df = pd.DataFrame(rows)
    if df.empty:
        return None
    df["_row"] = range(1, len(df) + 1)
    for column in (topics.region, topics.inhabitants):
        if column not in df.columns:
            raise DataError(path, "column missing", column=column)
    df["year"] = _page_years(df, path, path.parent.name, topics, year)
    df["area_code"] = _page_area_codes(df, path, topics)
    return df, rows


def _page_population(
    df: pd.DataFrame, rows: list[dict], path: Path, topics: _Topics
) -> pd.DataFrame:
    count = _counts(path, rows, topics.inhabitants, df.index)
    sted = _stedelijkheid(df, rows, topics.stedelijkheid, path)
    return pd.DataFrame(
        {
            "area_code": df["area_code"],
            "area_level": df["area_code"].str[:2].map(LEVEL_BY_PREFIX),
            "year": df["year"],
            "inhabitants": count,
            "stedelijkheid": sted,
            "kwb_table": path.parent.name,
            "population_flag": pd.Series(
                [None if pd.notna(v) else FLAG_NOT_PUBLISHED for v in count],
                index=df.index,
                dtype="string",
            ),
            "business_establishments": (
                _counts(path, rows, topics.businesses, df.index)
                if topics.businesses and topics.businesses in df.columns
                else pd.Series(pd.NA, index=df.index, dtype="Int64")
            ),
            "_file": str(path),
            "_row": df["_row"],
        }
    )


def _page_structure(
    df: pd.DataFrame, rows: list[dict], path: Path, topics: _Topics
) -> pd.DataFrame | None:
    """Inhabitants per age band and sex (only the groups this table publishes), group after group;
    None when the table publishes none.

    One frame per page: a frame per group (a dozen per page) cost more than reading the numbers.
    """
    groups = [(g, c) for g, c in topics.groups.items() if c is not None and c in df.columns]
    if not groups:
        return None
    counts = np.concatenate([_count_values(path, rows, column) for _, column in groups])
    repeated = np.tile(np.arange(len(df)), len(groups))
    return pd.DataFrame(
        {
            "area_code": df["area_code"].take(repeated).array,
            "year": df["year"].take(repeated).array,
            "group": pd.array(np.repeat([group for group, _ in groups], len(df)), dtype="str"),
            "inhabitants": _as_counts(counts).array,
        }
    )


def _refuse_duplicate_rows(population: pd.DataFrame) -> None:
    dup = population.duplicated(["area_code", "year"], keep=False)
    if dup.any():
        first = population.loc[dup].iloc[0]
        raise DataError(
            first["_file"],
            f"duplicate row for {first['area_code']} {first['year']}",
            row=int(first["_row"]),
        )


def clean_kwb_table(table_dir: Path, year: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One KWB table folder → (population rows, population_structure rows), without flags for absent codes.

    ``year``: the table's year when it has no ``Perioden`` and is newer than ``domain.KWB_TABLES``
    (the catalogue named it); otherwise it is looked up.
    """
    topics = _table_topics(table_dir)
    files = entity_set_files(table_dir, "TypedDataSet")
    if not files:
        raise DataError(
            table_dir / "TypedDataSet.json", "no TypedDataSet pages in the table folder"
        )
    pop_frames, struct_frames = [], []
    for path in files:
        page = _read_page(path, topics, year)
        if page is None:
            continue
        df, rows = page
        pop_frames.append(_page_population(df, rows, path, topics))
        page_structure = _page_structure(df, rows, path, topics)
        if page_structure is not None:
            struct_frames.append(page_structure)
    population = pd.concat(pop_frames, ignore_index=True) if pop_frames else _empty_population()
    _refuse_duplicate_rows(population)
    structure = (
        pd.concat(struct_frames, ignore_index=True)
        if struct_frames
        else pd.DataFrame(columns=["area_code", "year", "group", "inhabitants"])
    )
    return population.drop(columns=["_file", "_row"]), structure


def _empty_population() -> pd.DataFrame:
    return pd.DataFrame(columns=[*POPULATION_COLUMNS, "_file", "_row"])


def police_area_codes(raw_dir: Path) -> list[str]:
    """Area codes of 47018NED's region dimension (trimmed), or [] when the table is absent."""
    folder = raw_dir / POLICE_TABLE
    if not folder.is_dir():
        return []
    keys = read_dimension(folder, "WijkenEnBuurten", required=False)
    return [k for k in keys if AREA_CODE_RE.match(k)]


def flag_absent_codes(population: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    """Add a missing-inhabitants row, flagged, for each police area code absent from a KWB year.

    Only wijk/buurt codes of gemeenten whose wijken/buurten the KWB year holds are considered
    (the fetch downloads them for one gemeente), and gemeente/national codes everywhere.
    """
    extra = []
    for (year, table), rows in population.groupby(["year", "kwb_table"], sort=True):
        present = set(rows["area_code"])
        detailed = {c[2:6] for c in present if c[:2] in ("WK", "BU")}
        for code in codes:
            if code in present:
                continue
            if code[:2] in ("WK", "BU") and code[2:6] not in detailed:
                continue
            extra.append(
                {
                    "area_code": code,
                    "area_level": LEVEL_BY_PREFIX[code[:2]],
                    "year": year,
                    "inhabitants": pd.NA,
                    "stedelijkheid": pd.NA,
                    "kwb_table": table,
                    "population_flag": FLAG_NOT_IN_YEAR,
                }
            )
    if not extra:
        return population
    return pd.concat([population, pd.DataFrame(extra)], ignore_index=True)


def clean_population(raw_dir: Path, found: dict[str, Path]):
    """All KWB tables present → (tables, used table folders, warnings) for ``clean``.

    Returns ``({"population": df, "population_structure": df}, {id: folder}, warnings)``; no
    tables (and a warning) when no KWB table is present.
    """
    used = {t: p for t, p in found.items() if table_year(raw_dir, t) is not None}
    if not used:
        return {}, {}, [f"no KWB table found under {raw_dir}; population will be missing"]
    pops, structs, warnings = [], [], []
    for table_id, folder in sorted(used.items(), key=lambda kv: table_year(raw_dir, kv[0])):
        pop, struct = clean_kwb_table(folder, table_year(raw_dir, table_id))
        pops.append(pop)
        structs.append(struct)
    population = pd.concat(pops, ignore_index=True)
    dup = population.duplicated(["area_code", "year"], keep=False)
    if dup.any():
        first = population.loc[dup].iloc[0]
        raise DataError(
            raw_dir / first["kwb_table"],
            f"{first['area_code']} {first['year']} appears in more than one KWB table",
        )
    population = flag_absent_codes(population, police_area_codes(raw_dir))
    flagged = population["population_flag"].eq(FLAG_NOT_IN_YEAR)
    if flagged.any():
        warnings.append(
            f"{int(flagged.sum())} area/year pairs of {POLICE_TABLE} are not in their KWB year "
            f"(newer indeling): inhabitants missing, flagged {FLAG_NOT_IN_YEAR}"
        )
    population = population[POPULATION_COLUMNS].sort_values(
        ["area_code", "year"], ignore_index=True
    )
    population["inhabitants"] = population["inhabitants"].astype("Int64")
    population["stedelijkheid"] = population["stedelijkheid"].astype("Int64")
    population["population_flag"] = population["population_flag"].astype("string")
    population["business_establishments"] = population["business_establishments"].astype("Int64")
    structure = pd.concat(structs, ignore_index=True).sort_values(
        ["area_code", "year", "group"], ignore_index=True
    )
    structure["inhabitants"] = structure["inhabitants"].astype("Int64")
    return (
        {"population": population, "population_structure": structure},
        used,
        warnings,
    )
