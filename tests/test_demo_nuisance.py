"""The demo's 47021NED, 47024NED and 47022NED: the real shapes, readable by the cleaners, deterministic."""

from __future__ import annotations

import hashlib
import json

import pytest
from real_samples import police_47018, police_dimension

from hengelo_analysis.analysis.running_year import calendar_years, running_year
from hengelo_analysis.demo import nuisance as demo
from hengelo_analysis.demo import write_odata_table
from hengelo_analysis.processed import schemas
from hengelo_analysis.sources import nuisance, police_monthly
from hengelo_analysis.sources.indeling import indeling_year
from tests.conftest import DEMO_RAW


@pytest.fixture(scope="module")
def tables(crime_sets):
    # From the committed 47018NED (as the generator itself passes its own): generating it again
    # costs more than these three tables.
    return demo.tables(crime_sets)


@pytest.fixture(scope="module")
def raw_dir(tables, tmp_path_factory):
    out = tmp_path_factory.mktemp("raw")
    for table_id, (feed, sets, modified) in tables.items():
        write_odata_table(out, table_id, feed, sets, demo.PAGE_SIZE, modified, "Politie")
    return out


@pytest.fixture(scope="module")
def crime_sets():
    """The demo's 47018NED entity sets as committed (tests/test_demo.py: the generator writes
    them byte for byte), read once for this module instead of generated again."""
    from hengelo_analysis.sources.odata import read_entity_set

    return {
        name: read_entity_set(DEMO_RAW / "47018NED", name)
        for name in ("DataProperties", "SoortMisdrijf", "WijkenEnBuurten", "TypedDataSet")
    }


@pytest.fixture(scope="module")
def cleaned(raw_dir):
    found = {t: raw_dir / t for t in ("47021NED", "47024NED")}
    tables, _, warnings = nuisance.clean_nuisance(raw_dir, found)
    assert warnings == []
    return schemas.validate(schemas.nuisance, tables["nuisance"], str(raw_dir))


def test_one_builder_returns_the_three_tables(tables):
    assert sorted(tables) == ["47021NED", "47022NED", "47024NED"]
    for feed, sets, modified in tables.values():
        assert feed.startswith("https://dataderden.cbs.nl/ODataFeed/OData/")
        assert sets["TableInfos"][0]["Modified"] == modified
        assert "TypedDataSet" in sets and "DataProperties" in sets


@pytest.mark.parametrize("table_id", ["47021NED", "47024NED"])
def test_the_overlast_dimension_is_the_real_one(tables, table_id):
    real = police_dimension("47021NED_Overlast")
    demo_dim = tables[table_id][1]["Overlast"]
    assert [(r["Key"], r["Title"]) for r in demo_dim] == [(r["Key"], r["Title"]) for r in real]


def test_region_dimensions_have_the_real_widths_and_traps(tables):
    regios = {r["Key"]: r["Title"] for r in tables["47021NED"][1]["RegioS"]}
    assert {len(k) for k in regios} == {6}
    assert regios["NL01  "] == "Nederland" and regios["GM0164"] == "Hengelo (O.)"
    assert {"LD02  ", "PV23  ", "RE02  ", "GM0998", "GM0999"} <= set(regios)
    wijken = {r["Key"] for r in tables["47024NED"][1]["WijkenEnBuurten"]}
    assert {len(k) for k in wijken} == {10}
    assert {"NL00      ", "GM0164    ", "WK016400  ", "BU01640000", "BU00000000"} <= wijken


def test_data_properties_have_the_recorded_fields_and_the_mapyear_trap(tables):
    recorded = set(police_47018("DataProperties")[0])
    sets = tables["47024NED"][1]
    for prop in sets["DataProperties"]:
        assert set(prop) <= recorded
    geo = next(p for p in sets["DataProperties"] if p["Type"] == "GeoDetail")
    assert geo["MapYear"] == 2019
    # the demo's areas are the indeling of its PDOK boundaries (2025), named in the text only
    assert indeling_year(sets["DataProperties"], sets["TableInfos"]) == 2025


