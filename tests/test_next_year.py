"""The yearly rerun: "peiljaar + 1" gives a new edition with no code change.

Two runs of the real CLI (``report --source real``) against the recorded-response server, which
serves the demo tables in their real shapes (SYNTHETIC numbers) cut off at a year:

* this year (2022): police periods up to 2022, the KWB tables up to 2022 in the (synthetic)
  catalogue listing, Veiligheidsmonitor wave 2021;
* next year (2023): a new police period, the KWB table of 2023 appearing in the catalogue, the
  survey wave 2023. Nothing else changes: same code, same command (with ``--refresh``, as the
  yearly workflow fetches before it builds).

The second edition's changes page compares with the first, and the claims fixed to years (C3:
2021 → 2022; C6: since 2019) stay on their years.
"""

from __future__ import annotations

import json
import re

import pytest

from hengelo_analysis.cli import main
from hengelo_analysis.demo import crime as demo_crime
from hengelo_analysis.demo import kwb as demo_kwb
from hengelo_analysis.demo import nuisance as demo_nuisance
from hengelo_analysis.demo import pdok as demo_pdok
from hengelo_analysis.demo import police_monthly as demo_monthly
from hengelo_analysis.demo import survey as demo_survey
from hengelo_analysis.domain import KWB_TABLES
from tests.http_fixtures import CBS, POLITIE, FakeServices, FixtureServer
from tests.served_tables import catalogue_rows

THIS_YEAR, NEXT_YEAR = 2022, 2023
PERIOD_YEAR = re.compile(r"^(\d{4})(?:JJ|MM|KW)\d\d$")


def up_to(sets: dict[str, list[dict]], last: int, edition: int) -> dict[str, list[dict]]:
    """The entity sets as the table stood when ``last`` was its latest period."""

    def keep(row: dict) -> bool:
        m = PERIOD_YEAR.match(str(row.get("Perioden") or row.get("Key") or "").strip())
        return m is None or int(m.group(1)) <= last

    out = dict(sets)
    out["Perioden"] = [p for p in sets["Perioden"] if keep(p)]
    out["TypedDataSet"] = [r for r in sets["TypedDataSet"] if keep(r)]
    out["TableInfos"] = [dict(sets["TableInfos"][0], Modified=f"{edition + 1}-03-01T02:00:00")]
    return out


def services_of(year: int) -> FakeServices:
    kwb = {KWB_TABLES[y]: demo_kwb.entity_sets(y) for y in demo_kwb.YEARS if y <= year}
    wijken, buurten = demo_pdok.features()
    return FakeServices(
        odata={
            POLITIE: {
                "47018NED": up_to(demo_crime.entity_sets(), year, year),
                "47021NED": up_to(demo_nuisance.gemeente_entity_sets(), year, year),
                "47024NED": up_to(demo_nuisance.wijk_entity_sets(), year, year),
                # the months of the running year are out before its year figures
                "47022NED": up_to(demo_monthly.entity_sets(), year + 1, year),
            },
            CBS: {"85146NED": up_to(demo_survey.vm_entity_sets(), year, year), **kwb},
        },
        pdok={demo_crime.INDELING_YEAR: {"wijken": wijken, "buurten": buurten}},
        page_size=10_000,
        catalogue=catalogue_rows({y: KWB_TABLES[y] for y in demo_kwb.YEARS if y <= year}),
        max_requests=2_000,
    )


def build(year: int, data, reports, monkeypatch, capsys, *extra: str) -> str:
    services = services_of(year)
    with FixtureServer(services) as base:
        monkeypatch.setenv("HENGELO_CBS_BASE_URL", base)
        monkeypatch.setenv("HENGELO_PDOK_BASE_URL", base)
        args = ["report", "--source", "real", "--data-dir", str(data)]
        assert main([*args, "--reports-dir", str(reports), *extra]) == 0
    assert services.count("/ODataCatalog/Tables") == 1  # the KWB ids came from the catalogue
    return capsys.readouterr().out


def findings(reports, year: int) -> dict:
    path = reports / "real" / "GM0164" / str(year) / "findings.json"
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.slow
def test_next_year_is_a_new_edition_with_no_code_change(tmp_path, monkeypatch, capsys):
    data, reports = tmp_path / "data", tmp_path / "reports"
    first = build(THIS_YEAR, data, reports, monkeypatch, capsys)
    assert "KWB tables (catalogue): " in first and f"{THIS_YEAR} {KWB_TABLES[THIS_YEAR]}" in first
    assert f"{NEXT_YEAR} {KWB_TABLES[NEXT_YEAR]}" not in first
    second = build(NEXT_YEAR, data, reports, monkeypatch, capsys, "--refresh")
    assert f"{NEXT_YEAR} {KWB_TABLES[NEXT_YEAR]}" in second  # found by its title, not by code
    assert (data / "raw" / "real" / KWB_TABLES[NEXT_YEAR] / "manifest.json").exists()

    before, after = findings(reports, THIS_YEAR), findings(reports, NEXT_YEAR)
    assert (before["peiljaar"], after["peiljaar"]) == (THIS_YEAR, NEXT_YEAR)
    # Claims fixed to years stay on their years in the new edition.
    for edition in (before, after):
        c3 = edition["claims"]["C3"]["sentence"]
        assert "(2021)" in c3 and "(2022)" in c3, c3
    assert "2019" in after["claims"]["C6"]["sentence"] or after["claims"]["C6"]["verdict"] == (
        "insufficient_data"
    )
    # The new survey wave is used: C5 compares the waves 2021 and 2023 only in the new edition.
    assert "2023" in after["claims"]["C5"]["sentence"]
    assert "2023" not in before["claims"]["C5"]["sentence"]
    # The changes page of the new edition compares with the edition of the year before.
    changes = (reports / "real" / "GM0164" / str(NEXT_YEAR) / "wat_is_er_veranderd.html").read_text(
        encoding="utf-8"
    )
    assert f"Het rapport over peiljaar {THIS_YEAR} is gebouwd op" in changes
    assert f"Kerncijfers {NEXT_YEAR} tegenover {THIS_YEAR}" in changes
    # The first edition compares its figures with the year before from the data; there is no
    # edition of that year to compare verdicts with (and never the newer one beside it).
    first = (reports / "real" / "GM0164" / str(THIS_YEAR) / "wat_is_er_veranderd.html").read_text(
        encoding="utf-8"
    )
    assert f"Er is geen rapport over peiljaar {THIS_YEAR - 1}" in first
    assert f"Kerncijfers {THIS_YEAR} tegenover {THIS_YEAR - 1}" in first
