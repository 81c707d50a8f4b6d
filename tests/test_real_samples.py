"""Every parser on REAL recorded rows (tests/fixtures/real/, wrapped by tests/real_samples.py).

The expected figures are the recorded values (real-samples README §1-§6), not numbers of our own.
"""

from __future__ import annotations

import json

import pytest
from real_samples import (
    REAL,
    atom_rows,
    kwb_properties_2024,
    kwb_properties_2025,
    national_overlast_rows,
    overlast_properties,
    police_47018,
    police_dimension,
    read_json_list,
    read_r_csv,
    write_table,
)

from hengelo_analysis.processed import schemas
from hengelo_analysis.sources import kwb, nuisance, police, police_monthly
from hengelo_analysis.sources.indeling import (
    INDELING_YEAR_RE,
    boundary_codes,
    boundary_coverage,
    indeling_year,
    table_indeling_year,
)
from hengelo_analysis.sources.police_counts import area_of, category_labels

HENGELO_BUURTEN_2023_TOTAL = 3665  # sum over the 62 Hengelo buurten, 47018NED 0.0.0 2023
E33_NL = {2012: 44_571, 2023: 141_724}  # 47021NED NL01, "Overlast door verward persoon"


@pytest.fixture(scope="module")
def crime_2023(tmp_path_factory):
    """47018NED from the recorded rows: the 62 Hengelo buurten plus the head/tail rows."""
    folder = write_table(
        tmp_path_factory.mktemp("raw"),
        "47018NED",
        {
            "TableInfos": police_47018("TableInfos"),
            "DataProperties": police_47018("DataProperties"),
            "SoortMisdrijf": police_47018("SoortMisdrijf"),
            "WijkenEnBuurten": police_47018("WijkenEnBuurten_GM0164_subset")
            + police_47018("WijkenEnBuurten_head_tail_subset"),
            "Perioden": police_47018("Perioden"),
            "TypedDataSet": police_47018("data_csv_2023_GM0164_rows")
            + police_47018("data_csv_2023_head_tail_rows"),
        },
    )
    return schemas.validate(schemas.crime, police.clean_crime_table(folder), str(folder))


def test_the_62_hengelo_buurten_sum_exactly_to_the_recorded_3665(crime_2023):
    hengelo = crime_2023[
        (crime_2023["gemeente_code"] == "GM0164") & (crime_2023["area_level"] == "buurt")
    ]
    assert len(hengelo) == 62
    assert int(hengelo["registered"].sum()) == HENGELO_BUURTEN_2023_TOTAL
    assert set(hengelo["year"]) == {2023} and set(hengelo["crime_code"]) == {"0.0.0"}
    top = hengelo.set_index("area_code").loc["BU01640000"]
    assert (top["registered"], top["area_name"]) == (717, "Binnenstad-Centrum")


def test_buurt_onbekend_belongs_to_no_gemeente(crime_2023):
    row = crime_2023.set_index("area_code").loc["BU00000000"]
    assert row["registered"] == 3798
    assert row["gemeente_code"] == "GM0000"  # never GM0164 or any real gemeente
    assert row["area_name"] == "Buurt onbekend"


def test_zero_rows_with_blank_padded_names_are_kept_as_zero(crime_2023):
    raw = {r["WijkenEnBuurten"]: r for r in police_47018("data_csv_2023_head_tail_rows")}
    blank = [k for k, r in raw.items() if r["Gemeentenaam_2"] == " " * 30]
    assert blank == ["BU16800309", "BU16800709", "BU16800809", "BU00000000"]
    parsed = crime_2023.set_index("area_code")["registered"]
    assert [parsed[k] for k in blank[:3]] == [0, 0, 0]  # 0, not missing, and not dropped
    assert parsed["BU16800309"] is not None


def test_rows_say_hengelo_where_the_dimension_says_hengelo_o(crime_2023):
    rows = police_47018("data_csv_2023_GM0164_rows")
    assert {r["Gemeentenaam_2"].strip() for r in rows} == {"Hengelo"}
    dimension = {r["Key"].strip(): r for r in police_47018("WijkenEnBuurten_GM0164_subset")}
    assert dimension["GM0164"]["Title"] == "Hengelo (O.)"
    # The parser joins on codes, so the name mismatch loses no buurt.
    in_dimension = {k for k, r in dimension.items() if k.startswith("BU")}
    parsed = set(crime_2023.loc[crime_2023["gemeente_code"] == "GM0164", "area_code"])
    assert parsed == in_dimension


