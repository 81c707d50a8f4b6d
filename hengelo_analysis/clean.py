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

from hengelo_analysis import (
    atomic,
    geo,
    kwb,
    police,
    schemas,
    stamps,
    supplied,
    survey,
    veiligheidsmonitor,
)
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
    veiligheidsmonitor.TABLE_ID: ("survey", veiligheidsmonitor.clean_table, schemas.survey),
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
    clean_supplied(layout, result)
    return result


# --- analyst-supplied files, and steps that need tables of the OData phase (issue 4) -------------


@dataclass(frozen=True)
class SuppliedCleaner:
    """A cleaner of files under ``raw/<source>/`` that runs after the OData tables.

    ``files`` finds its inputs (an empty list = missing, a warning); ``clean`` gets those files and
    the run so far (for area lists and ``population_structure``) and returns rows for ``name``,
    which are appended when the OData phase made that table already (``survey``).
    """

    name: str
    files: Callable[[Path], list[Path]]
    clean: Callable[[list[Path], CleanResult], pd.DataFrame]
    schema: object
    warn_when_missing: bool = True


def known_areas(result: CleanResult) -> set[str] | None:
    """Every wijk/buurt code in the tables cleaned so far; ``None`` when there is none to check."""
    codes: set[str] = set()
    for df in result.tables.values():
        if "area_code" in df.columns:
            codes |= {c for c in df["area_code"].dropna().unique() if c[:2] in ("WK", "BU")}
    return codes or None


def focus_gemeenten(result: CleanResult) -> set[str]:
    """Gemeenten the report is about: those with wijken/buurten in the crime or own-survey rows.

    Not every table: a Kerncijfers table may hold every wijk of the country.
    """
    codes: set[str] = set()
    for name in ("crime", "survey"):
        df = result.tables.get(name)
        if df is not None:
            codes |= {c for c in df["area_code"].dropna().unique() if c[:2] in ("WK", "BU")}
    return {"GM" + c[2:6] for c in codes}


def _supplied(name: str) -> Callable[[Path], list[Path]]:
    def find(raw_dir: Path) -> list[Path]:
        path = raw_dir / supplied.SUPPLIED_DIR / name
        return [path] if path.is_file() else []

    return find


def _checked_areas(result: CleanResult) -> set[str] | None:
    areas = known_areas(result)
    if areas is None:
        msg = "no wijk/buurt list in this run: area codes in supplied files are not checked"
        if msg not in result.warnings:
            log.warning(msg)
            result.warnings.append(msg)
    return areas


def _clean_own_survey(files: list[Path], result: CleanResult) -> pd.DataFrame:
    structure = result.tables.get("population_structure")
    if structure is None:
        result.warnings.append(
            "population_structure missing: survey waves without weights are estimated unweighted"
        )
    return survey.clean_survey(files, structure, _checked_areas(result))


def _vm_fallback(files: list[Path], result: CleanResult) -> pd.DataFrame:
    names = {}
    for df in result.tables.values():
        if {"area_code", "area_name"} <= set(df.columns):
            gm = df[df["area_code"].str.startswith("GM")].dropna(subset=["area_name"])
            names.update(zip(gm["area_code"], gm["area_name"], strict=False))
    rows, warnings = veiligheidsmonitor.fallback_rows(files[0], focus_gemeenten(result), names)
    result.warnings.extend(warnings)
    return rows


SUPPLIED_CLEANERS: list[SuppliedCleaner] = [
    SuppliedCleaner(
        "survey",
        lambda raw: sorted((raw / supplied.SUPPLIED_DIR).glob(survey.FILE_GLOB)),
        _clean_own_survey,
        schemas.survey,
    ),
    SuppliedCleaner(
        "survey",
        lambda raw: [d] if (d := raw / veiligheidsmonitor.TABLE_ID).is_dir() else [],
        _vm_fallback,
        schemas.survey,
        warn_when_missing=False,  # the OData phase already warns that 85146NED is missing
    ),
    SuppliedCleaner(
        "incidents",
        _supplied(supplied.E33_FILE),
        lambda files, result: supplied.clean_incidents(files[0], _checked_areas(result)),
        schemas.incidents,
    ),
    SuppliedCleaner(
        "youth",
        _supplied(supplied.YOUTH_FILE),
        lambda files, result: supplied.clean_youth(files[0], _checked_areas(result)),
        schemas.youth,
    ),
    SuppliedCleaner(
        "accidents",
        lambda raw: supplied.bron_files(raw / supplied.SUPPLIED_DIR),
        lambda files, result: supplied.clean_accidents(files),
        schemas.accidents,
    ),
]


def clean_supplied(layout: Layout, result: CleanResult) -> None:
    """Run :data:`SUPPLIED_CLEANERS` into ``result``; a missing file is a warning."""
    supplied_dir = layout.raw_dir / supplied.SUPPLIED_DIR
    synthetic = (supplied_dir / "SYNTHETIC.txt").exists()
    for cleaner in SUPPLIED_CLEANERS:
        files = cleaner.files(layout.raw_dir)
        if not files:
            if cleaner.warn_when_missing:
                msg = f"no supplied files for {cleaner.name} under {supplied_dir}"
                log.warning(msg)
                result.warnings.append(msg)
            continue
        df = cleaner.clean(files, result)
        if cleaner.name in result.tables:
            df = pd.concat([result.tables[cleaner.name], df], ignore_index=True)
        result.tables[cleaner.name] = schemas.validate(cleaner.schema, df, str(files[0]))
        for path in files:
            if path.is_file():
                key = str(path.relative_to(layout.raw_dir))
                result.provenance[key] = {"table": cleaner.name, "synthetic": synthetic}


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
                    _byte_stable_gpkg()
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


def _byte_stable_gpkg() -> None:
    """Make GDAL write a fixed ``last_change`` date into GeoPackages.

    By default it stamps the current time, so the same areas give a different file on every clean
    and every notebook reading ``areas.gpkg`` would look changed to the content-hash cache.
    """
    import pyogrio

    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": "2000-01-01T00:00:00.000Z"})


def run_clean(layout: Layout) -> CleanResult:
    """Clean and write the processed tables, and record the raw hashes they were cleaned from."""
    raw = stamps.tree_hashes(layout.raw_dir)  # before cleaning: a file edited meanwhile → stale
    result = clean_source(layout)
    stamps.remove_clean_stamp(layout.processed_dir)
    write_processed(layout, result)
    stamps.write_clean_stamp(layout.raw_dir, layout.processed_dir, raw)
    return result
