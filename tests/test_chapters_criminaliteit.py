"""Page 02 criminaliteit: rate series, change tests, high-impact table, regions, C3 decomposition."""

import pandas as pd
import pytest

from hengelo_analysis.analysis import claims as findings
from hengelo_analysis.analysis import stats
from hengelo_analysis.formatting import format_number
from hengelo_analysis.pages import crime_series
from hengelo_analysis.pages.chapters import criminaliteit as cr_mod
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
    series = crime_series.rate_series(_ctx(crime, population), ["GM0164"], ["1.1.1"])
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
    series = crime_series.rate_series(_ctx(crime, population), ["GM0164"], ["1.4.3", "1.4.4"])
    assert list(series["year"]) == [2023] and list(series["registered"]) == [30]


def test_change_on_year_says_stijgt_only_when_the_test_does():
    series = pd.DataFrame(
        {"year": [2023, 2024], "registered": [100, 200], "inhabitants": [10_000, 10_000]}
    )
    change = crime_series.change_on_year(series, 2024)
    assert change["difference"] == 100 and change["pct"] == pytest.approx(100.0)
    assert change["verb"] == "stijgt" and change["p_value"] < 0.001
    series["registered"] = [100, 95]
    assert crime_series.change_on_year(series, 2024)["verb"] == "verandert niet significant"
    assert crime_series.change_on_year(series[series["year"] == 2024], 2024)["pct"] is None


