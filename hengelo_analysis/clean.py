"""``clean``: discover the raw tables of a source, clean them and write the processed tables.

A missing table is a warning (the claims that need it become ``insufficient_data``), never a crash.
Processed tables are written only after every cleaner has succeeded, each atomically, so a failed
run leaves the last good processed data untouched.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from hengelo_analysis import atomic, geo, kwb, police, schemas
from hengelo_analysis.odata import discover_tables, read_entity_set
from hengelo_analysis.paths import Layout

log = logging.getLogger(__name__)


@dataclass
class CleanResult:
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    provenance: dict[str, dict] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


# table id -> (processed table name, cleaner, schema)
Cleaner = Callable[[Path], pd.DataFrame]
CLEANERS: dict[str, tuple[str, Cleaner, object]] = {
    police.TABLE_ID: ("crime", police.clean_crime_table, schemas.crime),
}

# Cleaners that combine several raw folders (one KWB table per year; PDOK pages) into processed
# tables. Each takes (raw_dir, discovered table folders) and returns
# ({name: DataFrame}, {table_id: folder used}, [warnings]).
GroupCleaner = Callable[[Path, dict[str, Path]], tuple[dict, dict, list]]
GROUP_CLEANERS: list[GroupCleaner] = [kwb.clean_population, geo.clean_areas]
GROUP_SCHEMAS = {
    "population": schemas.population,
    "population_structure": schemas.population_structure,
    "areas": schemas.areas,
}


def table_provenance(table_dir: Path) -> dict:
    """What the report's provenance box shows for a raw table: title, Modified, retrieval."""
    info = {}
    infos = read_entity_set(table_dir, "TableInfos", required=False)
    if infos:
        info = {k: infos[0].get(k) for k in ("Title", "Modified", "Identifier")}
    manifest_path = table_dir / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        info["retrieved_at"] = manifest.get("retrieved_at")
        info["synthetic"] = bool(manifest.get("synthetic", False))
        info["modified_manifest"] = manifest.get("modified")
    else:
        info["retrieved_at"] = None
        info["manifest"] = "missing (saved by hand?)"
    return info


def clean_source(layout: Layout) -> CleanResult:
    """Clean every known table present under ``layout.raw_dir`` (pure except for reading)."""
    result = CleanResult()
    found = discover_tables(layout.raw_dir)
    for table_id, (name, cleaner, schema) in CLEANERS.items():
        table_dir = found.get(table_id)
        if table_dir is None:
            msg = f"table {table_id} not found under {layout.raw_dir}; {name} will be missing"
            log.warning(msg)
            result.warnings.append(msg)
            continue
        if not (table_dir / "manifest.json").exists():
            msg = f"{table_dir}: no manifest.json; treating the files as saved by hand"
            log.warning(msg)
            result.warnings.append(msg)
        df = cleaner(table_dir)
        result.tables[name] = schemas.validate(schema, df, str(table_dir))
        result.provenance[table_id] = table_provenance(table_dir)
    used: set[str] = set()
    for group_cleaner in GROUP_CLEANERS:
        tables, used_dirs, warnings = group_cleaner(layout.raw_dir, found)
        result.warnings.extend(warnings)
        for name, df in tables.items():
            result.tables[name] = schemas.validate(GROUP_SCHEMAS[name], df, str(layout.raw_dir))
        for table_id, table_dir in used_dirs.items():
            if not (table_dir / "manifest.json").exists():
                result.warnings.append(
                    f"{table_dir}: no manifest.json; treating the files as saved by hand"
                )
            used.add(table_id)
            result.provenance[table_id] = table_provenance(table_dir)
    for table_id in sorted(set(found) - set(CLEANERS) - used):
        result.warnings.append(f"table {table_id} present but not used")
    return result


def write_processed(layout: Layout, result: CleanResult) -> list[Path]:
    """Write each processed table atomically (parquet), plus provenance.json."""
    out = layout.processed_dir
    written = []
    for name, df in result.tables.items():
        if hasattr(df, "geometry") and name == "areas":
            # Maps: a GeoPackage (EPSG:28992) that QGIS and geopandas open directly.
            target = out / f"{name}.gpkg"
            with atomic.atomic_path(target) as tmp:
                # The GPKG driver wants a .gpkg name and creates the file itself.
                gpkg = tmp.with_suffix(".gpkg")
                try:
                    df.to_file(gpkg, driver="GPKG", layer=name)
                    os.replace(gpkg, tmp)
                finally:
                    gpkg.unlink(missing_ok=True)
        else:
            target = out / f"{name}.parquet"
            with atomic.atomic_path(target) as tmp:
                df.to_parquet(tmp, index=False)
        written.append(target)
    prov = {"source": layout.source, "tables": result.provenance, "warnings": result.warnings}
    atomic.write_text(
        out / "provenance.json", json.dumps(prov, indent=2, ensure_ascii=False) + "\n"
    )
    written.append(out / "provenance.json")
    return written


def run_clean(layout: Layout) -> CleanResult:
    result = clean_source(layout)
    write_processed(layout, result)
    return result
