"""clean of PDOK boundaries into ``areas``: water dropped, nesting, gemeente dissolve, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hengelo_analysis.errors import DataError
from hengelo_analysis.paths import Layout
from hengelo_analysis.sources.clean import clean_source
from hengelo_analysis.sources.geo import clean_areas_folder


def square(x0, y0, x1, y1):
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def feature(props, geometry):
    return {"type": "Feature", "properties": props, "geometry": geometry}


def buurt(code, wijk, water, geom, name="B"):
    props = {
        "buurtcode": code,
        "buurtnaam": name,
        "wijkcode": wijk,
        "gemeentecode": "GM0164",
        "gemeentenaam": "Hengelo",
        "water": water,
    }
    return feature(props, geom)


def wijk(code, geom):
    props = {
        "wijkcode": code,
        "wijknaam": f"Wijk {code[-2:]}",
        "gemeentecode": "GM0164",
        "gemeentenaam": "Hengelo",
        "water": "NEE",
    }
    return feature(props, geom)


def page(features, next_href=None):
    links = [{"rel": "self", "href": "https://api.pdok.nl/x"}]
    if next_href:
        links.append({"rel": "next", "href": next_href})
    return {"type": "FeatureCollection", "links": links, "features": features}


def write_pdok(folder: Path) -> Path:
    """Two wijken of 1000 x 1000 m; three buurten (one in two land parts) and a water polygon."""
    folder.mkdir(parents=True, exist_ok=True)
    x, y = 250_000, 477_000
    wijken = [wijk("WK016400", square(x, y, x + 1000, y + 1000))]
    wijken.append(wijk("WK016401", square(x + 1000, y, x + 2000, y + 1000)))
    (folder / "wijken-0001.json").write_text(json.dumps(page(wijken)))
    first = [
        buurt("BU01640000", "WK016400", "NEE", square(x, y, x + 1000, y + 400), "Centrum"),
        buurt("BU01640001", "WK016400", "NEE", square(x, y + 400, x + 1000, y + 1000)),
        # Water with the code of a land buurt: not land, must not appear on the map.
        buurt("BU01640000", "WK016400", "JA", square(x, y - 100, x + 1000, y)),
    ]
    second = [
        buurt("BU01640100", "WK016401", "NEE", square(x + 1000, y, x + 2000, y + 500)),
        buurt("BU01640100", "WK016401", "NEE", square(x + 1000, y + 500, x + 2000, y + 1000)),
    ]
    (folder / "buurten-0001.json").write_text(json.dumps(page(first, "https://api.pdok.nl/n")))
    (folder / "buurten-0002.json").write_text(json.dumps(page(second)))
    return folder


def test_areas_drop_water_nest_and_dissolve(tmp_path):
    areas = clean_areas_folder(write_pdok(tmp_path / "pdok" / "2025")).set_index("area_code")
    assert areas.crs.to_epsg() == 28992
    assert sorted(areas.index) == [
        "BU01640000",
        "BU01640001",
        "BU01640100",
        "GM0164",
        "WK016400",
        "WK016401",
    ]
    assert areas.loc["BU01640000", "geometry"].area == pytest.approx(400_000)  # water dropped
    assert areas.loc["BU01640100", "geometry"].area == pytest.approx(1_000_000)  # parts dissolved
    assert areas.loc["GM0164", "geometry"].area == pytest.approx(2_000_000)
    assert areas.loc["GM0164", "area_name"] == "Hengelo"
    assert areas.loc["GM0164", "parent_code"] == "NL00"
    assert areas.loc["BU01640001", "parent_code"] == "WK016400"
    assert areas.loc["WK016401", "parent_code"] == "GM0164"
    assert areas.loc["BU01640000", "area_name"] == "Centrum"
    assert areas.loc["WK016400", "area_level"] == "wijk"
    # Every buurt lies within its wijk.
    for code in ("BU01640000", "BU01640001", "BU01640100"):
        parent = areas.loc[areas.loc[code, "parent_code"], "geometry"]
        assert parent.buffer(0.01).contains(areas.loc[code, "geometry"])


def test_latest_pdok_year_is_used_without_police_table(tmp_path):
    layout = Layout(tmp_path / "data", tmp_path / "reports", "t")
    write_pdok(layout.raw_dir / "pdok" / "2023")
    newer = write_pdok(layout.raw_dir / "pdok" / "2025")
    (newer / "wijken-0001.json").write_text(
        json.dumps(page([wijk("WK016400", square(0, 0, 10, 10))]))
    )
    result = clean_source(layout)
    gm = result.tables["areas"].set_index("area_code").loc["GM0164", "geometry"]
    assert gm.area == pytest.approx(100)  # from 2025, not 2023
    assert "pdok/2025" in result.provenance and "pdok/2023" not in result.provenance


def test_missing_pdok_is_a_warning(tmp_path):
    result = clean_source(Layout(tmp_path / "data", tmp_path / "reports", "t"))
    assert "areas" not in result.tables
    assert any("areas (maps) will be missing" in w for w in result.warnings)


def test_bad_pdok_input_names_file_column_and_row(tmp_path):
    folder = write_pdok(tmp_path / "pdok" / "2025")
    doc = json.loads((folder / "buurten-0002.json").read_text())
    del doc["features"][1]["properties"]["water"]
    (folder / "buurten-0002.json").write_text(json.dumps(doc))
    with pytest.raises(DataError) as info:
        clean_areas_folder(folder)
    assert info.value.path.name == "buurten-0002.json"
    assert info.value.column == "water" and info.value.row == 2
    folder = write_pdok(tmp_path / "pdok" / "2024")
    (folder / "wijken-0001.json").write_text('{"type": "FeatureCollection", "feat')
    with pytest.raises(DataError, match="not valid GeoJSON"):
        clean_areas_folder(folder)
