"""Claims C1-C11: for each a tiny data set where the verdict is ``supported`` and a changed one
where it is not, plus missing data → ``insufficient_data``. Data are built in the processed-table
contract (docs/data-contract.md); nothing here knows the demo's numbers."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from hengelo_analysis import findings
from hengelo_analysis.findings import CLAIMS, evaluate_tables

pytestmark = pytest.mark.filterwarnings(
    "ignore::statsmodels.tools.sm_exceptions.PerfectSeparationWarning"
)

G = "GM0164"  # a Twente gemeente (C10 needs one); the tables below are invented
YEARS = range(2012, 2025)


def series(base: float, factor: float, years=YEARS) -> dict[int, int]:
    return {y: round(base * factor ** (y - years[0])) for y in years}


def crime(spec: dict[tuple[str, str], dict[int, int | None]]) -> pd.DataFrame:
    rows = [
        {
            "area_code": area,
            "area_level": "land" if area == "NL00" else "gemeente",
            "gemeente_code": None if area == "NL00" else area,
            "area_name": area,
            "year": year,
            "crime_code": code,
            "crime_label": code,
            "registered": value,
        }
        for (area, code), values in spec.items()
        for year, value in values.items()
    ]
    return pd.DataFrame(rows).astype({"registered": "Int64"})


def population(spec: dict[str, tuple[int, int]], years=YEARS) -> pd.DataFrame:
    rows = [
        {
            "area_code": area,
            "area_level": "land" if area == "NL00" else "gemeente",
            "year": y,
            "inhabitants": inhabitants,
            "stedelijkheid": klasse,
            "kwb_table": "test",
        }
        for area, (inhabitants, klasse) in spec.items()
        for y in years
    ]
    return pd.DataFrame(rows).astype({"inhabitants": "Int64", "stedelijkheid": "Int64"})


def verdict(claim_id: str, tables: dict, peiljaar: int = 2024, rate_unit: int = 1000):
    claim = next(c for c in CLAIMS if c.id == claim_id)
    return evaluate_tables(tables, G, peiljaar, rate_unit, claims=(claim,))[0]


# --------------------------------------------------------------------------- C1 E33


def incidents(values: dict[int, int], monthly: bool = False) -> pd.DataFrame:
    rows = []
    for year, v in values.items():
        if monthly:
            rows += [
                {
                    "area_code": G,
                    "year": year,
                    "month": m,
                    "incident_code": "E33",
                    "incidents": v // 12 + (1 if m <= v % 12 else 0),
                }
                for m in range(1, 13)
            ]
        else:
            rows.append(
                {
                    "area_code": G,
                    "year": year,
                    "month": None,
                    "incident_code": "E33",
                    "incidents": v,
                }
            )
    return pd.DataFrame(rows).astype({"month": "Int64", "incidents": "Int64"})


def test_c1_rising_e33_supported_flat_not_falling_contradicted():
    rising = verdict("C1", {"incidents": incidents(series(400, 1.12, range(2017, 2025)))})
    assert rising.verdict == "supported" and "stijgt" in rising.sentence
    flat = verdict("C1", {"incidents": incidents(dict.fromkeys(range(2017, 2025), 500))})
    assert flat.verdict == "not_supported"
    assert "stijgt" not in flat.sentence and "daalt" not in flat.sentence
    falling = verdict("C1", {"incidents": incidents(series(700, 0.9, range(2017, 2025)))})
    assert falling.verdict == "contradicted"


def test_c1_sums_complete_months_and_needs_five_years():
    monthly = verdict("C1", {"incidents": incidents(series(400, 1.12, range(2017, 2025)), True)})
    assert monthly.verdict == "supported"
    assert monthly.evidence["per_jaar"]["2017"] == 400
    short = verdict("C1", {"incidents": incidents(series(400, 1.12, range(2021, 2025)))})
    assert short.verdict == "insufficient_data" and "te weinig" in short.evidence["reden"]


def test_missing_table_is_insufficient_data_with_reason():
    result = verdict("C1", {})
    assert result.verdict == "insufficient_data"
    assert "incidents" in result.evidence["reden"]
    assert result.sentence.startswith("Onvoldoende gegevens")


# --------------------------------------------------------------------------- C2 national trend


def test_c2_falling_with_nl_supported_and_rising_contradicted():
    tables = {
        "crime": crime({(G, "0.0.0"): series(4400, 0.97), ("NL00", "0.0.0"): series(900_000, 0.98)})
    }
    assert verdict("C2", tables).verdict == "supported"
    tables = {
        "crime": crime({(G, "0.0.0"): series(4000, 1.03), ("NL00", "0.0.0"): series(900_000, 0.98)})
    }
    assert verdict("C2", tables).verdict == "contradicted"
    tables = {"crime": crime({(G, "0.0.0"): series(4400, 0.97)})}
    assert verdict("C2", tables).verdict == "insufficient_data"


def test_c2_uses_inhabitants_as_exposure_when_known():
    # counts flat, population growing 3% a year: the rate falls
    tables = {
        "crime": crime(
            {(G, "0.0.0"): dict.fromkeys(YEARS, 4000), ("NL00", "0.0.0"): series(900_000, 0.98)}
        ),
    }
    assert verdict("C2", tables).verdict == "not_supported"
    pop = population({G: (80_000, 2), "NL00": (17_000_000, 1)})
    growth = pop["year"].sub(2012).rpow(1.03)
    pop["inhabitants"] = (pop["inhabitants"].astype(float) * growth).round().astype("Int64")
    tables["population"] = pop
    with_pop = verdict("C2", tables)
    assert with_pop.verdict == "supported"
    assert with_pop.evidence["gemeente"]["blootstelling"] == "inwoners"
    assert "peiljaar_per_1000" in with_pop.evidence


# --------------------------------------------------------------------------- C3 2022 rise


def c3_tables(bikes_2022: int, other_2022: int) -> dict:
    bikes = {2021: 342, 2022: bikes_2022}
    other = {2021: 3000, 2022: other_2022}
    total = {y: bikes[y] + other[y] + 368 for y in (2021, 2022)}
    return {"crime": crime({(G, "0.0.0"): total, (G, "1.2.3"): bikes, (G, "1.1.1"): other})}


def test_c3_rise_driven_by_bicycles_supported():
    result = verdict("C3", c3_tables(bikes_2022=516, other_2022=3016))
    assert result.verdict == "supported"
    assert result.evidence["aandeel_in_stijging"] == pytest.approx(174 / 190, abs=1e-3)
    assert result.evidence["grootste_stijger"] == "1.2.3"


def test_c3_equal_bicycle_theft_ends_supported():
    result = verdict("C3", c3_tables(bikes_2022=342, other_2022=3190))
    assert result.verdict == "not_supported"
    assert "1.2.3) verandert niet significant" in result.sentence


def test_c3_significant_fall_contradicts_and_early_peiljaar_is_insufficient():
    assert verdict("C3", c3_tables(bikes_2022=300, other_2022=2700)).verdict == "contradicted"
    assert verdict("C3", c3_tables(516, 3016), peiljaar=2021).verdict == "insufficient_data"


def test_c3_unpublished_total_is_insufficient_not_zero():
    tables = c3_tables(516, 3016)
    df = tables["crime"]
    df.loc[(df["crime_code"] == "0.0.0") & (df["year"] == 2022), "registered"] = pd.NA
    assert verdict("C3", tables).verdict == "insufficient_data"


# --------------------------------------------------------------------------- C4 road


def c4_tables(drugs_factor: float, accidents_per_year: int = 160) -> dict:
    return {
        "crime": crime(
            {
                (G, "1.3.1"): dict.fromkeys(YEARS, accidents_per_year),  # 160 = 2 per 1,000
                ("NL00", "1.3.1"): dict.fromkeys(YEARS, 17_000),  # 1 per 1,000
                (G, "3.5.2"): series(100, drugs_factor),
            }
        ),
        "population": population({G: (80_000, 2), "NL00": (17_000_000, 1)}),
    }


def test_c4_many_accidents_and_more_drugs_driving_supported():
    result = verdict("C4", c4_tables(1.06))
    assert result.verdict == "supported"
    assert result.evidence["1.3.1"]["rate_ratio_vs_nl"] == pytest.approx(2.0, abs=1e-3)


def test_c4_mixed_is_not_supported_both_opposite_contradicted_no_population_insufficient():
    assert verdict("C4", c4_tables(0.94)).verdict == "not_supported"
    assert verdict("C4", c4_tables(1.06, accidents_per_year=40)).verdict == "not_supported"
    assert verdict("C4", c4_tables(0.94, accidents_per_year=40)).verdict == "contradicted"
    tables = c4_tables(1.06)
    del tables["population"]
    assert verdict("C4", tables).verdict == "insufficient_data"


# --------------------------------------------------------------------------- C5 / C6 survey


def survey(rows: list[tuple[str, int, float, float]]) -> pd.DataFrame:
    """rows: (indicator, year, value, margin)."""
    return pd.DataFrame(
        [
            {
                "area_code": G,
                "area_level": "gemeente",
                "year": y,
                "indicator": i,
                "value": v,
                "lower": v - m,
                "upper": v + m,
                "n": 1500,
                "source": "veiligheidsmonitor",
                "method_note": None,
            }
            for i, y, v, m in rows
        ]
    ).astype({"n": "Int64"})


def test_c5_small_shifts_supported_large_significant_shift_contradicted():
    small = survey(
        [
            ("onveilig_buurt", 2021, 24.0, 2.0),
            ("onveilig_buurt", 2023, 25.5, 2.0),
            ("tevreden_aanpak_gemeente", 2021, 30.0, 2.5),
            ("tevreden_aanpak_gemeente", 2023, 28.0, 2.5),
        ]
    )
    result = verdict("C5", {"survey": small})
    assert result.verdict == "supported"
    assert "stijgt" not in result.sentence and "daalt" not in result.sentence
    large = survey(
        [
            ("onveilig_buurt", 2021, 24.0, 2.0),
            ("onveilig_buurt", 2023, 34.0, 2.0),
            ("tevreden_aanpak_gemeente", 2021, 30.0, 2.5),
            ("tevreden_aanpak_gemeente", 2023, 28.0, 2.5),
        ]
    )
    result = verdict("C5", {"survey": large})
    assert result.verdict == "contradicted" and "stijgt" in result.sentence


def test_c5_suppressed_wave_is_insufficient():
    rows = survey(
        [
            ("onveilig_buurt", 2021, 24.0, 2.0),
            ("onveilig_buurt", 2023, 25.0, 2.0),
            ("tevreden_aanpak_gemeente", 2021, 30.0, 2.5),
            ("tevreden_aanpak_gemeente", 2023, 28.0, 2.5),
        ]
    )
    rows.loc[3, ["value", "lower", "upper"]] = None
    assert verdict("C5", {"survey": rows}).verdict == "insufficient_data"


C6_ITEMS = [
    "overlast_drugsgebruik",
    "overlast_drugshandel",
    "overlast_dronken_mensen",
    "overlast_rondhangende_jongeren",
]


def c6_tables(rise: float, police_factor: float) -> dict:
    rows = [(i, 2019, 10.0, 1.5) for i in C6_ITEMS] + [
        (i, 2023, 10.0 + rise, 1.5) for i in C6_ITEMS
    ]
    rows += [
        ("overlast_verwarde_personen", 2019, 5.0, 1.0),
        ("overlast_verwarde_personen", 2023, 5.0, 1.0),
    ]
    return {
        "survey": survey(rows),
        "crime": crime({(G, "2.1.1"): series(30, police_factor, range(2016, 2025))}),
    }


def test_c6_significantly_more_nuisance_and_police_rising_supported():
    result = verdict("C6", c6_tables(rise=6.0, police_factor=1.2))
    assert result.verdict == "supported"
    assert result.evidence["overlast_drugsgebruik"]["methodebreuk"] is True
    assert "methodebreuk" in result.sentence
    assert result.evidence["rangorde"][-1] == "overlast_verwarde_personen"


def test_c6_flat_nuisance_not_supported_and_no_survey_insufficient():
    assert verdict("C6", c6_tables(rise=0.5, police_factor=1.2)).verdict == "not_supported"
    assert verdict("C6", c6_tables(rise=6.0, police_factor=0.85)).verdict == "not_supported"
    assert verdict("C6", c6_tables(rise=-6.0, police_factor=0.85)).verdict == "contradicted"
    tables = c6_tables(rise=6.0, police_factor=1.2)
    del tables["survey"]
    assert verdict("C6", tables).verdict == "insufficient_data"


# --------------------------------------------------------------------------- C7 youth


def youth(halt: dict, jr: dict) -> pd.DataFrame:
    rows = [
        {"area_code": G, "year": y, "measure": "halt_verwijzingen", "count": v}
        for y, v in halt.items()
    ]
    rows += [
        {"area_code": G, "year": y, "measure": "jeugdreclassering", "count": v}
        for y, v in jr.items()
    ]
    return pd.DataFrame(rows).astype({"count": "Int64"})


def test_c7_falling_youth_supported_rising_contradicted():
    yrs = range(2016, 2025)
    falling = youth(series(200, 0.9, yrs), series(80, 0.9, yrs))
    assert verdict("C7", {"youth": falling}).verdict == "supported"
    rising = youth(series(200, 0.9, yrs), series(40, 1.15, yrs))
    assert verdict("C7", {"youth": rising}).verdict == "contradicted"
    assert verdict("C7", {}).verdict == "insufficient_data"


# --------------------------------------------------------------------------- C8 business theft


def test_c8_falling_business_theft_supported_rising_contradicted():
    falling = verdict("C8", {"crime": crime({(G, "2.5.1"): series(250, 0.93)})})
    assert falling.verdict == "supported" and "daalt" in falling.sentence
    rising = verdict("C8", {"crime": crime({(G, "2.5.1"): series(150, 1.05)})})
    assert rising.verdict == "contradicted" and "stijgt" in rising.sentence
    noisy_flat = {
        y: v
        for y, v in zip(
            YEARS, [200, 230, 190, 215, 205, 180, 225, 210, 195, 220, 200, 185, 215], strict=True
        )
    }
    flat = verdict("C8", {"crime": crime({(G, "2.5.1"): noisy_flat})})
    assert flat.verdict == "not_supported"
    assert "daalt" not in flat.sentence and "stijgt" not in flat.sentence


# --------------------------------------------------------------------------- C9 peers

PEERS = ["GM0794", "GM0398", "GM0345", "GM1674"]


def c9_tables(own_rate_factor: float) -> dict:
    pop = population(
        {
            G: (80_000, 2),
            **{p: (75_000, 2) for p in PEERS},
            "GM0005": (300_000, 2),
            "NL00": (17_000_000, 1),
        }
    )
    spec = {(p, "2.5.2"): dict.fromkeys(YEARS, 375) for p in PEERS}  # 5 per 1,000
    spec[(G, "2.5.2")] = dict.fromkeys(YEARS, round(400 * own_rate_factor))
    spec[("GM0005", "2.5.2")] = dict.fromkeys(YEARS, 3000)  # too big: not a peer
    return {"crime": crime(spec), "population": pop}


def test_c9_below_peers_every_year_supported():
    result = verdict("C9", c9_tables(0.78))
    assert result.verdict == "supported"
    assert result.evidence["peers"] == sorted(PEERS)
    assert result.evidence["per_jaar"]["2024"]["peers"] == pytest.approx(5.0)


def test_c9_at_peer_level_not_supported_above_contradicted():
    assert verdict("C9", c9_tables(1.0)).verdict == "not_supported"
    assert verdict("C9", c9_tables(1.3)).verdict == "contradicted"
    tables = c9_tables(0.78)
    del tables["population"]
    assert verdict("C9", tables).verdict == "insufficient_data"


def test_c9_rate_unit_changes_figures_not_verdict():
    per_10k = verdict("C9", c9_tables(0.78), rate_unit=10_000)
    assert per_10k.verdict == "supported"
    assert per_10k.evidence["per_jaar"]["2024"]["peers"] == pytest.approx(50.0)
    assert "per 10.000 inwoners" in per_10k.sentence


# --------------------------------------------------------------------------- C10 regions


def c10_tables(own_factor: float) -> dict:
    return {
        "crime": crime(
            {
                (G, "0.0.0"): series(4400, own_factor),
                ("GM0153", "0.0.0"): series(12_000, 0.97),
                ("GM0141", "0.0.0"): series(5_000, 0.97),
                ("NL00", "0.0.0"): series(900_000, 0.97),
            }
        )
    }


def test_c10_same_trend_supported_opposite_contradicted_steeper_not_supported():
    assert verdict("C10", c10_tables(0.97)).verdict == "supported"
    assert verdict("C10", c10_tables(1.03)).verdict == "contradicted"
    assert verdict("C10", c10_tables(0.90)).verdict == "not_supported"


# --------------------------------------------------------------------------- C11 digital


def c11_tables(traditional_factor: float, fraud_zeros_before_2016: bool = True) -> dict:
    fraud = series(300, 1.06)
    if fraud_zeros_before_2016:
        fraud = {y: (0 if y < 2016 else v) for y, v in fraud.items()}
    spec = {
        (G, "3.7.4"): series(20, 1.12),
        (G, "3.9.1"): fraud,
        (G, "3.9.2"): dict.fromkeys(YEARS, 8),
        (G, "3.9.3"): series(60, 1.05),
    }
    for code in findings.CLAIMS[10].params["traditional"]:
        spec[(G, code)] = series(150, traditional_factor)
    return {"crime": crime(spec)}


def test_c11_digital_up_traditional_down_supported_and_break_respected():
    result = verdict("C11", c11_tables(0.95))
    assert result.verdict == "supported"
    assert result.evidence["digitaal"]["jaren"] == "2016-2024"


def test_c11_both_rising_not_supported_reverse_shift_contradicted():
    assert verdict("C11", c11_tables(1.04)).verdict == "not_supported"
    reverse = c11_tables(1.04)
    df = reverse["crime"]
    digital = df["crime_code"].isin(["3.7.4", "3.9.1", "3.9.2", "3.9.3"])
    df.loc[digital, "registered"] = df.loc[digital, "year"].map(series(400, 0.9)).astype("Int64")
    assert verdict("C11", reverse).verdict == "contradicted"


# --------------------------------------------------------------------------- document


def test_findings_document_is_json_with_every_claim():
    result = evaluate_tables(c10_tables(0.97), G, 2024)
    doc = findings.findings_document(result, G, 2024, "demo")
    text = json.dumps(doc)
    back = json.loads(text)
    assert list(back["claims"]) == [f"C{i}" for i in range(1, 12)]
    assert back["claims"]["C10"]["verdict"] == "supported"
    assert back["claims"]["C1"]["verdict"] == "insufficient_data"
    for entry in back["claims"].values():
        assert entry["sentence"] and entry["statement"] and entry["test"]
        assert entry["verdict_label"] == findings.VERDICT_LABELS[entry["verdict"]]


def test_demo_reproduces_the_chapter_2_picture(data_dir, tmp_path):
    from hengelo_analysis.clean import run_clean
    from hengelo_analysis.paths import Layout

    run_clean(Layout(data_dir, tmp_path / "reports", "demo"))
    result = {f.claim_id: f for f in findings.evaluate_all(data_dir, "demo", G, 2024)}
    assert set(result) == {f"C{i}" for i in range(1, 12)}
    assert result["C3"].verdict == "supported"
    assert result["C8"].verdict == "supported"


def test_publish_builds_findings_document_and_index_rows(data_dir, tmp_path):
    from hengelo_analysis import publish
    from hengelo_analysis.clean import run_clean
    from hengelo_analysis.paths import Layout

    layout = Layout(data_dir, tmp_path / "reports", "demo")
    run_clean(layout)
    document = publish.evaluate_findings(layout, G, 2024, rate_unit=10_000)
    rows = publish.claims_for_index(document)
    assert (document["gemeente"], document["peiljaar"], document["source"]) == (G, 2024, "demo")
    assert document["rate_unit"] == 10_000
    assert [r["id"] for r in rows] == [f"C{i}" for i in range(1, 12)]
    for row in rows:
        claim = document["claims"][row["id"]]
        assert row["sentence"] == claim["sentence"]
        assert row["verdict_label"] == findings.VERDICT_LABELS[claim["verdict"]]
    json.dumps(document)  # serialisable as it stands


def test_findings_document_converts_numpy_scalars():
    import numpy as np

    evidence = {"n": np.int64(3), "p": np.float64(0.5), "flag": np.bool_(True), "l": [np.int64(1)]}
    finding = findings.Finding("C8", "supported", evidence, "toets", "zin.", "uitspraak")
    doc = findings.findings_document([finding], G, 2024, "demo")
    assert json.loads(json.dumps(doc))["claims"]["C8"]["evidence"] == {
        "n": 3,
        "p": 0.5,
        "flag": True,
        "l": [1],
    }
