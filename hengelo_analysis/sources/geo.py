"""Clean wijk/buurt boundaries into the ``areas`` GeoPackage: fetched PDOK pages or dropped-in files.

Two inputs (the areas cleaner in ``cleaners.py`` picks one):

* ``raw/<source>/boundaries/``: files an analyst (or a later fetch) puts there, which win over
  ``pdok/`` when present — a deliberate choice of boundaries, e.g. another indeling year or the
  detailed wijk- en buurtkaart, must not be overruled by the cached download. GeoJSON, GeoPackage
  (every layer) or shapefile, in any CRS (reprojected to EPSG:28992; a GeoJSON without ``crs`` is
  WGS84 by its standard), with any of the PDOK property schemas (:data:`CODE_SCHEMAS`): the OGC API
  (snake_case) and WFS (camelCase) ``buurtcode``/``wijkcode``/``gemeentecode``, gebiedsindelingen
  ``statcode``/``statnaam``, older CBS downloads ``BU_CODE``/``BU_NAAM``. Features without geometry
  (the national generalised file has some) are skipped with a warning; missing wijken and the
  gemeente are dissolved from the buurten (a CBS code names its parents: ``BU01640305`` lies in
  ``WK016403`` in ``GM0164``).
* ``raw/<source>/pdok/<year>/``: OGC API Features pages (``{wijken,buurten}-NNNN.json``) fetched
  with ``crs=EPSG:28992``.

Polygons flagged ``water == "JA"`` are water, not land, and are dropped (data-sources.md §4); an
area split into several land polygons is dissolved into one row. The gemeente polygon is the
dissolve of its wijken.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import shape

from hengelo_analysis.domain import AREA_CODE_RE, LEVEL_BY_PREFIX, NL_CODE
from hengelo_analysis.errors import DataError
from hengelo_analysis.sources.indeling import boundary_coverage
from hengelo_analysis.sources.rawfiles import read_bytes, regular_file

CRS = "EPSG:28992"
PAGE_RE = re.compile(r"^(?P<name>wijken|buurten)-(?P<page>\d{4})\.json$")
AREA_COLUMNS = ["area_code", "area_name", "area_level", "parent_code", "geometry"]
LEVELS = {
    "buurten": ("buurtcode", "buurtnaam", "buurt", "wijkcode"),
    "wijken": ("wijkcode", "wijknaam", "wijk", "gemeentecode"),
}


BOUNDARIES_DIR = "boundaries"
BOUNDARY_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp")
# (code, name) property names of the schemas, most specific first: a buurt feature of the OGC API
# or WFS also carries its wijkcode and gemeentecode, so ``buurtcode`` must be tried before them.
# Compared case-insensitively (WFS ``gemeentecode`` and ``BU_CODE`` alike).
CODE_SCHEMAS = (
    ("statcode", "statnaam"),
    ("buurtcode", "buurtnaam"),
    ("wijkcode", "wijknaam"),
    ("gemeentecode", "gemeentenaam"),
    ("bu_code", "bu_naam"),
    ("wk_code", "wk_naam"),
    ("gm_code", "gm_naam"),
)
GEMEENTE_NAME_KEYS = ("gemeentenaam", "gm_naam")  # names a derived gemeente polygon
YEAR_KEYS = ("jrstatcode", "jaarcode", "jaar")  # "2024BU01640000", 2024
SHOWN_CODES = 10  # codes named in one warning


def parent_code(code: str) -> str:
    """The area one level up, from the CBS code itself: BU01640305 → WK016403 → GM0164 → NL00."""
    if code.startswith("BU"):
        return "WK" + code[2:8]
    if code.startswith("WK"):
        return "GM" + code[2:6]
    return NL_CODE


def pdok_year_dir(raw_dir: Path, year: int | None = None) -> Path | None:
    """The ``pdok/<year>`` folder to use: ``year`` if given and present, else the latest one."""
    root = raw_dir / "pdok"
    if not root.is_dir():
        return None
    years = sorted(int(p.name) for p in root.iterdir() if p.is_dir() and p.name.isdigit())
    if not years:
        return None
    chosen = year if year in years else years[-1]
    return root / str(chosen)


def read_features(folder: Path, collection: str) -> list[tuple[Path, int, dict]]:
    """(file, 1-based feature number, feature) of every page of ``collection``, in page order."""
    pages = sorted(
        (int(m.group("page")), p)
        for p in folder.iterdir()
        if (m := PAGE_RE.match(p.name)) and m.group("name") == collection and regular_file(p)
    )
    out = []
    for _, path in pages:
        try:
            doc = json.loads(read_bytes(path))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise DataError(path, f"not valid GeoJSON ({exc})") from exc
        if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
            raise DataError(path, "not a GeoJSON FeatureCollection")
        for i, feature in enumerate(doc.get("features") or [], start=1):
            out.append((path, i, feature))
    return out


def _level_frame(folder: Path, collection: str) -> gpd.GeoDataFrame:
    code_key, name_key, level, parent_key = LEVELS[collection]
    records = []
    for path, i, feature in read_features(folder, collection):
        props = feature.get("properties") or {}
        for key in (code_key, parent_key, "water"):
            if key not in props:
                raise DataError(path, "property missing", column=key, row=i)
        if str(props["water"]).strip().upper() == "JA":
            continue  # water, not land: not shown on maps
        code = str(props[code_key]).strip()
        if not AREA_CODE_RE.match(code):
            raise DataError(path, f"unknown area code {code!r}", column=code_key, row=i)
        try:
            geom = shape(feature["geometry"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise DataError(path, f"invalid geometry ({exc})", column="geometry", row=i) from exc
        records.append(
            {
                "area_code": code,
                "area_name": (props.get(name_key) or "").strip() or None,
                "area_level": level,
                "parent_code": str(props[parent_key]).strip(),
                "geometry": geom,
                "_gemeente_name": (props.get("gemeentenaam") or "").strip() or None,
            }
        )
    if not records:
        return gpd.GeoDataFrame(
            columns=[*AREA_COLUMNS, "_gemeente_name"], geometry="geometry", crs=CRS
        )
    gdf = gpd.GeoDataFrame(records, geometry="geometry", crs=CRS)
    # Several land polygons of one area (rare) become one multipolygon.
    return gdf.dissolve(by="area_code", as_index=False, aggfunc="first")


def clean_areas_folder(folder: Path) -> gpd.GeoDataFrame:
    """One ``pdok/<year>`` folder → the ``areas`` table (buurten, wijken and the gemeente)."""
    buurten = _level_frame(folder, "buurten")
    wijken = _level_frame(folder, "wijken")
    if wijken.empty:
        raise DataError(folder / "wijken-0001.json", "no wijk polygons (land) in the folder")
    return _areas_frame([_dissolved_gemeenten(wijken), wijken, buurten])


def _dissolved_gemeenten(wijken: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    gemeente = wijken.dissolve(by="parent_code", as_index=False, aggfunc="first")
    return gpd.GeoDataFrame(
        {
            "area_code": gemeente["parent_code"],
            "area_name": gemeente["_gemeente_name"],
            "area_level": "gemeente",
            "parent_code": NL_CODE,
            "geometry": gemeente.geometry,
        },
        geometry="geometry",
        crs=CRS,
    )


def _areas_frame(parts: list[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    areas = pd.concat([p[AREA_COLUMNS] for p in parts], ignore_index=True)
    areas = gpd.GeoDataFrame(areas, geometry="geometry", crs=CRS)
    for column in ("area_code", "area_name", "area_level", "parent_code"):
        areas[column] = areas[column].astype("string")
    return areas.sort_values("area_code", ignore_index=True)


# --- boundary files dropped into raw/<source>/boundaries/ ----------------------------------------


@dataclass
class Boundaries:
    """The ``areas`` rows read from ``boundaries/``, what was skipped or derived, and the years."""

    areas: gpd.GeoDataFrame
    warnings: list[str] = field(default_factory=list)
    years: set[int] = field(default_factory=set)  # indeling years the files name (jrstatcode)


def boundary_files(folder: Path) -> list[Path]:
    """The readable boundary files under ``folder`` (shapefile sidecars are read with their .shp)."""
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and p.suffix.lower() in BOUNDARY_SUFFIXES
        and p.name != "manifest.json"
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


def _layers(path: Path) -> list[str | None]:
    if path.suffix.lower() != ".gpkg":
        return [None]
    import pyogrio

    return [str(name) for name, geometry_type in pyogrio.list_layers(path) if geometry_type]


def _read_layer(path: Path, layer: str | None) -> gpd.GeoDataFrame:
    try:
        gdf = gpd.read_file(path, layer=layer) if layer else gpd.read_file(path)
    except Exception as exc:  # pyogrio raises its own DataSourceError/DataLayerError and others
        raise DataError(path, f"not a readable boundary file ({exc})") from exc
    if gdf.crs is None:
        raise DataError(path, "no coordinate reference system (a shapefile needs its .prj)")
    return gdf


def _schema(columns: dict[str, str], path: Path) -> tuple[str, str | None]:
    for code_key, name_key in CODE_SCHEMAS:
        if code_key in columns:
            return columns[code_key], columns.get(name_key)
    raise DataError(
        path, "no area code property (statcode, buurtcode, wijkcode, gemeentecode or BU_CODE)"
    )


def _file_years(gdf: gpd.GeoDataFrame, columns: dict[str, str]) -> set[int]:
    for key in YEAR_KEYS:
        if key in columns:
            years = gdf[columns[key]].dropna().astype(str).str[:4]
            return {int(y) for y in years if y.isdigit()}
    return set()


def _shown(codes: list[str]) -> str:
    more = len(codes) - SHOWN_CODES
    return ", ".join(codes[:SHOWN_CODES]) + (f" and {more} more" if more > 0 else "")


def _read_boundary_layer(
    path: Path, layer: str | None, gemeenten: set[str] | None, out: Boundaries
):
    gdf = _read_layer(path, layer)
    label = f"{path.name}:{layer}" if layer else path.name
    columns = {c.lower(): c for c in gdf.columns if c != gdf.geometry.name}
    code_key, name_key = _schema(columns, path)
    codes = gdf[code_key].astype("string").str.strip().fillna("")
    keep = codes.str.match(AREA_CODE_RE.pattern) & ~codes.str.startswith("NL")
    if "water" in columns:  # OGC API and WFS: water polygons carry a land code
        keep &= gdf[columns["water"]].astype("string").fillna("").str.strip().str.upper() != "JA"
    keep = keep.astype(bool)
    if gemeenten:
        keep &= ("GM" + codes.str[2:6]).isin(gemeenten)
    gdf, codes = gdf[keep], codes[keep]
    empty = gdf.geometry.isna() | gdf.geometry.is_empty
    if empty.any():
        out.warnings.append(
            f"boundaries {label}: {int(empty.sum())} features without geometry skipped "
            f"({_shown(sorted(codes[empty]))})"
        )
    gdf, codes = gdf[~empty], codes[~empty]
    out.years |= _file_years(gdf, columns)
    gemeente_key = next((columns[k] for k in GEMEENTE_NAME_KEYS if k in columns), None)
    gemeente_names = gdf[gemeente_key] if gemeente_key else None
    frame = gpd.GeoDataFrame(
        {
            "area_code": codes,
            "area_name": gdf[name_key].astype("string").str.strip() if name_key else None,
            "area_level": codes.str[:2].map(LEVEL_BY_PREFIX),
            "parent_code": codes.map(parent_code),
            "_gemeente_name": gemeente_names,
            "geometry": gdf.geometry.to_crs(CRS),
        },
        geometry="geometry",
        crs=CRS,
    )
    # Generalised boundaries (3 decimals) may touch themselves after reprojection.
    invalid = ~frame.geometry.is_valid
    frame.loc[invalid, "geometry"] = frame.geometry[invalid].make_valid()
    return frame


def _derive_missing_levels(frame: gpd.GeoDataFrame, out: Boundaries) -> gpd.GeoDataFrame:
    """Wijken from buurten and gemeenten from wijken where a file gave only the lower level."""
    for lower, upper in (("buurt", "wijk"), ("wijk", "gemeente")):
        have = set(frame.loc[frame.area_level == upper, "area_code"])
        rows = frame[(frame.area_level == lower) & ~frame.parent_code.isin(have)]
        if rows.empty:
            continue
        derived = rows.dissolve(by="parent_code", as_index=False, aggfunc="first")
        derived = gpd.GeoDataFrame(
            {
                "area_code": derived["parent_code"],
                "area_name": derived["_gemeente_name"] if upper == "gemeente" else None,
                "area_level": upper,
                "parent_code": derived["parent_code"].map(parent_code),
                "_gemeente_name": derived["_gemeente_name"],
                "geometry": derived.geometry,
            },
            geometry="geometry",
            crs=CRS,
        )
        out.warnings.append(
            f"boundaries: {len(derived)} {upper} polygons dissolved from the {lower}en "
            f"({_shown(sorted(derived.area_code))}); their names come from the other tables"
        )
        frame = pd.concat([frame, derived], ignore_index=True)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=CRS)


def clean_boundaries(folder: Path, gemeenten: set[str] | None = None) -> Boundaries:
    """Every boundary file under ``folder`` → ``areas`` rows (of ``gemeenten`` only, when given).

    An area found in two files is taken from the first (sorted by path) with a warning: two
    indeling years must not be merged into one polygon.
    """
    out = Boundaries(areas=gpd.GeoDataFrame(columns=AREA_COLUMNS, geometry="geometry", crs=CRS))
    frames = []
    for path in boundary_files(folder):
        for layer in _layers(path):
            frame = _read_boundary_layer(path, layer, gemeenten, out)
            # Several land polygons of one area in a file become one multipolygon.
            frames.append(frame.dissolve(by="area_code", as_index=False, aggfunc="first"))
    frames = [f for f in frames if not f.empty]
    if not frames:
        raise DataError(folder, "no boundary polygons (land) of the gemeente in the files")
    frame = pd.concat(frames, ignore_index=True)
    twice = frame.area_code.duplicated()
    if twice.any():
        out.warnings.append(
            f"boundaries: {int(twice.sum())} areas in more than one file; the first file's kept "
            f"({_shown(sorted(set(frame.area_code[twice])))})"
        )
    frame = _derive_missing_levels(gpd.GeoDataFrame(frame[~twice], crs=CRS), out)
    out.areas = _areas_frame([frame])
    return out


def clean_areas_input(
    raw_dir: Path,
    folder: Path,
    gemeenten: set[str],
    indeling: int | None,
    police_codes: list[str],
) -> Boundaries:
    """The ``areas`` cleaner: ``folder`` is ``boundaries/`` (or below it) or a ``pdok/<year>``.

    Warns when the boundary files name another indeling year than the police table, and when
    fewer than 99% of the police buurt codes of ``gemeenten`` have a boundary (naming them).
    """
    dropped = raw_dir / BOUNDARIES_DIR
    if folder == dropped or dropped in folder.parents:
        read = clean_boundaries(dropped, gemeenten or None)
        if pdok_year_dir(raw_dir) is not None:
            read.warnings.insert(0, f"boundaries from {dropped}: they win over the pdok/ download")
        if indeling and read.years and read.years != {indeling}:
            read.warnings.append(
                f"boundary files of {'/'.join(map(str, sorted(read.years)))}, police indeling "
                f"{indeling}: renamed or split buurten may be missing from the maps"
            )
    else:
        read = Boundaries(areas=clean_areas_folder(folder))
    codes = [c for c in police_codes if "GM" + c[2:6] in gemeenten]
    coverage = boundary_coverage(
        codes, read.areas.loc[read.areas.area_level == "buurt", "area_code"]
    )
    if not coverage.ok():
        read.warnings.append(f"boundary coverage of the police buurten: {coverage.message()}")
    return read
