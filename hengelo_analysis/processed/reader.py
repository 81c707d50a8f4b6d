"""The one reader of the processed tables (what notebooks, claims and pages call).

Every table is ``processed/<source>/<name>.parquet`` except the map boundaries ``areas``, a
GeoPackage (``areas.gpkg``) that QGIS opens too; :func:`table_path` knows which.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from hengelo_analysis.domain import TOTAL_CRIME
from hengelo_analysis.errors import DataError


def processed_dir(data_dir: str | Path, source: str) -> Path:
    return Path(data_dir).expanduser().resolve() / "processed" / source


AREAS = "areas"

log = logging.getLogger(__name__)


def table_path(data_dir: str | Path, source: str, name: str) -> Path:
    """Where processed table ``name`` lives: ``areas.gpkg`` for the boundaries, else parquet."""
    suffix = ".gpkg" if name == AREAS else ".parquet"
    return processed_dir(data_dir, source) / f"{name}{suffix}"


# Tables read before, by path: (file stamp, frame). None: nothing is kept (the default).
_memory: dict[Path, tuple[tuple[int, int, int], pd.DataFrame]] | None = None


def keep_tables_in_memory() -> None:
    """From now on, remember each table read and hand out copies while its file is unchanged.

    The report's kernels turn this on (``pipeline.kernels``): one kernel runs many notebooks on
    the same processed tables, and reading parquet and GeoPackage files again for every notebook
    was a good part of its time; so does the findings stage, which judges every edition of a run
    on the same tables. The file stamp (size, mtime, inode) is checked on every read, so a table
    cleaned again is read again; every caller gets its own deep copy, so a notebook that changes a
    frame in place changes nothing for the next. Only the tables of the processed folder read last
    are kept: a process that moves on to another folder (another source, a test's copy) does not
    hold the old ones.
    """
    global _memory
    if _memory is None:
        _memory = {}


def _read(path: Path, name: str) -> pd.DataFrame:
    if _memory is None:
        return _read_file(path, name)
    info = path.stat()
    stamp = (info.st_size, info.st_mtime_ns, info.st_ino)
    kept = _memory.get(path)
    if kept is None or kept[0] != stamp:
        for other in [p for p in _memory if p.parent != path.parent]:
            del _memory[other]
        kept = _memory[path] = (stamp, _read_file(path, name))
    return kept[1].copy(deep=True)


def _read_file(path: Path, name: str) -> pd.DataFrame:
    if name == AREAS:
        import geopandas as gpd  # only the map pages need it; it is slow to import

        return gpd.read_file(path)
    return pd.read_parquet(path)


# Every table ``clean`` writes (tests/test_processed_reader.py keeps it equal to the cleaners'):
# only these make a processed folder "data", so a stray note or a copied parquet does not.
TABLE_NAMES = frozenset(
    {
        "accidents",
        "areas",
        "crime",
        "crime_monthly",
        "incidents",
        "nuisance",
        "population",
        "population_structure",
        "survey",
        "youth",
        "youth_national",
    }
)


def require_processed(data_dir: str | Path, source: str) -> Path:
    """``processed/<source>/`` when it holds at least one table; else a DataError that says, in
    Dutch, to run ``clean`` first.

    A notebook opened before the data exist would otherwise run on and say "n.b." in every
    cell: its first data cell (``claims.load_tables``) stops it here, with the one thing to do.
    """
    folder = processed_dir(data_dir, source)
    command = f"`hengelo-analysis clean --source {source}`"
    if not folder.is_dir():
        raise DataError(
            folder, f"nog geen verwerkte gegevens: voer eerst {command} uit (of `make lab`)"
        )
    if not any(table_path(data_dir, source, name).is_file() for name in TABLE_NAMES):
        raise DataError(
            folder,
            f"geen verwerkte tabellen: voer eerst {command} uit; staan er bronbestanden in "
            f"raw/{source}/?",
        )
    return folder


def load_table(data_dir: str | Path, source: str, name: str) -> pd.DataFrame:
    """One processed table; a missing one is a DataError telling the analyst to run ``clean``."""
    path = table_path(data_dir, source, name)
    if not path.exists():
        raise DataError(
            path, f"processed table {name!r} missing; run `hengelo-analysis clean` first"
        )
    return _read(path, name)


def load_tables(data_dir: str | Path, source: str, names: Iterable[str]) -> dict[str, pd.DataFrame]:
    """The processed tables ``names`` that exist; a missing table is simply absent from the dict.

    Absent is not an error here: the claims and pages that need it say ``insufficient_data``.
    """
    tables = {}
    for name in names:
        path = table_path(data_dir, source, name)
        if path.exists():
            tables[name] = _read(path, name)
        else:
            log.info("processed table %s absent", name)
    return tables


def load_areas(data_dir: str | Path, source: str):
    """The ``areas`` boundaries as a GeoDataFrame (EPSG:28992), or ``None`` when not built."""
    return load_tables(data_dir, source, [AREAS]).get(AREAS)


def load_crime(data_dir: str | Path, source: str) -> pd.DataFrame:
    return load_table(data_dir, source, "crime")


def load_provenance(data_dir: str | Path, source: str) -> dict:
    path = processed_dir(data_dir, source) / "provenance.json"
    if not path.exists():
        return {"source": source, "tables": {}, "warnings": ["provenance.json missing"]}
    return json.loads(path.read_text(encoding="utf-8"))


def available_years(crime: pd.DataFrame, gemeente: str) -> list[int]:
    """Years with a published total for the gemeente.

    A partial real tree may hold only the gemeente's buurt (or wijk) rows, without the gemeente
    row (the recorded 47018NED download of one year): then the years of those rows, so the
    edition is built with what is there and its pages name what is missing.
    """
    totals = crime[(crime["crime_code"] == TOTAL_CRIME) & crime["registered"].notna()]
    rows = totals[totals["area_code"] == gemeente]
    if rows.empty:
        own = ("WK" + gemeente[2:], "BU" + gemeente[2:])
        rows = totals[totals["area_code"].astype(str).str.startswith(own)]
    return sorted(int(y) for y in rows["year"].unique())