def test_zero_rows_have_blank_names_and_recent_months_are_provisional(tables):
    rows = tables["47024NED"][1]["TypedDataSet"]
    zero = [r for r in rows if r["GeregistreerdeOverlast_1"] == 0]
    assert zero and all(r["Gemeentenaam_2"] == " " * 30 for r in zero)
    named = next(
        r
        for r in rows
        if (r["GeregistreerdeOverlast_1"] or 0) > 0 and r["WijkenEnBuurten"].startswith("BU0164")
    )
    assert named["Gemeentenaam_2"] == "Hengelo".ljust(30) and named["SoortRegio_3"] == "Buurt   "
    status = {p["Key"]: p["Status"] for p in tables["47024NED"][1]["Perioden"]}
    assert status["2025MM02"] == "Voorlopig" and status["2024MM12"] == "Definitief"


def test_the_cleaned_demo_has_every_level_and_no_onbekend(cleaned):
    assert set(cleaned["area_level"]) == {"land", "gemeente", "wijk", "buurt"}
    assert not cleaned["area_code"].isin(["BU00000000", "GM0998", "GM0999", "NL01"]).any()
    assert cleaned["registered"].isna().any()  # some buurt cells not published, kept as missing


def test_e33_rises_over_the_years_but_is_not_tuned_to_keep_rising(cleaned):
    e33 = cleaned[
        (cleaned["area_code"] == "GM0164")
        & (cleaned["nuisance_code"] == "E33")
        & cleaned["month"].isna()
    ].set_index("year")["registered"]
    assert e33[2024] > 1.5 * e33[2012]
    recent = e33.loc[2021:2024]
    assert recent.max() < 1.1 * recent.min()  # level since 2021: "keeps rising" must be tested


def test_months_of_the_wijk_table_add_up_to_the_gemeente_table(cleaned):
    """47024NED's Hengelo rows are not used (47021NED has Hengelo), but its wijken split the same months."""
    months = cleaned[cleaned["month"].notna() & (cleaned["year"] == 2022)]
    gm = months[(months["area_code"] == "GM0164") & (months["nuisance_code"] == "E33")]
    wk = months[(months["area_level"] == "wijk") & (months["nuisance_code"] == "E33")]
    assert 0.95 * gm["registered"].sum() <= wk["registered"].sum() <= gm["registered"].sum()


def test_monthly_crime_agrees_with_the_yearly_demo_and_gives_a_running_year(raw_dir, crime_sets):
    frame = schemas.validate(
        schemas.crime_monthly,
        police_monthly.clean_monthly_crime_table(raw_dir / "47022NED"),
        str(raw_dir),
    )
    yearly = {
        (r["WijkenEnBuurten"].strip(), r["SoortMisdrijf"].strip(), r["Perioden"]): r[
            "GeregistreerdeMisdrijven_1"
        ]
        for r in crime_sets["TypedDataSet"]
    }
    total_2023 = frame[
        (frame["area_code"] == "GM0164")
        & (frame["crime_code"] == "0.0.0")
        & (frame["year"] == 2023)
    ]["registered"].sum()
    assert total_2023 == yearly[("GM0164", "0.0.0", "2023JJ00")]
    view = running_year(frame[frame["crime_code"] == "0.0.0"], "crime_code")
    assert set(view["year"]) == {2025} and set(view["through_month"]) == {2}
    assert view["provisional"].all()


def test_the_overlast_tables_are_deterministic(tables):
    again = {"47021NED": demo.gemeente_entity_sets(), "47024NED": demo.wijk_entity_sets()}
    for table_id, sets in again.items():
        first = json.dumps(tables[table_id][1], sort_keys=True).encode()
        second = json.dumps(sets, sort_keys=True).encode()
        assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest()


def test_wijk_years_from_the_monthly_table(cleaned):
    e33 = cleaned[(cleaned["area_level"] == "wijk") & (cleaned["nuisance_code"] == "E33")]
    years = calendar_years(e33, "nuisance_code")
    assert set(years["year"]) == set(range(2019, 2026)) and years["from_months"].all()
    assert years.loc[years["year"] < 2025, "registered"].notna().all()
    assert years.loc[years["year"] == 2025, "registered"].isna().all()  # two months only


def test_the_demo_police_table_carries_the_mapyear_trap_and_clean_uses_the_text(crime_sets):
    """47018NED says MapYear 2019; clean must pick the 2025 boundaries its text names."""
    from hengelo_analysis.paths import PROJECT_ROOT
    from hengelo_analysis.sources.indeling import police_indeling_year

    geo = next(p for p in crime_sets["DataProperties"] if p["Type"] == "GeoDetail")
    assert geo["MapYear"] == "2019" and "indeling 2025" in geo["Description"]
    assert police_indeling_year(PROJECT_ROOT / "data" / "raw" / "demo") == 2025
