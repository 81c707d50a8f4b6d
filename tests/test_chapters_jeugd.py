"""Chapter 04 (jeugd): Halt and jeugdreclassering per year, trends, and the published page."""

from __future__ import annotations

import csv
import math

import pandas as pd
import pytest

from hengelo_analysis.formatting import format_number
from hengelo_analysis.pages import nuisance_series
from hengelo_analysis.pages.chapters import jeugd as ch
from tests.test_chapters_zorg_en_overlast import assert_page_basics, published_edition, raw_nuisance

PAGE = "04_jeugd.html"


def _youth(rows):
    df = pd.DataFrame(rows, columns=["area_code", "year", "measure", "count"])
    df["count"] = df["count"].astype("Int64")
    return df


def test_per_year_keeps_years_not_supplied_missing_never_zero():
    rows = [
        ("GM0001", 2015, "halt_verwijzingen", 20),
        ("GM0001", 2015, "jeugdreclassering", None),  # supplied row, empty cell
        ("GM0001", 2017, "halt_verwijzingen", 0),  # a real 0
        ("GM0001", 2017, "jeugdreclassering", 4),
        ("GM0001", 2030, "halt_verwijzingen", 9),  # after the peiljaar
        ("GM0002", 2016, "halt_verwijzingen", 99),
    ]
    out = ch.per_year(_youth(rows), "GM0001", peiljaar=2024)
    assert out["year"].tolist() == [2015, 2016, 2017]  # 2016 not supplied: a row of n.b.
    assert out["halt_verwijzingen"].tolist()[0] == 20
    assert out["halt_verwijzingen"].isna().tolist() == [False, True, False]
    assert out.loc[2, "halt_verwijzingen"] == 0
    assert out["jeugdreclassering"].isna().tolist() == [True, True, False]
    assert ch.missing_sentence(out) == (
        "Niet aangeleverd (n.b.): Halt-verwijzingen 2016; jeugdreclassering 2015, 2016."
    )


def test_per_year_without_table_or_rows_is_empty():
    assert ch.per_year(None, "GM0001", 2024).empty
    assert ch.per_year(_youth([("GM0002", 2020, "halt_verwijzingen", 3)]), "GM0001", 2024).empty


def test_trends_find_an_exact_geometric_decline_and_refuse_short_series():
    years = list(range(2015, 2025))
    halt = [round(200 * 0.9**i) for i in range(10)]
    wide = pd.DataFrame(
        {
            "year": years,
            "halt_verwijzingen": pd.array(halt, dtype="Int64"),
            "jeugdreclassering": pd.array([None] * 6 + [5, 6, 7, 8], dtype="Int64"),
        }
    )
    out = ch.trends(wide).set_index("maatregel")
    assert out.loc["Halt-verwijzingen", "direction"] == "dalend"
    assert math.isclose(float(out.loc["Halt-verwijzingen", "pct_per_year"]), -10, abs_tol=0.5)
    assert out.loc["Halt-verwijzingen", "points"] == 10
    assert "te weinig jaren" in out.loc["jeugdreclassering", "reason"]
    table = ch.trends_table(ch.trends(wide))
    assert "Toets" not in table.columns  # the p-value belongs to the verdict's evidence line
    assert table["Richting"].tolist() == ["daalt", "geen trend"]


def test_long_with_ci_has_exact_intervals_and_missing_bounds_for_missing_counts():
    wide = pd.DataFrame(
        {
            "year": [2020, 2021],
            "halt_verwijzingen": pd.array([0, None], dtype="Int64"),
            "jeugdreclassering": pd.array([25, 3], dtype="Int64"),
        }
    )
    out = ch.long_with_ci(wide)
    halt = out[out["maatregel"] == "Halt-verwijzingen"].reset_index(drop=True)
    assert round(float(halt.loc[0, "upper"]), 3) == 3.689 and halt.loc[0, "lower"] == 0
    assert pd.isna(halt.loc[1, "count"]) and pd.isna(halt.loc[1, "upper"])


