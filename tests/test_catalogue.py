"""The KWB table of a year looked up in the CBS table catalogue by its title.

No recorded catalogue listing exists: the rows here and in tests/http_fixtures.catalogue_rows are
SYNTHETIC, written to the documented format (sources/catalogue.py). 86400NED is an invented id
standing for a table published after this code was written.
"""

from __future__ import annotations

import json
import shutil

import pytest

from hengelo_analysis.demo import kwb as demo_kwb
from hengelo_analysis.domain import KWB_TABLES
from hengelo_analysis.sources.catalogue import (
    LISTING_FILE,
    catalogue_url,
    kwb_tables,
    kwb_year_of,
    latest_kwb_note,
    plan_kwb,
    tables_to_fetch,
    write_listing,
)
from hengelo_analysis.sources.fetch import fetch_real
from tests.http_fixtures import (
    CBS,
    FixtureServer,
    client,
    endpoints,
    make_services,
)
from tests.served_tables import catalogue_rows

NEXT_ID = "86400NED"  # invented: "Kerncijfers wijken en buurten 2026"


def row(identifier, title, **extra):
    return {"Identifier": identifier, "Title": title, "Language": "nl", **extra}


def test_the_yearly_tables_are_found_by_title_and_the_rest_ignored():
    rows = catalogue_rows({2024: "85984NED", 2025: "86165NED"})
    rows.append(row("70904NED", "Kerncijfers wijken en buurten 2009-2012"))
    rows.append(row("bad id", "Kerncijfers wijken en buurten 2020"))
    found = kwb_tables(rows)
    assert {y: t.identifier for y, t in found.items()} == {
        2009: "70904NED",
        2010: "70904NED",
        2011: "70904NED",
        2012: "70904NED",
        2024: "85984NED",
        2025: "86165NED",
    }  # not the toelichting table, not the English edition, not a malformed id


def test_a_multi_year_table_is_fetched_once_and_years_before_the_police_series_not_at_all():
    rows = catalogue_rows({2013: "82339NED"})
    rows.append(row("70904NED", "Kerncijfers wijken en buurten 2009-2012"))
    plan = plan_kwb(kwb_tables(rows))
    assert plan.tables == {2012: "70904NED", 2013: "82339NED"}  # not 2009-2011
    assert tables_to_fetch(plan_kwb(kwb_tables(rows), [2011, 2012, 2013])) == {
        "70904NED": 2012,
        "82339NED": 2013,
    }


def test_a_year_claimed_twice_goes_to_the_regular_then_the_newest_table():
    rows = [
        row("85001NED", "Kerncijfers wijken en buurten 2026", OutputStatus="Gestopt"),
        row(NEXT_ID, "Kerncijfers wijken en buurten 2026", OutputStatus="Regulier"),
        row("85002NED", "Kerncijfers wijken en buurten 2026", Modified="2020-01-01T00:00:00"),
    ]
    # 85002NED has no OutputStatus (taken as regular); between the two regular ones the later
    # Modified wins (none given sorts first).
    assert kwb_tables(rows)[2026].identifier == "85002NED"
    assert kwb_tables(rows[:2])[2026].identifier == NEXT_ID


def test_a_new_year_in_the_catalogue_needs_no_code_change():
    found = kwb_tables(catalogue_rows({**KWB_TABLES, 2026: NEXT_ID}))
    plan = plan_kwb(found)
    assert plan.source == "catalogue" and plan.tables[2026] == NEXT_ID
    assert 2026 not in KWB_TABLES
    assert not plan.notes  # everything agrees with the hard-coded list where that has the year


def test_without_the_catalogue_the_hard_coded_list_is_used_and_says_where_it_ends():
    plan = plan_kwb(None, error="HTTP 503")
    assert plan.tables == KWB_TABLES and plan.source == "fallback"
    assert "HTTP 503" in plan.notes[0] and f"ends at {max(KWB_TABLES)}" in plan.notes[0]