@pytest.mark.parametrize("name", ["47021NED_Overlast", "47024NED_Overlast_firstcommit"])
def test_overlast_dimensions_resolve_the_nuisance_codes(name):
    labels = category_labels({r["Key"].strip(): r["Title"] for r in police_dimension(name)})
    assert labels["E33"] == "Overlast door verward persoon"
    assert labels["E35"] == "Melding overlast jeugd"
    assert labels["E38"] == "Overlast ivm alcohol/ drugs"
    assert labels["E41"] == "Overlast zwervers"
    assert labels["F010"] == "Openbare dronkenschap"
    assert labels["0.0.0"] == "Totaal registraties overlast"
    assert set(labels) == {"0.0.0", "E33", "E35", "E38", "E41", "F010", "M061", "M062", "M22"}


def test_regios_of_47021ned_national_and_hengelo_found():
    regions = police_dimension("47021NED_RegioS")
    assert len(regions) == 375
    assert {len(r["Key"]) for r in regions} == {6}
    by_key = {r["Key"].strip(): r for r in regions}
    assert by_key["GM0164"]["Title"] == "Hengelo (O.)"
    assert area_of("NL01  ") == ("NL00", "land")
    assert area_of("GM0164") == ("GM0164", "gemeente")
    kept = [a for r in regions if (a := area_of(r["Key"])) is not None]
    # LD/PV/RE groupings, GM0998 buitenland and GM0999 niet in te delen are left out.
    assert len(kept) == 1 + 344 - 2
    assert {area_of(k) for k in ("LD01  ", "LDG4  ", "PV23  ", "RE02  ", "GM0998", "GM0999")} == {
        None
    }


def test_national_overlast_series_round_trips_into_the_nuisance_table(tmp_path):
    folder = write_table(
        tmp_path,
        "47021NED",
        {
            "DataProperties": overlast_properties("RegioS"),
            "Overlast": police_dimension("47021NED_Overlast"),
            "RegioS": police_dimension("47021NED_RegioS"),
            "Perioden": police_47018("Perioden"),  # 2012-2023, as the control series
            "TypedDataSet": national_overlast_rows(),
        },
    )
    tables, used, warnings = nuisance.clean_nuisance(tmp_path, {"47021NED": folder})
    table = schemas.validate(schemas.nuisance, tables["nuisance"], str(folder))
    assert list(used) == ["47021NED"] and "47024NED" in warnings[0]
    assert len(table) == 9 * 12
    assert set(table["area_code"]) == {"NL00"} and set(table["area_level"]) == {"land"}
    assert table["month"].isna().all() and not table["provisional"].any()
    e33 = table[table["nuisance_code"] == "E33"].set_index("year")["registered"]
    assert {y: e33[y] for y in E33_NL} == E33_NL
    assert e33.is_monotonic_increasing  # the recorded series rises every year
    total = table[table["nuisance_code"] == "0.0.0"].set_index("year")["registered"]
    assert total[2023] == 444_177
    assert set(table.loc[table["nuisance_code"] == "E33", "nuisance_label"]) == {
        "Overlast door verward persoon"
    }


def test_47022ned_atom_page_parses_into_the_monthly_crime_frame(tmp_path):
    rows = atom_rows(REAL / "47022NED_TypedDataSet_atom_sample.xml")
    assert rows[1]["ID"] is None  # the recorded page left this ID empty
    folder = write_table(
        tmp_path,
        "47022NED",
        {
            # Stand-in: 47022NED's DataProperties were not recorded; 47018NED's are the sister table's.
            "DataProperties": police_47018("DataProperties"),
            "SoortMisdrijf": police_47018("SoortMisdrijf"),
            # Stand-in too: the page's own two areas, as the real WijkenEnBuurten serves them.
            "WijkenEnBuurten": [{"Key": r["WijkenEnBuurten"], "Title": ""} for r in rows],
            "Perioden": [
                {"Key": k, "Title": k, "Description": None, "Status": "Definitief"}
                for k in ("2012MM01", "2017MM12")
            ],
            "TypedDataSet": rows,
        },
    )
    frame = schemas.validate(
        schemas.crime_monthly, police_monthly.clean_monthly_crime_table(folder), str(folder)
    )
    got = frame[["area_code", "area_level", "year", "month", "crime_code", "registered"]]
    assert got.to_dict("records") == [
        {
            "area_code": "BU07580004",
            "area_level": "buurt",
            "year": 2017,
            "month": 12,
            "crime_code": "1.1.1",
            "registered": 1,
        },
        {
            "area_code": "GM0758",
            "area_level": "gemeente",
            "year": 2012,
            "month": 1,
            "crime_code": "0.0.0",
            "registered": 1382,
        },
    ]
    assert frame.loc[0, "crime_label"] == "Diefstal/inbraak woning"


