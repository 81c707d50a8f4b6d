"""The cleaners of ``clean``: for each processed table, which raw files it reads and how.

:data:`CLEANERS` runs in its order: later cleaners see the tables of earlier ones (the own survey
is weighted to ``population_structure``; supplied files are checked against the area lists).
Running them and writing the tables is :mod:`hengelo_analysis.sources.clean`.

Hidden files: a file whose name, or the name of any folder between ``raw/<source>/`` and it, starts
with ``.`` is not a raw input (:meth:`Cleaner.files` drops it), so editor swap files, ``.DS_Store``
and half-written temporaries neither change the tables nor make the clean cache stale.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from hengelo_analysis.domain import POLICE_MONTHLY_TABLE, POLICE_TABLE, VEILIGHEIDSMONITOR_TABLE
from hengelo_analysis.processed import schemas
from hengelo_analysis.sources import (
    geo,
    kwb,
    nuisance,
    police,
    police_monthly,
    rawfiles,
    supplied,
    survey,
    survey_template,
    veiligheidsmonitor,
    youth_national,
)
from hengelo_analysis.sources.indeling import police_indeling_year
from hengelo_analysis.sources.kwb_years import table_year
from hengelo_analysis.sources.odata import discover_tables
from hengelo_analysis.sources.raw_provenance import (
    file_provenance,
    folder_provenance,
    no_provenance,
)

log = logging.getLogger(__name__)


@dataclass
class CleanResult:
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    provenance: dict[str, dict] = field(default_factory=dict)
    # {path under raw/<source>/: sha256} of every raw file a cleaner read (provenance.json "inputs")
    inputs: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def warn(self, msg: str) -> None:
        if msg not in self.warnings:
            log.warning(msg)
            self.warnings.append(msg)


@dataclass(frozen=True)
class Cleaner:
    """One step of ``clean``: raw files → one or more processed tables.

    ``inputs`` lists the raw files the step reads (hidden ones are dropped afterwards; an empty
    list means its input is missing: ``missing`` is warned, formatted with ``raw_dir`` and
    ``supplied_dir``, unless it is empty). ``clean`` gets the raw folder, those files and the run
    so far, and returns ``{table name: frame}``; rows for a table an earlier step made already are
    appended to it. ``schemas`` holds the schema of every table it may return. ``provenance``
    records where the rows came from in ``provenance.json``.
    """

    name: str
    inputs: Callable[[Path], list[Path]]
    clean: Callable[[Path, list[Path], CleanResult], dict[str, pd.DataFrame]]
    schemas: Mapping[str, object]
    missing: str
    provenance: Callable[[Path, list[Path], Cleaner, CleanResult], None]

    def files(self, raw_dir: Path) -> list[Path]:
        # The same rule as the cache's raw hash (``rawfiles.walk_files``): read and hashed, or neither.
        return [p for p in self.inputs(raw_dir) if not rawfiles.is_hidden(p, raw_dir)]


# --- what each cleaner reads ----------------------------------------------------------------------


def _folder_files(folder: Path | None) -> list[Path]:
    """Every regular file of an OData/PDOK folder: the entity sets, ``manifest.json``, ``TableInfos``
    (a pipe or socket in the raw tree is skipped with a warning, never opened)."""
    if folder is None:
        return []
    return rawfiles.files_in(folder)


def _table_files(table_id: str) -> Callable[[Path], list[Path]]:
    return lambda raw_dir: _folder_files(raw_dir / table_id)


def _nuisance_files(raw_dir: Path) -> list[Path]:
    return [p for table in nuisance.TABLE_IDS for p in _folder_files(raw_dir / table)]


def _kwb_files(raw_dir: Path) -> list[Path]:
    found = discover_tables(raw_dir)
    return [
        p
        for t in sorted(found)
        if table_year(raw_dir, t) is not None
        for p in _folder_files(found[t])
    ]


def _pdok_files(raw_dir: Path) -> list[Path]:
    """``boundaries/`` when an analyst put files there (they win, see geo), else ``pdok/<year>``.

    Every file under ``boundaries/``, shapefile sidecars too: a new .prj must make clean rerun.
    """
    if dropped := geo.boundary_files(raw_dir / geo.BOUNDARIES_DIR):
        return sorted({p for f in dropped for p in f.parent.iterdir() if p.is_file()})
    return _folder_files(geo.pdok_year_dir(raw_dir, police_indeling_year(raw_dir)))


def _supplied_file(name: str) -> Callable[[Path], list[Path]]:
    def find(raw_dir: Path) -> list[Path]:
        path = raw_dir / supplied.SUPPLIED_DIR / name
        return [path] if path.is_file() else []

    return find


def _own_survey_files(raw_dir: Path) -> list[Path]:
    found = sorted((raw_dir / supplied.SUPPLIED_DIR).glob(survey_template.FILE_GLOB))
    return [p for p in found if rawfiles.regular_file(p)]


def _bron_files(raw_dir: Path) -> list[Path]:
    return supplied.bron_files(raw_dir / supplied.SUPPLIED_DIR)


def synthetic_marker(raw_dir: Path) -> Path:
    return raw_dir / supplied.SUPPLIED_DIR / "SYNTHETIC.txt"


def _folders(files: list[Path]) -> list[Path]:
    return sorted({p.parent for p in files})


# --- how each cleaner cleans ---------------------------------------------------------------------


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


def _checked_areas(result: CleanResult) -> set[str] | None:
    areas = known_areas(result)
    if areas is None:
        result.warn("no wijk/buurt list in this run: area codes in supplied files are not checked")
    return areas


def _clean_crime(raw_dir: Path, files: list[Path], result: CleanResult) -> dict:
    return {"crime": police.clean_crime_table(files[0].parent)}


def _clean_nuisance(raw_dir: Path, files: list[Path], result: CleanResult) -> dict:
    tables, _, warnings = nuisance.clean_nuisance(raw_dir, {f.name: f for f in _folders(files)})
    result.warnings.extend(warnings)
    return tables


def _clean_crime_monthly(raw_dir: Path, files: list[Path], result: CleanResult) -> dict:
    return {"crime_monthly": police_monthly.clean_monthly_crime_table(files[0].parent)}


def _clean_vm(raw_dir: Path, files: list[Path], result: CleanResult) -> dict:
    return {"survey": veiligheidsmonitor.clean_table(files[0].parent)}


def _clean_kwb(raw_dir: Path, files: list[Path], result: CleanResult) -> dict:
    tables, _, warnings = kwb.clean_population(raw_dir, {f.name: f for f in _folders(files)})
    result.warnings.extend(warnings)
    return tables


def _clean_areas(raw_dir: Path, files: list[Path], result: CleanResult) -> dict:
    """Boundaries (dropped-in files or the PDOK download), checked against the police buurt codes."""
    crime = result.tables.get("crime")
    read = geo.clean_areas_input(
        raw_dir,
        files[0].parent,
        focus_gemeenten(result),
        police_indeling_year(raw_dir),
        [] if crime is None else list(crime["area_code"].dropna().unique()),
    )
    for message in read.warnings:
        result.warn(message)
    return {"areas": read.areas}


def _clean_own_survey(raw_dir: Path, files: list[Path], result: CleanResult) -> dict:
    structure = result.tables.get("population_structure")
    if structure is None:
        result.warnings.append(
            "population_structure missing: survey waves without weights are estimated unweighted"
        )
    return {"survey": survey.clean_survey(files, structure, _checked_areas(result))}


def _clean_vm_fallback(raw_dir: Path, files: list[Path], result: CleanResult) -> dict:
    """Veiligheidsmonitor rows of the smallest region holding a focus gemeente the table lacks."""
    names = {}
    for df in result.tables.values():
        if {"area_code", "area_name"} <= set(df.columns):
            gm = df[df["area_code"].str.startswith("GM")].dropna(subset=["area_name"])
            names.update(zip(gm["area_code"], gm["area_name"], strict=False))
    rows, warnings = veiligheidsmonitor.fallback_rows(
        files[0].parent, focus_gemeenten(result), names
    )
    result.warnings.extend(warnings)
    return {"survey": rows}


def _clean_incidents(raw_dir: Path, files: list[Path], result: CleanResult) -> dict:
    return {"incidents": supplied.clean_incidents(files[0], _checked_areas(result))}


def _clean_youth(raw_dir: Path, files: list[Path], result: CleanResult) -> dict:
    return {"youth": supplied.clean_youth(files[0], _checked_areas(result))}


def _clean_youth_national(raw_dir: Path, files: list[Path], result: CleanResult) -> dict:
    return {"youth_national": youth_national.clean_youth_national(files[0])}


def _clean_accidents(raw_dir: Path, files: list[Path], result: CleanResult) -> dict:
    return {"accidents": supplied.clean_accidents(files)}


_NOT_FOUND = "table {table} not found under {{raw_dir}}; {name} will be missing"
_NOT_SUPPLIED = "no supplied files for {name} under {{supplied_dir}}"
POPULATION_SCHEMAS = {
    "population": schemas.population,
    "population_structure": schemas.population_structure,
}

CLEANERS: tuple[Cleaner, ...] = (
    Cleaner(
        "crime",
        _table_files(POLICE_TABLE),
        _clean_crime,
        {"crime": schemas.crime},
        _NOT_FOUND.format(table=POLICE_TABLE, name="crime"),
        folder_provenance,
    ),
    Cleaner(
        "nuisance",
        _nuisance_files,
        _clean_nuisance,
        {"nuisance": schemas.nuisance},
        "police overlast tables (47021NED, 47024NED) not found under {raw_dir}; nuisance will be missing",
        folder_provenance,
    ),
    Cleaner(
        "crime_monthly",
        _table_files(POLICE_MONTHLY_TABLE),
        _clean_crime_monthly,
        {"crime_monthly": schemas.crime_monthly},
        _NOT_FOUND.format(table=POLICE_MONTHLY_TABLE, name="crime_monthly"),
        folder_provenance,
    ),
    Cleaner(
        "survey",
        _table_files(VEILIGHEIDSMONITOR_TABLE),
        _clean_vm,
        {"survey": schemas.survey},
        _NOT_FOUND.format(table=VEILIGHEIDSMONITOR_TABLE, name="survey"),
        folder_provenance,
    ),
    Cleaner(
        "population",
        _kwb_files,
        _clean_kwb,
        POPULATION_SCHEMAS,
        "no KWB table found under {raw_dir}; population will be missing",
        folder_provenance,
    ),
    Cleaner(
        "areas",
        _pdok_files,
        _clean_areas,
        {"areas": schemas.areas},
        "no boundaries under {raw_dir}/boundaries or {raw_dir}/pdok; areas (maps) will be missing",
        folder_provenance,
    ),
    # After the OData tables: the own survey is weighted to population_structure, and the
    # supplied files are checked against the area lists of crime and population.
    Cleaner(
        "survey",
        _own_survey_files,
        _clean_own_survey,
        {"survey": schemas.survey},
        _NOT_SUPPLIED.format(name="survey"),
        file_provenance,
    ),
    Cleaner(
        "survey",
        _table_files(VEILIGHEIDSMONITOR_TABLE),
        _clean_vm_fallback,
        {"survey": schemas.survey},
        "",  # the first 85146NED cleaner already warns that it is missing
        no_provenance,
    ),
    Cleaner(
        "incidents",
        _supplied_file(supplied.E33_FILE),
        _clean_incidents,
        {"incidents": schemas.incidents},
        _NOT_SUPPLIED.format(name="incidents"),
        file_provenance,
    ),
    Cleaner(
        "youth",
        _supplied_file(supplied.YOUTH_FILE),
        _clean_youth,
        {"youth": schemas.youth},
        _NOT_SUPPLIED.format(name="youth"),
        file_provenance,
    ),
    Cleaner(
        "youth_national",
        _supplied_file(youth_national.YOUTH_NATIONAL_FILE),
        _clean_youth_national,
        {"youth_national": schemas.youth_national},
        _NOT_SUPPLIED.format(name="youth_national (C14: national Halt/jeugdreclassering)"),
        file_provenance,
    ),
    Cleaner(
        "accidents",
        _bron_files,
        _clean_accidents,
        {"accidents": schemas.accidents},
        _NOT_SUPPLIED.format(name="accidents"),
        file_provenance,
    ),
)
