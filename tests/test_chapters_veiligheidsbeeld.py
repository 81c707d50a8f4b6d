"""Page 01 veiligheidsbeeld: the claims table equals findings.json and the index; headline figures."""

import json

import pandas as pd
import pytest

from hengelo_analysis import findings, stats
from hengelo_analysis.chapters import veiligheidsbeeld as vb
from hengelo_analysis.formatting import format_number
from hengelo_analysis.publish import claims_for_index
from hengelo_analysis.stats import InsufficientData
from tests import chapter_report as cr


def _finding(claim_id, verdict):
    return findings.Finding(
        claim_id, verdict, {"x": 1}, f"toets {claim_id}", f"zin {claim_id}", f"uitspraak {claim_id}"
    )


def test_claim_rows_are_the_index_rows_plus_the_test_in_claim_order():
    result = [
        _finding("C10", findings.SUPPORTED),
        _finding("C2", findings.CONTRADICTED),
        _finding("C1", findings.INSUFFICIENT),
    ]
    rows = vb.claim_rows(result, "GM0164", 2024, "demo", 1000)
    document = findings.findings_document(result, "GM0164", 2024, "demo", 1000)
    assert [r["id"] for r in rows] == ["C1", "C2", "C10"]  # natural order, not C1, C10, C2
    for row, index_row in zip(rows, claims_for_index(document), strict=True):
        assert {k: row[k] for k in index_row} == index_row
        assert row["test"] == f"toets {row['id']}"
    frame = vb.claims_frame(rows)
    assert list(frame["Oordeel"]) == [
        "onvoldoende gegevens",
        "de cijfers wijzen de andere kant op",
        "de cijfers ondersteunen dit",
    ]
    assert list(frame["Uitgewerkt op"]) == [
        "03 Zorg en overlast",
        "02 Criminaliteit",
        "02 Criminaliteit",
    ]


def test_verdict_counts_keep_every_verdict_in_fixed_order():
    rows = [
        {"verdict": findings.SUPPORTED},
        {"verdict": findings.SUPPORTED},
        {"verdict": findings.INSUFFICIENT},
    ]
    counts = vb.verdict_counts(rows)
    assert list(counts["Oordeel"]) == [findings.VERDICT_LABELS[v] for v in vb.VERDICT_ORDER]
    assert list(counts["Aantal uitspraken"]) == [2, 0, 0, 1]


def test_reading_guide_explains_all_four_verdicts():
    text = vb.reading_guide()
    for label in findings.VERDICT_LABELS.values():
        assert f"**{label}**" in text


def _tiny(prev, cur, pop_prev=50_000, pop_cur=50_000):
    crime = pd.DataFrame(
        {
            "area_code": ["GM0001", "GM0001"],
            "crime_code": ["0.0.0", "0.0.0"],
            "year": [2023, 2024],
            "registered": pd.array([prev, cur], dtype="Int64"),
        }
    )
    population = pd.DataFrame(
        {
            "area_code": ["GM0001", "GM0001"],
            "year": [2023, 2024],
            "inhabitants": pd.array([pop_prev, pop_cur], dtype="Int64"),
        }
    )
    return crime, population


def test_headline_rate_interval_and_a_significant_rise():
    crime, population = _tiny(100, 160)
    h = vb.headline(crime, population, "GM0001", 2024, rate_unit=10_000)
    expected = stats.rate_ci(160, 50_000, 10_000)
    assert h.rate == pytest.approx(32.0)
    assert (h.lower, h.upper) == pytest.approx((expected.lower, expected.upper))
    assert h.difference == 60 and h.pct == pytest.approx(60.0)
    assert h.p_value < 0.05 and h.verb == "stijgt"
    sentence = vb.headline_sentence(h, "Testdorp", 10_000)
    assert "160 misdrijven, 32,0 per 10.000 inwoners" in sentence
    assert "+60 (+60,0%); het aantal stijgt" in sentence


def test_headline_small_change_is_not_called_a_rise():
    crime, population = _tiny(100, 104)
    h = vb.headline(crime, population, "GM0001", 2024)
    assert h.p_value > 0.05 and h.verb == "verandert niet significant"
    assert "stijgt" not in vb.headline_sentence(h, "Testdorp", 1000)


def test_headline_missing_total_and_missing_previous_year():
    crime, population = _tiny(None, 120)
    h = vb.headline(crime, population, "GM0001", 2024)
    assert h.previous is None and h.difference is None
    assert "Voor 2023 is geen totaal gepubliceerd" in vb.headline_sentence(h, "X", 1000)
    table = vb.headline_table(h)
    assert table.loc[4, "Waarde"] == "n.b."  # not published is never 0
    crime, population = _tiny(100, None)
    with pytest.raises(InsufficientData):
        vb.headline(crime, population, "GM0001", 2024)


# --------------------------------------------------------------------------- content (slow)


@pytest.mark.slow
def test_page_claims_table_equals_findings_json_and_the_index():
    _, out = cr.demo_edition()
    page = (out / "01_veiligheidsbeeld.html").read_text()
    document = json.loads((out / "findings.json").read_text())
    table = cr.table_by_caption(page, "Uitspraken C1-C11")
    header, rows = table["rows"][0], table["rows"][1:]
    assert header[:5] == ["Uitspraak", "Wat het beleid zegt", "Oordeel", "Toelichting", "Toets"]
    assert [r[0] for r in rows] == [f"C{i}" for i in range(1, 12)]
    for row in rows:
        claim = document["claims"][row[0]]
        assert row[1:5] == [
            claim["statement"],
            claim["verdict_label"],
            claim["sentence"],
            claim["test"],
        ]
    index_rows = cr.table_by_caption((out / "index.html").read_text(), "De uitspraken")["rows"][1:]
    assert [r[:4] for r in rows] == index_rows


@pytest.mark.slow
def test_page_headline_figures_equal_the_raw_data():
    root, out = cr.demo_edition()
    raw = cr.raw_crime()
    population = pd.read_parquet(root / "data" / "processed" / "demo" / "population.parquet")
    inhabitants = population.query("area_code == 'GM0164' and year == 2024")["inhabitants"].iloc[0]
    count, previous = raw[("GM0164", "0.0.0", 2024)], raw[("GM0164", "0.0.0", 2023)]
    text = cr.visible_text((out / "01_veiligheidsbeeld.html").read_text())
    assert (
        f"In 2024 registreerde de politie in Hengelo {format_number(count)} misdrijven, "
        f"{format_number(count / inhabitants * 1000, 1)} per 1.000 inwoners" in text
    )
    assert f"Ten opzichte van 2023 ({format_number(previous)})" in text
    assert "Synthetische demodata" in text
    key_figures = json.loads((out / "key_figures.json").read_text())["figures"]
    assert key_figures["misdrijven_per_inwoners"]["value"] == pytest.approx(
        count / inhabitants * 1000
    )
    assert key_figures["misdrijven_per_inwoners"]["page"] == "01_veiligheidsbeeld.html"


@pytest.mark.slow
def test_enschede_without_areas_or_own_survey_gets_insufficient_data_verdicts():
    nb = cr.gm0153_notebooks()["01_veiligheidsbeeld"]
    text = cr.notebook_text(nb)
    assert "In 2024 registreerde de politie in Enschede" in text
    rows = cr.table_by_caption(text, "Uitspraken C1-C11")["rows"][1:]
    verdicts = {r[0]: r[2] for r in rows}
    # no E33 incidents and no youth figures are supplied for Enschede
    assert verdicts["C1"] == verdicts["C7"] == "onvoldoende gegevens"
    assert "**Uitspraken met onvoldoende gegevens:** 0" not in text
