"""Read the processed tables (what notebooks call)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from hengelo_analysis.errors import DataError


def processed_dir(data_dir: str | Path, source: str) -> Path:
    return Path(data_dir).expanduser().resolve() / "processed" / source


def load_table(data_dir: str | Path, source: str, name: str) -> pd.DataFrame:
    path = processed_dir(data_dir, source) / f"{name}.parquet"
    if not path.exists():
        raise DataError(
            path, f"processed table {name!r} missing; run `hengelo-analysis clean` first"
        )
    return pd.read_parquet(path)


def load_crime(data_dir: str | Path, source: str) -> pd.DataFrame:
    return load_table(data_dir, source, "crime")


def load_provenance(data_dir: str | Path, source: str) -> dict:
    path = processed_dir(data_dir, source) / "provenance.json"
    if not path.exists():
        return {"source": source, "tables": {}, "warnings": ["provenance.json missing"]}
    return json.loads(path.read_text(encoding="utf-8"))


def available_years(crime: pd.DataFrame, gemeente: str) -> list[int]:
    """Years with a published total for the gemeente."""
    rows = crime[(crime["area_code"] == gemeente) & (crime["crime_code"] == "0.0.0")]
    return sorted(int(y) for y in rows.loc[rows["registered"].notna(), "year"].unique())
