"""fetch of the open police tables 47021NED, 47024NED and 47022NED, served with the real dimensions.

The recorded-response server (tests/http_fixtures.py) serves the recorded Overlast, RegioS and
WijkenEnBuurten rows as read from tests/fixtures/real/ (keys padded as served) and the national
47021NED series of the derived control; the Hengelo counts are invented.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from hengelo_analysis.cli import main
from hengelo_analysis.sources.fetch import fetch_real
from hengelo_analysis.sources.odata import read_entity_set
from tests.http_fixtures import (
    POLITIE,
    FixtureServer,
    client,
    endpoints,
    make_services,
)
from tests.odata_filter import matches
from tests.served_tables import HENGELO_E33

E33_NL = {2012: 44_571, 2023: 141_724}  # derived_controls: 47021NED NL01 "verward persoon"


def test_the_fixture_filter_reads_parentheses_ne_and_padded_keys():
    row = {"RegioS": "NL01  ", "Perioden": "2012JJ00"}
    assert matches(row, "(RegioS eq 'GM0164' or RegioS eq 'NL01  ')")
    assert not matches(row, "(RegioS eq 'GM0164' or RegioS eq 'NL01')")  # padding matters
    assert not matches(row, "Perioden eq '2012JJ00' and RegioS ne 'GM0164' and RegioS ne 'NL01  '")
    assert matches(
        row, "startswith(RegioS,'NL') and (Perioden eq '2013JJ00' or Perioden eq '2012JJ00')"
    )
    with pytest.raises(ValueError, match="not understood"):
        matches(row, "RegioS in ('NL01  ')")  # OData v3 has no in (...)


def test_fetch_real_downloads_the_open_police_tables_with_the_keys_as_served(tmp_path):
    services = make_services(open_police=True, page_size=1000)
    raw = tmp_path / "raw" / "real"
    with FixtureServer(services) as base:
        report = fetch_real(
            raw, "GM0164", endpoints=endpoints(base), client=client(), kwb_years=[2023, 2024]
        )
    assert not report.warnings
    fetched = {t.table_id for t in report.tables}
    assert {"47021NED", "47024NED", "47022NED"} <= fetched
    # The recorded dimension rows are stored as served: padded keys byte for byte.
    assert b'"Key": "E33   "' in (raw / "47021NED" / "Overlast.json").read_bytes()
    assert b'"Key": "NL01  "' in (raw / "47021NED" / "RegioS.json").read_bytes()
    regions = {r["RegioS"] for r in read_entity_set(raw / "47021NED", "TypedDataSet")}
    assert {"NL01  ", "GM0164"} == regions  # the focus query; no other region has rows here
    wijk = {r["WijkenEnBuurten"].strip() for r in read_entity_set(raw / "47024NED", "TypedDataSet")}
    assert {"NL00", "GM0164", "WK016400", "BU01640000"} <= wijk
    months = {r["Perioden"] for r in read_entity_set(raw / "47022NED", "TypedDataSet")}
    assert months == {f"{y}MM{m:02d}" for y in (2022, 2023) for m in range(1, 13)}
    # The first-run checks name what to verify about these tables.
    checks = "\n".join(report.checks)
    assert "47021NED topic columns: GeregistreerdeOverlast_1 (assumed" in checks
    assert "47024NED Overlast: 9 categories; E33, E35 and E38 present" in checks
    assert "85146NED waves: 2023" in checks
    assert "boundary coverage (pdok/2025): 1 of 2 buurten" in checks  # BU01640999 is newer


def test_a_missing_overlast_table_is_a_warning_not_a_failed_fetch(tmp_path):
    services = make_services(open_police=True, page_size=1000)
    del services.odata[POLITIE]["47024NED"]
    services.faults["/47022NED/TableInfos"] = ["500"] * 4  # every attempt fails
    raw = tmp_path / "raw" / "real"
    with FixtureServer(services) as base:
        report = fetch_real(
            raw, "GM0164", endpoints=endpoints(base), client=client(), kwb_years=[2023]
        )
    assert (raw / "47021NED" / "manifest.json").exists()
    assert not (raw / "47024NED").exists() and not (raw / "47022NED").exists()
    assert [w.split(" ", 1)[0] for w in report.warnings] == ["47024NED", "47022NED"]
    assert "HTTP 404" in report.warnings[0]
    assert report.checks[0].startswith("WARNING 47024NED (overlast per wijk en buurt) not fetched")


def test_cli_fetch_and_clean_give_the_national_e33_series_and_hengelo_wijken(
    tmp_path, monkeypatch, capsys
):
    # KWB of two years (the default): the police tables are this test's, population is
    # test_fetch's; each KWB year served costs its fetch check and its clean.
    services = make_services(page_size=1000, open_police=True)
    data = tmp_path / "data"
    with FixtureServer(services) as base:
        monkeypatch.setenv("HENGELO_CBS_BASE_URL", base)
        monkeypatch.setenv("HENGELO_PDOK_BASE_URL", base)
        assert main(["fetch", "--source", "real", "--data-dir", str(data)]) == 0
    capsys.readouterr()
    assert main(["clean", "--source", "real", "--data-dir", str(data)]) == 0
    processed = data / "processed" / "real"
    nuisance = pd.read_parquet(processed / "nuisance.parquet")
    e33 = nuisance[(nuisance.nuisance_code == "E33") & nuisance.month.isna()]
    national = e33[e33.area_code == "NL00"].set_index("year")["registered"]
    assert {y: national[y] for y in E33_NL} == E33_NL
    hengelo = e33[e33.area_code == "GM0164"].set_index("year")["registered"]
    assert hengelo[2012] == HENGELO_E33[2012]  # the gemeente row comes whole from 47021NED
    buurten = nuisance[nuisance.area_level == "buurt"]
    assert buurten.area_code.nunique() == 62 and buurten.month.notna().all()
    monthly = pd.read_parquet(processed / "crime_monthly.parquet")
    assert set(monthly.year) == {2022, 2023} and "WK016400" in set(monthly.area_code)
    provenance = json.loads((processed / "provenance.json").read_text())
    assert {"47021NED", "47024NED", "47022NED"} <= set(json.dumps(provenance).split('"'))
