"""What ``provenance.json`` records of each raw input a cleaner read (the report's provenance box).

Downloaded folders are keyed by their path under ``raw/<source>/`` (``47018NED``, ``pdok/2025``) and
described from their TableInfos and fetch manifest; supplied files by their path, marked synthetic
when the supplied folder says so. A manifest is read only when it is a regular file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from hengelo_analysis.sources import rawfiles
from hengelo_analysis.sources.odata import read_entity_set
from hengelo_analysis.sources.supplied import SUPPLIED_DIR

if TYPE_CHECKING:
    from hengelo_analysis.sources.cleaners import Cleaner, CleanResult


def table_provenance(table_dir: Path) -> dict:
    """What the report's provenance box shows for a raw table: title, Modified, retrieval."""
    info = {}
    infos = read_entity_set(table_dir, "TableInfos", required=False)
    if infos:
        info = {k: infos[0].get(k) for k in ("Title", "Modified", "Identifier")}
    manifest_path = table_dir / "manifest.json"
    if rawfiles.regular_file(manifest_path):
        manifest = json.loads(rawfiles.read_bytes(manifest_path).decode("utf-8"))
        info["retrieved_at"] = manifest.get("retrieved_at")
        info["synthetic"] = bool(manifest.get("synthetic", False))
        info["modified_manifest"] = manifest.get("modified")
    else:
        info["retrieved_at"] = None
        info["manifest"] = "missing (saved by hand?)"
    return info


def folder_provenance(raw_dir: Path, files: list[Path], _: Cleaner, result: CleanResult) -> None:
    """Downloaded folders: keyed ``47018NED`` or ``pdok/2025``, from TableInfos and the manifest."""
    for folder in sorted({p.parent for p in files}):
        if not rawfiles.regular_file(folder / "manifest.json"):
            result.warnings.append(
                f"{folder}: no manifest.json; treating the files as saved by hand"
            )
        result.provenance[folder.relative_to(raw_dir).as_posix()] = table_provenance(folder)


def file_provenance(raw_dir: Path, files: list[Path], cleaner: Cleaner, result: CleanResult):
    """Supplied files: keyed by their path under ``raw/<source>/``, synthetic when marked so."""
    synthetic = (raw_dir / SUPPLIED_DIR / "SYNTHETIC.txt").exists()
    for path in files:
        key = str(path.relative_to(raw_dir))
        result.provenance[key] = {"table": cleaner.name, "synthetic": synthetic}


def no_provenance(raw_dir: Path, files: list[Path], cleaner: Cleaner, result: CleanResult):
    """The table's folder is recorded by the cleaner that read it first."""
