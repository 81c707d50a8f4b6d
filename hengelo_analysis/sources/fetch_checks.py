"""The checks ``fetch`` applies to a complete staged download before it replaces the cached copy.

Each is the reader ``clean`` applies to that table, with its processed schema: an answer that is
valid JSON but empty or unusable fails here and keeps the old copy (``download.run_check``). The
readers are imported inside the functions, so a fetch that fails early never loads pandas.
"""

from __future__ import annotations

from pathlib import Path

from hengelo_analysis.errors import DataError


def _refuse_empty(folder: Path, what: str, frame) -> None:
    if frame.empty:
        raise DataError(folder, f"no {what} rows")


def check_crime(folder: Path) -> None:
    """47018NED as ``clean`` reads it: the police reader and the ``crime`` schema."""
    from hengelo_analysis.processed import schemas
    from hengelo_analysis.sources import police

    crime = schemas.validate(schemas.crime, police.clean_crime_table(folder), str(folder))
    _refuse_empty(folder, "crime", crime)


def check_nuisance(folder: Path) -> None:
    """47021NED or 47024NED as ``clean`` reads it: the overlast reader and the ``nuisance`` schema."""
    from hengelo_analysis.processed import schemas
    from hengelo_analysis.sources import nuisance

    tables, _, _ = nuisance.clean_nuisance(folder.parent, {folder.name: folder})
    frame = tables.get("nuisance", nuisance.combine(None, None))
    _refuse_empty(folder, "nuisance", schemas.validate(schemas.nuisance, frame, str(folder)))


def check_crime_monthly(folder: Path) -> None:
    """47022NED as ``clean`` reads it: the monthly reader and the ``crime_monthly`` schema."""
    from hengelo_analysis.processed import schemas
    from hengelo_analysis.sources import police_monthly

    frame = police_monthly.clean_monthly_crime_table(folder)
    _refuse_empty(
        folder, "crime_monthly", schemas.validate(schemas.crime_monthly, frame, str(folder))
    )


def check_survey(folder: Path) -> None:
    """85146NED as ``clean`` reads it: the Veiligheidsmonitor reader and the ``survey`` schema."""
    from hengelo_analysis.processed import schemas
    from hengelo_analysis.sources import veiligheidsmonitor

    survey = veiligheidsmonitor.clean_table(folder)
    _refuse_empty(folder, "survey", schemas.validate(schemas.survey, survey, str(folder)))


def check_kwb(folder: Path, year: int | None = None) -> None:
    """A KWB table as ``clean`` reads it (the ``population`` schema applies to all years at once);
    ``year`` for a table newer than the code knows (the catalogue gave it)."""
    from hengelo_analysis.sources import kwb

    population, _ = kwb.clean_kwb_table(folder, year)
    _refuse_empty(folder, "population", population)


def check_areas(folder: Path) -> None:
    """PDOK boundaries as ``clean`` reads them: the geo reader and the ``areas`` schema."""
    from hengelo_analysis.processed import schemas
    from hengelo_analysis.sources import geo

    areas = schemas.validate(schemas.areas, geo.clean_areas_folder(folder), str(folder))
    _refuse_empty(folder, "areas", areas)
