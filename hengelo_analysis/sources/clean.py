"""``clean``: run the cleaners on the raw files of a source and write the processed tables.

Every processed table comes from one :class:`~hengelo_analysis.sources.cleaners.Cleaner` in
:data:`~hengelo_analysis.sources.cleaners.CLEANERS`. A cleaner whose raw files are missing is a
warning (the claims that need its tables become ``insufficient_data``), never a crash. The processed
set is written only after every cleaner has succeeded, as a whole (staged, then swapped in), so a
failed or interrupted run leaves the last good processed data untouched.

Hidden files: a file whose name, or the name of any folder between ``raw/<source>/`` and it, starts
with ``.`` is not a raw input. ``clean`` never reads it and :func:`raw_inputs` (the list the
pipeline's cache hashes) never lists it, so editor swap files, ``.DS_Store`` and half-written
temporaries neither change the tables nor make the cache stale.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from hengelo_analysis import atomic
from hengelo_analysis.errors import DataError
from hengelo_analysis.paths import Layout
from hengelo_analysis.processed import schemas
from hengelo_analysis.sources import rawfiles, supplied
from hengelo_analysis.sources.cleaners import CLEANERS, CleanResult, synthetic_marker
from hengelo_analysis.sources.odata import discover_tables


def raw_inputs(raw_dir: Path) -> list[Path]:
    """Every raw file ``clean`` reads under ``raw_dir``, sorted: what the clean cache hashes.

    The inputs of every cleaner (47018NED also gives the area lists and indeling year that the
    KWB and PDOK cleaners check against) plus the ``SYNTHETIC.txt`` marker of supplied files.
    Hidden files and folders are left out (see the module docstring).
    """
    files = {p for cleaner in CLEANERS for p in cleaner.files(raw_dir)}
    marker = synthetic_marker(raw_dir)
    if marker.is_file():
        files.add(marker)
    return sorted(files)


def _record_input(raw_dir: Path, path: Path, result: CleanResult) -> None:
    """Put the sha256 of raw file ``path`` (when it is a regular file) in ``result.inputs``."""
    key = path.relative_to(raw_dir).as_posix()
    if key not in result.inputs and rawfiles.regular_file(path):
        result.inputs[key] = hashlib.sha256(rawfiles.read_bytes(path)).hexdigest()


def clean_source(layout: Layout) -> CleanResult:
    """Run every cleaner on ``layout.raw_dir`` (pure except for reading)."""
    raw_dir = layout.raw_dir
    supplied_dir = raw_dir / supplied.SUPPLIED_DIR
    result = CleanResult()
    used: set[Path] = set()
    checked: set[Path] = set()  # 47018NED serves several cleaners: check its manifest once
    for cleaner in CLEANERS:
        files = cleaner.files(raw_dir)
        if not files:
            if cleaner.missing:
                result.warn(cleaner.missing.format(raw_dir=raw_dir, supplied_dir=supplied_dir))
            continue
        used.update(p.parent for p in files)
        # Hashed before the cleaner reads them: CBS revises tables in place, so these hashes are
        # what lets an edition be rebuilt from (and checked against) the same bytes.
        for path in files:
            _record_input(raw_dir, path, result)
        label = os.path.commonpath(files)
        for name, df in cleaner.clean(raw_dir, files, result).items():
            if name in result.tables:
                df = pd.concat([result.tables[name], df], ignore_index=True)
            result.tables[name] = schemas.validate(cleaner.schemas[name], df, label)
        # After the cleaner: a broken page is named by what is wrong in it, not just "changed".
        for folder in sorted({p.parent for p in files} - checked):
            check_manifest(folder)
            checked.add(folder)
            _record_input(raw_dir, folder / "manifest.json", result)
        cleaner.provenance(raw_dir, files, cleaner, result)
    _record_input(raw_dir, synthetic_marker(raw_dir), result)
    for table_id, folder in discover_tables(raw_dir).items():
        if folder not in used:
            result.warnings.append(f"table {table_id} present but not used")
    return result


def check_manifest(folder: Path) -> None:
    """Refuse a table folder whose pages are not the ones its fetch ``manifest.json`` lists.

    A page listed there that is missing, or whose sha256 differs, is a :class:`DataError` naming
    it: the processed tables would not be what was downloaded. A manifest is optional (a table
    saved by hand has none), but one that is there must be readable.
    """
    path = folder / "manifest.json"
    if not rawfiles.regular_file(path):
        return
    try:
        manifest = json.loads(rawfiles.read_bytes(path).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise DataError(
            path, f"not a valid manifest (JSON: {exc}); fetch the table again"
        ) from None
    entries = manifest.get("files", []) if isinstance(manifest, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise DataError(path, "not a valid manifest: expected an object with a 'files' list")
    for number, entry in enumerate(entries, start=1):
        name, expected = entry.get("file"), entry.get("sha256")
        if not isinstance(name, str) or Path(name).name != name or not isinstance(expected, str):
            raise DataError(path, "entry without a plain 'file' name and 'sha256'", row=number)
        page = folder / name
        if not rawfiles.regular_file(page):
            raise DataError(page, "listed in manifest.json but missing; fetch the table again")
        actual = hashlib.sha256(rawfiles.read_bytes(page)).hexdigest()
        if actual != expected:
            raise DataError(
                page,
                f"sha256 {actual[:12]}… differs from {expected[:12]}… in manifest.json: "
                "changed since it was downloaded; fetch the table again",
            )


def write_processed(
    layout: Layout, result: CleanResult, finish: Callable[[Path], None] | None = None
) -> list[Path]:
    """Write the whole processed set (parquet, GeoPackage, provenance.json) and swap it in at once.

    The set is built in a staging folder beside ``processed/<source>`` and replaces it with two
    renames, so a full disk or Ctrl-C mid-way leaves the last good set whole, and the new set is
    exactly the image of this clean: a table whose source disappeared is simply not in it.
    ``finish(staging)`` runs on the complete set before the swap (the pipeline writes its clean
    stamp there, so tables and stamp become current together). Returns the written paths as they
    are after the swap.
    """
    out = layout.processed_dir
    names = []
    with atomic.staged_directory(out) as staging:
        for name, df in result.tables.items():
            if hasattr(df, "geometry") and name == "areas":
                # Maps: a GeoPackage (EPSG:28992) that QGIS and geopandas open directly.
                _byte_stable_gpkg()
                df.to_file(staging / f"{name}.gpkg", driver="GPKG", layer=name)
                names.append(f"{name}.gpkg")
            else:
                df.to_parquet(staging / f"{name}.parquet", index=False)
                names.append(f"{name}.parquet")
        prov = {
            "source": layout.source,
            "tables": result.provenance,
            "inputs": dict(sorted(result.inputs.items())),
            "warnings": result.warnings,
        }
        (staging / "provenance.json").write_text(
            json.dumps(prov, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        names.append("provenance.json")
        if finish is not None:
            finish(staging)
    return [out / name for name in names]


def _byte_stable_gpkg() -> None:
    """Make GDAL write a fixed ``last_change`` date into GeoPackages.

    By default it stamps the current time, so the same areas give a different file on every clean
    and every notebook reading ``areas.gpkg`` would look changed to the content-hash cache.
    """
    import pyogrio

    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": "2000-01-01T00:00:00.000Z"})


def run_clean(layout: Layout) -> CleanResult:
    """Clean the raw files and write the processed tables; nothing is written if a cleaner fails.

    The clean stamp (which raw hashes the tables came from) is the pipeline's business: its clean
    stage hashes :func:`raw_inputs` before calling this and writes the stamp after.
    """
    result = clean_source(layout)
    write_processed(layout, result)
    return result
