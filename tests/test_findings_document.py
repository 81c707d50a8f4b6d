"""The findings document: every claim judged from processed tables on disk, as json and on the index."""

from __future__ import annotations

import json

import pytest

from hengelo_analysis.analysis import claims
from hengelo_analysis.errors import DataError
from tests.claims_tables import G, crime, series

FALLING_BUSINESS_THEFT = {"crime": crime({(G, "2.5.1"): series(250, 0.93)})}


def test_findings_document_is_json_with_every_claim():
    result = claims.evaluate_tables(FALLING_BUSINESS_THEFT, G, 2024)
    doc = claims.findings_document(result, G, 2024, "demo")
    text = json.dumps(doc)
    back = json.loads(text)
    assert list(back["claims"]) == [f"C{i}" for i in range(1, 20)]
    assert back["claims"]["C8"]["verdict"] == "supported"
    assert back["claims"]["C1"]["verdict"] == "insufficient_data"
    for entry in back["claims"].values():
        assert entry["sentence"] and entry["statement"] and entry["test"]
        assert entry["verdict_label"] == claims.VERDICT_LABELS[entry["verdict"]]


def test_load_tables_reads_what_is_on_disk_and_leaves_absent_tables_out(tmp_path):
    folder = tmp_path / "processed" / "demo"
    folder.mkdir(parents=True)
    FALLING_BUSINESS_THEFT["crime"].to_parquet(folder / "crime.parquet")
    tables = claims.load_tables(tmp_path, "demo")
    assert list(tables) == ["crime"]
    assert (
        tables["crime"]["registered"].sum() == FALLING_BUSINESS_THEFT["crime"]["registered"].sum()
    )
    result = {f.claim_id: f for f in claims.evaluate_all(tmp_path, "demo", G, 2024)}
    assert result["C8"].verdict == "supported"
    assert result["C1"].verdict == "insufficient_data"
    # neither the supplied E33 file nor the police nuisance table is on disk
    assert "'incidents'" in result["C1"].evidence["reden"]
    assert "'nuisance'" in result["C1"].evidence["reden"]
    # a source with no processed tables at all stops with what to run (a notebook opened before
    # the data exist), instead of judging every claim on nothing
    with pytest.raises(DataError, match="hengelo-analysis clean --source real"):
        claims.load_tables(tmp_path, "real")


def test_demo_reproduces_the_chapter_2_picture(demo_cleaned):
    data_dir = demo_cleaned[0].data_dir
    result = {f.claim_id: f for f in claims.evaluate_all(data_dir, "demo", G, 2024)}
    assert set(result) == {f"C{i}" for i in range(1, 20)}
    # the demo's 2022 rise (+8%, upper limit +13%) is mostly bicycles but not shown to be "licht"
    assert result["C3"].evidence["aandeel_in_stijging"] >= 0.5
    assert result["C3"].evidence["totaal"]["licht"] is False
    assert result["C3"].verdict == "not_supported"
    assert result["C8"].verdict == "supported"
    assert result["C4"].verdict != "supported"  # 3.5.2 cannot show drugs driving
    # the demo shows what its data show: not every claim holds
    assert result["C13"].verdict == "contradicted"  # Hengelo is not first in Twente
    assert result["C14"].verdict == "insufficient_data"  # no national Halt series supplied


def test_findings_stage_builds_findings_document_and_index_rows(demo_judged):
    from hengelo_analysis.paths import findings_file

    # The document the stage wrote for the demo (GM0164 2024 per 1000), as publish copies it.
    path = findings_file(demo_judged[0].processed_dir, G, 2024, 1000)
    document = json.loads(path.read_text(encoding="utf-8"))
    rows = claims.claims_for_index(document)
    assert (document["gemeente"], document["peiljaar"], document["source"]) == (G, 2024, "demo")
    assert document["rate_unit"] == 1000
    assert [r["id"] for r in rows] == [f"C{i}" for i in range(1, 20)]
    for row in rows:
        claim = document["claims"][row["id"]]
        assert row["sentence"] == claim["sentence"]
        assert row["verdict_label"] == claims.VERDICT_LABELS[claim["verdict"]]
    json.dumps(document)  # serialisable as it stands


def test_findings_document_converts_numpy_scalars():
    import numpy as np

    evidence = {"n": np.int64(3), "p": np.float64(0.5), "flag": np.bool_(True), "l": [np.int64(1)]}
    finding = claims.Finding("C8", "supported", evidence, "toets", "zin.", "uitspraak")
    doc = claims.findings_document([finding], G, 2024, "demo")
    assert json.loads(json.dumps(doc))["claims"]["C8"]["evidence"] == {
        "n": 3,
        "p": 0.5,
        "flag": True,
        "l": [1],
    }


def test_the_package_exports_exactly_the_names_used_outside_it():
    used_outside = {
        "ALPHA", "CONTRADICTED", "INSUFFICIENT", "NOT_SUPPORTED", "SUPPORTED",
        "VERDICT_LABELS", "Context", "Finding", "InsufficientData", "claim_order", "claims_for_index",
        "claim_file_for", "claims_for", "crime_series", "crime_trend",
        "evaluate", "evaluate_all", "evaluate_tables", "findings_document", "findings_from_document",
        "load_tables",
        "population_series", "survey_change_between", "trend_phrase",
    }  # fmt: skip
    assert set(claims.__all__) == used_outside
    assert all(callable(getattr(claims, n)) or n.isupper() for n in claims.__all__)
    assert not hasattr(claims, "CLAIMS")  # no Hengelo-only constant: the gemeente's file decides
    assert {c.id for c in claims.claims_for(G)} == {f"C{i}" for i in range(1, 20)}
