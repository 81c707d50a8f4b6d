"""Clean PDOK wijk/buurt boundaries (``raw/<source>/pdok/<year>/``) into the ``areas`` GeoPackage.

The pages are OGC API Features GeoJSON (``{wijken,buurten}-NNNN.json``) fetched with
``crs=EPSG:28992``, so coordinates are RD New metres. Polygons flagged ``water == "JA"`` are water,
not land, and are dropped (data-sources.md §4); an area split into several land polygons is
dissolved into one row. The gemeente polygon is the dissolve of its wijken.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import shape

from hengelo_analysis.areas import AREA_CODE_RE
from hengelo_analysis.errors import DataError

CRS = "EPSG:28992"
PAGE_RE = re.compile(r"^(?P<name>wijken|buurten)-(?P<page>\d{4})\.json$")
AREA_COLUMNS = ["area_code", "area_name", "area_level", "parent_code", "geometry"]
LEVELS = {
    "buurten": ("buurtcode", "buurtnaam", "buurt", "wijkcode"),
    "wijken": ("wijkcode", "wijknaam", "wijk", "gemeentecode"),
}


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
        if (m := PAGE_RE.match(p.name)) and m.group("name") == collection
    )
    out = []
    for _, path in pages:
        try:
            doc = json.loads(path.read_bytes())
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
    gemeente = wijken.dissolve(by="parent_code", as_index=False, aggfunc="first")
    gemeente = gpd.GeoDataFrame(
        {
            "area_code": gemeente["parent_code"],
            "area_name": gemeente["_gemeente_name"],
            "area_level": "gemeente",
            "parent_code": "NL00",
            "geometry": gemeente.geometry,
        },
        geometry="geometry",
        crs=CRS,
    )
    areas = pd.concat([gemeente, wijken[AREA_COLUMNS], buurten[AREA_COLUMNS]], ignore_index=True)
    areas = gpd.GeoDataFrame(areas, geometry="geometry", crs=CRS)
    for column in ("area_code", "area_name", "area_level", "parent_code"):
        areas[column] = areas[column].astype("string")
    return areas.sort_values("area_code", ignore_index=True)


def clean_areas(raw_dir: Path, found: dict[str, Path]):
    """The ``areas`` table for ``clean``: ``({"areas": gdf}, {"pdok/<year>": folder}, warnings)``.

    Uses the PDOK year matching 47018NED's indeling (``MapYear``) when present, else the latest.
    """
    from hengelo_analysis.fetch import map_year

    folder = pdok_year_dir(raw_dir, map_year(raw_dir))
    if folder is None:
        return (
            {},
            {},
            [f"no PDOK boundaries under {raw_dir / 'pdok'}; areas (maps) will be missing"],
        )
    # The folder goes into provenance.json under "pdok/<year>" (its manifest: retrieval, synthetic).
    return {"areas": clean_areas_folder(folder)}, {f"pdok/{folder.name}": folder}, []