def test_a_year_without_its_table_yet_uses_the_latest_and_says_so():
    plan = plan_kwb(kwb_tables(catalogue_rows({2024: "85984NED", 2025: "86165NED"})))
    assert latest_kwb_note(plan, 2025) is None
    note = latest_kwb_note(plan, 2026)
    assert note == (
        "KWB 2026 is not published yet: the latest, 2025 (86165NED), "
        "is the newest population for 2026"
    )


def test_the_catalogue_lives_on_the_opendata_host():
    assert catalogue_url(endpoints("http://x")) == "http://x/ODataCatalog/Tables"


@pytest.fixture(scope="module")
def catalogued(tmp_path_factory):
    """``(services, raw, report)`` of one fetch whose catalogue lists a KWB table newer than the
    code (fetched once for the module: the tests below only read what it left)."""
    services = make_services(kwb_years=(2025,), page_size=1000)
    sets = demo_kwb.entity_sets(2024)  # the 2024 shapes under the new id (SYNTHETIC)
    sets["TableInfos"] = [
        {
            "ID": 0,
            "Title": "Kerncijfers wijken en buurten 2026",
            "Identifier": NEXT_ID,
            "Modified": "2027-03-27T02:00:00",
        }
    ]
    services.odata[CBS][NEXT_ID] = sets
    services.odata[CBS]["86165NED"] = demo_kwb.entity_sets(2024)
    services.catalogue = catalogue_rows({2025: "86165NED", 2026: NEXT_ID})
    raw = tmp_path_factory.mktemp("catalogued") / "raw"
    with FixtureServer(services) as base:
        report = fetch_real(raw, "GM0164", endpoints=endpoints(base), client=client())
    return services, raw, report


def test_fetch_downloads_a_catalogued_table_newer_than_the_code(catalogued, tmp_path):
    services, fetched, report = catalogued
    raw = tmp_path / "raw"
    shutil.copytree(fetched, raw)  # the listing is written again below
    assert services.count(f"/{NEXT_ID}/TableInfos") == 1  # asked for: found by its title
    listing = json.loads((raw / LISTING_FILE).read_text())
    assert listing["source"] == "catalogue"
    assert listing["chosen"] == {"2025": "86165NED", "2026": NEXT_ID}
    assert kwb_year_of(raw, NEXT_ID) == 2026
    # An unchanged listing is not rewritten (the clean cache hashes the raw tree).
    before = (raw / LISTING_FILE).read_bytes()
    write_listing(raw, listing["rows"], plan_kwb(kwb_tables(listing["rows"])))
    assert (raw / LISTING_FILE).read_bytes() == before
    checks = "\n".join(report.checks)
    assert "KWB tables (catalogue): 2025 86165NED, 2026 86400NED" in checks
    assert "CBS catalogue (assumed, no recorded listing)" in checks


def test_the_kwb_reader_takes_the_year_of_a_catalogued_table(catalogued):
    _, raw, _ = catalogued
    assert (raw / NEXT_ID / "manifest.json").exists()
    assert kwb_year_of(raw, NEXT_ID) == 2026


def test_fetch_says_when_the_police_year_has_no_kwb_table_yet(tmp_path):
    services = make_services(kwb_years=(2023,), page_size=1000)  # police periods up to 2024
    with FixtureServer(services) as base:
        report = fetch_real(tmp_path / "raw", "GM0164", endpoints=endpoints(base), client=client())
    expected = (
        "KWB 2024 is not published yet: the latest, 2023 (85618NED), is the newest population"
    )
    assert any(line.strip().startswith(expected) for line in report.checks)


def test_a_catalogue_without_kwb_tables_falls_back_with_a_warning(tmp_path):
    services = make_services(kwb_years=(2024,), page_size=1000)
    services.catalogue = [r for r in services.catalogue if r["Language"] == "en"]  # no yearly one
    with FixtureServer(services) as base:
        report = fetch_real(
            tmp_path / "raw", "GM0164", endpoints=endpoints(base), client=client(), kwb_years=[2024]
        )
    assert any(
        w.startswith("CBS catalogue not used (it lists no KWB table)") for w in report.warnings
    )
    assert (tmp_path / "raw" / "85984NED" / "manifest.json").exists()  # the fallback id worked
