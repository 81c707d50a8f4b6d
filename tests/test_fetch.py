"""fetch against recorded-shape responses served by a local HTTP server (no mocks of the client)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from hengelo_analysis.cli import main
from hengelo_analysis.demo import kwb as demo_kwb
from hengelo_analysis.sources.client import HttpClient
from hengelo_analysis.sources.download import fetch_odata_table
from hengelo_analysis.sources.fetch import fetch_pdok, fetch_real
from hengelo_analysis.sources.odata import entity_set_files, read_entity_set
from hengelo_analysis.sources.transport import FetchError, RowCapError
from tests.http_fixtures import (
    AREAS,
    CBS,
    POLITIE,
    FixtureServer,
    Sleeps,
    client,
    endpoints,
    make_services,
    police_table,
)


def police_plan_all(meta):
    from hengelo_analysis.sources.fetch import police_plan

    return police_plan("GM0164")(meta)


def folder_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def no_staging_left(raw: Path) -> bool:
    return not [p for p in raw.rglob(".*") if "staging" in p.name or ".old-" in p.name]


def test_fetch_real_downloads_the_gemeente_its_areas_peers_and_boundaries(tmp_path):
    services = make_services()
    raw = tmp_path / "raw" / "real"
    with FixtureServer(services) as base:
        report = fetch_real(
            raw, "GM0164", endpoints=endpoints(base), client=client(), kwb_years=[2023, 2024]
        )
    police = raw / "47018NED"
    rows = read_entity_set(police, "TypedDataSet")
    areas = {r["WijkenEnBuurten"] for r in rows}
    # startswith on the padded key: Hengelo's wijk/buurt rows, every gemeente row, NL00; not
    # another gemeente's buurt.
    assert areas == set(AREAS) - {"BU01530000"}
    assert len(rows) == 6 * 2 * 2
    assert any(r["GeregistreerdeMisdrijven_1"] is None for r in rows)  # nulls kept as served
    pages = entity_set_files(police, "TypedDataSet")
    assert len(pages) > 4  # paged via odata.nextLink (page size 5)
    # Every page is stored exactly as served, and the manifest records it.
    served = [b for bodies in services.served.values() for b in bodies]
    manifest = json.loads((police / "manifest.json").read_text())
    assert manifest["modified"] == "2025-03-14T02:00:00"
    assert manifest["rows"] == len(rows)
    assert manifest["catalog"] == "Politie"
    for entry in manifest["files"]:
        data = (police / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert data in served
    assert (police / "Perioden.json").exists()  # a one-page dimension is not numbered
    assert (police / "WijkenEnBuurten-0002.json").exists()  # a paged one is

    vm_regions = {r["RegioS"].strip() for r in read_entity_set(raw / "85146NED", "TypedDataSet")}
    assert vm_regions == {"NL01", "GM0164", "RE06"}  # Amsterdam not fetched

    kwb_rows = read_entity_set(raw / "85984NED", "TypedDataSet")
    codes = {r["WijkenEnBuurten"].strip() for r in kwb_rows}
    assert "BU01640000" in codes and "WK016400" in codes and "NL00" in codes
    assert "GM0153" in codes  # every gemeente row, for peer groups
    keys = set().union(*kwb_rows)
    assert "AantalInwoners_5" in keys and not any(k.startswith("Bevolkingsdichtheid") for k in keys)
    assert not (raw / "82339NED").exists()

    assert report.pdok_year == 2025  # MapYear of 47018NED
    pdok = raw / "pdok" / "2025"
    buurt_pages = sorted(pdok.glob("buurten-*.json"))
    assert len(buurt_pages) == 32  # 63 features, pages of 2, followed via links rel=next
    n_features = sum(len(json.loads(p.read_bytes())["features"]) for p in buurt_pages)
    assert n_features == 63
    assert json.loads((pdok / "manifest.json").read_text())["indeling_year"] == 2025

    checks = "\n".join(report.checks)
    assert "added:   BU01640999" in checks
    assert "BU01640909" in checks  # in the reference list, absent from this 47018NED
    assert "2024JJ00 (Voorlopig)" in checks
    assert "GM0164 in 85146NED RegioS: yes" in checks
    assert no_staging_left(raw)


def test_unchanged_modified_is_not_downloaded_again_unless_refresh(tmp_path):
    services = make_services()
    raw = tmp_path / "raw"
    with FixtureServer(services) as base:
        ep = endpoints(base)
        first = fetch_odata_table(client(), ep, "Politie", "47018NED", raw, police_plan_all)
        assert first.downloaded
        before = services.count("/TypedDataSet")
        digest = folder_digest(raw / "47018NED")
        second = fetch_odata_table(client(), ep, "Politie", "47018NED", raw, police_plan_all)
        assert not second.downloaded
        assert services.count("/TypedDataSet") == before  # only TableInfos was asked
        assert folder_digest(raw / "47018NED") == digest
        third = fetch_odata_table(
            client(), ep, "Politie", "47018NED", raw, police_plan_all, refresh=True
        )
        assert third.downloaded and services.count("/TypedDataSet") > before
        # A new edition (Modified changed) is downloaded without --refresh.
        services.odata[POLITIE]["47018NED"] = police_table("2026-03-14T02:00:00")
        fourth = fetch_odata_table(client(), ep, "Politie", "47018NED", raw, police_plan_all)
        assert fourth.downloaded
    assert json.loads((raw / "47018NED" / "manifest.json").read_text())["modified"].startswith(
        "2026"
    )


def test_row_cap_error_is_clear_and_not_retried(tmp_path):
    services = make_services()
    services.faults["/47018NED/TypedDataSet"] = ["rowcap"]
    with FixtureServer(services) as base:
        with pytest.raises(RowCapError, match="more than 10,000 rows"):
            fetch_odata_table(
                client(), endpoints(base), "Politie", "47018NED", tmp_path, police_plan_all
            )
    assert services.count("/47018NED/TypedDataSet") == 1
    assert not (tmp_path / "47018NED").exists()
    assert no_staging_left(tmp_path)


def test_connection_dropped_mid_body_is_retried(tmp_path):
    services = make_services()
    services.faults["/47018NED/TypedDataSet"] = ["drop"]
    sleeps = Sleeps()
    with FixtureServer(services) as base:
        fetch_odata_table(
            client(sleeps), endpoints(base), "Politie", "47018NED", tmp_path, police_plan_all
        )
    assert sleeps == [0.01]
    rows = read_entity_set(tmp_path / "47018NED", "TypedDataSet")
    assert len(rows) == 24  # complete: the half body was never written


def test_server_failing_twice_then_succeeding(tmp_path):
    services = make_services()
    services.faults["/47018NED/DataProperties"] = ["500", "429"]
    sleeps = Sleeps()
    with FixtureServer(services) as base:
        result = fetch_odata_table(
            client(sleeps), endpoints(base), "Politie", "47018NED", tmp_path, police_plan_all
        )
    assert sleeps == [0.01, 0.02]  # exponential backoff
    assert result.downloaded
    assert services.count("/47018NED/DataProperties") == 3 + 1  # 3 tries of page 1, then page 2
    assert len(read_entity_set(tmp_path / "47018NED", "DataProperties")) == 6


def test_request_timeout_is_retried(tmp_path):
    services = make_services()
    services.faults["/47018NED/TableInfos"] = ["hang"]
    sleeps = Sleeps()
    slow_client = HttpClient(timeout=0.3, max_attempts=3, backoff=0.01, sleep=sleeps)
    with FixtureServer(services) as base:
        result = fetch_odata_table(
            slow_client, endpoints(base), "Politie", "47018NED", tmp_path, police_plan_all
        )
    assert result.downloaded and sleeps == [0.01]
    assert result.modified == "2025-03-14T02:00:00"


def test_interrupted_fetch_keeps_the_old_table_and_leaves_no_partial_files(tmp_path):
    services = make_services()
    with FixtureServer(services) as base:
        ep = endpoints(base)
        fetch_odata_table(client(), ep, "Politie", "47018NED", tmp_path, police_plan_all)
        digest = folder_digest(tmp_path / "47018NED")
        services.odata[POLITIE]["47018NED"] = police_table("2026-03-14T02:00:00")
        # The new edition fails for good on the third data page.
        services.faults["skiptoken"] = ["500"] * 20
        with pytest.raises(FetchError, match="giving up after 3 attempts"):
            fetch_odata_table(
                client(attempts=3), ep, "Politie", "47018NED", tmp_path, police_plan_all
            )
    assert folder_digest(tmp_path / "47018NED") == digest
    assert no_staging_left(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["47018NED"]


def test_unknown_table_is_a_clear_error(tmp_path):
    services = make_services()
    with FixtureServer(services) as base:
        with pytest.raises(FetchError, match="HTTP 404"):
            fetch_odata_table(
                client(), endpoints(base), "Politie", "99999NED", tmp_path, police_plan_all
            )


def test_cli_fetch_then_clean_real(tmp_path, monkeypatch, capsys):
    services = make_services(kwb_years=demo_kwb.YEARS, page_size=1000)
    data = tmp_path / "data"
    with FixtureServer(services) as base:
        monkeypatch.setenv("HENGELO_CBS_BASE_URL", base)
        monkeypatch.setenv("HENGELO_PDOK_BASE_URL", base)
        code = main(["fetch", "--source", "real", "--data-dir", str(data)])
        out = capsys.readouterr().out
        assert code == 0
        assert "added:   BU01640999" in out and "2024JJ00 (Voorlopig)" in out
        # 86165NED (2025) is not served: a warning, not a failure.
        assert not (data / "raw" / "real" / "86165NED").exists()
        requests_before = len(services.requests)
        assert main(["fetch", "--source", "real", "--data-dir", str(data)]) == 0
        assert "47018NED unchanged since the last fetch" in capsys.readouterr().out
        new = services.requests[requests_before:]
        assert not [r for r in new if "TypedDataSet" in r or "/items" in r]  # all unchanged
    assert main(["clean", "--source", "real", "--data-dir", str(data)]) == 0
    import geopandas as gpd
    import pandas as pd

    processed = data / "processed" / "real"
    pop = pd.read_parquet(processed / "population.parquet")
    flagged = pop[pop.population_flag == "code_not_in_kwb_year"]
    # BU01640999 (police, newer indeling) is in no KWB year; BU01640909 misses the early years.
    assert set(flagged.area_code) == {"BU01640999"}
    assert sorted(flagged.year) == list(demo_kwb.YEARS)
    assert pop.query("area_code == 'GM0164' and year == 2024").inhabitants.iloc[0] == sum(
        r["AantalInwoners_5"]
        for r in demo_kwb.entity_sets(2024)["TypedDataSet"]
        if r["WijkenEnBuurten"].startswith("BU0164")
    )
    areas = gpd.read_file(processed / "areas.gpkg")
    assert len(areas) == 73 and areas.crs.to_epsg() == 28992


def test_report_real_fetches_only_when_the_cache_is_missing(tmp_path, monkeypatch):
    from hengelo_analysis import cli

    calls = []
    monkeypatch.setattr(cli, "cmd_fetch", lambda args, layout: calls.append("fetch"))
    for name in ("cmd_clean", "cmd_findings", "cmd_run", "cmd_publish"):
        monkeypatch.setattr(cli, name, lambda args, layout, *rest, n=name: calls.append(n))
    data = tmp_path / "data"
    assert main(["report", "--source", "real", "--data-dir", str(data)]) == 0
    assert calls[0] == "fetch"
    calls.clear()
    (data / "raw" / "real" / "47018NED").mkdir(parents=True)
    assert main(["report", "--source", "real", "--data-dir", str(data)]) == 0
    assert "fetch" not in calls
    assert main(["report", "--source", "real", "--refresh", "--data-dir", str(data)]) == 0
    assert calls.count("fetch") == 1
    calls.clear()
    assert main(["report", "--source", "demo", "--data-dir", str(data)]) == 0
    assert "fetch" not in calls


# --- redirects, next links and the size cap against the fixture server ---------------------------


def test_a_same_host_redirect_is_followed_and_the_manifest_records_who_answered(tmp_path):
    services = make_services()

    def moved(handler):
        handler.send_response(301)
        handler.send_header(
            "Location", handler.path.replace("/ODataFeed/OData/", "/ODataFeed/odata/", 1)
        )
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    services.odata[CBS]["47018NED"] = services.odata[POLITIE]["47018NED"]
    services.faults[f"{POLITIE}/47018NED/Perioden"] = [moved]
    with FixtureServer(services) as base:
        fetch_odata_table(
            client(), endpoints(base), "Politie", "47018NED", tmp_path, police_plan_all
        )
    files = json.loads((tmp_path / "47018NED" / "manifest.json").read_text())["files"]
    entry = next(f for f in files if f["file"] == "Perioden.json")
    assert entry["url"] == f"{base}{CBS}/47018NED/Perioden?%24format=json"
    assert entry["redirected_from"] == f"{base}{POLITIE}/47018NED/Perioden?%24format=json"
    assert "redirected_from" not in next(f for f in files if f["file"] == "TableInfos.json")


def test_pdok_next_link_to_another_host_keeps_the_cached_boundaries(tmp_path):
    # PDOK alone, as fetch_real calls it for the indeling year of 47018NED (2025 here; the test
    # above follows a whole fetch there): the OData tables play no part in this refusal.
    services = make_services()
    raw = tmp_path / "raw"
    with FixtureServer(services) as base:
        fetch_pdok(client(), endpoints(base), raw, "GM0164", 2025)
        pdok = raw / "pdok" / "2025"
        before = folder_digest(pdok)
        assert len(list(pdok.glob("buurten-*.json"))) == 32  # the cached boundaries are there

        def elsewhere(handler):
            port = handler.server.server_address[1]
            doc = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}}]}
            doc["links"] = [{"rel": "next", "href": f"http://localhost:{port}/items?cursor=2"}]
            return handler._send(200, json.dumps(doc).encode())

        services.faults["/collections/buurten/items"] = [elsewhere]
        with pytest.raises(FetchError, match="^pdok/2025: .*next link refused: .* is on localhost"):
            fetch_pdok(client(), endpoints(base), raw, "GM0164", 2025, refresh=True)
    assert folder_digest(pdok) == before
    assert not [h for h in services.hosts if h.startswith("localhost")]
    assert no_staging_left(raw)


def test_an_answer_over_the_size_cap_is_refused_without_retry(tmp_path):
    services = make_services()
    small = HttpClient(max_bytes=1024, backoff=0.01, sleep=Sleeps())
    with FixtureServer(services) as base:
        with pytest.raises(
            FetchError, match="47018NED: .*/TypedDataSet.*BU0164.*larger than 1024 bytes$"
        ):
            fetch_odata_table(
                small, endpoints(base), "Politie", "47018NED", tmp_path, police_plan_all
            )
    assert services.count("BU0164") == 1  # final: not asked again
    assert not (tmp_path / "47018NED").exists() and no_staging_left(tmp_path)
