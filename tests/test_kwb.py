"""clean of the KWB tables on a hand-placed raw/real tree: known values, suffixes, sentinels, flags."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from hengelo_analysis.cli import main
from hengelo_analysis.errors import DataError
from hengelo_analysis.sources.kwb import clean_kwb_table, clean_population
from hengelo_analysis.sources.odata import discover_tables
from tests.conftest import odata_doc, row, write_crime_table
from tests.test_geo import write_pdok


def kwb_props(region: str, suffixes: dict[str, int], perioden: bool = False) -> list[dict]:
    props = [{"ID": 0, "Type": "GeoDetail", "Key": region, "Title": "Wijken en buurten"}]
    if perioden:
        props.append({"ID": 1, "Type": "TimeDimension", "Key": "Perioden", "Title": "Perioden"})
    for name, n in suffixes.items():
        props.append({"ID": len(props), "Type": "Topic", "Key": f"{name}_{n}", "Title": name})
    # A topic whose key merely starts with the same letters must not be taken for inhabitants.
    props.append({"ID": len(props), "Type": "Topic", "Key": "AantalInwonersPerKm2Land_99"})
    return props


def write_kwb(
    raw: Path,
    table_id: str,
    suffixes: dict[str, int],
    rows: list[dict],
    region: str = "WijkenEnBuurten",
    perioden: bool = False,
) -> Path:
    folder = raw / table_id
    folder.mkdir(parents=True, exist_ok=True)
    sets = {
        "TableInfos": [
            {"ID": 0, "Title": "Kerncijfers wijken en buurten", "Modified": "2024-07-01"}
        ],
        "DataProperties": kwb_props(region, suffixes, perioden),
        # A dimension serves each key once, however many data rows use it.
        region: [{"Key": k, "Title": "x"} for k in dict.fromkeys(r[region] for r in rows)],
    }
    for name, value in sets.items():
        (folder / f"{name}.json").write_text(json.dumps(odata_doc(table_id, name, value)))
    (folder / "TypedDataSet-0001.json").write_text(
        json.dumps(odata_doc(table_id, "TypedDataSet", rows))
    )
    return folder


SUFFIX_2012 = {
    "SoortRegio": 2,
    "AantalInwoners": 4,
    "Mannen": 5,
    "Vrouwen": 6,
    "MateVanStedelijkheid": 101,
}
SUFFIX_2024 = {
    "SoortRegio": 2,
    "AantalInwoners": 5,
    "Mannen": 6,
    "Vrouwen": 7,
    "k_0Tot15Jaar": 8,
    "k_65JaarOfOuder": 12,
    "MateVanStedelijkheid": 116,
}


def kwb_row(
    area, soort, inhabitants, sted, suffixes, period=None, region="WijkenEnBuurten", **extra
):
    r = {"ID": 0, region: area, f"SoortRegio_{suffixes['SoortRegio']}": soort.ljust(10)}
    if period:
        r["Perioden"] = period
    r[f"AantalInwoners_{suffixes['AantalInwoners']}"] = inhabitants
    r[f"MateVanStedelijkheid_{suffixes['MateVanStedelijkheid']}"] = sted
    for name, value in extra.items():
        r[f"{name}_{suffixes[name]}"] = value
    return r


def hand_tree(raw: Path) -> Path:
    """47018NED (4 areas, incl. a buurt of a newer indeling) + 70904NED (2011, 2012) + 85984NED."""
    write_crime_table(
        raw / "47018NED",
        [
            [
                row("0.0.0 ", "GM0164    ", "2024JJ00", 100),
                row("0.0.0 ", "BU01640000", "2024JJ00", 9),
            ]
        ],
    )
    crime_dim = raw / "47018NED" / "WijkenEnBuurten.json"
    doc = json.loads(crime_dim.read_text())
    doc["value"].append({"Key": "BU01640909", "Title": "Verspreide huizen Beckum"})
    crime_dim.write_text(json.dumps(doc))
    s = SUFFIX_2012
    write_kwb(
        raw,
        "70904NED",
        s,
        [
            kwb_row(
                "NL00      ",
                "Land",
                16_730_000,
                None,
                s,
                "2012JJ00",
                Mannen=8_000_000,
                Vrouwen=8_730_000,
            ),
            kwb_row(
                "GM0164    ", "Gemeente", 80_000, 2, s, "2012JJ00", Mannen=39_600, Vrouwen=40_400
            ),
            kwb_row("GM0164    ", "Gemeente", 79_800, 2, s, "2011JJ00"),
            kwb_row("WK016400  ", "Wijk", 5_000, 1, s, "2012JJ00"),
            kwb_row("BU01640000", "Buurt", 1_750, -99997, s, "2012JJ00"),
        ],
        perioden=True,
    )
    s = SUFFIX_2024
    write_kwb(
        raw,
        "85984NED",
        s,
        [
            kwb_row("NL00      ", "Land", 17_950_000, None, s),
            kwb_row(
                "GM0164    ", "Gemeente", 81_000, 2, s, k_0Tot15Jaar=13_000, k_65JaarOfOuder=17_000
            ),
            kwb_row("WK016400  ", "Wijk", 5_100, 1, s),
            kwb_row("BU01640000", "Buurt", -99995, 1, s),  # sentinel: not available
            kwb_row("BU01640909", "Buurt", None, None, s),  # null: not published
        ],
    )
    return raw


def test_population_known_values_suffixes_sentinels_and_flags(tmp_path):
    raw = hand_tree(tmp_path / "raw" / "real")
    tables, used, warnings = clean_population(raw, discover_tables(raw))
    assert sorted(used) == ["70904NED", "85984NED"]
    pop = tables["population"].set_index(["area_code", "year"])
    assert pop.loc[("GM0164", 2012), "inhabitants"] == 80_000  # suffix _4 in 2012
    assert pop.loc[("GM0164", 2011), "inhabitants"] == 79_800  # 70904NED: year from Perioden
    assert pop.loc[("GM0164", 2024), "inhabitants"] == 81_000  # suffix _5 in 2024
    assert pop.loc[("GM0164", 2024), "kwb_table"] == "85984NED"
    assert pop.loc[("GM0164", 2012), "stedelijkheid"] == 2  # suffix _101 vs _116
    assert pop.loc[("BU01640000", 2012), "inhabitants"] == 1_750
    assert pd.isna(pop.loc[("BU01640000", 2012), "stedelijkheid"])  # sentinel -99997
    assert pd.isna(pop.loc[("BU01640000", 2024), "inhabitants"])  # sentinel -99995, not a number
    assert pop.loc[("BU01640000", 2024), "population_flag"] == "not_published"
    assert pop.loc[("BU01640909", 2024), "population_flag"] == "not_published"  # null
    # BU01640909 (47018NED's newer indeling) is not in the 2011/2012 table: flagged, no crash.
    assert pd.isna(pop.loc[("BU01640909", 2012), "inhabitants"])
    assert pop.loc[("BU01640909", 2012), "population_flag"] == "code_not_in_kwb_year"
    # 2011 holds no wijk/buurt rows at all (fetch takes only 2012 from 70904NED): not flagged.
    assert ("BU01640909", 2011) not in pop.index
    assert pd.isna(pop.loc[("GM0164", 2024), "population_flag"])
    assert pop.loc[("NL00", 2024), "area_level"] == "land"
    assert pop.loc[("WK016400", 2012), "area_level"] == "wijk"
    assert any("code_not_in_kwb_year" in w for w in warnings)
    struct = tables["population_structure"].set_index(["area_code", "year", "group"])
    assert struct.loc[("GM0164", 2024, "age_0_15"), "inhabitants"] == 13_000
    assert struct.loc[("GM0164", 2024, "age_65_plus"), "inhabitants"] == 17_000
    assert struct.loc[("GM0164", 2012, "sex_man"), "inhabitants"] == 39_600
    assert ("GM0164", 2012, "age_0_15") not in struct.index  # that table has no age columns


def test_no_kwb_table_is_a_warning(tmp_path):
    tables, used, warnings = clean_population(tmp_path, {})
    assert tables == {} and used == {}
    assert "population will be missing" in warnings[0]


@pytest.mark.parametrize(
    ("mutate", "message", "column"),
    [
        (lambda r: r.update(AantalInwoners_5=-12), "negative value -12", "AantalInwoners_5"),
        (lambda r: r.update(AantalInwoners_5=12.5), "not a whole number", "AantalInwoners_5"),
        (lambda r: r.update(MateVanStedelijkheid_116=7), "outside 1-5", "MateVanStedelijkheid_116"),
        (lambda r: r.update(WijkenEnBuurten="XX99      "), "unknown area code", "WijkenEnBuurten"),
    ],
)
def test_bad_kwb_rows_name_file_column_and_row(tmp_path, mutate, message, column):
    s = SUFFIX_2024
    rows = [
        kwb_row("GM0164    ", "Gemeente", 81_000, 2, s),
        kwb_row("WK016400  ", "Wijk", 5_100, 1, s),
    ]
    mutate(rows[1])
    folder = write_kwb(tmp_path, "85984NED", s, rows)
    with pytest.raises(DataError, match=message) as info:
        clean_kwb_table(folder)
    assert info.value.column == column
    assert info.value.row == 2
    assert info.value.path.name == "TypedDataSet-0001.json"


def test_missing_column_is_named(tmp_path):
    s = SUFFIX_2024
    rows = [kwb_row("GM0164    ", "Gemeente", 81_000, 2, s)]
    rows[0].pop("AantalInwoners_5")
    with pytest.raises(DataError, match="column missing") as info:
        clean_kwb_table(write_kwb(tmp_path, "85984NED", s, rows))
    assert info.value.column == "AantalInwoners_5"


def test_duplicate_and_unresolvable_columns(tmp_path):
    s = SUFFIX_2024
    dup = [kwb_row("GM0164    ", "Gemeente", 1, 2, s), kwb_row("GM0164    ", "Gemeente", 2, 2, s)]
    with pytest.raises(DataError, match="duplicate row for GM0164 2024"):
        clean_kwb_table(write_kwb(tmp_path / "a", "85984NED", s, dup))
    folder = write_kwb(tmp_path / "b", "85984NED", s, dup[:1])
    props = json.loads((folder / "DataProperties.json").read_text())
    props["value"] = [p for p in props["value"] if not p["Key"].startswith("AantalInwoners_")]
    (folder / "DataProperties.json").write_text(json.dumps(props))
    with pytest.raises(DataError, match="no topic AantalInwoners_N"):
        clean_kwb_table(folder)


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_cli_clean_real_end_to_end_and_bad_input_leaves_outputs(tmp_path, capsys):
    data = tmp_path / "data"
    raw = hand_tree(data / "raw" / "real")
    write_pdok(raw / "pdok" / "2025")
    assert main(["clean", "--source", "real", "--data-dir", str(data)]) == 0
    processed = data / "processed" / "real"
    assert {p.name for p in processed.iterdir()} >= {
        "crime.parquet",
        "population.parquet",
        "population_structure.parquet",
        "areas.gpkg",
        "provenance.json",
    }
    pop = pd.read_parquet(processed / "population.parquet")
    assert pop.query("area_code == 'GM0164' and year == 2024").inhabitants.iloc[0] == 81_000
    prov = json.loads((processed / "provenance.json").read_text())
    assert any("85984NED: no manifest.json" in w for w in prov["warnings"])  # saved by hand
    assert {"85984NED", "70904NED", "pdok/2025"} <= set(prov["tables"])
    before = digest(processed)

    # Truncated JSON in a KWB page: exit 1, one line naming the file, nothing rewritten.
    page = raw / "85984NED" / "TypedDataSet-0001.json"
    page.write_bytes(page.read_bytes()[:-40])
    capsys.readouterr()
    assert main(["clean", "--source", "real", "--data-dir", str(data)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "85984NED/TypedDataSet-0001.json" in err and "not valid JSON" in err
    assert digest(processed) == before


def test_demo_kwb_and_pdok_go_through_the_real_cleaners():
    from hengelo_analysis.demo import kwb as demo_kwb
    from hengelo_analysis.sources.geo import clean_areas_folder
    from tests.conftest import DEMO_RAW

    found = discover_tables(DEMO_RAW)
    tables, used, _ = clean_population(DEMO_RAW, found)
    assert len(used) == 13  # 2012-2024, one KWB table per year
    keys = {demo_kwb.topic_keys(y)["AantalInwoners"] for y in demo_kwb.YEARS}
    assert len(keys) > 1  # the suffix changes between years, as in the real tables
    pop = tables["population"].set_index(["area_code", "year"])
    assert 80_000 <= pop.loc[("GM0164", 2024), "inhabitants"] <= 82_000
    buurten = tables["population"].query("area_level == 'buurt' and year == 2024")
    assert buurten.inhabitants.sum() == pop.loc[("GM0164", 2024), "inhabitants"]
    flagged = tables["population"].query("population_flag == 'code_not_in_kwb_year'")
    assert set(flagged.area_code) == {demo_kwb.NEW_BUURT}
    assert sorted(flagged.year) == list(range(2012, demo_kwb.NEW_BUURT_FIRST_YEAR))
    assert pop.loc[demo_kwb.SENTINEL_CELL, "population_flag"] == "not_published"
    assert pop.loc[("GM0153", 2024), "stedelijkheid"] == 2  # peers' stedelijkheid is there
    for table_id in used:
        manifest = json.loads((DEMO_RAW / table_id / "manifest.json").read_text())
        assert manifest["synthetic"] is True
    areas = clean_areas_folder(DEMO_RAW / "pdok" / "2025")
    assert areas.area_level.value_counts().to_dict() == {"buurt": 62, "wijk": 10, "gemeente": 1}
    x, y = areas.union_all().centroid.coords[0]
    assert abs(x - 250_000) < 5_000 and abs(y - 477_000) < 5_000
    assert json.loads((DEMO_RAW / "pdok" / "2025" / "manifest.json").read_text())["synthetic"]
