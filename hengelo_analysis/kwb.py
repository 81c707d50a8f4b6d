"""Clean the CBS Kerncijfers wijken en buurten (KWB) tables into ``population`` and ``population_structure``.

One KWB table per year (``fetch.KWB_TABLES``); 70904NED covers several years through ``Perioden``.
Traps handled (data-sources.md §0, §2): the column suffixes change every year, so every column is
resolved from ``DataProperties`` by Key prefix (``AantalInwoners_5`` in one year, ``_4`` in another);
the region dimension may be ``WijkenEnBuurten`` or ``RegioS``; keys and ``SoortRegio_2`` are padded;
``-99995``/``-99997``/``-99999`` are "no value" sentinels, not numbers; 47018NED maps every year onto
the latest indeling, so a current buurt code can be absent from an older KWB year: its inhabitants
are missing for that year with ``population_flag = "code_not_in_kwb_year"``, never a crash.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from hengelo_analysis.areas import AREA_CODE_RE, LEVEL_BY_PREFIX
from hengelo_analysis.errors import DataError
from hengelo_analysis.fetch import KWB_TABLES, POLICE_TABLE, REGION_TYPES
from hengelo_analysis.odata import entity_set_files, read_document, read_entity_set

YEAR_BY_TABLE = {table: year for year, table in KWB_TABLES.items()}
SENTINELS = (-99995, -99997, -99999)
YEAR_PERIOD_RE = re.compile(r"^(\d{4})JJ00$")
INHABITANTS = "AantalInwoners"
STEDELIJKHEID = "MateVanStedelijkheid"
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


def _counts(df: pd.DataFrame, column: str, path: Path) -> pd.Series:
    """Whole, non-negative counts; sentinels and null become missing."""
    values = df[column]
    numeric = pd.to_numeric(values, errors="coerce")
    bad = values.notna() & (numeric.isna() | (numeric % 1 != 0))
    if bad.any():
        r = df.loc[bad].iloc[0]
        raise DataError(path, f"not a whole number: {r[column]}", column=column, row=int(r["_row"]))
    numeric = numeric.where(~numeric.isin(SENTINELS))
    negative = numeric < 0
    if negative.any():
        r = df.loc[negative].iloc[0]
        raise DataError(path, f"negative value {r[column]}", column=column, row=int(r["_row"]))
    return numeric.astype("Int64")


def clean_kwb_table(table_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One KWB table folder → (population rows, population_structure rows), without flags for absent codes."""
    table_id = table_dir.name
    props_path = table_dir / "DataProperties.json"
    props = read_entity_set(table_dir, "DataProperties")
    region = region_key(props, props_path)
    inhabitants = topic_key(props, INHABITANTS, props_path)
    stedelijkheid = topic_key(props, STEDELIJKHEID, props_path, required=False)
    groups = {
        g: topic_key(props, prefix, props_path, required=False) for g, prefix in GROUPS.items()
    }
    files = entity_set_files(table_dir, "TypedDataSet")
    if not files:
        raise DataError(
            table_dir / "TypedDataSet.json", "no TypedDataSet pages in the table folder"
        )

    pop_frames, struct_frames = [], []
    for path in files:
        df = pd.DataFrame(read_document(path)["value"])
        if df.empty:
            continue
        df["_row"] = range(1, len(df) + 1)
        for column in (region, inhabitants):
            if column not in df.columns:
                raise DataError(path, "column missing", column=column)
        if "Perioden" in df.columns:
            period = df["Perioden"].astype("string").str.strip()
            years = period.str.extract(YEAR_PERIOD_RE, expand=False)
            bad = years.isna()
            if bad.any():
                r = df.loc[bad].iloc[0]
                raise DataError(
                    path,
                    f"not a year period: {r['Perioden']!r}",
                    column="Perioden",
                    row=int(r["_row"]),
                )
            df["year"] = years.astype("int64")
        elif table_id in YEAR_BY_TABLE:
            df["year"] = YEAR_BY_TABLE[table_id]
        else:
            raise DataError(path, f"unknown KWB table {table_id} and no Perioden column")
        df["area_code"] = df[region].astype("string").str.strip()
        bad_area = ~df["area_code"].str.match(AREA_CODE_RE.pattern).fillna(False)
        if bad_area.any():
            r = df.loc[bad_area].iloc[0]
            raise DataError(
                path, f"unknown area code {r['area_code']!r}", column=region, row=int(r["_row"])
            )
        count = _counts(df, inhabitants, path)
        sted = (
            _counts(df, stedelijkheid, path)
            if stedelijkheid and stedelijkheid in df.columns
            else pd.Series(pd.NA, index=df.index, dtype="Int64")
        )
        out_of_range = sted.notna() & ~sted.between(1, 5)
        if out_of_range.any():
            r = df.loc[out_of_range].iloc[0]
            raise DataError(
                path,
                f"stedelijkheid {r[stedelijkheid]!r} outside 1-5",
                column=stedelijkheid,
                row=int(r["_row"]),
            )
        pop = pd.DataFrame(
            {
                "area_code": df["area_code"],
                "area_level": df["area_code"].str[:2].map(LEVEL_BY_PREFIX),
                "year": df["year"],
                "inhabitants": count,
                "stedelijkheid": sted,
                "kwb_table": table_id,
                "population_flag": pd.Series(
                    [None if pd.notna(v) else FLAG_NOT_PUBLISHED for v in count],
                    index=df.index,
                    dtype="string",
                ),
                "_file": str(path),
                "_row": df["_row"],
            }
        )
        pop_frames.append(pop)
        for group, column in groups.items():
            if column is None or column not in df.columns:
                continue
            struct_frames.append(
                pd.DataFrame(
                    {
                        "area_code": df["area_code"],
                        "year": df["year"],
                        "group": group,
                        "inhabitants": _counts(df, column, path),
                    }
                )
            )
    population = pd.concat(pop_frames, ignore_index=True) if pop_frames else _empty_population()
    dup = population.duplicated(["area_code", "year"], keep=False)
    if dup.any():
        first = population.loc[dup].iloc[0]
        raise DataError(
            first["_file"],
            f"duplicate row for {first['area_code']} {first['year']}",
            row=int(first["_row"]),
        )
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
    rows = read_entity_set(folder, "WijkenEnBuurten", required=False)
    return [r["Key"].strip() for r in rows if AREA_CODE_RE.match(r.get("Key", "").strip())]


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
    used = {t: p for t, p in found.items() if t in YEAR_BY_TABLE}
    if not used:
        return {}, {}, [f"no KWB table found under {raw_dir}; population will be missing"]
    pops, structs, warnings = [], [], []
    for _table_id, folder in sorted(used.items(), key=lambda kv: YEAR_BY_TABLE[kv[0]]):
        pop, struct = clean_kwb_table(folder)
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
    structure = pd.concat(structs, ignore_index=True).sort_values(
        ["area_code", "year", "group"], ignore_index=True
    )
    structure["inhabitants"] = structure["inhabitants"].astype("Int64")
    return (
        {"population": population, "population_structure": structure},
        used,
        warnings,
    )
