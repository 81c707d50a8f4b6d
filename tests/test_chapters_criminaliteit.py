"""Page 02 criminaliteit: rate series, change tests, high-impact table, regions, C3 decomposition."""

import pandas as pd
import pytest

from hengelo_analysis import findings, stats
from hengelo_analysis.chapters import criminaliteit as cr_mod
from hengelo_analysis.formatting import format_number
from tests import chapter_report as cr


def _crime(rows):
    """rows: (area, code, year, registered)."""
    df = pd.DataFrame(rows, columns=["area_code", "crime_code", "year", "registered"])
    df["registered"] = df["registered"].astype("Int64")
    df["crime_label"] = df["crime_code"].map(lambda c: f"soort {c}")
    df["area_name"] = df["area_code"].map({"GM0164": "Hengelo"}).fillna(df["area_code"])
    df["gemeente_code"] = df["area_code"]
    return df


def _population(rows):
    df = pd.DataFrame(rows, columns=["area_code", "year", "inhabitants"])
    df["inhabitants"] = df["inhabitants"].astype("Int64")
    return df


def _ctx(crime, population, peiljaar=2024, unit=1000):
    return findings.Context({"crime": crime, "population": population}, "GM0164", peiljaar, unit)


def test_rate_series_rates_with_exact_or_byar_interval_and_no_zero_for_missing():
    crime = _crime(
        [
            ("GM0164", "1.1.1", 2022, 8),
            ("GM0164", "1.1.1", 2023, None),  # not published
            ("GM0164", "1.1.1", 2024, 40),
        ]
    )
    population = _population([("GM0164", 2022, 20_000), ("GM0164", 2024, 20_000)])
    series = cr_mod.rate_series(_ctx(crime, population), ["GM0164"], ["1.1.1"])
    assert list(series["year"]) == [2022, 2024]  # 2023 left out, not shown as 0
    assert list(series["rate"]) == pytest.approx([0.4, 2.0])
    exact = stats.rate_ci(8, 20_000, 1000)
    assert (series["lower"][0], series["upper"][0]) == pytest.approx((exact.lower, exact.upper))
    assert exact.method == "exact"


def test_rate_series_sums_codes_only_in_complete_years():
    crime = _crime(
        [
            ("GM0164", "1.4.3", 2023, 10),
            ("GM0164", "1.4.4", 2023, 20),
            ("GM0164", "1.4.3", 2024, 12),
            ("GM0164", "1.4.4", 2024, None),
        ]
    )
    population = _population([("GM0164", 2023, 10_000), ("GM0164", 2024, 10_000)])
    series = cr_mod.rate_series(_ctx(crime, population), ["GM0164"], ["1.4.3", "1.4.4"])
    assert list(series["year"]) == [2023] and list(series["registered"]) == [30]


def test_change_on_year_says_stijgt_only_when_the_test_does():
    series = pd.DataFrame(
        {"year": [2023, 2024], "registered": [100, 200], "inhabitants": [10_000, 10_000]}
    )
    change = cr_mod.change_on_year(series, 2024)
    assert change["difference"] == 100 and change["pct"] == pytest.approx(100.0)
    assert change["verb"] == "stijgt" and change["p_value"] < 0.001
    series["registered"] = [100, 95]
    assert cr_mod.change_on_year(series, 2024)["verb"] == "verandert niet significant"
    assert cr_mod.change_on_year(series[series["year"] == 2024], 2024)["pct"] is None


def test_type_table_marks_missing_types_as_not_published():
    crime = _crime(
        [("GM0164", "1.1.1", y, 100 - 5 * (y - 2015)) for y in range(2015, 2025)]
        + [("GM0164", "1.4.6", 2024, None)]
    )
    population = _population([("GM0164", y, 50_000) for y in range(2015, 2025)])
    table = cr_mod.type_table(
        _ctx(crime, population), (("Inbraak", ("1.1.1",)), ("Straatroof", ("1.4.6",)))
    )
    inbraak, straatroof = table.iloc[0], table.iloc[1]
    assert inbraak["Aantal 2024"] == 55
    assert inbraak["Per 1.000 inwoners"] == pytest.approx(1.1)
    assert "daalt" in inbraak["Trend"]  # 100 → 55 over ten years is a clear fall
    assert pd.isna(straatroof["Aantal 2024"]) and straatroof["Verandering t.o.v. 2023"] == "n.b."
    assert straatroof["Trend"].startswith("onvoldoende gegevens")