@pytest.mark.parametrize(
    ("concept", "aug_2024", "mar_2025"),
    [
        ("AantalInwoners", "AantalInwoners_5", "AantalInwoners_5"),
        ("MateVanStedelijkheid", "MateVanStedelijkheid_117", "MateVanStedelijkheid_127"),
        (
            "GemiddeldeWOZWaardeVanWoningen",
            "GemiddeldeWOZWaardeVanWoningen_36",
            "GemiddeldeWOZWaardeVanWoningen_39",
        ),
        ("Koopwoningen", "Koopwoningen_41", "Koopwoningen_47"),
        (
            "GemiddeldInkomenPerInwoner",
            "GemiddeldInkomenPerInwoner_73",
            "GemiddeldInkomenPerInwoner_83",
        ),
        ("OppervlakteTotaal", "OppervlakteTotaal_112", "OppervlakteTotaal_122"),
    ],
)
def test_both_kwb_85984ned_releases_resolve_the_same_concepts(concept, aug_2024, mar_2025):
    path = REAL / "85984NED"
    assert kwb.topic_key(kwb_properties_2024(), concept, path) == aug_2024
    assert kwb.topic_key(kwb_properties_2025(), concept, path) == mar_2025
    assert kwb.region_key(kwb_properties_2024(), path) == "WijkenEnBuurten"
    assert kwb.region_key(kwb_properties_2025(), path) == "WijkenEnBuurten"


def test_indeling_year_is_read_from_the_text_not_from_mapyear():
    props, infos = police_47018("DataProperties"), police_47018("TableInfos")
    region = next(p for p in props if p["Type"] == "GeoDetail")
    assert region["MapYear"] == 2019  # the trap as recorded
    assert indeling_year(props, infos) == 2024
    # Without the dimension's text, TableInfos ("buurtindeling van 2024") still gives 2024.
    bare = [dict(p, Description="") for p in props]
    assert indeling_year(bare, infos) == 2024
    # Only when no text names a year does MapYear count.
    assert indeling_year(bare, []) == 2019


def test_a_saved_47018ned_folder_gives_its_indeling_year(tmp_path):
    folder = write_table(
        tmp_path,
        "47018NED",
        {
            "DataProperties": police_47018("DataProperties"),
            "TableInfos": police_47018("TableInfos"),
        },
    )
    assert table_indeling_year(folder) == 2024
    assert table_indeling_year(tmp_path / "85984NED") is None


def test_indeling_year_of_the_kwb_releases_is_their_mapyear():
    infos_2024 = read_r_csv(REAL / "85984NED" / "bernasco_TableInfos.csv")
    infos_2025 = read_json_list(
        REAL / "85984NED" / "niquedegraaff_TableInfos_85984NED_2025-03.json"
    )
    assert indeling_year(kwb_properties_2024(), infos_2024) == 2024
    assert indeling_year(kwb_properties_2025(), infos_2025) == 2024


def test_gemeente_histories_in_regios_are_no_indeling_year():
    """RegioS descriptions say "herindeling per 01-01-1996": not an indeling year."""
    texts = [r["Description"] or "" for r in police_dimension("47021NED_RegioS")]
    assert any("herindeling" in t for t in texts)
    assert not any(INDELING_YEAR_RE.search(t) for t in texts)


def test_the_2024_buurt_boundaries_cover_every_hengelo_buurt():
    features = json.loads(
        (REAL / "geometry" / "cartomap_buurt_2024_wgs84_BU0164_features.geojson").read_text()
    )["features"]
    dimension = [r["Key"] for r in police_47018("WijkenEnBuurten_GM0164_subset")]
    coverage = boundary_coverage(dimension + ["BU00000000"], boundary_codes(features))
    assert (coverage.expected, coverage.found, coverage.share) == (62, 62, 1.0)
    assert coverage.ok() and coverage.missing == () and coverage.extra == ()


def test_buurten_with_a_null_geometry_are_named_missing():
    features = json.loads(
        (REAL / "geometry" / "cartomap_buurt_2024_null_geometry_examples.geojson").read_text()
    )["features"]
    hengelo = json.loads(
        (REAL / "geometry" / "cartomap_buurt_2024_wgs84_BU0164_features.geojson").read_text()
    )["features"]
    wanted = ["BU01411801", "BU02140000", *(f["properties"]["statcode"] for f in hengelo)]
    coverage = boundary_coverage(wanted, boundary_codes(features + hengelo))
    assert coverage.missing == ("BU01411801", "BU02140000")
    assert not coverage.ok()
    assert "missing: BU01411801, BU02140000" in coverage.message()
