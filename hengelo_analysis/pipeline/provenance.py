"""Provenance for the report: git commit, package versions, parameters, source tables.

Also what a page may show of it: the source tables it reads (with their StatLine pages, for the
CC BY 4.0 attribution) and never an absolute path of the machine that built the edition.
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from hengelo_analysis.domain import (
    KWB_TABLES,
    NUISANCE_GEMEENTE_TABLE,
    NUISANCE_WIJK_TABLE,
    POLICE_MONTHLY_TABLE,
    POLICE_TABLE,
    VEILIGHEIDSMONITOR_TABLE,
)
from hengelo_analysis.paths import BUILD_COMMIT_FILE, checkout_root

PACKAGES = (
    "hengelo_analysis",
    "pandas",
    "geopandas",
    "matplotlib",
    "scipy",
    "statsmodels",
    "pandera",
    "papermill",
    "nbconvert",
)


@functools.cache
def git_commit() -> str:
    """The commit of the code that built the report (``+dirty`` when the tree has changes).

    Asked once per process: a run for many gemeenten needs it twice per edition, and the code does
    not change under a running build. An installed wheel is not a git tree: git would answer for whatever repository happens to
    hold the environment, so the commit the wheel was built from is read from its bundle.
    """
    root = checkout_root()
    if root is None:
        try:
            return BUILD_COMMIT_FILE.read_text(encoding="utf-8").strip() or "onbekend"
        except OSError:
            return "onbekend"
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "onbekend"
    return sha + ("+dirty" if dirty else "")


@functools.cache
def _package_versions() -> tuple[tuple[str, str], ...]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "niet geïnstalleerd"
    return tuple(versions.items())


def package_versions() -> dict[str, str]:
    """Versions of the packages that shape the report (read once per process)."""
    return dict(_package_versions())


# An edition's machine-readable provenance (publish.edition_provenance), linked from every page.
EDITION_FILE = "provenance.json"
# `make setup` writes it into the environment after installing from a lock (see the Makefile).
LOCK_RECORD = "hengelo-lock.json"
NO_LOCK = {"file": None, "sha256": None}


def environment_lock(prefix: Path | None = None) -> dict:
    """The lock file this environment was installed from and its sha256 at install time.

    ``{"file": "requirements/lock.txt", "sha256": ...}`` from ``<prefix>/hengelo-lock.json``
    (``prefix``: the running interpreter's environment); :data:`NO_LOCK` when it was installed
    otherwise (``pip install .``, conda) or the record is unreadable: an edition then says so
    rather than naming a lock that may not describe it.
    """
    path = Path(sys.prefix if prefix is None else prefix) / LOCK_RECORD
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return dict(NO_LOCK)
    name, digest = record.get("file"), record.get("sha256")
    if not isinstance(name, str) or not re.fullmatch(r"[0-9a-f]{64}", str(digest)):
        return dict(NO_LOCK)
    # `make setup LOCKFILE=/abs/path` would name the builder's folder: keep the file name only
    path = Path(name)
    return {"file": path.name if path.is_absolute() else path.as_posix(), "sha256": digest}


# --- what a page shows of its sources ------------------------------------------------------------

CBS_STATLINE = "https://opendata.cbs.nl/statline/#/CBS/nl/dataset/{id}/table"
POLICE_STATLINE = "https://data.politie.nl/#/Politie/nl/dataset/{id}/table"
POLICE_TABLES = (
    POLICE_TABLE,
    POLICE_MONTHLY_TABLE,
    NUISANCE_GEMEENTE_TABLE,
    NUISANCE_WIJK_TABLE,
)
# Which source tables each processed table is cleaned from (the notebooks declare processed
# tables in ``metadata.hengelo.inputs``; the reader must see the sources behind them).
SOURCES_OF_PROCESSED = {
    "crime": (POLICE_TABLE,),
    "crime_monthly": (POLICE_MONTHLY_TABLE,),
    "nuisance": (NUISANCE_GEMEENTE_TABLE, NUISANCE_WIJK_TABLE),
    "survey": (VEILIGHEIDSMONITOR_TABLE,),
    "population": tuple(KWB_TABLES.values()),
    "population_structure": tuple(KWB_TABLES.values()),
    "areas": (*KWB_TABLES.values(), "pdok"),
}
SUPPLIED_LABELS = {
    "survey": "eigen enquête van de gemeente",
    "incidents": "E33-incidenten (politie, aangeleverd)",
    "youth": "jeugdcijfers (aangeleverd)",
    "accidents": "verkeersongevallen (BRON, aangeleverd)",
}


def statline_url(table_id: str) -> str:
    """The public StatLine page of a CBS or police open-data table (CC BY 4.0 attribution)."""
    template = POLICE_STATLINE if table_id in POLICE_TABLES else CBS_STATLINE
    return template.format(id=table_id)


def _uses(name: str, info: dict, inputs: list[str] | None) -> bool:
    if inputs is None:
        return True
    if info.get("table"):  # a supplied file names the processed table it feeds
        return info["table"] in inputs
    base = name.split("/")[0]
    return any(base in SOURCES_OF_PROCESSED.get(i, ()) for i in inputs)


def source_rows(tables: dict[str, dict], inputs: list[str] | None) -> list[dict]:
    """The provenance rows of the source tables a page reads (``inputs``: None = every table).

    One row per CBS/police table, with its StatLine link; the yearly KWB tables form one row, as
    do the files the gemeente supplied for one processed table (13 BRON files are one source).
    Never a file path: the edition must not show the folders of the machine that built it.
    """
    used = {name: info for name, info in sorted(tables.items()) if _uses(name, info, inputs)}
    rows, kwb, supplied = [], [], {}
    kwb_ids = set(KWB_TABLES.values())
    for name, info in used.items():
        if name in kwb_ids:
            kwb.append((name, info))
        elif info.get("table"):
            supplied.setdefault(info["table"], []).append(name)
        elif name.startswith("pdok"):
            rows.append(
                {
                    "title": "Wijk- en buurtkaart (CBS/Kadaster via PDOK)",
                    "publisher": "CBS en Kadaster",
                    "links": [],
                    "modified": "",
                    "retrieved_at": info.get("retrieved_at") or "onbekend",
                }
            )
        else:
            rows.append(
                {
                    "title": info.get("Title") or name,
                    "publisher": "Politie" if name in POLICE_TABLES else "CBS",
                    "links": [{"id": name, "url": statline_url(name)}],
                    "modified": info.get("Modified") or "onbekend",
                    "retrieved_at": info.get("retrieved_at") or "onbekend (handmatig opgeslagen)",
                }
            )
    if kwb:
        rows.append(
            {
                "title": f"Kerncijfers wijken en buurten ({len(kwb)} jaartabellen)",
                "publisher": "CBS",
                "links": [{"id": n, "url": statline_url(n)} for n, _ in kwb],
                "modified": max((i.get("Modified") or "" for _, i in kwb), default="")
                or "onbekend",
                "retrieved_at": max((i.get("retrieved_at") or "" for _, i in kwb), default="")
                or "onbekend",
            }
        )
    for table, files in sorted(supplied.items()):
        count = f"{len(files)} bestanden" if len(files) > 1 else "1 bestand"
        rows.append(
            {
                "title": f"{SUPPLIED_LABELS.get(table, table)} ({count})",
                "publisher": "gemeente",
                "links": [],
                "modified": "",
                "retrieved_at": "door de gemeente aangeleverd",
            }
        )
    return rows


def public_parameters(parameters: dict) -> dict:
    """The run parameters a page may show: no folders (``data_dir`` is the builder's)."""
    return {
        k: v
        for k, v in parameters.items()
        if not k.endswith("_dir")
        and not (isinstance(v, str) and (v.startswith(("/", "~")) or re.match(r"^[A-Za-z]:\\", v)))
    }


def scrub_paths(text: str, paths: dict[Path, str]) -> str:
    """``text`` with each absolute path in ``paths`` replaced by its label, and the home directory
    by ``~``.

    The executed notebooks hold the papermill parameters (``data_dir``) and papermill's own
    input/output paths; the published copies must not show the folders of the builder. Longer
    paths go first, so a folder inside another is replaced whole.
    """
    for path, label in sorted(paths.items(), key=lambda kv: -len(str(kv[0]))):
        text = text.replace(str(path), f"<{label}>")
    home = str(Path.home())
    if len(home) > 1:
        text = text.replace(home + "/", "~/")
    return text


TIMING_KEYS = ("start_time", "end_time", "duration")


def for_publication(nb: dict) -> dict:
    """``nb`` without the wall-clock times papermill and nbclient record per run and per cell,
    and with papermill's input/output paths cut to file names.

    They say when and where the build ran, not what it found, and would make every rebuild of
    the same inputs differ (the cache key of a notebook is kept: it is what a rerun compares).
    """
    run = nb.get("metadata", {}).get("papermill", {})
    for key in ("input_path", "output_path"):
        if isinstance(run.get(key), str):
            run[key] = Path(run[key]).name
    for meta in (nb.get("metadata", {}), *(c.get("metadata", {}) for c in nb.get("cells", []))):
        for key in TIMING_KEYS:
            meta.get("papermill", {}).pop(key, None)
        meta.pop("execution", None)
    return nb


def copy_notebooks_without_paths(source: Path, target: Path, paths: dict[Path, str]) -> None:
    """Copy the executed notebooks to ``target`` without builder paths (``scrub_paths``) and
    without run times (``for_publication``)."""
    import nbformat

    target.mkdir(parents=True, exist_ok=True)
    for notebook in sorted(source.glob("*.ipynb")):
        nb = for_publication(nbformat.reads(notebook.read_text(encoding="utf-8"), as_version=4))
        text = scrub_paths(nbformat.writes(nb), paths)
        (target / notebook.name).write_text(text, encoding="utf-8")