def test_regional_rates_sum_the_rest_of_twente_without_the_gemeente():
    crime = _crime(
        [
            ("GM0164", "0.0.0", 2024, 400),
            ("GM0141", "0.0.0", 2024, 300),  # Almelo, Twente
            ("GM0153", "0.0.0", 2024, 900),  # Enschede, Twente
            ("GM0794", "0.0.0", 2024, 999),  # Helmond, not Twente
            ("NL00", "0.0.0", 2024, 50_000),
        ]
    )
    population = _population(
        [
            ("GM0164", 2024, 10_000),
            ("GM0141", 2024, 10_000),
            ("GM0153", 2024, 20_000),
            ("GM0794", 2024, 10_000),
            ("NL00", 2024, 1_000_000),
        ]
    )
    regio = cr_mod.regional_rates(_ctx(crime, population), "Hengelo")
    rates = dict(zip(regio["gebied"], regio["rate"], strict=True))
    assert rates == pytest.approx(
        {"Hengelo": 40.0, "rest van Twente": 1200 / 30_000 * 1000, "Nederland": 50.0}
    )


def test_rise_by_code_orders_by_increase_and_skips_unpublished_codes():
    crime = _crime(
        [
            ("GM0164", "0.0.0", 2021, 100),
            ("GM0164", "0.0.0", 2022, 150),
            ("GM0164", "1.2.3", 2021, 10),
            ("GM0164", "1.2.3", 2022, 50),
            ("GM0164", "1.1.1", 2021, 20),
            ("GM0164", "1.1.1", 2022, 25),
            ("GM0164", "2.5.2", 2021, None),
            ("GM0164", "2.5.2", 2022, 99),
        ]
    )
    table = cr_mod.rise_by_code(crime, "GM0164", 2021, 2022)
    assert list(table["Code"]) == ["1.2.3", "1.1.1"]
    assert list(table["Verschil"]) == [40, 5]
    assert cr_mod.rise_by_code(crime, "GM0164", 2021, 2022, peiljaar=2021).empty


# --------------------------------------------------------------------------- content (slow)


@pytest.mark.slow
def test_page_high_impact_and_regional_figures_equal_the_raw_data():
    root, out = cr.demo_edition()
    raw = cr.raw_crime()
    population = pd.read_parquet(root / "data" / "processed" / "demo" / "population.parquet")
    inh = population.set_index(["area_code", "year"])["inhabitants"]
    page = (out / "02_criminaliteit.html").read_text()
    hic = cr.table_by_caption(page, "High impact crimes in Hengelo")["rows"]
    by_type = {r[0]: r for r in hic[1:]}
    geweld = sum(raw[("GM0164", c, 2024)] for c in ("1.4.3", "1.4.4", "1.4.5"))
    assert by_type["Woninginbraak"][2] == format_number(raw[("GM0164", "1.1.1", 2024)])
    assert by_type["Fietsdiefstal"][2] == format_number(raw[("GM0164", "1.2.3", 2024)])
    assert by_type["Straatroof"][2] == format_number(raw[("GM0164", "1.4.6", 2024)])
    assert by_type["Geweld"][2] == format_number(geweld)
    assert by_type["Geweld"][3] == format_number(geweld / inh[("GM0164", 2024)] * 1000, 2)
    regio = cr.table_by_caption(page, "Geregistreerde misdrijven per 1.000 inwoners in 2024")
    rows = {r[0]: r for r in regio["rows"][1:]}
    nl_rate = raw[("NL00", "0.0.0", 2024)] / inh[("NL00", 2024)] * 1000
    assert rows["Nederland"][1] == format_number(nl_rate, 1)
    assert rows["Hengelo"][1] == format_number(
        raw[("GM0164", "0.0.0", 2024)] / inh[("GM0164", 2024)] * 1000, 1
    )
    rise = cr.table_by_caption(page, "De vijf soorten met de grootste toename")["rows"]
    assert rise[1][0] == "1.2.3"
    assert rise[1][4] == format_number(
        raw[("GM0164", "1.2.3", 2022)] - raw[("GM0164", "1.2.3", 2021)]
    )
    assert "Synthetische demodata" in page


@pytest.mark.slow
def test_page_shows_the_c2_c3_c10_verdicts_of_findings_json():
    import json

    _, out = cr.demo_edition()
    claims = json.loads((out / "findings.json").read_text())["claims"]
    table = cr.table_by_caption((out / "02_criminaliteit.html").read_text(), "Oordeel over")
    for row in table["rows"][1:]:
        assert row[2:] == [claims[row[0]]["verdict_label"], claims[row[0]]["sentence"]]
    assert [r[0] for r in table["rows"][1:]] == ["C2", "C3", "C10"]


@pytest.mark.slow
def test_enschede_page_runs_on_gemeente_rows_only():
    text = cr.notebook_text(cr.gm0153_notebooks()["02_criminaliteit"])
    assert "In 2024 registreerde de politie in Enschede" in text
    assert "rest van Twente" in text
