"""Clean the police table 47018NED (registered crime per wijk/buurt, yearly) into the ``crime`` table.

Traps handled (data-sources.md §0, §1): keys right-padded with spaces; ``null`` = not published
(kept as missing, never 0); the ``0.0.0`` total kept as its own code (never summed with its parts);
``JJ00`` year rows kept and month rows (``MMnn``) ignored; titles prefixed with their code; the
measure column suffix resolved from ``DataProperties``; ``NL00`` as the national row.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from hengelo_analysis.areas import AREA_CODE_RE, LEVEL_BY_PREFIX
from hengelo_analysis.errors import DataError
from hengelo_analysis.odata import entity_set_files, read_entity_set

TABLE_ID = "47018NED"
MEASURE_PREFIX = "GeregistreerdeMisdrijven"
YEAR_PERIOD_RE = re.compile(r"^(\d{4})JJ00$")
TITLE_PREFIX_RE = re.compile(r"^[\d.]+\s+")


def resolve_topic_key(properties: list[dict], prefix: str, path: Path) -> str:
    """The topic column whose key starts with ``prefix`` (its numeric suffix varies per table)."""
    keys = [p.get("Key", "") for p in properties if p.get("Type") == "Topic"]
    matches = [k for k in keys if k == prefix or k.startswith(prefix + "_")]
    if len(matches) != 1:
        raise DataError(path, f"expected one topic {prefix}_N in DataProperties, found {matches}")
    return matches[0]


def strip_code_prefix(title: str) -> str:
    """``"1.2.3 Diefstal van brom-, snor-, fietsen"`` → ``"Diefstal van brom-, snor-, fietsen"``."""
    return TITLE_PREFIX_RE.sub("", title.strip())


def clean_crime_table(table_dir: Path) -> pd.DataFrame:
    """Read a 47018NED table folder and return the tidy ``crime`` table.

    Columns: area_code, area_level, gemeente_code, area_name, year, crime_code, crime_label,
    registered (nullable Int64; missing = not published).
    """
    props_path = table_dir / "DataProperties.json"
    measure = resolve_topic_key(
        read_entity_set(table_dir, "DataProperties"), MEASURE_PREFIX, props_path
    )
    soort = read_entity_set(table_dir, "SoortMisdrijf")
    regions = read_entity_set(table_dir, "WijkenEnBuurten")
    labels = {r["Key"].strip(): strip_code_prefix(r.get("Title") or "") for r in soort}
    names = {r["Key"].strip(): (r.get("Title") or "").strip() for r in regions}

    frames = []
    for path in entity_set_files(table_dir, "TypedDataSet"):
        frames.append(_read_page(path, measure, labels, names))
    if not frames:
        raise DataError(
            table_dir / "TypedDataSet.json", "no TypedDataSet pages in the table folder"
        )
    crime = pd.concat(frames, ignore_index=True)

    dup = crime.duplicated(["area_code", "year", "crime_code"], keep=False)
    if dup.any():
        first = crime.loc[dup].iloc[0]
        raise DataError(
            first["_file"],
            f"duplicate row for {first['area_code']} {first['year']} {first['crime_code']}",
            row=int(first["_row"]),
        )
    crime = crime.drop(columns=["_file", "_row"])
    return crime.sort_values(["area_code", "crime_code", "year"], ignore_index=True)


def _read_page(path: Path, measure: str, labels: dict, names: dict) -> pd.DataFrame:
    from hengelo_analysis.odata import read_document

    rows = read_document(path)["value"]
    df = pd.DataFrame(rows)
    if df.empty:
        return pd.DataFrame(
            columns=[
                "area_code",
                "area_level",
                "gemeente_code",
                "area_name",
                "year",
                "crime_code",
                "crime_label",
                "registered",
                "_file",
                "_row",
            ]
        )
    for column in ("SoortMisdrijf", "WijkenEnBuurten", "Perioden", measure):
        if column not in df.columns:
            raise DataError(path, "column missing", column=column)
    df["_row"] = range(1, len(df) + 1)
    period = df["Perioden"].astype("string").str.strip()
    years = period.str.extract(YEAR_PERIOD_RE, expand=False)
    df = df.loc[years.notna()].copy()  # month rows (2017MM12) belong to another grain
    df["year"] = years.loc[df.index].astype("int64")

    df["area_code"] = df["WijkenEnBuurten"].astype("string").str.strip()
    bad_area = ~df["area_code"].str.match(AREA_CODE_RE.pattern).fillna(False)
    if bad_area.any():
        r = df.loc[bad_area].iloc[0]
        raise DataError(
            path,
            f"unknown area code {r['area_code']!r}",
            column="WijkenEnBuurten",
            row=int(r["_row"]),
        )
    df["crime_code"] = df["SoortMisdrijf"].astype("string").str.strip()
    unknown = ~df["crime_code"].isin(labels.keys())
    if unknown.any():
        r = df.loc[unknown].iloc[0]
        raise DataError(
            path,
            f"crime code {r['crime_code']!r} not in the SoortMisdrijf dimension",
            column="SoortMisdrijf",
            row=int(r["_row"]),
        )

    values = df[measure]
    numeric = pd.to_numeric(values, errors="coerce")
    bad = values.notna() & (numeric.isna() | (numeric % 1 != 0))
    if bad.any():
        r = df.loc[bad].iloc[0]
        raise DataError(
            path, f"not a whole number: {r[measure]!r}", column=measure, row=int(r["_row"])
        )
    negative = numeric < 0
    if negative.any():
        r = df.loc[negative].iloc[0]
        raise DataError(
            path,
            f"negative count {int(numeric[negative].iloc[0])}",
            column=measure,
            row=int(r["_row"]),
        )

    out = pd.DataFrame(
        {
            "area_code": df["area_code"],
            "area_level": df["area_code"].str[:2].map(LEVEL_BY_PREFIX),
            "gemeente_code": df["area_code"]
            .where(~df["area_code"].str.startswith("NL"))
            .str[2:6]
            .radd("GM"),
            "area_name": df["area_code"].map(names).astype("string"),
            "year": df["year"],
            "crime_code": df["crime_code"],
            "crime_label": df["crime_code"].map(labels).astype("string"),
            "registered": numeric.astype("Int64"),
            "_file": str(path),
            "_row": df["_row"],
        }
    )
    return out