def test_e35_rates_with_nl_use_year_rows_or_twelve_months_and_name_nederland():
    rows = [("GM0001", 2023, None, 100), ("NL00", 2023, None, 50000)]
    rows += [("GM0001", 2024, m, 10) for m in range(1, 13)]  # 120 from the months
    rows += [("NL00", 2024, m, 4000) for m in range(1, 12)]  # 11 months: no year figure
    rows += [("GM0001", 2025, 1, 99)]  # after the peiljaar
    nuisance = pd.DataFrame(rows, columns=["area_code", "year", "month", "registered"])
    nuisance = nuisance.assign(nuisance_code="E35", provisional=False)
    nuisance["month"] = nuisance["month"].astype("Int64")
    nuisance["registered"] = nuisance["registered"].astype("Int64")
    population = pd.DataFrame(
        {"area_code": ["GM0001", "GM0001", "NL00"], "year": [2023, 2024, 2023],
         "inhabitants": [50000, 60000, 10_000_000]}
    )  # fmt: skip
    out = nuisance_series.rates_with_nl(nuisance, population, "GM0001", "E35", 2024, 1000, "Oost")
    own = out[out["area_code"] == "GM0001"].set_index("year")
    assert own["registered"].tolist() == [100, 120]
    assert own["rate"].round(6).tolist() == [2.0, 2.0]
    nl = out[out["area_code"] == "NL00"].set_index("year")
    assert nl.loc[2023, "rate"] == 5.0 and pd.isna(nl.loc[2024, "registered"])
    assert set(out["gebied"]) == {"Oost", "Nederland"}
    assert ch.e35_peil_sentence(out, "GM0001", "Oost", 2023, "per 1.000 inwoners") == (
        "In 2023 registreerde de politie in Oost 100 meldingen van jeugdoverlast "
        "(2,00 per 1.000 inwoners; Nederland: 5,00)."
    )
    assert "Nederland: n.b." in ch.e35_peil_sentence(out, "GM0001", "Oost", 2024, "per 1.000")
    assert ch.e35_table(out, "GM0001", "Oost", "per 1.000").cells()[-1] == [
        "2024", "120", "2,00", "n.b."
    ]  # fmt: skip


def test_e35_without_the_table_says_there_is_no_figure():
    out = nuisance_series.rates_with_nl(None, None, "GM0001", "E35", 2024)
    assert out.empty
    assert ch.e35_peil_sentence(out, "GM0001", "Oost", 2024, "per 1.000") == (
        "Voor 2024 is er geen E35-cijfer voor Oost."
    )


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    return published_edition(tmp_path_factory)


@pytest.mark.slow
def test_page_shows_the_supplied_figures_with_nb_for_missing_years(edition):
    root, out = edition
    parsed = assert_page_basics(out, PAGE, min_figures=1)
    with open(root / "data" / "raw" / "demo" / "supplied" / "jeugd.csv", encoding="utf-8") as f:
        supplied = [r for r in csv.DictReader(f, delimiter=";") if r["gebiedscode"] == "GM0164"]
    assert supplied
    for r in supplied:
        expected = [
            format_number(int(r[m])) if r[m] else "n.b."
            for m in ("halt_verwijzingen", "jeugdreclassering")
        ]
        assert parsed.row_after(r["jaar"], 2) == expected, r["jaar"]
    last = next(r for r in supplied if r["jaar"] == "2024")
    assert f"Halt-verwijzingen Hengelo: {format_number(int(last['halt_verwijzingen']))}" in (
        parsed.text
    )
    assert "Niet aangeleverd (n.b.): jeugdreclassering 2015." in parsed.text
    assert "het aantal Halt-verwijzingen daalt" in parsed.text  # the C7 sentence


@pytest.mark.slow
def test_page_shows_e35_of_the_raw_open_table(edition):
    root, out = edition
    parsed = assert_page_basics(out, PAGE, min_figures=2)
    e35 = raw_nuisance(root / "data" / "raw" / "demo", "GM0164", "E35")
    assert f"registreerde de politie in Hengelo {format_number(e35[2024])} meldingen" in parsed.text
    assert parsed.row_after("2012", 1) == [format_number(e35[2012])]
    assert "niet hoeveel jongeren overlast geven" in parsed.text