def test_type_table_marks_missing_types_as_not_published():
    crime = _crime(
        [("GM0164", "1.1.1", y, 100 - 5 * (y - 2015)) for y in range(2015, 2025)]
        + [("GM0164", "1.4.6", 2024, None)]
    )
    population = _population([("GM0164", y, 50_000) for y in range(2015, 2025)])
    table = crime_series.type_table(
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


def _monthly(rows, provisional_from=(2025, 2)):
    """Rows of ``crime_monthly``: (area, code, year, month, registered); later months provisional."""
    df = pd.DataFrame(rows, columns=["area_code", "crime_code", "year", "month", "registered"])
    df["month"] = df["month"].astype("Int64")
    df["registered"] = df["registered"].astype("Int64")
    df["provisional"] = [
        (y, m) >= provisional_from for y, m in zip(df["year"], df["month"], strict=True)
    ]
    return df


def test_running_year_compares_the_months_so_far_and_sums_geweld_only_when_complete():
    rows = []
    for year in (2024, 2025):
        for month in range(1, 13 if year == 2024 else 3):  # 2025: January and February
            rows.append(("GM0164", "0.0.0", year, month, 100 if year == 2024 else 90))
            rows.append(("GM0164", "1.1.1", year, month, 5 if year == 2024 else 7))
            for code in ("1.4.3", "1.4.4", "1.4.5"):
                value = None if (year, month, code) == (2024, 2, "1.4.4") else 2
                rows.append(("GM0164", code, year, month, value))
    rows.append(("GM0001", "0.0.0", 2025, 3, 1))  # another gemeente: does not widen the window
    table = cr_mod.running_year_table(_monthly(rows), "GM0164", peiljaar=2024)
    by_type = table.set_index("soort")
    assert list(by_type.index) == ["Totaal misdrijven", "Woninginbraak", "Geweld"]
    assert by_type.loc["Totaal misdrijven", ["registered", "registered_previous"]].tolist() == [
        180, 200
    ]  # fmt: skip
    assert round(by_type.loc["Totaal misdrijven", "change_pct"], 6) == -10.0
    assert by_type.loc["Woninginbraak", "change"] == 4
    assert by_type.loc["Geweld", "registered"] == 12
    assert pd.isna(by_type.loc["Geweld", "registered_previous"])  # 1.4.4 not published in Feb
    assert by_type["provisional"].all()
    assert cr_mod.running_window(table) == "januari t/m februari 2025"
    assert cr_mod.running_sentence(table, "Hengelo") == (
        "Van januari t/m februari 2025 registreerde de politie in Hengelo 180 misdrijven, tegen "
        "200 in dezelfde maanden van 2024 (-10,0%). Die cijfers zijn **voorlopig**: de politie "
        "vult ze nog aan."
    )
    assert cr_mod.running_legend(table) == (
        "januari t/m februari 2024",
        "januari t/m februari 2025",
    )
    shown = cr_mod.running_display(table, "Hengelo").cells()
    assert shown[2][1:3] == ["n.b.", "12"]  # a month not published: no total, never a fall
    assert shown[1] == ["Woninginbraak", "10", "14", "4", "40,0", "voorlopig"]
    assert "voorlopig" in cr_mod.running_title(table, "Hengelo")


def test_running_year_stays_within_the_edition_and_says_final_months_are_final():
    rows = [("GM0164", "0.0.0", y, m, 10) for y in (2023, 2024) for m in (1, 2, 3)]
    rows += [("GM0164", "0.0.0", 2026, 1, 10)]  # two years past the peiljaar: not this edition
    table = cr_mod.running_year_table(_monthly(rows), "GM0164", peiljaar=2024)
    assert table["year"].tolist() == [2024] and table["through_month"].tolist() == [3]
    assert not table["provisional"].any()
    assert "voorlopig" not in cr_mod.running_sentence(table, "Hengelo")
    assert "voorlopig" not in cr_mod.running_title(table, "Hengelo")
    assert cr_mod.running_year_table(None, "GM0164", 2024).empty
    assert cr_mod.running_sentence(cr_mod.running_year_table(None, "GM0164", 2024), "H") == (
        "Er zijn geen maandcijfers (tabel 47022NED) voor H."
    )


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
    lopend = cr.table_by_caption(page, "Lopend jaar: januari t/m")
    assert lopend["rows"][1][0] == "Totaal misdrijven" and lopend["rows"][1][-1] == "voorlopig"
    monthly = pd.read_parquet(root / "data" / "processed" / "demo" / "crime_monthly.parquet")
    total = monthly[(monthly["area_code"] == "GM0164") & (monthly["crime_code"] == "0.0.0")]
    latest = total[total["year"] == total["year"].max()]
    window = total[(total["year"] == latest["year"].iloc[0] - 1)]
    window = window[window["month"] <= latest["month"].max()]
    expected = [
        format_number(window["registered"].sum()),
        format_number(latest["registered"].sum()),
    ]
    assert lopend["rows"][1][1:3] == expected


@pytest.mark.slow
def test_page_opens_with_the_verdicts_of_findings_json():
    import json

    _, out = cr.demo_edition()
    claims = json.loads((out / "findings.json").read_text())["claims"]
    page = (out / "02_criminaliteit.html").read_text()
    shown = cr.opening_verdicts(page)
    ids = ("C2", "C3", "C10", "C15", "C19")
    assert shown == {c: (claims[c]["verdict"], claims[c]["statement"]) for c in ids}
    # the opening comes before the first section of the page, and no verdict table repeats it
    assert page.index('class="hv-opening"') < page.index("Totaal geregistreerde misdrijven")
    assert "Oordeel over" not in page


@pytest.mark.slow
def test_enschede_page_runs_on_gemeente_rows_only():
    text = cr.notebook_text(cr.gm0153_notebooks()["02_criminaliteit"])
    assert "In 2024 registreerde de politie in Enschede" in text
    assert "rest van Twente" in text


def _totals(pairs):
    return pd.DataFrame(pairs, columns=["year", "registered"])


@pytest.mark.parametrize(
    ("previous", "now", "expected"),
    [
        (3722, 3758, "3.758 misdrijven, 36 meer (+1,0%) dan in 2023."),
        (3800, 3758, "3.758 misdrijven, 42 minder (-1,1%) dan in 2023."),
        (3758, 3758, "3.758 misdrijven, evenveel als in 2023."),
    ],
)
def test_total_sentence_says_the_direction_of_the_change_in_words(previous, now, expected):
    sentence = cr_mod.total_sentence(_totals([(2023, previous), (2024, now)]), 2024, "Hengelo")
    assert sentence == f"In 2024 registreerde de politie in Hengelo {expected}"
