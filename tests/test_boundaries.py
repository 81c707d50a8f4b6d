"""Boundary files an analyst drops into ``raw/<source>/boundaries/``, on the REAL geometry samples.

The samples (tests/fixtures/real/geometry/, real-samples README §3): the 62 Hengelo buurten 2024 of
PDOK gebiedsindelingen (``statcode``/``statnaam``, WGS84, BU01640909 a Polygon with a hole), two
national features with ``"geometry": null``, the 10 wijken 2023 (same schema) and the gemeente 2023
from the PDOK WFS (camelCase ``gemeentecode``/``gemeentenaam``, ``water``, ``jrstatcode``).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from real_samples import REAL, police_47018, write_table
from shapely.geometry import box

from hengelo_analysis.errors import DataError
from hengelo_analysis.paths import Layout
from hengelo_analysis.processed import schemas
from hengelo_analysis.sources.clean import clean_source
from hengelo_analysis.sources.geo import clean_boundaries, parent_code

GEOMETRY = REAL / "geometry"
BUURTEN_2024 = "cartomap_buurt_2024_wgs84_BU0164_features.geojson"
NULL_GEOMETRY = "cartomap_buurt_2024_null_geometry_examples.geojson"
WIJKEN_2023 = "cartomap_wijk_2023_wgs84_WK0164_features.geojson"
WFS_GEMEENTE_2023 = "stdekker_web_data_gemeenten_2023_GM0164_feature.json"


def drop(folder: Path, *names: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(GEOMETRY / name, folder / name)
    return folder


def test_parent_codes_follow_the_cbs_code():
    assert parent_code("BU01640909") == "WK016409"
    assert parent_code("BU0363AD07") == "WK0363AD"
    assert parent_code("WK016409") == "GM0164"
    assert parent_code("GM0164") == "NL00"


def test_real_buurten_in_wgs84_become_rd_areas_with_derived_wijken_and_gemeente(tmp_path):
    read = clean_boundaries(drop(tmp_path / "boundaries", BUURTEN_2024))
    areas = schemas.validate(schemas.areas, read.areas, "boundaries").set_index("area_code")
    assert areas.crs.to_epsg() == 28992
    levels = areas["area_level"].value_counts().to_dict()
    assert levels == {"buurt": 62, "wijk": 10, "gemeente": 1}
    assert read.years == {2024}  # from jrstatcode "2024BU…"
    assert areas.loc["BU01640000", "area_name"] == "Binnenstad-Centrum"
    assert areas.loc["BU01640000", "parent_code"] == "WK016400"
    # RD New metres around Hengelo, not degrees.
    x, y = areas.loc["GM0164", "geometry"].centroid.coords[0]
    assert 245_000 < x < 260_000 and 470_000 < y < 485_000
    hole = areas.loc["BU01640909", "geometry"]
    assert hole.geom_type == "Polygon" and len(hole.interiors) == 1  # the hole survives
    # The derived gemeente covers every buurt; the derived wijken have no name of their own.
    assert areas.loc["GM0164", "geometry"].buffer(1).contains(areas.loc["BU01640909", "geometry"])
    assert pd.isna(areas.loc["WK016409", "area_name"])
    assert any("10 wijk polygons dissolved from the buurten" in w for w in read.warnings)


def test_features_without_geometry_are_skipped_with_a_warning(tmp_path):
    read = clean_boundaries(drop(tmp_path / "b", BUURTEN_2024, NULL_GEOMETRY))
    assert "BU01411801" not in set(read.areas.area_code)
    warning = next(w for w in read.warnings if "without geometry" in w)
    assert "2 features without geometry skipped (BU01411801, BU02140000)" in warning
    # Restricted to the focus gemeente, the other gemeenten' features are not even looked at.
    focus = clean_boundaries(drop(tmp_path / "c", BUURTEN_2024, NULL_GEOMETRY), {"GM0164"})
    assert not [w for w in focus.warnings if "without geometry" in w]
    assert set(focus.areas.area_code.str[2:6]) == {"0164"}


def test_wfs_camelcase_gemeente_and_a_wijk_file_are_used_not_derived(tmp_path):
    read = clean_boundaries(drop(tmp_path / "b", BUURTEN_2024, WIJKEN_2023, WFS_GEMEENTE_2023))
    areas = read.areas.set_index("area_code")
    assert areas.loc["GM0164", "area_name"] == "Hengelo"  # WFS gemeentenaam
    assert areas.loc["WK016400", "area_name"] == "Wijk 00 Binnenstad"  # statnaam of the wijk file
    assert not [w for w in read.warnings if "dissolved" in w]
    assert read.years == {2023, 2024}
    assert len(areas) == 73


def test_geopackage_and_shapefile_in_other_crs_with_the_ogc_schema(tmp_path):
    # OGC API snake_case properties; a water polygon with a land code; EPSG:3857 and EPSG:28992.
    x, y = 250_000, 477_000
    rd = gpd.GeoDataFrame(
        {
            "buurtcode": ["BU01640000", "BU01640001", "BU01640000"],
            "buurtnaam": ["Centrum", "West", "Centrum"],
            "wijkcode": ["WK016400"] * 3,
            "gemeentecode": ["GM0164"] * 3,
            "gemeentenaam": ["Hengelo"] * 3,
            "water": ["NEE", "NEE", "JA"],
            "aantal_inwoners": [100, 200, 0],
        },
        geometry=[
            box(x, y, x + 1000, y + 500),
            box(x, y + 500, x + 1000, y + 1000),
            box(x, y - 50, x + 1000, y),
        ],
        crs="EPSG:28992",
    )
    folder = tmp_path / "boundaries"
    folder.mkdir()
    rd.to_crs("EPSG:3857").to_file(folder / "buurten.gpkg", layer="buurten", driver="GPKG")
    areas = clean_boundaries(folder).areas.set_index("area_code")
    assert areas.loc["BU01640000", "geometry"].area == pytest.approx(
        500_000, rel=1e-6
    )  # water gone
    assert areas.loc["GM0164", "geometry"].area == pytest.approx(1_000_000, rel=1e-6)
    (folder / "buurten.gpkg").unlink()
    shp = folder / "shape"
    shp.mkdir()
    # Older CBS shapefiles: BU_CODE, BU_NAAM, GM_NAAM (a shapefile keeps 10 characters of a name).
    cbs = {"buurtcode": "BU_CODE", "buurtnaam": "BU_NAAM", "wijkcode": "WK_CODE"}
    cbs |= {"gemeentecode": "GM_CODE", "gemeentenaam": "GM_NAAM", "water": "WATER"}
    rd.rename(columns=cbs).drop(columns="aantal_inwoners").to_file(shp / "buurten.shp")
    areas = clean_boundaries(folder).areas.set_index("area_code")
    assert areas.loc["BU01640001", "area_name"] == "West"
    assert areas.loc["GM0164", "area_name"] == "Hengelo"
    assert areas.loc["BU01640000", "geometry"].area == pytest.approx(500_000)
    assert areas.loc["WK016400", "geometry"].area == pytest.approx(1_000_000)
    (shp / "buurten.prj").unlink()
    with pytest.raises(DataError, match="no coordinate reference system"):
        clean_boundaries(folder)


def test_a_file_without_area_codes_is_refused_with_its_name(tmp_path):
    folder = tmp_path / "boundaries"
    folder.mkdir()
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"naam": "x"},
                "geometry": json.loads(gpd.GeoSeries([box(0, 0, 1, 1)]).to_json())["features"][0][
                    "geometry"
                ],
            }
        ],
    }
    (folder / "wijken.geojson").write_text(json.dumps(doc))
    with pytest.raises(DataError, match="no area code property") as info:
        clean_boundaries(folder)
    assert info.value.path.name == "wijken.geojson"


def _police_2023(raw: Path) -> None:
    """The recorded 47018NED rows of the 62 Hengelo buurten (indeling 2024)."""
    write_table(
        raw,
        "47018NED",
        {
            "TableInfos": police_47018("TableInfos"),
            "DataProperties": police_47018("DataProperties"),
            "SoortMisdrijf": police_47018("SoortMisdrijf"),
            "WijkenEnBuurten": police_47018("WijkenEnBuurten_GM0164_subset"),
            "Perioden": police_47018("Perioden"),
            "TypedDataSet": police_47018("data_csv_2023_GM0164_rows"),
        },
    )


def test_clean_uses_dropped_boundaries_over_pdok_and_checks_coverage(tmp_path):
    layout = Layout(tmp_path / "data", tmp_path / "reports", "t")
    _police_2023(layout.raw_dir)
    pdok = layout.raw_dir / "pdok" / "2024"
    pdok.mkdir(parents=True)
    (pdok / "wijken-0001.json").write_text('{"type": "FeatureCollection", "features": []}')
    drop(layout.raw_dir / "boundaries", BUURTEN_2024)
    result = clean_source(layout)
    areas = result.tables["areas"]
    assert (areas.area_level == "buurt").sum() == 62
    assert any("they win over the pdok/ download" in w for w in result.warnings)
    assert not [w for w in result.warnings if "boundary coverage" in w]  # 62 of 62
    assert "boundaries" in result.provenance

    # One buurt less in the file: the coverage warning names it.
    path = layout.raw_dir / "boundaries" / BUURTEN_2024
    doc = json.loads(path.read_text())
    doc["features"] = [f for f in doc["features"] if f["properties"]["statcode"] != "BU01640305"]
    path.write_text(json.dumps(doc))
    result = clean_source(layout)
    warning = next(w for w in result.warnings if "boundary coverage" in w)
    assert "61 of 62 buurten have a boundary" in warning and "missing: BU01640305" in warning


def test_first_run_checks_report_the_coverage_of_dropped_in_boundaries(tmp_path):
    from hengelo_analysis.sources.first_run import first_run_checks

    raw = tmp_path / "raw"
    _police_2023(raw)
    drop(raw / "boundaries", BUURTEN_2024)
    lines = first_run_checks(raw, "GM0164")
    coverage = next(line for line in lines if line.startswith("boundary coverage"))
    assert "(dropped in; wins over pdok/)" in coverage
    assert "62 of 62 buurten have a boundary (100.0%)" in coverage
    assert (
        "indeling year of 47018NED (from its region dimension's text, else MapYear): 2024"
        in lines[-2]
    )


def test_fetch_does_not_download_pdok_when_boundaries_were_dropped_in(tmp_path):
    from hengelo_analysis.sources.fetch import fetch_real
    from tests.http_fixtures import FixtureServer, client, endpoints, make_services

    raw = tmp_path / "raw"
    drop(raw / "boundaries", BUURTEN_2024)
    services = make_services(page_size=1000)
    with FixtureServer(services) as base:
        report = fetch_real(raw, "GM0164", endpoints=endpoints(base), client=client())
    assert report.pdok_year is None and services.count("/collections/") == 0
    assert not (raw / "pdok").exists()
    assert any("(dropped in; wins over pdok/)" in line for line in report.checks)
